//! Which country a remote job is open to, for the `applicantLocationRequirements` Google for
//! Jobs requires of fully remote postings.
//!
//! A listing has one free-text location. For a remote job it names either the employer's
//! office ("Darmstadt"), the country applicants may live in ("Deutschland", "bundesweit") or
//! nothing in particular ("Remote"). A country named there is the requirement; otherwise the
//! publication's own country is, taken from its time zone (a German site's remote jobs are
//! meant for readers in Germany), and failing that from its language, as `og:locale` does.

use crate::config::Language;

/// A country, by its ISO 3166-1 code and English name (the form Google's examples use).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Country {
    pub code: &'static str,
    pub name: &'static str,
}

const fn country(code: &'static str, name: &'static str) -> Country {
    Country { code, name }
}

const GERMANY: Country = country("DE", "Germany");
const UNITED_STATES: Country = country("US", "United States");

/// Countries an editor or a partner feed is likely to write as a location, with the names
/// (lower case) they may be written as.
const NAMED: &[(Country, &[&str])] = &[
    (GERMANY, &["deutschland", "germany", "bundesweit", "deutschlandweit", "brd"]),
    (country("AT", "Austria"), &["österreich", "oesterreich", "austria", "österreichweit"]),
    (country("CH", "Switzerland"), &["schweiz", "switzerland", "suisse", "svizzera", "schweizweit"]),
    (country("LI", "Liechtenstein"), &["liechtenstein"]),
    (country("LU", "Luxembourg"), &["luxemburg", "luxembourg"]),
    (country("NL", "Netherlands"), &["niederlande", "netherlands", "holland"]),
    (country("BE", "Belgium"), &["belgien", "belgium"]),
    (country("FR", "France"), &["frankreich", "france"]),
    (country("IT", "Italy"), &["italien", "italy", "italia"]),
    (country("ES", "Spain"), &["spanien", "spain", "españa"]),
    (country("PT", "Portugal"), &["portugal"]),
    (country("PL", "Poland"), &["polen", "poland", "polska"]),
    (country("CZ", "Czechia"), &["tschechien", "czechia", "czech republic"]),
    (country("DK", "Denmark"), &["dänemark", "daenemark", "denmark"]),
    (country("SE", "Sweden"), &["schweden", "sweden"]),
    (country("NO", "Norway"), &["norwegen", "norway"]),
    (country("FI", "Finland"), &["finnland", "finland"]),
    (country("IE", "Ireland"), &["irland", "ireland"]),
    (
        country("GB", "United Kingdom"),
        &["uk", "united kingdom", "vereinigtes königreich", "großbritannien", "great britain"],
    ),
    (UNITED_STATES, &["us", "usa", "united states", "vereinigte staaten", "united states of america"]),
    (country("CA", "Canada"), &["kanada", "canada"]),
    (country("AU", "Australia"), &["australien", "australia"]),
];

/// Locations that say "anywhere" rather than naming a place.
const NOWHERE_IN_PARTICULAR: &[&str] = &[
    "remote",
    "100% remote",
    "fully remote",
    "remote only",
    "home office",
    "homeoffice",
    "home-office",
    "mobiles arbeiten",
    "ortsunabhängig",
    "ortsunabhaengig",
    "anywhere",
    "überall",
    "worldwide",
    "weltweit",
];

/// Time zones of the countries above (where one zone means one country).
const ZONES: &[(&str, &str)] = &[
    ("Europe/Berlin", "DE"),
    ("Europe/Busingen", "DE"),
    ("Europe/Vienna", "AT"),
    ("Europe/Zurich", "CH"),
    ("Europe/Vaduz", "LI"),
    ("Europe/Luxembourg", "LU"),
    ("Europe/Amsterdam", "NL"),
    ("Europe/Brussels", "BE"),
    ("Europe/Paris", "FR"),
    ("Europe/Rome", "IT"),
    ("Europe/Madrid", "ES"),
    ("Europe/Lisbon", "PT"),
    ("Europe/Warsaw", "PL"),
    ("Europe/Prague", "CZ"),
    ("Europe/Copenhagen", "DK"),
    ("Europe/Stockholm", "SE"),
    ("Europe/Oslo", "NO"),
    ("Europe/Helsinki", "FI"),
    ("Europe/Dublin", "IE"),
    ("Europe/London", "GB"),
    ("America/New_York", "US"),
    ("America/Chicago", "US"),
    ("America/Denver", "US"),
    ("America/Phoenix", "US"),
    ("America/Los_Angeles", "US"),
    ("America/Anchorage", "US"),
    ("America/Detroit", "US"),
    ("America/Boise", "US"),
    ("Pacific/Honolulu", "US"),
    ("America/Toronto", "CA"),
    ("America/Vancouver", "CA"),
    ("America/Edmonton", "CA"),
    ("America/Winnipeg", "CA"),
    ("America/Halifax", "CA"),
    ("America/St_Johns", "CA"),
    ("America/Regina", "CA"),
];

fn normalized(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

fn by_code(code: &str) -> Option<Country> {
    NAMED.iter().map(|(country, _)| *country).find(|c| c.code == code)
}

/// The country a location names, if it names one and nothing more.
pub fn named_in(location: &str) -> Option<Country> {
    let location = normalized(location);
    NAMED.iter().find(|(_, names)| names.contains(&location.as_str())).map(|(country, _)| *country)
}

/// Whether a location names no place at all ("Remote", "Homeoffice").
pub fn is_no_place(location: &str) -> bool {
    NOWHERE_IN_PARTICULAR.contains(&normalized(location).as_str())
}

/// The publication's country: from its time zone, else from its language.
pub fn of_site(time_zone: &str, language: Language) -> Country {
    let zoned = ZONES.iter().find(|(zone, _)| *zone == time_zone).and_then(|(_, code)| by_code(code));
    let american = ["America/Indiana/", "America/Kentucky/", "America/North_Dakota/"]
        .iter()
        .any(|prefix| time_zone.starts_with(prefix))
        .then_some(UNITED_STATES);
    let australian = time_zone.starts_with("Australia/").then(|| by_code("AU")).flatten();
    zoned.or(american).or(australian).unwrap_or(match language {
        Language::De => GERMANY,
        Language::En => UNITED_STATES,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_countries_and_placeholders() {
        assert_eq!(named_in(" Deutschland "), Some(GERMANY));
        assert_eq!(named_in("bundesweit"), Some(GERMANY));
        assert_eq!(named_in("Österreich").map(|c| c.code), Some("AT"));
        assert_eq!(named_in("Darmstadt"), None);
        assert!(is_no_place("Home Office") && is_no_place("REMOTE"));
        assert!(!is_no_place("Berlin"));
    }

    #[test]
    fn the_site_country_follows_its_time_zone_then_its_language() {
        assert_eq!(of_site("Europe/Berlin", Language::En), GERMANY);
        assert_eq!(of_site("Europe/Vienna", Language::De).code, "AT");
        assert_eq!(of_site("America/Indiana/Indianapolis", Language::De), UNITED_STATES);
        assert_eq!(of_site("Australia/Sydney", Language::En).code, "AU");
        assert_eq!(of_site("Asia/Tokyo", Language::De), GERMANY);
        assert_eq!(of_site("UTC", Language::En), UNITED_STATES);
    }

    #[test]
    fn every_zone_names_a_known_country() {
        for (zone, code) in ZONES {
            assert!(by_code(code).is_some(), "{zone}: {code}");
        }
    }
}
