//! Reading a request's headers for the counts: the kind of device from the User-Agent, where the
//! reader came from from the Referer (its host only) and the campaign parameters, and the words
//! of a search.

/// The kind of device a page was read on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Device {
    Desktop,
    Mobile,
    Tablet,
    /// A crawler, feed reader or script: counted apart, never as a reader.
    Bot,
}

impl Device {
    pub const ALL: [Device; 4] = [Device::Desktop, Device::Mobile, Device::Tablet, Device::Bot];

    pub fn name(self) -> &'static str {
        match self {
            Device::Desktop => "desktop",
            Device::Mobile => "mobile",
            Device::Tablet => "tablet",
            Device::Bot => "bot",
        }
    }
}

/// Where a reader came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Medium {
    /// A search engine's results.
    Search,
    /// A social network or messenger.
    Social,
    /// A newsletter or another mail (campaign parameters, or a webmail's address).
    Newsletter,
    /// Another website.
    Link,
    /// Another page of this site.
    Internal,
    /// No referrer: typed, bookmarked, or from an app that sends none.
    Direct,
}

impl Medium {
    pub const ALL: [Medium; 6] =
        [Medium::Search, Medium::Social, Medium::Newsletter, Medium::Link, Medium::Internal, Medium::Direct];

    pub fn name(self) -> &'static str {
        match self {
            Medium::Search => "search",
            Medium::Social => "social",
            Medium::Newsletter => "newsletter",
            Medium::Link => "link",
            Medium::Internal => "internal",
            Medium::Direct => "direct",
        }
    }

    pub fn parse(name: &str) -> Option<Medium> {
        Medium::ALL.into_iter().find(|m| m.name() == name)
    }
}

/// The device class of a browser's User-Agent (crawlers are told apart before, by the bot
/// list). Tablets say so, or are Android without "Mobile", or an iPad; phones say "Mobi".
pub fn device(agent: &str) -> Device {
    let has = |needle: &str| agent.contains(needle);
    if has("iPad") || has("Tablet") || (has("Android") && !has("Mobile")) || has("Kindle") || has("Silk/") {
        Device::Tablet
    } else if has("Mobi") || has("iPhone") || has("iPod") || has("Opera Mini") || has("Windows Phone") {
        Device::Mobile
    } else {
        Device::Desktop
    }
}

/// The longest host kept.
const MAX_HOST: usize = 100;

/// The host of an absolute http(s) URL, lower case, without `www.`, port or user; `None` when
/// there is none or it is not a plausible host name (a forged header with anything in it).
pub fn referrer_host(url: &str) -> Option<String> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let host = match host.strip_prefix('[') {
        // An IPv6 address in brackets.
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.split(':').next().unwrap_or(""),
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    let plausible = !host.is_empty()
        && host.len() <= MAX_HOST
        && host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b':');
    plausible.then(|| host.to_string())
}

/// Hosts (or their last labels) of search engines.
const SEARCH_ENGINES: &[&str] = &[
    "google",
    "bing.com",
    "duckduckgo.com",
    "search.yahoo.com",
    "yandex",
    "ecosia.org",
    "qwant.com",
    "startpage.com",
    "baidu.com",
    "search.brave.com",
    "ask.com",
    "yahoo.com",
    "metager.de",
    "kagi.com",
    "seznam.cz",
    "naver.com",
    "perplexity.ai",
];

/// Hosts of social networks, link shorteners they use, and messengers.
const SOCIAL: &[&str] = &[
    "facebook.com",
    "fb.com",
    "instagram.com",
    "t.co",
    "twitter.com",
    "x.com",
    "linkedin.com",
    "lnkd.in",
    "reddit.com",
    "threads.net",
    "threads.com",
    "bsky.app",
    "news.ycombinator.com",
    "youtube.com",
    "pinterest.com",
    "tiktok.com",
    "t.me",
    "telegram.org",
    "whatsapp.com",
    "xing.com",
    "mastodon.social",
    "flipboard.com",
];

/// Webmail hosts: a reader who clicked a link in a mail.
const MAIL: &[&str] =
    &["mail.google.com", "outlook.live.com", "outlook.office.com", "mail.yahoo.com", "web.de", "gmx.net", "gmx.de"];

/// Whether `host` is `name` or one of its subdomains; a name without a dot (`google`) matches
/// that label anywhere (`google.de`, `news.google.co.uk`).
fn matches(host: &str, name: &str) -> bool {
    if !name.contains('.') {
        return host.split('.').any(|label| label == name);
    }
    host == name || host.strip_suffix(name).is_some_and(|rest| rest.ends_with('.'))
}

/// Where a reader came from: the kind and the referrer's host (empty when there is none or it
/// is this site). Campaign parameters (`utm_medium=email`, `utm_source=newsletter`) mark mail.
pub fn source(referrer: &str, query: Option<&str>, own_host: &str) -> (Medium, String) {
    let (medium, host) = referred_by(referrer, own_host);
    if is_campaign(query) { (Medium::Newsletter, host) } else { (medium, host) }
}

/// The kind of source a referrer says and its host (empty when there is none or it is this
/// site), campaign parameters aside.
pub fn referred_by(referrer: &str, own_host: &str) -> (Medium, String) {
    let host = referrer_host(referrer.trim());
    let medium = match host.as_deref() {
        None => Medium::Direct,
        Some(h) if h == own_host => Medium::Internal,
        Some(h) if MAIL.iter().any(|n| matches(h, n)) => Medium::Newsletter,
        Some(h) if SEARCH_ENGINES.iter().any(|n| matches(h, n)) => Medium::Search,
        Some(h) if SOCIAL.iter().any(|n| matches(h, n)) => Medium::Social,
        Some(_) => Medium::Link,
    };
    let host = match medium {
        Medium::Internal => String::new(),
        _ => host.unwrap_or_default(),
    };
    (medium, host)
}

/// Whether a page's query carries a mail campaign's parameters.
pub fn is_campaign(query: Option<&str>) -> bool {
    query.is_some_and(|q| {
        form_urlencoded::parse(q.as_bytes()).any(|(k, v)| {
            let v = v.to_ascii_lowercase();
            (k == "utm_medium" && (v == "email" || v == "newsletter")) || (k == "utm_source" && v == "newsletter")
        })
    })
}

/// The words searched for, from the search page's query: trimmed, lower case, spaces
/// collapsed, at most `max` bytes. `None` for an empty search and for later pages of a search
/// (the first page counts it).
pub fn search_term(query: Option<&str>, max: usize) -> Option<String> {
    let mut term = None;
    for (key, value) in form_urlencoded::parse(query?.as_bytes()) {
        match &*key {
            "q" => term = Some(value.into_owned()),
            "page" if value.trim() != "1" && !value.trim().is_empty() => return None,
            _ => {}
        }
    }
    let words: Vec<String> = term?.split_whitespace().map(str::to_lowercase).collect();
    let mut term = words.join(" ");
    if term.is_empty() {
        return None;
    }
    if term.len() > max {
        let mut end = max;
        while !term.is_char_boundary(end) {
            end -= 1;
        }
        term.truncate(end);
    }
    Some(term)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_are_told_by_their_user_agent() {
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
        let ipad = "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1";
        let android_phone = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36";
        let android_tablet = "Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
        assert_eq!(device(iphone), Device::Mobile);
        assert_eq!(device(ipad), Device::Tablet);
        assert_eq!(device(android_phone), Device::Mobile);
        assert_eq!(device(android_tablet), Device::Tablet);
        assert_eq!(device(firefox), Device::Desktop);
    }

    #[test]
    fn referrers_are_cut_to_a_plausible_host() {
        assert_eq!(referrer_host("https://www.Google.de/search?q=x").as_deref(), Some("google.de"));
        assert_eq!(referrer_host("http://user:pw@news.example.org:8080/a#b").as_deref(), Some("news.example.org"));
        assert_eq!(referrer_host("https://[2001:db8::1]:443/").as_deref(), Some("2001:db8::1"));
        assert_eq!(referrer_host("javascript:alert(1)"), None);
        assert_eq!(referrer_host("https://evil<script>.com/"), None);
        assert_eq!(referrer_host(&format!("https://{}.com/", "a".repeat(5000))), None, "a giant host is refused");
        assert_eq!(referrer_host("https:///path"), None);
    }

    #[test]
    fn sources_are_classed() {
        let own = "zeitung.example";
        assert_eq!(source("", None, own), (Medium::Direct, String::new()));
        assert_eq!(source("https://www.google.com/", None, own), (Medium::Search, "google.com".into()));
        assert_eq!(source("https://news.google.co.uk/x", None, own).0, Medium::Search);
        assert_eq!(source("https://l.facebook.com/l.php?u=x", None, own).0, Medium::Social);
        assert_eq!(source("https://t.co/abc", None, own).0, Medium::Social);
        assert_eq!(source("https://notgoogle.example/", None, own).0, Medium::Link, "a label, not a substring");
        assert_eq!(source("https://zeitung.example/tag/hafen", None, own), (Medium::Internal, String::new()));
        assert_eq!(source("https://mail.google.com/", None, own).0, Medium::Newsletter);
        assert_eq!(source("", Some("utm_source=newsletter&utm_medium=email"), own).0, Medium::Newsletter);
        assert_eq!(source("https://blog.example.net/post", None, own), (Medium::Link, "blog.example.net".into()));
        assert_eq!(source("not a url at all", None, own), (Medium::Direct, String::new()));
    }

    #[test]
    fn search_terms_are_normalised_and_counted_on_their_first_page() {
        assert_eq!(search_term(Some("q=+Hafen%20%20Kiel+"), 100).as_deref(), Some("hafen kiel"));
        assert_eq!(search_term(Some("q=Hafen&page=1"), 100).as_deref(), Some("hafen"));
        assert_eq!(search_term(Some("q=Hafen&page=2"), 100), None);
        assert_eq!(search_term(Some("q=+++"), 100), None);
        assert_eq!(search_term(None, 100), None);
        assert_eq!(search_term(Some("q=äöüäöü"), 5).as_deref(), Some("äö"), "cut at a character boundary");
    }
}
