//! Search and similarity: full-text search with tantivy (`index`), the similarity engine
//! (`similarity`, `related`) and the text analysis they share (`text`).

pub mod handlers;
pub mod index;
pub mod related;
pub mod similarity;
pub mod text;

use crate::app::App;
use crate::queue::Job;

/// Queue kind of an article's index update, from before index updates followed the change
/// log (`changes`): jobs of this kind left in a queue are still done.
pub const REINDEX: &str = "search.reindex";

/// Puts the article's current state into the index, or takes it out.
pub async fn reindex(app: &App, job: &Job) -> anyhow::Result<()> {
    let id = job.payload["article_id"].as_i64().ok_or_else(|| anyhow::anyhow!("job {} has no article_id", job.id))?;
    match crate::articles::queries::find_by_id(&app.db, id).await? {
        Some(article) if article.is_live(app.now()) => app.search.update(&[&article], &[])?,
        _ => app.search.update(&[], &[id])?,
    }
    Ok(())
}
