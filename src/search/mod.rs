//! Search and similarity: full-text search with tantivy (`index`), the similarity engine
//! (`similarity`, `related`) and the text analysis they share (`text`).

pub mod compounds;
pub mod handlers;
pub mod index;
pub mod related;
pub mod similarity;
pub mod text;

use crate::db::Db;

/// An article's index update as queued before index updates followed the change log
/// (`changes`): jobs of this kind left in a queue are still done.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Reindex {
    pub article_id: i64,
}

impl crate::queue::Kind for Reindex {
    const NAME: &'static str = "search.reindex";
}

/// Puts the article's current state into the index, or takes it out.
pub async fn reindex(db: &Db, search: &index::SearchIndex, now: i64, job: Reindex) -> anyhow::Result<()> {
    let id = job.article_id;
    match crate::articles::queries::find_by_id(db, id).await? {
        Some(article) if article.is_live(now) => search.update(&[&article], &[])?,
        _ => search.update(&[], &[id])?,
    }
    Ok(())
}
