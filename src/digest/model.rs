//! The rows a digest is built from, as the store fills them.
//!
//! Three queries fill a [`DigestInput`]: the user's open leads and prospects
//! (one row each, with their primary contact, open next action and latest
//! timeline entry), the user's quarantined messages, and — for team leads and
//! admins — one [`RepCounts`] per rep (see [`super::content::tally_rep`], which
//! counts a rep's rows with the same rules as the digest's own sections).

use crate::config::User;
use crate::domain::{LeadKind, LeadStatus, QuarantineReason, TimelineKind};
use chrono::{DateTime, Utc};

/// Everything one user's digest is made from; `now` is the clock.
#[derive(Debug, Clone)]
pub struct DigestInput {
    /// The recipient (name, role, time zone).
    pub user: User,
    /// The instant the digest is built; "today" is its local date for the user.
    pub now: DateTime<Utc>,
    /// When the previous digest was built; `None` counts new leads of the last 24 hours.
    pub since: Option<DateTime<Utc>>,
    /// The user's open (todo or standby) leads and prospects.
    pub leads: Vec<DigestLead>,
    /// The user's messages that went to quarantine and are still there.
    pub quarantined: Vec<DigestQuarantined>,
    /// Per-rep counts: the team's reps for a team lead, everyone for an admin,
    /// nothing for a user (rows passed for a plain user are not shown).
    pub team_counts: Vec<RepCounts>,
}

/// One open lead or prospect of the user, with what the digest shows of it.
#[derive(Debug, Clone, PartialEq)]
pub struct DigestLead {
    /// The lead's id (every digest line carries it, replies name it).
    pub id: i64,
    /// Prospect or lead.
    pub kind: LeadKind,
    /// The lead's title.
    pub title: String,
    /// Todo or standby.
    pub status: LeadStatus,
    /// The pipeline step, if set.
    pub step: Option<String>,
    /// The stored source text: `bcc`, `forward`, `partner:<name>`, `form:<name>`…
    pub source: String,
    /// The company's name, if any.
    pub company: Option<String>,
    /// The primary contact's name.
    pub contact_name: Option<String>,
    /// The primary contact's first address.
    pub contact_email: Option<String>,
    /// The primary contact's phone.
    pub phone: Option<String>,
    /// The open next action, if any (an open lead without one is a problem).
    pub next_action: Option<DigestAction>,
    /// The latest timeline entry, summarised.
    pub last_activity: Option<DigestActivity>,
    /// When the latest activity happened (`leads.last_activity_at`).
    pub last_activity_at: DateTime<Utc>,
    /// When the lead was created (its first mail's date).
    pub created_at: DateTime<Utc>,
    /// When leadmail filed it (`None` for rows from before that was kept).
    pub filed_at: Option<DateTime<Utc>>,
    /// When a prospect's reply flagged it `replied`, if it is flagged.
    pub replied_at: Option<DateTime<Utc>>,
}

impl DigestLead {
    /// When the lead became news to its owner: filed, or its mail's date if
    /// later. A lead filed after a digest is new in the next one even when
    /// its mail is older than that digest.
    pub fn news_at(&self) -> DateTime<Utc> {
        self.filed_at
            .map_or(self.created_at, |filed| filed.max(self.created_at))
    }

    /// A partner's referral (source `partner:<name>`).
    pub fn is_referral(&self) -> bool {
        self.source.starts_with("partner:")
    }
}

/// A lead's open next action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestAction {
    /// call, email, meeting, demo, follow_up…
    pub kind: String,
    /// What to do, in words (may be empty).
    pub note: String,
    /// When it falls due.
    pub due_at: DateTime<Utc>,
}

/// The latest entry of a lead's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestActivity {
    /// What kind of entry it is.
    pub kind: TimelineKind,
    /// Its subject (or the first words of a note).
    pub subject: String,
}

/// A message of the user that went to quarantine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestQuarantined {
    /// The quarantine entry's id (`leadmail quarantine release ID`).
    pub id: i64,
    /// The From as written, if any.
    pub from: Option<String>,
    /// The subject as written.
    pub subject: String,
    /// Why it was put aside.
    pub reason: QuarantineReason,
    /// Details a human can act on.
    pub detail: String,
    /// When it arrived.
    pub at: DateTime<Utc>,
}

/// How one rep stands, for a team lead's or admin's digest.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RepCounts {
    /// The rep's display name.
    pub name: String,
    /// The rep's address.
    pub email: String,
    /// Next actions due before today.
    pub overdue: usize,
    /// Next actions due today.
    pub today: usize,
    /// Leads created since the previous digest.
    pub new: usize,
    /// Open leads without a next action.
    pub no_next_action: usize,
    /// Open leads idle for more than `stale_after_days`.
    pub stale: usize,
}

impl RepCounts {
    /// True when the rep has nothing to report.
    pub fn is_zero(&self) -> bool {
        self.overdue + self.today + self.new + self.no_next_action + self.stale == 0
    }
}
