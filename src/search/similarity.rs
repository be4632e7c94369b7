//! The similarity engine: TF-IDF vectors over stemmed terms and their cosine. One API serves
//! the moderation's off-topic score now, and related articles and similar-news alerts later.
//!
//! Document frequencies come from the live articles (a [`Corpus`]), so words every article uses
//! weigh little and the words that set an article apart weigh much.

use std::collections::HashMap;

use sqlx::{AssertSqlSafe, Row as _};

use super::text::terms;
use crate::articles::model::{Article, BodyFormat};
use crate::articles::queries::LIVE;
use crate::config::Language;
use crate::db::Db;

/// How often each term occurs in how many documents.
#[derive(Debug, Default, Clone)]
pub struct Corpus {
    doc_freq: HashMap<String, u32>,
    docs: u32,
}

impl Corpus {
    /// Builds a corpus from documents' terms.
    pub fn from_documents<'a>(documents: impl IntoIterator<Item = &'a [String]>) -> Corpus {
        let mut corpus = Corpus::default();
        for terms in documents {
            corpus.docs += 1;
            let mut seen: Vec<&String> = terms.iter().collect();
            seen.sort();
            seen.dedup();
            for term in seen {
                *corpus.doc_freq.entry(term.clone()).or_default() += 1;
            }
        }
        corpus
    }

    /// A corpus of `docs` documents with the given document frequencies (those of the terms
    /// at hand: other terms count as unseen).
    pub fn from_counts(docs: u32, doc_freq: HashMap<String, u32>) -> Corpus {
        Corpus { doc_freq, docs }
    }

    /// Reads the terms of every live article.
    pub async fn load(db: &Db, now: i64) -> Result<Corpus, sqlx::Error> {
        let sql = format!("SELECT a.title, a.lead, a.body_md, a.language, a.body_format FROM articles a WHERE {LIVE}");
        let rows = sqlx::query(AssertSqlSafe(sql)).bind(now).fetch_all(&db.pool).await?;
        let mut documents = Vec::with_capacity(rows.len());
        for row in rows {
            let language = Language::parse(&row.try_get::<String, _>("language")?).unwrap_or(Language::De);
            let format = BodyFormat::parse(&row.try_get::<String, _>("body_format")?).unwrap_or_default();
            let body: String = row.try_get("body_md")?;
            let text = format!(
                "{} {} {}",
                row.try_get::<String, _>("title")?,
                row.try_get::<String, _>("lead")?,
                format.text(&body)
            );
            documents.push(terms(&text, language));
        }
        Ok(Corpus::from_documents(documents.iter().map(Vec::as_slice)))
    }

    /// Whether the corpus knows how many documents have `term`.
    pub fn knows(&self, term: &str) -> bool {
        self.doc_freq.contains_key(term)
    }

    /// Records how many documents have `term`.
    pub fn set_doc_freq(&mut self, term: &str, documents: u32) {
        self.doc_freq.insert(term.to_string(), documents);
    }

    /// Inverse document frequency, smoothed so unseen terms weigh most but stay finite.
    pub fn idf(&self, term: &str) -> f64 {
        // Never more documents with the term than documents: the idf stays at 1 or above.
        let df = f64::from(self.doc_freq.get(term).copied().unwrap_or(0).min(self.docs));
        ((1.0 + f64::from(self.docs)) / (1.0 + df)).ln() + 1.0
    }

    pub fn documents(&self) -> u32 {
        self.docs
    }
}

/// A text as weighted terms, scaled to length 1. Terms are kept in order, so every sum over
/// them adds in the same order and the same texts always give the same scores.
#[derive(Debug, Clone, Default)]
pub struct Vector {
    weights: Vec<(String, f64)>,
}

impl Vector {
    /// Weights each term by `(1 + ln tf) · idf`.
    pub fn from_terms(terms: &[String], corpus: &Corpus) -> Vector {
        Vector::from_counts(count_terms(terms).into_iter(), corpus)
    }

    /// The vector of terms with how often each occurs.
    pub fn from_counts<'a>(counts: impl Iterator<Item = (&'a str, u32)>, corpus: &Corpus) -> Vector {
        let mut weights: Vec<(String, f64)> =
            counts.map(|(t, n)| (t.to_string(), (1.0 + f64::from(n).ln()) * corpus.idf(t))).collect();
        weights.sort_by(|a, b| a.0.cmp(&b.0));
        weights.dedup_by(|b, a| {
            let same = a.0 == b.0;
            if same {
                a.1 = a.1.max(b.1);
            }
            same
        });
        let norm = weights.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
        if norm > 0.0 {
            weights.iter_mut().for_each(|(_, w)| *w /= norm);
        }
        Vector { weights }
    }

    pub fn from_text(text: &str, language: Language, corpus: &Corpus) -> Vector {
        Vector::from_terms(&terms(text, language), corpus)
    }

    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }

    /// The `n` heaviest terms with their weights, heaviest first.
    pub fn heaviest(&self, n: usize) -> Vec<(&str, f64)> {
        let mut terms: Vec<(&str, f64)> = self.weights.iter().map(|(t, w)| (t.as_str(), *w)).collect();
        terms.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        terms.truncate(n);
        terms
    }

    /// The weight of `term` (0 when the text does not have it).
    pub fn weight(&self, term: &str) -> f64 {
        self.weights.binary_search_by(|(t, _)| t.as_str().cmp(term)).map_or(0.0, |i| self.weights[i].1)
    }

    /// Cosine similarity, 0 (nothing shared) to 1 (the same terms in the same proportions).
    pub fn cosine(&self, other: &Vector) -> f64 {
        self.shared(other).map(|(_, w)| w).sum()
    }

    /// The terms both vectors have, with the product of their weights, in term order.
    fn shared<'a>(&'a self, other: &'a Vector) -> impl Iterator<Item = (&'a str, f64)> + 'a {
        let (mut mine, mut theirs) = (self.weights.iter().peekable(), other.weights.iter().peekable());
        std::iter::from_fn(move || {
            loop {
                let (a, b) = (mine.peek()?, theirs.peek()?);
                match a.0.cmp(&b.0) {
                    std::cmp::Ordering::Less => {
                        mine.next();
                    }
                    std::cmp::Ordering::Greater => {
                        theirs.next();
                    }
                    std::cmp::Ordering::Equal => {
                        let found = (a.0.as_str(), a.1 * b.1);
                        mine.next();
                        theirs.next();
                        return Some(found);
                    }
                }
            }
        })
    }

    /// The terms both vectors have, heaviest first: the reasons behind a similarity.
    pub fn shared_terms(&self, other: &Vector, limit: usize) -> Vec<String> {
        let mut shared: Vec<(&str, f64)> = self.shared(other).collect();
        shared.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        shared.into_iter().take(limit).map(|(t, _)| t.to_string()).collect()
    }
}

/// How often each term occurs.
pub fn count_terms(terms: &[String]) -> HashMap<&str, u32> {
    let mut counts: HashMap<&str, u32> = HashMap::new();
    for term in terms {
        *counts.entry(term).or_default() += 1;
    }
    counts
}

/// The text an article is compared by: title (twice, as it names the topic), lead, body, tags.
pub fn article_text(article: &Article) -> String {
    let tags: Vec<&str> = article.tags.iter().map(|t| t.name.as_str()).collect();
    let body = article.body_format.text(&article.body_md);
    format!("{0} {0} {1} {2} {3}", article.title, article.lead, body, tags.join(" "))
}

/// Similarity of two texts in one language against `corpus`.
pub fn similarity(a: &str, b: &str, language: Language, corpus: &Corpus) -> f64 {
    Vector::from_text(a, language, corpus).cosine(&Vector::from_text(b, language, corpus))
}

/// The `n` candidates most similar to `target` at or above `threshold`, most similar first.
pub fn most_similar<'a, K: Copy>(
    target: &Vector,
    candidates: impl IntoIterator<Item = (K, &'a Vector)>,
    n: usize,
    threshold: f64,
) -> Vec<(K, f64)> {
    let mut scored: Vec<(K, f64)> =
        candidates.into_iter().map(|(k, v)| (k, target.cosine(v))).filter(|(_, s)| *s >= threshold).collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1));
    scored.truncate(n);
    scored
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn related_texts_score_higher_than_unrelated() {
        let docs = [
            "Pflegeroboter helfen im Pflegeheim beim Heben von Bewohnern",
            "Sprachmodelle beantworten Bürgeranfragen in Kommunen",
            "Drohnen über Kraftwerken: Länder fordern Abwehr",
        ];
        let terms: Vec<Vec<String>> = docs.iter().map(|d| super::terms(d, Language::De)).collect();
        let corpus = Corpus::from_documents(terms.iter().map(Vec::as_slice));
        let comment = "Ob die Roboter im Heim den Pflegekräften wirklich beim Heben helfen?";
        let near = similarity(comment, docs[0], Language::De, &corpus);
        let far = similarity(comment, docs[2], Language::De, &corpus);
        assert!(near > 0.2 && far < 0.05, "near {near}, far {far}");
        assert!((similarity(docs[1], docs[1], Language::De, &corpus) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn most_similar_orders_and_filters() {
        let corpus = Corpus::default();
        let a = Vector::from_text("Roboter Pflege Heim", Language::De, &corpus);
        let b = Vector::from_text("Roboter Pflege", Language::De, &corpus);
        let c = Vector::from_text("Drohnen Abwehr", Language::De, &corpus);
        let found = most_similar(&a, [(1, &b), (2, &c)], 5, 0.1);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, 1);
    }
}
