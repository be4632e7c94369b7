//! The mail that reminds moderators of waiting comments. When the oldest comment waiting for a
//! decision is older than `comments.remind_moderators_after_minutes`, every moderator and admin
//! gets one mail naming how many wait and since when, with a link to the queue; the next comes
//! no sooner than that many minutes later, and only while comments still wait. Nodes agree
//! through one row of `mail_state`, so a cluster sends one mail, not one per node.

use crate::auth::users::{self, Role};
use crate::email::Env;
use crate::email::compose;
use crate::email::newsletter::{set_state, state};
use crate::email::outbox::{self, NewMessage};
use minijinja::context;

use super::queries;

/// The `mail_state` row holding when the last reminder went out.
const LAST_SENT: &str = "moderation_reminder";

/// Sends the reminder when it is due. Returns how many mails were queued.
pub async fn send_if_due(app: &dyn Env) -> anyhow::Result<usize> {
    let minutes = app.config().comments.remind_moderators_after_minutes;
    if minutes == 0 {
        return Ok(0);
    }
    let now = app.now();
    let interval = i64::from(minutes) * 60;
    let (count, Some(oldest)) = queries::waiting(app.db()).await? else { return Ok(0) };
    if now - oldest < interval {
        return Ok(0);
    }
    let sent_last = |value: Option<String>| value.and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    if now - sent_last(state(app.db(), LAST_SENT).await?) < interval {
        return Ok(0);
    }
    let recipients = users::addresses_of(app.db(), &[Role::Moderator, Role::Admin]).await?;
    let mut tx = app.db().begin().await?;
    // Another node may have sent it in between: the row read inside the transaction decides.
    let taken: Option<String> = sqlx::query_scalar("SELECT value FROM mail_state WHERE name = $1")
        .bind(LAST_SENT)
        .fetch_optional(&mut *tx)
        .await?;
    if now - sent_last(taken) < interval {
        return Ok(0);
    }
    set_state(&mut tx, LAST_SENT, &now.to_string()).await?;
    let waited_hours = (now - oldest) / 3600;
    let page = context! {
        count => count,
        waited_minutes => (now - oldest) / 60,
        waited_hours => waited_hours,
        link => format!("{}/admin/comments", app.config().site.base_url),
    };
    let (text, html) = compose::render(app, "moderation", page)?;
    let subject = app.i18n().text(
        app.language(),
        "mail-moderation-subject",
        &[("count", count.into()), ("site", app.config().site.name.clone().into())],
    );
    for recipient in &recipients {
        let message = NewMessage {
            kind: outbox::kind::STAFF,
            mailing_id: None,
            subscriber_id: None,
            recipient,
            subject: &subject,
            text: &text,
            html: &html,
        };
        outbox::enqueue(&mut tx, &message, now).await?;
    }
    tx.commit().await?;
    tracing::info!(waiting = count, recipients = recipients.len(), "moderators reminded of waiting comments");
    Ok(recipients.len())
}
