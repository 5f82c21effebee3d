//! The calendar feed, pure: a user's open next actions as RFC 5545 events
//! in their time zone (with the zone's VTIMEZONE, its transitions worked
//! out from the tz database), one stable UID per lead and a SEQUENCE that
//! grows with every change, each linking to the lead's page.

use crate::store::FeedAction;
use chrono::{DateTime, Duration, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

/// How long an event lasts in the calendar.
const EVENT_MINUTES: i64 = 30;
/// Longest content line in octets before folding (RFC 5545 §3.1).
const FOLD_AT: usize = 75;

/// What the feed is for.
#[derive(Debug, Clone, Copy)]
pub struct FeedOwner<'a> {
    /// The user's name (the calendar's name).
    pub name: &'a str,
    /// Their zone: every time is written in it.
    pub zone: Tz,
    /// `[web] base_url`, for each event's link.
    pub base_url: &'a str,
    /// The domain that makes the UIDs unique (the sender's).
    pub domain: &'a str,
}

/// The whole `.ics` text, CRLF line ends, folded.
pub fn feed(owner: &FeedOwner<'_>, actions: &[FeedAction], now: DateTime<Utc>) -> String {
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".into(),
        "PRODID:-//leadmail//web app//EN".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        format!(
            "X-WR-CALNAME:{}",
            text(&format!("leadmail: {}", owner.name))
        ),
        format!("X-WR-TIMEZONE:{}", owner.zone.name()),
    ];
    lines.extend(vtimezone(owner.zone, span(actions, now)));
    for action in actions {
        lines.extend(event(owner, action, now));
    }
    lines.push("END:VCALENDAR".into());
    lines.iter().map(|line| fold(line)).collect()
}

/// The years the events fall in (and the current one), for the zone's rules.
fn span(actions: &[FeedAction], now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let dues = actions.iter().map(|a| a.due_at).chain([now]);
    let first = dues.clone().min().unwrap_or(now) - Duration::days(366);
    let last = dues.max().unwrap_or(now) + Duration::days(366);
    (first, last)
}

fn event(owner: &FeedOwner<'_>, action: &FeedAction, now: DateTime<Utc>) -> Vec<String> {
    let url = format!("{}/leads/{}", owner.base_url, action.lead_id);
    let summary = format!("{}: {} · {}", action.kind, action.note, action.title);
    vec![
        "BEGIN:VEVENT".into(),
        format!("UID:lead-{}@{}", action.lead_id, owner.domain),
        format!("DTSTAMP:{}", utc_stamp(now)),
        format!("LAST-MODIFIED:{}", utc_stamp(action.set_at)),
        format!("SEQUENCE:{}", action.revision),
        start(action.due_at, owner.zone),
        format!("DURATION:PT{EVENT_MINUTES}M"),
        format!("SUMMARY:{}", text(&summary)),
        format!(
            "DESCRIPTION:{}",
            text(&format!("Lead #{} {}\n{url}", action.lead_id, action.title))
        ),
        format!("URL:{url}"),
        "END:VEVENT".into(),
    ]
}

/// `20261123T110000Z`.
fn utc_stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// The DTSTART of an event at `at`: the wall-clock time in `zone` with its
/// TZID, unless a calendar would read that wall-clock time as another
/// instant. RFC 5545 (§3.3.5) takes a local time that a fall-back repeats
/// as its first occurrence, so an instant in the repeated hour's second
/// pass (which a rep whose zone changed, or a handed-over lead, can have)
/// is written in UTC instead, which every reader places right.
fn start(at: DateTime<Utc>, zone: Tz) -> String {
    let local = at.with_timezone(&zone).naive_local();
    let read_back = zone
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.timestamp());
    if read_back == Some(at.timestamp()) {
        format!(
            "DTSTART;TZID={}:{}",
            zone.name(),
            local.format("%Y%m%dT%H%M%S")
        )
    } else {
        format!("DTSTART:{}", utc_stamp(at))
    }
}

/// A TEXT value: backslash, `;`, `,` and newlines escaped, other control
/// characters dropped (RFC 5545 §3.3.11).
pub fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// One content line, folded at 75 octets on character boundaries, CRLF-ended.
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > FOLD_AT {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
    out
}

/// A change of the zone's offset: when, from, to, and whether daylight time starts.
#[derive(Debug, Clone, PartialEq)]
struct Transition {
    at: DateTime<Utc>,
    from: i32,
    to: i32,
    daylight: bool,
    name: String,
}

/// The zone's offset changes between `first` and `last`, found hour by
/// hour and then to the minute (every zone changes on a whole minute).
fn transitions(zone: Tz, (first, last): (DateTime<Utc>, DateTime<Utc>)) -> Vec<Transition> {
    let offset = |at: DateTime<Utc>| {
        zone.offset_from_utc_datetime(&at.naive_utc())
            .fix()
            .local_minus_utc()
    };
    let mut found = Vec::new();
    let mut at = Utc
        .timestamp_opt(first.timestamp() / 3600 * 3600, 0)
        .single()
        .unwrap_or(first);
    while at < last {
        let next = at + Duration::hours(1);
        if offset(next) != offset(at) {
            let change = (1..=60)
                .map(|m| at + Duration::minutes(m))
                .find(|t| offset(*t) != offset(at))
                .unwrap_or(next);
            let after = zone.offset_from_utc_datetime(&change.naive_utc());
            found.push(Transition {
                at: change,
                from: offset(at),
                to: offset(change),
                daylight: !after.dst_offset().is_zero(),
                name: after.abbreviation().unwrap_or("").to_string(),
            });
        }
        at = next;
    }
    found
}

/// `+0100` for 3600 seconds.
fn utc_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.abs() / 60;
    format!("{sign}{:02}{:02}", minutes / 60, minutes % 60)
}

/// The VTIMEZONE of `zone` over `span`: each transition as its own
/// STANDARD or DAYLIGHT part; a zone without any gets one STANDARD part.
fn vtimezone(zone: Tz, span: (DateTime<Utc>, DateTime<Utc>)) -> Vec<String> {
    let mut lines = vec![
        "BEGIN:VTIMEZONE".to_string(),
        format!("TZID:{}", zone.name()),
    ];
    let changes = transitions(zone, span);
    if changes.is_empty() {
        let now = zone.offset_from_utc_datetime(&span.0.naive_utc());
        let fixed = now.fix().local_minus_utc();
        lines.extend(part(
            "STANDARD",
            "19700101T000000",
            fixed,
            fixed,
            now.abbreviation().unwrap_or(""),
        ));
    }
    for change in &changes {
        let onset = (change.at + Duration::seconds(i64::from(change.from)))
            .format("%Y%m%dT%H%M%S")
            .to_string();
        let kind = if change.daylight {
            "DAYLIGHT"
        } else {
            "STANDARD"
        };
        lines.extend(part(kind, &onset, change.from, change.to, &change.name));
    }
    lines.push("END:VTIMEZONE".into());
    lines
}

fn part(kind: &str, onset: &str, from: i32, to: i32, name: &str) -> Vec<String> {
    let mut lines = vec![
        format!("BEGIN:{kind}"),
        format!("DTSTART:{onset}"),
        format!("TZOFFSETFROM:{}", utc_offset(from)),
        format!("TZOFFSETTO:{}", utc_offset(to)),
    ];
    if !name.is_empty() && !name.starts_with(['+', '-']) {
        lines.push(format!("TZNAME:{}", text(name)));
    }
    lines.push(format!("END:{kind}"));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn action(lead_id: i64, due: &str, revision: i64) -> FeedAction {
        FeedAction {
            lead_id,
            title: "Pricing, for 40; seats".into(),
            kind: "call".into(),
            note: "ask about budget\nand timing".into(),
            due_at: utc(due),
            set_at: utc("2026-11-23T10:00:00Z"),
            revision,
        }
    }

    fn owner() -> FeedOwner<'static> {
        FeedOwner {
            name: "Alice Martins",
            zone: chrono_tz::Europe::Lisbon,
            base_url: "https://crm.acme.test",
            domain: "acme.test",
        }
    }

    #[test]
    fn an_event_has_a_stable_uid_its_sequence_local_time_and_link() {
        let ics = feed(
            &owner(),
            &[action(12, "2026-11-24T09:00:00Z", 2)],
            utc("2026-11-23T11:00:00Z"),
        );
        let unfolded = ics.replace("\r\n ", "");
        for line in [
            "UID:lead-12@acme.test",
            "SEQUENCE:2",
            "DTSTART;TZID=Europe/Lisbon:20261124T090000",
            "URL:https://crm.acme.test/leads/12",
            "SUMMARY:call: ask about budget\\nand timing · Pricing\\, for 40\\; seats",
            "DTSTAMP:20261123T110000Z",
        ] {
            assert!(
                unfolded.contains(&format!("{line}\r\n")),
                "{line} in\n{unfolded}"
            );
        }
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.ends_with("END:VCALENDAR\r\n"));
    }

    #[test]
    fn summer_time_is_written_as_the_local_wall_clock() {
        let ics = feed(
            &owner(),
            &[action(1, "2027-07-01T08:00:00Z", 0)],
            utc("2026-11-23T11:00:00Z"),
        );
        assert!(
            ics.contains("DTSTART;TZID=Europe/Lisbon:20270701T090000"),
            "{ics}"
        );
    }

    #[test]
    fn the_vtimezone_lists_lisbons_changes_with_their_offsets() {
        let span = (utc("2026-11-01T00:00:00Z"), utc("2027-12-01T00:00:00Z"));
        let changes = transitions(chrono_tz::Europe::Lisbon, span);
        assert_eq!(changes.len(), 2, "{changes:?}");
        assert_eq!(changes[0].at, utc("2027-03-28T01:00:00Z"));
        assert_eq!(
            (changes[0].from, changes[0].to, changes[0].daylight),
            (0, 3600, true)
        );
        assert_eq!(changes[1].at, utc("2027-10-31T01:00:00Z"));
        let lines = vtimezone(chrono_tz::Europe::Lisbon, span);
        assert!(
            lines.contains(&"DTSTART:20270328T010000".to_string()),
            "{lines:?}"
        );
        assert!(
            lines.contains(&"DTSTART:20271031T020000".to_string()),
            "{lines:?}"
        );
        assert!(lines.contains(&"TZOFFSETTO:+0100".to_string()));
    }

    /// The DTSTART line of an event at `due` in `zone`'s feed.
    fn dtstart(zone: Tz, due: &str) -> String {
        let owner = FeedOwner { zone, ..owner() };
        let ics = feed(&owner, &[action(1, due, 0)], utc("2026-11-23T11:00:00Z"));
        ics.lines()
            .skip_while(|l| *l != "BEGIN:VEVENT")
            .find(|l| l.starts_with("DTSTART"))
            .map(str::to_string)
            .expect("the event's DTSTART")
    }

    /// The instant a reader takes a DTSTART for: UTC as it is, a TZID's
    /// wall-clock time at its first occurrence (RFC 5545 §3.3.5).
    fn read(line: &str) -> DateTime<Utc> {
        let (params, value) = line.split_once(':').unwrap();
        if let Some(utc) = value.strip_suffix('Z') {
            let naive = chrono::NaiveDateTime::parse_from_str(utc, "%Y%m%dT%H%M%S").unwrap();
            return Utc.from_utc_datetime(&naive);
        }
        let zone: Tz = params.split_once("TZID=").unwrap().1.parse().unwrap();
        let naive = chrono::NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%S").unwrap();
        zone.from_local_datetime(&naive)
            .earliest()
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn on_berlin_time_changeover_days_the_wall_clock_has_that_instants_offset() {
        let berlin = chrono_tz::Europe::Berlin;
        for (due, line) in [
            // 28 March 2027: 02:00 CET is 03:00 CEST.
            (
                "2027-03-28T00:30:00Z",
                "DTSTART;TZID=Europe/Berlin:20270328T013000",
            ),
            (
                "2027-03-28T01:00:00Z",
                "DTSTART;TZID=Europe/Berlin:20270328T030000",
            ),
            (
                "2027-03-28T07:00:00Z",
                "DTSTART;TZID=Europe/Berlin:20270328T090000",
            ),
            // 31 October 2027: 03:00 CEST is 02:00 CET; 02:xx comes twice.
            (
                "2027-10-30T23:30:00Z",
                "DTSTART;TZID=Europe/Berlin:20271031T013000",
            ),
            (
                "2027-10-31T00:30:00Z",
                "DTSTART;TZID=Europe/Berlin:20271031T023000",
            ),
            (
                "2027-10-31T08:00:00Z",
                "DTSTART;TZID=Europe/Berlin:20271031T090000",
            ),
        ] {
            assert_eq!(dtstart(berlin, due), line, "{due}");
        }
        let span = (utc("2027-01-01T00:00:00Z"), utc("2028-01-01T00:00:00Z"));
        let lines = vtimezone(berlin, span).join("\n");
        for part in [
            "BEGIN:DAYLIGHT\nDTSTART:20270328T020000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nTZNAME:CEST",
            "BEGIN:STANDARD\nDTSTART:20271031T030000\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\nTZNAME:CET",
        ] {
            assert!(lines.contains(part), "{part} in\n{lines}");
        }
    }

    #[test]
    fn the_second_pass_of_a_repeated_hour_is_written_in_utc() {
        // 02:30 CET on 31 October 2027 (01:30 UTC), after 02:30 CEST: a
        // TZID'd 02:30 would be read as the first, an hour early.
        assert_eq!(
            dtstart(chrono_tz::Europe::Berlin, "2027-10-31T01:30:00Z"),
            "DTSTART:20271031T013000Z"
        );
        assert_eq!(
            dtstart(chrono_tz::America::New_York, "2027-11-07T06:30:00Z"),
            "DTSTART:20271107T063000Z",
            "01:30 EST, after 01:30 EDT"
        );
    }

    #[test]
    fn every_start_across_a_years_changes_reads_back_as_its_instant() {
        let zones = [
            chrono_tz::Europe::Lisbon,
            chrono_tz::Europe::Berlin,
            chrono_tz::America::New_York,
            chrono_tz::Australia::Sydney,
            chrono_tz::Australia::Lord_Howe,
            chrono_tz::Asia::Kolkata,
        ];
        for zone in zones {
            for change in transitions(
                zone,
                (utc("2027-01-01T00:00:00Z"), utc("2028-01-01T00:00:00Z")),
            ) {
                let mut at = change.at - Duration::hours(3);
                while at < change.at + Duration::hours(3) {
                    let line = dtstart(zone, &at.to_rfc3339());
                    assert_eq!(read(&line), at, "{zone}: {line}");
                    at += Duration::minutes(15);
                }
            }
        }
    }

    #[test]
    fn a_zone_without_changes_gets_one_standard_part() {
        let span = (utc("2026-01-01T00:00:00Z"), utc("2027-01-01T00:00:00Z"));
        let lines = vtimezone(chrono_tz::Asia::Kolkata, span);
        assert!(
            lines.contains(&"TZOFFSETFROM:+0530".to_string()),
            "{lines:?}"
        );
        assert_eq!(
            lines
                .iter()
                .filter(|l| l.starts_with("BEGIN:STANDARD"))
                .count(),
            1
        );
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_a_character() {
        let line = format!("SUMMARY:{}", "é".repeat(60));
        let folded = fold(&line);
        for part in folded.split("\r\n").filter(|p| !p.is_empty()) {
            assert!(part.len() <= 75, "{} octets", part.len());
        }
        assert_eq!(folded.replace("\r\n ", ""), format!("{line}\r\n"));
    }
}
