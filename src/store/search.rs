//! The Leads & Prospects page's question in SQL: filters, the search, the
//! reader's visibility, the sort and one page, as one `SELECT … LIMIT` and
//! one `COUNT(*)`, so a page over 100,000 leads reads only its 50 rows.
//!
//! The statement is put together from fixed fragments, one per filter that
//! is set, so each backend plans the query it is given (an unset filter
//! written as `($n IS NULL OR …)` would keep SQLite off the owner index).
//! Every value is bound; placeholders are `$n` on both backends. An
//! admin's search is driven by its longer words' leads, found once per
//! request (`search_words`). Text is
//! compared case-insensitively with `lower()` on both sides (SQLite's
//! `lower()` folds ASCII letters only).

use super::related::{lead_columns, lead_views};
use super::search_due;
use super::search_order;
use super::search_words;
use super::views::LeadView;
use super::{Conn, Store, StoreError};
use crate::domain::{LeadKind, LeadStatus};
use crate::store::db;
use db::Backend;
use sqlx::AssertSqlSafe;

/// Which leads a page lists, in which order, and which page of them.
/// `None` and empty fields do not filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadSearch {
    /// These kinds only (an empty list matches nothing).
    pub kinds: Option<Vec<LeadKind>>,
    /// These statuses only (an empty list matches nothing).
    pub statuses: Option<Vec<LeadStatus>>,
    /// This pipeline step (any case).
    pub step: Option<String>,
    /// This owner's (an address, any case).
    pub owner: Option<String>,
    /// Unassigned leads only.
    pub unassigned: bool,
    /// This source (any case).
    pub source: Option<String>,
    /// Leads with this tag (any case).
    pub tag: Option<String>,
    /// Words that must each be in the title, the company's name or domain,
    /// or a contact's name, address or phone (with or without its spaces,
    /// dashes and brackets), any case.
    pub words: Vec<String>,
    /// Who may read: `None` every lead; else unassigned leads and the
    /// leads of these owners (the reader's rule, `web::access`).
    pub visible_owners: Option<Vec<String>>,
    /// The order.
    pub sort: LeadSort,
    /// The page asked for, from 1 (clamped to the pages there are).
    pub page: usize,
    /// Leads on a page (at least 1).
    pub per_page: usize,
}

/// The orders of the leads list; each ends with the id, so pages are stable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LeadSort {
    /// The next action's due time, soonest first; leads without one last.
    #[default]
    Due,
    /// The latest activity first.
    Activity,
    /// The newest first.
    Created,
    /// By title, any case.
    Title,
}

/// One page of a [`LeadSearch`].
#[derive(Debug, Clone)]
pub struct LeadPage {
    /// The leads on this page.
    pub leads: Vec<LeadView>,
    /// How many matched in all.
    pub total: usize,
    /// This page (from 1).
    pub page: usize,
    /// How many pages there are (at least 1).
    pub pages: usize,
}

impl Default for LeadSearch {
    /// Every open lead and prospect, by due time, the first page of 50.
    fn default() -> Self {
        LeadSearch {
            kinds: None,
            statuses: Some(vec![LeadStatus::Todo, LeadStatus::Standby]),
            step: None,
            owner: None,
            unassigned: false,
            source: None,
            tag: None,
            words: Vec::new(),
            visible_owners: None,
            sort: LeadSort::Due,
            page: 1,
            per_page: 50,
        }
    }
}

impl Store {
    /// The page of `search`: its leads as the CLI's views, the total and
    /// the page numbers.
    pub async fn search_leads(&self, search: &LeadSearch) -> Result<LeadPage, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let found = found_words(&mut conn, search).await?;
        let filter = Where::of(search, conn.backend(), found.as_ref());
        let sql = format!("SELECT COUNT(*) FROM leads l{}", filter.sql);
        let mut count = db::query_scalar::<i64>(AssertSqlSafe(sql));
        for value in &filter.values {
            count = count.bind(value);
        }
        let total = usize::try_from(count.fetch_one(&mut *conn).await?).unwrap_or(0);
        let per_page = search.per_page.max(1);
        let pages = total.div_ceil(per_page).max(1);
        let page = search.page.clamp(1, pages);
        let window = search_due::Window {
            limit: per_page,
            offset: (page - 1) * per_page,
        };
        let rows = if search.sort == LeadSort::Due && total > search_due::DRIVEN_FROM {
            let filter = search_due::Filter {
                conditions: filter.conditions(),
                values: &filter.values,
            };
            search_due::page(&mut conn, &filter, window).await?
        } else {
            let index = search_order::hint(&mut conn, search.sort, total, window).await?;
            let sql = select_page(&filter.sql, search.sort, index, window);
            search_due::rows(&mut conn, sql, &filter.values).await?
        };
        Ok(LeadPage {
            leads: lead_views(&mut conn, rows).await?,
            total,
            page,
            pages,
        })
    }
}

/// The leads holding the search's longer words, looked for once for the
/// count and the page ([`search_words`]); `None` when no word's list is.
async fn found_words(conn: &mut Conn, search: &LeadSearch) -> Result<Option<Found>, StoreError> {
    let visible = search.visible_owners.as_deref();
    if !search_words::from_lists(conn.backend(), visible) {
        return Ok(None);
    }
    let mut found: Option<Found> = None;
    for word in search_words::driving_words(&search.words) {
        if found
            .as_ref()
            .is_some_and(|f| f.ids.len() <= search_words::CHECKED_UP_TO)
        {
            break;
        }
        let pattern = like_pattern(&search.words[word]);
        let ids = search_words::leads_holding(conn, &pattern).await?;
        found = Some(match found {
            None => Found {
                words: vec![word],
                ids,
            },
            Some(mut f) => {
                f.words.push(word);
                f.ids = search_words::intersect(&f.ids, &ids);
                f
            }
        });
    }
    Ok(found)
}

/// The leads that hold every one of some of the search's words.
#[derive(Debug)]
struct Found {
    /// The words, by index in [`LeadSearch::words`].
    words: Vec<usize>,
    /// The leads' ids, sorted.
    ids: Vec<i64>,
}

/// The `SELECT` of one page: the lead columns, the index to read them by
/// (SQLite's `INDEXED BY`, or nothing), the order, the window.
pub(super) fn select_page(
    filter: &str,
    sort: LeadSort,
    index: &str,
    window: search_due::Window,
) -> String {
    let (join, order) = match sort {
        LeadSort::Due => (
            " LEFT JOIN next_actions n ON n.lead_id = l.id AND n.done_at IS NULL",
            "n.due_at IS NULL, n.due_at, l.id",
        ),
        LeadSort::Activity => ("", "l.last_activity_at DESC, l.id"),
        LeadSort::Created => ("", "l.created_at DESC, l.id"),
        LeadSort::Title => ("", "lower(l.title), l.id"),
    };
    format!(
        concat!(
            "SELECT ",
            lead_columns!(),
            " FROM leads l{}{}{} ORDER BY {} LIMIT {} OFFSET {}"
        ),
        index, join, filter, order, window.limit, window.offset
    )
}

/// A `WHERE` clause and the text values of its placeholders, in order.
#[derive(Debug, Default)]
struct Where {
    sql: String,
    values: Vec<String>,
}

impl Where {
    /// The clause of `search`'s filters, search and visibility; the words
    /// of `found` are its list of leads, the others are checked on each lead.
    fn of(search: &LeadSearch, backend: Backend, found: Option<&Found>) -> Where {
        let mut clause = Where::default();
        clause.and_visible(search);
        clause.and_text("lower(l.step) = lower({w})", &search.step);
        clause.and_text("lower(l.source) = lower({w})", &search.source);
        let owner = search.owner.as_ref().map(|o| o.trim().to_lowercase());
        clause.and_text("l.owner = {w}", &owner);
        if search.unassigned {
            clause.and("l.owner IS NULL");
        }
        let tag = "EXISTS (SELECT 1 FROM lead_tags t WHERE t.lead_id = l.id \
                   AND lower(t.tag) = lower({w}))";
        clause.and_text(tag, &search.tag);
        if let Some(found) = found {
            clause.and_among(backend, &found.ids);
        }
        for (index, word) in search.words.iter().enumerate() {
            if !found.is_some_and(|found| found.words.contains(&index)) {
                clause.and_word(backend, word);
            }
        }
        clause
    }

    /// Adds the reader's visibility, the kinds and the statuses. With a
    /// visibility, the kinds and statuses go inside each half of its `OR`
    /// (`owner IS NULL AND … OR owner IN (…) AND …`), which SQLite runs as
    /// two searches of `leads_owner_status_kind`: `AND`ed beside the `OR`, they
    /// led it to scan every open lead on `leads_status` (70 ms against
    /// 0.1 ms for a rep over 100,000 leads).
    fn and_visible(&mut self, search: &LeadSearch) {
        let mut rest = Vec::new();
        if let Some(kinds) = &search.kinds {
            let kinds = self.list(kinds.iter().map(|k| k.as_str().to_string()));
            rest.push(format!("l.kind IN ({kinds})"));
        }
        if let Some(statuses) = &search.statuses {
            let statuses = self.list(statuses.iter().map(|s| s.as_str().to_string()));
            rest.push(format!("l.status IN ({statuses})"));
        }
        let Some(owners) = &search.visible_owners else {
            rest.iter().for_each(|condition| self.and(condition));
            return;
        };
        let owners = self.list(owners.iter().map(|o| o.to_lowercase()));
        let rest: String = rest.iter().map(|c| format!(" AND {c}")).collect();
        self.and(&format!(
            "(l.owner IS NULL{rest} OR l.owner IN ({owners}){rest})"
        ));
    }

    /// Adds a condition.
    fn and(&mut self, condition: &str) {
        self.sql.push_str(if self.sql.is_empty() {
            " WHERE "
        } else {
            " AND "
        });
        self.sql.push_str(condition);
    }

    /// Adds `condition` with each `{w}` bound to `value`, when it is set.
    fn and_text(&mut self, condition: &str, value: &Option<String>) {
        let Some(value) = value else { return };
        self.values.push(value.clone());
        let placeholder = format!("${}", self.values.len());
        self.and(&condition.replace("{w}", &placeholder));
    }

    /// Adds one search word checked on each lead
    /// ([`search_words::checked_on_each_lead`]): `{w}` bound to its `LIKE`
    /// pattern.
    fn and_word(&mut self, backend: Backend, word: &str) {
        let pattern = like_pattern(word);
        let condition = search_words::checked_on_each_lead(backend, &pattern);
        self.and_text(&condition, &Some(pattern));
    }

    /// Adds that the lead is one of `ids` ([`search_words::among`]).
    fn and_among(&mut self, backend: Backend, ids: &[i64]) {
        let (condition, list) = search_words::among(backend, ids);
        self.and_text(condition, &Some(list));
    }

    /// The conditions alone, without the leading ` WHERE `.
    fn conditions(&self) -> &str {
        self.sql.strip_prefix(" WHERE ").unwrap_or(&self.sql)
    }

    /// Binds `values`; their placeholders, comma-separated (an empty list
    /// is `NULL`, which no `IN` finds).
    fn list(&mut self, values: impl IntoIterator<Item = String>) -> String {
        let mut list = Vec::new();
        for value in values {
            self.values.push(value);
            list.push(format!("${}", self.values.len()));
        }
        if list.is_empty() {
            return "NULL".into();
        }
        list.join(", ")
    }
}

/// A `LIKE` pattern finding `word` anywhere, lower-cased, with `\`, `%`
/// and `_` taken literally.
fn like_pattern(word: &str) -> String {
    let mut pattern = String::with_capacity(word.len() + 2);
    pattern.push('%');
    for c in word.to_lowercase().chars() {
        if matches!(c, '\\' | '%' | '_') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_word_is_taken_literally() {
        assert_eq!(like_pattern("50%_Off\\"), "%50\\%\\_off\\\\%");
    }

    #[test]
    fn unset_filters_leave_no_condition_and_set_ones_are_bound_in_order() {
        let all = LeadSearch {
            statuses: None,
            ..LeadSearch::default()
        };
        assert_eq!(Where::of(&all, Backend::Sqlite, None).sql, "");
        let some = LeadSearch {
            visible_owners: Some(vec!["Bruno@acme.test".into()]),
            tag: Some("vip".into()),
            ..LeadSearch::default()
        };
        let clause = Where::of(&some, Backend::Sqlite, None);
        assert_eq!(clause.values, ["todo", "standby", "bruno@acme.test", "vip"]);
        let visible = " WHERE (l.owner IS NULL AND l.status IN ($1, $2) \
                       OR l.owner IN ($3) AND l.status IN ($1, $2)) AND ";
        assert!(clause.sql.starts_with(visible), "{}", clause.sql);
        assert!(clause.sql.ends_with("lower(t.tag) = lower($4))"));
    }
}
