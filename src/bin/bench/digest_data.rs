//! The digest benchmark's data, deterministic from a seed: a config with
//! N users (admins, team leads, reps in teams of ten across European time
//! zones) and leads spread evenly over them, each with a company, a contact,
//! next actions (overdue, due today, later), a timeline and a status, so
//! that every section of a digest has something in it.

use chrono::{DateTime, Duration, Utc};
use leadmail::domain::{LeadKind, LeadStatus, QuarantineReason, TimelineKind};
use leadmail::store::{
    Seed, SeedAction, SeedCompany, SeedContact, SeedEntry, SeedLead, SeedQuarantined,
};
use leadmail::synth::Rng;
use std::fmt::Write;

/// The options `bench digest` and `bench web` share: what is seeded, and where.
#[derive(Debug, clap::Args)]
pub struct DataArgs {
    /// Users (reps); two are admins and one in ten a team lead.
    #[arg(long, default_value_t = 1000)]
    pub users: usize,
    /// Leads and prospects, spread over the users.
    #[arg(long, default_value_t = 100_000)]
    pub leads: usize,
    /// The generator's seed (the same seed, the same database).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// A PostgreSQL server to seed a new database on instead of SQLite
    /// (`postgres://user:pass@127.0.0.1:PORT/db`; the user may create
    /// databases).
    #[arg(long)]
    pub postgres: Option<String>,
}

const FIRST: &[&str] = &[
    "Ana", "Bruno", "Carla", "Daan", "Eva", "Filipe", "Greta", "Hugo", "Ines", "Jan", "Katrin",
    "Luis", "Marta", "Nils", "Olga", "Pedro", "Quentin", "Rita", "Sven", "Teresa", "Ugo", "Vera",
    "Willem", "Xana", "Yusuf", "Zoe",
];
const LAST: &[&str] = &[
    "Almeida",
    "Bakker",
    "Costa",
    "Dubois",
    "Esteves",
    "Fischer",
    "Garcia",
    "Hansen",
    "Iglesias",
    "Jansen",
    "Keller",
    "Lopes",
    "Martin",
    "Nunes",
    "Olsen",
    "Pereira",
    "Quintana",
    "Rossi",
    "Schmidt",
    "Teixeira",
    "Urban",
    "Visser",
    "Weber",
    "Yilmaz",
    "Zimmermann",
];
const ZONES: &[&str] = &[
    "Europe/Lisbon",
    "Europe/London",
    "Europe/Madrid",
    "Europe/Paris",
    "Europe/Amsterdam",
    "Europe/Berlin",
];
const COMPANY_A: &[&str] = &[
    "Nord", "Sol", "Blue", "Iber", "Alpen", "Delta", "Vita", "Terra", "Porto", "Rhein", "Atlas",
    "Lumen",
];
const COMPANY_B: &[&str] = &[
    "haven", "tech", "works", "logic", "mar", "field", "line", "point", "gate", "stone",
];
const COMPANY_C: &[&str] = &[
    "Logistics",
    "Foods",
    "Retail",
    "Clinics",
    "Software",
    "Hotels",
    "Energy",
    "Textiles",
];
const NEEDS: &[&str] = &[
    "40 seats of the Pro plan",
    "website redesign",
    "fleet tracking pilot",
    "annual support renewal",
    "warehouse scanners",
    "onboarding workshop",
    "data migration",
    "multi-site licence",
    "API integration",
    "training for 12 staff",
];
const SENTENCES: &[&str] = &[
    "Thanks for the call earlier, as discussed here is a short summary of what we need.",
    "We are comparing three vendors and would like a proposal by the end of the month.",
    "Could you send pricing for the options we talked about, including support?",
    "Our budget was approved for the next quarter, so timing works for us now.",
    "Please find the requirements attached; the team can meet on Tuesday or Thursday.",
    "I am out of the office next week, my colleague will follow up in the meantime.",
    "We need the rollout done before the summer, ideally starting with one site.",
    "Let me know if a demo for our operations people is possible this month.",
];
const STEPS: &[&str] = &["Contacted", "Demo", "Proposal", "Negotiation"];
const ACTIONS: &[&str] = &["call", "email", "meeting", "demo", "follow_up"];

/// The config's fixed part: `{database}`, `{host}` and `{port}` are filled in.
const CONFIG_HEAD: &str = r#"[database]
url = "{database}"

[crm]
addresses = ["crm@acme.test"]
company_domains = ["acme.test"]
steps = ["Contacted", "Demo", "Proposal", "Negotiation"]
stale_after_days = 14
time_zone = "Europe/Lisbon"

[security]
trusted_authserv_ids = ["mx.acme.test"]

[smtp]
host = "{host}"
port = {port}
tls = "none"
from = "leadmail <crm@acme.test>"
"#;

/// The leadmail config of the benchmark: `users` users, SMTP at `smtp`.
pub fn config_toml(database: &str, users: usize, smtp: (&str, u16)) -> String {
    let mut toml = CONFIG_HEAD
        .replace("{database}", database)
        .replace("{host}", smtp.0)
        .replace("{port}", &smtp.1.to_string());
    for i in 0..users {
        let _ = write!(
            toml,
            "\n[[users]]\nemail = \"{}\"\nname = \"{}\"\nrole = \"{}\"\nteam = \"team-{:03}\"\n\
             time_zone = \"{}\"\nworkday_start = \"09:00\"\ndigest_at = \"07:30\"\n",
            user_email(i),
            user_name(i),
            role(i),
            i / 10,
            ZONES[i % ZONES.len()]
        );
    }
    toml
}

/// Rep number `i`'s address.
pub fn user_email(i: usize) -> String {
    format!("rep{i:04}@acme.test")
}

fn user_name(i: usize) -> String {
    format!(
        "{} {}",
        FIRST[i % FIRST.len()],
        LAST[(i / FIRST.len()) % LAST.len()]
    )
}

/// Two admins; one team lead in each team of ten; reps.
fn role(i: usize) -> &'static str {
    match i {
        0 | 1 => "admin",
        _ if i % 10 == 2 => "team_lead",
        _ => "user",
    }
}

/// `leads` leads over `users` users, as of `t0`: 06:00 UTC of the digest
/// day, before any user's 07:30 local digest time (all zones are European),
/// so nothing seeded lies after a digest's `now`.
pub fn seed(seed: u64, users: usize, leads: usize, t0: DateTime<Utc>) -> Seed {
    let companies = (leads / 3).max(1);
    Seed {
        companies: (0..companies).map(company).collect(),
        leads: (0..leads)
            .map(|i| lead(&mut Rng::new(seed, i as u64), i, users, companies, t0))
            .collect(),
        quarantined: (0..users)
            .filter(|i| i % 25 == 3)
            .map(|i| quarantined(i, t0))
            .collect(),
    }
}

fn company(i: usize) -> SeedCompany {
    let a = COMPANY_A[i % COMPANY_A.len()];
    let b = COMPANY_B[(i / COMPANY_A.len()) % COMPANY_B.len()];
    let c = COMPANY_C[(i / 7) % COMPANY_C.len()];
    SeedCompany {
        name: format!("{a}{b} {c}"),
        domain: Some(format!("{}{b}-{i}.example", a.to_lowercase())),
    }
}

fn quarantined(user: usize, t0: DateTime<Utc>) -> SeedQuarantined {
    SeedQuarantined {
        user_email: user_email(user),
        from: format!("{} <{}>", user_name(user), user_email(user)),
        subject: "Fwd: pricing request".into(),
        reason: QuarantineReason::SpoofedSender,
        detail: "dmarc=fail for acme.test".into(),
        received_at: t0 - Duration::hours(5),
    }
}

/// Lead number `i`: its owner, kind, status, dates, contact and history.
fn lead(rng: &mut Rng, i: usize, users: usize, companies: usize, t0: DateTime<Utc>) -> SeedLead {
    let kind = if rng.chance(0.4) {
        LeadKind::Prospect
    } else {
        LeadKind::Lead
    };
    let status = status(rng);
    let created_at = created(rng, t0);
    let firm = rng
        .chance(0.9)
        .then(|| rng.below(companies as u64) as usize);
    let need = rng.pick(NEEDS);
    let mut lead = SeedLead {
        kind,
        title: match firm {
            Some(c) => format!("{}: {need}", company(c).name),
            None => format!("Private inquiry: {need}"),
        },
        status,
        step: step(rng, kind),
        source: source(rng, kind),
        owner: user_email(rng.below(users as u64) as usize),
        company: firm,
        contact: contact(rng, i, firm),
        created_at,
        last_activity_at: created_at,
        standby_until: None,
        close_reason: (matches!(status, LeadStatus::Lost | LeadStatus::Cancelled))
            .then(|| "went with a competitor".to_string()),
        actions: Vec::new(),
        timeline: Vec::new(),
        replied_at: None,
    };
    history(rng, &mut lead, i, need, t0);
    actions(rng, &mut lead, t0);
    lead
}

fn status(rng: &mut Rng) -> LeadStatus {
    const STATUSES: [LeadStatus; 5] = [
        LeadStatus::Todo,
        LeadStatus::Standby,
        LeadStatus::Won,
        LeadStatus::Lost,
        LeadStatus::Cancelled,
    ];
    STATUSES[rng.weighted([62u32, 8, 12, 12, 6].into_iter())]
}

/// 2 % in the last 20 hours (new since yesterday's digest), else up to 400 days ago.
fn created(rng: &mut Rng, t0: DateTime<Utc>) -> DateTime<Utc> {
    if rng.chance(0.02) {
        t0 - Duration::minutes(rng.range(10, 20 * 60) as i64)
    } else {
        t0 - Duration::minutes(rng.range(24 * 60, 400 * 24 * 60) as i64)
    }
}

fn step(rng: &mut Rng, kind: LeadKind) -> Option<String> {
    match kind {
        LeadKind::Prospect => rng.chance(0.3).then(|| "Contacted".to_string()),
        LeadKind::Lead => rng.chance(0.6).then(|| rng.pick(STEPS).to_string()),
    }
}

fn source(rng: &mut Rng, kind: LeadKind) -> String {
    if kind == LeadKind::Prospect {
        return "bcc".into();
    }
    let sources = [
        "forward",
        "form:website-form",
        "partner:Northwind Referrals",
        "direct",
    ];
    sources[rng.weighted([45u32, 25, 15, 15].into_iter())].into()
}

fn contact(rng: &mut Rng, i: usize, company: Option<usize>) -> SeedContact {
    let first = rng.pick(FIRST);
    let last = rng.pick(LAST);
    let domain = company
        .and_then(|c| self::company(c).domain)
        .unwrap_or_else(|| "mail.example".into());
    SeedContact {
        name: Some(format!("{first} {last}")),
        email: format!(
            "{}.{}.{i}@{domain}",
            first.to_lowercase(),
            last.to_lowercase()
        ),
        phone: rng.chance(0.7).then(|| {
            format!(
                "+351 9{:02} {:03} {:03}",
                rng.below(100),
                rng.below(1000),
                rng.below(1000)
            )
        }),
        title: rng.chance(0.5).then(|| {
            rng.pick(&["Head of Operations", "CTO", "Buyer", "Office Manager"])
                .to_string()
        }),
    }
}

/// The timeline: the first contact (their inquiry, or the rep's cold mail),
/// then up to four exchanges; sets the last activity and the reply flag.
fn history(rng: &mut Rng, lead: &mut SeedLead, i: usize, need: &str, t0: DateTime<Utc>) {
    let (kind, subject) = match lead.kind {
        LeadKind::Lead => (TimelineKind::EmailIn, format!("Inquiry: {need}")),
        LeadKind::Prospect => (TimelineKind::EmailOut, format!("Introducing our {need}")),
    };
    push_entry(rng, lead, kind, subject, lead.created_at, i);
    let span = (t0 - lead.created_at).num_minutes().max(1) as u64;
    // Mostly active within the last two weeks, some quiet for longer.
    let quiet = if rng.chance(0.8) { 14 * 24 * 60 } else { span };
    let exchanges = if rng.chance(0.85) { rng.range(1, 4) } else { 0 };
    let mut at = lead.created_at;
    for _ in 0..exchanges {
        let back = rng.below(quiet.min(span)) as i64;
        at = at.max(t0 - Duration::minutes(back));
        let kind = rng.pick(&[
            TimelineKind::EmailOut,
            TimelineKind::EmailIn,
            TimelineKind::Note,
        ]);
        push_entry(rng, lead, kind, format!("Re: {need}"), at, i);
    }
    if lead.kind == LeadKind::Prospect && lead.status == LeadStatus::Todo && rng.chance(0.08) {
        let back = rng.below(span.min(3 * 24 * 60)) as i64;
        let replied = t0 - Duration::minutes(back);
        push_entry(
            rng,
            lead,
            TimelineKind::EmailIn,
            format!("Re: Introducing our {need}"),
            replied,
            i,
        );
        lead.replied_at = Some(replied);
    }
}

fn push_entry(
    rng: &mut Rng,
    lead: &mut SeedLead,
    kind: TimelineKind,
    subject: String,
    at: DateTime<Utc>,
    i: usize,
) {
    let n = lead.timeline.len();
    let body = (0..rng.range(1, 3))
        .map(|_| rng.pick(SENTENCES))
        .collect::<Vec<_>>()
        .join(" ");
    let mail = matches!(kind, TimelineKind::EmailIn | TimelineKind::EmailOut);
    lead.timeline.push(SeedEntry {
        kind,
        occurred_at: at,
        actor: Some(if kind == TimelineKind::EmailIn {
            lead.contact.email.clone()
        } else {
            lead.owner.clone()
        }),
        subject,
        body,
        message_key: mail.then(|| format!("seed-{i}-{n}@bench.example")),
    });
    lead.last_activity_at = lead.last_activity_at.max(at);
}

/// Done actions in the past; an open one for open leads (some leads have
/// none): 15 % overdue, 10 % due today, the rest later; standby waits.
fn actions(rng: &mut Rng, lead: &mut SeedLead, t0: DateTime<Utc>) {
    let settled = lead.created_at < t0 - Duration::days(2);
    for _ in 0..if settled { rng.below(3) } else { 0 } {
        let due = lead.created_at + Duration::hours(rng.range(24, 240) as i64);
        let done = due.min(t0);
        lead.actions
            .push(action(rng, due, lead.created_at, Some((done, "done"))));
    }
    let due = match lead.status {
        LeadStatus::Todo if lead.kind == LeadKind::Lead && rng.chance(0.05) => return,
        LeadStatus::Todo => todo_due(rng, t0),
        LeadStatus::Standby => {
            let until = t0 + Duration::days(rng.range(5, 60) as i64);
            lead.standby_until = Some(until);
            until
        }
        _ => return,
    };
    let set = lead.last_activity_at;
    lead.actions.push(action(rng, due, set, None));
}

fn todo_due(rng: &mut Rng, t0: DateTime<Utc>) -> DateTime<Utc> {
    let days = match rng.weighted([15u32, 10, 75].into_iter()) {
        0 => -(rng.range(1, 20) as i64),
        1 => 0,
        _ => rng.range(1, 45) as i64,
    };
    // Working hours: 09:00 to 17:00 UTC.
    t0 + Duration::days(days) + Duration::hours(rng.range(3, 11) as i64)
}

fn action(
    rng: &mut Rng,
    due_at: DateTime<Utc>,
    created_at: DateTime<Utc>,
    done: Option<(DateTime<Utc>, &'static str)>,
) -> SeedAction {
    let kind = rng.pick(ACTIONS);
    SeedAction {
        kind: kind.to_string(),
        note: rng
            .pick(&[
                "send the proposal",
                "confirm the demo date",
                "ask about budget",
                "check in",
            ])
            .to_string(),
        due_at,
        created_at,
        done,
    }
}
