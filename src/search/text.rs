//! Text analysis shared by the similarity engine and comment moderation: words, lower case,
//! German letters folded, stop words dropped, Snowball stems for German and English.

use rust_stemmers::{Algorithm, Stemmer};
use std::sync::LazyLock;

use crate::config::Language;

static GERMAN: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::German));
static ENGLISH: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// Words that say nothing about a text's topic, German and English together (comments mix
/// them), including the evaluative words readers use on any article ("gut", "danke", "great").
const STOP_WORDS: &[&str] = &[
    // German function words
    "aber",
    "alle",
    "allem",
    "allen",
    "aller",
    "alles",
    "als",
    "also",
    "am",
    "an",
    "ander",
    "andere",
    "anderen",
    "auch",
    "auf",
    "aus",
    "bei",
    "beim",
    "bin",
    "bis",
    "bist",
    "da",
    "damit",
    "dann",
    "das",
    "dass",
    "dein",
    "deine",
    "dem",
    "den",
    "denn",
    "der",
    "des",
    "dessen",
    "die",
    "dies",
    "diese",
    "diesem",
    "diesen",
    "dieser",
    "dieses",
    "doch",
    "dort",
    "du",
    "durch",
    "ein",
    "eine",
    "einem",
    "einen",
    "einer",
    "eines",
    "er",
    "es",
    "etwas",
    "euch",
    "euer",
    "für",
    "gegen",
    "hab",
    "habe",
    "haben",
    "hat",
    "hatte",
    "hier",
    "hin",
    "ich",
    "ihm",
    "ihn",
    "ihnen",
    "ihr",
    "ihre",
    "ihrem",
    "ihren",
    "ihrer",
    "im",
    "in",
    "ins",
    "ist",
    "ja",
    "jede",
    "jedem",
    "jeden",
    "jeder",
    "jetzt",
    "kann",
    "kein",
    "keine",
    "keinen",
    "können",
    "könnte",
    "man",
    "mehr",
    "mein",
    "meine",
    "mich",
    "mir",
    "mit",
    "muss",
    "müssen",
    "nach",
    "nicht",
    "nichts",
    "noch",
    "nun",
    "nur",
    "ob",
    "oder",
    "ohne",
    "schon",
    "sehr",
    "sein",
    "seine",
    "seinem",
    "seinen",
    "sich",
    "sie",
    "sind",
    "so",
    "solche",
    "soll",
    "sollte",
    "sondern",
    "über",
    "um",
    "und",
    "uns",
    "unser",
    "unter",
    "viel",
    "vom",
    "von",
    "vor",
    "war",
    "waren",
    "was",
    "weil",
    "welche",
    "wenn",
    "wer",
    "werden",
    "wie",
    "wieder",
    "will",
    "wir",
    "wird",
    "wo",
    "wurde",
    "wurden",
    "zu",
    "zum",
    "zur",
    "zwar",
    "zwischen",
    "sagt",
    "sagte",
    "laut",
    "etwa",
    "rund",
    "bereits",
    "seit",
    "sei",
    "seien",
    "wäre",
    "würde",
    "würden",
    "gibt",
    "geht",
    "immer",
    "ganz",
    "einfach",
    "mal",
    "eben",
    // evaluative words of comments on any topic
    "artikel",
    "beitrag",
    "danke",
    "dank",
    "gut",
    "gute",
    "guter",
    "gutes",
    "super",
    "toll",
    "klasse",
    "prima",
    "schlecht",
    "interessant",
    "endlich",
    "meinung",
    "finde",
    "denke",
    "glaube",
    "wirklich",
    "genau",
    "richtig",
    "falsch",
    "schön",
    "bitte",
    "hallo",
    "leider",
    "natürlich",
    "zustimmen",
    "stimme",
    "lesen",
    "gelesen",
    // English function words
    "a",
    "about",
    "after",
    "all",
    "also",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "been",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "for",
    "from",
    "had",
    "has",
    "have",
    "he",
    "her",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "just",
    "more",
    "most",
    "my",
    "no",
    "not",
    "of",
    "on",
    "one",
    "or",
    "our",
    "out",
    "she",
    "so",
    "some",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "to",
    "up",
    "us",
    "was",
    "we",
    "were",
    "what",
    "when",
    "which",
    "who",
    "will",
    "with",
    "would",
    "you",
    "your",
    "article",
    "thanks",
    "thank",
    "good",
    "great",
    "nice",
    "bad",
    "interesting",
    "really",
    "think",
    "agree",
    "read",
    "please",
    "very",
    "well",
];

static STOP: LazyLock<std::collections::HashSet<&'static str>> = LazyLock::new(|| STOP_WORDS.iter().copied().collect());

/// Frequent words that tell German from English.
const GERMAN_MARKERS: &[&str] = &[
    "der", "die", "das", "und", "ist", "nicht", "ein", "eine", "ich", "sie", "es", "mit", "auf", "für", "sich", "auch",
    "dem", "den", "von", "zu", "im", "noch", "wie", "aber", "wenn", "dass", "sind", "wird", "bei", "nur",
];
const ENGLISH_MARKERS: &[&str] = &[
    "the", "and", "is", "not", "a", "an", "it", "with", "on", "for", "this", "that", "of", "to", "in", "are", "be",
    "was", "have", "has", "but", "if", "they", "you", "would", "what", "about", "just", "so", "only",
];

/// The language a short text is most likely in, from its most frequent words; `None` when it
/// has too few of them to tell.
pub fn guess_language(text: &str) -> Option<Language> {
    let (mut german, mut english) = (0, 0);
    for word in words(text) {
        german += usize::from(GERMAN_MARKERS.contains(&word.as_str()));
        english += usize::from(ENGLISH_MARKERS.contains(&word.as_str()));
    }
    match (german, english) {
        (g, e) if g >= 2 && g > e * 2 => Some(Language::De),
        (g, e) if e >= 2 && e > g * 2 => Some(Language::En),
        _ => None,
    }
}

/// The words of `text`, lower-cased: runs of letters and digits (a hyphen inside a word
/// splits it, as German compounds with hyphens are usually two topics).
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase)
}

/// Folds German letters so that "Größe", "groesse" and "grosse" meet: ä→ae, ö→oe, ü→ue, ß→ss.
pub fn fold(word: &str) -> String {
    let mut out = String::with_capacity(word.len() + 4);
    for c in word.chars() {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            c => out.push(c),
        }
    }
    out
}

pub fn is_stop_word(word: &str) -> bool {
    STOP.contains(word)
}

/// Writes "ae", "oe", "ue" as the umlauts they stand for (not "ue" after "q"), as Snowball's
/// German2 variant does, so "Groesse" and "Größe" get the same stem.
fn umlauts(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut chars = word.chars().peekable();
    let mut previous = ' ';
    while let Some(c) = chars.next() {
        let umlaut = match (c, chars.peek()) {
            ('a', Some('e')) => Some('ä'),
            ('o', Some('e')) => Some('ö'),
            ('u', Some('e')) if previous != 'q' => Some('ü'),
            _ => None,
        };
        match umlaut {
            Some(u) => {
                chars.next();
                out.push(u);
                previous = u;
            }
            None => {
                out.push(c);
                previous = c;
            }
        }
    }
    out
}

/// For each of `wanted` (terms, as [`terms`] makes them), the first word of `text` with that
/// term, as written there; a term no word has is left out. Turns stems back into words a
/// person recognises ("fruhjahr" into "Frühjahr").
pub fn written_forms(text: &str, language: Language, wanted: &[String]) -> Vec<String> {
    let mut found: Vec<Option<&str>> = vec![None; wanted.len()];
    for (start, end) in word_spans(text) {
        let word = &text[start..end];
        let lower = word.to_lowercase();
        if !is_term(&lower) {
            continue;
        }
        let term = stem(&lower, language);
        if let Some(i) = wanted.iter().position(|w| *w == term)
            && found[i].is_none()
        {
            found[i] = Some(word);
        }
    }
    found.into_iter().flatten().map(String::from).collect()
}

/// Index terms of `text`: words without stop words, stemmed for `language`, then folded.
/// Numbers of fewer than three digits are dropped; they rarely name a topic.
pub fn terms(text: &str, language: Language) -> Vec<String> {
    words(text).filter(|w| is_term(w)).map(|w| stem(&w, language)).collect()
}

/// Whether a lower-case word becomes a term: not a stop word, not one letter, not a number of
/// fewer than three digits.
fn is_term(word: &str) -> bool {
    !is_stop_word(word) && word.chars().count() > 1 && !(word.len() < 3 && word.bytes().all(|b| b.is_ascii_digit()))
}

/// The term of one lower-case word.
fn stem(word: &str, language: Language) -> String {
    match language {
        Language::De => fold(&GERMAN.stem(&umlauts(word))),
        Language::En => fold(&ENGLISH.stem(word)),
    }
}

/// Where the words of `text` are: byte ranges of its runs of letters and digits.
pub fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                spans.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    spans
}

/// Every lower-case word one edit away from `word`: a letter left out, added, replaced, or two
/// neighbours swapped. Letters added or put in are those of German and English words.
pub fn one_edit(word: &str) -> Vec<String> {
    const LETTERS: &str = "abcdefghijklmnopqrstuvwxyzäöüß";
    let chars: Vec<char> = word.chars().collect();
    let joined = |parts: &[char]| parts.iter().collect::<String>();
    let mut found = Vec::with_capacity(chars.len() * 2 * LETTERS.len());
    for i in 0..=chars.len() {
        for letter in LETTERS.chars() {
            let mut added = chars.clone();
            added.insert(i, letter);
            found.push(joined(&added));
            if i < chars.len() && chars[i] != letter {
                let mut replaced = chars.clone();
                replaced[i] = letter;
                found.push(joined(&replaced));
            }
        }
        if i < chars.len() {
            let mut dropped = chars.clone();
            dropped.remove(i);
            found.push(joined(&dropped));
        }
        if i + 1 < chars.len() && chars[i] != chars[i + 1] {
            let mut swapped = chars.clone();
            swapped.swap(i, i + 1);
            found.push(joined(&swapped));
        }
    }
    found.sort_unstable();
    found.dedup();
    found
}

/// Places with names of their own in German and English (all lower case): a dateline
/// "Köln" is found by "Cologne" too.
const EXONYMS: &[&[&str]] = &[
    &["köln", "cologne"],
    &["münchen", "munich"],
    &["nürnberg", "nuremberg"],
    &["hannover", "hanover"],
    &["braunschweig", "brunswick"],
    &["bayern", "bavaria"],
    &["sachsen", "saxony"],
    &["hessen", "hesse"],
    &["thüringen", "thuringia"],
    &["wien", "vienna"],
    &["zürich", "zurich"],
    &["genf", "geneva"],
    &["luxemburg", "luxembourg"],
    &["brüssel", "brussels"],
    &["prag", "prague"],
    &["warschau", "warsaw"],
    &["krakau", "krakow", "kraków"],
    &["danzig", "gdansk", "gdańsk"],
    &["breslau", "wroclaw", "wrocław"],
    &["kiew", "kyiv", "kiev"],
    &["moskau", "moscow"],
    &["rom", "rome"],
    &["mailand", "milan"],
    &["venedig", "venice"],
    &["neapel", "naples"],
    &["florenz", "florence"],
    &["lissabon", "lisbon"],
    &["athen", "athens"],
    &["kopenhagen", "copenhagen"],
    &["belgrad", "belgrade"],
    &["bukarest", "bucharest"],
    &["peking", "beijing"],
];

/// The terms of a dateline's places, in every spelling readers type them: as written, with
/// umlauts as ae/oe/ue (the usual folding), with umlauts as plain vowels ("Dusseldorf"), and
/// by their other language's name ("Cologne").
pub fn place_terms(places: &str) -> Vec<String> {
    let plain: String = places
        .chars()
        .flat_map(|c| match c {
            'ä' | 'Ä' => vec!['a'],
            'ö' | 'Ö' => vec!['o'],
            'ü' | 'Ü' => vec!['u'],
            'ß' => vec!['s', 's'],
            c => vec![c],
        })
        .collect();
    let named: Vec<String> = words(places)
        .flat_map(|w| {
            let group = EXONYMS.iter().find(|names| names.contains(&w.as_str()));
            group.map(|names| names.iter().map(|n| n.to_string()).collect()).unwrap_or_else(|| vec![w])
        })
        .collect();
    let mut found: Vec<String> = named.iter().cloned().chain(words(&plain)).flat_map(|w| query_terms(&w)).collect();
    found.sort_unstable();
    found.dedup();
    found
}

/// The two halves of a German compound ("krankenhausreform": "krankenhaus", "reform").
pub fn compound_halves(word: &str) -> Option<(String, String)> {
    let dictionary = super::compounds::german()?;
    as_written(word, |w| dictionary.halves(w))
}

/// Every language an article can be written in: a query is analysed in each.
pub const LANGUAGES: [Language; 2] = [Language::De, Language::En];

/// The terms one query word may stand for: its term in each language (one when they agree);
/// empty for stop words.
pub fn query_terms(word: &str) -> Vec<String> {
    let word = word.to_lowercase();
    if !is_term(&word) {
        return Vec::new();
    }
    let mut found: Vec<String> = LANGUAGES.iter().map(|l| stem(&word, *l)).collect();
    found.dedup();
    found
}

/// The terms of the parts of `text`'s German compounds ("Tennisturnier" gives "tennis" and
/// "turni"), each once; nothing for English, whose compounds are written apart.
pub fn compound_terms(text: &str, language: Language) -> Vec<String> {
    if language != Language::De {
        return Vec::new();
    }
    let mut found: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for word in words(text) {
        if word.chars().count() >= 8 && is_term(&word) && seen.insert(word.clone()) {
            found.extend(part_terms(&word));
        }
    }
    found.sort_unstable();
    found.dedup();
    found
}

/// The terms of the parts of one lower-case German word (see [`super::compounds`]),
/// remembered: an archive repeats its words, and a rebuild splits and stems each only once.
fn part_terms(word: &str) -> Vec<String> {
    static SPLITS: LazyLock<parking_lot::Mutex<std::collections::HashMap<String, Vec<String>>>> =
        LazyLock::new(Default::default);
    const REMEMBERED: usize = 200_000;
    let Some(dictionary) = super::compounds::german() else { return Vec::new() };
    if let Some(found) = SPLITS.lock().get(word) {
        return found.clone();
    }
    let parts = as_written(word, |w| Some(dictionary.split(w)).filter(|parts| !parts.is_empty())).unwrap_or_default();
    let found: Vec<String> = parts.iter().filter(|p| is_term(p)).map(|p| stem(p, Language::De)).collect();
    let mut splits = SPLITS.lock();
    if splits.len() >= REMEMBERED {
        splits.clear();
    }
    splits.insert(word.to_string(), found.clone());
    found
}

/// `read` of a German word as it is, else with its ae/oe/ue written as umlauts:
/// "Sicherheitsluecke" is "Sicherheitslücke", but "Steuerreform" has no "ü".
fn as_written<T>(word: &str, read: impl Fn(&str) -> Option<T>) -> Option<T> {
    read(word).or_else(|| {
        let written = umlauts(word);
        if written == word { None } else { read(&written) }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_inflections_meet() {
        assert_eq!(terms("Roboter", Language::De), terms("Robotern", Language::De));
        assert_eq!(terms("Pflegeroboters", Language::De), terms("Pflegeroboter", Language::De));
        assert_eq!(terms("Größe", Language::De), terms("Groesse", Language::De));
        assert_eq!(terms("Größe", Language::De), terms("Grosse", Language::De));
        assert_eq!(terms("Quelle", Language::De), terms("Quellen", Language::De));
    }

    #[test]
    fn stems_go_back_to_the_words_as_written() {
        let text = "Im Frühjahr fehlten Nachtdienste, sagt die Pflegerin.";
        let wanted = terms("Frühjahrs Nachtdienst Garten", Language::De);
        assert_eq!(written_forms(text, Language::De, &wanted), ["Frühjahr", "Nachtdienste"]);
    }

    #[test]
    fn guesses_german_and_english() {
        assert_eq!(guess_language("Das ist nicht die Lösung, aber ein Anfang."), Some(Language::De));
        assert_eq!(guess_language("This is not the answer, but it is a start."), Some(Language::En));
        assert_eq!(guess_language("Danke!"), None);
    }

    #[test]
    fn stop_words_and_short_numbers_go() {
        assert_eq!(terms("Das ist ein guter Artikel, danke!", Language::De), Vec::<String>::new());
        assert_eq!(terms("Über 42 Roboter seit 2026", Language::De).len(), 2);
    }
}
