//! The leads list sorted by due time over many leads: the leads with an
//! open next action read in due order from `next_actions_due_lead`
//! (migration 0018) until the page is full, then those without one by id,
//! instead of joining every matching lead to its next action and sorting
//! them all for one page (70,000 open leads for an admin). The order is
//! the list's own: soonest due first, leads without a next action last,
//! ties by id.

use super::related::{lead_columns, LeadRow};
use super::{Conn, StoreError};
use crate::store::db;
use sqlx::AssertSqlSafe;

/// Above this many matching leads the page is read in due order; at or
/// below it, sorting them all is cheaper than walking the due index past
/// other readers' next actions (a rep's 80 leads among 68,000 actions).
pub(super) const DRIVEN_FROM: usize = 5_000;

/// The leads list's conditions (on `l`, no ` WHERE `) and their values.
pub(super) struct Filter<'a> {
    /// The conditions, `AND`ed.
    pub conditions: &'a str,
    /// The values of their placeholders, in order.
    pub values: &'a [String],
}

/// Which rows of the ordered list a page holds.
#[derive(Debug, Clone, Copy)]
pub(super) struct Window {
    /// Rows at most.
    pub limit: usize,
    /// Rows before it.
    pub offset: usize,
}

/// The page `window` of the leads matching `filter`, by due time.
pub(super) async fn page(
    conn: &mut Conn,
    filter: &Filter<'_>,
    window: Window,
) -> Result<Vec<LeadRow>, StoreError> {
    let mut due = rows(conn, with_action(filter, window), filter.values).await?;
    if due.len() == window.limit {
        return Ok(due);
    }
    let due_before = match due.len() {
        0 => count_with_action(conn, filter).await?,
        n => window.offset + n,
    };
    let rest = Window {
        limit: window.limit - due.len(),
        offset: (window.offset + due.len()).saturating_sub(due_before),
    };
    due.extend(rows(conn, without_action(filter, rest), filter.values).await?);
    Ok(due)
}

/// The matching leads with an open next action, by due time then id
/// (`CROSS JOIN` keeps SQLite walking the due index first).
fn with_action(filter: &Filter<'_>, window: Window) -> String {
    format!(
        concat!(
            "SELECT ",
            lead_columns!(),
            " FROM next_actions n CROSS JOIN leads l \
             WHERE n.done_at IS NULL AND l.id = n.lead_id{} \
             ORDER BY n.due_at, n.lead_id LIMIT {} OFFSET {}"
        ),
        and(filter),
        window.limit,
        window.offset
    )
}

/// The matching leads without an open next action, by id.
fn without_action(filter: &Filter<'_>, window: Window) -> String {
    format!(
        concat!(
            "SELECT ",
            lead_columns!(),
            " FROM leads l WHERE NOT EXISTS (SELECT 1 FROM next_actions n \
             WHERE n.lead_id = l.id AND n.done_at IS NULL){} \
             ORDER BY l.id LIMIT {} OFFSET {}"
        ),
        and(filter),
        window.limit,
        window.offset
    )
}

/// How many matching leads have an open next action.
async fn count_with_action(conn: &mut Conn, filter: &Filter<'_>) -> Result<usize, StoreError> {
    let sql = format!(
        "SELECT COUNT(*) FROM next_actions n CROSS JOIN leads l \
         WHERE n.done_at IS NULL AND l.id = n.lead_id{}",
        and(filter)
    );
    let mut count = db::query_scalar::<i64>(AssertSqlSafe(sql));
    for value in filter.values {
        count = count.bind(value);
    }
    Ok(usize::try_from(count.fetch_one(&mut *conn).await?).unwrap_or(0))
}

/// ` AND (conditions)`, or nothing.
fn and(filter: &Filter<'_>) -> String {
    match filter.conditions {
        "" => String::new(),
        conditions => format!(" AND ({conditions})"),
    }
}

/// The lead rows of `sql` with `values` bound in order.
pub(super) async fn rows(
    conn: &mut Conn,
    sql: String,
    values: &[String],
) -> Result<Vec<LeadRow>, StoreError> {
    let mut select = db::query_as::<LeadRow>(AssertSqlSafe(sql));
    for value in values {
        select = select.bind(value);
    }
    Ok(select.fetch_all(&mut *conn).await?)
}
