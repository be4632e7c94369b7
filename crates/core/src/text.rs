//! Text rules every layer shares: the checks for links, site paths and dates that editors and
//! partner feeds give us, and HTML escaping.

/// An absolute `http(s)://` URL with a host, at most 2,000 characters, without spaces, quotes,
/// angle brackets or control characters.
pub fn is_web_link(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")) else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    url.len() <= 2000
        && !host.is_empty()
        && !host.starts_with('.')
        && host.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        && !url.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '\\'))
}

/// A path on this site (`/media/1/a.jpg`), the only kind of address pages load pictures from:
/// pages make no requests to other hosts. Browsers read `//host` and `/\host` as another host,
/// so those are not site paths; nor is anything with spaces, quotes, angle brackets or control
/// characters, which could break out of an attribute.
pub fn is_site_path(url: &str) -> bool {
    url.starts_with('/')
        && !url.starts_with("//")
        && !url.chars().any(|c| c == '\\' || c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>'))
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape_html(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// A calendar day `YYYY-MM-DD` as the Unix time its first second starts, in `zone`.
pub fn day_start(date: &str, zone: &jiff::tz::TimeZone) -> Option<i64> {
    let date: jiff::civil::Date = date.trim().parse().ok()?;
    date.to_zoned(zone.clone()).ok().map(|z| z.timestamp().as_second())
}

/// The Unix time a calendar day ends (the next day's first second), in `zone`.
pub fn day_end(date: &str, zone: &jiff::tz::TimeZone) -> Option<i64> {
    let date: jiff::civil::Date = date.trim().parse().ok()?;
    date.tomorrow().ok()?.to_zoned(zone.clone()).ok().map(|z| z.timestamp().as_second())
}

/// The calendar day of a Unix time in `zone`, as `YYYY-MM-DD`, for date inputs.
pub fn day_of(ts: i64, zone: &jiff::tz::TimeZone) -> String {
    jiff::Timestamp::from_second(ts).map(|t| t.to_zoned(zone.clone()).date().to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_paths_of_this_site_are_site_paths() {
        assert!(is_site_path("/media/1/bild.jpg"));
        assert!(is_site_path("/static/logo.svg"));
        for other in [
            "//tracker.example/a.jpg",
            "/\\tracker.example/a.jpg",
            "https://x.example/a.jpg",
            "media/a.jpg",
            "/a b.jpg",
            "/a\"onerror=\"x",
            "/a<b",
            "",
        ] {
            assert!(!is_site_path(other), "{other}");
        }
    }

    #[test]
    fn web_links() {
        assert!(is_web_link("https://jobs.example/apply?id=3"));
        assert!(is_web_link("http://localhost:8080/x"));
        for bad in
            ["javascript:alert(1)", "ftp://x", "https://", "https:// x", "https://a\"b", "//x.example", "mailto:a@b"]
        {
            assert!(!is_web_link(bad), "{bad}");
        }
    }

    #[test]
    fn days_in_berlin() {
        let zone = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
        let start = day_start("2026-03-01", &zone).unwrap();
        assert_eq!(start, 1_772_319_600);
        assert_eq!(day_end("2026-03-01", &zone).unwrap() - start, 86_400);
        assert_eq!(day_of(start, &zone), "2026-03-01");
        assert!(day_start("2026-02-30", &zone).is_none());
    }
}
