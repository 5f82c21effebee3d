//! Tests of the digest core, with shared fixtures: Alice in Lisbon, a
//! Monday morning in November 2026, and lead rows built field by field.

mod content;
mod render;
mod reply;
mod schedule;

use super::model::{DigestAction, DigestActivity, DigestInput, DigestLead, RepCounts};
use crate::config::{Role, User};
use crate::domain::schedule::WorkCalendar;
use crate::domain::{EmailAddress, LeadKind, LeadStatus, TimelineKind};
use chrono::{DateTime, Duration, NaiveTime, Utc};
use chrono_tz::Tz;

/// An RFC 3339 instant.
fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("valid RFC 3339")
        .with_timezone(&Utc)
}

/// Monday 23 November 2026, 07:30 in Lisbon (UTC+0 in winter).
fn monday_morning() -> DateTime<Utc> {
    utc("2026-11-23T07:30:00Z")
}

fn user(role: Role, time_zone: Tz) -> User {
    User {
        email: EmailAddress::parse("alice@acme.test").expect("valid address"),
        name: "Alice Martins".into(),
        aliases: Vec::new(),
        role,
        team: Some("iberia".into()),
        calendar: WorkCalendar {
            time_zone,
            workday_start: NaiveTime::from_hms_opt(9, 0, 0).expect("valid time"),
        },
        digest_at: NaiveTime::from_hms_opt(7, 30, 0).expect("valid time"),
        active: true,
    }
}

/// An open lead, active two days ago, created ten days ago, no next action.
fn lead(id: i64) -> DigestLead {
    let now = monday_morning();
    DigestLead {
        id,
        kind: LeadKind::Lead,
        title: format!("Lead {id}"),
        status: LeadStatus::Todo,
        step: None,
        source: "forward".into(),
        company: Some("Globex".into()),
        contact_name: Some("Jane Doe".into()),
        contact_email: Some("jane@globex.test".into()),
        phone: Some("+351 912 345 678".into()),
        next_action: None,
        last_activity: Some(DigestActivity {
            kind: TimelineKind::EmailIn,
            subject: "Re: pricing".into(),
        }),
        last_activity_at: now - Duration::days(2),
        created_at: now - Duration::days(10),
        filed_at: None,
        replied_at: None,
    }
}

/// `lead(id)` with a next action `kind: note` due at `due`.
fn lead_due(id: i64, due: &str) -> DigestLead {
    DigestLead {
        next_action: Some(DigestAction {
            kind: "call".into(),
            note: "ask about budget".into(),
            due_at: utc(due),
        }),
        ..lead(id)
    }
}

/// Alice's input at Monday 07:30, previous digest 24 hours earlier.
fn input(leads: Vec<DigestLead>) -> DigestInput {
    DigestInput {
        user: user(Role::User, chrono_tz::Europe::Lisbon),
        now: monday_morning(),
        since: Some(monday_morning() - Duration::days(1)),
        leads,
        quarantined: Vec::new(),
        team_counts: Vec::new(),
    }
}

fn rep(name: &str, overdue: usize) -> RepCounts {
    RepCounts {
        name: name.into(),
        email: format!("{}@acme.test", name.to_lowercase()),
        overdue,
        ..RepCounts::default()
    }
}
