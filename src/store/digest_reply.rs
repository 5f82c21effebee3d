//! Applies a reply to a digest: each command on a lead the user may act on
//! (`store::access` reads what `domain::access::may_act` decides on: their
//! own and unassigned ones, their team's for a team lead, any for an
//! admin), then queues the confirmation mail in the same transaction, so it
//! goes out exactly once, unless `digest::confirmation::may_confirm` says
//! the user had too many in the last hour.

use super::access;
use super::apply::Ctx;
use super::leads;
use super::ops::{self, Change};
use super::outbox::{self, OutboxDraft};
use super::{Conn, StoreError};
use crate::commands::bounds::refusal;
use crate::commands::reply::{ReplyAction, ReplyCommand};
use crate::digest::confirmation::{may_confirm, render_confirmation, CONFIRMATIONS_PER_WINDOW};
use crate::domain::ids;
use crate::ingest::plan::{DigestReplyMail, NextActionDraft, Outcome};
use crate::store::db;

/// Applies the commands; refusals join the lines not understood.
pub(super) async fn apply(
    conn: &mut Conn,
    ctx: &mut Ctx<'_>,
    mail: &DigestReplyMail,
) -> Result<Outcome, StoreError> {
    let user = mail.user.to_string();
    let change = Change {
        at: ctx.plan.occurred_at,
        actor: Some(user.as_str()),
        message_key: Some(ctx.plan.key.as_str()),
    };
    let mut applied = Vec::new();
    let mut refused = mail.not_understood.clone();
    for command in &mail.commands {
        match run(conn, command, &user, change).await {
            Ok(()) => {
                applied.push(command.clone());
                ctx.touch(command.lead_id);
            }
            Err(why) if is_refusal(&why) => refused.push(refusal(&command.line, &why.to_string())),
            Err(other) => return Err(other),
        }
    }
    // A reply holding no command ("thanks!") gets no answer.
    if !applied.is_empty() || !refused.is_empty() {
        queue_confirmation(conn, ctx, mail, &applied, &refused).await?;
    }
    Ok(Outcome::Appended)
}

/// A command the lead's state or ownership refuses, as opposed to a failure.
fn is_refusal(error: &StoreError) -> bool {
    matches!(
        error,
        StoreError::Invalid { .. } | StoreError::LeadNotFound { .. }
    )
}

async fn run(
    conn: &mut Conn,
    command: &ReplyCommand,
    user: &str,
    change: Change<'_>,
) -> Result<(), StoreError> {
    let lead_id = command.lead_id;
    access::check(conn, lead_id, user).await?;
    act(conn, lead_id, &command.action, change).await
}

/// One action of the reply vocabulary on a lead, after the access check;
/// the web app's actions (`Store::act`) take the same path.
pub(super) async fn act(
    conn: &mut Conn,
    lead_id: i64,
    action: &ReplyAction,
    change: Change<'_>,
) -> Result<(), StoreError> {
    match action {
        ReplyAction::Done => ops::complete_next_action(conn, lead_id, change).await,
        ReplyAction::Snooze { until } => snooze(conn, lead_id, *until, change).await,
        ReplyAction::Next(draft) => ops::set_next_action(conn, lead_id, draft, change).await,
        ReplyAction::Status {
            status,
            until,
            reason,
        } => ops::set_status(conn, lead_id, *status, *until, reason.as_deref(), change).await,
        ReplyAction::Step { step } => ops::set_step(conn, lead_id, step, change).await,
        ReplyAction::Convert => ops::convert(conn, lead_id, change).await,
    }
}

/// Moves the open next action to `until`, keeping what it says; a lead
/// without one gets a follow-up then.
async fn snooze(
    conn: &mut Conn,
    lead_id: i64,
    until: chrono::DateTime<chrono::Utc>,
    change: Change<'_>,
) -> Result<(), StoreError> {
    let open = leads::open_next_action(conn, lead_id).await?;
    let (kind, note) = open.unwrap_or_else(|| ("follow_up".to_string(), "Follow up".to_string()));
    let draft = NextActionDraft {
        due_at: until,
        kind,
        note,
    };
    ops::set_next_action(conn, lead_id, &draft, change).await
}

async fn queue_confirmation(
    conn: &mut Conn,
    ctx: &Ctx<'_>,
    mail: &DigestReplyMail,
    applied: &[ReplyCommand],
    refused: &[String],
) -> Result<(), StoreError> {
    let recent = recent_confirmations(conn, mail.user.as_ref()).await?;
    if let Err(why) = may_confirm(&recent, ctx.now) {
        tracing::warn!(user = %mail.user, "{why}");
        return Ok(());
    }
    let tz = mail.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let (subject, text) = render_confirmation(applied, refused, tz, ctx.now);
    let draft = OutboxDraft {
        kind: ids::CONFIRMATION_KIND,
        user_email: mail.user.to_string(),
        local_date: None,
        message_id: mail.confirmation_id.clone(),
        in_reply_to: mail.reply_message_id.clone(),
        recipient: mail.user.to_string(),
        subject,
        text,
        html: None,
        header_value: ids::user_header_value(ids::CONFIRMATION_KIND, &mail.user),
    };
    outbox::queue(conn, &draft, ctx.now).await?;
    Ok(())
}

/// When the user's latest confirmations were queued, newest first: as many
/// as [`may_confirm`] needs to decide.
async fn recent_confirmations(
    conn: &mut Conn,
    user: &str,
) -> Result<Vec<chrono::DateTime<chrono::Utc>>, StoreError> {
    let stamps: Vec<String> = db::query_scalar(
        "SELECT created_at FROM outbox WHERE kind = 'confirmation' AND user_email = $1 \
         ORDER BY created_at DESC LIMIT $2",
    )
    .bind(user)
    .bind(CONFIRMATIONS_PER_WINDOW as i64)
    .fetch_all(&mut *conn)
    .await?;
    stamps
        .iter()
        .map(|at| super::stamp::parse_stamp(at))
        .collect()
}
