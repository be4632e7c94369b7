//! The template environment: the embedded default theme, with `t(...)` for translated texts and
//! date filters that show times in the publication's time zone.

use std::sync::Arc;

use fluent_bundle::FluentValue;
use minijinja::value::{Kwargs, Value};
use minijinja::{Environment, Error, ErrorKind};

use crate::config::Language;
use crate::i18n::I18n;
use crate::text::escape_html;

/// Builds the environment for the site's interface language.
pub fn environment(
    i18n: Arc<I18n>,
    language: Language,
    time_zone: jiff::tz::TimeZone,
    globals: &[(&'static str, Value)],
) -> anyhow::Result<Environment<'static>> {
    let mut env = Environment::new();
    for (name, bytes) in crate::embedded::TEMPLATES {
        let source = std::str::from_utf8(bytes).map_err(|e| anyhow::anyhow!("template {name}: {e}"))?;
        env.add_template(name, source).map_err(|e| anyhow::anyhow!("template {name}: {e:#}"))?;
    }
    // Escape only what HTML needs (& < > " '); minijinja's default also escapes "/", which
    // makes every URL in the page longer and harder to read.
    env.set_formatter(|out, state, value| match value.as_str() {
        Some(text) if matches!(state.auto_escape(), minijinja::AutoEscape::Html) && !value.is_safe() => {
            out.write_str(&escape_html(text)).map_err(|e| Error::new(ErrorKind::WriteFailure, e.to_string()))
        }
        _ => minijinja::escape_formatter(out, state, value),
    });
    for (name, value) in globals {
        env.add_global(*name, value.clone());
    }

    let texts = i18n.clone();
    env.add_function("t", move |key: &str, kwargs: Kwargs| -> Result<String, Error> {
        let mut args: Vec<(&str, FluentValue<'_>)> = Vec::new();
        let names: Vec<&str> = kwargs.args().collect();
        for name in names {
            let value: Value = kwargs.get(name)?;
            let fluent = match i64::try_from(value.clone()) {
                Ok(n) if value.is_number() => FluentValue::from(n),
                _ => FluentValue::from(value.to_string()),
            };
            args.push((name, fluent));
        }
        Ok(texts.text(language, key, &args))
    });

    let zone = time_zone.clone();
    let dates = i18n.clone();
    env.add_filter("date", move |ts: i64| -> Result<String, Error> { Ok(dates.date(language, &zoned(ts, &zone)?)) });
    let zone = time_zone.clone();
    let dates = i18n.clone();
    env.add_filter("datetime", move |ts: i64| -> Result<String, Error> {
        Ok(dates.date_time(language, &zoned(ts, &zone)?))
    });
    let zone = time_zone;
    env.add_filter("iso", move |ts: i64| -> Result<String, Error> {
        Ok(zoned(ts, &zone)?.timestamp().display_with_offset(zoned(ts, &zone)?.offset()).to_string())
    });
    // Pictures from the media library in another of their sizes; other addresses as they are.
    env.add_filter("variant", |url: String, variant: String| crate::media::variant_of(&url, &variant));
    env.add_filter("srcset", |url: String| crate::media::srcset(&url));
    let months = i18n;
    env.add_filter("month_name", move |month: i64| -> String {
        months.month_name(language, i8::try_from(month).unwrap_or(1))
    });
    Ok(env)
}

fn zoned(ts: i64, zone: &jiff::tz::TimeZone) -> Result<jiff::Zoned, Error> {
    jiff::Timestamp::from_second(ts)
        .map(|t| t.to_zoned(zone.clone()))
        .map_err(|e| Error::new(ErrorKind::InvalidOperation, format!("bad timestamp {ts}: {e}")))
}
