//! German compound splitting: "Tennisturnier" is also "Tennis" and "Turnier", so a search for
//! one part finds the compound and a compound finds texts that use its parts.
//!
//! The dictionary is `search/words.de.txt.gz`, built into the binary: German words from
//! igerman98 (GPL-2.0-or-later, see `search/README.md`), in three sections separated by an empty
//! line: nouns (which may stand anywhere in a compound, and alone may end one), other words of
//! five letters or more (which may only begin one: "pflege", "kranken"), and words never split
//! although they look like compounds ("verbraucher" is not a "Verb" that smokes). Each section is
//! sorted by bytes.
//!
//! A word is split when it is at least eight letters long and reads as parts of at least four
//! letters each, with the linking letters German puts between them ("Sicherheit-s-lücke").
//! The last part (the head) must be a noun (in any of its forms). Readings whose two sides are both words come first
//! ("krankenhaus|reform" before "kranken|hausreform"), then those where one side is itself a
//! compound; of several, the most even wins ("tennis|spielerin", not "tennisspiel|erin"). Each
//! side is split again in turn. Parts, and the inner compounds they form, are returned as
//! words, for the caller to stem.

use std::sync::LazyLock;

/// The dictionary built into the binary.
const BUILT_IN: &[u8] = include_bytes!("../../search/words.de.txt.gz");
/// Shortest part.
const MIN_PART: usize = 4;
/// Letters German puts between a compound's parts, longest first.
const LINKS: &[&str] = &["ens", "es", "en", "er", "ns", "s", "n", "e"];
/// Endings of nouns' plurals and cases.
const ENDINGS: &[&str] = &["nen", "ern", "en", "es", "er", "n", "e", "s"];
/// The most parts a word is split into.
const MAX_PARTS: usize = 4;

/// The words a compound may be made of.
pub struct Dictionary {
    text: String,
    /// Line ranges of the three sections in `text`.
    nouns: Vec<(u32, u32)>,
    modifiers: Vec<(u32, u32)>,
    whole: Vec<(u32, u32)>,
}

impl std::fmt::Debug for Dictionary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Dictionary({} nouns, {} modifiers)", self.nouns.len(), self.modifiers.len())
    }
}

static GERMAN: LazyLock<Option<Dictionary>> = LazyLock::new(|| match Dictionary::from_gzip(BUILT_IN) {
    Ok(dictionary) => Some(dictionary),
    Err(e) => {
        tracing::error!("the built-in German compound dictionary is unreadable ({e}); compounds are not split");
        None
    }
});

/// The built-in German dictionary; `None` (logged once) when it cannot be read.
pub fn german() -> Option<&'static Dictionary> {
    GERMAN.as_ref()
}

impl Dictionary {
    /// Reads a dictionary file as described in the module documentation.
    pub fn from_gzip(bytes: &[u8]) -> Result<Dictionary, String> {
        use std::io::Read as _;
        let mut text = String::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_string(&mut text)
            .map_err(|e| format!("not a gzipped UTF-8 word list: {e}"))?;
        Dictionary::from_text(text)
    }

    pub fn from_text(text: String) -> Result<Dictionary, String> {
        let mut sections: Vec<Vec<(u32, u32)>> = vec![Vec::new()];
        let mut start = 0usize;
        for line in text.split_inclusive('\n') {
            let word = line.trim_end_matches('\n');
            let range = (
                u32::try_from(start).map_err(|_| "too large")?,
                u32::try_from(start + word.len()).map_err(|_| "too large")?,
            );
            start += line.len();
            if word.is_empty() {
                sections.push(Vec::new());
                continue;
            }
            if word.chars().any(|c| !c.is_alphabetic() || c.is_uppercase()) {
                return Err(format!("{word:?} is not a lower-case word"));
            }
            sections.last_mut().expect("one section at least").push(range);
        }
        let [nouns, modifiers, whole]: [Vec<(u32, u32)>; 3] =
            sections.try_into().map_err(|s: Vec<_>| format!("{} sections instead of 3", s.len()))?;
        let dictionary = Dictionary { text, nouns, modifiers, whole };
        for (name, section) in
            [("nouns", &dictionary.nouns), ("modifiers", &dictionary.modifiers), ("whole words", &dictionary.whole)]
        {
            if section.windows(2).any(|w| dictionary.word(w[0]) >= dictionary.word(w[1])) {
                return Err(format!("the {name} are not sorted"));
            }
        }
        if dictionary.nouns.is_empty() {
            return Err("no nouns".into());
        }
        Ok(dictionary)
    }

    fn word(&self, (start, end): (u32, u32)) -> &str {
        &self.text[start as usize..end as usize]
    }

    fn has(&self, section: &[(u32, u32)], word: &str) -> bool {
        section.binary_search_by(|range| self.word(*range).cmp(word)).is_ok()
    }

    fn is_noun(&self, word: &str) -> bool {
        self.has(&self.nouns, word)
    }

    /// Whether `word` may end a compound: a noun, also with the endings of its plural and
    /// cases (the list has "Bett", not always "Betten"), or a long word of another kind, as
    /// nouns made of participles are ("Beauftragte").
    fn is_head(&self, word: &str) -> bool {
        self.is_noun(word)
            || ENDINGS
                .iter()
                .any(|e| word.strip_suffix(e).is_some_and(|w| w.chars().count() >= MIN_PART && self.is_noun(w)))
            || (word.chars().count() >= 9 && self.has(&self.modifiers, word))
    }

    /// Whether `word` may begin a compound: a noun or another word, as it is or without a
    /// linking letter.
    fn is_modifier(&self, word: &str) -> bool {
        let known = |w: &str| w.chars().count() >= MIN_PART && (self.is_noun(w) || self.has(&self.modifiers, w));
        known(word) || LINKS.iter().any(|link| word.strip_suffix(link).is_some_and(known))
    }

    /// The parts of a lower-case `word` and the inner compounds they form, first to last;
    /// empty when it is not a compound.
    ///
    /// ```
    /// let de = newsdesk::search::compounds::german().unwrap();
    /// assert_eq!(de.split("krankenhausreform"), ["krankenhaus", "kranken", "haus", "reform"]);
    /// ```
    pub fn split(&self, word: &str) -> Vec<String> {
        let mut parts = Vec::new();
        self.split_into(word, MAX_PARTS, &mut parts);
        parts
    }

    /// The modifier and head of a compound, each as a word; `None` when `word` is not one.
    pub fn halves(&self, word: &str) -> Option<(String, String)> {
        self.best_split(word, MAX_PARTS).map(|(modifier, head)| (modifier.to_string(), head.to_string()))
    }

    /// Appends the parts of `word` (and their own parts) to `parts`; whether it is a compound.
    fn split_into(&self, word: &str, max_parts: usize, parts: &mut Vec<String>) -> bool {
        let Some((modifier, head)) = self.best_split(word, max_parts) else { return false };
        for part in [modifier, head] {
            parts.push(part.to_string());
            self.split_into(part, max_parts - 1, parts);
        }
        true
    }

    /// The reading of `word` as a modifier and a head: one whose two sides are both words if
    /// there is one, else one whose sides are words or compounds; of several, the most even.
    fn best_split<'a>(&self, word: &'a str, max_parts: usize) -> Option<(&'a str, &'a str)> {
        if max_parts < 2 || word.chars().count() < 2 * MIN_PART || self.has(&self.whole, word) {
            return None;
        }
        let readings: Vec<(&str, &str)> = word
            .char_indices()
            .map(|(i, _)| word.split_at(i))
            .filter(|(modifier, head)| modifier.chars().count() >= MIN_PART && head.chars().count() >= MIN_PART)
            .collect();
        let evenness = |(modifier, head): &(&str, &str)| modifier.chars().count().min(head.chars().count());
        let direct = readings
            .iter()
            .filter(|(modifier, head)| self.is_head(head) && self.is_modifier(modifier))
            .max_by_key(|reading| evenness(reading));
        if let Some((modifier, head)) = direct {
            return Some((self.modifier_word(modifier), head));
        }
        readings
            .iter()
            .filter(|(modifier, head)| {
                let compound = |w: &str| self.best_split(w, max_parts - 1).is_some();
                (self.is_modifier(modifier) && compound(head)) || (self.is_head(head) && compound(modifier))
            })
            .max_by_key(|reading| evenness(reading))
            .map(|(modifier, head)| (self.modifier_word(modifier), *head))
    }

    /// A modifier as the word it is: without its linking letters when that leaves a noun
    /// ("sicherheits" is "Sicherheit"), else as written when that is a word.
    fn modifier_word<'a>(&self, modifier: &'a str) -> &'a str {
        let unlinked = |known: &dyn Fn(&str) -> bool| {
            LINKS
                .iter()
                .filter_map(|link| modifier.strip_suffix(link))
                .find(|w| w.chars().count() >= MIN_PART && known(w))
        };
        let other = |w: &str| self.has(&self.modifiers, w);
        unlinked(&|w| self.is_noun(w))
            .or_else(|| (self.is_noun(modifier) || other(modifier)).then_some(modifier))
            .or_else(|| unlinked(&other))
            .unwrap_or(modifier)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(word: &str) -> Vec<String> {
        german().expect("the built-in dictionary reads").split(word)
    }

    #[test]
    fn compounds_split_into_their_parts() {
        assert_eq!(split("tennisturnier"), ["tennis", "turnier"]);
        assert_eq!(split("tennisspielerin"), ["tennis", "spielerin"]);
        assert_eq!(split("sicherheitslücke"), ["sicherheit", "lücke"]);
        assert_eq!(split("pflegeroboter"), ["pflege", "roboter"]);
        assert_eq!(split("krankenhausreform"), ["krankenhaus", "kranken", "haus", "reform"]);
    }

    #[test]
    fn plain_words_stay_whole() {
        for word in ["tennis", "roboter", "verbraucher", "haus", "düsseldorf", "regierung"] {
            assert_eq!(split(word), Vec::<String>::new(), "{word}");
        }
    }

    #[test]
    fn a_damaged_dictionary_is_refused_with_the_reason() {
        assert!(Dictionary::from_gzip(b"not gzip").unwrap_err().contains("gzipped"));
        assert!(Dictionary::from_text("haus\nbaum\n\n\n".into()).unwrap_err().contains("sorted"));
        assert!(Dictionary::from_text("baum\nhaus\n".into()).unwrap_err().contains("sections"));
        assert!(Dictionary::from_text("Baum\n\n\n".into()).unwrap_err().contains("lower-case"));
        let small = Dictionary::from_text("baum\nhaus\n\n\n".into()).unwrap();
        assert_eq!(small.split("baumhaus"), ["baum", "haus"]);
    }
}
