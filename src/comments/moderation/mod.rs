//! The automatic assessment of a comment: how off-topic, demeaning and spammy it is, each a
//! score from 0 to 1 with the reasons that produced it. It runs locally on every submission;
//! moderators see the reasons, and the queue sorts by the highest score.

pub mod evaluation;
pub mod lexicon;

use serde::Serialize;

use self::lexicon::{Kind, Lexicon, canonical, tokens};
use crate::config::{CommentsConfig, Language};
use crate::search::similarity::{Corpus, Vector};
use crate::search::text::{guess_language, terms};

/// Built-in word lists; `comments.word_lists_dir` may extend them.
const DEMEANING_DE: &str = include_str!("../../../moderation/demeaning.de.txt");
const DEMEANING_EN: &str = include_str!("../../../moderation/demeaning.en.txt");
const SPAM: &str = include_str!("../../../moderation/spam.txt");

/// Below this cosine similarity with its article a comment counts as unrelated.
const ON_TOPIC_SIMILARITY: f64 = 0.12;
/// Comments with fewer distinctive words than this are too short to call off-topic with
/// confidence; their score is scaled down.
const CONFIDENT_TERMS: f64 = 4.0;
/// A submission faster than this after the page was rendered looks automated.
pub const MIN_SECONDS_TO_WRITE: i64 = 3;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Score {
    pub score: f64,
    pub reasons: Vec<String>,
}

impl Score {
    fn from_signals(signals: Vec<(f64, String)>) -> Score {
        // Independent signals combine like probabilities: two weak ones make a stronger one.
        let score = 1.0 - signals.iter().fold(1.0, |rest, (w, _)| rest * (1.0 - w.clamp(0.0, 1.0)));
        Score { score: (score * 1000.0).round() / 1000.0, reasons: signals.into_iter().map(|(_, r)| r).collect() }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Assessment {
    pub off_topic: Score,
    pub demeaning: Score,
    pub spam: Score,
    /// The flags whose score reached its threshold: "off_topic", "demeaning", "spam".
    pub flags: Vec<&'static str>,
    /// The highest score; the queue sorts by it.
    pub risk: f64,
}

/// What the assessment knows about a comment beyond its text.
#[derive(Debug, Clone, Default)]
pub struct Signals {
    /// The same text was posted before (on any article).
    pub repeat: bool,
    /// Seconds between rendering the form and submitting it.
    pub seconds_to_write: Option<i64>,
    /// The honeypot field was filled in (the handler refuses these; the CLI can still ask).
    pub honeypot: bool,
}

/// The article a comment is assessed against, analysed once for any number of comments.
pub struct ArticleContext<'a> {
    pub vector: Vector,
    pub language: Language,
    pub corpus: &'a Corpus,
}

impl<'a> ArticleContext<'a> {
    pub fn new(text: &str, language: Language, corpus: &'a Corpus) -> ArticleContext<'a> {
        ArticleContext { vector: Vector::from_text(text, language, corpus), language, corpus }
    }
}

/// The terms whose document frequencies assessing `body` against an article's text needs.
pub fn terms_to_weigh(article_text: &str, body: &str, language: Language) -> Vec<String> {
    let mut wanted = terms(article_text, language);
    wanted.extend(terms(&strip_links(body), language));
    wanted
}

pub struct Assessor {
    lexicon: Lexicon,
    thresholds: (f64, f64, f64),
}

impl std::fmt::Debug for Assessor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Assessor").field("attacks", &self.lexicon.attacks.len()).finish_non_exhaustive()
    }
}

impl Assessor {
    /// The built-in lists plus those in `comments.word_lists_dir`.
    pub fn new(config: &CommentsConfig) -> anyhow::Result<Assessor> {
        let mut lexicon = Lexicon::default();
        lexicon.add_demeaning(DEMEANING_DE, true);
        lexicon.add_demeaning(DEMEANING_EN, false);
        lexicon.add_spam(SPAM);
        if !config.word_lists_dir.is_empty() {
            let dir = std::path::Path::new(&config.word_lists_dir);
            for file in ["demeaning.de.txt", "demeaning.en.txt", "spam.txt"] {
                let path = dir.join(file);
                if !path.exists() {
                    continue;
                }
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| anyhow::anyhow!("cannot read word list {}: {e}", path.display()))?;
                match file {
                    "spam.txt" => lexicon.add_spam(&text),
                    _ => lexicon.add_demeaning(&text, file.contains(".de.")),
                }
            }
        }
        Ok(Assessor {
            lexicon,
            thresholds: (config.off_topic_threshold, config.demeaning_threshold, config.spam_threshold),
        })
    }

    pub fn assess(&self, body: &str, article: &ArticleContext<'_>, signals: &Signals) -> Assessment {
        let off_topic = self.off_topic(body, article);
        let demeaning = self.demeaning(body);
        let spam = self.spam(body, signals);
        let mut flags = Vec::new();
        if off_topic.score >= self.thresholds.0 {
            flags.push("off_topic");
        }
        if demeaning.score >= self.thresholds.1 {
            flags.push("demeaning");
        }
        if spam.score >= self.thresholds.2 {
            flags.push("spam");
        }
        let risk = off_topic.score.max(demeaning.score).max(spam.score);
        Assessment { off_topic, demeaning, spam, flags, risk }
    }

    fn off_topic(&self, body: &str, article: &ArticleContext<'_>) -> Score {
        // Word overlap says nothing across languages: an English comment on a German article
        // is left to the moderator.
        if let Some(language) = guess_language(body)
            && language != article.language
        {
            let reason =
                format!("written in {}, the article in {}: not compared", language.code(), article.language.code());
            return Score { score: 0.0, reasons: vec![reason] };
        }
        let comment_terms = terms(&strip_links(body), article.language);
        if comment_terms.is_empty() {
            return Score { score: 0.0, reasons: vec!["too short to judge".into()] };
        }
        let comment = Vector::from_terms(&comment_terms, article.corpus);
        let text = &article.vector;
        let similarity = comment.cosine(text);
        let unrelated = (1.0 - similarity / ON_TOPIC_SIMILARITY).clamp(0.0, 1.0);
        let mut distinct = comment_terms.clone();
        distinct.sort();
        distinct.dedup();
        let confidence = (distinct.len() as f64 / CONFIDENT_TERMS).min(1.0);
        let shared = comment.shared_terms(text, 5);
        let reason = if shared.is_empty() {
            format!("shares none of its {} distinctive words with the article", distinct.len())
        } else {
            format!("similarity {similarity:.2} with the article; shared: {}", shared.join(", "))
        };
        Score { score: ((unrelated * confidence) * 1000.0).round() / 1000.0, reasons: vec![reason] }
    }

    fn demeaning(&self, body: &str) -> Score {
        let raw = tokens(body);
        let words: Vec<String> = raw.iter().map(|(w, _)| canonical(w)).collect();
        let quoted = quoted_ranges(body);
        let mut signals: Vec<(f64, String)> = Vec::new();
        let mut attacked = vec![false; words.len()];
        for attack in &self.lexicon.attacks {
            for at in 0..words.len() {
                if self.lexicon.phrase_at(&words, at, &attack.words) {
                    let span = raw[at].1.start;
                    let weight = if in_ranges(&quoted, span) { 0.2 } else { 0.85 };
                    let end = raw[at + attack.words.len() - 1].1.end;
                    signals.push((weight, format!("attack on a person: \"{}\" ({})", &body[span..end], attack.text)));
                    attacked[at..at + attack.words.len()].iter_mut().for_each(|a| *a = true);
                }
            }
        }
        for (i, word) in words.iter().enumerate() {
            if attacked[i] {
                continue;
            }
            if let Some((stem, kind)) = self.lexicon.demeaning(word) {
                let label = match kind {
                    Kind::Slur => "slur",
                    Kind::Dehumanising => "dehumanising word",
                    Kind::Insult => "insult",
                };
                if in_ranges(&quoted, raw[i].1.start) {
                    // Quoting an insult to condemn it is not insulting anyone.
                    signals.push((0.15, format!("{label} in quotation marks: \"{}\"", raw[i].0)));
                } else if i > 0 && matches!(words[i - 1].as_str(), "ich" | "i") {
                    signals.push((0.15, format!("{label} aimed at the writer: \"{} {}\"", raw[i - 1].0, raw[i].0)));
                } else {
                    signals.push((kind.weight(), format!("{label}: \"{}\" ({stem})", raw[i].0)));
                }
            }
        }
        let letters: Vec<char> = body.chars().filter(|c| c.is_alphabetic()).collect();
        let upper = letters.iter().filter(|c| c.is_uppercase()).count();
        if letters.len() >= 20 && upper * 10 >= letters.len() * 7 {
            signals.push((0.15, "shouting (mostly capital letters)".into()));
        }
        Score::from_signals(signals)
    }

    fn spam(&self, body: &str, signals: &Signals) -> Score {
        let mut found: Vec<(f64, String)> = Vec::new();
        let links = count_links(body);
        if links > 0 {
            let weight = match links {
                1 => 0.2,
                2 => 0.45,
                _ => 0.8,
            };
            found.push((weight, format!("{links} link(s)")));
        }
        let words: Vec<String> = tokens(body).into_iter().map(|(w, _)| canonical(&w)).collect();
        for phrase in &self.lexicon.spam {
            if (0..words.len()).any(|at| words[at..].starts_with(phrase)) {
                found.push((0.45, format!("spam phrase: \"{}\"", phrase.join(" "))));
            }
        }
        if signals.repeat {
            found.push((0.7, "repeats an earlier comment".into()));
        }
        if repeats_itself(&words) {
            found.push((0.5, "repeats itself".into()));
        }
        let lower = body.to_lowercase();
        if links > 0 && ["jetzt", "hier", "now", "here", "click", "klick"].iter().any(|w| words.iter().any(|t| t == w))
        {
            found.push((0.3, "a call to action with a link".into()));
        }
        if percent_offer(&lower) {
            found.push((0.35, "a discount or guarantee in percent".into()));
        }
        if mentions_price(&lower) && links > 0 {
            found.push((0.3, "a price with a link".into()));
        }
        if ["telegram", "whatsapp", "signal"].iter().any(|m| words.iter().any(|t| t == m)) && body.contains('@') {
            found.push((0.45, "asks to be contacted elsewhere".into()));
        }
        if body.matches('!').count() >= 3 {
            found.push((0.2, "many exclamation marks".into()));
        }
        if signals.honeypot {
            found.push((1.0, "hidden honeypot field filled in".into()));
        }
        if let Some(seconds) = signals.seconds_to_write
            && seconds < MIN_SECONDS_TO_WRITE
        {
            found.push((0.6, format!("sent {seconds} s after the page was shown")));
        }
        Score::from_signals(found)
    }
}

/// Whether a run of three or more words occurs twice ("gratis gratis gratis! ... gratis").
fn repeats_itself(words: &[String]) -> bool {
    let mut seen = std::collections::HashSet::new();
    words.windows(3).any(|w| !seen.insert(w))
}

/// "70% sparen", "save 60 percent", "100% garantiert" and the like.
fn percent_offer(lower: &str) -> bool {
    let offers =
        ["sparen", "rabatt", "reduziert", "save", "off", "discount", "garantiert", "guaranteed", "gewinn", "profit"];
    let tokens: Vec<&str> =
        lower.split(|c: char| c.is_whitespace() || ",.;:!?()".contains(c)).filter(|t| !t.is_empty()).collect();
    tokens.iter().enumerate().any(|(i, t)| {
        let percent = t.ends_with('%') || tokens.get(i + 1).is_some_and(|n| matches!(*n, "%" | "percent" | "prozent"));
        percent
            && tokens[i + 1..tokens.len().min(i + 4)]
                .iter()
                .chain(tokens[i.saturating_sub(3)..i].iter())
                .any(|n| offers.iter().any(|o| n.starts_with(o)))
    })
}

/// Top-level domains that mark a bare word as a web address ("shop.example", "deals.com").
const DOMAINS: &[&str] = &[
    "com", "net", "org", "info", "biz", "io", "co", "de", "at", "ch", "eu", "uk", "us", "ru", "cn", "shop", "store",
    "online", "site", "xyz", "top", "club", "app", "me", "tv", "test", "example",
];

/// Links in a text: `http://`, `https://` and `www.` addresses, and bare domain names.
pub fn count_links(text: &str) -> usize {
    let lower = text.to_lowercase();
    let schemes = lower.matches("http://").count() + lower.matches("https://").count() + lower.matches("www.").count()
        - lower.matches("://www.").count();
    let bare = lower
        .split_whitespace()
        .filter(|w| !w.contains("://") && !w.starts_with("www.") && !w.contains('@'))
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| {
            let host = w.split('/').next().unwrap_or_default();
            host.rsplit_once('.').is_some_and(|(name, tld)| {
                !name.is_empty()
                    && name.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '.')
                    && DOMAINS.contains(&tld)
            })
        })
        .count();
    schemes + bare
}

/// A price: a number next to a currency ("$9", "199 Euro", "9,99 €").
fn mentions_price(lower: &str) -> bool {
    let tokens: Vec<&str> = lower.split_whitespace().collect();
    let currency = |t: &str| {
        ["€", "$", "eur", "euro", "usd", "dollar", "£"]
            .iter()
            .any(|c| t.trim_matches(|c: char| ",.;:!?".contains(c)) == *c)
    };
    let number = |t: &str| t.trim_matches(|c: char| ",.;:!?".contains(c)).chars().any(|c| c.is_ascii_digit());
    tokens.iter().enumerate().any(|(i, t)| {
        (t.starts_with('$') || t.starts_with('€') || t.ends_with('€')) && number(t)
            || currency(t) && (i > 0 && number(tokens[i - 1]))
    })
}

fn strip_links(text: &str) -> String {
    text.split_whitespace().filter(|w| !(w.contains("://") || w.starts_with("www."))).collect::<Vec<_>>().join(" ")
}

/// Byte ranges inside quotation marks („…“, “…”, "…", »…«).
fn quoted_ranges(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    let mut open: Option<(usize, char)> = None;
    for (i, c) in text.char_indices() {
        match open {
            None => {
                let after_space = text[..i].chars().next_back().is_none_or(|p| p.is_whitespace() || p == '(');
                let close = match c {
                    '„' => Some('“'),
                    '“' => Some('”'),
                    '"' => Some('"'),
                    '»' => Some('«'),
                    '«' => Some('»'),
                    '‚' => Some('‘'),
                    '‘' => Some('’'),
                    // An apostrophe opens a quotation only at the start of a word ("it's" does not).
                    '\'' if after_space => Some('\''),
                    _ => None,
                };
                if let Some(close) = close {
                    open = Some((i + c.len_utf8(), close));
                }
            }
            Some((start, close)) => {
                if c == close || (close == '“' && c == '”') {
                    ranges.push(start..i);
                    open = None;
                }
            }
        }
    }
    ranges
}

fn in_ranges(ranges: &[std::ops::Range<usize>], at: usize) -> bool {
    ranges.iter().any(|r| r.contains(&at))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assessor() -> Assessor {
        Assessor::new(&CommentsConfig::default()).unwrap()
    }

    fn context(corpus: &Corpus) -> ArticleContext<'_> {
        ArticleContext::new(
            "Pflegeroboter im Praxistest: Ein Heim setzt Roboter beim Heben von Bewohnern ein. Pflegekräfte berichten.",
            Language::De,
            corpus,
        )
    }

    #[test]
    fn an_on_topic_polite_comment_raises_nothing() {
        let corpus = Corpus::default();
        let a = assessor().assess(
            "Spannend, ob die Roboter im Heim den Pflegekräften beim Heben wirklich helfen.",
            &context(&corpus),
            &Signals::default(),
        );
        assert!(a.flags.is_empty(), "{a:?}");
    }

    #[test]
    fn insults_and_attacks_are_found_with_reasons() {
        let corpus = Corpus::default();
        let a = assessor().assess(
            "Du bist ein Vollidiot, der Autor hat keine Ahnung.",
            &context(&corpus),
            &Signals::default(),
        );
        assert!(a.flags.contains(&"demeaning"), "{a:?}");
        assert!(a.demeaning.reasons.iter().any(|r| r.contains("attack") || r.contains("insult")), "{a:?}");
    }

    #[test]
    fn quoting_an_insult_to_condemn_it_is_not_demeaning() {
        let corpus = Corpus::default();
        let a = assessor().assess(
            "Wer Pflegekräfte als „Idioten“ bezeichnet, hat den Praxistest im Heim nicht verstanden.",
            &context(&corpus),
            &Signals::default(),
        );
        assert!(!a.flags.contains(&"demeaning"), "{a:?}");
    }

    #[test]
    fn links_phrases_and_repeats_make_spam() {
        let corpus = Corpus::default();
        let signals = Signals { repeat: true, ..Default::default() };
        let a = assessor().assess(
            "Jetzt kaufen! https://shop.example/a https://shop.example/b",
            &context(&corpus),
            &signals,
        );
        assert!(a.flags.contains(&"spam"), "{a:?}");
        assert!(a.spam.reasons.len() >= 2);
    }

    #[test]
    fn unrelated_comment_is_off_topic_and_short_thanks_is_not() {
        let corpus = Corpus::default();
        let a = assessor().assess(
            "Der FC Bayern hat am Samstag wieder ein Tor in der Nachspielzeit kassiert, Trainerwechsel jetzt!",
            &context(&corpus),
            &Signals::default(),
        );
        assert!(a.flags.contains(&"off_topic"), "{a:?}");
        let thanks = assessor().assess("Danke!", &context(&corpus), &Signals::default());
        assert!(thanks.flags.is_empty(), "{thanks:?}");
    }

    #[test]
    fn counts_links() {
        assert_eq!(count_links("see https://a.example and www.b.example and https://www.c.example"), 3);
        assert_eq!(count_links("Infos: krypto-boost.test oder deals.com/x, aber nicht z.B. oder 3.5"), 2);
    }
}

#[cfg(test)]
mod evaluation_tests {
    use super::*;

    /// The assessment against the labelled evaluation set; fails when a flag gets worse than
    /// the figures recorded in BENCHMARKS.md (minus a small margin).
    #[test]
    fn evaluation_set_precision_and_recall_hold() {
        let report = evaluation::evaluate(&Assessor::new(&CommentsConfig::default()).unwrap()).unwrap();
        println!("{report}");
        for (flag, id, what) in &report.mistakes {
            println!("{flag}: comment {id} {what}");
        }
        assert!(report.comments >= 150);
        let holdout =
            evaluation::evaluate_set(&Assessor::new(&CommentsConfig::default()).unwrap(), evaluation::HOLDOUT_SET)
                .unwrap();
        println!("held out:\n{holdout}");
        for (flag, id, what) in &holdout.mistakes {
            println!("held out {flag}: comment {id} {what}");
        }
        // The word lists were not tuned on the held-out set (two general spam rules were added
        // after its first run, see BENCHMARKS.md); its bars are lower.
        for r in &holdout.flags {
            let (min_precision, min_recall) = match r.flag {
                "demeaning" => (0.95, 0.70),
                "spam" => (0.95, 0.65),
                _ => (0.50, 0.90),
            };
            assert!(r.precision() >= min_precision, "held out {} precision {:.2}", r.flag, r.precision());
            assert!(r.recall() >= min_recall, "held out {} recall {:.2}", r.flag, r.recall());
        }
        for r in &report.flags {
            let (min_precision, min_recall) = match r.flag {
                "off_topic" => (0.55, 0.40),
                evaluation::SAME_LANGUAGE => (0.55, 0.70),
                "demeaning" => (0.95, 0.95),
                _ => (0.95, 0.95),
            };
            assert!(r.precision() >= min_precision, "{} precision {:.2}", r.flag, r.precision());
            assert!(r.recall() >= min_recall, "{} recall {:.2}", r.flag, r.recall());
        }
    }
}
