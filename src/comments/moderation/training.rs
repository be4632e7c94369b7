//! Training and measuring the model ([`super::model`]): reading the labelled data, a fixed
//! held-out split, logistic regression fitted by AdaGrad in a fixed order (the same data gives
//! the same weights, byte for byte), and the figures admins and BENCHMARKS.md show.
//!
//! Data: the GermEval 2018 training file (German tweets, CC BY 4.0; Wiegand, Siegel and
//! Ruppenhofer, "Overview of the GermEval 2018 Shared Task on the Identification of Offensive
//! Language", Proceedings of GermEval 2018, Vienna) and the project's own labelled comments
//! (`moderation/train.jsonl`). Every fifth GermEval line, starting with the first, is held out:
//! nothing is trained or tuned on it.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::Assessor;
use super::model::{Feature, Head, Model, ModelInfo, analyse, fold};

/// The project's own labelled training comments (German and English).
pub const PROJECT_SET: &str = include_str!("../../../moderation/train.jsonl");
/// Where the GermEval file sits beside a checkout.
pub const GERMEVAL_PATH: &str = "../shared/datasets/germeval2018/germeval2018.training.txt";
/// The feature table's size: 2^18 entries per head.
pub const BITS: u8 = 18;

/// One labelled text.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    pub text: String,
    pub demeaning: bool,
    /// Whether it is spam; `None` where the source never judged that (GermEval's tweets).
    pub spam: Option<bool>,
    /// GermEval's fine label (`ABUSE`, `INSULT`, `PROFANITY`, `OTHER`), when it has one.
    pub fine: Option<String>,
    /// How much the example counts in training (in-domain comments count more than tweets).
    pub weight: f32,
}

/// The GermEval file, split into (training, held out): line `n` (from 0) is held out when
/// `n % 5 == 0`. Tweets' `@user` mentions are removed and `|LBR|` becomes a line break, so they
/// read like comments.
pub fn germeval(path: &Path) -> anyhow::Result<(Vec<Example>, Vec<Example>)> {
    let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let (mut train, mut held_out) = (Vec::new(), Vec::new());
    for (n, line) in text.lines().enumerate() {
        let mut parts = line.split('\t');
        let (Some(tweet), Some(coarse), Some(fine)) = (parts.next(), parts.next(), parts.next()) else {
            anyhow::bail!("{}: line {} does not have three tab-separated fields", path.display(), n + 1);
        };
        let cleaned: Vec<&str> = tweet.split_whitespace().filter(|w| !(w.starts_with('@') && w.len() > 1)).collect();
        let example = Example {
            text: cleaned.join(" ").replace("|LBR|", "\n"),
            demeaning: coarse == "OFFENSE",
            spam: None,
            fine: Some(fine.trim().to_string()),
            weight: 1.0,
        };
        if n % 5 == 0 { held_out.push(example) } else { train.push(example) }
    }
    Ok((train, held_out))
}

#[derive(Debug, Deserialize)]
struct Labelled {
    text: String,
    labels: Vec<String>,
}

/// A labelled set in the project's JSON-lines form (`moderation/*.jsonl`).
pub fn project_examples(set: &str, weight: f32) -> anyhow::Result<Vec<Example>> {
    set.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(n, line)| {
            let item: Labelled =
                serde_json::from_str(line).map_err(|e| anyhow::anyhow!("labelled set line {}: {e}", n + 1))?;
            Ok(Example {
                demeaning: item.labels.iter().any(|l| l == "demeaning"),
                spam: Some(item.labels.iter().any(|l| l == "spam")),
                text: item.text,
                fine: None,
                weight,
            })
        })
        .collect()
}

/// How a head is fitted.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct Settings {
    /// L2 penalty per update.
    pub l2: f32,
    pub epochs: u32,
    /// How much more a positive example counts than a negative one.
    pub positive_weight: f32,
    pub learning_rate: f32,
    /// Smoothing of the naive-Bayes ratios that scale each feature (see [`fit`]).
    pub nb_smoothing: f32,
}

impl Settings {
    /// The settings `newsdesk comments train --tune` compares.
    pub fn grid() -> Vec<Settings> {
        let mut grid = Vec::new();
        for l2 in [1e-6, 1e-5] {
            for positive_weight in [1.6, 2.2, 3.0] {
                for nb_smoothing in [0.03, 0.1, 1.0] {
                    grid.push(Settings { l2, epochs: 12, positive_weight, learning_rate: 0.3, nb_smoothing });
                }
            }
        }
        grid
    }
}

impl Default for Settings {
    fn default() -> Settings {
        Settings { l2: 1e-5, epochs: 12, positive_weight: 2.2, learning_rate: 0.3, nb_smoothing: 0.1 }
    }
}

/// A text's features as the model sees it, with the word lists' and rules' scores attached.
pub fn features(assessor: &Assessor, text: &str, bits: u8) -> Vec<Feature> {
    let folded = fold(text);
    let (lexicon, rules) = assessor.rule_scores(&folded);
    analyse(&folded, lexicon, rules, bits).features
}

/// A small deterministic generator for the training order.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

/// Logistic regression by AdaGrad: `labels[i]` says whether `rows[i]` is positive, `weights[i]`
/// how much it counts. Each feature is first scaled by how unevenly it falls between the classes
/// (the naive-Bayes log-count ratio, as in Wang and Manning's NBSVM), which lets rare but telling
/// words count; the scale is folded into the stored weights, so prediction needs nothing extra.
pub fn fit(name: &str, rows: &[&[Feature]], labels: &[bool], weights: &[f32], bits: u8, settings: Settings) -> Head {
    let size = 1usize << bits;
    let ratio = naive_bayes_ratios(rows, labels, size, settings.nb_smoothing);
    descend(
        Head { name: name.to_string(), bias: 0.0, weights: vec![0f32; size] },
        rows,
        labels,
        weights,
        settings,
        ratio,
    )
}

/// Goes on training `start` (a head already trained) on more examples, as a site's own model
/// does from its moderators' decisions: no new scaling, the same order-fixed AdaGrad.
pub fn fit_further(start: &Head, rows: &[&[Feature]], labels: &[bool], weights: &[f32], settings: Settings) -> Head {
    let ratio = vec![1f32; start.weights.len()];
    descend(start.clone(), rows, labels, weights, settings, ratio)
}

fn descend(
    start: Head,
    rows: &[&[Feature]],
    labels: &[bool],
    weights: &[f32],
    settings: Settings,
    ratio: Vec<f32>,
) -> Head {
    let Head { name, mut bias, weights: mut w } = start;
    let mut squares = vec![1e-6f32; w.len()];
    let mut bias_squares = 1e-6f32;
    // The scale is folded into the weights at the end; a head that goes on starts unscaled.
    w.iter_mut().zip(&ratio).for_each(|(w, r)| *w /= r);
    let mut order: Vec<usize> = (0..rows.len()).collect();
    let mut random = SplitMix(0x5eed);
    for _ in 0..settings.epochs {
        random.shuffle(&mut order);
        for &i in &order {
            let z: f32 =
                bias + rows[i].iter().map(|f| w[f.index as usize] * f.value * ratio[f.index as usize]).sum::<f32>();
            let p = 1.0 / (1.0 + (-z).exp());
            let target = if labels[i] { 1.0 } else { 0.0 };
            let importance = weights[i] * if labels[i] { settings.positive_weight } else { 1.0 };
            let error = (p - target) * importance;
            for f in rows[i] {
                let k = f.index as usize;
                let gradient = error * f.value * ratio[k] + settings.l2 * w[k];
                squares[k] += gradient * gradient;
                w[k] -= settings.learning_rate * gradient / squares[k].sqrt();
            }
            bias_squares += error * error;
            bias -= settings.learning_rate * error / bias_squares.sqrt();
        }
    }
    w.iter_mut().zip(&ratio).for_each(|(w, r)| *w *= r);
    Head { name, bias, weights: w }
}

/// Per feature: |log(share among positives / share among negatives)|, smoothed by `alpha`, at
/// least 0.05 so no feature is switched off entirely.
fn naive_bayes_ratios(rows: &[&[Feature]], labels: &[bool], size: usize, alpha: f32) -> Vec<f32> {
    let (mut positive, mut negative) = (vec![alpha; size], vec![alpha; size]);
    for (row, label) in rows.iter().zip(labels) {
        let counts = if *label { &mut positive } else { &mut negative };
        for f in row.iter() {
            counts[f.index as usize] += f.value.abs();
        }
    }
    let (p_sum, n_sum): (f32, f32) = (positive.iter().sum(), negative.iter().sum());
    positive.iter().zip(&negative).map(|(p, n)| ((p / p_sum) / (n / n_sum)).ln().abs().max(0.05)).collect()
}

/// Counts of one binary decision against the truth.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq)]
pub struct Counts {
    pub true_positives: u32,
    pub false_positives: u32,
    pub false_negatives: u32,
    pub true_negatives: u32,
}

fn ratio(a: u32, b: u32) -> f64 {
    if b == 0 { 0.0 } else { f64::from(a) / f64::from(b) }
}

fn harmonic(p: f64, r: f64) -> f64 {
    if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
}

impl Counts {
    pub fn from_predictions(scores: &[f64], truth: &[bool], threshold: f64) -> Counts {
        let mut c = Counts::default();
        for (s, t) in scores.iter().zip(truth) {
            match (*s >= threshold, *t) {
                (true, true) => c.true_positives += 1,
                (true, false) => c.false_positives += 1,
                (false, true) => c.false_negatives += 1,
                (false, false) => c.true_negatives += 1,
            }
        }
        c
    }

    pub fn precision(&self) -> f64 {
        ratio(self.true_positives, self.true_positives + self.false_positives)
    }

    pub fn recall(&self) -> f64 {
        ratio(self.true_positives, self.true_positives + self.false_negatives)
    }

    pub fn f1(&self) -> f64 {
        harmonic(self.precision(), self.recall())
    }

    /// The same counts seen from the other class.
    fn negative(&self) -> Counts {
        Counts {
            true_positives: self.true_negatives,
            false_positives: self.false_negatives,
            false_negatives: self.false_positives,
            true_negatives: self.true_positives,
        }
    }

    /// GermEval 2018's official measure: the harmonic mean of the two classes' mean precision
    /// and mean recall.
    pub fn official_macro_f1(&self) -> f64 {
        let other = self.negative();
        harmonic((self.precision() + other.precision()) / 2.0, (self.recall() + other.recall()) / 2.0)
    }

    /// The mean of the two classes' F1.
    pub fn mean_class_f1(&self) -> f64 {
        (self.f1() + self.negative().f1()) / 2.0
    }
}

/// What the model does on a held-out set: the counts at the flag's threshold, recall by fine
/// label, and the precision observed at each score from 0.5 to 0.9.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Figures {
    pub examples: u32,
    pub threshold: f64,
    pub counts: Counts,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub official_macro_f1: f64,
    pub mean_class_f1: f64,
    /// (fine label, recall) for GermEval's ABUSE, INSULT and PROFANITY.
    pub recall_by_fine_label: Vec<(String, f64)>,
    /// (threshold, share of comments at or above it that were positive, how many there were).
    pub precision_at: Vec<(f64, f64, u32)>,
}

impl Figures {
    pub fn measure(
        scores: &[f64],
        examples: &[Example],
        positive: impl Fn(&Example) -> bool,
        threshold: f64,
    ) -> Figures {
        let truth: Vec<bool> = examples.iter().map(&positive).collect();
        let counts = Counts::from_predictions(scores, &truth, threshold);
        let mut recall_by_fine_label = Vec::new();
        for label in ["ABUSE", "INSULT", "PROFANITY"] {
            let (mut found, mut all) = (0, 0);
            for (s, e) in scores.iter().zip(examples) {
                if e.fine.as_deref() == Some(label) {
                    all += 1;
                    found += u32::from(*s >= threshold);
                }
            }
            if all > 0 {
                recall_by_fine_label.push((label.to_string(), ratio(found, all)));
            }
        }
        let precision_at = [0.5, 0.6, 0.7, 0.8, 0.9]
            .into_iter()
            .map(|t| {
                let c = Counts::from_predictions(scores, &truth, t);
                (t, c.precision(), c.true_positives + c.false_positives)
            })
            .collect();
        Figures {
            examples: examples.len() as u32,
            threshold,
            precision: counts.precision(),
            recall: counts.recall(),
            f1: counts.f1(),
            official_macro_f1: counts.official_macro_f1(),
            mean_class_f1: counts.mean_class_f1(),
            counts,
            recall_by_fine_label,
            precision_at,
        }
    }
}

impl std::fmt::Display for Figures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{} examples, threshold {:.2}: precision {:.3}, recall {:.3}, F1 {:.3}; official macro-F1 {:.3}, \
             mean of class F1s {:.3}",
            self.examples,
            self.threshold,
            self.precision,
            self.recall,
            self.f1,
            self.official_macro_f1,
            self.mean_class_f1
        )?;
        for (label, recall) in &self.recall_by_fine_label {
            writeln!(f, "  recall {label}: {recall:.3}")?;
        }
        for (t, p, n) in &self.precision_at {
            writeln!(f, "  score ≥ {t:.1}: {n} flagged, precision {p:.3}")?;
        }
        Ok(())
    }
}

/// Everything a training run needs: the base data and, for a site's own model, its moderators'
/// decisions.
pub struct Data {
    pub germeval_train: Vec<Example>,
    pub germeval_held_out: Vec<Example>,
    pub project: Vec<Example>,
}

impl Data {
    pub fn load(germeval_file: &Path) -> anyhow::Result<Data> {
        let (germeval_train, germeval_held_out) = germeval(germeval_file)?;
        Ok(Data { germeval_train, germeval_held_out, project: project_examples(PROJECT_SET, 3.0)? })
    }
}

/// Fits both heads on `examples` and returns the model.
pub fn train(assessor: &Assessor, examples: &[Example], settings: Settings, info: ModelInfo) -> Model {
    let rows: Vec<Vec<Feature>> = examples.iter().map(|e| features(assessor, &e.text, BITS)).collect();
    let refs: Vec<&[Feature]> = rows.iter().map(Vec::as_slice).collect();
    let weights: Vec<f32> = examples.iter().map(|e| e.weight).collect();
    let demeaning: Vec<bool> = examples.iter().map(|e| e.demeaning).collect();
    // Only sources that judged spam teach the spam head: tweets never labelled as spam would
    // teach it that German is not spam and English is.
    let judged: Vec<usize> = (0..examples.len()).filter(|i| examples[*i].spam.is_some()).collect();
    let spam_rows: Vec<&[Feature]> = judged.iter().map(|i| refs[*i]).collect();
    let spam: Vec<bool> = judged.iter().map(|i| examples[*i].spam == Some(true)).collect();
    let spam_weights: Vec<f32> = judged.iter().map(|i| weights[*i]).collect();
    let spam_settings = Settings { positive_weight: spam_positive_weight(&spam), ..settings };
    Model {
        bits: BITS,
        heads: vec![
            fit("demeaning", &refs, &demeaning, &weights, BITS, settings),
            fit("spam", &spam_rows, &spam, &spam_weights, BITS, spam_settings),
        ],
        info,
    }
}

/// Where spam is rare in the data, its examples count more, up to as much as all the others.
fn spam_positive_weight(spam: &[bool]) -> f32 {
    let positives = spam.iter().filter(|s| **s).count().max(1);
    ((spam.len() - positives) as f32 / positives as f32).max(1.0)
}

/// A head's scores for examples.
pub fn scores(assessor: &Assessor, model: &Model, head: &str, examples: &[Example]) -> Vec<f64> {
    let head = model.head(head).expect("the model has the head");
    examples.iter().map(|e| head.probability(&features(assessor, &e.text, model.bits))).collect()
}

/// Trains the built-in model from the base data and measures it on GermEval's held-out part.
pub fn train_base(assessor: &Assessor, data: &Data, settings: Settings) -> (Model, Figures) {
    let mut examples = data.germeval_train.clone();
    examples.extend(data.project.iter().cloned());
    let info = ModelInfo {
        trained_on: format!(
            "{} GermEval 2018 training tweets (every fifth held out) and {} of the project's own comments",
            data.germeval_train.len(),
            data.project.len()
        ),
        ..Default::default()
    };
    let mut model = train(assessor, &examples, settings, info);
    let held_out = scores(assessor, &model, "demeaning", &data.germeval_held_out);
    let figures = Figures::measure(&held_out, &data.germeval_held_out, |e| e.demeaning, 0.5);
    model.info.figures.insert("germeval_held_out".into(), serde_json::to_value(&figures).expect("figures serialise"));
    (model, figures)
}

/// The demeaning head's figures in `folds`-fold cross-validation over GermEval's training part
/// (the project's comments always train, never test): how settings are compared without
/// touching the held-out part.
pub fn cross_validate(rows: &Rows, settings: Settings, folds: usize) -> Figures {
    let mut scores = vec![0.0; rows.germeval.len()];
    for fold in 0..folds {
        let mut train_rows: Vec<&[Feature]> = Vec::new();
        let (mut labels, mut weights) = (Vec::new(), Vec::new());
        for (i, (row, example)) in rows.germeval.iter().enumerate() {
            if i % folds != fold {
                train_rows.push(row);
                labels.push(example.demeaning);
                weights.push(example.weight);
            }
        }
        for (row, example) in &rows.project {
            train_rows.push(row);
            labels.push(example.demeaning);
            weights.push(example.weight);
        }
        let head = fit("demeaning", &train_rows, &labels, &weights, rows.bits, settings);
        for (i, (row, _)) in rows.germeval.iter().enumerate() {
            if i % folds == fold {
                scores[i] = head.probability(row);
            }
        }
    }
    let examples: Vec<Example> = rows.germeval.iter().map(|(_, e)| e.clone()).collect();
    Figures::measure(&scores, &examples, |e| e.demeaning, 0.5)
}

/// Training examples with their features, computed once for many fits.
pub struct Rows {
    pub bits: u8,
    pub germeval: Vec<(Vec<Feature>, Example)>,
    pub project: Vec<(Vec<Feature>, Example)>,
}

impl Rows {
    pub fn new(assessor: &Assessor, data: &Data, bits: u8) -> Rows {
        let rows = |examples: &[Example]| {
            examples.iter().map(|e| (features(assessor, &e.text, bits), e.clone())).collect::<Vec<_>>()
        };
        Rows { bits, germeval: rows(&data.germeval_train), project: rows(&data.project) }
    }
}

/// How a moderator decided on a comment, as a site's training reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub comment_id: i64,
    pub body: String,
    /// `approved`, `rejected` or `spam`.
    pub status: String,
    /// Whether the assessment had flagged the comment off-topic and not demeaning: a rejection
    /// then most likely was for being off-topic, which says nothing about demeaning language.
    pub off_topic_only: bool,
}

impl Decision {
    /// The labelled example a decision gives: approved is fine, spam is spam, rejected is
    /// demeaning (unless it was most likely rejected as off-topic: then none).
    pub fn example(&self, weight: f32) -> Option<Example> {
        let (demeaning, spam) = match self.status.as_str() {
            "approved" => (false, false),
            "spam" => (false, true),
            "rejected" if !self.off_topic_only => (true, false),
            _ => return None,
        };
        Some(Example { text: self.body.clone(), demeaning, spam: Some(spam), fine: None, weight })
    }

    /// Every fifth decision (by comment id) is held out to measure the site's model.
    pub fn held_out(&self) -> bool {
        self.comment_id % 5 == 0
    }
}

/// Fewer decisions than this (or of either kind fewer than [`MIN_OF_EACH`]) teach nothing
/// reliable; retraining refuses and the current model stays.
pub const MIN_DECISIONS: usize = 30;
pub const MIN_OF_EACH: usize = 10;

/// How many decisions of each kind a site has to learn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Approved comments.
    pub fine: usize,
    /// Rejected (as demeaning) or spam.
    pub bad: usize,
}

impl Tally {
    pub fn of(examples: &[Example]) -> Tally {
        let bad = examples.iter().filter(|e| e.demeaning || e.spam == Some(true)).count();
        Tally { fine: examples.len() - bad, bad }
    }

    pub fn total(&self) -> usize {
        self.fine + self.bad
    }

    pub fn enough(&self) -> bool {
        self.total() >= MIN_DECISIONS && self.fine >= MIN_OF_EACH && self.bad >= MIN_OF_EACH
    }

    /// Why the decisions are not enough to train on, for the command line; `None` when they are.
    pub fn refusal(&self) -> Option<String> {
        (!self.enough()).then(|| {
            format!(
                "too few decisions to learn from: {} ({} approved, {} rejected or spam); at least {MIN_DECISIONS} \
                 are needed, with {MIN_OF_EACH} of each kind. The current model stays.",
                self.total(),
                self.fine,
                self.bad
            )
        })
    }
}

/// A site's own model: `base` trained further on the site's decisions, with the project's own
/// comments mixed in so it does not forget what it knew.
pub fn train_site(assessor: &Assessor, base: &Model, site: &[Example], info: ModelInfo) -> anyhow::Result<Model> {
    let mut examples: Vec<Example> = site.to_vec();
    examples.extend(project_examples(PROJECT_SET, 1.0)?);
    let rows: Vec<Vec<Feature>> = examples.iter().map(|e| features(assessor, &e.text, base.bits)).collect();
    let settings = Settings { epochs: 6, positive_weight: 1.0, ..Settings::default() };
    let mut heads = Vec::new();
    for head in &base.heads {
        let chosen: Vec<usize> =
            (0..examples.len()).filter(|i| head.name != "spam" || examples[*i].spam.is_some()).collect();
        let head_rows: Vec<&[Feature]> = chosen.iter().map(|i| rows[*i].as_slice()).collect();
        let labels: Vec<bool> = chosen
            .iter()
            .map(|i| if head.name == "spam" { examples[*i].spam == Some(true) } else { examples[*i].demeaning })
            .collect();
        let weights: Vec<f32> = chosen.iter().map(|i| examples[*i].weight).collect();
        heads.push(fit_further(head, &head_rows, &labels, &weights, settings));
    }
    Ok(Model { bits: base.bits, heads, info })
}

/// The flags as moderators see them (word lists, rules and model together) against the held-out
/// decisions: (demeaning, spam) counts at the site's thresholds.
pub fn site_counts(assessor: &Assessor, held_out: &[Example]) -> (Counts, Counts) {
    let (mut demeaning, mut spam) = (Vec::new(), Vec::new());
    for e in held_out {
        let (d, s) = assessor.demeaning_and_spam(&e.text, &super::Signals::default());
        demeaning.push(d.score);
        spam.push(s.score);
    }
    let (demeaning_threshold, spam_threshold) = assessor.thresholds();
    let truth_d: Vec<bool> = held_out.iter().map(|e| e.demeaning).collect();
    let truth_s: Vec<bool> = held_out.iter().map(|e| e.spam == Some(true)).collect();
    (
        Counts::from_predictions(&demeaning, &truth_d, demeaning_threshold),
        Counts::from_predictions(&spam, &truth_s, spam_threshold),
    )
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::config::CommentsConfig;

    fn decision(id: i64, body: &str, status: &str) -> Decision {
        Decision { comment_id: id, body: body.into(), status: status.into(), off_topic_only: false }
    }

    #[test]
    fn decisions_become_examples() {
        assert!(!decision(1, "Danke", "approved").example(1.0).unwrap().demeaning);
        assert!(decision(1, "Du Knallcharge", "rejected").example(1.0).unwrap().demeaning);
        assert_eq!(decision(1, "bit.ly/x", "spam").example(1.0).unwrap().spam, Some(true));
        let off_topic = Decision { off_topic_only: true, ..decision(1, "Bayern gewinnt", "rejected") };
        assert_eq!(off_topic.example(1.0), None);
        assert!(decision(10, "", "approved").held_out() && !decision(11, "", "approved").held_out());
    }

    #[test]
    fn too_few_decisions_are_refused_with_the_counts() {
        let few: Vec<Example> = (0..12).filter_map(|i| decision(i, "Danke", "approved").example(1.0)).collect();
        let message = Tally::of(&few).refusal().unwrap();
        assert!(message.contains("12 (12 approved, 0 rejected or spam)"), "{message}");
        let mut enough = few.clone();
        enough.extend((0..20).filter_map(|i| decision(i, "Depp", "rejected").example(1.0)));
        assert_eq!(Tally::of(&enough).refusal(), None);
    }

    /// A word the base model does not know as demeaning is learned from the site's decisions,
    /// and the same decisions give the same model.
    #[test]
    fn a_site_model_learns_its_moderators_word() {
        let assessor = Assessor::new(&CommentsConfig::default()).unwrap();
        let base = assessor.model().unwrap();
        let mut site = Vec::new();
        for i in 0..40 {
            site.push(decision(i, &format!("Der Autor ist ein Gurkenhobel, Nummer {i}."), "rejected"));
            site.push(decision(100 + i, &format!("Der Autor hat gut recherchiert, Nummer {i}."), "approved"));
        }
        let examples: Vec<Example> = site.iter().filter_map(|d| d.example(3.0)).collect();
        let lists = Assessor::word_lists_only(&CommentsConfig::default()).unwrap();
        let model = train_site(&lists, base, &examples, ModelInfo::default()).unwrap();
        let text = "Heute wieder ein Gurkenhobel am Werk.";
        let before = assessor.demeaning_and_spam(text, &super::super::Signals::default()).0.score;
        let after = assessor.with_model(Arc::new(model.clone())).demeaning_and_spam(text, &Default::default()).0.score;
        assert!(before < 0.5 && after >= 0.5, "before {before}, after {after}");
        let again = train_site(&lists, base, &examples, ModelInfo::default()).unwrap();
        assert!(again.to_bytes() == model.to_bytes());
    }
}
