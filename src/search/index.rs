//! Full-text search over live articles with tantivy.
//!
//! Text is analysed by our own [`super::text::terms`] (German or English Snowball stems, German
//! umlauts and their ae/oe/ue spellings folded together, stop words dropped) and handed to
//! tantivy as whitespace-separated terms, so indexing and querying analyse alike and the
//! similarity engine shares the same morphology. tantivy keeps the postings, positions (for
//! phrases) and BM25 scores.
//!
//! Each article is analysed in its own language; a query is analysed in every language the
//! site can publish in, and a word matches any of its readings, so an English reader finds the
//! English articles of a German site and the other way round. German compounds are split
//! ([`super::compounds`]): their parts go to a field of their own, so "Tennis" finds
//! "Tennisturnier", and a compound in a query also matches texts that use all its parts. The
//! places of the dateline are searchable. A query that finds nothing gets a correction of one
//! letter per word from the words the articles use ([`SearchIndex::suggest`]).
//!
//! The index is derived data in `{data_dir}/search-v{SCHEMA_VERSION}`: a missing index, or one
//! of an older schema, is built anew from the database. Each node keeps its own index up to
//! date from the change log (`follower`), and `newsdesk reindex` rebuilds it whole.

use parking_lot::Mutex;
use std::collections::HashMap;
use std::ops::Bound;
use std::path::Path;

use anyhow::Context as _;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value as _,
};
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term, doc};

use super::related::{Profile, RelatedCache, encode_counts};
use super::similarity::{Corpus, Vector, article_text, count_terms};
use super::text::{
    LANGUAGES, compound_halves, compound_terms, is_stop_word, one_edit, place_terms, query_terms, terms, word_spans,
    words,
};
use crate::articles::model::Article;

/// Bump when the fields change: the index is then rebuilt by itself.
pub const SCHEMA_VERSION: u32 = 3;
/// tantivy's smallest writer budget; a writer lives only for one update.
const WRITER_MEMORY: usize = 15_000_000;
/// Longest query taken, in characters.
pub const MAX_QUERY: usize = 200;
/// Words of a query looked up; a longer query is cut.
const MAX_QUERY_WORDS: usize = 32;
/// Terms of an article's vector kept in the index for the similarity engine.
const VECTOR_TERMS: usize = 100;

pub(super) struct Fields {
    pub id: Field,
    pub published: Field,
    pub tag: Field,
    pub title: Field,
    pub body: Field,
    pub tags: Field,
    pub authors: Field,
    /// The places of the dateline, in every spelling of their umlauts ("duesseldorf",
    /// "dusseldorf").
    pub places: Field,
    /// The terms of the parts of the German compounds in title, lead, body and tags.
    pub parts: Field,
    /// The words of the article as written (lower case, not stemmed), once each: what a
    /// misspelt query is corrected to.
    pub words: Field,
    /// The article's TF-IDF vector, see [`super::related`].
    pub vector: Field,
}

pub struct SearchIndex {
    index: Index,
    pub(super) reader: IndexReader,
    /// One writer at a time in this process. A writer is opened per update, so another
    /// process (`newsdesk reindex` beside a running server) can write in between.
    writing: Mutex<()>,
    pub(super) fields: Fields,
    pub(super) related_cache: Mutex<RelatedCache>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SearchIndex")
    }
}

/// How results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Relevance,
    Newest,
}

/// One page of results.
#[derive(Debug, Clone, Default)]
pub struct Found {
    pub ids: Vec<i64>,
    /// How many results there are in all.
    pub total: usize,
    /// The corrected spelling searched for instead, when the query as written found nothing.
    pub corrected: Option<String>,
}

/// A parsed search: terms every result must have, phrases, and filters.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub text: String,
    pub tag: Option<String>,
    /// Published in `[from, until)`, Unix seconds.
    pub from: Option<i64>,
    pub until: Option<i64>,
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let analysed = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("whitespace")
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        id: builder.add_u64_field("id", INDEXED | STORED | FAST),
        published: builder.add_i64_field("published", INDEXED | STORED | FAST),
        tag: builder.add_text_field("tag", STRING | STORED),
        title: builder.add_text_field("title", analysed.clone()),
        body: builder.add_text_field("body", analysed.clone()),
        tags: builder.add_text_field("tags", analysed.clone()),
        authors: builder.add_text_field("authors", analysed.clone()),
        places: builder.add_text_field("places", analysed.clone()),
        parts: builder.add_text_field("parts", analysed),
        words: builder.add_text_field("words", STRING),
        vector: builder.add_bytes_field("vector", STORED),
    };
    (builder.build(), fields)
}

impl SearchIndex {
    /// The index's folder in `data_dir` (named by schema version: a new schema starts afresh).
    pub fn folder(data_dir: &Path) -> std::path::PathBuf {
        data_dir.join(format!("search-v{SCHEMA_VERSION}"))
    }

    /// Opens the index in `data_dir`, creating it when missing. Returns whether it is new (and
    /// so must be filled from the database).
    pub fn open(data_dir: &Path) -> anyhow::Result<(SearchIndex, bool)> {
        let dir = SearchIndex::folder(data_dir);
        let (schema, fields) = schema();
        let fresh = !dir.join("meta.json").exists();
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create the search index folder {}", dir.display()))?;
        let index = if fresh {
            Index::create_in_dir(&dir, schema)
                .with_context(|| format!("cannot create the search index in {}", dir.display()))?
        } else {
            Index::open_in_dir(&dir).with_context(|| format!("cannot open the search index in {}", dir.display()))?
        };
        // Commits of other processes show up by themselves.
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()
            .context("cannot read the search index")?;
        // Older schema versions are other folders; remove them.
        if let Ok(entries) = std::fs::read_dir(data_dir) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().to_string();
                if name.starts_with("search-v") && name != format!("search-v{SCHEMA_VERSION}") {
                    let _ = std::fs::remove_dir_all(entry.path());
                }
            }
        }
        Ok((SearchIndex { index, reader, writing: Mutex::new(()), fields, related_cache: Default::default() }, fresh))
    }

    /// Document frequencies of `terms` in the indexed articles' lead and body: the corpus for
    /// weighing texts against what the publication has written.
    pub fn corpus_for<'a>(&self, terms: impl IntoIterator<Item = &'a String>) -> Corpus {
        let searcher = self.reader.searcher();
        let mut doc_freq = HashMap::new();
        for term in terms {
            if !doc_freq.contains_key(term) {
                let df = searcher.doc_freq(&Term::from_field_text(self.fields.body, term)).unwrap_or(0);
                doc_freq.insert(term.clone(), u32::try_from(df).unwrap_or(u32::MAX));
            }
        }
        Corpus::from_counts(u32::try_from(searcher.num_docs()).unwrap_or(u32::MAX), doc_freq)
    }

    /// The terms that set the article apart most, with their counts, for the similarity
    /// engine: which ones are kept depends on the corpus of the day, their weights do not.
    /// `parts` are the terms of the article's compounds' parts ([`compound_terms`]).
    fn kept_terms(&self, article: &Article, parts: &[String], corpus: Option<&Corpus>) -> Vec<(String, u32)> {
        let mut compared = terms(&article_text(article), article.language);
        compared.extend_from_slice(parts);
        let vector = match corpus {
            Some(corpus) => Vector::from_terms(&compared, corpus),
            None => Vector::from_terms(&compared, &self.corpus_for(&compared)),
        };
        let counts = count_terms(&compared);
        vector
            .heaviest(VECTOR_TERMS)
            .into_iter()
            .map(|(t, _)| (t.to_string(), counts.get(t).copied().unwrap_or(1)))
            .collect()
    }

    /// What the similarity engine compares of an article, computed from the article itself (so
    /// it works before the article reaches the index).
    pub fn profile_of(&self, article: &Article) -> Profile {
        Profile {
            id: article.id,
            published_at: article.published_at.unwrap_or(0),
            tags: article.tags.iter().map(|t| t.slug.clone()).collect(),
            counts: self.kept_terms(article, &compound_terms(&searched_text(article), article.language), None),
        }
    }

    fn document(&self, article: &Article, corpus: Option<&Corpus>) -> TantivyDocument {
        let f = &self.fields;
        let language = article.language;
        let body = format!("{} {}", article.lead, article.body_format.text(&article.body_md));
        let tags = article.tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(" ");
        let places = article.places.join(" ");
        let parts = compound_terms(&searched_text(article), language);
        let kept = self.kept_terms(article, &parts, corpus);
        let kept: Vec<(&str, u32)> = kept.iter().map(|(t, n)| (t.as_str(), *n)).collect();
        let mut document = doc!(
            f.id => article.id as u64,
            f.published => article.published_at.unwrap_or(0),
            f.title => terms(&article.title, language).join(" "),
            f.body => terms(&body, language).join(" "),
            f.tags => terms(&tags, language).join(" "),
            f.authors => terms(&article.authors.iter().map(|a| a.name.as_str()).collect::<Vec<_>>().join(" "), language).join(" "),
            f.places => place_terms(&places).join(" "),
            f.parts => parts.join(" "),
        );
        for tag in &article.tags {
            document.add_text(f.tag, &tag.slug);
        }
        let mut written: Vec<String> =
            words(&format!("{} {body} {tags} {places}", article.title)).filter(|w| w.chars().count() >= 3).collect();
        written.sort_unstable();
        written.dedup();
        for word in written {
            document.add_text(f.words, &word);
        }
        document.add_bytes(f.vector, &encode_counts(&kept));
        document
    }

    /// Puts articles in the index (replacing earlier versions) or takes them out when they are
    /// no longer live, and makes the change visible to searches.
    pub fn update(&self, live: &[&Article], removed: &[i64]) -> anyhow::Result<()> {
        let _writing = self.writing.lock();
        let mut writer = self.writer()?;
        for id in removed {
            writer.delete_term(Term::from_field_u64(self.fields.id, *id as u64));
        }
        for article in live {
            writer.delete_term(Term::from_field_u64(self.fields.id, article.id as u64));
            writer.add_document(self.document(article, None))?;
        }
        writer.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Replaces the whole index with `articles`, reporting progress after each.
    pub fn rebuild(&self, articles: &[Article], mut progress: impl FnMut(usize)) -> anyhow::Result<()> {
        let mut rebuild = self.start_rebuild()?;
        rebuild.count(articles);
        for (i, article) in articles.iter().enumerate() {
            rebuild.add(std::slice::from_ref(article))?;
            progress(i + 1);
        }
        rebuild.finish()
    }

    /// Replaces the whole index with the live articles of the database, read in batches, twice
    /// (once to weigh the terms, once to index): memory stays that of a batch whatever the size
    /// of the archive. `progress` gets the articles indexed and their number. Returns how many.
    pub async fn rebuild_from(
        &self,
        db: &crate::db::Db,
        now: i64,
        progress: impl FnMut(u64, u64),
    ) -> anyhow::Result<u64> {
        self.rebuild_in_batches(db, now, REBUILD_BATCH, progress).await
    }

    /// [`SearchIndex::rebuild_from`] with batches of `batch` articles.
    pub async fn rebuild_in_batches(
        &self,
        db: &crate::db::Db,
        now: i64,
        batch: u32,
        mut progress: impl FnMut(u64, u64),
    ) -> anyhow::Result<u64> {
        use crate::articles::queries;
        let (_, total) = queries::list_live(db, queries::Listing::All, 1, 1, now).await?;
        let total = u64::try_from(total).unwrap_or(0);
        let mut rebuild = self.start_rebuild()?;
        for indexing in [false, true] {
            let mut after = 0;
            let mut done = 0;
            loop {
                let articles = queries::live_after(db, after, batch, now).await?;
                let Some(last) = articles.last() else { break };
                after = last.id;
                if indexing {
                    rebuild.add(&articles)?;
                    done += articles.len() as u64;
                    progress(done, total);
                } else {
                    rebuild.count(&articles);
                }
            }
        }
        let indexed = rebuild.documents;
        rebuild.finish()?;
        Ok(indexed)
    }

    /// Starts building the index again: [`Rebuild::count`] every article, then
    /// [`Rebuild::add`] every article, then [`Rebuild::finish`]. Readers see the old index
    /// until then.
    pub fn start_rebuild(&self) -> anyhow::Result<Rebuild<'_>> {
        let writer = self.writer()?;
        writer.delete_all_documents()?;
        Ok(Rebuild { index: self, writer, doc_freq: HashMap::new(), counted: 0, corpus: None, documents: 0 })
    }

    /// A writer for one update. The lock of the previous one can outlive it for a moment (its
    /// segment merges finish in the background), and another process may be writing: a busy
    /// lock is waited for, up to five seconds.
    fn writer(&self) -> anyhow::Result<IndexWriter> {
        let mut waited = 0;
        loop {
            match self.index.writer_with_num_threads(1, WRITER_MEMORY) {
                Err(tantivy::TantivyError::LockFailure(_, _)) if waited < 250 => {
                    waited += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                result => {
                    return result.context("cannot open the search index for writing (is another process writing it?)");
                }
            }
        }
    }

    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Builds the tantivy query. Quoted parts are phrases; every other word must occur in some
    /// field (title weighs most) in one of its readings (see [`query_terms`]), or, for a
    /// compound, all its parts must. Words that analyse to nothing (stop words) are dropped.
    fn build_query(&self, query: &SearchQuery) -> Option<Box<dyn Query>> {
        let f = &self.fields;
        let text: String = query.text.chars().take(MAX_QUERY).collect();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        // Split into quoted phrases and loose words; an unclosed quote is just a quote.
        let parts: Vec<&str> = text.split('"').collect();
        let closed = parts.len() % 2 == 1;
        for (i, part) in parts.iter().enumerate() {
            let is_phrase = i % 2 == 1 && (closed || i + 1 < parts.len());
            if is_phrase && terms(part, LANGUAGES[0]).len() > 1 {
                let mut readings: Vec<Box<dyn Query>> = Vec::new();
                for language in LANGUAGES {
                    let phrase_terms = terms(part, language);
                    for field in [f.title, f.body] {
                        let phrase = phrase_terms.iter().map(|t| Term::from_field_text(field, t)).collect();
                        readings.push(Box::new(PhraseQuery::new(phrase)));
                    }
                }
                clauses.push((Occur::Must, Box::new(BooleanQuery::union(readings))));
                continue;
            }
            for word in words(part).take(MAX_QUERY_WORDS) {
                if let Some(matches) = self.word_query(&word) {
                    clauses.push((Occur::Must, matches));
                }
            }
        }
        if clauses.is_empty() {
            return None;
        }
        if let Some(tag) = &query.tag {
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(Term::from_field_text(f.tag, tag), IndexRecordOption::Basic)),
            ));
        }
        if query.from.is_some() || query.until.is_some() {
            let lower =
                query.from.map(|t| Bound::Included(Term::from_field_i64(f.published, t))).unwrap_or(Bound::Unbounded);
            let upper =
                query.until.map(|t| Bound::Excluded(Term::from_field_i64(f.published, t))).unwrap_or(Bound::Unbounded);
            clauses.push((Occur::Must, Box::new(RangeQuery::new(lower, upper))));
        }
        Some(Box::new(BooleanQuery::new(clauses)))
    }

    /// What one query word matches: any of its readings in any field, or, when it is a German
    /// compound, both its halves (weighing less).
    fn word_query(&self, word: &str) -> Option<Box<dyn Query>> {
        let f = &self.fields;
        let readings = query_terms(word);
        if readings.is_empty() {
            return None;
        }
        let field_query = |field: Field, term: &str, boost: f32| -> Box<dyn Query> {
            let q = TermQuery::new(Term::from_field_text(field, term), IndexRecordOption::WithFreqs);
            Box::new(BoostQuery::new(Box::new(q), boost))
        };
        let fields = [(f.title, 3.0), (f.tags, 2.0), (f.places, 2.0), (f.body, 1.0), (f.authors, 1.0), (f.parts, 0.5)];
        let mut alternatives: Vec<Box<dyn Query>> = Vec::new();
        for term in &readings {
            for (field, boost) in fields {
                alternatives.push(field_query(field, term, boost));
            }
        }
        if let Some((modifier, head)) = compound_halves(&word.to_lowercase()) {
            let mut both: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for half in [modifier, head] {
                let mut any: Vec<Box<dyn Query>> = Vec::new();
                for term in query_terms(&half) {
                    for field in [f.title, f.tags, f.body, f.parts] {
                        any.push(field_query(field, &term, 0.5));
                    }
                }
                if any.is_empty() {
                    break;
                }
                both.push((Occur::Must, Box::new(BooleanQuery::union(any))));
            }
            if both.len() == 2 {
                alternatives.push(Box::new(BooleanQuery::new(both)));
            }
        }
        Some(Box::new(BooleanQuery::union(alternatives)))
    }

    /// A spelling of `text` with each word that no article uses replaced by the most used word
    /// one letter away (words of five letters or more; "Tenisturnier" → "Tennisturnier"), for
    /// a query that found nothing; `None` when there is nothing to correct.
    pub fn suggest(&self, text: &str) -> Option<String> {
        let searcher = self.reader.searcher();
        let used = |word: &str| searcher.doc_freq(&Term::from_field_text(self.fields.words, word)).unwrap_or(0);
        let text: String = text.chars().take(MAX_QUERY).collect();
        let mut changed = false;
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (start, end) in word_spans(&text).into_iter().take(MAX_QUERY_WORDS) {
            out.push_str(&text[at..start]);
            at = end;
            let written = &text[start..end];
            let word = written.to_lowercase();
            if word.chars().count() < 5 || is_stop_word(&word) || used(&word) > 0 {
                out.push_str(written);
                continue;
            }
            let best = one_edit(&word)
                .into_iter()
                .map(|candidate| (used(&candidate), candidate))
                .filter(|(n, _)| *n > 0)
                .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
            match best {
                Some((_, correction)) => {
                    changed = true;
                    out.push_str(&like_case(&correction, written));
                }
                None => out.push_str(written),
            }
        }
        out.push_str(&text[at..]);
        changed.then_some(out)
    }

    /// As [`SearchIndex::search`]; a query that finds nothing is corrected by
    /// [`SearchIndex::suggest`] and the correction's results are returned with it.
    pub fn search_or_correct(
        &self,
        query: &SearchQuery,
        sort: Sort,
        limit: usize,
        offset: usize,
    ) -> anyhow::Result<Found> {
        let (ids, total) = self.search(query, sort, limit, offset)?;
        if total == 0
            && let Some(suggestion) = self.suggest(&query.text)
        {
            let corrected = SearchQuery { text: suggestion, ..query.clone() };
            let (ids, total) = self.search(&corrected, sort, limit, offset)?;
            if total > 0 {
                return Ok(Found { ids, total, corrected: Some(corrected.text) });
            }
        }
        Ok(Found { ids, total, corrected: None })
    }

    /// The ids of one page of results and the number of all results.
    pub fn search(
        &self,
        query: &SearchQuery,
        sort: Sort,
        limit: usize,
        offset: usize,
    ) -> anyhow::Result<(Vec<i64>, usize)> {
        let Some(built) = self.build_query(query) else { return Ok((Vec::new(), 0)) };
        let searcher = self.reader.searcher();
        // The page and the number of all matches in one pass over the matches.
        let (addresses, total): (Vec<DocAddress>, usize) = match sort {
            Sort::Relevance => {
                let page = TopDocs::with_limit(limit).and_offset(offset).order_by_score();
                let (top, total) = searcher.search(&built, &(page, Count))?;
                (top.into_iter().map(|(_, address)| address).collect(), total)
            }
            Sort::Newest => {
                let page =
                    TopDocs::with_limit(limit).and_offset(offset).order_by_fast_field::<i64>("published", Order::Desc);
                let (top, total) = searcher.search(&built, &(page, Count))?;
                (top.into_iter().map(|(_, address)| address).collect(), total)
            }
        };
        let mut ids = Vec::with_capacity(addresses.len());
        for address in addresses {
            let document: TantivyDocument = searcher.doc(address)?;
            if let Some(id) = document.get_first(self.fields.id).and_then(|v| v.as_u64()) {
                ids.push(id as i64);
            }
        }
        Ok((ids, total))
    }
}

/// Articles read at a time when the index is built again from the database.
const REBUILD_BATCH: u32 = 500;

/// The index being built again (`SearchIndex::start_rebuild`).
pub struct Rebuild<'a> {
    index: &'a SearchIndex,
    writer: IndexWriter,
    /// How many of the counted articles have each term: every vector is weighed against the
    /// articles being indexed, not the index being replaced.
    doc_freq: HashMap<String, u32>,
    counted: u32,
    corpus: Option<Corpus>,
    documents: u64,
}

impl Rebuild<'_> {
    /// Counts the terms of articles to be indexed (all of them, before the first `add`).
    pub fn count(&mut self, articles: &[Article]) {
        for article in articles {
            let mut seen =
                terms(&format!("{} {}", article.lead, article.body_format.text(&article.body_md)), article.language);
            seen.sort_unstable();
            seen.dedup();
            for term in seen {
                *self.doc_freq.entry(term).or_default() += 1;
            }
            self.counted = self.counted.saturating_add(1);
        }
    }

    /// Indexes articles, weighed against those counted.
    pub fn add(&mut self, articles: &[Article]) -> anyhow::Result<()> {
        let corpus =
            self.corpus.get_or_insert_with(|| Corpus::from_counts(self.counted, std::mem::take(&mut self.doc_freq)));
        for article in articles {
            self.writer.add_document(self.index.document(article, Some(corpus)))?;
            self.documents += 1;
        }
        Ok(())
    }

    /// Makes the new index the one readers see.
    pub fn finish(mut self) -> anyhow::Result<()> {
        let _writing = self.index.writing.lock();
        self.writer.commit()?;
        self.index.reader.reload()?;
        Ok(())
    }
}

/// Title, lead, body and tags: the text whose compounds are split (each part counts once, so
/// this serves the similarity engine too, which reads the title twice).
fn searched_text(article: &Article) -> String {
    let tags: Vec<&str> = article.tags.iter().map(|t| t.name.as_str()).collect();
    format!("{} {} {} {}", article.title, article.lead, article.body_format.text(&article.body_md), tags.join(" "))
}

/// `word` with the first letter in upper case when `like`'s is.
fn like_case(word: &str, like: &str) -> String {
    let mut chars = word.chars();
    match (chars.next(), like.chars().next().is_some_and(char::is_uppercase)) {
        (Some(first), true) => first.to_uppercase().chain(chars).collect(),
        _ => word.to_string(),
    }
}
