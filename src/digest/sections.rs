//! The digest's sections in reading order, and each item as a headline plus
//! detail lines: the text and HTML parts lay out the same words.

use super::content::Digest;
use super::model::{DigestLead, DigestQuarantined};
use super::words;
use crate::domain::QuarantineReason;

/// The digest's sections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Overdue next actions.
    Overdue,
    /// Next actions due today.
    Today,
    /// New leads and referrals.
    New,
    /// Prospects who replied.
    Replied,
    /// Leads without a next action.
    NoNextAction,
    /// Quiet leads.
    Stale,
    /// Quarantined messages.
    Quarantined,
    /// Per-rep counts.
    Team,
}

/// One entry of a section: a headline (it starts with the lead's `#id`) and
/// the lines under it. Plain text: the HTML part escapes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// "#12 Website redesign · Acme (step Proposal)".
    pub headline: String,
    /// Contact, what to do, last activity…
    pub details: Vec<String>,
    /// The lead it is about (none for a quarantined message).
    pub lead_id: Option<i64>,
}

/// The sections that have something to show, in reading order, each with
/// its items: worked out once, laid out by both parts.
pub fn laid_out(digest: &Digest) -> Vec<(Section, Vec<Item>)> {
    Section::ALL
        .into_iter()
        .filter(|section| !section.is_empty(digest))
        .map(|section| (section, section.items(digest)))
        .collect()
}

impl Section {
    /// Every section, in reading order.
    pub const ALL: [Section; 8] = [
        Section::Overdue,
        Section::Today,
        Section::New,
        Section::Replied,
        Section::NoNextAction,
        Section::Stale,
        Section::Quarantined,
        Section::Team,
    ];

    /// The section's title.
    pub fn title(self, digest: &Digest) -> String {
        match self {
            Section::Overdue => "Overdue".into(),
            Section::Today => "Due today".into(),
            Section::New => "New leads and referrals".into(),
            Section::Replied => "Prospects who replied: convert or cancel".into(),
            Section::NoNextAction => "Open leads without a next action".into(),
            Section::Stale => format!("Quiet for more than {} days", digest.stale_after_days),
            Section::Quarantined => "Your messages in quarantine".into(),
            Section::Team => "Your team".into(),
        }
    }

    /// True when the section has nothing to show.
    pub fn is_empty(self, digest: &Digest) -> bool {
        match self {
            Section::Quarantined => digest.quarantined.is_empty(),
            Section::Team => digest.team.is_empty(),
            other => other.leads(digest).is_empty(),
        }
    }

    /// The section's entries (the team section is a table, not items).
    pub fn items(self, digest: &Digest) -> Vec<Item> {
        match self {
            Section::Quarantined => digest
                .quarantined
                .iter()
                .map(|q| quarantined(q, digest))
                .collect(),
            Section::Team => Vec::new(),
            lead_section => lead_section
                .leads(digest)
                .iter()
                .map(|lead| Item {
                    headline: headline(lead),
                    details: lead_section.details(lead, digest),
                    lead_id: Some(lead.id),
                })
                .collect(),
        }
    }

    fn leads(self, digest: &Digest) -> &[DigestLead] {
        match self {
            Section::Overdue => &digest.overdue,
            Section::Today => &digest.today,
            Section::New => &digest.new_leads,
            Section::Replied => &digest.replied,
            Section::NoNextAction => &digest.no_next_action,
            Section::Stale => &digest.stale,
            Section::Quarantined | Section::Team => &[],
        }
    }

    fn details(self, lead: &DigestLead, digest: &Digest) -> Vec<String> {
        let first = match self {
            Section::New => Some(format!(
                "{} · came in {}",
                words::source(&lead.source),
                words::when(lead.created_at, digest.time_zone, digest.day)
            )),
            Section::Replied => lead
                .replied_at
                .map(|at| format!("replied {}", words::when(at, digest.time_zone, digest.day))),
            Section::Stale => Some(format!("quiet for {} days", digest.idle_days(lead))),
            _ => None,
        };
        let hint = match self {
            Section::Replied => Some(format!("reply: convert {0} · cancel {0}", lead.id)),
            Section::NoNextAction => Some(format!("reply: next {} <when> <what>", lead.id)),
            _ => None,
        };
        let lines = [first, next_action(lead, digest), words::contact(lead)];
        let mut details: Vec<String> = lines.into_iter().flatten().collect();
        details.push(words::last_activity(lead, digest));
        details.extend(hint);
        details
    }
}

/// "#12 Website redesign · Acme (step Proposal)".
fn headline(lead: &DigestLead) -> String {
    match words::state(lead) {
        Some(state) => format!("{} ({state})", words::lead_title(lead)),
        None => words::lead_title(lead),
    }
}

/// "call: ask about budget · due Fri 20 Nov, 09:00 (3 days late)".
fn next_action(lead: &DigestLead, digest: &Digest) -> Option<String> {
    let action = lead.next_action.as_ref()?;
    Some(format!(
        "{} · {}",
        words::action(action),
        words::due(action, digest)
    ))
}

/// Who can release what (the rules of `quarantine release`): a rep's own
/// mail held only for a command leadmail could not read is theirs to fix
/// and release; anything else needs an admin to vouch for it.
fn release_hint(entry: &DigestQuarantined) -> String {
    match entry.reason {
        QuarantineReason::BadCommand => format!(
            "send the command again, fixed, then close this: leadmail quarantine release {} --as YOU --reason \"fixed\"",
            entry.id
        ),
        _ => format!(
            "genuine? an admin can release it: leadmail quarantine release {} --reason \"…\"",
            entry.id
        ),
    }
}

fn quarantined(entry: &DigestQuarantined, digest: &Digest) -> Item {
    let subject = match entry.subject.trim() {
        "" => "(no subject)",
        subject => subject,
    };
    let mut details = vec![words::quarantined(entry, digest)];
    if !entry.detail.trim().is_empty() {
        details.push(entry.detail.clone());
    }
    details.push(release_hint(entry));
    Item {
        headline: subject.to_string(),
        details,
        lead_id: None,
    }
}
