//! Generated articles for the benchmarks: realistic lengths (a 15-word title, a 35-word lead, a
//! body of 250 to 700 words) from a vocabulary of about 6,000 German words drawn from the demo
//! articles and made-up compounds, in 40 topics with their own frequent words. Deterministic, so
//! runs are comparable.

#![allow(dead_code)]

use newsdesk::articles::model::{Article, Label, Status};
use newsdesk::config::Language;

/// A small, fast, deterministic generator (xorshift), so runs are comparable.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

pub fn vocabulary() -> Vec<String> {
    let mut words: Vec<String> = newsdesk::embedded::DEMO
        .iter()
        .filter(|(p, _)| p.starts_with("articles/"))
        .flat_map(|(_, bytes)| {
            std::str::from_utf8(bytes)
                .unwrap()
                .split(|c: char| !c.is_alphabetic())
                .filter(|w| w.len() > 3)
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    words.sort();
    words.dedup();
    let stems = [
        "Daten", "Netz", "Strom", "Roboter", "Modell", "Markt", "Sensor", "Labor", "Chip", "Satellit", "Energie",
        "Pflege",
    ];
    let tails = [
        "zentrum",
        "politik",
        "forschung",
        "betreiber",
        "gesetz",
        "technik",
        "sicherheit",
        "plattform",
        "system",
        "netzwerk",
    ];
    for stem in stems {
        for tail in tails {
            words.push(format!("{stem}{tail}"));
        }
    }
    let mut rng = Rng(7);
    while words.len() < 6_000 {
        let a = words[rng.below(words.len())].clone();
        let b = words[rng.below(words.len())].to_lowercase();
        words.push(format!("{a}{b}"));
    }
    words
}

pub fn sentence(rng: &mut Rng, words: &[String], topic: &[String], n: usize) -> String {
    (0..n)
        .map(|_| {
            if rng.below(4) == 0 {
                topic[rng.below(topic.len())].clone()
            } else {
                words[rng.below(words.len())].clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Articles in topics, the `i`-th of topic `i % 40`, tagged with its topic.
pub struct Corpus {
    pub words: Vec<String>,
    pub topics: Vec<Vec<String>>,
    pub rng: Rng,
}

impl Corpus {
    pub fn new() -> Corpus {
        let words = vocabulary();
        let mut rng = Rng(42);
        let topics = (0..40).map(|_| (0..60).map(|_| words[rng.below(words.len())].clone()).collect()).collect();
        Corpus { words, topics, rng }
    }

    pub fn topic_of(&self, i: usize) -> usize {
        i % self.topics.len()
    }

    /// The `i`-th article (id `i + 1`), published at `published_at`.
    pub fn article(&mut self, i: usize, published_at: i64) -> Article {
        let t = self.topic_of(i);
        let topic = &self.topics[t];
        let body_words = 250 + self.rng.below(450);
        Article {
            id: i as i64 + 1,
            slug: format!("artikel-{i}"),
            title: sentence(&mut self.rng, &self.words, topic, 15),
            places: vec![],
            lead: sentence(&mut self.rng, &self.words, topic, 35),
            body_md: sentence(&mut self.rng, &self.words, topic, body_words),
            body_format: Default::default(),
            body_html: String::new(),
            hero: None,
            language: Language::De,
            status: Status::Published,
            published_at: Some(published_at),
            updated_at: None,
            created_at: published_at,
            modified_at: published_at,
            version: 1,
            tags: vec![Label { slug: format!("thema-{t}"), name: format!("Thema {t}") }],
            authors: vec![],
        }
    }

    /// A query of `n` words of topic `t`.
    pub fn query(&mut self, t: usize, n: usize) -> String {
        let topic = &self.topics[t];
        (0..n).map(|_| topic[self.rng.below(topic.len())].clone()).collect::<Vec<_>>().join(" ")
    }
}
