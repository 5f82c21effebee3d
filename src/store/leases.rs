//! Mailbox leases: each `[[mailboxes]]` entry is served by one daemon at a
//! time, and a daemon that lost its lease cannot commit (fencing).
//!
//! Leases compare instants written by different processes, possibly on
//! different hosts, so they use the system clock ([`crate::clock::system_now`]),
//! never the test override; only durations matter to them.

use super::stamp::stamp;
use super::{Conn, Store, StoreError};
use crate::store::db::{self, Backend};
use chrono::{DateTime, Utc};
use std::time::Duration;

/// Who asks for a lease: one running daemon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseHolder {
    /// Unique per daemon run: host, pid and a random part.
    pub id: String,
    /// The host name (for `status`).
    pub host: String,
    /// The process id (for `status`).
    pub pid: u32,
}

impl LeaseHolder {
    /// This process, with a random part so a restarted daemon that got the
    /// same pid is still someone else.
    pub fn this_process() -> Self {
        let host = hostname();
        let pid = std::process::id();
        let nonce: u64 = rand_u64();
        LeaseHolder {
            id: format!("{host}:{pid}:{nonce:016x}"),
            host,
            pid,
        }
    }
}

/// A lease held on a mailbox: its fencing number proves it at commit time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lease {
    /// The fencing number: grows at every takeover of the mailbox.
    pub fence: i64,
}

/// Who holds a mailbox now, for `status`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LeaseView {
    /// The configured mailbox name.
    pub mailbox: String,
    /// The holding daemon's host.
    pub host: String,
    /// Its process id.
    pub pid: i64,
    /// Since when it holds the mailbox.
    pub since: String,
    /// When the lease runs out unless renewed.
    pub expires_at: String,
    /// The fencing number.
    pub fence: i64,
}

/// A past or current holding of a mailbox.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LeaseTakeover {
    /// The configured mailbox name.
    pub mailbox: String,
    /// The fencing number this takeover got.
    pub fence: i64,
    /// The daemon that took it.
    pub holder: String,
    /// When.
    pub acquired_at: String,
    /// The daemon it was taken from (none for the mailbox's first lease).
    pub previous_holder: Option<String>,
    /// When that daemon's lease ran out or was given back.
    pub previous_expires_at: Option<String>,
}

impl Store {
    /// Takes the lease on `mailbox` for `ttl` when it is free, expired or
    /// already ours; `None` while another daemon holds it. A takeover gets
    /// the next fencing number; taking back our own lease keeps it.
    pub async fn take_lease(
        &self,
        mailbox: &str,
        holder: &LeaseHolder,
        ttl: Duration,
    ) -> Result<Option<Lease>, StoreError> {
        let mut tx = self.begin_lease_change().await?;
        let previous_sql = match tx.backend() {
            Backend::Sqlite => "SELECT holder, expires_at FROM mailbox_leases WHERE mailbox = $1",
            Backend::Postgres => {
                "SELECT holder, expires_at FROM mailbox_leases WHERE mailbox = $1 FOR UPDATE"
            }
        };
        let previous: Option<(String, String)> = db::query_as(previous_sql)
            .bind(mailbox)
            .fetch_optional(&mut *tx)
            .await?;
        // The clock is read once the row is ours (SQLite's write lock from
        // BEGIN IMMEDIATE, PostgreSQL's row lock), not before waiting for
        // it: a time read before a wait behind busy writers judged a lease
        // that ran out during the wait still held, and the takeover slipped
        // to a later try.
        let now = crate::clock::system_now();
        let fence: Option<i64> = db::query_scalar(
            "INSERT INTO mailbox_leases (mailbox, holder, host, pid, fence, acquired_at, renewed_at, expires_at) \
             VALUES ($1, $2, $3, $4, 1, $5, $5, $6) \
             ON CONFLICT (mailbox) DO UPDATE SET \
               fence = CASE WHEN mailbox_leases.holder = excluded.holder \
                            THEN mailbox_leases.fence ELSE mailbox_leases.fence + 1 END, \
               acquired_at = CASE WHEN mailbox_leases.holder = excluded.holder \
                            THEN mailbox_leases.acquired_at ELSE excluded.acquired_at END, \
               holder = excluded.holder, host = excluded.host, pid = excluded.pid, \
               renewed_at = excluded.renewed_at, expires_at = excluded.expires_at \
             WHERE mailbox_leases.holder = excluded.holder OR mailbox_leases.expires_at <= $5 \
             RETURNING fence",
        )
        .bind(mailbox)
        .bind(&holder.id)
        .bind(&holder.host)
        .bind(i64::from(holder.pid))
        .bind(stamp(now))
        .bind(stamp(expiry(now, ttl)))
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(fence) = fence {
            let from = previous.filter(|(before, _)| *before != holder.id);
            let takeover = Takeover {
                mailbox,
                fence,
                holder: &holder.id,
                from: from
                    .as_ref()
                    .map(|(holder, expired)| (holder.as_str(), expired.as_str())),
            };
            record_takeover(&mut tx, &takeover, now).await?;
        }
        tx.commit().await?;
        Ok(fence.map(|fence| Lease { fence }))
    }

    /// Extends a held lease by `ttl` from now; false when it was lost (taken
    /// over after it expired).
    pub async fn renew_lease(
        &self,
        mailbox: &str,
        lease: Lease,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let now = crate::clock::system_now();
        let renewed = db::query(
            "UPDATE mailbox_leases SET renewed_at = $3, expires_at = $4 \
             WHERE mailbox = $1 AND fence = $2",
        )
        .bind(mailbox)
        .bind(lease.fence)
        .bind(stamp(now))
        .bind(stamp(expiry(now, ttl)))
        .execute(&self.pool)
        .await?;
        Ok(renewed.rows_affected() == 1)
    }

    /// Gives a lease up at once (a clean shutdown), so another daemon need
    /// not wait for it to expire.
    pub async fn release_lease(&self, mailbox: &str, lease: Lease) -> Result<(), StoreError> {
        db::query("UPDATE mailbox_leases SET expires_at = $3 WHERE mailbox = $1 AND fence = $2")
            .bind(mailbox)
            .bind(lease.fence)
            .bind(stamp(crate::clock::system_now()))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The leases that have not run out, by mailbox.
    pub async fn current_leases(&self) -> Result<Vec<LeaseView>, StoreError> {
        let rows: Vec<(String, String, i64, String, String, i64)> = db::query_as(
            "SELECT mailbox, host, pid, acquired_at, expires_at, fence FROM mailbox_leases \
             WHERE expires_at > $1 ORDER BY mailbox",
        )
        .bind(stamp(crate::clock::system_now()))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(mailbox, host, pid, since, expires_at, fence)| LeaseView {
                mailbox,
                host,
                pid,
                since,
                expires_at,
                fence,
            })
            .collect())
    }

    /// Every takeover, oldest first.
    pub async fn lease_history(&self) -> Result<Vec<LeaseTakeover>, StoreError> {
        type Row = (String, i64, String, String, Option<String>, Option<String>);
        let rows: Vec<Row> = db::query_as(
            "SELECT mailbox, fence, holder, acquired_at, previous_holder, previous_expires_at \
             FROM mailbox_lease_history ORDER BY mailbox, fence",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(mailbox, fence, holder, acquired_at, previous_holder, previous_expires_at)| {
                    LeaseTakeover {
                        mailbox,
                        fence,
                        holder,
                        acquired_at,
                        previous_holder,
                        previous_expires_at,
                    }
                },
            )
            .collect())
    }
}

/// Inside a commit's transaction: fails with [`StoreError::LeaseLost`]
/// unless `fence` is still the mailbox's lease, so nothing is written by a
/// daemon that lost it.
pub(super) async fn check_fence(
    conn: &mut Conn,
    mailbox: &str,
    fence: i64,
) -> Result<(), StoreError> {
    // PostgreSQL: the row stays share-locked until the batch commits, so a
    // takeover waits for the commit and the fence read here is the one the
    // batch commits under. (A daemon paused inside the batch has its
    // transaction ended by the server's idle timeout long before its
    // lease runs out: see `postgres::IDLE_IN_TRANSACTION`.)
    let sql = match conn.backend() {
        Backend::Sqlite => "SELECT fence FROM mailbox_leases WHERE mailbox = $1",
        Backend::Postgres => "SELECT fence FROM mailbox_leases WHERE mailbox = $1 FOR SHARE",
    };
    let current: Option<i64> = db::query_scalar(sql)
        .bind(mailbox)
        .fetch_optional(&mut *conn)
        .await?;
    if current == Some(fence) {
        Ok(())
    } else {
        Err(StoreError::LeaseLost {
            mailbox: mailbox.to_string(),
            fence,
            current,
        })
    }
}

/// Records a takeover (a renewal of our own lease keeps its fence: no row).
/// A lease taken: by whom, with which fence, from whom (holder, expiry).
struct Takeover<'a> {
    mailbox: &'a str,
    fence: i64,
    holder: &'a str,
    from: Option<(&'a str, &'a str)>,
}

async fn record_takeover(
    conn: &mut Conn,
    takeover: &Takeover<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    db::query(
        "INSERT INTO mailbox_lease_history \
           (mailbox, fence, holder, acquired_at, previous_holder, previous_expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (mailbox, fence) DO NOTHING",
    )
    .bind(takeover.mailbox)
    .bind(takeover.fence)
    .bind(takeover.holder)
    .bind(stamp(now))
    .bind(takeover.from.map(|(holder, _)| holder))
    .bind(takeover.from.map(|(_, expired)| expired))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn expiry(now: DateTime<Utc>, ttl: Duration) -> DateTime<Utc> {
    now + chrono::Duration::from_std(ttl).unwrap_or_else(|_| chrono::Duration::seconds(30))
}

/// The host name from the kernel, or "localhost".
fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|name| name.trim().to_string())
        .ok()
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "localhost".to_string())
}

/// 64 random bits from the OS (a daemon-run identifier, not a secret).
fn rand_u64() -> u64 {
    let mut bytes = [0u8; 8];
    if getrandom_fill(&mut bytes).is_err() {
        // Time and pid still tell two runs apart in practice.
        return crate::clock::system_now()
            .timestamp_nanos_opt()
            .unwrap_or(0) as u64
            ^ u64::from(std::process::id());
    }
    u64::from_le_bytes(bytes)
}

fn getrandom_fill(bytes: &mut [u8]) -> std::io::Result<()> {
    use std::io::Read;
    std::fs::File::open("/dev/urandom")?.read_exact(bytes)
}
