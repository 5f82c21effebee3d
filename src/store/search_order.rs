//! The leads list sorted by latest activity or by title over many leads,
//! on SQLite: the page is read by walking `leads_activity_order` or
//! `leads_title_order` (migration 0019) and stops once full, instead of
//! sorting every matching lead for 50 rows (70,000 open leads for an
//! admin). SQLite's planner, without statistics, prefers the status
//! index and a sort, so the index is named (`INDEXED BY`) when the page is
//! expected early in it; PostgreSQL's planner weighs the same indexes
//! with its statistics and is left to choose.

use super::search::LeadSort;
use super::search_due::{self, Window};
use super::{Conn, StoreError};
use crate::store::db::{self, Backend};

/// Index entries a page may be expected to walk past (matching or not)
/// before sorting the matching leads is the cheaper way: a walked entry
/// costs about three sorted ones (SQLite, 100,000 leads: the 6,000th of
/// 6,226 matches walked in 77 ms of CPU, all of them sorted in 27 ms).
const WALKED_AT_MOST: usize = 20_000;

/// The `INDEXED BY` clause of the index `sort` has, if any.
fn index_of(sort: LeadSort) -> Option<&'static str> {
    match sort {
        LeadSort::Activity => Some(" INDEXED BY leads_activity_order"),
        LeadSort::Title => Some(" INDEXED BY leads_title_order"),
        LeadSort::Due | LeadSort::Created => None,
    }
}

/// ` INDEXED BY …` when `conn` is SQLite's, more than
/// [`search_due::DRIVEN_FROM`] leads match (fewer are sorted at once, as
/// for the due order) and the page `window` of the `total` by `sort` is
/// expected within the first [`WALKED_AT_MOST`] entries of the order's
/// index; else nothing.
pub(super) async fn hint(
    conn: &mut Conn,
    sort: LeadSort,
    total: usize,
    window: Window,
) -> Result<&'static str, StoreError> {
    let Some(index) = index_of(sort) else {
        return Ok("");
    };
    if conn.backend() != Backend::Sqlite || total <= search_due::DRIVEN_FROM {
        return Ok("");
    }
    let rows: Option<i64> = db::query_scalar("SELECT MAX(id) FROM leads")
        .fetch_one(&mut *conn)
        .await?;
    let rows = usize::try_from(rows.unwrap_or(0)).unwrap_or(0);
    Ok(if walked(window, total, rows) <= WALKED_AT_MOST {
        index
    } else {
        ""
    })
}

/// The entries walked to fill `window` when `total` of `rows` leads match,
/// spread evenly.
fn walked(window: Window, total: usize, rows: usize) -> usize {
    let wanted = window.offset + window.limit;
    wanted.saturating_mul(rows) / total.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_early_page_over_many_matches_is_walked_and_a_deep_one_sorted() {
        let first = Window {
            limit: 50,
            offset: 0,
        };
        assert_eq!(walked(first, 70_023, 100_000), 71);
        assert!(walked(first, 6_226, 100_000) <= WALKED_AT_MOST);
        let deep = Window {
            limit: 50,
            offset: 6_000,
        };
        assert!(walked(deep, 6_226, 100_000) > WALKED_AT_MOST);
        assert_eq!(index_of(LeadSort::Due), None);
        assert_eq!(
            index_of(LeadSort::Title),
            Some(" INDEXED BY leads_title_order")
        );
    }
}
