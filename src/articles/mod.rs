//! Articles: the model, its queries, Markdown rendering, the public pages, the newsroom's
//! editor with revisions, the Markdown import with the demo publication, and the scheduler that
//! publishes scheduled articles.

pub mod admin;
pub mod diff;
pub mod handlers;
pub mod import;
pub mod labels;
pub mod labels_admin;
pub mod markdown;
pub mod model;
pub mod queries;
pub mod scheduler;
pub mod wordpress;
