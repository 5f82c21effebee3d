//! What a digest says: the rows sorted into sections, before any rendering.
//!
//! Sections are disjoint except "new" and "replied", which are news: a new
//! lead may also appear under its due next action. A lead without a next
//! action is listed there and not again as stale; "stale" is for leads whose
//! next action lies ahead but that have been quiet too long. Standby leads are
//! waiting on purpose and are never called stale or missing a next action.

use super::model::{DigestInput, DigestLead, DigestQuarantined, RepCounts};
use crate::config::Role;
use crate::domain::{EmailAddress, LeadKind, LeadStatus};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// A user's digest for one local day, ready to render.
#[derive(Debug, Clone)]
pub struct Digest {
    /// The recipient's display name.
    pub user_name: String,
    /// The recipient's address.
    pub user_email: EmailAddress,
    /// The recipient's time zone: every date is shown in it.
    pub time_zone: Tz,
    /// When the digest was built.
    pub now: DateTime<Utc>,
    /// The recipient's local date at `now`.
    pub day: NaiveDate,
    /// Days without activity after which a lead is stale (0: never).
    pub stale_after_days: u32,
    /// Next actions due before today, oldest first.
    pub overdue: Vec<DigestLead>,
    /// Next actions due today, earliest first.
    pub today: Vec<DigestLead>,
    /// Leads and referrals created since the previous digest, oldest first.
    pub new_leads: Vec<DigestLead>,
    /// Prospects flagged `replied`: convert or cancel them.
    pub replied: Vec<DigestLead>,
    /// Open leads without a next action, quietest first.
    pub no_next_action: Vec<DigestLead>,
    /// Leads idle for more than the configured days, quietest first.
    pub stale: Vec<DigestLead>,
    /// The user's quarantined messages, oldest first.
    pub quarantined: Vec<DigestQuarantined>,
    /// Per-rep counts (team leads and admins only).
    pub team: Vec<RepCounts>,
    /// The web app's URL (`[web] base_url`): each lead links to its page.
    pub lead_links: Option<String>,
}

/// How many items each section holds (for the subject and the store's log).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DigestCounts {
    /// Overdue next actions.
    pub overdue: usize,
    /// Next actions due today.
    pub today: usize,
    /// New leads and referrals.
    pub new_leads: usize,
    /// Prospects who replied.
    pub replied: usize,
    /// Leads without a next action.
    pub no_next_action: usize,
    /// Stale leads.
    pub stale: usize,
    /// Quarantined messages.
    pub quarantined: usize,
}

impl Digest {
    /// True when there is nothing to tell (such digests are skipped with `skip_empty`).
    pub fn is_empty(&self) -> bool {
        self.counts() == DigestCounts::default() && self.team.iter().all(RepCounts::is_zero)
    }

    /// The size of each section.
    pub fn counts(&self) -> DigestCounts {
        DigestCounts {
            overdue: self.overdue.len(),
            today: self.today.len(),
            new_leads: self.new_leads.len(),
            replied: self.replied.len(),
            no_next_action: self.no_next_action.len(),
            stale: self.stale.len(),
            quarantined: self.quarantined.len(),
        }
    }

    /// Whole days since the lead's last activity, as of the digest's `now`.
    pub fn idle_days(&self, lead: &DigestLead) -> i64 {
        (self.now - lead.last_activity_at).num_days().max(0)
    }
}

/// How far digests reach into the open leads. A lead can be in a section
/// of a digest, or in a count, built with some [`Rules`] ([`Rules::reach`])
/// only if its next action is due before `due_before`, it is an active lead
/// without one, a lead created after `created_after`, an active lead last
/// active before `quiet_before`, or a prospect flagged replied; so the
/// store need not read the others. The store's filter must say the same as
/// [`Reach::covers`]; a test checks that no rule picks a lead outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reach {
    /// Next actions due before this may be overdue or due today.
    pub due_before: DateTime<Utc>,
    /// Leads created after this may be new.
    pub created_after: DateTime<Utc>,
    /// Leads last active before this may be stale (`None`: nothing is stale).
    pub quiet_before: Option<DateTime<Utc>>,
}

impl Reach {
    /// True when `lead` is within reach (the store's filter, in Rust).
    pub fn covers(&self, lead: &DigestLead) -> bool {
        let active = Rules::is_active_lead(lead);
        let is_lead = lead.kind == LeadKind::Lead;
        let due = match &lead.next_action {
            Some(action) => action.due_at < self.due_before,
            None => active,
        };
        let quiet = self
            .quiet_before
            .is_some_and(|before| lead.last_activity_at < before);
        due || (is_lead && lead.news_at() > self.created_after)
            || (active && quiet)
            || (!is_lead && lead.replied_at.is_some())
    }

    /// What either reaches: digests built with both sets of rules.
    pub fn union(self, other: Reach) -> Reach {
        Reach {
            due_before: self.due_before.max(other.due_before),
            created_after: self.created_after.min(other.created_after),
            quiet_before: self.quiet_before.max(other.quiet_before),
        }
    }
}

/// The rules that put a lead in a section, for one time zone and instant.
///
/// The store can use [`Rules::tally`] to count each rep's rows for a team
/// lead's digest with exactly the rules of the rep's own digest.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    time_zone: Tz,
    today: NaiveDate,
    new_since: DateTime<Utc>,
    stale_before: Option<DateTime<Utc>>,
}

impl Rules {
    /// Rules at `now` in `time_zone`; new means created after `since` (else
    /// the last 24 hours); `stale_after_days` of 0 turns "stale" off.
    pub fn new(
        time_zone: Tz,
        now: DateTime<Utc>,
        since: Option<DateTime<Utc>>,
        stale_after_days: u32,
    ) -> Self {
        Self {
            time_zone,
            today: now.with_timezone(&time_zone).date_naive(),
            new_since: since.unwrap_or(now - Duration::days(1)),
            stale_before: (stale_after_days > 0)
                .then(|| now - Duration::days(i64::from(stale_after_days))),
        }
    }

    /// What these rules can pick (see [`Reach`]). The local day ends before
    /// 00:00 UTC of the day after next whatever the zone's offset (±14 h).
    pub fn reach(&self) -> Reach {
        let day_after_next = self.today + Duration::days(2);
        Reach {
            due_before: day_after_next.and_time(NaiveTime::MIN).and_utc(),
            created_after: self.new_since,
            quiet_before: self.stale_before,
        }
    }

    /// The instants these rules' counts turn on, for counting in SQL
    /// what [`Rules::tally`] counts (see [`TallyBounds`]).
    pub fn bounds(&self) -> TallyBounds {
        TallyBounds {
            today_from: first_instant(self.time_zone, self.today),
            tomorrow_from: first_instant(self.time_zone, self.today + Duration::days(1)),
            new_since: self.new_since,
            stale_before: self.stale_before,
        }
    }

    /// Counts one rep's open leads per section.
    pub fn tally(&self, name: &str, email: &str, leads: &[DigestLead]) -> RepCounts {
        let count = |rule: fn(&Self, &DigestLead) -> bool| {
            leads.iter().filter(|lead| rule(self, lead)).count()
        };
        RepCounts {
            name: name.to_string(),
            email: email.to_string(),
            overdue: count(Self::is_overdue),
            today: count(Self::is_due_today),
            new: count(Self::is_new),
            no_next_action: count(Self::lacks_next_action),
            stale: count(Self::is_stale),
        }
    }

    fn due_day(&self, lead: &DigestLead) -> Option<NaiveDate> {
        let action = lead.next_action.as_ref()?;
        Some(action.due_at.with_timezone(&self.time_zone).date_naive())
    }

    fn is_overdue(&self, lead: &DigestLead) -> bool {
        self.due_day(lead).is_some_and(|day| day < self.today)
    }

    fn is_due_today(&self, lead: &DigestLead) -> bool {
        self.due_day(lead) == Some(self.today)
    }

    fn is_new(&self, lead: &DigestLead) -> bool {
        lead.kind == LeadKind::Lead && lead.news_at() > self.new_since
    }

    fn is_replied_prospect(&self, lead: &DigestLead) -> bool {
        lead.kind == LeadKind::Prospect && lead.replied_at.is_some()
    }

    fn is_active_lead(lead: &DigestLead) -> bool {
        lead.kind == LeadKind::Lead && lead.status == LeadStatus::Todo
    }

    fn lacks_next_action(&self, lead: &DigestLead) -> bool {
        Self::is_active_lead(lead) && lead.next_action.is_none()
    }

    fn is_stale(&self, lead: &DigestLead) -> bool {
        let quiet = self
            .stale_before
            .is_some_and(|before| lead.last_activity_at < before);
        let due_later = self.due_day(lead).is_some_and(|day| day > self.today);
        Self::is_active_lead(lead) && quiet && due_later
    }
}

/// [`Rules::tally`]'s tests as instants: a next action is overdue when due
/// before `today_from`, due today when before `tomorrow_from`, later when
/// due at or after it; a lead is new when created or filed after
/// `new_since`, and stale when last active before `stale_before`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TallyBounds {
    /// The first instant of the local day.
    pub today_from: DateTime<Utc>,
    /// The first instant of the next local day.
    pub tomorrow_from: DateTime<Utc>,
    /// Leads created or filed after this are new.
    pub new_since: DateTime<Utc>,
    /// Active leads last active before this are stale (`None`: never).
    pub stale_before: Option<DateTime<Utc>>,
}

/// The first instant of local `day` in `zone` (past a gap at midnight, the
/// first hour that exists).
fn first_instant(zone: Tz, day: NaiveDate) -> DateTime<Utc> {
    (0..24)
        .filter_map(|hour| {
            let local = day.and_hms_opt(hour, 0, 0)?;
            zone.from_local_datetime(&local).earliest()
        })
        .next()
        .map_or_else(
            || day.and_time(NaiveTime::MIN).and_utc(),
            |at| at.with_timezone(&Utc),
        )
}

/// Sorts the input's rows into a [`Digest`].
pub fn build(input: &DigestInput, stale_after_days: u32) -> Digest {
    let time_zone = input.user.calendar.time_zone;
    let rules = Rules::new(time_zone, input.now, input.since, stale_after_days);
    let select = |rule: fn(&Rules, &DigestLead) -> bool| -> Vec<DigestLead> {
        let mut rows: Vec<DigestLead> = input
            .leads
            .iter()
            .filter(|lead| rule(&rules, lead))
            .cloned()
            .collect();
        rows.sort_by_key(|lead| lead.id);
        rows
    };
    let mut digest = Digest {
        user_name: input.user.name.clone(),
        user_email: input.user.email.clone(),
        time_zone,
        now: input.now,
        day: rules.today,
        stale_after_days,
        overdue: select(Rules::is_overdue),
        today: select(Rules::is_due_today),
        new_leads: select(Rules::is_new),
        replied: select(Rules::is_replied_prospect),
        no_next_action: select(Rules::lacks_next_action),
        stale: select(Rules::is_stale),
        quarantined: input.quarantined.clone(),
        team: team_rows(input),
        lead_links: None,
    };
    sort_sections(&mut digest);
    digest
}

/// Team counts are shown to team leads and admins only.
fn team_rows(input: &DigestInput) -> Vec<RepCounts> {
    match input.user.role {
        Role::Admin | Role::TeamLead => input.team_counts.clone(),
        Role::User => Vec::new(),
    }
}

/// Puts each section in reading order (stable: ties keep id order).
fn sort_sections(digest: &mut Digest) {
    let due = |lead: &DigestLead| lead.next_action.as_ref().map(|a| a.due_at);
    digest.overdue.sort_by_key(due);
    digest.today.sort_by_key(due);
    digest.new_leads.sort_by_key(DigestLead::news_at);
    digest.replied.sort_by_key(|lead| lead.replied_at);
    digest
        .no_next_action
        .sort_by_key(|lead| lead.last_activity_at);
    digest.stale.sort_by_key(|lead| lead.last_activity_at);
    digest.quarantined.sort_by_key(|q| (q.at, q.id));
}
