//! Which lead lands in which section.

use super::*;
use crate::digest::content::{build, Rules};
use crate::digest::model::DigestQuarantined;
use crate::domain::QuarantineReason;

fn ids(leads: &[DigestLead]) -> Vec<i64> {
    leads.iter().map(|lead| lead.id).collect()
}

#[test]
fn actions_due_before_today_are_overdue_and_today_s_are_due_today() {
    let digest = build(
        &input(vec![
            lead_due(1, "2026-11-20T09:00:00Z"),
            lead_due(2, "2026-11-23T14:00:00Z"),
            lead_due(3, "2026-11-23T06:00:00Z"),
            lead_due(4, "2026-11-24T09:00:00Z"),
            lead_due(5, "2026-11-22T23:59:00Z"),
        ]),
        14,
    );
    assert_eq!(ids(&digest.overdue), [1, 5]);
    assert_eq!(ids(&digest.today), [3, 2], "earliest first");
}

#[test]
fn today_is_the_user_s_local_calendar_day_not_utc_s() {
    // 12:00 UTC is 07:00 on Monday in New York.
    let mut input = input(vec![
        // Sunday 22:00 in New York, although Monday in UTC.
        lead_due(1, "2026-11-23T03:00:00Z"),
        // Monday 23:00 in New York, although Tuesday in UTC.
        lead_due(2, "2026-11-24T04:00:00Z"),
    ]);
    input.user = user(Role::User, chrono_tz::America::New_York);
    input.now = utc("2026-11-23T12:00:00Z");
    let digest = build(&input, 14);
    assert_eq!(ids(&digest.overdue), [1]);
    assert_eq!(ids(&digest.today), [2]);
    assert_eq!(digest.day.to_string(), "2026-11-23");
}

#[test]
fn new_leads_and_referrals_are_those_created_since_the_previous_digest() {
    let now = monday_morning();
    let fresh = |id, hours_ago, source: &str| DigestLead {
        created_at: now - Duration::hours(hours_ago),
        filed_at: None,
        source: source.into(),
        ..lead(id)
    };
    let prospect = DigestLead {
        kind: LeadKind::Prospect,
        ..fresh(4, 1, "bcc")
    };
    let mut input = input(vec![
        fresh(1, 30, "forward"),
        fresh(2, 3, "partner:Northwind"),
        fresh(3, 10, "form:website"),
        prospect,
    ]);
    let digest = build(&input, 14);
    assert_eq!(ids(&digest.new_leads), [3, 2], "oldest first, no prospects");
    assert!(digest.new_leads[1].is_referral());

    input.since = Some(now - Duration::hours(48));
    assert_eq!(ids(&build(&input, 14).new_leads), [1, 3, 2]);
    input.since = None;
    assert_eq!(ids(&build(&input, 14).new_leads), [3, 2], "last 24 hours");
}

#[test]
fn a_lead_filed_since_the_last_digest_is_new_even_when_its_mail_is_older() {
    let now = monday_morning();
    let late = DigestLead {
        // A forward of a mail from three days ago, filed an hour ago.
        created_at: now - Duration::days(3),
        filed_at: Some(now - Duration::hours(1)),
        ..lead(9)
    };
    let seen = DigestLead {
        created_at: now - Duration::days(3),
        filed_at: Some(now - Duration::days(3)),
        ..lead(10)
    };
    let mut input = input(vec![late.clone(), seen.clone()]);
    input.since = Some(now - Duration::hours(24));
    let digest = build(&input, 14);
    assert_eq!(ids(&digest.new_leads), [9]);
    let reach = Rules::new(input.user.calendar.time_zone, now, input.since, 14).reach();
    assert!(reach.covers(&late), "the store's filter reads it too");
    assert!(!reach.covers(&DigestLead {
        next_action: Some(crate::digest::model::DigestAction {
            kind: "call".into(),
            note: String::new(),
            due_at: now + Duration::days(9),
        }),
        ..seen
    }));
}

#[test]
fn replied_prospects_are_listed_for_qualification() {
    let replied = DigestLead {
        kind: LeadKind::Prospect,
        replied_at: Some(utc("2026-11-22T18:00:00Z")),
        ..lead(7)
    };
    let silent = DigestLead {
        kind: LeadKind::Prospect,
        ..lead(8)
    };
    let digest = build(&input(vec![replied, silent]), 14);
    assert_eq!(ids(&digest.replied), [7]);
    assert!(digest.no_next_action.is_empty(), "prospects are not leads");
}

#[test]
fn only_todo_leads_can_lack_a_next_action() {
    let standby = DigestLead {
        status: LeadStatus::Standby,
        ..lead(2)
    };
    let digest = build(
        &input(vec![lead(1), standby, lead_due(3, "2026-12-01T09:00:00Z")]),
        14,
    );
    assert_eq!(ids(&digest.no_next_action), [1]);
}

#[test]
fn quiet_leads_with_a_later_next_action_are_stale_and_listed_once() {
    let now = monday_morning();
    let quiet = |lead: DigestLead, days| DigestLead {
        last_activity_at: now - Duration::days(days),
        ..lead
    };
    let leads = vec![
        quiet(lead_due(1, "2026-12-01T09:00:00Z"), 20),
        quiet(lead_due(2, "2026-11-20T09:00:00Z"), 20),
        quiet(lead(3), 20),
        quiet(lead_due(4, "2026-12-01T09:00:00Z"), 5),
        quiet(lead_due(5, "2026-12-01T09:00:00Z"), 40),
    ];
    let digest = build(&input(leads.clone()), 14);
    assert_eq!(ids(&digest.stale), [5, 1], "quietest first");
    assert_eq!(ids(&digest.overdue), [2]);
    assert_eq!(ids(&digest.no_next_action), [3]);
    assert_eq!(digest.idle_days(&digest.stale[0]), 40);
    assert!(build(&input(leads), 0).stale.is_empty(), "0 turns it off");
}

#[test]
fn quarantined_messages_are_shown_oldest_first() {
    let entry = |id, at: &str| DigestQuarantined {
        id,
        from: Some("alice@acme.test".into()),
        subject: "Fwd: inquiry".into(),
        reason: QuarantineReason::SpoofedSender,
        detail: "dmarc=fail".into(),
        at: utc(at),
    };
    let mut input = input(Vec::new());
    input.quarantined = vec![
        entry(9, "2026-11-22T10:00:00Z"),
        entry(4, "2026-11-21T10:00:00Z"),
    ];
    let digest = build(&input, 14);
    let order: Vec<i64> = digest.quarantined.iter().map(|q| q.id).collect();
    assert_eq!(order, [4, 9]);
    assert_eq!(digest.counts().quarantined, 2);
}

#[test]
fn team_counts_are_shown_to_team_leads_and_admins_only() {
    let mut input = input(Vec::new());
    input.team_counts = vec![rep("Bruno", 2), rep("Carla", 0)];
    assert!(build(&input, 14).team.is_empty());
    assert!(build(&input, 14).is_empty());
    for role in [Role::TeamLead, Role::Admin] {
        input.user.role = role;
        let digest = build(&input, 14);
        assert_eq!(digest.team.len(), 2);
        assert!(!digest.is_empty(), "a rep with overdue work is news");
    }
    input.team_counts = vec![rep("Carla", 0)];
    assert!(build(&input, 14).is_empty(), "all-zero teams are not news");
}

#[test]
fn an_input_without_rows_gives_an_empty_digest() {
    let digest = build(&input(Vec::new()), 14);
    assert!(digest.is_empty());
    assert_eq!(digest.counts(), Default::default());
    assert_eq!(digest.user_name, "Alice Martins");
}

#[test]
fn the_tally_counts_a_rep_s_rows_with_the_digest_s_rules() {
    let now = monday_morning();
    let leads = vec![
        lead_due(1, "2026-11-20T09:00:00Z"),
        lead_due(2, "2026-11-23T09:00:00Z"),
        lead(3),
        DigestLead {
            created_at: now - Duration::hours(2),
            filed_at: None,
            ..lead_due(4, "2026-11-23T10:00:00Z")
        },
    ];
    let rules = Rules::new(chrono_tz::Europe::Lisbon, now, None, 14);
    let counts = rules.tally("Bruno Costa", "bruno@acme.test", &leads);
    assert_eq!(
        counts,
        RepCounts {
            name: "Bruno Costa".into(),
            email: "bruno@acme.test".into(),
            overdue: 1,
            today: 2,
            new: 1,
            no_next_action: 1,
            stale: 0,
        }
    );
}

/// Leads of every kind, status and age around `now`.
fn lead_grid(now: DateTime<Utc>) -> Vec<DigestLead> {
    let hours = |h: i64| now + Duration::hours(h);
    let dues = [
        None,
        Some(-72),
        Some(-1),
        Some(3),
        Some(20),
        Some(30),
        Some(72),
        Some(960),
    ];
    let mut leads = Vec::new();
    for kind in [LeadKind::Lead, LeadKind::Prospect] {
        for status in [LeadStatus::Todo, LeadStatus::Standby] {
            for due in dues {
                for created in [-2, -30, -2400] {
                    for active in [-1, -13 * 24, -15 * 24, -4800] {
                        for replied in [None, Some(hours(-5))] {
                            let mut row = lead(leads.len() as i64);
                            row.kind = kind;
                            row.status = status;
                            row.next_action = due.map(|h| DigestAction {
                                kind: "call".into(),
                                note: String::new(),
                                due_at: hours(h),
                            });
                            row.created_at = hours(created);
                            row.last_activity_at = hours(active.max(created));
                            row.replied_at = replied;
                            leads.push(row);
                        }
                    }
                }
            }
        }
    }
    leads
}

#[test]
fn a_lead_out_of_the_rules_reach_is_in_no_section_and_no_count() {
    let now = monday_morning();
    let mut left_out = 0;
    for zone in [
        chrono_tz::Pacific::Kiritimati,
        chrono_tz::Pacific::Pago_Pago,
        chrono_tz::Europe::Lisbon,
    ] {
        for since in [None, Some(now - Duration::days(3))] {
            for stale_days in [14, 0] {
                let rules = Rules::new(zone, now, since, stale_days);
                let reach = rules.reach();
                for row in lead_grid(now).into_iter().filter(|row| !reach.covers(row)) {
                    left_out += 1;
                    let digest = build(
                        &DigestInput {
                            user: user(Role::User, zone),
                            now,
                            since,
                            leads: vec![row.clone()],
                            quarantined: Vec::new(),
                            team_counts: Vec::new(),
                        },
                        stale_days,
                    );
                    assert!(digest.is_empty(), "{zone} {since:?} {stale_days}: {row:?}");
                    assert!(rules.tally("Rep", "rep@acme.test", &[row]).is_zero());
                }
            }
        }
    }
    assert!(
        left_out > 100,
        "the grid has leads out of reach: {left_out}"
    );
}

#[test]
fn the_union_of_two_reaches_covers_what_either_covers() {
    let now = monday_morning();
    let lisbon = Rules::new(chrono_tz::Europe::Lisbon, now, None, 14).reach();
    let later = Rules::new(
        chrono_tz::Pacific::Kiritimati,
        now + Duration::days(2),
        Some(now - Duration::days(9)),
        0,
    )
    .reach();
    let both = lisbon.union(later);
    for row in lead_grid(now) {
        assert_eq!(
            both.covers(&row),
            lisbon.covers(&row) || later.covers(&row),
            "{row:?}"
        );
    }
}
