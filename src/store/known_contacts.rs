//! The contacts and companies a batch's plans name, read with two
//! statements when the batch begins, so that upserting a contact the
//! database already holds (with nothing to fill, and its company known)
//! needs no statement: the 10,000 backlog upserted 7,617 contacts, 2,386
//! of them known.
//!
//! During the batch only this transaction writes them (it holds the
//! store's write lock), and only through [`super::contacts::upsert`] and
//! its fill, which record here what they wrote; a key not read at the
//! start is never answered from here. An upsert by domain on PostgreSQL
//! used up a company id even when the company existed (`INSERT … ON
//! CONFLICT DO NOTHING` takes the sequence's next value first): one that
//! is answered from here owes that id ([`KnownContacts::owe_company_id`]),
//! and the debt is paid before the next company is inserted and at commit
//! ([`super::deferred`]), so every id is what it was.

use super::contacts::{name_key, CompanyKey, CompanyRef};
use super::{Conn, StoreError};
use crate::ingest::plan::{Action, ContactDraft, Fallback, IngestPlan};
use crate::store::db;
use std::collections::HashMap;

/// A stored contact's fields that an upsert reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct StoredContact {
    pub id: i64,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub title: Option<String>,
    pub company: Option<CompanyRef>,
}

/// What the batch's contact addresses and company keys held, kept up to
/// date by the batch's own upserts.
#[derive(Debug, Default)]
pub(super) struct KnownContacts {
    /// Per canonical address read: its contact's id, or `None` when
    /// unknown.
    addresses: HashMap<String, Option<i64>>,
    /// The contacts of those addresses, by id (one contact may have
    /// several of the addresses: a fill through one shows through all).
    contacts: HashMap<i64, StoredContact>,
    /// Per domain read: its company, or `None` when unknown.
    domains: HashMap<String, Option<i64>>,
    /// Per name key read: every company with it (id, has a domain).
    names: HashMap<String, Vec<(i64, bool)>>,
    /// PostgreSQL: company ids the upserts answered here would have used up.
    owed: i64,
}

type ContactRow = (
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<bool>,
);

impl KnownContacts {
    /// Reads the contacts and companies `plans` may upsert, and the
    /// contacts of the addresses their bounces name.
    pub(super) async fn read(conn: &mut Conn, plans: &[&IngestPlan]) -> Result<Self, StoreError> {
        let drafts: Vec<&ContactDraft> = plans.iter().flat_map(|plan| drafts(plan)).collect();
        let bounced: Vec<String> = plans.iter().flat_map(|plan| bounced(plan)).collect();
        let mut known = KnownContacts::default();
        if drafts.is_empty() && bounced.is_empty() {
            return Ok(known);
        }
        for address in bounced {
            known.addresses.insert(address, None);
        }
        for draft in &drafts {
            known.addresses.insert(draft.email.canonical(), None);
            match draft.company.as_ref().and_then(CompanyKey::of) {
                Some(CompanyKey::Domain { domain, .. }) => {
                    known.domains.insert(domain, None);
                }
                Some(CompanyKey::Name(name)) => {
                    known.names.insert(name_key(&name), Vec::new());
                }
                None => {}
            }
        }
        known.read_contacts(conn).await?;
        known.read_companies(conn).await?;
        Ok(known)
    }

    async fn read_contacts(&mut self, conn: &mut Conn) -> Result<(), StoreError> {
        let keys: Vec<&String> = self.addresses.keys().collect();
        let list = serde_json::to_string(&keys).unwrap_or_else(|_| "[]".into());
        let rows: Vec<ContactRow> = db::query_as(
            "SELECT ce.canonical, c.id, c.name, c.phone, c.title, co.id, co.domain IS NOT NULL \
             FROM contact_emails ce JOIN contacts c ON c.id = ce.contact_id \
             LEFT JOIN companies co ON co.id = c.company_id \
             WHERE ce.canonical IN (SELECT value FROM json_each($1))",
        )
        .bind(list)
        .fetch_all(&mut *conn)
        .await?;
        for (canonical, id, name, phone, title, company, has_domain) in rows {
            let company = company.map(|id| CompanyRef {
                id,
                has_domain: has_domain.unwrap_or(false),
                created: false,
            });
            let contact = StoredContact {
                id,
                name,
                phone,
                title,
                company,
            };
            self.addresses.insert(canonical, Some(id));
            self.contacts.insert(id, contact);
        }
        Ok(())
    }

    async fn read_companies(&mut self, conn: &mut Conn) -> Result<(), StoreError> {
        if self.domains.is_empty() && self.names.is_empty() {
            return Ok(());
        }
        let domains: Vec<&String> = self.domains.keys().collect();
        let names: Vec<&String> = self.names.keys().collect();
        let json = |list: &[&String]| serde_json::to_string(list).unwrap_or_else(|_| "[]".into());
        let rows: Vec<(i64, Option<String>, String)> = db::query_as(
            "SELECT id, domain, name_key FROM companies \
             WHERE domain IN (SELECT value FROM json_each($1)) \
                OR name_key IN (SELECT value FROM json_each($2))",
        )
        .bind(json(&domains))
        .bind(json(&names))
        .fetch_all(&mut *conn)
        .await?;
        for (id, domain, key) in rows {
            self.add_company(id, domain, &key);
        }
        Ok(())
    }

    /// Records a company (read, or inserted by this batch) under the keys
    /// that were read.
    fn add_company(&mut self, id: i64, domain: Option<String>, key: &str) {
        if let Some(companies) = self.names.get_mut(key) {
            companies.push((id, domain.is_some()));
        }
        if let Some(known) = domain.and_then(|domain| self.domains.get_mut(&domain)) {
            *known = Some(id);
        }
    }

    /// The contact and the draft's company, when both were read and are
    /// known (the company found as the upsert would find it).
    pub(super) fn find(
        &self,
        draft: &ContactDraft,
        company: Option<&CompanyKey>,
    ) -> Option<(StoredContact, Option<CompanyRef>)> {
        let id = (*self.addresses.get(&draft.email.canonical())?)?;
        let contact = self.contacts.get(&id)?.clone();
        let company = match company {
            None => None,
            Some(key) => Some(self.company(key)??),
        };
        Some((contact, company))
    }

    /// The contact of this canonical address, when the address was read:
    /// `Some(None)` when it is nobody's.
    pub(super) fn contact_of(&self, canonical: &str) -> Option<Option<i64>> {
        self.addresses.get(canonical).copied()
    }

    /// True when the draft's address was read and is nobody's.
    pub(super) fn is_unknown(&self, draft: &ContactDraft) -> bool {
        matches!(self.addresses.get(&draft.email.canonical()), Some(None))
    }

    /// The company the upsert of `key` finds, when its key was read:
    /// `Some(None)` when there is none.
    pub(super) fn company(&self, key: &CompanyKey) -> Option<Option<CompanyRef>> {
        let found = |id, has_domain| CompanyRef {
            id,
            has_domain,
            created: false,
        };
        match key {
            CompanyKey::Domain { domain, .. } => {
                let id = *self.domains.get(domain)?;
                Some(id.map(|id| found(id, true)))
            }
            CompanyKey::Name(name) => {
                let companies = self.names.get(&name_key(name))?;
                // With a domain first, then the oldest.
                let first = companies.iter().min_by_key(|(id, has)| (!has, *id));
                Some(first.map(|&(id, has_domain)| found(id, has_domain)))
            }
        }
    }

    /// Records what an upsert wrote or found: the contact with its fields
    /// now, and the draft's company (inserted or not).
    pub(super) fn record(
        &mut self,
        draft: &ContactDraft,
        contact: StoredContact,
        key: Option<&CompanyKey>,
        company: Option<CompanyRef>,
    ) {
        let address = self.addresses.get_mut(&draft.email.canonical());
        let read = address.is_some();
        if let Some(known) = address {
            *known = Some(contact.id);
        }
        if read || self.contacts.contains_key(&contact.id) {
            self.contacts.insert(contact.id, contact);
        }
        let (Some(key), Some(company)) = (key, company) else {
            return;
        };
        if !company.created {
            return;
        }
        match key {
            CompanyKey::Domain { name, domain } => {
                self.add_company(company.id, Some(domain.clone()), &name_key(name));
            }
            CompanyKey::Name(name) => self.add_company(company.id, None, &name_key(name)),
        }
    }

    /// Owes the company id an upsert by domain on PostgreSQL would have
    /// used up.
    pub(super) fn owe_company_id(&mut self) {
        self.owed += 1;
    }

    /// The company ids owed, now paid by the caller.
    pub(super) fn take_owed(&mut self) -> i64 {
        std::mem::take(&mut self.owed)
    }

    /// True when company ids are owed.
    pub(super) fn owes(&self) -> bool {
        self.owed > 0
    }
}

/// The canonical addresses a bounce plan says failed.
fn bounced(plan: &IngestPlan) -> Vec<String> {
    match &plan.action {
        Action::Bounce(mail) => mail
            .recipients
            .iter()
            .map(|r| r.address.canonical())
            .collect(),
        _ => Vec::new(),
    }
}

/// The contact drafts a plan may upsert.
fn drafts(plan: &IngestPlan) -> Vec<&ContactDraft> {
    match &plan.action {
        Action::Lead(mail) => mail.contacts.iter().collect(),
        Action::Outbound(mail) => mail.groups.iter().flat_map(|g| &g.contacts).collect(),
        Action::Thread(mail) => {
            let fallback = match &mail.fallback {
                Fallback::NewLead(lead) => lead.contacts.as_slice(),
                _ => &[],
            };
            mail.sender.iter().chain(fallback).collect()
        }
        _ => Vec::new(),
    }
}
