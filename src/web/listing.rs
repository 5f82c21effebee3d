//! The Leads & Prospects page's query string, pure: read into the store's
//! [`LeadSearch`] (filters by kind, status, step, owner, source and tag, a
//! search over names, companies, addresses and phones, a sort and a page),
//! which `Store::search_leads` answers in SQL.

use crate::domain::{LeadKind, LeadStatus};
use crate::store::{LeadSearch, LeadSort};
use serde::Deserialize;

/// Rows on one page.
pub const PAGE_SIZE: usize = 50;

/// The query string of `/leads`; an empty field does not filter.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct ListQuery {
    /// `lead`, `prospect`, or empty for both.
    pub kind: String,
    /// `open` (empty), `all`, or one status.
    pub status: String,
    /// A pipeline step.
    pub step: String,
    /// An owner's address, or `none` for unassigned leads.
    pub owner: String,
    /// A source (`forward`, `partner:Northwind`, …).
    pub source: String,
    /// A tag.
    pub tag: String,
    /// Words to find in titles, names, companies, addresses and phones.
    pub q: String,
    /// `due` (empty), `activity`, `created` or `title`.
    pub sort: String,
    /// 1-based page.
    pub page: usize,
}

impl ListQuery {
    /// The store's search for this query, by a reader who sees the leads
    /// of `visible_owners` (`None`: every lead) and unassigned ones.
    pub fn search(&self, visible_owners: Option<Vec<String>>) -> LeadSearch {
        let set = |text: &str| (!text.trim().is_empty()).then(|| text.trim().to_string());
        let (owner, unassigned) = match self.owner.as_str() {
            "none" => (None, true),
            other => (set(other), false),
        };
        LeadSearch {
            kinds: set(&self.kind).map(|k| LeadKind::parse(&k).into_iter().collect()),
            statuses: self.statuses(),
            step: set(&self.step),
            owner,
            unassigned,
            source: set(&self.source),
            tag: set(&self.tag),
            words: self.q.split_whitespace().map(str::to_string).collect(),
            visible_owners,
            sort: match self.sort.as_str() {
                "activity" => LeadSort::Activity,
                "created" => LeadSort::Created,
                "title" => LeadSort::Title,
                _ => LeadSort::Due,
            },
            page: self.page.max(1),
            per_page: PAGE_SIZE,
        }
    }

    /// `open` (the default): todo and standby; `all`: any; else that one
    /// (an unknown status matches nothing).
    fn statuses(&self) -> Option<Vec<LeadStatus>> {
        match self.status.trim() {
            "" | "open" => Some(vec![LeadStatus::Todo, LeadStatus::Standby]),
            "all" => None,
            one => Some(LeadStatus::parse(one).into_iter().collect()),
        }
    }

    /// This query's string for another page.
    pub fn with_page(&self, page: usize) -> String {
        let pairs = [
            ("kind", self.kind.as_str()),
            ("status", &self.status),
            ("step", &self.step),
            ("owner", &self.owner),
            ("source", &self.source),
            ("tag", &self.tag),
            ("q", &self.q),
            ("sort", &self.sort),
        ];
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (key, value) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
            out.append_pair(key, value);
        }
        out.append_pair("page", &page.to_string());
        out.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &str) -> ListQuery {
        serde_urlencoded_like(pairs)
    }

    /// The query string as axum's `Query` reads it.
    fn serde_urlencoded_like(pairs: &str) -> ListQuery {
        let url = format!("http://x/leads?{pairs}");
        let uri: axum::http::Uri = url.parse().unwrap();
        axum::extract::Query::<ListQuery>::try_from_uri(&uri)
            .unwrap()
            .0
    }

    #[test]
    fn open_leads_by_due_date_on_the_first_page_by_default() {
        let search = query("").search(None);
        assert_eq!(search, LeadSearch::default());
    }

    #[test]
    fn each_field_becomes_its_filter() {
        let search = query(
            "kind=Prospect&status=won&step=Demo&owner=Bruno@acme.test&source=forward&tag=vip\
             &q=marta++globex&sort=title&page=3",
        )
        .search(Some(vec!["bruno@acme.test".into()]));
        assert_eq!(search.kinds, Some(vec![LeadKind::Prospect]));
        assert_eq!(search.statuses, Some(vec![LeadStatus::Won]));
        assert_eq!(search.step.as_deref(), Some("Demo"));
        assert_eq!(search.owner.as_deref(), Some("Bruno@acme.test"));
        assert!(!search.unassigned);
        assert_eq!(search.source.as_deref(), Some("forward"));
        assert_eq!(search.tag.as_deref(), Some("vip"));
        assert_eq!(search.words, ["marta", "globex"]);
        assert_eq!(
            (search.sort, search.page, search.per_page),
            (LeadSort::Title, 3, 50)
        );
        assert_eq!(search.visible_owners, Some(vec!["bruno@acme.test".into()]));
    }

    #[test]
    fn all_statuses_unassigned_and_unknown_values() {
        let all = query("status=all&owner=none").search(None);
        assert_eq!(
            (all.statuses, all.owner, all.unassigned),
            (None, None, true)
        );
        let unknown = query("status=maybe&kind=customer").search(None);
        assert_eq!(unknown.statuses, Some(vec![]), "matches nothing");
        assert_eq!(unknown.kinds, Some(vec![]), "matches nothing");
    }

    #[test]
    fn another_page_keeps_the_filters() {
        assert_eq!(ListQuery::default().with_page(2), "page=2");
        let q = query("q=a+b&tag=vip&page=1");
        assert_eq!(q.with_page(2), "tag=vip&q=a+b&page=2");
    }
}
