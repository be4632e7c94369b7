//! Settings that admins change in the browser (`/admin/settings`): stored in the database as
//! JSON values over the configuration file's, checked like the file, and applied without a
//! restart. A counter row tells every node that something changed; the worker round of each
//! node applies it (`App::reload_settings`).

pub mod admin;

use std::collections::BTreeMap;

use serde_json::Value;
use sqlx::Row as _;

use crate::config::Config;
use crate::db::Db;

const REVISION: &str = "#revision";

/// How a setting is edited and read from the form.
#[derive(Debug, Clone, Copy)]
pub enum Field {
    Text {
        max: usize,
    },
    /// Text shown in a larger box.
    LongText {
        max: usize,
    },
    /// Empty or an http(s) address.
    Url,
    /// Empty or a path on this site or an http(s) address.
    Image,
    Flag,
    Number {
        min: i64,
        max: i64,
    },
    /// One entry per line.
    Lines,
    /// A menu: one "Label | link" per line, in order.
    Menu,
    Choice(&'static [&'static str]),
    /// A time zone of the IANA database, chosen from a list.
    TimeZone,
}

/// Every time zone name the bundled database knows, sorted: the time-zone field's choices.
pub fn time_zones() -> Vec<String> {
    let mut names: Vec<String> = jiff::tz::db().available().map(|name| name.as_str().to_string()).collect();
    names.sort();
    names
}

/// One editable setting: its key in the configuration file, and its field.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    pub key: &'static str,
    pub field: Field,
}

/// What admins may change in the browser, in the order the page shows it. The rest (addresses,
/// database, mail server, limits) stays in the configuration file.
pub const EDITABLE: &[Setting] = &[
    Setting { key: "site.name", field: Field::Text { max: 100 } },
    Setting { key: "site.description", field: Field::LongText { max: 300 } },
    Setting { key: "site.language", field: Field::Choice(&["de", "en"]) },
    Setting { key: "site.time_zone", field: Field::TimeZone },
    Setting { key: "site.logo_url", field: Field::Image },
    Setting { key: "site.publisher", field: Field::Text { max: 300 } },
    Setting { key: "site.header_menu", field: Field::Menu },
    Setting { key: "site.footer_menu", field: Field::Menu },
    Setting { key: "comments.hold_all", field: Field::Flag },
    Setting { key: "comments.trust_approved_commenters", field: Field::Flag },
    Setting { key: "comments.close_after_days", field: Field::Number { min: 0, max: 36_500 } },
    Setting { key: "comments.remind_moderators_after_minutes", field: Field::Number { min: 0, max: 10_080 } },
    Setting { key: "comments.max_links", field: Field::Number { min: 0, max: 100 } },
    Setting { key: "comments.max_length", field: Field::Number { min: 100, max: 100_000 } },
    Setting { key: "comments.hold_words", field: Field::Lines },
    Setting { key: "comments.reject_words", field: Field::Lines },
    Setting { key: "email.digest", field: Field::Choice(&["daily", "weekly", "off"]) },
    Setting { key: "email.digest_hour", field: Field::Number { min: 0, max: 23 } },
    Setting { key: "email.digest_weekday", field: Field::Number { min: 1, max: 7 } },
    Setting { key: "email.digest_articles", field: Field::Number { min: 1, max: 50 } },
    Setting { key: "promotions.newsletter_url", field: Field::Image },
    Setting { key: "promotions.newsletter_label", field: Field::Text { max: 100 } },
    Setting { key: "promotions.support_url", field: Field::Url },
    Setting { key: "promotions.support_label", field: Field::Text { max: 100 } },
    Setting { key: "promotions.job_board_url", field: Field::Url },
    Setting { key: "promotions.job_board_label", field: Field::Text { max: 100 } },
    Setting { key: "discovery.google_news_url", field: Field::Url },
    Setting { key: "discovery.bing_news_url", field: Field::Url },
];

fn find(key: &str) -> Option<&'static Setting> {
    EDITABLE.iter().find(|s| s.key == key)
}

/// The value of `key` ("section.name") in a configuration as JSON.
pub fn value_of(config: &Config, key: &str) -> Value {
    let json = serde_json::to_value(config).unwrap_or(Value::Null);
    let (section, name) = key.split_once('.').unwrap_or((key, ""));
    json.get(section).and_then(|s| s.get(name)).cloned().unwrap_or(Value::Null)
}

/// `base` with `overlay` applied, checked as the configuration file is.
pub fn apply(base: &Config, overlay: &BTreeMap<String, Value>) -> Result<Config, (String, String)> {
    let mut json = serde_json::to_value(base).map_err(|e| (String::new(), e.to_string()))?;
    for (key, value) in overlay {
        let (section, name) = key.split_once('.').ok_or_else(|| (key.clone(), "not a setting".to_string()))?;
        match json.get_mut(section).and_then(Value::as_object_mut) {
            Some(table) if table.contains_key(name) => {
                table.insert(name.to_string(), value.clone());
            }
            _ => return Err((key.clone(), "not a setting".to_string())),
        }
    }
    let config: Config = serde_json::from_value(json).map_err(|e| (String::new(), e.to_string()))?;
    config.validate().map_err(|(key, message)| (key.to_string(), message))?;
    Ok(config)
}

/// The stored settings, by key.
pub async fn stored(db: &Db) -> Result<BTreeMap<String, Value>, sqlx::Error> {
    let rows =
        sqlx::query("SELECT name, value FROM settings WHERE name <> $1").bind(REVISION).fetch_all(&db.pool).await?;
    let mut out = BTreeMap::new();
    for row in rows {
        let name: String = row.try_get("name")?;
        let value: String = row.try_get("value")?;
        if find(&name).is_some()
            && let Ok(value) = serde_json::from_str(&value)
        {
            out.insert(name, value);
        }
    }
    Ok(out)
}

/// The saves so far, for nodes to notice a change.
pub async fn revision(db: &Db) -> Result<i64, sqlx::Error> {
    let revision: Option<String> = sqlx::query_scalar("SELECT value FROM settings WHERE name = $1")
        .bind(REVISION)
        .fetch_optional(&db.pool)
        .await?;
    Ok(revision.and_then(|r| r.parse().ok()).unwrap_or(0))
}

/// The configuration in effect: `base` with the stored settings. Stored settings that no longer
/// pass the checks (after an upgrade, say) are left out, with a warning.
pub async fn effective(db: &Db, base: &Config) -> anyhow::Result<(Config, i64)> {
    let state = revision(db).await?;
    let overlay = stored(db).await?;
    match apply(base, &overlay) {
        Ok(config) => Ok((config, state)),
        Err((key, message)) => {
            tracing::warn!(key, message, "stored settings do not apply; using the configuration file's");
            Ok((base.clone(), state))
        }
    }
}

/// Reads one setting from a form value; the error is a message key.
pub fn parse(setting: &Setting, raw: Option<&str>) -> Result<Value, &'static str> {
    let raw = raw.unwrap_or_default();
    let text = raw.trim();
    let web = |s: &str| s.starts_with("https://") || s.starts_with("http://");
    let clean = |s: &str| !s.chars().any(|c| c.is_control() || c == '<' || c == '>' || c == '"');
    Ok(match setting.field {
        Field::Text { max } | Field::LongText { max } => {
            let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
            if one_line.chars().count() > max {
                return Err("settings-error-long");
            }
            Value::String(one_line)
        }
        Field::Url => {
            if !(text.is_empty() || web(text) && clean(text) && text.len() <= 500) {
                return Err("settings-error-url");
            }
            Value::String(text.to_string())
        }
        Field::Image => {
            let local = crate::text::is_site_path(text);
            if !(text.is_empty() || (local || web(text)) && clean(text) && text.len() <= 500) {
                return Err("settings-error-image");
            }
            Value::String(text.to_string())
        }
        Field::Flag => Value::Bool(matches!(text, "yes" | "on" | "true")),
        Field::Number { min, max } => match text.parse::<i64>() {
            Ok(n) if (min..=max).contains(&n) => Value::from(n),
            _ => return Err("settings-error-number"),
        },
        Field::Lines => {
            let lines: Vec<Value> = raw
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .take(1_000)
                .map(|l| Value::String(l.chars().take(100).collect()))
                .collect();
            Value::Array(lines)
        }
        Field::Menu => {
            let mut items = Vec::new();
            for line in raw.lines().map(str::trim).filter(|l| !l.is_empty()).take(50) {
                let item = crate::config::MenuItem::parse(line).ok_or("settings-error-menu")?;
                items.push(Value::String(format!("{} | {}", item.label, item.href)));
            }
            Value::Array(items)
        }
        Field::Choice(options) => {
            if !options.contains(&text) {
                return Err("settings-error-choice");
            }
            Value::String(text.to_string())
        }
        Field::TimeZone => {
            if text.len() > 64 || jiff::tz::TimeZone::get(text).is_err() {
                return Err("settings-error-choice");
            }
            Value::String(text.to_string())
        }
    })
}

/// Counts a revision of what every node builds from the settings, in the caller's transaction:
/// each node applies it within a second (the settings themselves, or the comment assessment's
/// model, which is switched this way too).
pub async fn count_revision(conn: &mut sqlx::AnyConnection, user: Option<i64>, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO settings (name, value, updated_at, updated_by) VALUES ($1, '1', $2, $3)
         ON CONFLICT (name) DO UPDATE SET value = CAST(CAST(settings.value AS BIGINT) + 1 AS TEXT),
                                          updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(REVISION)
    .bind(now)
    .bind(user)
    .execute(&mut *conn)
    .await?;
    crate::changes::record(conn, crate::changes::Event::SettingsChanged).await
}

/// Stores the values that differ from `base` (the rest follow the file again) and counts a
/// revision, in one transaction.
pub async fn save(
    db: &Db,
    base: &Config,
    values: &BTreeMap<String, Value>,
    user: Option<i64>,
    now: i64,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    // Counting first takes the row's lock: concurrent saves follow one another, each counted.
    count_revision(&mut tx, user, now).await?;
    sqlx::query("DELETE FROM settings WHERE name <> $1").bind(REVISION).execute(&mut *tx).await?;
    for (key, value) in values {
        if *value == value_of(base, key) {
            continue;
        }
        sqlx::query("INSERT INTO settings (name, value, updated_at, updated_by) VALUES ($1, $2, $3, $4)")
            .bind(key)
            .bind(value.to_string())
            .bind(now)
            .bind(user)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_editable_key_exists_in_the_configuration() {
        let config = Config::default();
        for setting in EDITABLE {
            assert_ne!(value_of(&config, setting.key), Value::Null, "{}", setting.key);
        }
    }

    #[test]
    fn an_overlay_is_checked_like_the_file() {
        let base = Config::default();
        let mut overlay = BTreeMap::new();
        overlay.insert("site.name".to_string(), Value::from("Nordblatt"));
        assert_eq!(apply(&base, &overlay).unwrap().site.name, "Nordblatt");
        overlay.insert("site.time_zone".to_string(), Value::from("Mars/Olympus"));
        assert_eq!(apply(&base, &overlay).unwrap_err().0, "site.time_zone");
        let hour = find("email.digest_hour").unwrap();
        assert_eq!(parse(hour, Some("24")), Err("settings-error-number"));
        assert_eq!(parse(hour, Some(" 6 ")), Ok(Value::from(6)));
        let menu = find("site.footer_menu").unwrap();
        assert_eq!(
            parse(menu, Some("Impressum|/impressum\r\n\r\n  Über  uns | https://example.org/team ")),
            Ok(serde_json::json!(["Impressum | /impressum", "Über uns | https://example.org/team"]))
        );
        assert_eq!(parse(menu, Some("Impressum /impressum")), Err("settings-error-menu"));
        assert_eq!(parse(menu, Some("X | javascript:alert(1)")), Err("settings-error-menu"));
        let url = find("discovery.google_news_url").unwrap();
        assert_eq!(parse(url, Some("javascript:alert(1)")), Err("settings-error-url"));
    }
}
