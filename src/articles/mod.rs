//! Articles: the model, its queries, Markdown rendering, the public pages, the Markdown import
//! with the demo publication, and the scheduler that publishes scheduled articles.

pub mod handlers;
pub mod import;
pub mod markdown;
pub mod model;
pub mod queries;
pub mod scheduler;
