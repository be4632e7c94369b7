//! User-interface texts from the Fluent files in `locales/`, and dates in the reader's language
//! and the publication's time zone.

use std::collections::HashMap;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use crate::config::Language;

pub struct I18n {
    bundles: HashMap<Language, FluentBundle<FluentResource>>,
}

impl std::fmt::Debug for I18n {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("I18n").field("languages", &self.bundles.keys().collect::<Vec<_>>()).finish()
    }
}

impl I18n {
    /// Loads the embedded `de.ftl` and `en.ftl`; a syntax error there is a build defect.
    pub fn load() -> anyhow::Result<I18n> {
        let mut bundles = HashMap::new();
        for language in Language::ALL {
            let file = format!("{}.ftl", language.code());
            let bytes = crate::embedded::find(crate::embedded::LOCALES, &file)
                .ok_or_else(|| anyhow::anyhow!("locale {file} missing"))?;
            let resource = FluentResource::try_new(String::from_utf8(bytes.to_vec())?)
                .map_err(|(_, errors)| anyhow::anyhow!("locale {file}: {errors:?}"))?;
            let mut bundle = FluentBundle::new_concurrent(vec![language.code().parse()?]);
            // Unicode isolation marks would show up inside HTML attributes and titles.
            bundle.set_use_isolating(false);
            bundle.add_resource(resource).map_err(|errors| anyhow::anyhow!("locale {file}: {errors:?}"))?;
            bundles.insert(language, bundle);
        }
        Ok(I18n { bundles })
    }

    /// The text for `key` with `args`; a missing key shows as the key itself, so it is noticed.
    pub fn text(&self, language: Language, key: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let bundle = &self.bundles[&language];
        let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
            tracing::warn!(key, language = language.code(), "missing translation");
            return key.to_string();
        };
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
        if !errors.is_empty() {
            tracing::warn!(key, ?errors, "translation arguments missing");
        }
        text.into_owned()
    }

    pub fn month_name(&self, language: Language, month: i8) -> String {
        self.text(language, &format!("month-{month}"), &[])
    }

    /// "3. November 2026" or "November 3, 2026".
    pub fn date(&self, language: Language, zoned: &jiff::Zoned) -> String {
        self.text(
            language,
            "date-long",
            &[
                ("day", zoned.day().to_string().into()),
                ("month", self.month_name(language, zoned.month()).into()),
                ("year", zoned.year().to_string().into()),
            ],
        )
    }

    /// "3. November 2026, 09:15 Uhr" or "November 3, 2026, 09:15".
    pub fn date_time(&self, language: Language, zoned: &jiff::Zoned) -> String {
        self.text(
            language,
            "date-time",
            &[("date", self.date(language, zoned).into()), ("time", zoned.strftime("%H:%M").to_string().into())],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(language: Language) -> Vec<String> {
        let file = format!("{}.ftl", language.code());
        let text = std::str::from_utf8(crate::embedded::find(crate::embedded::LOCALES, &file).unwrap()).unwrap();
        let mut keys: Vec<String> = text
            .lines()
            .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
            .filter_map(|l| l.split_once(" =").map(|(k, _)| k.to_string()))
            .collect();
        keys.sort();
        keys
    }

    #[test]
    fn every_language_has_every_key() {
        assert_eq!(keys(Language::De), keys(Language::En));
    }

    #[test]
    fn formats_dates_per_language() {
        let i18n = I18n::load().unwrap();
        let zoned: jiff::Zoned = "2026-03-05T09:07:00+01:00[Europe/Berlin]".parse().unwrap();
        assert_eq!(i18n.date_time(Language::De, &zoned), "5. März 2026, 09:07 Uhr");
        assert_eq!(i18n.date(Language::En, &zoned), "March 5, 2026");
    }

    #[test]
    fn plural_and_arguments() {
        let i18n = I18n::load().unwrap();
        assert_eq!(i18n.text(Language::De, "tag-count", &[("count", 1.into())]), "Ein Artikel");
        assert_eq!(i18n.text(Language::De, "tag-count", &[("count", 3.into())]), "3 Artikel");
        assert_eq!(i18n.text(Language::En, "tag-heading", &[("name", "AI".into())]), "Topic: AI");
    }
}
