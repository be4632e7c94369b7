//! Reading and writing comments, reports and the moderation log.

use sqlx::{AssertSqlSafe, Row as _, any::AnyRow};

use super::model::{NewComment, ParentExcerpt, PublicComment, QueuedComment, ReportReason, Status};
use super::moderation::Assessment;
use super::text::{highlight, quoted_terms, render};
use sqlx::AnyConnection;

use crate::articles::listings::Statement;
use crate::db::{Backend, Db};

/// Stores a comment with its assessment, in the caller's transaction; returns its id.
#[expect(clippy::too_many_arguments, reason = "one row's columns, each named at the call")]
pub async fn insert(
    conn: &mut AnyConnection,
    article_id: i64,
    comment: &NewComment,
    status: Status,
    ip_hash: &str,
    body_hash: &str,
    assessment: &Assessment,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let details = serde_json::to_string(assessment).expect("an assessment serialises");
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO comments (article_id, parent_id, author_name, author_email, body, body_hash, status, ip_hash, \
         off_topic, demeaning, spam, risk, assessment, reports, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 0, $14) RETURNING id",
    )
    .bind(article_id)
    .bind(comment.parent_id)
    .bind(&comment.name)
    .bind(comment.email.as_ref().map(|e| e.as_str().to_lowercase()))
    .bind(&comment.body)
    .bind(body_hash)
    .bind(status.as_str())
    .bind(ip_hash)
    .bind(assessment.off_topic.score)
    .bind(assessment.demeaning.score)
    .bind(assessment.spam.score)
    .bind(assessment.risk)
    .bind(details)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    if status == Status::Approved {
        let event = crate::changes::Event::CommentsChanged { article_id, approved: vec![id] };
        crate::changes::record(conn, event).await?;
    }
    Ok(id)
}

/// Marks a comment stored in the caller's transaction as a reply from the social web: the
/// note's id (which its author's Delete names) and its author's handle (`user@host`).
pub async fn set_remote(conn: &mut AnyConnection, id: i64, uri: &str, author: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE comments SET remote_uri = $1, remote_author = $2 WHERE id = $3")
        .bind(uri)
        .bind(author)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Whether a note was stored already (a server delivering it twice).
pub async fn has_remote(db: &Db, uri: &str) -> Result<bool, sqlx::Error> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM comments WHERE remote_uri = $1").bind(uri).fetch_one(&db.pool).await?;
    Ok(n > 0)
}

/// The approved comment a note from the social web became: (its id, its article).
pub async fn find_remote(db: &Db, uri: &str) -> Result<Option<(i64, i64)>, sqlx::Error> {
    let row = sqlx::query("SELECT id, article_id FROM comments WHERE remote_uri = $1 AND status = 'approved'")
        .bind(uri)
        .fetch_optional(&db.pool)
        .await?;
    row.map(|r| Ok((r.try_get("id")?, r.try_get("article_id")?))).transpose()
}

/// A comment that came from the social web, as its author's edit needs it.
#[derive(Debug, Clone)]
pub struct RemoteComment {
    pub id: i64,
    pub article_id: i64,
    pub parent_id: Option<i64>,
    pub author_name: String,
    pub body: String,
    pub status: Status,
}

/// The comment a note of `author` (`user@host`) became, whatever its status.
pub async fn find_remote_of(db: &Db, uri: &str, author: &str) -> Result<Option<RemoteComment>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT id, article_id, parent_id, author_name, body, status FROM comments \
         WHERE remote_uri = $1 AND remote_author = $2",
    )
    .bind(uri)
    .bind(author)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let status: String = row.try_get("status")?;
    Ok(Some(RemoteComment {
        id: row.try_get("id")?,
        article_id: row.try_get("article_id")?,
        parent_id: row.try_get("parent_id")?,
        author_name: row.try_get("author_name")?,
        body: row.try_get("body")?,
        status: Status::parse(&status).unwrap_or(Status::Pending),
    }))
}

/// Gives a comment its author's new text, with its new assessment and status, in the caller's
/// transaction. `was` is the status it had: when readers saw it, or see it now, its article's
/// pages change.
pub async fn replace_text(
    conn: &mut AnyConnection,
    (id, article_id): (i64, i64),
    (body, body_hash): (&str, &str),
    was: Status,
    status: Status,
    assessment: &Assessment,
    now: i64,
) -> Result<(), sqlx::Error> {
    let details = serde_json::to_string(assessment).expect("an assessment serialises");
    sqlx::query(
        "UPDATE comments SET body = $1, body_hash = $2, status = $3, off_topic = $4, demeaning = $5, spam = $6, \
         risk = $7, assessment = $8, edited_at = $10 WHERE id = $9",
    )
    .bind(body)
    .bind(body_hash)
    .bind(status.as_str())
    .bind(assessment.off_topic.score)
    .bind(assessment.demeaning.score)
    .bind(assessment.spam.score)
    .bind(assessment.risk)
    .bind(details)
    .bind(id)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if was == Status::Approved || status == Status::Approved {
        let approved = if was != Status::Approved { vec![id] } else { vec![] };
        crate::changes::record(conn, crate::changes::Event::CommentsChanged { article_id, approved }).await?;
    }
    Ok(())
}

/// Removes the comment a note became, when its author (`user@host`) deleted the note;
/// whether there was one. Readers' pages of it change.
pub async fn delete_remote(db: &Db, uri: &str, author: &str) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin().await?;
    let article: Option<i64> =
        sqlx::query_scalar("DELETE FROM comments WHERE remote_uri = $1 AND remote_author = $2 RETURNING article_id")
            .bind(uri)
            .bind(author)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some(article_id) = article {
        crate::changes::record(&mut tx, crate::changes::Event::CommentsChanged { article_id, approved: vec![] })
            .await?;
    }
    tx.commit().await?;
    Ok(article.is_some())
}

/// Removes every comment of a remote account that was deleted; how many.
pub async fn delete_remote_by_author(db: &Db, author: &str) -> Result<usize, sqlx::Error> {
    let mut tx = db.begin().await?;
    let articles: Vec<i64> = sqlx::query_scalar("DELETE FROM comments WHERE remote_author = $1 RETURNING article_id")
        .bind(author)
        .fetch_all(&mut *tx)
        .await?;
    let mut touched = articles.clone();
    touched.sort_unstable();
    touched.dedup();
    for article_id in touched {
        crate::changes::record(&mut tx, crate::changes::Event::CommentsChanged { article_id, approved: vec![] })
            .await?;
    }
    tx.commit().await?;
    Ok(articles.len())
}

/// Takes a lock that serialises comment posts from one IP hash until the transaction ends, so
/// the flood guard's count and the insert cannot interleave (SQLite: `BEGIN IMMEDIATE` already
/// holds the single write lock).
pub async fn lock_sender(conn: &mut AnyConnection, backend: Backend, ip_hash: &str) -> Result<(), sqlx::Error> {
    if backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))").bind(ip_hash).execute(&mut *conn).await?;
    }
    Ok(())
}

/// One sender's IP hash under today's salt, and under yesterday's while it is kept.
pub struct SenderHashes {
    pub today: String,
    pub yesterday: Option<String>,
}

/// When the latest `limit` comments from one IP hash after `since` came, newest first: for the
/// flood guard.
pub async fn recent_times(
    conn: &mut AnyConnection,
    ip_hashes: &SenderHashes,
    since: i64,
    limit: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT created_at FROM comments WHERE ip_hash IN ($1, $2) AND created_at > $3 ORDER BY created_at DESC LIMIT $4",
    )
    .bind(&ip_hashes.today)
    .bind(ip_hashes.yesterday.as_deref().unwrap_or(&ip_hashes.today))
    .bind(since)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await
}

/// Whether the same text was posted before, since `since`.
pub async fn is_repeat(db: &Db, body_hash: &str, since: i64) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM comments WHERE body_hash = $1 AND created_at >= $2")
        .bind(body_hash)
        .bind(since)
        .fetch_one(&db.pool)
        .await?;
    Ok(n > 0)
}

/// Whether a comment with this email address was approved before.
pub async fn is_trusted(db: &Db, email: &str) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM comments WHERE author_email = $1 AND status = 'approved'")
        .bind(email.to_lowercase())
        .fetch_one(&db.pool)
        .await?;
    Ok(n > 0)
}

/// The thread a reply goes into: the approved comment `parent_id` on this article, or, when
/// that is itself a reply, its parent (threads have one level of replies).
pub async fn reply_target(db: &Db, parent_id: i64, article_id: i64) -> Result<Option<i64>, sqlx::Error> {
    let row =
        sqlx::query("SELECT id, parent_id FROM comments WHERE id = $1 AND article_id = $2 AND status = 'approved'")
            .bind(parent_id)
            .bind(article_id)
            .fetch_optional(&db.pool)
            .await?;
    row.map(|r| Ok(r.try_get::<Option<i64>, _>("parent_id")?.unwrap_or(r.try_get("id")?))).transpose()
}

/// Approved comments of an article, oldest first, replies under their comment; and the count.
pub async fn approved_for_article(db: &Db, article_id: i64) -> Result<(Vec<PublicComment>, usize), sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, parent_id, author_name, remote_author, body, created_at, edited_at FROM comments \
         WHERE article_id = $1 AND status = 'approved' ORDER BY created_at, id",
    )
    .bind(article_id)
    .fetch_all(&db.pool)
    .await?;
    let mut top: Vec<PublicComment> = Vec::new();
    let mut replies: Vec<(i64, PublicComment)> = Vec::new();
    for row in &rows {
        let comment = PublicComment {
            id: row.try_get("id")?,
            author_name: row.try_get("author_name")?,
            author_handle: row.try_get("remote_author")?,
            body_html: render(&row.try_get::<String, _>("body")?),
            created_at: row.try_get("created_at")?,
            edited_at: row.try_get("edited_at")?,
            replies: Vec::new(),
        };
        match row.try_get::<Option<i64>, _>("parent_id")? {
            Some(parent) => replies.push((parent, comment)),
            None => top.push(comment),
        }
    }
    for (parent, reply) in replies {
        // A reply whose comment is no longer approved is not shown, and not counted.
        if let Some(p) = top.iter_mut().find(|c| c.id == parent) {
            p.replies.push(reply);
        }
    }
    let count = top.iter().map(|c| 1 + c.replies.len()).sum();
    Ok((top, count))
}

/// One approved comment (without its replies), with its article and the comment it answers.
pub async fn find_approved(db: &Db, id: i64) -> Result<Option<(i64, Option<i64>, PublicComment)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT article_id, parent_id, author_name, remote_author, body, created_at, edited_at FROM comments \
         WHERE id = $1 AND status = 'approved'",
    )
    .bind(id)
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let comment = PublicComment {
        id,
        author_name: row.try_get("author_name")?,
        author_handle: row.try_get("remote_author")?,
        body_html: render(&row.try_get::<String, _>("body")?),
        created_at: row.try_get("created_at")?,
        edited_at: row.try_get("edited_at")?,
        replies: Vec::new(),
    };
    Ok(Some((row.try_get("article_id")?, row.try_get("parent_id")?, comment)))
}

/// Counts an approved comment's report, once per IP hash; returns whether it was new.
pub async fn report(
    db: &Db,
    comment_id: i64,
    article_id: i64,
    reason: ReportReason,
    ip_hash: &str,
    now: i64,
) -> Result<Option<bool>, sqlx::Error> {
    let exists: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM comments WHERE id = $1 AND article_id = $2 AND status = 'approved'")
            .bind(comment_id)
            .bind(article_id)
            .fetch_one(&db.pool)
            .await?;
    if exists == 0 {
        return Ok(None);
    }
    let mut tx = db.begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO comment_reports (comment_id, ip_hash, created_at, reason) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (comment_id, ip_hash) DO NOTHING",
    )
    .bind(comment_id)
    .bind(ip_hash)
    .bind(now)
    .bind(reason.as_str())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted > 0 {
        sqlx::query("UPDATE comments SET reports = reports + 1 WHERE id = $1")
            .bind(comment_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(Some(inserted > 0))
}

/// How many comments wait for a decision, and since when the oldest waits.
pub async fn waiting(db: &Db) -> Result<(i64, Option<i64>), sqlx::Error> {
    let row = sqlx::query("SELECT COUNT(*) AS n, MIN(created_at) AS oldest FROM comments WHERE status = 'pending'")
        .fetch_one(&db.pool)
        .await?;
    Ok((row.try_get("n")?, row.try_get("oldest")?))
}

/// A view of the moderation queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum View {
    Pending,
    Reported,
    Approved,
    Rejected,
    Spam,
}

impl View {
    pub const ALL: [View; 5] = [View::Pending, View::Reported, View::Approved, View::Rejected, View::Spam];

    pub fn as_str(self) -> &'static str {
        match self {
            View::Pending => "pending",
            View::Reported => "reported",
            View::Approved => "approved",
            View::Rejected => "rejected",
            View::Spam => "spam",
        }
    }

    pub fn parse(s: &str) -> Option<View> {
        View::ALL.into_iter().find(|v| v.as_str() == s)
    }

    fn filter_and_order(self) -> (&'static str, &'static str) {
        match self {
            // The riskiest first, so the worst is dealt with first.
            View::Pending => ("c.status = 'pending'", "c.risk DESC, c.created_at, c.id"),
            View::Reported => ("c.status = 'approved' AND c.reports > 0", "c.reports DESC, c.created_at DESC, c.id"),
            View::Approved => ("c.status = 'approved'", "c.created_at DESC, c.id DESC"),
            View::Rejected => ("c.status = 'rejected'", "c.created_at DESC, c.id DESC"),
            View::Spam => ("c.status = 'spam'", "c.created_at DESC, c.id DESC"),
        }
    }
}

fn queued_from_row(row: &AnyRow) -> Result<QueuedComment, sqlx::Error> {
    let status: String = row.try_get("status")?;
    let assessment: String = row.try_get("assessment")?;
    let assessment: serde_json::Value = serde_json::from_str(&assessment).unwrap_or(serde_json::Value::Null);
    // What triggered the demeaning and spam scores, marked in the text.
    let reasons: Vec<serde_json::Value> = ["demeaning", "spam"]
        .iter()
        .flat_map(|flag| assessment[flag]["reasons"].as_array().cloned().unwrap_or_default())
        .collect();
    Ok(QueuedComment {
        id: row.try_get("id")?,
        article_slug: row.try_get("slug")?,
        article_title: row.try_get("title")?,
        author_name: row.try_get("author_name")?,
        author_email: row.try_get("author_email")?,
        author_handle: row.try_get("remote_author")?,
        body_html: highlight(&render(&row.try_get::<String, _>("body")?), &quoted_terms(&reasons)),
        status: Status::parse(&status).unwrap_or(Status::Pending),
        off_topic: row.try_get("off_topic")?,
        demeaning: row.try_get("demeaning")?,
        spam: row.try_get("spam")?,
        risk: row.try_get("risk")?,
        assessment,
        reports: row.try_get("reports")?,
        report_reasons: Vec::new(),
        created_at: row.try_get("created_at")?,
        edited_at: row.try_get("edited_at")?,
        parent: match row.try_get::<Option<i64>, _>("parent_id")? {
            Some(id) => {
                Some(ParentExcerpt::new(id, row.try_get("parent_author")?, &row.try_get::<String, _>("parent_body")?))
            }
            None => None,
        },
    })
}

/// One page of a queue view.
pub async fn queue(db: &Db, view: View, limit: i64, offset: i64) -> Result<Vec<QueuedComment>, sqlx::Error> {
    let (filter, order) = view.filter_and_order();
    let sql = format!(
        "SELECT c.id, c.parent_id, c.author_name, c.author_email, c.remote_author, c.body, c.status, c.off_topic, c.demeaning, \
         c.spam, c.risk, c.assessment, c.reports, c.created_at, c.edited_at, a.slug, a.title, \
         p.author_name AS parent_author, p.body AS parent_body \
         FROM comments c JOIN articles a ON a.id = c.article_id LEFT JOIN comments p ON p.id = c.parent_id \
         WHERE {filter} ORDER BY {order} LIMIT $1 OFFSET $2"
    );
    let rows = sqlx::query(AssertSqlSafe(sql)).bind(limit).bind(offset).fetch_all(&db.pool).await?;
    let mut comments = rows.iter().map(queued_from_row).collect::<Result<Vec<_>, _>>()?;
    let reported: Vec<i64> = comments.iter().filter(|c| c.reports > 0).map(|c| c.id).collect();
    if !reported.is_empty() {
        let placeholders = (1..=reported.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT comment_id, reason, COUNT(*) AS n FROM comment_reports WHERE comment_id IN ({placeholders}) \
             GROUP BY comment_id, reason ORDER BY n DESC, reason"
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for id in &reported {
            query = query.bind(id);
        }
        for row in query.fetch_all(&db.pool).await? {
            let id: i64 = row.try_get("comment_id")?;
            let reason = ReportReason::parse(&row.try_get::<String, _>("reason")?).unwrap_or(ReportReason::Other);
            if let Some(c) = comments.iter_mut().find(|c| c.id == id) {
                c.report_reasons.push((reason, row.try_get("n")?));
            }
        }
    }
    Ok(comments)
}

/// How many comments each view holds.
pub async fn view_counts(db: &Db) -> Result<Vec<(View, i64)>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT COUNT(*) FILTER (WHERE status = 'pending') AS pending, \
                COUNT(*) FILTER (WHERE status = 'approved' AND reports > 0) AS reported, \
                COUNT(*) FILTER (WHERE status = 'approved') AS approved, \
                COUNT(*) FILTER (WHERE status = 'rejected') AS rejected, \
                COUNT(*) FILTER (WHERE status = 'spam') AS spam FROM comments",
    )
    .fetch_one(&db.pool)
    .await?;
    // Each view's count is the column named after it.
    View::ALL.into_iter().map(|v| Ok((v, row.try_get::<i64, _>(v.as_str())?))).collect()
}

/// What a moderator can do to a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Approve,
    Reject,
    Spam,
    Delete,
    /// Keep a reported comment and clear its reports.
    Dismiss,
    /// Undo: a comment back to the status it had before a moderator's action.
    Restore,
}

impl Action {
    pub fn parse(s: &str) -> Option<Action> {
        Some(match s {
            "approve" => Action::Approve,
            "reject" => Action::Reject,
            "spam" => Action::Spam,
            "delete" => Action::Delete,
            "dismiss" => Action::Dismiss,
            "restore" => Action::Restore,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Approve => "approve",
            Action::Reject => "reject",
            Action::Spam => "spam",
            Action::Delete => "delete",
            Action::Dismiss => "dismiss",
            Action::Restore => "restore",
        }
    }
}

/// A comment an action reached, with the status it had before.
#[derive(Debug, Clone, Copy)]
pub struct Moderated {
    pub id: i64,
    pub article_id: i64,
    pub was: Status,
}

/// Applies `action` to comments `ids`, logging each with who and when, in one transaction.
/// `user_id` is `None` for decisions the system takes itself (reject-words). Returns the
/// comments that existed, each with its status before.
pub async fn moderate(
    db: &Db,
    ids: &[i64],
    action: Action,
    user_id: Option<i64>,
    now: i64,
) -> Result<Vec<Moderated>, sqlx::Error> {
    let mut done = Vec::new();
    let mut tx = db.begin().await?;
    for &id in ids {
        let Some(row) = sqlx::query("SELECT article_id, author_name, body, status FROM comments WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
        else {
            continue;
        };
        let article_id: i64 = row.try_get("article_id")?;
        let was = Status::parse(&row.try_get::<String, _>("status")?).unwrap_or(Status::Pending);
        let snippet = log_snippet(&row.try_get::<String, _>("author_name")?, &row.try_get::<String, _>("body")?);
        match action {
            Action::Approve | Action::Reject | Action::Spam => {
                let status = match action {
                    Action::Approve => Status::Approved,
                    Action::Reject => Status::Rejected,
                    _ => Status::Spam,
                };
                sqlx::query("UPDATE comments SET status = $1, moderated_at = $2, moderated_by = $3 WHERE id = $4")
                    .bind(status.as_str())
                    .bind(now)
                    .bind(user_id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            Action::Dismiss => {
                sqlx::query("DELETE FROM comment_reports WHERE comment_id = $1").bind(id).execute(&mut *tx).await?;
                sqlx::query("UPDATE comments SET reports = 0 WHERE id = $1").bind(id).execute(&mut *tx).await?;
            }
            Action::Delete | Action::Restore => {}
        }
        log_action(&mut tx, id, user_id, action, &snippet, now).await?;
        if action == Action::Delete {
            // Replies go with their comment; each leaves its own log entry.
            let replies: Vec<i64> =
                sqlx::query_scalar("SELECT id FROM comments WHERE parent_id = $1").bind(id).fetch_all(&mut *tx).await?;
            for reply in replies {
                log_action(&mut tx, reply, user_id, action, &format!("reply to #{id}"), now).await?;
            }
            sqlx::query("DELETE FROM comments WHERE id = $1").bind(id).execute(&mut *tx).await?;
        }
        done.push(Moderated { id, article_id, was });
    }
    // A comment approved now that readers did not see before is news for the consumers.
    let newly_approved = |d: &Moderated| action == Action::Approve && d.was != Status::Approved;
    record_changes(&mut tx, done.iter().map(|d| (d.article_id, newly_approved(d).then_some(d.id))).collect()).await?;
    tx.commit().await?;
    Ok(done)
}

/// Puts comments back to the status each had before an action (the queue's undo), logged as
/// such. Comments deleted since are skipped. Returns how many were put back.
pub async fn restore(db: &Db, earlier: &[(i64, Status)], user_id: i64, now: i64) -> Result<usize, sqlx::Error> {
    let mut tx = db.begin().await?;
    let mut articles = Vec::new();
    for &(id, status) in earlier {
        let Some(row) = sqlx::query(
            // Back in the queue, a comment is nobody's decision (and nothing to learn from).
            "UPDATE comments SET status = $1, \
             moderated_at = CASE WHEN $1 = 'pending' THEN NULL ELSE $2 END, \
             moderated_by = CASE WHEN $1 = 'pending' THEN NULL ELSE $3 END \
             WHERE id = $4 RETURNING article_id, author_name, body",
        )
        .bind(status.as_str())
        .bind(now)
        .bind(user_id)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        else {
            continue;
        };
        // Undone, a rejection makes a comment visible again that its readers had seen: no news.
        articles.push((row.try_get("article_id")?, None));
        let snippet = log_snippet(&row.try_get::<String, _>("author_name")?, &row.try_get::<String, _>("body")?);
        log_action(&mut tx, id, Some(user_id), Action::Restore, &snippet, now).await?;
    }
    let restored = articles.len();
    record_changes(&mut tx, articles).await?;
    tx.commit().await?;
    Ok(restored)
}

/// What the log keeps of a comment: its author and the start of its text.
fn log_snippet(author: &str, body: &str) -> String {
    format!("{author}: {body}").chars().take(200).collect()
}

/// One change event per article whose comments changed, so pages and feeds follow, naming the
/// comments newly approved. `changed` holds an article and, if so, a comment approved on it.
async fn record_changes(conn: &mut AnyConnection, changed: Vec<(i64, Option<i64>)>) -> Result<(), sqlx::Error> {
    let mut by_article: std::collections::BTreeMap<i64, Vec<i64>> = std::collections::BTreeMap::new();
    for (article, approved) in changed {
        by_article.entry(article).or_default().extend(approved);
    }
    for (article_id, approved) in by_article {
        crate::changes::record(conn, crate::changes::Event::CommentsChanged { article_id, approved }).await?;
    }
    Ok(())
}

/// Writes one moderation log entry, in the caller's transaction. `user_id` is `None` for the
/// system's own decisions.
pub async fn log_action(
    conn: &mut AnyConnection,
    comment_id: i64,
    user_id: Option<i64>,
    action: Action,
    detail: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO moderation_log (comment_id, user_id, action, detail, at) VALUES ($1, $2, $3, $4, $5)")
        .bind(comment_id)
        .bind(user_id)
        .bind(action.as_str())
        .bind(detail)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A moderation log entry for the admin page.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LogEntry {
    pub comment_id: Option<i64>,
    pub user: Option<String>,
    pub action: String,
    pub detail: String,
    pub at: i64,
}

pub async fn log(db: &Db, limit: i64) -> Result<Vec<LogEntry>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT l.comment_id, u.email, l.action, l.detail, l.at FROM moderation_log l \
         LEFT JOIN users u ON u.id = l.user_id ORDER BY l.at DESC, l.id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(LogEntry {
                comment_id: r.try_get("comment_id")?,
                user: r.try_get("email")?,
                action: r.try_get("action")?,
                detail: r.try_get("detail")?,
                at: r.try_get("at")?,
            })
        })
        .collect()
}

/// The statement [`feed`] runs.
///
/// The site's feed walks the index of approved comments by time and stops after one page. An
/// article's feed reads that article's comments by their own index. SQLite needs two nudges for
/// the site's feed (measured with ten million comments):
/// - left to itself, it answers `status = 'approved'` from the status index and sorts every
///   approved comment, past the request timeout: the index is named (`INDEXED BY`);
/// - joined to the articles (or given `EXISTS`, which SQLite 3.51 turns into a join), it first
///   builds a Bloom filter over every live article (150-400 ms at 100,000 articles): whether the
///   article is live is a scalar subquery instead, and it and its slug and title are read per
///   comment by its key.
pub fn feed_statement(backend: Backend, article_id: Option<i64>, limit: i64, now: i64) -> Statement {
    let live = crate::articles::queries::LIVE;
    let sql = match (article_id, backend) {
        (None, Backend::Sqlite) => format!(
            "SELECT c.id, c.author_name, c.body, c.created_at, \
             (SELECT slug FROM articles WHERE id = c.article_id) AS slug, \
             (SELECT title FROM articles WHERE id = c.article_id) AS title \
             FROM comments c INDEXED BY comments_approved_recent WHERE c.status = 'approved' \
             AND (SELECT {live} FROM articles a WHERE a.id = c.article_id) \
             ORDER BY c.created_at DESC, c.id DESC LIMIT $2"
        ),
        _ => format!(
            "SELECT c.id, c.author_name, c.body, c.created_at, a.slug, a.title FROM comments c \
             JOIN articles a ON a.id = c.article_id WHERE c.status = 'approved' AND {live} {} \
             ORDER BY c.created_at DESC, c.id DESC LIMIT $2",
            if article_id.is_some() { "AND c.article_id = $3" } else { "" }
        ),
    };
    Statement { sql, args: [now, limit].into_iter().chain(article_id).collect() }
}

/// An approved comment for a feed.
#[derive(Debug, Clone)]
pub struct FeedComment {
    pub id: i64,
    pub author_name: String,
    pub body: String,
    pub created_at: i64,
    pub article_slug: String,
    pub article_title: String,
}

/// The newest approved comments, of one article or of all live ones.
pub async fn feed(db: &Db, article_id: Option<i64>, limit: i64, now: i64) -> Result<Vec<FeedComment>, sqlx::Error> {
    let rows = feed_statement(db.backend, article_id, limit, now).query().fetch_all(&db.pool).await?;
    rows.iter()
        .map(|r| {
            Ok(FeedComment {
                id: r.try_get("id")?,
                author_name: r.try_get("author_name")?,
                body: r.try_get("body")?,
                created_at: r.try_get("created_at")?,
                article_slug: r.try_get("slug")?,
                article_title: r.try_get("title")?,
            })
        })
        .collect()
}

pub async fn count_pending(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM comments WHERE status = 'pending'").fetch_one(&db.pool).await
}

/// Seconds since the epoch a comment of this article may no longer be written, if closed.
pub fn closes_at(published_at: Option<i64>, close_after_days: u32) -> Option<i64> {
    (close_after_days > 0).then(|| published_at.unwrap_or(0) + i64::from(close_after_days) * 86_400)
}

/// Whether `now` is past `closes_at`.
pub fn is_closed(published_at: Option<i64>, close_after_days: u32, now: i64) -> bool {
    closes_at(published_at, close_after_days).is_some_and(|t| now >= t)
}

/// Every decision a moderator took on a comment that still exists (approved, rejected or marked
/// as spam by a signed-in user; deleted comments are gone with their text), oldest first.
/// `off_topic_threshold` and `demeaning_threshold` tell which rejections were most likely for
/// being off-topic.
pub async fn decisions(
    db: &Db,
    off_topic_threshold: f64,
    demeaning_threshold: f64,
) -> Result<Vec<crate::comments::moderation::training::Decision>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, body, status, off_topic, demeaning FROM comments
         WHERE moderated_by IS NOT NULL AND status IN ('approved', 'rejected', 'spam') ORDER BY id",
    )
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|row| {
            let off_topic: f64 = row.try_get("off_topic")?;
            let demeaning: f64 = row.try_get("demeaning")?;
            Ok(crate::comments::moderation::training::Decision {
                comment_id: row.try_get("id")?,
                body: row.try_get("body")?,
                status: row.try_get("status")?,
                off_topic_only: off_topic >= off_topic_threshold && demeaning < demeaning_threshold,
            })
        })
        .collect()
}

/// A site model as the admin page lists it (without its weights).
#[derive(Debug, Clone, serde::Serialize)]
pub struct SiteModel {
    pub id: i64,
    pub state: String,
    pub progress: String,
    pub decisions: i64,
    pub held_out: i64,
    pub figures: serde_json::Value,
    pub in_use: bool,
    pub created_at: i64,
    pub finished_at: Option<i64>,
}

/// Starts a training: a row in state `training`, in the caller's transaction; returns its id.
pub async fn create_site_model(conn: &mut AnyConnection, user: Option<i64>, now: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO moderation_models (state, progress, requested_by, created_at)
         VALUES ('training', 'waiting', $1, $2) RETURNING id",
    )
    .bind(user)
    .bind(now)
    .fetch_one(&mut *conn)
    .await
}

/// Whether a training is waiting or running.
pub async fn training_site_model(db: &Db) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM moderation_models WHERE state = 'training' ORDER BY id LIMIT 1")
        .fetch_optional(&db.pool)
        .await
}

/// The state of training `id`, if it exists.
pub async fn site_model_state(db: &Db, id: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT state FROM moderation_models WHERE id = $1").bind(id).fetch_optional(&db.pool).await
}

pub async fn site_model_progress(db: &Db, id: i64, progress: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE moderation_models SET progress = $1 WHERE id = $2 AND state = 'training'")
        .bind(progress)
        .bind(id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Ends a training with its model and figures.
pub async fn site_model_ready(
    db: &Db,
    id: i64,
    model: &[u8],
    figures: &serde_json::Value,
    (decisions, held_out): (i64, i64),
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE moderation_models SET state = 'ready', progress = '', model = $1, figures = $2, decisions = $3,
                held_out = $4, finished_at = $5
         WHERE id = $6",
    )
    .bind(model.to_vec())
    .bind(figures.to_string())
    .bind(decisions)
    .bind(held_out)
    .bind(now)
    .bind(id)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Ends a training that could not be done, with the reason.
pub async fn site_model_failed(db: &Db, id: i64, reason: &str, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE moderation_models SET state = 'failed', progress = $1, finished_at = $2 WHERE id = $3")
        .bind(reason)
        .bind(now)
        .bind(id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// The newest site models first.
pub async fn site_models(db: &Db, limit: i64) -> Result<Vec<SiteModel>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, state, progress, decisions, held_out, figures, in_use, created_at, finished_at
         FROM moderation_models ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    rows.iter()
        .map(|row| {
            let figures: String = row.try_get("figures")?;
            Ok(SiteModel {
                id: row.try_get("id")?,
                state: row.try_get("state")?,
                progress: row.try_get("progress")?,
                decisions: row.try_get("decisions")?,
                held_out: row.try_get("held_out")?,
                figures: serde_json::from_str(&figures).unwrap_or_default(),
                in_use: row.try_get::<i64, _>("in_use")? == 1,
                created_at: row.try_get("created_at")?,
                finished_at: row.try_get("finished_at")?,
            })
        })
        .collect()
}

/// The weights of the site model in use, with its id, if one is.
pub async fn site_model_in_use(db: &Db) -> Result<Option<(i64, Vec<u8>)>, sqlx::Error> {
    let row = sqlx::query("SELECT id, model FROM moderation_models WHERE in_use = 1 AND state = 'ready' LIMIT 1")
        .fetch_optional(&db.pool)
        .await?;
    row.map(|row| Ok((row.try_get("id")?, row.try_get("model")?))).transpose()
}

/// Puts the ready model `id` in use, or none (the built-in model), in the caller's transaction.
/// Returns false when `id` is not a ready model.
pub async fn use_site_model(conn: &mut AnyConnection, id: Option<i64>) -> Result<bool, sqlx::Error> {
    if let Some(id) = id {
        let ready: Option<i64> =
            sqlx::query_scalar("SELECT id FROM moderation_models WHERE id = $1 AND state = 'ready'")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
        if ready.is_none() {
            return Ok(false);
        }
    }
    sqlx::query("UPDATE moderation_models SET in_use = CASE WHEN id = $1 THEN 1 ELSE 0 END")
        .bind(id.unwrap_or(0))
        .execute(&mut *conn)
        .await?;
    Ok(true)
}
