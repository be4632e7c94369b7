//! The messages: rendered from `templates/email/` (a text and an HTML part each) and formatted
//! with the headers every message carries: our own Message-ID, Date, List-Id, and
//! `List-Unsubscribe` (HTTPS, one click per RFC 8058) next to a link to the preferences page.

use std::time::{Duration, SystemTime};

use lettre::Message;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};

use super::Env;
use super::outbox::Claimed;
use crate::config::Config;

/// Stands for the reader's preferences link in stored bodies; replaced when sending.
pub const PREFERENCES_URL: &str = "%%PREFERENCES_URL%%";
/// Stands for the reader's unsubscribe link in stored bodies.
pub const UNSUBSCRIBE_URL: &str = "%%UNSUBSCRIBE_URL%%";

/// What every message of this site shares.
#[derive(Debug, Clone)]
pub struct MailSite {
    pub from: Mailbox,
    pub base_url: String,
    /// The host of the base URL, for Message-IDs.
    pub host: String,
    pub list_id: String,
    /// The Impressum's address, once the site has one: list mail names it in its footer, and
    /// it stays a direct link (never the counted redirect).
    pub imprint_url: Option<String>,
}

impl MailSite {
    pub fn from_config(config: &Config) -> anyhow::Result<MailSite> {
        let from: Mailbox = config.email.from.parse()?;
        let base_url = config.site.base_url.clone();
        let host = base_url
            .split("://")
            .nth(1)
            .unwrap_or("localhost")
            .split(['/', ':'])
            .next()
            .filter(|h| !h.is_empty())
            .unwrap_or("localhost")
            .to_string();
        // A List-Id is a phrase and a dotted id (RFC 2919); the id names this site's newsletter.
        let phrase: String = config.site.name.chars().filter(|c| !c.is_control() && !matches!(c, '"' | '\\')).collect();
        let list_id = format!("\"{phrase}\" <newsletter.{host}>");
        Ok(MailSite { from, base_url, host, list_id, imprint_url: None })
    }

    pub fn preferences_url(&self, token: &str) -> String {
        format!("{}/subscription/{token}", self.base_url)
    }

    /// The reader's one-click unsubscribe link; from a mailing's message it names the
    /// mailing, so the mailing counts who left through it.
    pub fn unsubscribe_url(&self, token: &str, mailing: Option<i64>) -> String {
        match mailing {
            Some(id) => format!("{}/subscription/{token}/unsubscribe?m={id}", self.base_url),
            None => format!("{}/subscription/{token}/unsubscribe", self.base_url),
        }
    }
}

/// A message ready to format.
#[derive(Debug)]
pub struct Parts<'a> {
    pub outbox_id: i64,
    pub created_at: i64,
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
    /// The reader's token for the preferences and unsubscribe links.
    pub token: &'a str,
    /// Mail of a list (newsletter, alerts) carries List-Id and the one-click List-Unsubscribe;
    /// a confirmation, a reminder or a test copy belongs to no list and unsubscribes no one.
    pub list: bool,
    /// The mailing the message belongs to, named in its unsubscribe link.
    pub mailing: Option<i64>,
}

/// Formats a message with its headers, replacing the link placeholders with the reader's links.
pub fn format(site: &MailSite, parts: &Parts<'_>, now: i64) -> Result<Vec<u8>, String> {
    let preferences = site.preferences_url(parts.token);
    let unsubscribe = site.unsubscribe_url(parts.token, parts.mailing);
    let personal = |body: &str| body.replace(PREFERENCES_URL, &preferences).replace(UNSUBSCRIBE_URL, &unsubscribe);
    let to: Mailbox = parts.to.parse().map_err(|e| format!("bad recipient: {e}"))?;
    let header = |name: &'static str, value: String| HeaderValue::new(HeaderName::new_from_ascii_str(name), value);
    let mut message = Message::builder()
        .from(site.from.clone())
        .to(to)
        .subject(parts.subject)
        .message_id(Some(format!("<{}.{}@{}>", parts.outbox_id, parts.created_at, site.host)))
        .date(SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(now).unwrap_or(0)));
    if parts.list {
        message = message
            .raw_header(header("List-Id", site.list_id.clone()))
            .raw_header(header("List-Unsubscribe", format!("<{unsubscribe}>")))
            .raw_header(header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click".into()));
    }
    let message = message
        .multipart(MultiPart::alternative_plain_html(personal(parts.text), personal(parts.html)))
        .map_err(|e| format!("cannot build the message: {e}"))?;
    Ok(message.formatted())
}

/// A claimed message's subject and parts: its own, or its campaign's.
pub fn parts_of<'a>(
    message: &'a Claimed,
    campaign: Option<&'a (String, String, String)>,
) -> Option<(&'a str, &'a str, &'a str)> {
    match (&message.subject, &message.text, &message.html, campaign) {
        (Some(s), Some(t), Some(h), _) => Some((s, t, h)),
        (_, _, _, Some((s, t, h))) => Some((s, t, h)),
        _ => None,
    }
}

/// Renders `email/{name}.txt` and `email/{name}.html` with the site's values.
pub fn render(app: &dyn Env, name: &str, page: minijinja::Value) -> anyhow::Result<(String, String)> {
    let text = app.render_plain(&format!("email/{name}.txt"), page.clone())?;
    let html = app.render_plain(&format!("email/{name}.html"), page)?;
    Ok((text, html))
}

/// One message made from a template: who gets it, and which template and subject make it.
pub struct Templated<'a> {
    pub kind: &'a str,
    pub subscriber_id: Option<i64>,
    pub recipient: &'a str,
    /// `email/{template}.txt` and `.html`.
    pub template: &'a str,
    /// The subject's message key; it is given the site's name as `site`.
    pub subject_key: &'a str,
}

/// Renders a message for one recipient and queues it in the caller's transaction.
pub async fn queue(
    app: &dyn Env,
    conn: &mut sqlx::AnyConnection,
    mail: &Templated<'_>,
    page: minijinja::Value,
    now: i64,
) -> anyhow::Result<i64> {
    let (text, html) = render(app, mail.template, page)?;
    let subject = app.i18n().text(app.language(), mail.subject_key, &[("site", app.config().site.name.clone().into())]);
    let message = super::outbox::NewMessage {
        kind: mail.kind,
        mailing_id: None,
        subscriber_id: mail.subscriber_id,
        recipient: mail.recipient,
        subject: &subject,
        text: &text,
        html: &html,
    };
    Ok(super::outbox::enqueue(conn, &message, now).await?)
}

/// Refuses text that would break a header or hide content: control characters (newlines
/// included) and overlong subjects.
pub fn check_subject(subject: &str) -> Result<&str, &'static str> {
    let subject = subject.trim();
    if subject.is_empty() {
        return Err("newsletter-error-subject-empty");
    }
    if subject.chars().any(char::is_control) {
        return Err("newsletter-error-subject-control");
    }
    if subject.chars().count() > 200 {
        return Err("newsletter-error-subject-long");
    }
    Ok(subject)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> MailSite {
        let mut config = Config::default();
        config.site.base_url = "https://news.example:8443".into();
        MailSite::from_config(&config).unwrap()
    }

    #[test]
    fn messages_carry_the_list_headers_and_personal_links() {
        let site = site();
        assert_eq!(site.host, "news.example");
        let parts = Parts {
            outbox_id: 7,
            created_at: 1_700_000_000,
            to: "leser@example.org",
            subject: "Neues über Roboter",
            text: &format!("Einstellungen: {PREFERENCES_URL}"),
            html: &format!("<a href=\"{UNSUBSCRIBE_URL}\">Abmelden</a>"),
            token: "5-abc",
            list: true,
            mailing: Some(12),
        };
        let text = String::from_utf8(format(&site, &parts, 1_700_000_100).unwrap()).unwrap();
        assert!(text.contains("Message-ID: <7.1700000000@news.example>"), "{text}");
        assert!(text.contains("List-Unsubscribe: <https://news.example:8443/subscription/5-abc/unsubscribe?m=12>"));
        assert!(text.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
        assert!(text.contains("List-Id: \"Newsdesk\" <newsletter.news.example>"));
        assert!(text.contains("Date: "));
        assert!(text.contains("multipart/alternative"));
        assert!(!text.contains("%%"), "placeholders replaced");

        let confirmation = Parts { list: false, ..parts };
        let text = String::from_utf8(format(&site, &confirmation, 1_700_000_100).unwrap()).unwrap();
        assert!(!text.contains("List-"), "a confirmation belongs to no list: {text}");
    }

    #[test]
    fn subjects_with_control_characters_are_refused() {
        assert!(check_subject("Hallo\r\nBcc: x@example.org").is_err());
        assert!(check_subject("  ").is_err());
        assert_eq!(check_subject(" Wochenrückblick "), Ok("Wochenrückblick"));
    }
}
