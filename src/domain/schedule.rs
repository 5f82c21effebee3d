//! Due dates: "tomorrow", "3d", "monday", "2026-12-01 14:00" → an instant.
//!
//! Everything is relative to a reference instant (the message's date) and a
//! rep's time zone and `workday_start`; relative dates fall due at the
//! workday start, an explicit time wins. Pure: the clock is an argument.

use chrono::offset::LocalResult;
use chrono::{
    DateTime, Datelike, Days, Duration, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone,
    Timelike, Utc, Weekday,
};
use chrono_tz::Tz;

/// A rep's calendar: time zone and when the working day starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkCalendar {
    /// The rep's time zone.
    pub time_zone: Tz,
    /// When relative next actions fall due.
    pub workday_start: NaiveTime,
}

impl WorkCalendar {
    /// The first working day (Mon–Fri) `workday_start` strictly after `after`.
    pub fn first_workday_start_after(&self, after: DateTime<Utc>) -> DateTime<Utc> {
        let mut day = after.with_timezone(&self.time_zone).date_naive();
        for _ in 0..8 {
            let due = self.at(day, self.workday_start);
            if due > after && is_working_day(day) {
                return due;
            }
            day = day.succ_opt().unwrap_or(day);
        }
        after
    }

    /// Reads a due-date expression relative to `reference`; `None` when it is
    /// not one we understand (the caller reports it, never guesses).
    pub fn parse_due(&self, text: &str, reference: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let text = text.trim().to_lowercase();
        let (day_part, time) = split_time(&text);
        let today = reference.with_timezone(&self.time_zone).date_naive();
        let day = resolve_day(day_part.trim(), today)?;
        Some(self.at(day, time.unwrap_or(self.workday_start)))
    }

    /// The instant of a local date and time in this calendar's zone, by the
    /// one rule of [`local_instant`].
    pub fn at(&self, day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
        local_instant(self.time_zone, day.and_time(time))
    }
}

/// Longest stretch of local time a transition can skip (Samoa skipped a day).
const LONGEST_GAP_MINUTES: i64 = 26 * 60;

/// The one rule for a local time in a zone, used by next actions and
/// digests alike: a time a fall-back repeats is its first occurrence; a time
/// a spring-forward skips is the first valid minute after the gap (02:30 on
/// 8 March 2026 in New York is 03:00 EDT).
pub fn local_instant(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(at) => at.with_timezone(&Utc),
        LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        LocalResult::None => first_valid_after_gap(tz, local),
    }
}

/// The first whole minute of local time after `skipped` that exists in `tz`.
fn first_valid_after_gap(tz: Tz, skipped: NaiveDateTime) -> DateTime<Utc> {
    let minute = skipped
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(skipped);
    (1..=LONGEST_GAP_MINUTES)
        .map(|m| minute + Duration::minutes(m))
        .find_map(|candidate| tz.from_local_datetime(&candidate).earliest())
        .map_or_else(
            || {
                let offset = tz.offset_from_utc_datetime(&skipped).fix();
                Utc.from_utc_datetime(&(skipped - offset))
            },
            |at| at.with_timezone(&Utc),
        )
}

/// Monday to Friday.
pub fn is_working_day(day: NaiveDate) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Splits an `HH:MM` word (or the time of `2026-12-01t14:00`) from the day words.
fn split_time(text: &str) -> (String, Option<NaiveTime>) {
    if let Some((day, clock)) = text.split_once('t').filter(|(d, _)| is_iso_date(d)) {
        return (day.to_string(), parse_clock(clock));
    }
    let mut time = None;
    let mut rest = Vec::new();
    for word in text.split_whitespace() {
        match parse_clock(word) {
            Some(t) if time.is_none() => time = Some(t),
            _ => rest.push(word),
        }
    }
    (rest.join(" "), time)
}

fn is_iso_date(text: &str) -> bool {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok()
}

fn parse_clock(word: &str) -> Option<NaiveTime> {
    let word = word.trim_start_matches('@');
    NaiveTime::parse_from_str(word, "%H:%M")
        .ok()
        .or_else(|| NaiveTime::parse_from_str(word, "%Hh%M").ok())
        .or_else(|| {
            let hours = word.strip_suffix('h')?.parse::<u32>().ok()?;
            NaiveTime::from_hms_opt(hours, 0, 0)
        })
}

/// A day expression: today, tomorrow, N days/weeks, a weekday, an ISO date.
fn resolve_day(text: &str, today: NaiveDate) -> Option<NaiveDate> {
    let text = text.trim_start_matches("in ").trim();
    match text {
        "today" | "hoje" | "heute" | "vandaag" => return Some(today),
        "tomorrow" | "amanha" | "amanhã" | "morgen" => {
            return today.checked_add_days(Days::new(1))
        }
        "next week" | "nextweek" => return next_weekday(today, Weekday::Mon),
        _ => {}
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(date);
    }
    if let Some(weekday) = weekday_named(text) {
        return next_weekday(today, weekday);
    }
    relative_days(text).and_then(|days| today.checked_add_days(Days::new(days)))
}

/// `3d`, `2w`, `3 days`, `2 weeks` → a number of calendar days (≤ 5 years).
fn relative_days(text: &str) -> Option<u64> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let split = compact.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = compact.split_at(split);
    let number: u64 = number.parse().ok()?;
    let factor = match unit {
        "d" | "day" | "days" | "dias" | "tage" | "dagen" => 1,
        "w" | "week" | "weeks" | "semanas" | "wochen" | "weken" => 7,
        _ => return None,
    };
    Some(number * factor).filter(|days| *days <= 5 * 366)
}

fn weekday_named(text: &str) -> Option<Weekday> {
    const NAMES: &[(&[&str], Weekday)] = &[
        (
            &["monday", "mon", "segunda", "montag", "maandag"],
            Weekday::Mon,
        ),
        (
            &["tuesday", "tue", "terça", "terca", "dienstag", "dinsdag"],
            Weekday::Tue,
        ),
        (
            &["wednesday", "wed", "quarta", "mittwoch", "woensdag"],
            Weekday::Wed,
        ),
        (
            &["thursday", "thu", "quinta", "donnerstag", "donderdag"],
            Weekday::Thu,
        ),
        (
            &["friday", "fri", "sexta", "freitag", "vrijdag"],
            Weekday::Fri,
        ),
        (
            &["saturday", "sat", "sábado", "sabado", "samstag", "zaterdag"],
            Weekday::Sat,
        ),
        (
            &["sunday", "sun", "domingo", "sonntag", "zondag"],
            Weekday::Sun,
        ),
    ];
    let text = text.trim_start_matches("next ").trim_end_matches("-feira");
    NAMES
        .iter()
        .find(|(names, _)| names.contains(&text))
        .map(|(_, day)| *day)
}

/// The next `weekday` strictly after `today`.
fn next_weekday(today: NaiveDate, weekday: Weekday) -> Option<NaiveDate> {
    let ahead = (7 + weekday.num_days_from_monday() - today.weekday().num_days_from_monday()) % 7;
    let ahead = if ahead == 0 { 7 } else { ahead };
    today.checked_add_days(Days::new(u64::from(ahead)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_a_spring_forward_skips_is_the_end_of_the_gap_for_next_actions_and_digests_alike() {
        let new_york = WorkCalendar {
            time_zone: chrono_tz::America::New_York,
            workday_start: NaiveTime::from_hms_opt(2, 30, 0).unwrap(),
        };
        let day = NaiveDate::from_ymd_opt(2026, 3, 8).unwrap();
        let skipped = NaiveTime::from_hms_opt(2, 30, 0).unwrap();
        let end_of_gap: DateTime<Utc> = "2026-03-08T07:00:00Z".parse().unwrap();
        assert_eq!(new_york.at(day, skipped), end_of_gap);
        assert_eq!(
            crate::digest::schedule::digest_instant(new_york.time_zone, day, skipped),
            end_of_gap
        );
        // A time a fall-back repeats is its first occurrence (01:30 EDT).
        let fall = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let repeated = NaiveTime::from_hms_opt(1, 30, 0).unwrap();
        assert_eq!(
            new_york.at(fall, repeated),
            "2026-11-01T05:30:00Z".parse::<DateTime<Utc>>().unwrap()
        );
    }

    fn lisbon() -> WorkCalendar {
        WorkCalendar {
            time_zone: chrono_tz::Europe::Lisbon,
            workday_start: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
        }
    }

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn three_days_counts_calendar_days_and_falls_due_at_workday_start() {
        // Friday 2026-11-20 15:00 Lisbon (UTC+0 in winter).
        let due = lisbon().parse_due("3d", utc("2026-11-20T15:00:00Z"));
        assert_eq!(due, Some(utc("2026-11-23T09:00:00Z")));
    }

    #[test]
    fn a_weekday_means_the_next_one_never_today() {
        let monday = utc("2026-11-23T10:00:00Z");
        assert_eq!(
            lisbon().parse_due("monday", monday),
            Some(utc("2026-11-30T09:00:00Z"))
        );
        assert_eq!(
            lisbon().parse_due("friday", monday),
            Some(utc("2026-11-27T09:00:00Z"))
        );
    }

    #[test]
    fn an_explicit_time_wins_over_workday_start() {
        let due = lisbon().parse_due("2026-12-01 14:30", utc("2026-11-23T10:00:00Z"));
        assert_eq!(due, Some(utc("2026-12-01T14:30:00Z")));
        let due = lisbon().parse_due("tomorrow 16:00", utc("2026-11-23T10:00:00Z"));
        assert_eq!(due, Some(utc("2026-11-24T16:00:00Z")));
    }

    #[test]
    fn summer_time_is_respected() {
        // 2026-07-01 is UTC+1 in Lisbon.
        let due = lisbon().parse_due("tomorrow", utc("2026-07-01T10:00:00Z"));
        assert_eq!(due, Some(utc("2026-07-02T08:00:00Z")));
    }

    #[test]
    fn gibberish_is_not_a_date() {
        assert_eq!(
            lisbon().parse_due("whenever", utc("2026-07-01T10:00:00Z")),
            None
        );
        assert_eq!(
            lisbon().parse_due("99999999d", utc("2026-07-01T10:00:00Z")),
            None
        );
    }

    #[test]
    fn the_first_next_action_skips_the_weekend() {
        let saturday = utc("2026-11-21T11:00:00Z");
        let due = lisbon().first_workday_start_after(saturday);
        assert_eq!(due, utc("2026-11-23T09:00:00Z"));
        let monday_early = utc("2026-11-23T07:00:00Z");
        assert_eq!(
            lisbon().first_workday_start_after(monday_early),
            utc("2026-11-23T09:00:00Z")
        );
    }
}
