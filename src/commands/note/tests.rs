//! Tests of plus tags and note commands.

use super::*;
use crate::config::tests::sample_settings;
use chrono::NaiveTime;

fn ctx(settings: &Settings) -> CommandContext<'_> {
    CommandContext {
        settings,
        calendar: WorkCalendar {
            time_zone: chrono_tz::Europe::Lisbon,
            workday_start: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
        },
        // Monday 2026-11-23 10:00 Lisbon.
        reference: "2026-11-23T10:00:00Z".parse().unwrap(),
    }
}

fn utc(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

#[test]
fn a_plus_tag_sets_the_next_action_or_routes_to_a_lead() {
    let settings = sample_settings();
    let tags = vec!["3d".to_string(), "lead-42".to_string()];
    let (commands, routing) = commands_from_plus_tags(&tags, &ctx(&settings));
    assert_eq!(routing, Some(42));
    assert_eq!(commands.rejected, Vec::<String>::new());
    let Command::Next(next) = &commands.accepted[0] else {
        panic!("{commands:?}")
    };
    assert_eq!(next.due_at, utc("2026-11-26T09:00:00Z"));
    assert!(
        next.note.contains("+3d"),
        "the note says where it came from"
    );
}

#[test]
fn an_unreadable_plus_tag_is_reported_not_guessed() {
    let settings = sample_settings();
    let (commands, _) = commands_from_plus_tags(&["someday".to_string()], &ctx(&settings));
    assert!(commands.accepted.is_empty());
    assert!(commands.rejected[0].contains("someday"));
}

#[test]
fn only_crm_addresses_give_plus_tags() {
    let settings = sample_settings();
    let addresses: Vec<EmailAddress> = ["crm+tomorrow@acme.test", "jane+news@globex.test"]
        .iter()
        .map(|a| EmailAddress::parse(a).unwrap())
        .collect();
    assert_eq!(
        plus_tags(addresses.iter(), &settings),
        vec!["tomorrow".to_string()]
    );
}

#[test]
fn a_note_gives_tags_next_amount_step_status_and_owner() {
    let settings = sample_settings();
    let note = "Hot one! #enterprise #q1\nnext: friday 14:00 call about pricing\namount: 5.000 EUR\nstep: proposal\nstatus: standby until 2026-12-01\nowner: bruno@acme.test";
    let commands = commands_from_note(note, &ctx(&settings));
    assert_eq!(commands.rejected, Vec::<String>::new());
    let accepted = &commands.accepted;
    assert_eq!(
        accepted[0],
        Command::Tag {
            tag: "enterprise".into()
        }
    );
    assert_eq!(accepted[1], Command::Tag { tag: "q1".into() });
    assert_eq!(
        accepted[2],
        Command::Next(NextActionDraft {
            due_at: utc("2026-11-27T14:00:00Z"),
            kind: "call".into(),
            note: "call about pricing".into()
        })
    );
    assert_eq!(
        accepted[3],
        Command::Amount {
            value: 5000.0,
            currency: "EUR".into()
        }
    );
    assert_eq!(
        accepted[4],
        Command::Step {
            step: "Proposal".into()
        }
    );
    assert_eq!(
        accepted[5],
        Command::Status {
            status: LeadStatus::Standby,
            until: Some(utc("2026-12-01T09:00:00Z")),
            reason: None
        }
    );
    assert_eq!(
        accepted[6],
        Command::Owner {
            owner: EmailAddress::parse("bruno@acme.test").unwrap()
        }
    );
}

#[test]
fn bad_command_values_and_near_miss_keys_are_rejected_with_reasons() {
    let settings = sample_settings();
    let note =
        "step: Closing\nowner: mallory@evil.test\nnxt: tomorrow\nstatus: standby\namount: lots";
    let commands = commands_from_note(note, &ctx(&settings));
    assert!(commands.accepted.is_empty(), "{commands:?}");
    assert_eq!(commands.rejected.len(), 5, "{commands:?}");
    assert!(commands.rejected[0].contains("no step \"Closing\""));
    assert!(commands.rejected[1].contains("not a leadmail user"));
    assert!(commands.rejected[2].contains("unknown command \"nxt\""));
    assert!(commands.rejected[3].contains("reminder date"));
}

#[test]
fn ordinary_prose_with_a_colon_is_not_a_command() {
    let settings = sample_settings();
    let commands = commands_from_note("Note: they want a demo.\nPS: call soon", &ctx(&settings));
    assert_eq!(commands, Commands::default());
}

#[test]
fn amounts_in_several_notations() {
    assert_eq!(read_amount("€5,000").unwrap(), (5000.0, "EUR".into()));
    assert_eq!(read_amount("1.234,50 eur").unwrap(), (1234.5, "EUR".into()));
    assert_eq!(read_amount("$1200").unwrap(), (1200.0, "USD".into()));
    assert!(read_amount("5000").is_err());
}

#[test]
fn a_handed_over_lead_s_next_action_is_in_the_new_owner_s_time_zone() {
    let mut settings = sample_settings();
    settings.users[1].calendar.time_zone = chrono_tz::America::New_York;
    let new_owner = &settings.users[1];
    let note = "owner: bruno\nnext: friday 10:00 call";
    let commands = commands_from_note(note, &ctx(&settings));
    assert_eq!(commands.rejected, Vec::<String>::new());
    let Some(Command::Next(next)) = commands
        .accepted
        .iter()
        .find(|c| matches!(c, Command::Next(_)))
    else {
        panic!("{commands:?}")
    };
    let local = next.due_at.with_timezone(&new_owner.calendar.time_zone);
    assert_eq!(local.format("%a %H:%M").to_string(), "Fri 10:00");
    assert!(commands
        .accepted
        .iter()
        .any(|c| matches!(c, Command::Owner { owner } if owner == &new_owner.email)));
}

#[test]
fn an_owner_named_by_a_name_that_fits_nobody_is_reported() {
    let settings = sample_settings();
    let commands = commands_from_note("owner: zoe", &ctx(&settings));
    assert!(commands.accepted.is_empty());
    assert!(
        commands.rejected[0].contains("zoe"),
        "{:?}",
        commands.rejected
    );
}

#[test]
fn a_note_gives_at_most_fifty_commands_and_says_how_many_lines_were_not_read() {
    let settings = sample_settings();
    let note = "#hot\n".repeat(10_000);
    let commands = commands_from_note(&note, &ctx(&settings));
    assert_eq!(commands.accepted.len(), 50);
    assert_eq!(
        commands.rejected,
        vec!["9950 more lines not read: at most 50 commands per mail".to_string()]
    );
    let one_line = "#t ".repeat(300);
    let commands = commands_from_note(&one_line, &ctx(&settings));
    assert_eq!(commands.accepted.len(), 50);
    assert_eq!(
        commands.rejected,
        vec!["250 more commands not read: at most 50 per mail".to_string()]
    );
}

#[test]
fn every_text_a_note_command_stores_is_bounded() {
    let settings = sample_settings();
    let long = "x".repeat(1_000_000);
    let note = format!(
        "status: lost {long}\nnext: tomorrow call {long}\ntags: {}\namount: 5000000000000 EUR\nstatus: lost too pricey",
        "t".repeat(42)
    );
    let commands = commands_from_note(&note, &ctx(&settings));
    let reasons = &commands.rejected;
    assert_eq!(reasons.len(), 4, "{reasons:?}");
    assert!(reasons[0].starts_with("\"status: lost xxx") && reasons[0].len() < 200);
    assert!(reasons[0].ends_with("too long (1000013 bytes; a command holds at most 1000)"));
    assert!(
        reasons[1].contains("too long (1000020 bytes"),
        "{reasons:?}"
    );
    assert!(reasons[2].contains("a tag holds at most 41 characters"));
    assert!(reasons[3].contains("is not an amount"));
    let reason = Some("too pricey".to_string());
    assert!(matches!(&commands.accepted[..], [Command::Status { reason: r, .. }] if *r == reason));
}

#[test]
fn at_most_fifty_plus_tags_are_read() {
    let settings = sample_settings();
    let tags: Vec<String> = (1..=80).map(|n| format!("{n}d")).collect();
    let (commands, _) = commands_from_plus_tags(&tags, &ctx(&settings));
    assert_eq!(commands.accepted.len(), 50);
    assert_eq!(
        commands.rejected,
        vec!["30 more plus tags not read: at most 50 commands per mail".to_string()]
    );
}

#[test]
fn a_long_tag_keeps_its_first_forty_one_characters() {
    let settings = sample_settings();
    let long = format!("{}é{}", "a".repeat(39), "z".repeat(10));
    let note = format!("#{long} and #Überfällig-2 but not mid#word");
    let commands = commands_from_note(&note, &ctx(&settings));
    let tags: Vec<_> = commands
        .accepted
        .iter()
        .filter_map(|command| match command {
            Command::Tag { tag } => Some(tag.as_str()),
            _ => None,
        })
        .collect();
    let head = format!("{}éz", "a".repeat(39));
    assert_eq!(tags, [head.as_str(), "überfällig-2"]);
}
