//! Articles: the model, its queries, Markdown rendering, the public pages, the newsroom's
//! editor with revisions, and the Markdown import with the demo publication. (Scheduled articles
//! are published by the background worker: `queue::worker::publish_scheduled`.)

pub mod admin;
pub mod diff;
pub mod handlers;
pub mod import;
pub mod labels;
pub mod labels_admin;
pub mod listings;
pub mod markdown;
pub mod model;
pub mod queries;
