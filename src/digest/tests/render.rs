//! Subject, text part, HTML part and escaping.

use super::*;
use crate::digest::content::build;
use crate::digest::model::DigestQuarantined;
use crate::digest::render_html::breakable;
use crate::digest::render_text::{wrap, wrap_list, WIDTH};
use crate::digest::{render, words};
use crate::domain::QuarantineReason;

const HOSTILE: &str = "<script>alert(\"x\")</script> & 'quotes' <img src=x onerror=alert(1)>";

fn busy_input() -> DigestInput {
    let mut leads = vec![
        lead_due(1, "2026-11-20T09:00:00Z"),
        lead_due(2, "2026-11-21T09:00:00Z"),
        lead_due(3, "2026-11-22T09:00:00Z"),
    ];
    for id in 4..9 {
        leads.push(lead_due(id, "2026-11-23T14:00:00Z"));
    }
    for id in 9..11 {
        leads.push(DigestLead {
            created_at: monday_morning() - Duration::hours(3),
            filed_at: None,
            source: "partner:Northwind".into(),
            ..lead_due(id, "2026-11-24T09:00:00Z")
        });
    }
    input(leads)
}

fn hostile_input() -> DigestInput {
    let long_word = "x".repeat(500);
    let mut input = input(vec![DigestLead {
        title: format!("{HOSTILE} {long_word}"),
        company: Some("Tom & Jerry \"Ltd\"".into()),
        contact_name: Some("<b>Mallory</b>".into()),
        last_activity: Some(DigestActivity {
            kind: TimelineKind::EmailIn,
            subject: format!("Re: {HOSTILE}\nInjected: header"),
        }),
        ..lead_due(66, "2026-11-20T09:00:00Z")
    }]);
    input.quarantined = vec![DigestQuarantined {
        id: 3,
        from: Some("\"Evil <script>\" <evil@bad.test>".into()),
        subject: HOSTILE.into(),
        reason: QuarantineReason::UnknownSender,
        detail: "a".repeat(300),
        at: utc("2026-11-22T10:00:00Z"),
    }];
    input
}

#[test]
fn the_subject_counts_overdue_today_and_new_leads() {
    let digest = build(&busy_input(), 14);
    assert_eq!(
        words::subject(&digest),
        "Your day: 3 overdue, 5 today, 2 new leads"
    );
}

#[test]
fn the_subject_leaves_out_zero_parts_and_speaks_singular() {
    let new_one = DigestLead {
        created_at: monday_morning() - Duration::hours(1),
        filed_at: None,
        ..lead_due(1, "2026-11-30T09:00:00Z")
    };
    let digest = build(&input(vec![new_one]), 14);
    assert_eq!(words::subject(&digest), "Your day: 1 new lead");
}

#[test]
fn an_empty_or_quiet_digest_has_a_calm_subject() {
    assert_eq!(
        words::subject(&build(&input(Vec::new()), 14)),
        "Your day: all clear"
    );
    let digest = build(&input(vec![lead(1)]), 14);
    assert_eq!(
        words::subject(&digest),
        "Your day: nothing due today, 1 to review"
    );
}

#[test]
fn the_text_part_lists_each_section_with_ids_and_local_dates() {
    let digest = build(&busy_input(), 14);
    let text = render(&digest).text;
    assert!(
        text.starts_with("leadmail digest · Mon 23 Nov 2026 · Alice Martins\n"),
        "{text}"
    );
    assert!(
        text.contains("OVERDUE (3)\n-----------\n#1 Lead 1 · Globex\n"),
        "{text}"
    );
    assert!(
        text.contains("    call: ask about budget · due Fri 20 Nov, 09:00 (3 days late)\n"),
        "{text}"
    );
    assert!(
        text.contains("    Jane Doe · jane@globex.test · +351 912 345 678\n"),
        "{text}"
    );
    assert!(
        text.contains("    last: mail in, Sat 21 Nov, 07:30 — Re: pricing\n"),
        "{text}"
    );
    assert!(text.contains("DUE TODAY (5)"), "{text}");
    assert!(
        text.contains("    call: ask about budget · due today 14:00\n"),
        "{text}"
    );
    assert!(text.contains("NEW LEADS AND REFERRALS (2)"), "{text}");
    assert!(
        text.contains("referral from Northwind · came in Mon 23 Nov, 04:30"),
        "{text}"
    );
    assert!(text.contains("done 12 · snooze 12 2d"), "{text}");
}

#[test]
fn dates_are_shown_in_the_user_s_time_zone() {
    let mut input = input(vec![lead_due(1, "2026-11-23T19:00:00Z")]);
    input.user = user(Role::User, chrono_tz::America::New_York);
    input.now = utc("2026-11-23T12:30:00Z");
    let text = render(&build(&input, 14)).text;
    assert!(text.contains("due today 14:00"), "{text}");
}

#[test]
fn every_text_line_fits_in_78_columns_even_with_a_500_character_word() {
    let text = render(&build(&hostile_input(), 14)).text;
    for line in text.lines() {
        assert!(
            line.chars().count() <= WIDTH,
            "{} chars: {line}",
            line.chars().count()
        );
    }
    assert!(
        !text.contains("\nInjected: header"),
        "line breaks from data are flattened"
    );
}

#[test]
fn wrapping_keeps_words_whole_and_indents_continuations() {
    let text = "word ".repeat(30);
    let lines = wrap(&text, "    ", "      ");
    assert!(lines.len() > 1);
    assert!(lines[0].starts_with("    word"));
    assert!(lines[1].starts_with("      word"));
    assert!(lines.iter().all(|l| l.len() <= WIDTH && !l.ends_with(' ')));
}

#[test]
fn the_reply_help_breaks_between_commands_only() {
    let text = render(&build(&input(Vec::new()), 14)).text;
    let help: Vec<&str> = text.lines().skip_while(|l| *l != "-- ").skip(2).collect();
    assert_eq!(
        help,
        [
            "  done 12 · snooze 12 2d · next 12 friday call back · won 12 · lost 12 reason",
            "  step 12 Proposal · convert 12 · cancel 12",
        ]
    );
}

#[test]
fn the_html_part_escapes_everything_that_came_from_mail() {
    let html = render(&build(&hostile_input(), 14)).html;
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("<b>Mallory"), "{html}");
    assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 'quotes'"));
    assert!(html.contains("Tom &amp; Jerry &quot;Ltd&quot;"), "{html}");
    assert!(
        html.contains("&quot;Evil &lt;script&gt;&quot; &lt;evil@bad.test&gt;"),
        "{html}"
    );
}

#[test]
fn the_html_part_fetches_nothing_and_breaks_long_words() {
    let html = render(&build(&hostile_input(), 14)).html;
    for external in [
        "http://", "https://", "<link", "<style", "url(", "<iframe", "<object",
    ] {
        assert!(!html.contains(external), "{external} in {html}");
    }
    assert!(html.contains(&format!("{}<wbr>", "x".repeat(30))));
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        html.contains("<title>Your day: 1 overdue</title>"),
        "{html}"
    );
}

#[test]
fn the_html_part_shows_sections_and_the_team_table() {
    let mut input = busy_input();
    input.user.role = Role::TeamLead;
    input.team_counts = vec![rep("Bruno <b>", 2)];
    let html = render(&build(&input, 14)).html;
    assert!(html.contains(">Overdue (3)</h2>"), "{html}");
    assert!(html.contains(">Due today (5)</h2>"), "{html}");
    assert!(html.contains(">Your team (1)</h2>"), "{html}");
    assert!(html.contains(
        "<td style=\"padding:4px 8px;border-bottom:1px solid #e1e4e8;\">Bruno &lt;b&gt;</td>"
    ));
    assert!(html.contains("#1 Lead 1 · Globex"), "{html}");
}

#[test]
fn the_text_part_aligns_the_team_table() {
    let mut input = input(Vec::new());
    input.user.role = Role::Admin;
    input.team_counts = vec![rep("Bruno", 12), rep("Carla", 0)];
    let text = render(&build(&input, 14)).text;
    assert!(text.contains("YOUR TEAM (2)"), "{text}");
    let bruno = text.lines().find(|l| l.starts_with("Bruno")).unwrap();
    let carla = text.lines().find(|l| l.starts_with("Carla")).unwrap();
    assert_eq!(bruno.len(), carla.len());
    assert!(bruno.contains("      12 "), "{bruno}");
}

#[test]
fn an_empty_digest_says_so_in_both_parts() {
    let rendered = render(&build(&input(Vec::new()), 14));
    assert!(rendered.text.contains("Nothing due and nothing new."));
    assert!(rendered.html.contains("Nothing due and nothing new."));
    assert!(!rendered.text.contains("OVERDUE"));
}

#[test]
fn a_list_item_wider_than_a_line_gets_a_line_of_its_own() {
    let long = "y".repeat(90);
    let lines = wrap_list(["a", long.as_str(), "b"], "");
    assert_eq!(lines, ["a".to_string(), long.clone(), "b".to_string()]);
}

#[test]
fn breakable_text_is_escaped_with_control_characters_blanked_and_long_words_cut() {
    let markup = |text: &str| breakable(text).into_string();
    assert_eq!(markup("a<b>&\"c'\u{7}"), "a&lt;b&gt;&amp;&quot;c' ");
    assert_eq!(markup("short words stay"), "short words stay");
    let long = format!("{} {}", "é".repeat(61), "x".repeat(30));
    let expected = format!(
        "{e}<wbr>{e}<wbr>é {x}<wbr>",
        e = "é".repeat(30),
        x = "x".repeat(30)
    );
    assert_eq!(markup(&long), expected);
}

#[test]
fn with_a_web_app_each_lead_links_to_its_page_and_without_one_nothing_does() {
    let mut digest = build(&busy_input(), 14);
    let plain = render(&digest);
    assert!(!plain.html.contains("/leads/") && !plain.text.contains("/leads/"));
    digest.lead_links = Some("https://crm.acme.test".into());
    let linked = render(&digest);
    assert!(linked
        .html
        .contains("<a href=\"https://crm.acme.test/leads/1\""));
    assert!(linked.text.contains("    https://crm.acme.test/leads/1\n"));
}
