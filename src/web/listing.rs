//! The Leads & Prospects page's query, pure: filters (kind, status, step,
//! owner, source, tag), a search over names, companies, addresses and
//! phones, a sort and a page, applied to what `Store::list_leads` returned.

use crate::store::LeadView;
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

/// One page of results.
#[derive(Debug, Clone)]
pub struct ListPage {
    /// The leads on this page.
    pub leads: Vec<LeadView>,
    /// How many matched in all.
    pub total: usize,
    /// This page (1-based).
    pub page: usize,
    /// How many pages there are (at least 1).
    pub pages: usize,
}

impl ListQuery {
    /// Whether `lead` passes every filter and the search.
    pub fn matches(&self, lead: &LeadView) -> bool {
        let is = |want: &str, have: &str| want.is_empty() || want.eq_ignore_ascii_case(have);
        let status_ok = match self.status.as_str() {
            "" | "open" => lead.status.is_open(),
            "all" => true,
            one => one.eq_ignore_ascii_case(lead.status.as_str()),
        };
        let owner_ok = match self.owner.as_str() {
            "" => true,
            "none" => lead.owner.is_none(),
            one => lead
                .owner
                .as_deref()
                .is_some_and(|o| o.eq_ignore_ascii_case(one)),
        };
        status_ok
            && owner_ok
            && is(&self.kind, lead.kind.as_str())
            && is(&self.step, lead.step.as_deref().unwrap_or(""))
            && is(&self.source, &lead.source)
            && (self.tag.is_empty() || lead.tags.iter().any(|t| t.eq_ignore_ascii_case(&self.tag)))
            && self.found_in(lead)
    }

    /// Whether every word of the search is somewhere in the lead.
    fn found_in(&self, lead: &LeadView) -> bool {
        let haystack = searchable(lead);
        self.q
            .split_whitespace()
            .all(|word| haystack.contains(&word.to_lowercase()))
    }

    /// The matching leads of `leads`, sorted, cut to the page asked for.
    pub fn apply(&self, leads: Vec<LeadView>) -> ListPage {
        let mut found: Vec<LeadView> = leads.into_iter().filter(|l| self.matches(l)).collect();
        self.sort(&mut found);
        let total = found.len();
        let pages = total.div_ceil(PAGE_SIZE).max(1);
        let page = self.page.clamp(1, pages);
        let leads = found
            .into_iter()
            .skip((page - 1) * PAGE_SIZE)
            .take(PAGE_SIZE)
            .collect();
        ListPage {
            leads,
            total,
            page,
            pages,
        }
    }

    fn sort(&self, leads: &mut [LeadView]) {
        match self.sort.as_str() {
            "activity" => leads.sort_by_key(|l| std::cmp::Reverse(l.last_activity_at)),
            "created" => leads.sort_by_key(|l| std::cmp::Reverse(l.created_at)),
            "title" => leads.sort_by_key(|l| l.title.to_lowercase()),
            // Due first; leads without a next action after those with one.
            _ => leads.sort_by_key(|l| {
                (
                    l.next_action.as_ref().map(|n| n.due_at).is_none(),
                    l.next_action.as_ref().map(|n| n.due_at),
                    l.id,
                )
            }),
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

/// The lead's searchable text, lower-cased.
fn searchable(lead: &LeadView) -> String {
    let mut parts = vec![lead.title.clone()];
    if let Some(company) = &lead.company {
        parts.push(company.name.clone());
        parts.extend(company.domain.clone());
    }
    for contact in &lead.contacts {
        parts.extend(contact.name.clone());
        parts.extend(contact.emails.iter().cloned());
        parts.extend(contact.phone.clone());
        parts.extend(
            contact
                .phone
                .as_deref()
                .map(|p| p.replace([' ', '-', '(', ')'], "")),
        );
    }
    parts.join("\n").to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{LeadKind, LeadStatus};
    use crate::store::{CompanyView, LeadContactView};

    fn lead(id: i64, title: &str, status: LeadStatus, owner: Option<&str>) -> LeadView {
        let at = "2026-11-20T10:00:00Z".parse().unwrap();
        LeadView {
            id,
            kind: LeadKind::Lead,
            title: title.into(),
            status,
            step: None,
            standby_until: None,
            source: "forward".into(),
            owner: owner.map(str::to_string),
            company: Some(CompanyView {
                name: "Globex".into(),
                domain: Some("globex.test".into()),
            }),
            contacts: vec![LeadContactView {
                name: Some("Marta Silva".into()),
                emails: vec!["marta@globex.test".into()],
                phone: Some("+351 912 345 678".into()),
                title: None,
            }],
            next_action: None,
            tags: vec!["vip".into()],
            flags: vec![],
            amount: None,
            created_at: at,
            last_activity_at: at,
        }
    }

    #[test]
    fn open_leads_are_listed_by_default_and_all_on_request() {
        let leads = vec![
            lead(1, "Quote", LeadStatus::Todo, None),
            lead(2, "Old", LeadStatus::Won, None),
        ];
        assert_eq!(ListQuery::default().apply(leads.clone()).total, 1);
        let all = ListQuery {
            status: "all".into(),
            ..ListQuery::default()
        };
        assert_eq!(all.apply(leads).total, 2);
    }

    #[test]
    fn the_search_finds_names_companies_addresses_and_phones() {
        let one = lead(1, "Quote", LeadStatus::Todo, Some("bruno@acme.test"));
        for q in [
            "marta",
            "GLOBEX",
            "marta@globex",
            "912345678",
            "quote silva",
        ] {
            let query = ListQuery {
                q: q.into(),
                ..ListQuery::default()
            };
            assert!(query.matches(&one), "{q}");
        }
        let miss = ListQuery {
            q: "initech".into(),
            ..ListQuery::default()
        };
        assert!(!miss.matches(&one));
    }

    #[test]
    fn filters_by_owner_tag_and_unassigned() {
        let mine = lead(1, "A", LeadStatus::Todo, Some("bruno@acme.test"));
        let nobodys = lead(2, "B", LeadStatus::Todo, None);
        let by = |owner: &str| ListQuery {
            owner: owner.into(),
            ..ListQuery::default()
        };
        assert!(by("Bruno@acme.test").matches(&mine) && !by("bruno@acme.test").matches(&nobodys));
        assert!(by("none").matches(&nobodys) && !by("none").matches(&mine));
        let tagged = ListQuery {
            tag: "VIP".into(),
            ..ListQuery::default()
        };
        assert!(tagged.matches(&mine));
    }

    #[test]
    fn pages_hold_fifty_and_the_page_is_clamped() {
        let leads: Vec<LeadView> = (1..=120)
            .map(|i| lead(i, "x", LeadStatus::Todo, None))
            .collect();
        let query = ListQuery {
            page: 9,
            ..ListQuery::default()
        };
        let page = query.apply(leads);
        assert_eq!(
            (page.total, page.pages, page.page, page.leads.len()),
            (120, 3, 3, 20)
        );
        assert_eq!(query.with_page(2), "page=2");
    }
}
