//! Related and similar articles from the similarity engine, served by the search index.
//!
//! Each indexed article stores its heaviest terms (by TF-IDF when it was indexed) with how
//! often it uses them, and its tags. To find the articles most related to one, its heaviest
//! terms and tags go to tantivy as one weighted query, which picks the candidates sharing the
//! most; only those are scored exactly: cosine of their TF-IDF vectors (sublinear term
//! frequency, German compounds' parts counted too), weighed with today's document frequencies,
//! raised by a share for each shared tag. Ties go to the older id, and sums run in term
//! order, so the same index gives the same lists in every process. Nothing grows in memory with the number of articles; document frequencies and
//! finished lists are kept until the index changes.

use std::collections::HashMap;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Value as _};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use super::index::SearchIndex;
use super::similarity::{Corpus, Vector};
use crate::articles::model::Article;
use crate::articles::queries;
use crate::db::Db;

/// Each shared tag raises the text similarity by this share, for at most three tags: tags
/// strengthen what the texts share and never stand in for it (two articles tagged "KI" about
/// ransomware and sepsis stay unrelated).
pub const TAG_WEIGHT: f64 = 0.2;
/// The floor of what is related: below this score an article is not shown under another. Low
/// enough that an archive with articles on the same subject fills the list of five (on the
/// evaluation set every article's list is full), high enough that a list is never padded
/// with articles sharing only a word or two of little weight.
pub const MIN_RELATED: f64 = 0.02;
/// An article published later counts as "similar news" to this one from this score on.
pub const MIN_SIMILAR: f64 = 0.12;
/// The heaviest terms of an article that go into the candidate query.
const QUERY_TERMS: usize = 60;
/// Candidates scored exactly per request.
const CANDIDATES: usize = 100;

/// Article ids with their scores, best first.
pub type Scored = Vec<(i64, f64)>;

/// What the index stores of an article for comparing it.
#[derive(Debug, Clone)]
pub struct Profile {
    pub id: i64,
    pub published_at: i64,
    pub tags: Vec<String>,
    /// The article's heaviest terms and how often it uses each.
    pub counts: Vec<(String, u32)>,
}

impl Profile {
    pub fn vector(&self, corpus: &Corpus) -> Vector {
        Vector::from_counts(self.counts.iter().map(|(t, n)| (t.as_str(), *n)), corpus)
    }

    /// Text similarity of two vectors plus the bonus for the tags the profiles share.
    pub fn score(&self, vector: &Vector, other: &Profile, other_vector: &Vector) -> f64 {
        let shared = self.tags.iter().filter(|t| other.tags.contains(t)).count().min(3);
        vector.cosine(other_vector) * (1.0 + TAG_WEIGHT * shared as f64)
    }
}

/// Terms with their counts as stored: per term its length (one byte), its UTF-8 and its count
/// (u16, little-endian).
pub fn encode_counts(counts: &[(&str, u32)]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for (term, count) in counts {
        let Ok(len) = u8::try_from(term.len()) else { continue };
        bytes.push(len);
        bytes.extend_from_slice(str::as_bytes(term));
        bytes.extend_from_slice(&u16::try_from(*count).unwrap_or(u16::MAX).to_le_bytes());
    }
    bytes
}

/// Reads what [`encode_counts`] wrote; a damaged tail is dropped.
pub fn decode_counts(mut bytes: &[u8]) -> Vec<(String, u32)> {
    let mut counts = Vec::new();
    while let Some((&len, rest)) = bytes.split_first() {
        let len = usize::from(len);
        if rest.len() < len + 2 {
            break;
        }
        let (term, rest) = rest.split_at(len);
        let (count, rest) = rest.split_at(2);
        if let Ok(term) = std::str::from_utf8(term) {
            counts.push((term.to_string(), u32::from(u16::from_le_bytes([count[0], count[1]]))));
        }
        bytes = rest;
    }
    counts
}

/// One article found similar, with its score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Match {
    pub id: i64,
    pub score: f64,
    pub published_at: i64,
}

/// Which articles a similarity search looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Among {
    All,
    /// Published after the given time (Unix seconds).
    PublishedAfter(i64),
    /// Published before the given time.
    PublishedBefore(i64),
}

/// Document frequencies and related lists of one index generation.
#[derive(Debug, Default)]
pub struct RelatedCache {
    /// The generation of the index these were read from; `None` before the first read (a
    /// reader's first generation is 0, and must not find an empty corpus taken for its own).
    generation: Option<u64>,
    corpus: Corpus,
    lists: HashMap<(i64, usize), Scored>,
}

impl SearchIndex {
    /// The cache, emptied first when the index has changed since it was filled.
    fn cache(&self, searcher: &Searcher) -> parking_lot::MutexGuard<'_, RelatedCache> {
        let generation = searcher.generation().generation_id();
        let mut cache = self.related_cache.lock();
        if cache.generation != Some(generation) {
            let documents = u32::try_from(searcher.num_docs()).unwrap_or(u32::MAX);
            *cache = RelatedCache {
                generation: Some(generation),
                corpus: Corpus::from_counts(documents, HashMap::new()),
                lists: HashMap::new(),
            };
        }
        cache
    }

    /// The profiles' TF-IDF vectors, with document frequencies as the index has them now.
    fn weigh(&self, searcher: &Searcher, profiles: &[&Profile]) -> anyhow::Result<Vec<Vector>> {
        let missing: Vec<&str> = {
            let cache = self.cache(searcher);
            let mut missing: Vec<&str> = profiles
                .iter()
                .flat_map(|p| p.counts.iter().map(|(t, _)| t.as_str()))
                .filter(|t| !cache.corpus.knows(t))
                .collect();
            missing.sort_unstable();
            missing.dedup();
            missing
        };
        let mut found = Vec::with_capacity(missing.len());
        for term in missing {
            let df = searcher.doc_freq(&Term::from_field_text(self.fields.body, term))?;
            found.push((term, u32::try_from(df).unwrap_or(u32::MAX)));
        }
        let mut cache = self.cache(searcher);
        for (term, df) in found {
            cache.corpus.set_doc_freq(term, df);
        }
        Ok(profiles.iter().map(|p| p.vector(&cache.corpus)).collect())
    }

    fn profile_at(&self, searcher: &Searcher, address: DocAddress) -> anyhow::Result<Profile> {
        let document: TantivyDocument = searcher.doc(address)?;
        let f = &self.fields;
        let id = document.get_first(f.id).and_then(|v| v.as_u64()).unwrap_or(0) as i64;
        let published_at = document.get_first(f.published).and_then(|v| v.as_i64()).unwrap_or(0);
        let tags = document.get_all(f.tag).filter_map(|v| v.as_str().map(str::to_string)).collect();
        let counts = document.get_first(f.vector).and_then(|v| v.as_bytes()).map(decode_counts).unwrap_or_default();
        Ok(Profile { id, published_at, tags, counts })
    }

    /// The stored profile of article `id`, when it is in the index.
    pub fn profile(&self, id: i64) -> anyhow::Result<Option<Profile>> {
        let searcher = self.reader.searcher();
        self.find_profile(&searcher, id)
    }

    fn find_profile(&self, searcher: &Searcher, id: i64) -> anyhow::Result<Option<Profile>> {
        let query = TermQuery::new(Term::from_field_u64(self.fields.id, id as u64), IndexRecordOption::Basic);
        let found = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        match found.first() {
            Some((_, address)) => Ok(Some(self.profile_at(searcher, *address)?)),
            None => Ok(None),
        }
    }

    /// Articles similar to `target` among `among`, scoring at least `threshold`, best first.
    /// Candidates come from one weighted query over the target's heaviest terms and its tags;
    /// `candidates` bounds how many are scored.
    pub fn most_similar(
        &self,
        target: &Profile,
        among: Among,
        threshold: f64,
        candidates: usize,
    ) -> anyhow::Result<Vec<Match>> {
        let searcher = self.reader.searcher();
        let f = &self.fields;
        let target_vector = self.weigh(&searcher, &[target])?.remove(0);
        let mut should: Vec<Box<dyn Query>> = target_vector
            .heaviest(QUERY_TERMS)
            .into_iter()
            .map(|(term, weight)| -> Box<dyn Query> {
                let q = TermQuery::new(Term::from_field_text(f.body, term), IndexRecordOption::WithFreqs);
                Box::new(BoostQuery::new(Box::new(q), weight as f32))
            })
            .collect();
        for tag in &target.tags {
            let q = TermQuery::new(Term::from_field_text(f.tag, tag), IndexRecordOption::Basic);
            should.push(Box::new(BoostQuery::new(Box::new(q), TAG_WEIGHT as f32)));
        }
        if should.is_empty() {
            return Ok(Vec::new());
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
            (Occur::Must, Box::new(BooleanQuery::union(should))),
            (
                Occur::MustNot,
                Box::new(TermQuery::new(Term::from_field_u64(f.id, target.id as u64), IndexRecordOption::Basic)),
            ),
        ];
        let range = |lower, upper| -> Box<dyn Query> { Box::new(RangeQuery::new(lower, upper)) };
        use std::ops::Bound::{Excluded, Unbounded};
        match among {
            Among::All => {}
            Among::PublishedAfter(t) => {
                clauses.push((Occur::Must, range(Excluded(Term::from_field_i64(f.published, t)), Unbounded)))
            }
            Among::PublishedBefore(t) => {
                clauses.push((Occur::Must, range(Unbounded, Excluded(Term::from_field_i64(f.published, t)))))
            }
        }
        let top = searcher.search(&BooleanQuery::new(clauses), &TopDocs::with_limit(candidates).order_by_score())?;
        let profiles: Vec<Profile> =
            top.into_iter().map(|(_, address)| self.profile_at(&searcher, address)).collect::<anyhow::Result<_>>()?;
        let vectors = self.weigh(&searcher, &profiles.iter().collect::<Vec<_>>())?;
        let mut scored = Vec::with_capacity(profiles.len());
        for (candidate, vector) in profiles.iter().zip(&vectors) {
            let score = target.score(&target_vector, candidate, vector);
            if score >= threshold {
                scored.push(Match { id: candidate.id, score, published_at: candidate.published_at });
            }
        }
        scored.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        Ok(scored)
    }

    /// The `n` articles most related to article `id`, best first, with their scores. Lists are
    /// kept until the index changes.
    pub fn related(&self, id: i64, n: usize) -> anyhow::Result<Scored> {
        let searcher = self.reader.searcher();
        let generation = searcher.generation().generation_id();
        if let Some(found) = self.cache(&searcher).lists.get(&(id, n)) {
            return Ok(found.clone());
        }
        let Some(target) = self.find_profile(&searcher, id)? else { return Ok(Vec::new()) };
        let found: Scored = self
            .most_similar(&target, Among::All, MIN_RELATED, CANDIDATES)?
            .into_iter()
            .take(n)
            .map(|m| (m.id, m.score))
            .collect();
        let mut cache = self.related_cache.lock();
        if cache.generation == Some(generation) {
            cache.lists.insert((id, n), found.clone());
        }
        Ok(found)
    }

    /// Articles published after article `id` that are similar to it, newest first: the feed
    /// twin of the similar-news alert.
    pub fn similar_after(&self, id: i64, limit: usize) -> anyhow::Result<Scored> {
        let Some(target) = self.profile(id)? else { return Ok(Vec::new()) };
        let mut found =
            self.most_similar(&target, Among::PublishedAfter(target.published_at), MIN_SIMILAR, CANDIDATES)?;
        found.sort_by(|a, b| b.published_at.cmp(&a.published_at).then(b.id.cmp(&a.id)));
        Ok(found.into_iter().take(limit).map(|m| (m.id, m.score)).collect())
    }
}

/// The articles behind ids, in the ids' order.
/// What the list under an article shows of each related one.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Link {
    pub slug: String,
    pub title: String,
    pub published_at: Option<i64>,
}

/// The links of the list under an article, in the order given: one query.
pub async fn links(db: &Db, ids: &[(i64, f64)]) -> Result<Vec<Link>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id, slug, title, published_at FROM articles WHERE id IN ({})",
        crate::db::placeholders(0, ids.len())
    );
    let mut query = sqlx::query_as::<_, (i64, String, String, Option<i64>)>(sqlx::AssertSqlSafe(sql));
    for (id, _) in ids {
        query = query.bind(*id);
    }
    let mut rows = query.fetch_all(&db.pool).await?;
    rows.sort_by_key(|(id, ..)| ids.iter().position(|(i, _)| i == id));
    Ok(rows.into_iter().map(|(_, slug, title, published_at)| Link { slug, title, published_at }).collect())
}

pub async fn load(db: &Db, ids: &[(i64, f64)]) -> Result<Vec<Article>, sqlx::Error> {
    let ids: Vec<i64> = ids.iter().map(|(id, _)| *id).collect();
    queries::find_by_ids(db, &ids).await
}
