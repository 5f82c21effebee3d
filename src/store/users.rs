//! Users (reps), mirrored from the configuration: upserted, never deleted.

use super::stamp::stamp;
use super::{Store, StoreError};
use crate::store::db;
use serde::Serialize;

/// A user as the configuration describes them (the store's own plain type,
/// so the store does not depend on the config module).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct UserRecord {
    /// Their address (the key leads' `owner` refers to), lower-cased.
    pub email: String,
    /// Display name.
    pub name: String,
    /// `admin`, `team_lead` or `user`.
    pub role: String,
    /// Their team, if any.
    pub team: Option<String>,
    /// IANA time zone name.
    pub time_zone: String,
    /// `HH:MM` when relative next actions fall due.
    pub workday_start: String,
    /// `HH:MM` when their digest is sent.
    pub digest_at: String,
    /// False once they are gone from the configuration.
    pub active: bool,
}

impl Store {
    /// Makes the users table match the configuration in one transaction:
    /// listed users are upserted, the others become inactive (never deleted,
    /// so their leads keep their owner).
    pub async fn sync_users(&self, users: &[UserRecord]) -> Result<(), StoreError> {
        let now = stamp(crate::clock::now());
        let mut tx = self.begin_write().await?;
        db::query("UPDATE users SET active = FALSE, updated_at = $1 WHERE active")
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        for user in users {
            db::query(
                "INSERT INTO users (email, name, role, team, time_zone, workday_start, \
                   digest_at, active, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 ON CONFLICT (email) DO UPDATE SET name = excluded.name, role = excluded.role, \
                   team = excluded.team, time_zone = excluded.time_zone, \
                   workday_start = excluded.workday_start, digest_at = excluded.digest_at, \
                   active = excluded.active, updated_at = excluded.updated_at",
            )
            .bind(user.email.trim().to_lowercase())
            .bind(&user.name)
            .bind(&user.role)
            .bind(user.team.as_deref())
            .bind(&user.time_zone)
            .bind(&user.workday_start)
            .bind(&user.digest_at)
            .bind(user.active)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        Ok(tx.commit().await?)
    }

    /// Deactivates (`active = false`) or reactivates a configured user
    /// from the CLI; their leads keep their owner. Errors when the address
    /// is no user. Returns whether anything changed.
    pub async fn set_user_active(
        &self,
        email: &str,
        active: bool,
        actor: &str,
    ) -> Result<bool, StoreError> {
        let email = email.trim().to_lowercase();
        let known: Option<Option<String>> =
            db::query_scalar("SELECT deactivated_at FROM users WHERE email = $1")
                .bind(&email)
                .fetch_optional(&self.pool)
                .await?;
        let Some(deactivated_at) = known else {
            return Err(StoreError::UserNotFound { email });
        };
        if deactivated_at.is_none() == active {
            return Ok(false);
        }
        let now = stamp(crate::clock::now());
        db::query(
            "UPDATE users SET deactivated_at = $2, deactivated_by = $3, updated_at = $4 \
             WHERE email = $1",
        )
        .bind(&email)
        .bind((!active).then_some(now.as_str()))
        .bind((!active).then_some(actor))
        .bind(&now)
        .execute(&self.pool)
        .await?;
        Ok(true)
    }

    /// The users deactivated from the CLI (they get no digest).
    pub async fn deactivated_users(&self) -> Result<std::collections::HashSet<String>, StoreError> {
        let emails: Vec<String> =
            db::query_scalar("SELECT email FROM users WHERE deactivated_at IS NOT NULL")
                .fetch_all(&self.pool)
                .await?;
        Ok(emails.into_iter().collect())
    }

    /// Every user, active or not, by address.
    pub async fn list_users(&self) -> Result<Vec<UserRecord>, StoreError> {
        let users = db::query_as(
            "SELECT email, name, role, team, time_zone, workday_start, digest_at, active \
             FROM users ORDER BY email",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(users)
    }
}
