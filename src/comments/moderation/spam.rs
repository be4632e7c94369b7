//! The spam rules: what marks a comment as advertising, fraud or a lure whatever its words
//! are. Links in every disguise (any top-level domain, shortened, spelt out as "dot com" or
//! spaced "w w w . x y z"), phone numbers, messenger handles, promised earnings, crypto
//! "recovery", and the list of advertising phrases (`moderation/spam.txt`).
//!
//! Each rule gives a weight and a reason; [`super::Score`] combines them. Written from the kinds
//! of spam the issue tracker and the training set (`moderation/train.jsonl`) name, never from the
//! held-out sets.

use std::collections::HashSet;

use super::lexicon::{Lexicon, canonical, tokens};
use super::{Reason, Signals};

/// A submission faster than this after the page was rendered looks automated.
pub const MIN_SECONDS_TO_WRITE: i64 = 3;

/// Generic top-level domains seen in comments; every two-letter (country) domain counts too.
const GENERIC_DOMAINS: &[&str] = &[
    "com",
    "net",
    "org",
    "info",
    "biz",
    "name",
    "pro",
    "mobi",
    "asia",
    "tel",
    "shop",
    "store",
    "online",
    "site",
    "website",
    "web",
    "xyz",
    "top",
    "club",
    "app",
    "dev",
    "page",
    "blog",
    "news",
    "live",
    "life",
    "world",
    "today",
    "link",
    "click",
    "bet",
    "win",
    "casino",
    "poker",
    "games",
    "game",
    "loan",
    "loans",
    "credit",
    "money",
    "cash",
    "finance",
    "financial",
    "investments",
    "trading",
    "market",
    "markets",
    "icu",
    "vip",
    "fun",
    "space",
    "tech",
    "digital",
    "cloud",
    "host",
    "email",
    "chat",
    "social",
    "dating",
    "love",
    "sexy",
    "porn",
    "sex",
    "adult",
    "cam",
    "webcam",
    "work",
    "jobs",
    "career",
    "guru",
    "expert",
    "agency",
    "services",
    "solutions",
    "support",
    "center",
    "help",
    "best",
    "cheap",
    "deals",
    "sale",
    "discount",
    "bargains",
    "gift",
    "gifts",
    "coupons",
    "promo",
    "bid",
    "review",
    "reviews",
    "stream",
    "download",
    "racing",
    "party",
    "date",
    "trade",
    "men",
    "kim",
    "ltd",
    "gmbh",
    "berlin",
    "hamburg",
    "koeln",
    "bayern",
    "wien",
    "swiss",
    "london",
    "nyc",
    "eu",
    "asia",
    "cyou",
    "sbs",
    "quest",
    "buzz",
    "monster",
    "rest",
    "bond",
    "skin",
    "hair",
    "beauty",
    "health",
    "care",
    "clinic",
    "pharmacy",
    "plus",
    "one",
    "zone",
    "network",
    "group",
    "company",
    "global",
    "media",
    "press",
    "ink",
    "lol",
    "wtf",
    "pw",
    "cc",
];

/// Endings of file names that are not web addresses ("main.rs", "README.md").
const FILE_ENDINGS: &[&str] = &["rs", "md", "py", "sh", "ts", "cs", "pl", "rb", "kt", "js", "go", "hs", "ml"];

/// Hosts that only forward to another address: the real destination is hidden.
const SHORTENERS: &[&str] = &[
    "bit.ly",
    "tinyurl.com",
    "t.me",
    "wa.me",
    "cutt.ly",
    "is.gd",
    "rebrand.ly",
    "goo.gl",
    "ow.ly",
    "buff.ly",
    "shorturl.at",
    "tiny.cc",
    "rb.gy",
    "t.co",
    "lnkd.in",
    "s.id",
    "v.gd",
    "shorte.st",
    "adf.ly",
    "bl.ink",
    "t.ly",
];

/// Top-level domains mostly used for gambling, quick loans and throwaway sites.
const RISKY_DOMAINS: &[&str] =
    &["bet", "casino", "win", "loan", "icu", "vip", "click", "top", "xyz", "cyou", "sbs", "quest", "poker", "sexy"];

/// A web address found in a comment.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// The host in lowercase ("bit.ly", "goalking.bet").
    pub host: String,
    /// Written with a scheme or `www.`, rather than as a bare name.
    pub explicit: bool,
}

/// The web addresses in a text: `http(s)://` and `www.` addresses and bare host names under any
/// country domain or a known generic one. Spelt-out forms ("example dot com", "w w w . x y z")
/// are found by [`despaced`] first; this function reads the text as written.
pub fn links(text: &str) -> Vec<Link> {
    let mut found = Vec::new();
    for word in text.split_whitespace() {
        let trimmed = word.trim_matches(|c: char| !(c.is_alphanumeric() || c == '/'));
        let lower = trimmed.to_lowercase();
        if lower.contains('@') {
            continue;
        }
        let (rest, explicit) = match lower.split_once("://") {
            Some((scheme, rest)) if scheme.ends_with("http") || scheme.ends_with("https") => (rest, true),
            Some(_) => continue,
            None => (lower.as_str(), lower.starts_with("www.")),
        };
        let host = rest.split(['/', '?', '#', ':']).next().unwrap_or_default().trim_end_matches('.');
        let host = host.strip_prefix("www.").unwrap_or(host);
        // Lower-casing can change a text's length ("İ"): the written form is cut on its own.
        let written_host = trimmed.split_once("://").map_or(trimmed, |(_, rest)| rest);
        if explicit && !host.is_empty() || is_host(host, written_host) {
            found.push(Link { host: host.to_string(), explicit });
        }
    }
    found
}

/// Whether `host` (lowercase) reads as a host name: labels of letters, digits and hyphens, the
/// last one a top-level domain. `written` is the same text as written, to tell "Ende.Das" (a
/// missing space) from a domain.
fn is_host(host: &str, written: &str) -> bool {
    if SHORTENERS.contains(&host) {
        return true;
    }
    let Some((name, tld)) = host.rsplit_once('.') else { return false };
    let written_tld = written.split(['/', '?', '#', ':']).next().unwrap_or_default().rsplit('.').next().unwrap_or("");
    let one_case = written_tld.chars().all(|c| c.is_lowercase()) || written_tld.chars().all(|c| c.is_uppercase());
    let known = tld.len() == 2 && !FILE_ENDINGS.contains(&tld) || GENERIC_DOMAINS.contains(&tld);
    known
        && one_case
        && tld.chars().all(|c| c.is_ascii_alphabetic())
        && name.len() >= 3
        && name.chars().any(|c| c.is_alphabetic())
        && name.split('.').all(|label| !label.is_empty() && label.chars().all(|c| c.is_alphanumeric() || c == '-'))
}

/// How many web addresses a text holds (the form's link limit counts these).
pub fn count_links(text: &str) -> usize {
    links(text).len()
}

/// The text with addresses spelt out undone: "beispiel dot com", "beispiel punkt de",
/// "name(at)example(dot)org", "w w w . beispiel . x y z" and "h t t p s : / /" become ordinary
/// addresses. Returns `None` when there was nothing to undo.
pub fn despaced(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    let mut out = lower.clone();
    for (from, to) in [
        ("(dot)", "."),
        ("[dot]", "."),
        ("{dot}", "."),
        ("(punkt)", "."),
        ("[punkt]", "."),
        ("(at)", "@"),
        ("[at]", "@"),
        ("{at}", "@"),
        (" dot ", "."),
        (" punkt ", "."),
        ("[.]", "."),
        ("(.)", "."),
    ] {
        out = out.replace(from, to);
    }
    // Single characters separated by single spaces ("w w w", "x y z", ": / /") are one word.
    let words: Vec<&str> = out.split(' ').collect();
    let mut joined = String::with_capacity(out.len());
    for (i, word) in words.iter().enumerate() {
        let single = |w: &str| w.chars().count() == 1 && w != "-";
        let glue = i > 0 && (single(word) || *word == ".") && (single(words[i - 1]) || words[i - 1] == ".")
            || i > 0 && *word == "." && !words[i - 1].is_empty()
            || i > 0 && words[i - 1] == "." && words.get(i.saturating_sub(2)).is_some_and(|w| !w.is_empty());
        if i > 0 && !glue {
            joined.push(' ');
        }
        joined.push_str(word);
    }
    // "kasino-vip . bet" and "beispiel .de": a lone dot between a name and a domain.
    let joined = joined.replace(" . ", ".").replace(" .", ".");
    (joined != lower).then_some(joined)
}

/// The spam rules' findings for a (folded) comment: (weight, reason) pairs.
pub fn rules(lexicon: &Lexicon, body: &str, signals: &Signals) -> Vec<(f64, Reason)> {
    let mut found: Vec<(f64, Reason)> = Vec::new();
    let mut all_links = links(body);
    let despaced_text = despaced(body);
    if let Some(text) = &despaced_text {
        let hidden: Vec<Link> = links(text).into_iter().filter(|l| !all_links.contains(l)).collect();
        if !hidden.is_empty() {
            found.push((0.55, Reason::new("hidden-address").text("host", hidden[0].host.clone())));
            all_links.extend(hidden);
        }
    }
    match all_links.len() {
        0 => {}
        n => {
            let weight = match n {
                1 => 0.2,
                2 => 0.45,
                _ => 0.8,
            };
            found.push((weight, Reason::new("links").number("count", n as f64)));
        }
    }
    if let Some(short) = all_links.iter().find(|l| SHORTENERS.contains(&l.host.as_str())) {
        found.push((0.5, Reason::new("shortened-link").text("host", short.host.clone())));
    }
    if let Some(risky) =
        all_links.iter().find(|l| l.host.rsplit_once('.').is_some_and(|(_, tld)| RISKY_DOMAINS.contains(&tld)))
    {
        found.push((0.4, Reason::new("risky-domain").text("host", risky.host.clone())));
    }
    let read = despaced_text.as_deref().unwrap_or(body);
    let raw = tokens(body);
    let words: Vec<String> = raw.iter().map(|(w, _)| canonical(w)).collect();
    for phrase in &lexicon.spam {
        if let Some(at) = (0..words.len()).find(|&at| words[at..].starts_with(phrase)) {
            // Quoted as written: the list holds canonical stems.
            let written = &body[raw[at].1.start..raw[at + phrase.len() - 1].1.end];
            found.push((0.45, Reason::new("spam-phrase").words(vec![written.to_string()])));
        }
    }
    if signals.repeat {
        found.push((0.7, Reason::new("repeat")));
    }
    if repeats_itself(&words) {
        found.push((0.5, Reason::new("repeats-itself")));
    }
    let lower = body.to_lowercase();
    if !all_links.is_empty()
        && ["jetzt", "hier", "now", "here", "click", "klick"].iter().any(|w| words.iter().any(|t| t == w))
    {
        found.push((0.3, Reason::new("call-to-action")));
    }
    if percent_offer(&lower) {
        found.push((0.35, Reason::new("percent-offer")));
    }
    let price = mentions_price(&lower);
    if price && !all_links.is_empty() {
        found.push((0.3, Reason::new("price-link")));
    }
    let phone = phone_number(body);
    if let Some(number) = &phone {
        found.push((0.45, Reason::new("phone").words(vec![number.clone()])));
    }
    let handle = messenger_handle(read);
    let messenger = words.iter().any(|w| MESSENGERS.contains(&w.as_str()));
    if let Some(handle) = &handle {
        found.push((0.35, Reason::new("handle").words(vec![handle.clone()])));
    }
    if messenger
        && (phone.is_some() || handle.is_some() || all_links.iter().any(|l| SHORTENERS.contains(&l.host.as_str())))
    {
        found.push((0.45, Reason::new("messenger")));
    }
    if let Some(address) = email_address(read) {
        found.push((0.3, Reason::new("email-address").words(vec![address])));
    }
    if promises_earnings(&words, price) {
        found.push((0.5, Reason::new("earnings")));
    }
    if crypto_recovery(&words) {
        found.push((0.6, Reason::new("recovery")));
    }
    if asks_for_private_contact(&words) && (phone.is_some() || handle.is_some() || price) {
        found.push((0.3, Reason::new("private-contact")));
    }
    if body.matches('!').count() >= 3 {
        found.push((0.2, Reason::new("exclamations")));
    }
    if signals.honeypot {
        found.push((1.0, Reason::new("honeypot")));
    }
    if let Some(seconds) = signals.seconds_to_write
        && seconds < MIN_SECONDS_TO_WRITE
    {
        found.push((0.6, Reason::new("too-fast").number("seconds", seconds as f64)));
    }
    found
}

/// Messenger names, in canonical form.
const MESSENGERS: &[&str] = &["telegram", "whatsap", "signal", "insta", "instagram", "snapchat", "viber", "wechat"];

/// Whether a run of three or more words occurs twice ("gratis gratis gratis! ... gratis").
pub fn repeats_itself(words: &[String]) -> bool {
    let mut seen = HashSet::new();
    words.windows(3).any(|w| !seen.insert(w))
}

/// "70% sparen", "save 60 percent", "100% garantiert" and the like.
fn percent_offer(lower: &str) -> bool {
    let offers = [
        "sparen",
        "rabatt",
        "reduziert",
        "save",
        "off",
        "discount",
        "garantiert",
        "guaranteed",
        "gewinn",
        "profit",
        "rendite",
        "return",
        "win",
        "treffer",
    ];
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

/// A price or sum of money: a number next to a currency ("$9", "199 Euro", "9,99 €", "£3k",
/// "300 €/Tag").
pub fn mentions_price(lower: &str) -> bool {
    let tokens: Vec<&str> = lower.split_whitespace().collect();
    let clean = |t: &str| t.trim_matches(|c: char| ",.;:!?()".contains(c)).to_string();
    let currency = |t: &str| {
        let t = clean(t);
        let t = t.split('/').next().unwrap_or_default();
        ["€", "$", "£", "eur", "euro", "usd", "dollar", "dollars", "btc", "eth"].contains(&t)
    };
    let number = |t: &str| clean(t).chars().any(|c| c.is_ascii_digit());
    tokens.iter().enumerate().any(|(i, t)| {
        let t = clean(t);
        (t.starts_with('$') || t.starts_with('€') || t.starts_with('£') || t.contains("€") || t.contains('$'))
            && t.chars().any(|c| c.is_ascii_digit())
            || currency(&t) && i > 0 && number(tokens[i - 1])
    })
}

/// A telephone number: starts with `+` or `0`, at least nine digits, grouped by spaces, hyphens,
/// slashes or brackets ("+49 151 0000 7765", "0176-12345678", "0900 0000 555").
fn phone_number(text: &str) -> Option<String> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (k, &(start, c)) in chars.iter().enumerate() {
        let boundary = k == 0 || !chars[k - 1].1.is_alphanumeric() && chars[k - 1].1 != '.' && chars[k - 1].1 != ',';
        if !boundary || !(c == '+' || c == '0') {
            continue;
        }
        let (mut digits, mut end, mut last_was_gap) = (0, start, false);
        for &(at, d) in &chars[k..] {
            if d.is_ascii_digit() {
                digits += 1;
                end = at + 1;
                last_was_gap = false;
            } else if (d == '+' && at == start) || (matches!(d, ' ' | '-' | '/' | '(' | ')') && !last_was_gap) {
                last_was_gap = d != '+';
            } else {
                break;
            }
        }
        let next = text[end..].chars().next();
        if (9..=15).contains(&digits)
            && !next.is_some_and(|n| n.is_alphanumeric() || n == ',' || n == '.' && digits < 9)
        {
            return Some(text[start..end].to_string());
        }
    }
    None
}

/// An `@handle` that is not part of an email address ("@EssayProHelp", "@laura_einsam_99").
fn messenger_handle(text: &str) -> Option<String> {
    text.split_whitespace()
        .map(|w| w.trim_matches(|c: char| ",.;:!?()\"'".contains(c)))
        .find(|w| {
            w.strip_prefix('@').is_some_and(|name| {
                name.len() >= 3 && name.chars().all(|c| c.is_alphanumeric() || c == '_') && !name.contains('@')
            })
        })
        .map(str::to_string)
}

/// An email address ("name@example.org", also once spelt out as "name(at)example(dot)org").
fn email_address(text: &str) -> Option<String> {
    text.split_whitespace().map(|w| w.trim_matches(|c: char| ",;:!?()<>\"'".contains(c))).find_map(|w| {
        let w = w.trim_end_matches('.');
        let (user, host) = w.split_once('@')?;
        (!user.is_empty() && host.contains('.') && is_host(&host.to_lowercase(), host)).then(|| w.to_string())
    })
}

/// Words (canonical, as prefixes) that promise money.
const EARN: &[&str] = &["verdien", "earn", "make", "made", "mache", "macht", "kasier", "profit", "einkom", "income"];
/// Words (canonical) that say how often or how easily.
const PER: &[&str] = &[
    "tag",
    "taglich",
    "woche",
    "wochentlich",
    "monat",
    "monatlich",
    "stunde",
    "day",
    "daily",
    "week",
    "weekly",
    "month",
    "monthly",
    "hour",
    "hause",
    "home",
    "nebenbei",
    "passiv",
    "pasives",
    "pasive",
    "laptop",
    "handy",
    "phone",
];

/// "Verdiene 500 € am Tag von zu Hause", "I make $400 a day": money, an earning verb and a period
/// or an easy place, close together.
fn promises_earnings(words: &[String], price: bool) -> bool {
    let earn = words.iter().position(|w| EARN.iter().any(|e| w.starts_with(e)));
    let Some(at) = earn else { return false };
    let near = &words[at.saturating_sub(8)..words.len().min(at + 12)];
    let per = near.iter().any(|w| PER.contains(&w.as_str()));
    let money = price || near.iter().any(|w| w.chars().any(|c| c.is_ascii_digit()) && w.len() >= 3);
    per && money
}

/// "Mr. Jensen from Asset Recovery got it all back", "hat mir alles zurückgeholt": lost money
/// and someone who brings it back.
fn crypto_recovery(words: &[String]) -> bool {
    let lost = ["krypto", "crypto", "bitcoin", "btc", "ethereum", "eth", "scam", "betrug", "betrogen", "scamed"];
    let back =
        ["recovery", "recover", "recovered", "zuruckgeholt", "zuruckbekomen", "ruckholung", "zuruckholen", "reclaim"];
    let has = |list: &[&str]| words.iter().any(|w| list.iter().any(|l| w.starts_with(l)));
    has(&lost) && has(&back)
}

/// "Schreib mir", "message me", "DM me", "PN an mich", "contact me", "kontaktiert mich".
fn asks_for_private_contact(words: &[String]) -> bool {
    let pairs = [
        ("schreib", "mir"),
        ("schreibt", "mir"),
        ("message", "me"),
        ("dm", "me"),
        ("text", "me"),
        ("contact", "me"),
        ("contact", "him"),
        ("contact", "her"),
        ("kontaktiert", "mich"),
        ("kontaktiere", "mich"),
        ("pn", "an"),
        ("whatsap", "me"),
        ("melde", "dich"),
        ("meldet", "euch"),
    ];
    words.windows(2).any(|w| pairs.iter().any(|(a, b)| w[0] == *a && w[1] == *b))
        || words.iter().any(|w| w == "kontakt" || w == "dm")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(text: &str) -> Vec<String> {
        links(text).into_iter().map(|l| l.host).collect()
    }

    #[test]
    fn finds_links_under_any_domain_and_not_file_names_or_typos() {
        assert_eq!(hosts("see https://a.example and www.b.de and https://www.c.org/x"), ["a.example", "b.de", "c.org"]);
        assert_eq!(
            hosts("Infos: krypto-boost.bet oder deals.com/x, aber nicht z.B. oder 3.5"),
            ["krypto-boost.bet", "deals.com"]
        );
        assert_eq!(hosts("bit.ly/abc und t.me/kanal"), ["bit.ly", "t.me"]);
        assert!(hosts("Steht in main.rs und README.md. Ende.Das war's, d.h. ca.30 Leute, Nr.1").is_empty());
        // Letters that grow when lower-cased ("İ") do not upset the reading.
        assert_eq!(hosts("İİİ://x İİ.İİ www.İstanbul.de"), ["i̇stanbul.de"]);
    }

    #[test]
    fn undoes_spelt_out_addresses() {
        assert_eq!(
            despaced("mehr auf w w w . homejob . x y z heute").as_deref(),
            Some("mehr auf www.homejob.xyz heute")
        );
        assert_eq!(despaced("umfragegeld-24 dot click").as_deref(), Some("umfragegeld-24.click"));
        assert_eq!(despaced("hacker(at)example(dot)org").as_deref(), Some("hacker@example.org"));
        assert_eq!(despaced("Ein ganz normaler Satz."), None);
    }

    #[test]
    fn finds_phone_numbers_not_years_or_sums() {
        assert_eq!(phone_number("WhatsApp +49 151 0000 7765 heute").as_deref(), Some("+49 151 0000 7765"));
        assert_eq!(phone_number("ruf an: 0176-12345678!").as_deref(), Some("0176-12345678"));
        assert_eq!(phone_number("Von 2019 bis 2024 stieg es um 1.000.000 Euro, 0,5 Prozent"), None);
        assert_eq!(phone_number("0 Tore"), None);
    }

    #[test]
    fn spam_without_links_is_found() {
        let lexicon = Lexicon::default();
        let weight = |text: &str| {
            let found = rules(&lexicon, text, &Signals::default());
            1.0 - found.iter().fold(1.0, |rest, (w, _)| rest * (1.0 - w))
        };
        assert!(weight("Verdiene 500 € am Tag von zu Hause aus! Schreib mir einfach") >= 0.5);
        assert!(weight("Contact me on Telegram @CryptoQueen_Mia for daily signals") >= 0.5);
        assert!(weight("Herr Wagner hat meine Bitcoins zurückgeholt, super Recovery") >= 0.5);
        assert!(weight("Die Regierung sollte mehr für Pflegekräfte tun, 500 € im Monat mehr wären fair.") < 0.5);
        assert!(weight("Telegram ist für viele Nachrichtenkanäle wichtig geworden.") < 0.5);
    }
}
