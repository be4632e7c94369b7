//! What a job listing is, and the checked input it is made from.

use serde::Serialize;

use crate::text::is_web_link;

pub const KINDS: &[&str] =
    &["full-time", "part-time", "working-student", "internship", "professorship", "freelance", "other"];
pub const MAX_SHORT: usize = 200;
pub const MAX_DESCRIPTION: usize = 20_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Workplace {
    Remote,
    Hybrid,
    Onsite,
}

impl Workplace {
    pub const ALL: [Workplace; 3] = [Workplace::Remote, Workplace::Hybrid, Workplace::Onsite];

    pub fn as_str(self) -> &'static str {
        match self {
            Workplace::Remote => "remote",
            Workplace::Hybrid => "hybrid",
            Workplace::Onsite => "onsite",
        }
    }

    pub fn parse(s: &str) -> Option<Workplace> {
        Workplace::ALL.into_iter().find(|w| w.as_str() == s)
    }
}

/// Why a listing was refused; the message names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
    #[error("{0} is missing")]
    Missing(&'static str),
    #[error("{field} is too long: at most {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("the apply link must be a web address starting with https:// or http://")]
    BadLink,
    #[error("unknown workplace {0:?}: remote, hybrid or onsite")]
    BadWorkplace(String),
    #[error("unknown kind {0:?}: {kinds}", kinds = KINDS.join(", "))]
    BadKind(String),
    #[error("{0} is not a valid date")]
    BadDate(&'static str),
    #[error("the listing expires before it is posted")]
    DatesOutOfOrder,
}

impl JobError {
    /// The message in the interface's language.
    pub fn localized(&self, i18n: &crate::i18n::I18n, language: crate::config::Language) -> String {
        let field = |f: &str| i18n.text(language, &format!("job-field-{f}"), &[]);
        match self {
            JobError::Missing(f) => i18n.text(language, "form-error-missing", &[("field", field(f).into())]),
            JobError::TooLong { field: f, max } => {
                i18n.text(language, "form-error-too-long", &[("field", field(f).into()), ("max", (*max as i64).into())])
            }
            JobError::BadLink => i18n.text(language, "form-error-link", &[]),
            JobError::BadWorkplace(_) | JobError::BadKind(_) => i18n.text(language, "form-error-choice", &[]),
            JobError::BadDate(f) => i18n.text(language, "form-error-date", &[("field", field(f).into())]),
            JobError::DatesOutOfOrder => i18n.text(language, "job-error-order", &[]),
        }
    }
}

/// A listing as an editor's form or a partner feed gives it, unchecked.
#[derive(Debug, Clone, Default)]
pub struct JobDraft {
    pub title: String,
    pub employer: String,
    pub location: String,
    pub workplace: String,
    pub kind: String,
    pub description_md: String,
    pub apply_url: String,
    pub posted_at: Option<i64>,
    pub expires_at: Option<i64>,
    /// A paid listing: readers see it labelled as advertising.
    pub sponsored: bool,
}

/// A checked listing.
#[derive(Debug, Clone, PartialEq)]
pub struct JobInput {
    pub title: String,
    pub employer: String,
    pub location: String,
    pub workplace: Workplace,
    pub kind: String,
    pub description_md: String,
    pub apply_url: String,
    pub posted_at: i64,
    pub expires_at: i64,
    pub sponsored: bool,
}

fn required(field: &'static str, value: &str, max: usize) -> Result<String, JobError> {
    let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
    if value.is_empty() {
        return Err(JobError::Missing(field));
    }
    if value.chars().count() > max {
        return Err(JobError::TooLong { field, max });
    }
    Ok(value)
}

impl JobDraft {
    /// Checks every field. Without a posting date the listing is posted `now`; without an
    /// expiry it runs `default_days`.
    pub fn validate(&self, now: i64, default_days: i64) -> Result<JobInput, JobError> {
        let title = required("title", &self.title, MAX_SHORT)?;
        let employer = required("employer", &self.employer, MAX_SHORT)?;
        let location = required("location", &self.location, MAX_SHORT)?;
        let workplace =
            Workplace::parse(self.workplace.trim()).ok_or_else(|| JobError::BadWorkplace(self.workplace.clone()))?;
        let kind = self.kind.trim().to_lowercase();
        if !KINDS.contains(&kind.as_str()) {
            return Err(JobError::BadKind(self.kind.clone()));
        }
        let description_md = self.description_md.trim().to_string();
        if description_md.is_empty() {
            return Err(JobError::Missing("description"));
        }
        if description_md.chars().count() > MAX_DESCRIPTION {
            return Err(JobError::TooLong { field: "description", max: MAX_DESCRIPTION });
        }
        let apply_url = self.apply_url.trim().to_string();
        if !is_web_link(&apply_url) {
            return Err(JobError::BadLink);
        }
        let posted_at = self.posted_at.unwrap_or(now);
        let expires_at = self.expires_at.unwrap_or(posted_at + default_days * 86_400);
        if expires_at <= posted_at {
            return Err(JobError::DatesOutOfOrder);
        }
        Ok(JobInput {
            title,
            employer,
            location,
            workplace,
            kind,
            description_md,
            apply_url,
            posted_at,
            expires_at,
            sponsored: self.sponsored,
        })
    }
}

/// A stored listing.
#[derive(Debug, Clone, Serialize)]
pub struct Job {
    pub id: i64,
    pub source: String,
    pub external_id: Option<String>,
    pub title: String,
    pub employer: String,
    pub location: String,
    pub workplace: Workplace,
    pub kind: String,
    pub description_md: String,
    pub description_html: String,
    pub apply_url: String,
    pub posted_at: i64,
    pub expires_at: i64,
    pub withdrawn_at: Option<i64>,
    pub sponsored: bool,
}

impl Job {
    pub fn is_current(&self, now: i64) -> bool {
        self.withdrawn_at.is_none() && self.posted_at <= now && now < self.expires_at
    }
}

/// The sidebar box: the newest current listings.
#[derive(Debug, Clone, Serialize)]
pub struct JobsBox {
    pub jobs: Vec<Job>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> JobDraft {
        JobDraft {
            title: "Redakteurin KI".into(),
            employer: "Newsdesk".into(),
            location: "Berlin".into(),
            workplace: "hybrid".into(),
            kind: "full-time".into(),
            description_md: "Wir suchen.".into(),
            apply_url: "https://jobs.example/1".into(),
            ..Default::default()
        }
    }

    #[test]
    fn validates_and_refuses() {
        let ok = draft().validate(1_000, 30).unwrap();
        assert_eq!((ok.posted_at, ok.expires_at), (1_000, 1_000 + 30 * 86_400));
        let mut d = draft();
        d.apply_url = "javascript:alert(1)".into();
        assert_eq!(d.validate(0, 30), Err(JobError::BadLink));
        let mut d = draft();
        d.posted_at = Some(100);
        d.expires_at = Some(50);
        assert_eq!(d.validate(0, 30), Err(JobError::DatesOutOfOrder));
        let mut d = draft();
        d.title = "x".repeat(201);
        assert!(matches!(d.validate(0, 30), Err(JobError::TooLong { field: "title", .. })));
        let mut d = draft();
        d.kind = "astronaut".into();
        assert!(matches!(d.validate(0, 30), Err(JobError::BadKind(_))));
    }
}
