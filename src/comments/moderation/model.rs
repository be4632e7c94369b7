//! The trained part of the assessment: logistic regression over hashed features of a comment's
//! words, word pairs and letter sequences, one set of weights ("head") per flag it learned
//! (`demeaning`, `spam`). The word lists' own verdict is one more feature, so the model learns how
//! far to trust it.
//!
//! The weights are a file (`moderation/model.bin`, built into the binary; [`training`] writes
//! it). Every prediction can say which words weighed most, so a flag keeps its reasons.
//!
//! [`training`]: super::training

use std::io::Read as _;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::lexicon::{canonical, tokens};

/// The model shipped with the binary.
pub const BUILT_IN: &[u8] = include_bytes!("../../../moderation/model.bin");
const MAGIC: &[u8; 8] = b"NDMODEL1";

/// Letter sequences of these lengths are features, taken from each word with its boundaries
/// marked ("<idiot>" gives "<id", "idi", ..., "ot>").
const CHAR_GRAMS: Range<usize> = 3..6;
/// The features that carry the word lists' demeaning score and the spam rules' score.
const LEXICON_FEATURE: &str = "\u{1}lexicon";
const RULES_FEATURE: &str = "\u{1}spam rules";

/// What a model file says about itself: how it was trained and how well it did on data it never
/// saw. Shown to admins before they switch models.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ModelInfo {
    /// One line: what the model was trained on.
    pub trained_on: String,
    /// Figures on held-out data, by name ("germeval_holdout", "site_holdout"): each a small table.
    #[serde(default)]
    pub figures: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct HeadHeader {
    name: String,
    bias: f32,
    /// Weights are stored as 16-bit integers times this.
    scale: f32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Header {
    bits: u8,
    heads: Vec<HeadHeader>,
    info: ModelInfo,
}

/// The weights for one flag.
#[derive(Debug, Clone, PartialEq)]
pub struct Head {
    pub name: String,
    pub bias: f32,
    pub weights: Vec<f32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// The feature table has `1 << bits` entries.
    pub bits: u8,
    pub heads: Vec<Head>,
    pub info: ModelInfo,
}

/// One feature occurrence: its table index, its value, and the words it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    pub index: u32,
    pub value: f32,
    /// Index of the first word it came from, and how many words (1 or 2); none for the lexicon.
    pub words: Option<(u32, u8)>,
}

/// A comment taken apart for the model: its words (canonical form and where they are in the
/// text) and its features.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    pub words: Vec<(String, Range<usize>)>,
    pub features: Vec<Feature>,
}

/// A head's verdict on one comment.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    pub probability: f64,
    /// The words (as written) that pushed the score up most, with their share, strongest first.
    pub evidence: Vec<(String, f64)>,
}

/// FNV-1a over a kind byte and the parts: stable across builds and machines, as a stored model
/// needs.
fn hash(kind: u8, parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |b: u8| {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    };
    eat(kind);
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            eat(b' ');
        }
        part.bytes().for_each(&mut eat);
    }
    h
}

/// Text as the assessment reads it: compatibility forms folded (full-width and mathematical
/// letters become plain ones), invisible characters removed, Cyrillic and Greek letters that look
/// Latin read as Latin when they sit in a word with Latin letters ("Idіot" with a Cyrillic і).
pub fn fold(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization as _;
    let invisible = |c: char| {
        matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}' | '\u{034F}')
            || ('\u{FE00}'..='\u{FE0F}').contains(&c)
    };
    let normal: String = text.nfkc().filter(|c| !invisible(*c)).collect();
    let mut out = String::with_capacity(normal.len());
    for word in normal.split_inclusive(|c: char| !c.is_alphanumeric()) {
        if word.chars().any(|c| c.is_ascii_alphabetic()) {
            out.extend(word.chars().map(latin_look_alike));
        } else {
            out.push_str(word);
        }
    }
    out
}

/// The Latin letter a Cyrillic or Greek one is made to look like.
fn latin_look_alike(c: char) -> char {
    match c {
        'а' | 'α' => 'a',
        'А' | 'Α' => 'A',
        'в' | 'В' | 'Β' | 'β' => 'B',
        'е' | 'ε' => 'e',
        'Е' | 'Ε' => 'E',
        'к' | 'κ' => 'k',
        'К' | 'Κ' => 'K',
        'м' | 'М' | 'Μ' => 'M',
        'н' | 'Н' | 'Η' => 'H',
        'о' | 'ο' => 'o',
        'О' | 'Ο' => 'O',
        'р' | 'ρ' => 'p',
        'Р' | 'Ρ' => 'P',
        'с' => 'c',
        'С' => 'C',
        'т' | 'Т' | 'Τ' | 'τ' => 'T',
        'у' => 'y',
        'У' | 'Υ' => 'Y',
        'х' | 'χ' => 'x',
        'Х' | 'Χ' => 'X',
        'і' | 'ι' => 'i',
        'І' | 'Ι' => 'I',
        'ј' => 'j',
        'Ј' => 'J',
        'ѕ' => 's',
        'Ѕ' => 'S',
        'ԁ' => 'd',
        'ν' => 'v',
        'Ζ' => 'Z',
        'Ν' => 'N',
        c => c,
    }
}

/// Takes a (folded) comment apart into features. `lexicon` is the word lists' demeaning score
/// for it, `rules` the spam rules' score.
pub fn analyse(text: &str, lexicon: f64, rules: f64, bits: u8) -> Analysis {
    let mask = (1u64 << bits) - 1;
    let words: Vec<(String, Range<usize>)> =
        tokens(text).into_iter().map(|(w, span)| (canonical(&w), span)).filter(|(w, _)| !w.is_empty()).collect();
    let mut features = Vec::with_capacity(words.len() * 16 + 1);
    let word_features = words.len() * 2;
    let word_value = if word_features == 0 { 0.0 } else { 1.0 / (word_features as f32).sqrt() };
    for (i, (word, _)) in words.iter().enumerate() {
        let at = i as u32;
        features.push(Feature { index: (hash(1, &[word]) & mask) as u32, value: word_value, words: Some((at, 1)) });
        if let Some((next, _)) = words.get(i + 1) {
            let index = (hash(2, &[word, next]) & mask) as u32;
            features.push(Feature { index, value: word_value, words: Some((at, 2)) });
        }
    }
    let first_char = features.len();
    let mut marked = String::new();
    for (i, (word, _)) in words.iter().enumerate() {
        marked.clear();
        marked.push('<');
        marked.push_str(word);
        marked.push('>');
        let bounds: Vec<usize> = marked.char_indices().map(|(b, _)| b).chain([marked.len()]).collect();
        let chars = bounds.len() - 1;
        for n in CHAR_GRAMS {
            for start in 0..chars.saturating_sub(n - 1) {
                let gram = &marked[bounds[start]..bounds[start + n]];
                let index = (hash(3, &[gram]) & mask) as u32;
                features.push(Feature { index, value: 0.0, words: Some((i as u32, 1)) });
            }
        }
    }
    let char_features = features.len() - first_char;
    if char_features > 0 {
        let value = 1.0 / (char_features as f32).sqrt();
        features[first_char..].iter_mut().for_each(|f| f.value = value);
    }
    for (name, value) in [(LEXICON_FEATURE, lexicon), (RULES_FEATURE, rules)] {
        features.push(Feature { index: (hash(0, &[name]) & mask) as u32, value: value as f32, words: None });
    }
    Analysis { words, features }
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

impl Head {
    pub fn margin(&self, features: &[Feature]) -> f64 {
        let sum: f32 = features.iter().map(|f| self.weights[f.index as usize] * f.value).sum();
        f64::from(self.bias + sum)
    }

    pub fn probability(&self, features: &[Feature]) -> f64 {
        sigmoid(self.margin(features))
    }

    /// The probability, and the runs of words that pushed it up most, as written in `text`.
    pub fn explain(&self, text: &str, analysis: &Analysis, most: usize) -> Prediction {
        let probability = self.probability(&analysis.features);
        let mut per_word = vec![0.0f64; analysis.words.len()];
        for f in &analysis.features {
            if let Some((first, count)) = f.words {
                let share = f64::from(self.weights[f.index as usize] * f.value) / f64::from(count);
                for w in first..first + u32::from(count) {
                    per_word[w as usize] += share;
                }
            }
        }
        // Neighbouring words that each push up are one phrase ("verlogenes Stück Scheiße").
        let mut phrases: Vec<(Range<usize>, f64)> = Vec::new();
        let mut current: Option<(Range<usize>, f64)> = None;
        for (i, weight) in per_word.iter().enumerate() {
            if *weight > 0.05 {
                current = match current.take() {
                    Some((words, sum)) if words.end == i => Some((words.start..i + 1, sum + weight)),
                    other => {
                        phrases.extend(other);
                        Some((i..i + 1, *weight))
                    }
                };
            }
        }
        phrases.extend(current);
        phrases.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.start.cmp(&b.0.start)));
        let evidence = phrases
            .into_iter()
            .take(most)
            .map(|(words, weight)| {
                let span = analysis.words[words.start].1.start..analysis.words[words.end - 1].1.end;
                (text[span].to_string(), (weight * 100.0).round() / 100.0)
            })
            .collect();
        Prediction { probability, evidence }
    }
}

impl Model {
    pub fn head(&self, name: &str) -> Option<&Head> {
        self.heads.iter().find(|h| h.name == name)
    }

    /// The model file: a magic line, a JSON header, then every head's weights as 16-bit
    /// integers, deflated (most of the table is zero).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut heads = Vec::new();
        let mut payload = Vec::with_capacity(self.heads.len() << self.bits << 1);
        for head in &self.heads {
            let largest = head.weights.iter().fold(0f32, |m, w| m.max(w.abs()));
            let scale = if largest == 0.0 { 1.0 } else { largest / f32::from(i16::MAX) };
            heads.push(HeadHeader { name: head.name.clone(), bias: head.bias, scale });
            for w in &head.weights {
                payload.extend_from_slice(&((w / scale).round() as i16).to_le_bytes());
            }
        }
        let header = serde_json::to_vec(&Header { bits: self.bits, heads, info: self.info.clone() })
            .expect("a model header serialises");
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&(header.len() as u32).to_le_bytes());
        out.extend_from_slice(&header);
        let mut encoder = flate2::write::DeflateEncoder::new(out, flate2::Compression::best());
        std::io::Write::write_all(&mut encoder, &payload).expect("writing to memory");
        encoder.finish().expect("writing to memory")
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Model, String> {
        let rest = bytes.strip_prefix(MAGIC.as_slice()).ok_or("not a Newsdesk model file (wrong start)")?;
        if rest.len() < 4 {
            return Err("truncated header".into());
        }
        let length = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        let header_bytes = rest.get(4..4 + length).ok_or("truncated header")?;
        let header: Header = serde_json::from_slice(header_bytes).map_err(|e| format!("unreadable header: {e}"))?;
        if !(10..=24).contains(&header.bits) || header.heads.is_empty() {
            return Err(format!("implausible header: {} bits, {} heads", header.bits, header.heads.len()));
        }
        let size = 1usize << header.bits;
        let expected = size * 2 * header.heads.len();
        let mut payload = Vec::with_capacity(expected);
        flate2::read::DeflateDecoder::new(&rest[4 + length..])
            .take(expected as u64 + 1)
            .read_to_end(&mut payload)
            .map_err(|e| format!("unreadable weights: {e}"))?;
        if payload.len() != expected {
            return Err(format!("{} bytes of weights where {expected} were expected", payload.len()));
        }
        let heads = header
            .heads
            .iter()
            .zip(payload.chunks_exact(size * 2))
            .map(|(h, chunk)| {
                let weights =
                    chunk.chunks_exact(2).map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) * h.scale).collect();
                Head { name: h.name.clone(), bias: h.bias, weights }
            })
            .collect();
        if header.heads.iter().any(|h| !h.bias.is_finite() || !h.scale.is_finite()) {
            return Err("a head's bias or scale is not a number".into());
        }
        Ok(Model { bits: header.bits, heads, info: header.info })
    }

    /// The model built into the binary, read once per process and shared.
    pub fn built_in() -> Result<std::sync::Arc<Model>, String> {
        static BUILT: std::sync::OnceLock<Result<std::sync::Arc<Model>, String>> = std::sync::OnceLock::new();
        BUILT.get_or_init(|| Model::from_bytes(BUILT_IN).map(std::sync::Arc::new)).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_look_alikes_invisible_characters_and_wide_letters() {
        assert_eq!(fold("Id\u{0456}ot"), "Idiot");
        assert_eq!(fold("Id\u{200B}i\u{00AD}ot"), "Idiot");
        assert_eq!(fold("ＩＤＩＯＴ"), "IDIOT");
        assert_eq!(fold("\u{1D422}\u{1D41D}\u{1D422}\u{1D428}\u{1D42D}"), "idiot");
        assert_eq!(fold("Привет мир"), "Привет мир", "Cyrillic words stay Cyrillic");
    }

    #[test]
    fn a_model_survives_its_file_and_a_damaged_file_is_refused() {
        let mut weights = vec![0.0f32; 1 << 10];
        weights[3] = 1.5;
        weights[700] = -0.25;
        let model = Model {
            bits: 10,
            heads: vec![Head { name: "demeaning".into(), bias: -1.0, weights }],
            info: ModelInfo { trained_on: "test".into(), ..Default::default() },
        };
        let bytes = model.to_bytes();
        let back = Model::from_bytes(&bytes).unwrap();
        assert_eq!(back.info, model.info);
        assert!((back.heads[0].weights[3] - 1.5).abs() < 1e-3 && (back.heads[0].weights[700] + 0.25).abs() < 1e-3);
        assert!(Model::from_bytes(&bytes[..bytes.len() - 5]).is_err());
        assert!(Model::from_bytes(b"hello").is_err());
        assert!(Model::from_bytes(&[]).is_err());
    }

    #[test]
    fn evidence_names_the_words_that_weighed() {
        let analysis = analyse("Du bist ein verlogenes Stück", 0.0, 0.0, 12);
        let mut weights = vec![0.0f32; 1 << 12];
        for f in &analysis.features {
            if let Some((first, 1)) = f.words
                && first >= 3
            {
                weights[f.index as usize] = 2.0;
            }
        }
        let head = Head { name: "demeaning".into(), bias: 0.0, weights };
        let prediction = head.explain("Du bist ein verlogenes Stück", &analysis, 3);
        assert_eq!(prediction.evidence[0].0, "verlogenes Stück");
        assert!(prediction.probability > 0.5);
    }
}
