//! Word lists for the assessment, and the normalisation that lets them see through
//! obfuscation: case, letter repeats, leetspeak digits, letters spaced out with dots, and
//! German inflection and compounds.
//!
//! The lists are data files (`moderation/` in the repository, built into the binary);
//! `comments.word_lists_dir` names a folder whose files of the same names extend them.

use std::collections::HashMap;

/// The kinds of demeaning words, from the worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Slur,
    Dehumanising,
    Insult,
}

impl Kind {
    pub fn weight(self) -> f64 {
        match self {
            Kind::Slur => 0.9,
            Kind::Dehumanising => 0.75,
            Kind::Insult => 0.6,
        }
    }
}

/// A phrase aimed at a person; `*` in it stands for a demeaning word.
#[derive(Debug, Clone)]
pub struct Attack {
    pub words: Vec<String>,
    pub text: String,
}

#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    /// Canonical word → kind.
    words: HashMap<String, Kind>,
    /// German entries of five letters or more: they also match as the last part of a compound
    /// ("Vollidiot"). English words do not compound that way ("zahnloser" holds no "loser").
    stems: HashMap<String, Kind>,
    pub attacks: Vec<Attack>,
    /// Canonical spam phrases (word sequences).
    pub spam: Vec<Vec<String>>,
}

/// Canonical form of a word: lower case, leetspeak digits as letters, German letters folded
/// to their base (ä→a, ß→s), and every run of one letter shortened to one ("Idiooot" →
/// "idiot", "Vollidiot" → "volidiot"). Lists and texts go through the same function, so they
/// meet.
pub fn canonical(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars().flat_map(char::to_lowercase) {
        let c = match c {
            '0' => 'o',
            '1' | '!' | '|' => 'i',
            '3' | '€' => 'e',
            '4' | '@' => 'a',
            '5' | '$' => 's',
            '7' => 't',
            'ä' | 'à' | 'á' | 'â' => 'a',
            'ö' | 'ò' | 'ó' | 'ô' => 'o',
            'ü' | 'ù' | 'ú' | 'û' => 'u',
            'ß' => 's',
            'é' | 'è' | 'ê' => 'e',
            c if c.is_alphanumeric() => c,
            _ => continue,
        };
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    out
}

/// The words of a text for matching: split on spaces and punctuation, except that letters
/// spaced out with dots, hyphens, stars or spaces ("I.d.i.o.t", "d u m m") are joined again,
/// and leetspeak characters stay inside words ("1d10t", "@rschloch").
pub fn tokens(text: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let is_word = |c: char| c.is_alphanumeric() || matches!(c, '@' | '$' | '€' | '|');
    let mut raw: Vec<(String, std::ops::Range<usize>)> = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
        match (is_word(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                raw.push((text[s..i].to_string(), s..i));
                start = None;
            }
            _ => {}
        }
    }
    // Join runs of single characters separated by one separator: "I.d.i.o.t" → "Idiot".
    let mut out: Vec<(String, std::ops::Range<usize>)> = Vec::new();
    let mut i = 0;
    while i < raw.len() {
        let mut j = i;
        while j + 1 < raw.len()
            && raw[j].0.chars().count() == 1
            && raw[j + 1].0.chars().count() == 1
            && raw[j + 1].1.start - raw[j].1.end <= 1
        {
            j += 1;
        }
        if j >= i + 2 {
            let joined: String = raw[i..=j].iter().map(|(w, _)| w.as_str()).collect();
            out.push((joined, raw[i].1.start..raw[j].1.end));
            i = j + 1;
        } else {
            out.push(raw[i].clone());
            i += 1;
        }
    }
    out
}

/// German inflection endings that may follow a listed word ("Idioten", "Deppen").
const ENDINGS: &[&str] = &["", "e", "en", "er", "es", "em", "n", "s", "in", "inen", "ern", "ist", "isch", "ische"];

impl Lexicon {
    /// Parses word lists: `[slur]`, `[dehumanising]`, `[insult]` and `[attack]` sections, one
    /// entry per line, `#` comments.
    pub fn add_demeaning(&mut self, text: &str, compounds: bool) {
        let mut kind = Some(Kind::Insult);
        let mut attack = false;
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match line {
                "[slur]" => (kind, attack) = (Some(Kind::Slur), false),
                "[dehumanising]" => (kind, attack) = (Some(Kind::Dehumanising), false),
                "[insult]" => (kind, attack) = (Some(Kind::Insult), false),
                "[attack]" => (kind, attack) = (None, true),
                _ if line.starts_with('[') => (kind, attack) = (None, false),
                _ if attack => {
                    let words: Vec<String> =
                        line.split_whitespace().map(|w| if w == "*" { "*".into() } else { canonical(w) }).collect();
                    if !words.is_empty() {
                        self.attacks.push(Attack { words, text: line.to_string() });
                    }
                }
                _ => {
                    if let Some(kind) = kind {
                        let word = canonical(line);
                        if word.chars().count() >= 3 {
                            if compounds && word.chars().count() >= 5 {
                                self.stems.entry(word.clone()).or_insert(kind);
                            }
                            self.words.entry(word).or_insert(kind);
                        }
                    }
                }
            }
        }
    }

    pub fn add_spam(&mut self, text: &str) {
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let words: Vec<String> = line.split_whitespace().map(canonical).filter(|w| !w.is_empty()).collect();
            if !words.is_empty() {
                self.spam.push(words);
            }
        }
    }

    /// The demeaning word a canonical token is or ends with (German compounds such as
    /// "Vollidiot", inflections such as "Idioten"), if any.
    pub fn demeaning(&self, token: &str) -> Option<(&str, Kind)> {
        if let Some((word, kind)) = self.words.get_key_value(token) {
            return Some((word, *kind));
        }
        // Any listed word with an ending: "Idioten", "morons".
        for ending in ENDINGS.iter().filter(|e| !e.is_empty()) {
            if let Some((word, kind)) = token.strip_suffix(ending).and_then(|head| self.words.get_key_value(head)) {
                return Some((word, *kind));
            }
        }
        // The last part of a German compound ("Vollidiot", "Drecksäcke"), for stems of five
        // letters or more after a head of three or more, so short words do not match inside
        // harmless ones. Longest stem first.
        for ending in ENDINGS {
            let Some(head) = token.strip_suffix(ending) else { continue };
            for (start, _) in head.char_indices().skip(3) {
                let tail = &head[start..];
                if tail.len() < 5 {
                    break;
                }
                if let Some((stem, kind)) = self.stems.get_key_value(tail) {
                    return Some((stem, *kind));
                }
            }
        }
        None
    }

    /// Whether a canonical token sequence starting at `at` matches `phrase`; `*` takes a
    /// demeaning word.
    pub fn phrase_at(&self, tokens: &[String], at: usize, phrase: &[String]) -> bool {
        phrase.len() <= tokens.len() - at
            && phrase
                .iter()
                .zip(&tokens[at..])
                .all(|(p, t)| if p == "*" { self.demeaning(t).is_some() } else { p == t })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexicon() -> Lexicon {
        let mut l = Lexicon::default();
        l.add_demeaning("[insult]\nidiot\ndepp\n[slur]\nschmutzwort\n[attack]\ndu bist ein *\nhalt die klappe\n", true);
        l.add_demeaning("[insult]\nloser\n", false);
        l
    }

    #[test]
    fn sees_through_obfuscation() {
        let l = lexicon();
        for written in ["Idiot", "IDIOOOT", "1d10t", "Idioten", "Vollidiot", "Deppen", "i d i o t"] {
            let words: Vec<String> = tokens(written).into_iter().map(|(w, _)| canonical(&w)).collect();
            assert!(words.iter().any(|w| l.demeaning(w).is_some()), "{written}: {words:?}");
        }
        let dotted: Vec<String> = tokens("Du I.d.i.o.t!").into_iter().map(|(w, _)| canonical(&w)).collect();
        assert_eq!(dotted, ["du", "idiot"]);
    }

    #[test]
    fn harmless_words_pass() {
        let l = lexicon();
        for word in ["idiotensicher", "patriot", "deppert", "depot", "Vollidiotensicher", "zahnloser", "kostenloser"] {
            assert!(l.demeaning(&canonical(word)).is_none(), "{word}");
        }
    }

    #[test]
    fn attack_phrases_take_a_demeaning_word() {
        let l = lexicon();
        let words: Vec<String> = tokens("Du bist ein Depp").into_iter().map(|(w, _)| canonical(&w)).collect();
        assert!(l.phrase_at(&words, 0, &l.attacks[0].words));
        let words: Vec<String> = tokens("Du bist ein Forscher").into_iter().map(|(w, _)| canonical(&w)).collect();
        assert!(!l.phrase_at(&words, 0, &l.attacks[0].words));
    }
}
