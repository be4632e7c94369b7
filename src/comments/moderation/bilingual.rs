//! Meaning across languages and beyond the same words, for the off-topic score: German-English
//! word pairs (`moderation/de-en.tsv.gz`, from Frank Richter's Ding dictionary, GPL-2.0-or-later;
//! `scripts/bilingual-dictionary.py` writes it) let a comment's words be read in its article's
//! language. Each word of the comment is matched to the article through whichever of its
//! translations (or, in the article's own language, of its synonyms: the German words that share
//! an English translation with it) the article uses, so "battery" meets "Akku" and "Rodung"
//! meets "Abholzung"; a word none of whose readings the article has stays unmatched.
//!
//! The pairs are read and stemmed once, on first use, into two sorted term tables (a few
//! megabytes), not at start-up.

use std::collections::HashMap;
use std::io::Read as _;
use std::sync::OnceLock;

use crate::config::Language;
use crate::search::similarity::Vector;
use crate::search::text::terms;

/// The word pairs, one `German<TAB>English` per line, gzip-compressed.
const PAIRS: &[u8] = include_bytes!("../../../moderation/de-en.tsv.gz");
/// An English word with more German translations than this says too little to link two
/// German words as synonyms ("set", "run").
const SYNONYM_FANOUT: usize = 6;

/// The terms of one language, sorted, in one buffer.
#[derive(Debug, Default)]
struct Terms {
    text: String,
    ends: Vec<u32>,
}

impl Terms {
    fn get(&self, i: u32) -> &str {
        let i = i as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    fn find(&self, term: &str) -> Option<u32> {
        let (mut low, mut high) = (0, self.ends.len());
        while low < high {
            let middle = (low + high) / 2;
            match self.get(middle as u32).cmp(term) {
                std::cmp::Ordering::Less => low = middle + 1,
                std::cmp::Ordering::Greater => high = middle,
                std::cmp::Ordering::Equal => return Some(middle as u32),
            }
        }
        None
    }
}

/// The stems of one language's words while the pairs are read, numbered as first seen.
#[derive(Default)]
struct Stems<'a> {
    /// Each word's stem, or None when the word is no single term.
    of_word: HashMap<&'a str, Option<u32>>,
    ids: HashMap<String, u32>,
}

impl<'a> Stems<'a> {
    fn id(&mut self, word: &'a str, language: Language) -> Option<u32> {
        if let Some(known) = self.of_word.get(word) {
            return *known;
        }
        let mut found = terms(word, language);
        let stem = (found.len() == 1).then(|| found.pop()).flatten();
        let next = u32::try_from(self.ids.len()).expect("fewer than 4 billion stems");
        let id = stem.map(|stem| *self.ids.entry(stem).or_insert(next));
        self.of_word.insert(word, id);
        id
    }

    /// The stems that `used` names, sorted into [`Terms`], and each stem number's place there.
    fn finish(self, used: impl Iterator<Item = u32>) -> (Terms, Vec<u32>) {
        let mut wanted = vec![false; self.ids.len()];
        for id in used {
            wanted[id as usize] = true;
        }
        let mut stems: Vec<(String, u32)> = self.ids.into_iter().filter(|(_, id)| wanted[*id as usize]).collect();
        stems.sort_unstable();
        let mut place = vec![0u32; wanted.len()];
        let mut terms = Terms {
            text: String::with_capacity(stems.iter().map(|(s, _)| s.len()).sum()),
            ends: Vec::with_capacity(stems.len()),
        };
        for (index, (stem, id)) in stems.into_iter().enumerate() {
            terms.text.push_str(&stem);
            terms.ends.push(terms.text.len() as u32);
            place[id as usize] = index as u32;
        }
        (terms, place)
    }
}

/// The stemmed pairs, looked up from either side.
#[derive(Debug, Default)]
pub struct Dictionary {
    german: Terms,
    english: Terms,
    /// (German term, English term), sorted by the German one.
    by_german: Vec<(u32, u32)>,
    /// (English term, German term), sorted by the English one.
    by_english: Vec<(u32, u32)>,
}

impl Dictionary {
    /// The built-in pairs, read on first use.
    pub fn get() -> &'static Dictionary {
        static BUILT_IN: OnceLock<Dictionary> = OnceLock::new();
        BUILT_IN.get_or_init(Dictionary::read_built_in)
    }

    /// Reads the built-in pairs anew: what the first [`Dictionary::get`] of a process does.
    pub fn read_built_in() -> Dictionary {
        let mut text = String::new();
        // The file is part of the binary, checked by the tests: it cannot be unreadable.
        flate2::read::GzDecoder::new(PAIRS).read_to_string(&mut text).expect("moderation/de-en.tsv.gz is gzip text");
        Dictionary::parse(&text)
    }

    /// Pairs of one word each, `German<TAB>English` a line; a word that is no single term
    /// (a stop word, a hyphenated pair) is left out. Each distinct word is stemmed once and each
    /// stem kept once: the pairs are numbers until the end, so reading the 1.6 MB file does not
    /// pass through copies of every pair's words (which raised the server's peak at start by
    /// about 35 MiB).
    pub fn parse(text: &str) -> Dictionary {
        let (mut german, mut english) = (Stems::default(), Stems::default());
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        for (de, en) in text.lines().filter_map(|line| line.split_once('\t')) {
            let d = german.id(de, Language::De);
            if let (Some(d), Some(e)) = (d, english.id(en, Language::En)) {
                pairs.push((d, e));
            }
        }
        let (german, german_index) = german.finish(pairs.iter().map(|p| p.0));
        let (english, english_index) = english.finish(pairs.iter().map(|p| p.1));
        let mut by_german: Vec<(u32, u32)> =
            pairs.iter().map(|&(d, e)| (german_index[d as usize], english_index[e as usize])).collect();
        drop(pairs);
        by_german.sort_unstable();
        by_german.dedup();
        by_german.shrink_to_fit();
        let mut by_english: Vec<(u32, u32)> = by_german.iter().map(|&(d, e)| (e, d)).collect();
        by_english.sort_unstable();
        Dictionary { german, english, by_german, by_english }
    }

    /// The language of a text whose common words did not tell (`search::text::guess_language`):
    /// the one more of its words belong to alone, if clearly more do.
    pub fn language_of(&self, text: &str) -> Option<Language> {
        let (mut german, mut english) = (0, 0);
        for word in crate::search::text::words(text) {
            let known = |language, table: &Terms| {
                let mut found = terms(&word, language);
                found.len() == 1 && table.find(&found.pop().unwrap_or_default()).is_some()
            };
            match (known(Language::De, &self.german), known(Language::En, &self.english)) {
                (true, false) => german += 1,
                (false, true) => english += 1,
                _ => {}
            }
        }
        match (german, english) {
            (g, e) if g >= 2 && g > e * 2 => Some(Language::De),
            (g, e) if e >= 2 && e > g * 2 => Some(Language::En),
            _ => None,
        }
    }

    /// The bytes its tables take (the memory it holds once read).
    pub fn memory_bytes(&self) -> usize {
        let table = |t: &Terms| t.text.capacity() + t.ends.capacity() * 4;
        table(&self.german) + table(&self.english) + (self.by_german.capacity() + self.by_english.capacity()) * 8
    }

    /// How many term pairs it holds.
    pub fn len(&self) -> usize {
        self.by_german.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_german.is_empty()
    }

    fn sides(&self, from: Language) -> (&Terms, &Terms, &[(u32, u32)]) {
        match from {
            Language::De => (&self.german, &self.english, &self.by_german),
            Language::En => (&self.english, &self.german, &self.by_english),
        }
    }

    /// The terms of the other language that translate `term` (a term of `from`).
    pub fn translations(&self, term: &str, from: Language) -> Vec<&str> {
        let (own, other, pairs) = self.sides(from);
        let Some(id) = own.find(term) else { return Vec::new() };
        let start = pairs.partition_point(|&(a, _)| a < id);
        pairs[start..].iter().take_while(|&&(a, _)| a == id).map(|&(_, b)| other.get(b)).collect()
    }

    /// Terms of the same language that share a specific translation with `term`.
    pub fn synonyms(&self, term: &str, language: Language) -> Vec<&str> {
        let back = match language {
            Language::De => Language::En,
            Language::En => Language::De,
        };
        let mut found: Vec<&str> = Vec::new();
        for translation in self.translations(term, language) {
            let returns = self.translations(translation, back);
            if returns.len() <= SYNONYM_FANOUT {
                found.extend(returns.into_iter().filter(|t| *t != term));
            }
        }
        found.sort_unstable();
        found.dedup();
        found
    }

    /// Each of a comment's terms (written in `from`) as the article's language reads it: the
    /// term itself when the article has it, else whichever translation or synonym the article
    /// weighs most; a term with none in the article keeps its first translation (or itself).
    /// Returns (the comment's term, the article-language term) pairs, in order.
    pub fn align(&self, comment: &[String], from: Language, article: &Vector, to: Language) -> Vec<(String, String)> {
        comment
            .iter()
            .map(|term| {
                if article.weight(term) > 0.0 {
                    return (term.clone(), term.clone());
                }
                let candidates = if from == to { self.synonyms(term, from) } else { self.translations(term, from) };
                let best = candidates
                    .iter()
                    .map(|c| (*c, article.weight(c)))
                    .filter(|(_, w)| *w > 0.0)
                    .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(a.0)));
                let read = match best {
                    Some((c, _)) => c,
                    None if from == to => term.as_str(),
                    None => candidates.first().copied().unwrap_or(term.as_str()),
                };
                (term.clone(), read.to_string())
            })
            .collect()
    }

    /// The article-language terms a comment's words may be read as, for looking up how common
    /// they are: every translation of each (or the words themselves in the same language).
    pub fn readings(&self, comment: &[String], from: Language, to: Language) -> Vec<String> {
        if from == to {
            return comment.iter().flat_map(|t| self.synonyms(t, from)).map(str::to_string).collect();
        }
        comment.iter().flat_map(|t| self.translations(t, from)).map(str::to_string).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::similarity::Corpus;

    fn article(text: &str, language: Language) -> Vector {
        let terms = terms(text, language);
        Vector::from_terms(&terms, &Corpus::from_documents([terms.as_slice()]))
    }

    #[test]
    fn the_built_in_pairs_translate_both_ways() {
        let dictionary = Dictionary::get();
        assert!(dictionary.len() > 100_000, "{} pairs", dictionary.len());
        let battery = terms("Batterie", Language::De).pop().unwrap();
        assert!(dictionary.translations(&battery, Language::De).contains(&"batteri"), "{battery}");
        let robot = terms("robot", Language::En).pop().unwrap();
        let back = dictionary.translations(&robot, Language::En);
        assert!(back.contains(&terms("Roboter", Language::De)[0].as_str()), "{back:?}");
        // Synonyms through a shared, specific translation ("deforestation").
        let clearing = terms("Rodung", Language::De).pop().unwrap();
        let same = dictionary.synonyms(&clearing, Language::De);
        assert!(same.contains(&terms("Abholzung", Language::De)[0].as_str()), "{same:?}");
    }

    #[test]
    fn words_meet_the_article_through_translations_and_synonyms() {
        let dictionary = Dictionary::parse(
            "Abholzung\tdeforestation\nRodung\tdeforestation\nRodung\tclearing\nWald\tforest\nWald\twoods\nHund\tdog\n",
        );
        let text = article("Die Abholzung im Wald geht weiter", Language::De);
        let comment = terms("deforestation of the forest, and my dog", Language::En);
        let aligned = dictionary.align(&comment, Language::En, &text, Language::De);
        let read: Vec<&str> = aligned.iter().map(|(_, r)| r.as_str()).collect();
        assert_eq!(read, [terms("Abholzung", Language::De)[0].as_str(), "wald", "hund"], "{aligned:?}");
        // In the same language: "Rodung" shares "deforestation" with "Abholzung".
        let comment = terms("Die Rodung muss aufhören", Language::De);
        let aligned = dictionary.align(&comment, Language::De, &text, Language::De);
        assert_eq!(aligned[0].1, terms("Abholzung", Language::De)[0], "{aligned:?}");
    }
}
