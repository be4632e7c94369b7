//! What a feature's service is given to work with: the database, the configuration in effect
//! and the time. Services take this (or less), never the whole application, so a feature knows
//! nothing of the web layer or of the other features' machinery; the composition root builds
//! it (`App::context`).

use std::sync::Arc;

use crate::config::Config;
use crate::db::Db;

#[derive(Debug, Clone)]
pub struct Context {
    pub db: Db,
    /// The file's configuration with the stored settings applied.
    pub config: Arc<Config>,
    /// The application's time (tests move it).
    pub now: i64,
}
