//! A rep's actions from the CLI (or a digest reply): each one transaction
//! with a timeline entry, through the same functions as mail commands.
//! `actor` is the CLI's `--as`: a configured user obeys `store::access`
//! like a mail command; the operator (`cli`, the default) may act on any lead.

use super::access;
use super::ops::{self, Change};
use super::{Store, StoreError};
use crate::commands::reply::ReplyAction;
use crate::domain::LeadStatus;
use crate::ingest::plan::NextActionDraft;
use crate::store::db;
use chrono::{DateTime, Utc};

/// A change made now by `actor`, from no message.
fn now_by(actor: &str) -> Change<'_> {
    Change {
        at: crate::clock::now(),
        actor: Some(actor),
        message_key: None,
    }
}

impl Store {
    /// Converts a prospect into a lead (status `todo`, `replied` cleared);
    /// converting a lead is an error.
    pub async fn convert(&self, lead_id: i64, actor: &str) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        access::check_cli(&mut tx, lead_id, actor).await?;
        ops::convert(&mut tx, lead_id, now_by(actor)).await?;
        Ok(tx.commit().await?)
    }

    /// Cancels a lead or prospect ("dead": nobody contacts them again).
    pub async fn cancel(
        &self,
        lead_id: i64,
        actor: &str,
        reason: Option<&str>,
    ) -> Result<(), StoreError> {
        self.set_status(lead_id, LeadStatus::Cancelled, None, reason, actor)
            .await
    }

    /// Sets the status; standby needs `until`, lost/cancelled keep `reason`.
    pub async fn set_status(
        &self,
        lead_id: i64,
        status: LeadStatus,
        until: Option<DateTime<Utc>>,
        reason: Option<&str>,
        actor: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        access::check_cli(&mut tx, lead_id, actor).await?;
        ops::set_status(&mut tx, lead_id, status, until, reason, now_by(actor)).await?;
        Ok(tx.commit().await?)
    }

    /// Moves the lead to a pipeline step (the caller checks the name against
    /// the configured steps).
    pub async fn set_step(&self, lead_id: i64, step: &str, actor: &str) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        access::check_cli(&mut tx, lead_id, actor).await?;
        ops::set_step(&mut tx, lead_id, step, now_by(actor)).await?;
        Ok(tx.commit().await?)
    }

    /// Replaces the lead's next action.
    pub async fn set_next_action(
        &self,
        lead_id: i64,
        action: &NextActionDraft,
        actor: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        access::check_cli(&mut tx, lead_id, actor).await?;
        ops::set_next_action(&mut tx, lead_id, action, now_by(actor)).await?;
        Ok(tx.commit().await?)
    }

    /// Marks the lead's open next action done (an error when it has none).
    pub async fn complete_next_action(&self, lead_id: i64, actor: &str) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        access::check_cli(&mut tx, lead_id, actor).await?;
        ops::complete_next_action(&mut tx, lead_id, now_by(actor)).await?;
        Ok(tx.commit().await?)
    }

    /// One action of the digest reply's vocabulary (done, snooze, next,
    /// status, step, convert) by `actor`, through the same code as a reply's
    /// command: the web app's lead actions.
    pub async fn act(
        &self,
        lead_id: i64,
        action: &ReplyAction,
        actor: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        access::check_cli(&mut tx, lead_id, actor).await?;
        super::digest_reply::act(&mut tx, lead_id, action, now_by(actor)).await?;
        Ok(tx.commit().await?)
    }

    /// A note by `actor` on the lead's timeline.
    pub async fn add_note(&self, lead_id: i64, text: &str, actor: &str) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        access::check_cli(&mut tx, lead_id, actor).await?;
        ops::add_note(&mut tx, lead_id, text, now_by(actor)).await?;
        Ok(tx.commit().await?)
    }

    /// Gives the lead to `owner` (a configured user; the caller checks
    /// that `actor` may hand it to them), on the timeline by `actor`.
    pub async fn change_owner(
        &self,
        lead_id: i64,
        owner: &str,
        actor: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        access::check_cli(&mut tx, lead_id, actor).await?;
        ops::change_owner(&mut tx, lead_id, owner, now_by(actor)).await?;
        Ok(tx.commit().await?)
    }

    /// Sets the lead's expected amount (`value` in `currency`, an ISO
    /// code), on the timeline by `actor`.
    pub async fn set_amount(
        &self,
        lead_id: i64,
        value: f64,
        currency: &str,
        actor: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        access::check_cli(&mut tx, lead_id, actor).await?;
        ops::change_amount(&mut tx, lead_id, (value, currency), now_by(actor)).await?;
        Ok(tx.commit().await?)
    }

    /// Replaces the lead's tags with `tags`, on the timeline by `actor`
    /// (when they changed).
    pub async fn set_tags(
        &self,
        lead_id: i64,
        tags: &[String],
        actor: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        access::check_cli(&mut tx, lead_id, actor).await?;
        ops::change_tags(&mut tx, lead_id, tags, now_by(actor)).await?;
        Ok(tx.commit().await?)
    }

    /// Flips standby leads whose date has come (at `now`) back to `todo`;
    /// returns their ids. A lead without an open next action gets one,
    /// "standby ended", due at its standby date, so the owner's digest
    /// shows it; one the rep had planned is kept. Each change is on the
    /// timeline, by `leadmail`. The daemon calls this every sender tick,
    /// `run --once` once.
    pub async fn wake_standby(&self, now: DateTime<Utc>) -> Result<Vec<i64>, StoreError> {
        // Most ticks find nothing: ask before taking the write lock.
        let any_due: bool = db::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM leads WHERE status = 'standby' AND standby_until <= $1)",
        )
        .bind(super::stamp::stamp(now))
        .fetch_one(&self.pool)
        .await?;
        if !any_due {
            return Ok(Vec::new());
        }
        let mut tx = self.begin_write().await?;
        let due: Vec<(i64, String)> = db::query_as(
            "SELECT id, standby_until FROM leads \
             WHERE status = 'standby' AND standby_until <= $1 ORDER BY id",
        )
        .bind(super::stamp::stamp(now))
        .fetch_all(&mut *tx)
        .await?;
        let change = Change {
            at: now,
            actor: Some("leadmail"),
            message_key: None,
        };
        for (lead_id, until) in &due {
            ops::set_status(&mut tx, *lead_id, LeadStatus::Todo, None, None, change).await?;
            if super::leads::open_next_action(&mut tx, *lead_id)
                .await?
                .is_none()
            {
                let reminder = NextActionDraft {
                    due_at: super::stamp::parse_stamp(until)?,
                    kind: "follow_up".into(),
                    note: "standby ended".into(),
                };
                ops::set_next_action(&mut tx, *lead_id, &reminder, change).await?;
            }
        }
        tx.commit().await?;
        Ok(due.into_iter().map(|(id, _)| id).collect())
    }
}
