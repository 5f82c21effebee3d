//! A team lead's or admin's per-rep counts (the digest's team table) as
//! one SQL aggregate over the reps' open leads, for the web app's My day
//! and Team pages: the counts [`crate::digest::content::Rules::tally`]
//! makes from every lead read into memory, without reading the leads or
//! their next actions (each lead carries its next due time).

use super::stamp::stamp;
use super::{Store, StoreError};
use crate::digest::content::TallyBounds;
use crate::digest::model::RepCounts;
use crate::store::db;
use sqlx::AssertSqlSafe;
use std::collections::HashMap;

/// Per owner: overdue, due today, new, without a next action, stale
/// (`$1` today's first instant, `$2` tomorrow's, `$3` new since, `$4`
/// stale before or NULL); `{owners}` the owner condition. The due time is
/// the lead's `next_due_at` (its open next action's, migration 0019), so
/// an admin's counts read the open leads with no join (SQLite: 170 ms of
/// CPU joining each of 70,000 open leads to its next action, ~70 ms
/// without; a covering index halved that again but slowed filing, so
/// migration 0019 leaves it out).
const COUNTS: &str = "SELECT l.owner, \
       COUNT(CASE WHEN l.next_due_at < $1 THEN 1 END), \
       COUNT(CASE WHEN l.next_due_at >= $1 AND l.next_due_at < $2 THEN 1 END), \
       COUNT(CASE WHEN l.kind = 'lead' AND (l.created_at > $3 OR l.filed_at > $3) THEN 1 END), \
       COUNT(CASE WHEN l.kind = 'lead' AND l.status = 'todo' AND l.next_due_at IS NULL THEN 1 END), \
       COUNT(CASE WHEN l.kind = 'lead' AND l.status = 'todo' AND l.last_activity_at < $4 \
                   AND l.next_due_at >= $2 THEN 1 END) \
     FROM leads l \
     WHERE l.status IN ('todo', 'standby') AND {owners} \
     GROUP BY l.owner";

/// One row of [`COUNTS`].
type CountRow = (String, i64, i64, i64, i64, i64);

impl Store {
    /// The counts of the open leads of `owners` (`None`: every owner) by
    /// `bounds`, by owner address; an owner without open leads is absent.
    /// The names are left empty.
    pub async fn team_counts(
        &self,
        bounds: &TallyBounds,
        owners: Option<&[String]>,
    ) -> Result<HashMap<String, RepCounts>, StoreError> {
        let condition = match owners {
            None => "l.owner IS NOT NULL".to_string(),
            Some([]) => return Ok(HashMap::new()),
            Some(list) => {
                let places: Vec<String> = (5..5 + list.len()).map(|n| format!("${n}")).collect();
                format!("l.owner IN ({})", places.join(", "))
            }
        };
        let sql = COUNTS.replace("{owners}", &condition);
        let mut query = db::query_as::<CountRow>(AssertSqlSafe(sql))
            .bind(stamp(bounds.today_from))
            .bind(stamp(bounds.tomorrow_from))
            .bind(stamp(bounds.new_since))
            .bind(bounds.stale_before.map(stamp));
        for owner in owners.unwrap_or_default() {
            query = query.bind(owner.as_str());
        }
        let rows = query.fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(rep_counts).collect())
    }
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
