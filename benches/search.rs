//! Search at scale, for BENCHMARKS.md: `cargo bench --bench search [-- ARTICLES]`.
//!
//! Generates 100,000 articles (default) with realistic lengths (a 15-word title, a 35-word lead,
//! a body of 250 to 700 words) from a vocabulary of about 6,000 German words drawn from the demo
//! articles and made-up compounds, in 40 topics with their own frequent words. Then measures:
//! indexing time and index size, query latency (p50, p99) over 1,000 queries of one to three
//! words, related articles per article, similar earlier articles (as alerts match them), and
//! memory.

use std::time::Instant;

use newsdesk::articles::model::Article;
use newsdesk::search::index::{SearchIndex, SearchQuery, Sort};
use newsdesk::search::related;

#[path = "support/corpus.rs"]
mod corpus;

fn main() -> anyhow::Result<()> {
    let count: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(100_000);
    let mut corpus = corpus::Corpus::new();
    let started = Instant::now();
    let articles: Vec<Article> = (0..count).map(|i| corpus.article(i, 1_700_000_000 + i as i64 * 600)).collect();
    let avg_words = articles.iter().map(|a| a.body_md.split(' ').count()).sum::<usize>() / articles.len();
    println!(
        "generated {count} articles (body {avg_words} words on average) in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let dir = tempfile::tempdir()?;
    let (index, _) = SearchIndex::open(dir.path())?;
    let started = Instant::now();
    index.rebuild(&articles, |_| {})?;
    let indexing = started.elapsed();
    let size: u64 = walk(dir.path());
    drop(articles);
    println!(
        "indexed in {:.1} s ({:.0} articles/s); index size {:.1} MiB",
        indexing.as_secs_f64(),
        count as f64 / indexing.as_secs_f64(),
        size as f64 / 1_048_576.0
    );

    let mut latencies = Vec::new();
    let mut hits = 0usize;
    for q in 0..1_000 {
        let text = corpus.query(corpus.topic_of(q), 1 + q % 3);
        let sort = if q % 5 == 0 { Sort::Newest } else { Sort::Relevance };
        let started = Instant::now();
        let (found, _) = index.search(&SearchQuery { text, ..Default::default() }, sort, 20, 0)?;
        latencies.push(started.elapsed());
        hits += found.len();
    }
    latencies.sort();
    println!(
        "1,000 queries of 1-3 words: p50 {:.2} ms, p99 {:.2} ms ({} results on average)",
        latencies[500].as_secs_f64() * 1000.0,
        latencies[990].as_secs_f64() * 1000.0,
        hits / 1_000
    );

    // Queries with a letter left out of their longest word: they find nothing as written and
    // are corrected (the search page's path for a misspelling).
    let mut latencies = Vec::new();
    let mut corrected = 0;
    for q in 0..200 {
        let text = corpus.query(corpus.topic_of(q), 1 + q % 2);
        let longest = text.split(' ').max_by_key(|w| w.chars().count()).unwrap_or_default().to_string();
        let cut: String = longest.chars().enumerate().filter(|(i, _)| *i != 2).map(|(_, c)| c).collect();
        let text = text.replacen(&longest, &cut, 1);
        let started = Instant::now();
        let found = index.search_or_correct(&SearchQuery { text, ..Default::default() }, Sort::Relevance, 20, 0)?;
        latencies.push(started.elapsed());
        corrected += usize::from(found.corrected.is_some());
    }
    latencies.sort();
    println!(
        "200 misspelt queries: p50 {:.2} ms, p99 {:.2} ms ({corrected} corrected)",
        latencies[100].as_secs_f64() * 1000.0,
        latencies[198].as_secs_f64() * 1000.0,
    );

    // Related articles: each a different article, so no list comes from the cache; then
    // "similar news" to an article among all earlier ones, as the email alerts match them.
    let mut latencies = Vec::new();
    let mut found = 0;
    for i in 0..500 {
        let started = Instant::now();
        found += index.related((i * 397 % count) as i64 + 1, 5)?.len();
        latencies.push(started.elapsed());
    }
    latencies.sort();
    println!(
        "related articles, 500 articles: p50 {:.2} ms, p99 {:.2} ms ({} found on average)",
        latencies[250].as_secs_f64() * 1000.0,
        latencies[495].as_secs_f64() * 1000.0,
        found / 500
    );
    let mut latencies = Vec::new();
    for i in 0..100 {
        let id = (count - i * 7) as i64;
        let started = Instant::now();
        let target = index.profile(id)?.expect("indexed");
        let similar = index.most_similar(
            &target,
            related::Among::PublishedBefore(target.published_at),
            related::MIN_SIMILAR,
            1_000,
        )?;
        std::hint::black_box(similar);
        latencies.push(started.elapsed());
    }
    latencies.sort();
    println!(
        "similar earlier articles (1,000 candidates), 100 articles: p50 {:.2} ms, p99 {:.2} ms",
        latencies[50].as_secs_f64() * 1000.0,
        latencies[99].as_secs_f64() * 1000.0
    );
    println!("resident memory now: {} MiB (articles dropped after indexing)", status_kib("VmRSS:")? / 1024);
    println!("peak resident memory: {} MiB (the generated articles included)", status_kib("VmHWM:")? / 1024);
    Ok(())
}

/// A figure of this process's `/proc/self/status`, in KiB.
fn status_kib(key: &str) -> anyhow::Result<u64> {
    Ok(std::fs::read_to_string("/proc/self/status")?
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0))
}

fn walk(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| if e.path().is_dir() { walk(&e.path()) } else { e.metadata().map(|m| m.len()).unwrap_or(0) })
                .sum()
        })
        .unwrap_or(0)
}
