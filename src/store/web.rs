//! The web app's own tables: single-use sign-in links, sessions, the log
//! of sign-in requests the rate limits count, and each user's calendar
//! feed. Only SHA-256 hashes of tokens are stored; the caller hashes.

use super::outbox::{self, OutboxDraft};
use super::stamp::{parse_stamp, stamp};
use super::{Conn, Store, StoreError};
use crate::store::db;
use chrono::{DateTime, Utc};

/// An open next action of a user's lead, for the calendar feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedAction {
    /// The lead.
    pub lead_id: i64,
    /// The lead's title.
    pub title: String,
    /// call, email, meeting…
    pub kind: String,
    /// What to do.
    pub note: String,
    /// When it falls due.
    pub due_at: DateTime<Utc>,
    /// When it was set (the revision's time).
    pub set_at: DateTime<Utc>,
    /// How many next actions the lead had before this one: grows with
    /// every change, so it is the event's SEQUENCE.
    pub revision: i64,
}

impl Store {
    /// Sign-in requests since `since` for this address and from this client.
    pub async fn signin_requests_since(
        &self,
        address: &str,
        client: &str,
        since: DateTime<Utc>,
    ) -> Result<(i64, i64), StoreError> {
        let counts = db::query_as(
            "SELECT (SELECT COUNT(*) FROM web_signin_requests WHERE address = $1 AND requested_at >= $3), \
                    (SELECT COUNT(*) FROM web_signin_requests WHERE client = $2 AND requested_at >= $3)",
        )
        .bind(address)
        .bind(client)
        .bind(stamp(since))
        .fetch_one(&self.pool)
        .await?;
        Ok(counts)
    }

    /// Logs a sign-in request and, for a user (`link` set), stores the
    /// link's hash and queues its mail in the same transaction.
    pub async fn record_signin_request(
        &self,
        address: &str,
        client: &str,
        link: Option<(&str, DateTime<Utc>, &OutboxDraft)>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        db::query(
            "INSERT INTO web_signin_requests (address, client, requested_at) VALUES ($1, $2, $3)",
        )
        .bind(address)
        .bind(client)
        .bind(stamp(now))
        .execute(&mut *tx)
        .await?;
        if let Some((token_hash, expires_at, draft)) = link {
            db::query(
                "INSERT INTO web_links (token_hash, user_email, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(token_hash)
            .bind(&draft.user_email)
            .bind(stamp(now))
            .bind(stamp(expires_at))
            .execute(&mut *tx)
            .await?;
            outbox::queue(&mut tx, draft, now).await?;
        }
        Ok(tx.commit().await?)
    }

    /// Blanks the text of sign-in mails that were sent, so the database
    /// keeps no link once its mail is gone (the link's hash stays).
    pub async fn scrub_sent_signin_mail(&self) -> Result<u64, StoreError> {
        let done = db::query(
            "UPDATE outbox SET text_body = '(sign-in link removed once sent)' \
             WHERE kind = 'signin' AND sent_at IS NOT NULL \
             AND text_body != '(sign-in link removed once sent)'",
        )
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// The user of an unused, unexpired link, without using it up.
    pub async fn signin_link_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError> {
        Ok(db::query_scalar(
            "SELECT user_email FROM web_links \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(stamp(now))
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Uses up an unused, unexpired link and opens a session for its user
    /// in one transaction; the user, or `None` when the link is no good.
    pub async fn use_signin_link(
        &self,
        token_hash: &str,
        session_hash: &str,
        session_expires: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError> {
        let mut tx = self.begin_write().await?;
        let user: Option<String> = db::query_scalar(
            "UPDATE web_links SET used_at = $2 \
             WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING user_email",
        )
        .bind(token_hash)
        .bind(stamp(now))
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(user) = &user {
            insert_session(&mut tx, session_hash, user, now, session_expires).await?;
        }
        tx.commit().await?;
        Ok(user)
    }

    /// The user of a live session (not expired, not signed out).
    pub async fn session_user(
        &self,
        session_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError> {
        Ok(db::query_scalar(
            "SELECT user_email FROM web_sessions \
             WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2",
        )
        .bind(session_hash)
        .bind(stamp(now))
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Signs a session out for good.
    pub async fn revoke_session(
        &self,
        session_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        db::query(
            "UPDATE web_sessions SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(session_hash)
        .bind(stamp(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Gives `user` a new calendar feed token (the old one stops working).
    pub async fn replace_feed(
        &self,
        user: &str,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        db::query(
            "INSERT INTO web_feeds (user_email, token_hash, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_email) DO UPDATE SET token_hash = $2, created_at = $3",
        )
        .bind(user)
        .bind(token_hash)
        .bind(stamp(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Turns `user`'s calendar feed off.
    pub async fn revoke_feed(&self, user: &str) -> Result<(), StoreError> {
        db::query("DELETE FROM web_feeds WHERE user_email = $1")
            .bind(user)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// When `user`'s current feed was made, if they have one.
    pub async fn feed_created(&self, user: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        let at: Option<String> =
            db::query_scalar("SELECT created_at FROM web_feeds WHERE user_email = $1")
                .bind(user)
                .fetch_optional(&self.pool)
                .await?;
        at.as_deref().map(parse_stamp).transpose()
    }

    /// The user whose feed token has this hash.
    pub async fn feed_user(&self, token_hash: &str) -> Result<Option<String>, StoreError> {
        Ok(
            db::query_scalar("SELECT user_email FROM web_feeds WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// The open next actions of `owner`'s open leads and prospects.
    pub async fn feed_actions(&self, owner: &str) -> Result<Vec<FeedAction>, StoreError> {
        type Row = (i64, String, String, String, String, String, i64);
        let rows: Vec<Row> = db::query_as(
            "SELECT l.id, l.title, n.kind, n.note, n.due_at, n.created_at, \
                    (SELECT COUNT(*) FROM next_actions p WHERE p.lead_id = l.id AND p.id < n.id) \
             FROM leads l JOIN next_actions n ON n.lead_id = l.id AND n.done_at IS NULL \
             WHERE l.owner = $1 AND l.status IN ('todo', 'standby') ORDER BY n.due_at, l.id",
        )
        .bind(owner)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(lead_id, title, kind, note, due, set, revision)| {
                Ok(FeedAction {
                    lead_id,
                    title,
                    kind,
                    note,
                    due_at: parse_stamp(&due)?,
                    set_at: parse_stamp(&set)?,
                    revision,
                })
            })
            .collect()
    }
}

/// Opens a web session for `user` whose cookie token hashes to `token_hash`.
pub(super) async fn insert_session(
    conn: &mut Conn,
    token_hash: &str,
    user: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    db::query(
        "INSERT INTO web_sessions (token_hash, user_email, created_at, expires_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(user)
    .bind(stamp(now))
    .bind(stamp(expires_at))
    .execute(conn)
    .await?;
    Ok(())
}
