//! The team table counted in SQL (`Store::team_counts`) is the digest's
//! own count (`Rules::tally` over each rep's open leads), in several time
//! zones, with and without a previous digest and "stale".

use super::*;
use crate::digest::content::Rules;
use crate::domain::LeadStatus;
use crate::store::seed::{Seed, SeedAction, SeedContact, SeedLead};
use chrono::{Duration, TimeZone};

/// The clock of the seed.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 29, 0, 30, 0).unwrap()
}

/// Lead `i`: its kind, status, owner, ages and next actions vary with `i`.
fn lead(i: i64) -> SeedLead {
    let t0 = t0();
    let status = match i {
        _ if i % 11 == 0 => LeadStatus::Won,
        _ if i % 5 == 0 => LeadStatus::Standby,
        _ => LeadStatus::Todo,
    };
    let action = |due_at, done| SeedAction {
        kind: "call".into(),
        note: format!("n{i}"),
        due_at,
        created_at: t0 - Duration::days(40),
        done,
    };
    let actions = match i % 4 {
        0 => Vec::new(),
        1 => vec![action(t0 - Duration::hours(i * 5 % 70), None)],
        2 => vec![action(t0 + Duration::hours(i * 3 % 60), None)],
        _ => vec![
            action(
                t0 - Duration::days(9),
                Some((t0 - Duration::days(8), "done")),
            ),
            action(t0 + Duration::days(3), None),
        ],
    };
    SeedLead {
        kind: if i % 3 == 0 {
            LeadKind::Prospect
        } else {
            LeadKind::Lead
        },
        title: format!("Lead {i}"),
        standby_until: (status == LeadStatus::Standby).then(|| t0 + Duration::days(5)),
        close_reason: (status == LeadStatus::Won).then(|| "signed".into()),
        status,
        step: None,
        source: "forward".into(),
        owner: ["alice@acme.test", "bob@acme.test"][(i % 2) as usize].into(),
        company: None,
        contact: SeedContact {
            name: None,
            email: format!("c{i}@example.test"),
            phone: None,
            title: None,
        },
        created_at: t0 - Duration::hours(i * 7),
        last_activity_at: t0 - Duration::days(i % 20),
        actions,
        timeline: Vec::new(),
        replied_at: None,
    }
}

#[tokio::test]
async fn the_team_counts_in_sql_are_the_digests_tally() {
    let db = fresh().await;
    let seed = Seed {
        leads: (0..60).map(lead).collect(),
        ..Seed::default()
    };
    db.store.seed(&seed).await.unwrap();
    let owners = ["alice@acme.test".to_string(), "bob@acme.test".to_string()];
    for zone in ["Europe/Lisbon", "Pacific/Auckland", "America/Los_Angeles"] {
        for since in [None, Some(t0() - Duration::hours(30))] {
            for stale_days in [0, 7] {
                let rules = Rules::new(zone.parse().unwrap(), t0(), since, stale_days);
                let bounds = rules.bounds();
                let some = db.store.team_counts(&bounds, Some(&owners[..])).await;
                let all = db.store.team_counts(&bounds, None).await.unwrap();
                assert_eq!(some.unwrap(), all);
                for owner in &owners {
                    let leads = db.store.digest_leads(owner).await.unwrap();
                    let tally = rules.tally("", owner, &leads);
                    assert_eq!(all[owner], tally, "{zone} {since:?} {stale_days}");
                    assert!(!tally.is_zero());
                }
            }
        }
    }
}
