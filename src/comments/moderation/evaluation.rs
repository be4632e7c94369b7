//! Measures the assessment against the labelled comments in `moderation/eval.jsonl`
//! (written for the demo articles): precision and recall of each flag. A test keeps them from
//! dropping; `cargo bench --bench moderation` prints them for BENCHMARKS.md.

use std::collections::HashMap;

use serde::Deserialize;

use super::{ArticleContext, Assessor, Signals};
use crate::articles::import;
use crate::articles::model::Slug;
use crate::config::Language;
use crate::search::similarity::Corpus;
use crate::search::text::terms;

/// The set the word lists and thresholds were tuned on.
pub const EVAL_SET: &str = include_str!("../../../moderation/eval.jsonl");
/// A set written apart from the code and the lists, never used for tuning.
pub const HOLDOUT_SET: &str = include_str!("../../../moderation/eval-holdout.jsonl");
/// Sharp but fair criticism, implicit abuse and spam in many forms (without links, shortened
/// links, any top-level domain, phone numbers, messenger handles), written apart from the code,
/// the lists and the training set; never used for training or tuning.
pub const HARD_SET: &str = include_str!("../../../moderation/eval-hard.jsonl");
/// Every labelled set, by file name.
pub const SETS: [(&str, &str); 3] =
    [("eval.jsonl (tuning)", EVAL_SET), ("eval-holdout.jsonl", HOLDOUT_SET), ("eval-hard.jsonl", HARD_SET)];

/// Off-topic counted only over comments in their article's language (by their common words),
/// and only over the others: those are read through the dictionary (`bilingual`).
pub const SAME_LANGUAGE: &str = "off_topic (same language)";
pub const OTHER_LANGUAGE: &str = "off_topic (other language)";

#[derive(Debug, Deserialize)]
struct Labelled {
    id: u32,
    article: String,
    text: String,
    labels: Vec<String>,
}

/// Precision and recall of one flag.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FlagResult {
    pub flag: &'static str,
    pub true_positives: u32,
    pub false_positives: u32,
    pub false_negatives: u32,
    /// Comments labelled with the flag.
    pub labelled: u32,
}

impl FlagResult {
    pub fn precision(&self) -> f64 {
        let raised = self.true_positives + self.false_positives;
        if raised == 0 { 1.0 } else { f64::from(self.true_positives) / f64::from(raised) }
    }

    pub fn recall(&self) -> f64 {
        if self.labelled == 0 { 1.0 } else { f64::from(self.true_positives) / f64::from(self.labelled) }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Report {
    pub comments: usize,
    pub flags: Vec<FlagResult>,
    /// Ids of misjudged comments per flag, for tuning: (flag, id, "missed" or "false alarm").
    pub mistakes: Vec<(&'static str, u32, &'static str)>,
}

/// Article texts and languages by slug.
pub type Texts = HashMap<String, (String, Language)>;

/// The demo articles' texts by slug, and a corpus over them.
pub fn demo_articles() -> anyhow::Result<(Texts, Corpus)> {
    let mut articles = HashMap::new();
    let mut documents = Vec::new();
    for (path, bytes) in crate::embedded::DEMO.iter().filter(|(p, _)| p.starts_with("articles/")) {
        let draft = import::parse(std::str::from_utf8(bytes)?).map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
        let slug = match &draft.slug {
            Some(s) => s.clone(),
            None => Slug::from_text(&draft.title).map(|s| s.to_string()).unwrap_or_default(),
        };
        let language = draft.language.as_deref().and_then(Language::parse).unwrap_or(Language::De);
        let text = format!("{0} {0} {1} {2} {3}", draft.title, draft.lead, draft.body_md, draft.tags.join(" "));
        documents.push(terms(&text, language));
        articles.insert(slug, (text, language));
    }
    Ok((articles, Corpus::from_documents(documents.iter().map(Vec::as_slice))))
}

/// Assesses every labelled comment as if it arrived in order (a comment whose text came
/// before counts as a repeat) and compares the flags with the labels.
pub fn evaluate(assessor: &Assessor) -> anyhow::Result<Report> {
    evaluate_set(assessor, EVAL_SET)
}

/// Like [`evaluate`], for any labelled set in the same format.
pub fn evaluate_set(assessor: &Assessor, set: &str) -> anyhow::Result<Report> {
    let (articles, corpus) = demo_articles()?;
    let mut results: Vec<FlagResult> = ["off_topic", "demeaning", "spam", SAME_LANGUAGE, OTHER_LANGUAGE]
        .into_iter()
        .map(|flag| FlagResult { flag, ..Default::default() })
        .collect();
    let mut report = Report::default();
    let mut seen = std::collections::HashSet::new();
    let mut contexts: HashMap<String, ArticleContext<'_>> = HashMap::new();
    for line in set.lines().filter(|l| !l.trim().is_empty()) {
        let item: Labelled = serde_json::from_str(line)?;
        let (text, language) = articles
            .get(&item.article)
            .ok_or_else(|| anyhow::anyhow!("comment {}: unknown article {}", item.id, item.article))?;
        let canonical = item.text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        let signals = Signals { repeat: !seen.insert(canonical), seconds_to_write: Some(60), honeypot: false };
        let context =
            contexts.entry(item.article.clone()).or_insert_with(|| ArticleContext::new(text, *language, &corpus));
        let assessment = assessor.assess(&item.text, context, &signals);
        report.comments += 1;
        let same_language = crate::search::text::guess_language(&item.text).is_none_or(|l| l == *language);
        for result in &mut results {
            let part = [SAME_LANGUAGE, OTHER_LANGUAGE].contains(&result.flag);
            let flag = if part { "off_topic" } else { result.flag };
            if (result.flag == SAME_LANGUAGE && !same_language) || (result.flag == OTHER_LANGUAGE && same_language) {
                continue;
            }
            let labelled = item.labels.iter().any(|l| l == flag);
            let raised = assessment.flags.contains(&flag);
            match (labelled, raised) {
                (true, true) => result.true_positives += 1,
                (false, true) => {
                    result.false_positives += 1;
                    if !part {
                        report.mistakes.push((result.flag, item.id, "false alarm"));
                    }
                }
                (true, false) => {
                    result.false_negatives += 1;
                    if !part {
                        report.mistakes.push((result.flag, item.id, "missed"));
                    }
                }
                (false, false) => {}
            }
            if labelled {
                result.labelled += 1;
            }
        }
    }
    report.flags = results;
    Ok(report)
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{} labelled comments", self.comments)?;
        writeln!(f, "| flag | labelled | raised correctly | false alarms | missed | precision | recall |")?;
        writeln!(f, "|---|---|---|---|---|---|---|")?;
        for r in &self.flags {
            writeln!(
                f,
                "| {} | {} | {} | {} | {} | {:.2} | {:.2} |",
                r.flag,
                r.labelled,
                r.true_positives,
                r.false_positives,
                r.false_negatives,
                r.precision(),
                r.recall()
            )?;
        }
        Ok(())
    }
}
