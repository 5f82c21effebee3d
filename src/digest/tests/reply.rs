//! Reply commands and the confirmation mail (the reply's quoted history
//! stripped first, as the pipeline's digest-reply route does).

use super::utc;
use crate::commands::note::CommandContext;
use crate::commands::reply::{parse_reply, ParsedReply, ReplyAction, ReplyCommand};
use crate::config::tests::sample_settings;
use crate::config::Settings;
use crate::digest::confirmation::render_confirmation;
use crate::domain::schedule::WorkCalendar;
use crate::domain::LeadStatus;
use crate::ingest::plan::NextActionDraft;
use chrono::NaiveTime;

/// Reads `body` as Alice's reply of Monday 23 November 2026, 10:00 Lisbon.
fn parse(body: &str) -> ParsedReply {
    let settings: Settings = sample_settings();
    let ctx = CommandContext {
        settings: &settings,
        calendar: WorkCalendar {
            time_zone: chrono_tz::Europe::Lisbon,
            workday_start: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
        },
        reference: utc("2026-11-23T10:00:00Z"),
    };
    parse_reply(&crate::ingest::quote::strip_quoted(body), &ctx)
}

fn actions(parsed: &ParsedReply) -> Vec<(i64, ReplyAction)> {
    parsed
        .commands
        .iter()
        .map(|c| (c.lead_id, c.action.clone()))
        .collect()
}

fn closed(status: LeadStatus, reason: Option<&str>) -> ReplyAction {
    ReplyAction::Status {
        status,
        until: None,
        reason: reason.map(str::to_string),
    }
}

#[test]
fn every_command_word_is_read_in_any_case_with_bullets() {
    let body = "done 12\nSnooze #13 2d\n- next 14 friday call back\n* WON 15\n\
                • lost 16 too expensive\n1. step 17 proposal\n2) status 18 standby until monday\n\
                convert 19\ncancel 20 not a fit";
    let parsed = parse(body);
    assert_eq!(parsed.not_understood, Vec::<String>::new());
    let next = NextActionDraft {
        due_at: utc("2026-11-27T09:00:00Z"),
        kind: "call".into(),
        note: "call back".into(),
    };
    assert_eq!(
        actions(&parsed),
        vec![
            (12, ReplyAction::Done),
            (
                13,
                ReplyAction::Snooze {
                    until: utc("2026-11-25T09:00:00Z")
                }
            ),
            (14, ReplyAction::Next(next)),
            (15, closed(LeadStatus::Won, None)),
            (16, closed(LeadStatus::Lost, Some("too expensive"))),
            (
                17,
                ReplyAction::Step {
                    step: "Proposal".into()
                }
            ),
            (
                18,
                ReplyAction::Status {
                    status: LeadStatus::Standby,
                    until: Some(utc("2026-11-30T09:00:00Z")),
                    reason: None
                }
            ),
            (19, ReplyAction::Convert),
            (20, closed(LeadStatus::Cancelled, Some("not a fit"))),
        ]
    );
    assert_eq!(parsed.commands[2].line, "next 14 friday call back");
}

#[test]
fn the_quoted_digest_below_the_reply_is_not_read() {
    let body = "done 12\n\nOn Mon, 23 Nov 2026 at 07:30, leadmail <crm@acme.test> wrote:\n\
                > leadmail digest · Mon 23 Nov 2026 · Alice Martins\n> done 12 · snooze 12 2d\n\
                > won 99\n";
    assert_eq!(actions(&parse(body)), vec![(12, ReplyAction::Done)]);
}

#[test]
fn quoted_lines_a_signature_and_an_unquoted_digest_end_the_commands() {
    let quoted = parse("> won 98\ndone 12");
    assert_eq!(actions(&quoted), vec![(12, ReplyAction::Done)]);
    let signed = parse("done 12\n-- \nAlice\nwon 97");
    assert_eq!(actions(&signed), vec![(12, ReplyAction::Done)]);
    let pasted = parse("done 12\nleadmail digest · Mon 23 Nov 2026 · Alice\nwon 96");
    assert_eq!(actions(&pasted), vec![(12, ReplyAction::Done)]);
}

#[test]
fn prose_is_ignored_and_failed_attempts_are_reported_with_a_reason() {
    let body = "Thanks, great digest!\nSent from my iPhone\ndone twelve\nstep 12 Banana\n\
                snooze 12 someday\nfinish 12\nnext 12 whenever call\nwon";
    let parsed = parse(body);
    assert!(parsed.commands.is_empty(), "{parsed:?}");
    let reported = &parsed.not_understood;
    assert_eq!(reported.len(), 6, "{reported:?}");
    assert!(
        reported[0].starts_with("\"done twelve\": which lead?"),
        "{reported:?}"
    );
    assert!(
        reported[1].starts_with("\"step 12 Banana\": no step \"Banana\""),
        "{reported:?}"
    );
    assert!(reported[1].contains("Contacted, Demo, Proposal, Negotiation"));
    assert!(reported[2].starts_with("\"snooze 12 someday\": snooze until when?"));
    assert!(reported[3].starts_with("\"finish 12\": unknown command \"finish\""));
    assert!(
        reported[4].starts_with("\"next 12 whenever call\": no date"),
        "{reported:?}"
    );
    assert!(reported[5].starts_with("\"won\": which lead?"));
}

#[test]
fn the_confirmation_lists_what_was_applied_and_what_was_not() {
    let parsed = parse("done 12\nsnooze 13 2d\nlost 16 too expensive\nstep 12 Banana");
    let (subject, text) = render_confirmation(
        &parsed.commands,
        &parsed.not_understood,
        chrono_tz::Europe::Lisbon,
        utc("2026-11-23T10:00:00Z"),
    );
    assert_eq!(subject, "leadmail: 3 changes applied, 1 not understood");
    assert!(
        text.contains("Applied:\n  - #12: next action done\n"),
        "{text}"
    );
    assert!(
        text.contains("  - #13: next action moved to Wed 25 Nov, 09:00\n"),
        "{text}"
    );
    assert!(
        text.contains("  - #16: marked lost (too expensive)\n"),
        "{text}"
    );
    assert!(
        text.contains("Not understood (nothing was changed for these):\n  - \"step 12 Banana\"")
    );
    assert!(text.lines().all(|l| l.chars().count() <= 78), "{text}");
}

#[test]
fn a_confirmation_without_commands_says_nothing_changed() {
    let none: [ReplyCommand; 0] = [];
    let (subject, text) = render_confirmation(
        &none,
        &[],
        chrono_tz::Europe::Lisbon,
        utc("2026-11-23T10:00:00Z"),
    );
    assert_eq!(subject, "leadmail: no commands found in your reply");
    assert!(text.contains("nothing was changed"), "{text}");
    let (subject, _) = render_confirmation(
        &none,
        &["\"x 1\": unknown".to_string()],
        chrono_tz::Europe::Lisbon,
        utc("2026-11-23T10:00:00Z"),
    );
    assert_eq!(subject, "leadmail: nothing applied, 1 not understood");
}

#[test]
fn a_reply_gives_at_most_fifty_commands_and_a_long_line_is_refused_short() {
    let body = format!(
        "lost 12 {}\n{}",
        "x".repeat(1_000_000),
        "done 12\n".repeat(30_000)
    );
    let parsed = parse(&body);
    assert_eq!(parsed.commands.len(), 49, "the long line counts as one");
    let reported = &parsed.not_understood;
    assert_eq!(reported.len(), 2, "{reported:?}");
    assert!(reported[0].starts_with("\"lost 12 xxx") && reported[0].len() < 200);
    assert!(reported[0].ends_with("too long (1000008 bytes; a command holds at most 1000)"));
    assert_eq!(
        reported[1],
        "29951 more lines not read: at most 50 commands per mail"
    );
    let tz = chrono_tz::Europe::Lisbon;
    let (_, text) =
        render_confirmation(&parsed.commands, reported, tz, utc("2026-11-23T10:00:00Z"));
    assert!(text.len() < 20_000, "confirmation of {} bytes", text.len());
}
