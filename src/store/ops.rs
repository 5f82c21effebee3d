//! Lead changes, one code path for a rep's mail commands and the CLI actions.
//! Each checks the lead first (errors name it) and writes its timeline entry.

use super::leads::{self, LeadState, REPLIED};
use super::stamp::stamp;
use super::{Conn, StoreError};
use crate::domain::{LeadKind, LeadStatus, TimelineKind};
use crate::ingest::plan::{Command, NextActionDraft, TimelineDraft};
use crate::store::db;
use chrono::{DateTime, SecondsFormat, Utc};

/// Who changes a lead, when, and from which message (if any).
#[derive(Debug, Clone, Copy)]
pub(super) struct Change<'a> {
    /// When the change happened (the message's time, or now).
    pub at: DateTime<Utc>,
    /// Who made it.
    pub actor: Option<&'a str>,
    /// The message it came from.
    pub message_key: Option<&'a str>,
}

impl Change<'_> {
    /// Writes the change's timeline entry on a lead.
    async fn record(
        &self,
        conn: &mut Conn,
        lead_id: i64,
        kind: TimelineKind,
        subject: String,
        body: String,
    ) -> Result<(), StoreError> {
        let entry = TimelineDraft {
            kind,
            occurred_at: self.at,
            actor: self.actor.map(str::to_string),
            subject,
            body,
        };
        leads::add_entry(conn, lead_id, &entry, self.message_key).await
    }
}

/// Applies commands in order; a command the lead's state refuses is returned
/// as a rejection (the rest still applies), any other error aborts.
pub(super) async fn apply_commands(
    conn: &mut Conn,
    lead_id: i64,
    commands: &[Command],
    change: Change<'_>,
) -> Result<Vec<String>, StoreError> {
    let mut rejected = Vec::new();
    for command in commands {
        match apply_command(conn, lead_id, command, change).await {
            Ok(()) => {}
            Err(refused @ StoreError::Invalid { .. }) => rejected.push(refused.to_string()),
            Err(other) => return Err(other),
        }
    }
    Ok(rejected)
}

async fn apply_command(
    conn: &mut Conn,
    lead_id: i64,
    command: &Command,
    change: Change<'_>,
) -> Result<(), StoreError> {
    match command {
        Command::Tag { tag } => add_tag(conn, lead_id, tag).await,
        Command::Next(draft) => set_next_action(conn, lead_id, draft, change).await,
        Command::Amount { value, currency } => set_amount(conn, lead_id, *value, currency).await,
        Command::Step { step } => set_step(conn, lead_id, step, change).await,
        Command::Status {
            status,
            until,
            reason,
        } => set_status(conn, lead_id, *status, *until, reason.as_deref(), change).await,
        Command::Owner { owner } => set_owner(conn, lead_id, owner.as_str()).await,
    }
}

/// Changes the status. Standby needs a date; a prospect cannot be won or
/// lost (convert it first); closing drops the open next action.
pub(super) async fn set_status(
    conn: &mut Conn,
    lead_id: i64,
    status: LeadStatus,
    until: Option<DateTime<Utc>>,
    reason: Option<&str>,
    change: Change<'_>,
) -> Result<(), StoreError> {
    let lead = leads::state(conn, lead_id).await?;
    check_status(&lead, status, until).map_err(|why| StoreError::Invalid {
        lead_id,
        action: "set the status of",
        why,
    })?;
    let until = until.filter(|_| status == LeadStatus::Standby);
    let reason = reason.filter(|_| !status.is_open());
    db::query(
        "UPDATE leads SET status = $2, standby_until = $3, close_reason = $4, updated_at = $5 \
         WHERE id = $1",
    )
    .bind(lead_id)
    .bind(status.as_str())
    .bind(until.map(stamp))
    .bind(reason)
    .bind(stamp(crate::clock::now()))
    .execute(&mut *conn)
    .await?;
    if !status.is_open() {
        leads::close_next_action(conn, lead_id, "dropped", change.at).await?;
    }
    let mut subject = format!("Status: {} → {status}", lead.status);
    if let Some(until) = until {
        subject.push_str(&format!(" until {}", display_time(until)));
    }
    let body = reason.unwrap_or_default().to_string();
    change
        .record(conn, lead_id, TimelineKind::StatusChange, subject, body)
        .await
}

fn check_status(
    lead: &LeadState,
    status: LeadStatus,
    until: Option<DateTime<Utc>>,
) -> Result<(), String> {
    if status == LeadStatus::Standby && until.is_none() {
        return Err("standby needs a date (standby until <when>)".into());
    }
    if lead.kind == LeadKind::Prospect && matches!(status, LeadStatus::Won | LeadStatus::Lost) {
        return Err(format!(
            "it is a prospect; convert it to a lead before marking it {status}"
        ));
    }
    if lead.status == status && status != LeadStatus::Standby {
        return Err(format!("it is already {status}"));
    }
    Ok(())
}

/// Moves the lead to a pipeline step (the caller checks the step name).
pub(super) async fn set_step(
    conn: &mut Conn,
    lead_id: i64,
    step: &str,
    change: Change<'_>,
) -> Result<(), StoreError> {
    let lead = leads::state(conn, lead_id).await?;
    db::query("UPDATE leads SET step = $2, updated_at = $3 WHERE id = $1")
        .bind(lead_id)
        .bind(step)
        .bind(stamp(crate::clock::now()))
        .execute(&mut *conn)
        .await?;
    let subject = match lead.step {
        Some(old) => format!("Step: {old} → {step}"),
        None => format!("Step: {step}"),
    };
    change
        .record(
            conn,
            lead_id,
            TimelineKind::StepChange,
            subject,
            String::new(),
        )
        .await
}

/// Replaces the open next action with `draft`.
pub(super) async fn set_next_action(
    conn: &mut Conn,
    lead_id: i64,
    draft: &NextActionDraft,
    change: Change<'_>,
) -> Result<(), StoreError> {
    leads::state(conn, lead_id).await?;
    leads::replace_next_action(conn, lead_id, draft, change.at).await?;
    let subject = format!(
        "Next action: {}, due {}",
        draft.kind,
        display_time(draft.due_at)
    );
    let body = draft.note.clone();
    change
        .record(conn, lead_id, TimelineKind::NextAction, subject, body)
        .await
}

/// Marks the open next action done; an error when there is none.
pub(super) async fn complete_next_action(
    conn: &mut Conn,
    lead_id: i64,
    change: Change<'_>,
) -> Result<(), StoreError> {
    leads::state(conn, lead_id).await?;
    let Some((kind, note)) = leads::close_next_action(conn, lead_id, "done", change.at).await?
    else {
        return Err(StoreError::Invalid {
            lead_id,
            action: "complete the next action of",
            why: "it has no open next action".into(),
        });
    };
    let subject = format!("Done: {kind}");
    change
        .record(conn, lead_id, TimelineKind::NextAction, subject, note)
        .await
}

/// Turns a prospect into a lead (status `todo`, `replied` cleared).
pub(super) async fn convert(
    conn: &mut Conn,
    lead_id: i64,
    change: Change<'_>,
) -> Result<(), StoreError> {
    let lead = leads::state(conn, lead_id).await?;
    if lead.kind == LeadKind::Lead {
        let why = "it is already a lead".to_string();
        return Err(StoreError::Invalid {
            lead_id,
            action: "convert",
            why,
        });
    }
    db::query(
        "UPDATE leads SET kind = 'lead', status = 'todo', standby_until = NULL, \
           close_reason = NULL, updated_at = $2 WHERE id = $1",
    )
    .bind(lead_id)
    .bind(stamp(crate::clock::now()))
    .execute(&mut *conn)
    .await?;
    db::query("DELETE FROM lead_flags WHERE lead_id = $1 AND flag = $2")
        .bind(lead_id)
        .bind(REPLIED)
        .execute(&mut *conn)
        .await?;
    let subject = format!("Converted to lead (was a {} prospect)", lead.status);
    change
        .record(
            conn,
            lead_id,
            TimelineKind::StatusChange,
            subject,
            String::new(),
        )
        .await
}

/// Hands the lead to another user (who must exist: foreign key).
pub(super) async fn set_owner(
    conn: &mut Conn,
    lead_id: i64,
    owner: &str,
) -> Result<(), StoreError> {
    leads::state(conn, lead_id).await?;
    db::query("UPDATE leads SET owner = $2, updated_at = $3 WHERE id = $1")
        .bind(lead_id)
        .bind(owner)
        .bind(stamp(crate::clock::now()))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Hands the lead to `owner` and says so on the timeline, by the actor.
pub(super) async fn change_owner(
    conn: &mut Conn,
    lead_id: i64,
    owner: &str,
    change: Change<'_>,
) -> Result<(), StoreError> {
    let before: Option<String> = db::query_scalar("SELECT owner FROM leads WHERE id = $1")
        .bind(lead_id)
        .fetch_optional(&mut *conn)
        .await?
        .flatten();
    set_owner(conn, lead_id, owner).await?;
    let from = before.as_deref().unwrap_or("nobody");
    let subject = format!("Owner: {from} → {owner}");
    change
        .record(conn, lead_id, TimelineKind::Note, subject, String::new())
        .await
}

/// A rep's note on the timeline.
pub(super) async fn add_note(
    conn: &mut Conn,
    lead_id: i64,
    text: &str,
    change: Change<'_>,
) -> Result<(), StoreError> {
    leads::state(conn, lead_id).await?;
    change
        .record(
            conn,
            lead_id,
            TimelineKind::Note,
            "Note".into(),
            text.to_string(),
        )
        .await
}

async fn set_amount(
    conn: &mut Conn,
    lead_id: i64,
    value: f64,
    currency: &str,
) -> Result<(), StoreError> {
    db::query(
        "UPDATE leads SET amount_value = $2, amount_currency = $3, updated_at = $4 WHERE id = $1",
    )
    .bind(lead_id)
    .bind(value)
    .bind(currency.trim().to_uppercase())
    .bind(stamp(crate::clock::now()))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Sets the expected amount and says so on the timeline, by the actor
/// (a mail's `amount:` command is on the timeline as the mail itself).
pub(super) async fn change_amount(
    conn: &mut Conn,
    lead_id: i64,
    (value, currency): (f64, &str),
    change: Change<'_>,
) -> Result<(), StoreError> {
    leads::state(conn, lead_id).await?;
    let before: Option<(Option<f64>, Option<String>)> =
        db::query_as("SELECT amount_value, amount_currency FROM leads WHERE id = $1")
            .bind(lead_id)
            .fetch_optional(&mut *conn)
            .await?;
    let before = match before {
        Some((Some(value), Some(currency))) => format!("{value} {currency}"),
        _ => "none".to_string(),
    };
    set_amount(conn, lead_id, value, currency).await?;
    let subject = format!(
        "Amount: {before} → {value} {}",
        currency.trim().to_uppercase()
    );
    change
        .record(conn, lead_id, TimelineKind::Note, subject, String::new())
        .await
}

/// Replaces the lead's tags with `tags` (each as [`add_tag`] writes it)
/// and says so on the timeline, by the actor; the same set again is no
/// change and no entry.
pub(super) async fn change_tags(
    conn: &mut Conn,
    lead_id: i64,
    tags: &[String],
    change: Change<'_>,
) -> Result<(), StoreError> {
    leads::state(conn, lead_id).await?;
    let sql = "SELECT tag FROM lead_tags WHERE lead_id = $1 ORDER BY tag";
    let before: Vec<String> = db::query_scalar(sql)
        .bind(lead_id)
        .fetch_all(&mut *conn)
        .await?;
    db::query("DELETE FROM lead_tags WHERE lead_id = $1")
        .bind(lead_id)
        .execute(&mut *conn)
        .await?;
    for tag in tags {
        add_tag(conn, lead_id, tag).await?;
    }
    let after: Vec<String> = db::query_scalar(sql)
        .bind(lead_id)
        .fetch_all(&mut *conn)
        .await?;
    if after == before {
        return Ok(());
    }
    let list = |tags: &[String]| match tags {
        [] => "none".to_string(),
        some => some.join(", "),
    };
    let subject = format!("Tags: {} → {}", list(&before), list(&after));
    change
        .record(conn, lead_id, TimelineKind::Note, subject, String::new())
        .await
}

/// Adds a tag (lower-cased, without `#`) to a lead; adding it twice is harmless.
pub(super) async fn add_tag(conn: &mut Conn, lead_id: i64, tag: &str) -> Result<(), StoreError> {
    let tag = tag.trim().trim_start_matches('#').to_lowercase();
    if tag.is_empty() {
        return Ok(());
    }
    db::query("INSERT INTO lead_tags (lead_id, tag) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(lead_id)
        .bind(tag)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

fn display_time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}
