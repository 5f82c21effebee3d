//! What each user and partner has been doing, from the records: behind
//! `users list` and `partners list`.

use super::stamp::stamp;
use super::{Store, StoreError};
use crate::store::db;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// A user's activity (`users list --json` adds the configuration's fields).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct UserActivity {
    /// The user's address.
    pub email: String,
    /// Open leads and prospects they own.
    pub open_leads: i64,
    /// Of those, how many have a next action past due.
    pub overdue: i64,
    /// Of those, the prospects flagged `replied` (they answered: convert
    /// or cancel them).
    pub replied: i64,
    /// The last mail from them on any timeline.
    pub last_mail_at: Option<String>,
    /// When their last digest was sent.
    pub last_digest_at: Option<String>,
}

/// A partner's referrals, by lead source `partner:<name>`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct PartnerActivity {
    /// The configured partner name.
    pub name: String,
    /// Leads they referred.
    pub referrals: i64,
    /// Of those, still open.
    pub open: i64,
    /// Of those, won.
    pub won: i64,
}

impl Store {
    /// The activity of every user the database knows, by address.
    pub async fn user_activity(&self, now: DateTime<Utc>) -> Result<Vec<UserActivity>, StoreError> {
        let rows = db::query_as(
            "SELECT u.email, \
               (SELECT COUNT(*) FROM leads l WHERE l.owner = u.email \
                  AND l.status IN ('todo', 'standby')) AS open_leads, \
               (SELECT COUNT(*) FROM leads l JOIN next_actions n ON n.lead_id = l.id \
                  WHERE l.owner = u.email AND l.status IN ('todo', 'standby') \
                  AND n.done_at IS NULL AND n.due_at < $1) AS overdue, \
               (SELECT COUNT(*) FROM leads l JOIN lead_flags f \
                  ON f.lead_id = l.id AND f.flag = 'replied' \
                  WHERE l.owner = u.email AND l.kind = 'prospect' \
                  AND l.status IN ('todo', 'standby')) AS replied, \
               (SELECT MAX(t.occurred_at) FROM timeline t WHERE t.actor = u.email \
                  AND t.message_key IS NOT NULL) AS last_mail_at, \
               (SELECT MAX(o.sent_at) FROM outbox o WHERE o.user_email = u.email \
                  AND o.kind = 'digest') AS last_digest_at \
             FROM users u ORDER BY u.email",
        )
        .bind(stamp(now))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    /// The referrals of each partner named here (a partner without any
    /// gets zeros).
    pub async fn partner_activity(
        &self,
        names: &[String],
    ) -> Result<Vec<PartnerActivity>, StoreError> {
        let mut partners = Vec::with_capacity(names.len());
        for name in names {
            let (referrals, open, won): (i64, i64, i64) = db::query_as(
                "SELECT COUNT(*), \
                   COALESCE(SUM(CASE WHEN status IN ('todo', 'standby') THEN 1 ELSE 0 END), 0), \
                   COALESCE(SUM(CASE WHEN status = 'won' THEN 1 ELSE 0 END), 0) \
                 FROM leads WHERE source = $1",
            )
            .bind(format!("partner:{name}"))
            .fetch_one(&self.pool)
            .await?;
            partners.push(PartnerActivity {
                name: name.clone(),
                referrals,
                open,
                won,
            });
        }
        Ok(partners)
    }
}
