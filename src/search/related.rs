//! Related and similar articles from the similarity engine: every live article as a TF-IDF
//! vector, scored against the others by cosine plus a bonus for shared tags (as YARPP weighs
//! titles, bodies and taxonomies). Built from the database on first use and rebuilt after
//! content changes (or at the latest every few minutes, for changes made by another process).

use super::similarity::{Corpus, Vector, article_text};
use super::text::terms;
use crate::articles::model::Article;
use crate::articles::queries::{self, Listing};
use crate::db::Db;

/// Each shared tag adds this much to the text similarity, for at most three tags.
pub const TAG_WEIGHT: f64 = 0.1;
/// Below this score an article is not related enough to show.
pub const MIN_RELATED: f64 = 0.05;
/// An article published later counts as "similar news" to this one from this score on.
pub const MIN_SIMILAR: f64 = 0.12;

#[derive(Debug)]
struct Entry {
    id: i64,
    published_at: i64,
    tags: Vec<String>,
    vector: Vector,
}

/// Article ids with their scores, best first.
pub type Scored = Vec<(i64, f64)>;

/// The live articles as vectors, with the term statistics they were weighed with.
#[derive(Debug, Default)]
pub struct Index {
    pub corpus: Corpus,
    entries: Vec<Entry>,
    /// Related lists already worked out, per article and length: a page view scans all
    /// articles only the first time after a change.
    cache: std::sync::Mutex<std::collections::HashMap<(i64, usize), Scored>>,
}

impl Index {
    pub async fn build(db: &Db, now: i64) -> Result<Index, sqlx::Error> {
        let (articles, _) = queries::list_live(db, Listing::All, 1, u32::MAX / 2, now).await?;
        Ok(Index::from_articles(&articles))
    }

    /// The index over `articles` (all assumed live).
    pub fn from_articles(articles: &[Article]) -> Index {
        let texts: Vec<Vec<String>> = articles.iter().map(|a| terms(&article_text(a), a.language)).collect();
        let corpus = Corpus::from_documents(texts.iter().map(Vec::as_slice));
        let entries = articles
            .iter()
            .zip(&texts)
            .map(|(a, t)| Entry {
                id: a.id,
                published_at: a.published_at.unwrap_or(0),
                tags: a.tags.iter().map(|t| t.slug.clone()).collect(),
                vector: Vector::from_terms(t, &corpus),
            })
            .collect();
        Index { corpus, entries, cache: Default::default() }
    }

    fn score(a: &Entry, b: &Entry) -> f64 {
        let shared = a.tags.iter().filter(|t| b.tags.contains(t)).count().min(3);
        a.vector.cosine(&b.vector) + TAG_WEIGHT * shared as f64
    }

    /// The `n` articles most related to article `id`, best first, with their scores.
    pub fn related(&self, id: i64, n: usize) -> Vec<(i64, f64)> {
        if let Some(found) = self.cache.lock().expect("related cache lock").get(&(id, n)) {
            return found.clone();
        }
        let found = self.compute_related(id, n);
        self.cache.lock().expect("related cache lock").insert((id, n), found.clone());
        found
    }

    fn compute_related(&self, id: i64, n: usize) -> Vec<(i64, f64)> {
        let Some(target) = self.entries.iter().find(|e| e.id == id) else { return Vec::new() };
        let mut scored: Vec<(i64, f64)> = self
            .entries
            .iter()
            .filter(|e| e.id != id)
            .map(|e| (e.id, Self::score(target, e)))
            .filter(|(_, s)| *s >= MIN_RELATED)
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(n);
        scored
    }

    /// Articles published after article `id` that are similar to it, newest first: the feed
    /// twin of the similar-news alert.
    pub fn similar_after(&self, id: i64, limit: usize) -> Vec<(i64, f64)> {
        let Some(target) = self.entries.iter().find(|e| e.id == id) else { return Vec::new() };
        let mut found: Vec<(&Entry, f64)> = self
            .entries
            .iter()
            .filter(|e| e.id != id && e.published_at > target.published_at)
            .map(|e| (e, Self::score(target, e)))
            .filter(|(_, s)| *s >= MIN_SIMILAR)
            .collect();
        found.sort_by(|a, b| b.0.published_at.cmp(&a.0.published_at).then(b.0.id.cmp(&a.0.id)));
        found.into_iter().take(limit).map(|(e, s)| (e.id, s)).collect()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The articles behind ids, in the ids' order.
pub async fn load(db: &Db, ids: &[(i64, f64)]) -> Result<Vec<Article>, sqlx::Error> {
    let mut articles = Vec::with_capacity(ids.len());
    for (id, _) in ids {
        if let Some(article) = queries::find_by_id(db, *id).await? {
            articles.push(article);
        }
    }
    Ok(articles)
}
