//! Newsdesk's core: what every feature and the web layer build on, knowing none of them and no
//! web framework. The compiler keeps it that way: this crate depends on no other part of
//! Newsdesk.

pub mod clock;
pub mod config;
pub mod context;
pub mod db;
pub mod embedded;
pub mod i18n;
pub mod keys;
pub mod queue;
pub mod tasks;
pub mod text;
