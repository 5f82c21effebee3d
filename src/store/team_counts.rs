//! A team lead's or admin's per-rep counts (the digest's team table) as
//! one SQL aggregate over the reps' open leads, for the web app's My day
//! and Team pages: the counts [`crate::digest::content::Rules::tally`]
//! makes from every lead read into memory, without reading the leads or
//! their next actions (each lead carries its next due time).
//!
//! Only the open leads that count in some column are grouped (most open
//! leads are due later and active lately, and count nowhere), and on
//! SQLite an admin's counts are two scans of half the table each, on two
//! reader connections at once, added up here (BENCHMARKS.md, issue 18).

use super::stamp::stamp;
use super::{Store, StoreError};
use crate::digest::content::TallyBounds;
use crate::digest::model::RepCounts;
use crate::store::db::{self, Backend};
use sqlx::AssertSqlSafe;
use std::collections::HashMap;

/// Per owner: overdue, due today, new, without a next action, stale
/// (`$1` today's first instant, `$2` tomorrow's, `$3` new since, `$4`
/// stale before or NULL); `{owners}` the owner condition, `{ids}` the
/// range of lead ids, `{scan}` SQLite's `NOT INDEXED` for every owner's
/// leads (a team's are found by the owner index) or nothing. The due
/// time is the lead's `next_due_at` (its open next action's, migration
/// 0019), so an admin's counts read the open leads with no join (SQLite:
/// 170 ms of CPU joining each of 70,000 open leads to its next action,
/// ~70 ms without; a covering index halved that again but slowed filing,
/// so migration 0019 leaves it out). The last condition keeps the leads
/// that count in some column, so the grouping sorts only those; on SQLite
/// a scan of the table in row order is faster than its visits by the
/// status index (an admin over 100,000 leads: 50 against 73 ms).
const COUNTS: &str = "SELECT l.owner, \
       COUNT(CASE WHEN l.next_due_at < $1 THEN 1 END), \
       COUNT(CASE WHEN l.next_due_at >= $1 AND l.next_due_at < $2 THEN 1 END), \
       COUNT(CASE WHEN l.kind = 'lead' AND (l.created_at > $3 OR l.filed_at > $3) THEN 1 END), \
       COUNT(CASE WHEN l.kind = 'lead' AND l.status = 'todo' AND l.next_due_at IS NULL THEN 1 END), \
       COUNT(CASE WHEN l.kind = 'lead' AND l.status = 'todo' AND l.last_activity_at < $4 \
                   AND l.next_due_at >= $2 THEN 1 END) \
     FROM leads l{scan} \
     WHERE l.status IN ('todo', 'standby') AND {owners} AND {ids} \
       AND (l.next_due_at IS NULL OR l.next_due_at < $2 \
            OR (l.kind = 'lead' AND (l.created_at > $3 OR l.filed_at > $3 \
                                     OR l.last_activity_at < $4))) \
     GROUP BY l.owner";

/// One row of [`COUNTS`].
type CountRow = (String, i64, i64, i64, i64, i64);

/// Which leads by id: all, or those from `.0` to `.1` inclusive.
type IdRange = Option<(i64, i64)>;

impl Store {
    /// The counts of the open leads of `owners` (`None`: every owner) by
    /// `bounds`, by owner address; an owner with nothing to count (no
    /// open lead in any column) is absent. The names are left empty.
    pub async fn team_counts(
        &self,
        bounds: &TallyBounds,
        owners: Option<&[String]>,
    ) -> Result<HashMap<String, RepCounts>, StoreError> {
        match (owners, self.pool.backend()) {
            (Some([]), _) => Ok(HashMap::new()),
            (Some(_), _) | (None, Backend::Postgres) => self.count(bounds, owners, None).await,
            (None, Backend::Sqlite) => self.count_in_halves(bounds).await,
        }
    }

    /// Every owner's counts as two concurrent scans of half the leads
    /// each, on two reader connections, added up. Each half reads its own
    /// snapshot: a change committed between them may be counted in one
    /// half and not yet in the other, never twice for one lead.
    async fn count_in_halves(
        &self,
        bounds: &TallyBounds,
    ) -> Result<HashMap<String, RepCounts>, StoreError> {
        let (first, last): (Option<i64>, Option<i64>) =
            db::query_as("SELECT MIN(id), MAX(id) FROM leads")
                .fetch_one(&self.pool)
                .await?;
        let (Some(first), Some(last)) = (first, last) else {
            return Ok(HashMap::new());
        };
        let middle = first + (last - first) / 2;
        let (low, high) = tokio::try_join!(
            self.count(bounds, None, Some((first, middle))),
            self.count(bounds, None, Some((middle + 1, last))),
        )?;
        Ok(add_up(low, high))
    }

    /// One [`COUNTS`] query over `owners`' leads (`None`: every owner's)
    /// in `ids`.
    async fn count(
        &self,
        bounds: &TallyBounds,
        owners: Option<&[String]>,
        ids: IdRange,
    ) -> Result<HashMap<String, RepCounts>, StoreError> {
        let sql = counts_sql(self.pool.backend(), owners, ids);
        let mut query = db::query_as::<CountRow>(AssertSqlSafe(sql))
            .bind(stamp(bounds.today_from))
            .bind(stamp(bounds.tomorrow_from))
            .bind(stamp(bounds.new_since))
            .bind(bounds.stale_before.map(stamp));
        if let Some((from, to)) = ids {
            query = query.bind(from).bind(to);
        }
        for owner in owners.unwrap_or_default() {
            query = query.bind(owner.as_str());
        }
        let rows = query.fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(rep_counts).collect())
    }
}

/// [`COUNTS`] for `backend` over `owners`' leads in `ids`; the id range
/// takes `$5` and `$6` when set, the owners the placeholders after it.
fn counts_sql(backend: Backend, owners: Option<&[String]>, ids: IdRange) -> String {
    let first_owner = if ids.is_some() { 7 } else { 5 };
    let condition = match owners {
        None => "l.owner IS NOT NULL".to_string(),
        Some(list) => {
            let places: Vec<String> = (first_owner..first_owner + list.len())
                .map(|n| format!("${n}"))
                .collect();
            format!("l.owner IN ({})", places.join(", "))
        }
    };
    let ids = match ids {
        Some(_) => "l.id BETWEEN $5 AND $6",
        None => "TRUE",
    };
    let scan = match (backend, owners) {
        (Backend::Sqlite, None) => " NOT INDEXED",
        _ => "",
    };
    COUNTS
        .replace("{scan}", scan)
        .replace("{owners}", &condition)
        .replace("{ids}", ids)
}

/// The counts of `low` and `high` added up by owner.
fn add_up(
    mut low: HashMap<String, RepCounts>,
    high: HashMap<String, RepCounts>,
) -> HashMap<String, RepCounts> {
    for (email, counts) in high {
        let sum = low.entry(email).or_insert_with(|| RepCounts {
            email: counts.email.clone(),
            ..RepCounts::default()
        });
        sum.overdue += counts.overdue;
        sum.today += counts.today;
        sum.new += counts.new;
        sum.no_next_action += counts.no_next_action;
        sum.stale += counts.stale;
    }
    low
}

/// A row as the owner's address and counts.
fn rep_counts(row: CountRow) -> (String, RepCounts) {
    let (email, overdue, today, new, no_next_action, stale) = row;
    let count = |n: i64| usize::try_from(n).unwrap_or(0);
    let counts = RepCounts {
        name: String::new(),
        email: email.clone(),
        overdue: count(overdue),
        today: count(today),
        new: count(new),
        no_next_action: count(no_next_action),
        stale: count(stale),
    };
    (email, counts)
}
