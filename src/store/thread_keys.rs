//! The leads of the messages a batch's thread mails refer to, read with
//! one statement for the whole batch instead of one per reference (the
//! 10,000 backlog looked up 2,397 references one at a time).
//!
//! A message adds timeline entries under its own key only (its entry, its
//! commands' changes), and no entry is ever moved or deleted, so during a
//! batch the leads holding a key that is not one of the batch's own
//! messages' keys stay what they were when the batch began. A reference
//! to one of the batch's own messages (a reply filed with the mail it
//! answers) is on those leads and on the ones the batch gave an entry
//! under it, which the transaction knows when it holds its entries back
//! ([`super::deferred::Deferred::leads_given`]); when it does not, the key
//! is looked up when it is needed, as before.

use super::{Conn, StoreError};
use crate::ingest::plan::{Action, IngestPlan};
use crate::store::db;
use std::collections::{HashMap, HashSet};

/// What the batch's references held when it began.
#[derive(Debug, Default)]
pub(super) struct KnownThreads {
    /// The keys read, with the leads whose timelines hold them (a key on
    /// no timeline is read but absent here).
    leads: HashMap<String, Vec<i64>>,
    /// Every key read.
    read: HashSet<String>,
    /// The keys read that are the batch's own messages'.
    own: HashSet<String>,
}

impl KnownThreads {
    /// Reads the leads of the references of `plans`' thread mails.
    pub(super) async fn read(conn: &mut Conn, plans: &[&IngestPlan]) -> Result<Self, StoreError> {
        let own: HashSet<&str> = plans.iter().map(|plan| plan.key.as_str()).collect();
        let mut keys: Vec<&str> = plans
            .iter()
            .filter_map(|plan| match &plan.action {
                Action::Thread(mail) => Some(mail.references.iter()),
                _ => None,
            })
            .flatten()
            .map(|key| key.as_str())
            .collect();
        keys.sort_unstable();
        keys.dedup();
        if keys.is_empty() {
            return Ok(Self::default());
        }
        let list = serde_json::to_string(&keys).unwrap_or_else(|_| "[]".into());
        let rows: Vec<(String, i64)> = db::query_as(
            "SELECT DISTINCT message_key, lead_id FROM timeline \
             WHERE message_key IN (SELECT value FROM json_each($1))",
        )
        .bind(list)
        .fetch_all(&mut *conn)
        .await?;
        let mut leads: HashMap<String, Vec<i64>> = HashMap::new();
        for (key, lead) in rows {
            leads.entry(key).or_default().push(lead);
        }
        Ok(KnownThreads {
            leads,
            own: keys
                .iter()
                .filter(|key| own.contains(*key))
                .map(|key| key.to_string())
                .collect(),
            read: keys.into_iter().map(str::to_string).collect(),
        })
    }

    /// The leads whose timelines hold `key`, when it was read for the
    /// batch (possibly none); `None` when it has to be looked up now. For
    /// a key of the batch's own, `given` are the leads the transaction
    /// gave an entry under it since (`None`: not known, look it up).
    pub(super) fn leads_of(&self, key: &str, given: Option<&[i64]>) -> Option<Vec<i64>> {
        if !self.read.contains(key) {
            return None;
        }
        let mut leads = self.leads.get(key).cloned().unwrap_or_default();
        if self.own.contains(key) {
            for lead in given? {
                if !leads.contains(lead) {
                    leads.push(*lead);
                }
            }
        }
        Some(leads)
    }
}
