//! Once per local day at `digest_at`, across DST changes and time zones.

use super::utc;
use crate::digest::schedule::{digest_instant, due_digest_date};
use chrono::{NaiveDate, NaiveTime};
use chrono_tz::America::New_York;
use chrono_tz::Asia::Tokyo;
use chrono_tz::Europe::Lisbon;

fn at(hour: u32, minute: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(hour, minute, 0).unwrap()
}

fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

#[test]
fn the_digest_is_due_at_digest_at_local_time_and_not_before() {
    let before = utc("2026-11-23T07:29:59Z");
    let on_time = utc("2026-11-23T07:30:00Z");
    assert_eq!(due_digest_date(Lisbon, at(7, 30), None, before), None);
    assert_eq!(
        due_digest_date(Lisbon, at(7, 30), None, on_time),
        Some(date("2026-11-23"))
    );
}

#[test]
fn a_day_already_sent_is_never_sent_twice() {
    let later = utc("2026-11-23T18:00:00Z");
    let sent_today = Some(date("2026-11-23"));
    assert_eq!(due_digest_date(Lisbon, at(7, 30), sent_today, later), None);
}

#[test]
fn a_daemon_down_at_digest_time_sends_the_missed_digest_later_that_day_only() {
    let yesterday = Some(date("2026-11-22"));
    let afternoon = utc("2026-11-23T15:10:00Z");
    assert_eq!(
        due_digest_date(Lisbon, at(7, 30), yesterday, afternoon),
        Some(date("2026-11-23"))
    );
    // Down all Monday, back on Tuesday at 06:00: Monday's digest is not sent late.
    let tuesday_early = utc("2026-11-24T06:00:00Z");
    assert_eq!(
        due_digest_date(Lisbon, at(7, 30), yesterday, tuesday_early),
        None
    );
    assert_eq!(
        digest_instant(Lisbon, date("2026-11-24"), at(7, 30)),
        utc("2026-11-24T07:30:00Z")
    );
}

#[test]
fn summer_time_moves_the_utc_instant_in_lisbon() {
    // 29 March 2026: 01:00 WET becomes 02:00 WEST.
    assert_eq!(
        digest_instant(Lisbon, date("2026-03-28"), at(7, 30)),
        utc("2026-03-28T07:30:00Z")
    );
    assert_eq!(
        digest_instant(Lisbon, date("2026-03-29"), at(7, 30)),
        utc("2026-03-29T06:30:00Z")
    );
    // 25 October 2026: back to WET.
    assert_eq!(
        digest_instant(Lisbon, date("2026-10-25"), at(7, 30)),
        utc("2026-10-25T07:30:00Z")
    );
}

#[test]
fn a_digest_at_inside_the_spring_forward_gap_fires_when_the_gap_ends() {
    // Lisbon skips 01:00–02:00 on 29 March 2026; 02:00 WEST is 01:00 UTC.
    let lisbon_day = date("2026-03-29");
    assert_eq!(
        digest_instant(Lisbon, lisbon_day, at(1, 30)),
        utc("2026-03-29T01:00:00Z")
    );
    assert_eq!(
        due_digest_date(Lisbon, at(1, 30), None, utc("2026-03-29T00:59:00Z")),
        None
    );
    assert_eq!(
        due_digest_date(Lisbon, at(1, 30), None, utc("2026-03-29T01:00:00Z")),
        Some(lisbon_day)
    );
    // New York skips 02:00–03:00 on 8 March 2026; 03:00 EDT is 07:00 UTC.
    let ny_day = date("2026-03-08");
    assert_eq!(
        digest_instant(New_York, ny_day, at(2, 30)),
        utc("2026-03-08T07:00:00Z")
    );
    assert_eq!(
        due_digest_date(
            New_York,
            at(2, 30),
            Some(date("2026-03-07")),
            utc("2026-03-08T07:00:00Z")
        ),
        Some(ny_day),
        "due once the gap ends"
    );
}

#[test]
fn a_digest_at_repeated_by_the_fall_back_fires_once() {
    // New York repeats 01:00–02:00 on 1 November 2026: 01:30 EDT is 05:30 UTC,
    // 01:30 EST is 06:30 UTC.
    let ny_day = date("2026-11-01");
    let first = utc("2026-11-01T05:30:00Z");
    assert_eq!(digest_instant(New_York, ny_day, at(1, 30)), first);
    assert_eq!(
        due_digest_date(New_York, at(1, 30), None, first),
        Some(ny_day)
    );
    let second = utc("2026-11-01T06:30:00Z");
    assert_eq!(
        due_digest_date(New_York, at(1, 30), Some(ny_day), second),
        None
    );
    // Lisbon repeats 01:00–02:00 on 25 October 2026.
    let lisbon_day = date("2026-10-25");
    assert_eq!(
        digest_instant(Lisbon, lisbon_day, at(1, 30)),
        utc("2026-10-25T00:30:00Z")
    );
    assert_eq!(
        due_digest_date(
            Lisbon,
            at(1, 30),
            Some(lisbon_day),
            utc("2026-10-25T01:30:00Z")
        ),
        None
    );
    assert_eq!(
        digest_instant(Lisbon, date("2026-10-26"), at(1, 30)),
        utc("2026-10-26T01:30:00Z")
    );
}

#[test]
fn users_in_different_time_zones_get_their_own_local_day() {
    // 22:45 UTC on Monday: Tuesday 07:45 in Tokyo, Monday evening elsewhere.
    let now = utc("2026-11-23T22:45:00Z");
    let monday = Some(date("2026-11-23"));
    assert_eq!(
        due_digest_date(Tokyo, at(7, 30), Some(date("2026-11-23")), now),
        Some(date("2026-11-24"))
    );
    assert_eq!(due_digest_date(Lisbon, at(7, 30), monday, now), None);
    assert_eq!(due_digest_date(New_York, at(7, 30), monday, now), None);
    assert_eq!(
        digest_instant(New_York, date("2026-11-24"), at(7, 30)),
        utc("2026-11-24T12:30:00Z")
    );
}
