//! What a comment is, and the checked input a reader's form becomes.

use serde::Serialize;

use crate::auth::users::Email;

pub const MAX_NAME: usize = 80;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pending,
    Approved,
    Rejected,
    Spam,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::Pending, Status::Approved, Status::Rejected, Status::Spam];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
            Status::Spam => "spam",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// Why a comment form was refused; each has a stable code and a message for the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CommentError {
    #[error("name missing")]
    NameMissing,
    #[error("name too long")]
    NameTooLong,
    #[error("invalid email")]
    BadEmail,
    #[error("text missing")]
    TextMissing,
    #[error("text too long")]
    TextTooLong,
    #[error("control characters")]
    ControlCharacters,
    #[error("unknown reply target")]
    BadParent,
}

impl CommentError {
    /// The Fluent key of the message the reader sees.
    pub fn message_key(self) -> &'static str {
        match self {
            CommentError::NameMissing => "comment-error-name-missing",
            CommentError::NameTooLong => "comment-error-name-too-long",
            CommentError::BadEmail => "comment-error-email",
            CommentError::TextMissing => "comment-error-text-missing",
            CommentError::TextTooLong => "comment-error-text-too-long",
            CommentError::ControlCharacters => "comment-error-control",
            CommentError::BadParent => "comment-error-parent",
        }
    }
}

/// A comment as a reader submitted it, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct NewComment {
    pub name: String,
    pub email: Option<Email>,
    pub body: String,
    pub parent_id: Option<i64>,
}

fn has_control(text: &str) -> bool {
    text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
}

impl NewComment {
    pub fn parse(
        name: &str,
        email: &str,
        body: &str,
        parent: &str,
        max_length: usize,
    ) -> Result<NewComment, CommentError> {
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(CommentError::NameMissing);
        }
        if name.chars().count() > MAX_NAME {
            return Err(CommentError::NameTooLong);
        }
        if has_control(&name) || has_control(body) || has_control(email) {
            return Err(CommentError::ControlCharacters);
        }
        let email = match email.trim() {
            "" => None,
            e => Some(Email::parse(e).map_err(|_| CommentError::BadEmail)?),
        };
        let body = body.replace("\r\n", "\n").trim().to_string();
        if body.is_empty() {
            return Err(CommentError::TextMissing);
        }
        if body.chars().count() > max_length {
            return Err(CommentError::TextTooLong);
        }
        let parent_id = match parent.trim() {
            "" => None,
            p => Some(p.parse::<i64>().ok().filter(|id| *id > 0).ok_or(CommentError::BadParent)?),
        };
        Ok(NewComment { name, email, body, parent_id })
    }
}

/// A comment as shown on the article page.
#[derive(Debug, Clone, Serialize)]
pub struct PublicComment {
    pub id: i64,
    pub author_name: String,
    /// `user@host` of a reply from the social web.
    pub author_handle: Option<String>,
    pub body_html: String,
    pub created_at: i64,
    /// When its author last changed the text, if ever.
    pub edited_at: Option<i64>,
    pub replies: Vec<PublicComment>,
}

/// A comment in the moderation queue, with its assessment.
#[derive(Debug, Clone, Serialize)]
pub struct QueuedComment {
    pub id: i64,
    pub article_slug: String,
    pub article_title: String,
    pub author_name: String,
    pub author_email: Option<String>,
    /// `user@host` of a reply from the social web.
    pub author_handle: Option<String>,
    pub body_html: String,
    pub status: Status,
    pub off_topic: f64,
    pub demeaning: f64,
    pub spam: f64,
    pub risk: f64,
    pub assessment: serde_json::Value,
    pub reports: i64,
    /// Why readers reported it, with how many gave each reason, the most given first.
    pub report_reasons: Vec<(ReportReason, i64)>,
    pub created_at: i64,
    /// When its author last changed the text, if ever: an edit is held again.
    pub edited_at: Option<i64>,
    /// The comment this one answers, so the moderator reads a reply in its context.
    pub parent: Option<ParentExcerpt>,
}

/// The start of the comment a reply answers.
#[derive(Debug, Clone, Serialize)]
pub struct ParentExcerpt {
    pub id: i64,
    pub author_name: String,
    pub text: String,
    /// The text went on beyond the excerpt.
    pub cut: bool,
}

impl ParentExcerpt {
    /// Characters of the parent shown beside a reply.
    pub const LENGTH: usize = 280;

    pub fn new(id: i64, author_name: String, body: &str) -> ParentExcerpt {
        let text: String = body.chars().take(Self::LENGTH).collect();
        let cut = text.len() < body.len();
        ParentExcerpt { id, author_name, text, cut }
    }
}

/// Why a reader reports a comment: the choices of the report form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportReason {
    Demeaning,
    Spam,
    OffTopic,
    False,
    Other,
}

impl ReportReason {
    pub const ALL: [ReportReason; 5] =
        [ReportReason::Demeaning, ReportReason::Spam, ReportReason::OffTopic, ReportReason::False, ReportReason::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportReason::Demeaning => "demeaning",
            ReportReason::Spam => "spam",
            ReportReason::OffTopic => "off-topic",
            ReportReason::False => "false",
            ReportReason::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<ReportReason> {
        ReportReason::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses() {
        let ok = NewComment::parse("  Anna   B. ", "", " Guter Punkt.\r\n\r\nZweiter Absatz ", "", 5000).unwrap();
        assert_eq!(ok.name, "Anna B.");
        assert_eq!(ok.body, "Guter Punkt.\n\nZweiter Absatz");
        assert_eq!(NewComment::parse("", "", "x", "", 5000), Err(CommentError::NameMissing));
        assert_eq!(NewComment::parse("A", "kaputt", "x", "", 5000), Err(CommentError::BadEmail));
        assert_eq!(NewComment::parse("A", "", "  ", "", 5000), Err(CommentError::TextMissing));
        assert_eq!(NewComment::parse("A", "", &"x".repeat(101), "", 100), Err(CommentError::TextTooLong));
        assert_eq!(NewComment::parse("A", "", "a\u{0}b", "", 5000), Err(CommentError::ControlCharacters));
        assert_eq!(NewComment::parse("A", "", "x", "-3", 5000), Err(CommentError::BadParent));
        assert_eq!(NewComment::parse("A", "", "x", "7", 5000).unwrap().parent_id, Some(7));
    }
}
