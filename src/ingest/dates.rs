//! Dates as mail clients print them in forwarded headers, in many languages:
//! "Sun, Nov 22, 2026 at 6:12 PM", "quinta-feira, 19 de novembro de 2026 10:15",
//! "Dienstag, 17. November 2026 11:45", "20/11/2026 16:40".

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use regex::Regex;
use std::sync::LazyLock;

/// Month names per language, January first.
const MONTHS: &[[&str; 12]] = &[
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ],
    [
        "janeiro",
        "fevereiro",
        "março",
        "abril",
        "maio",
        "junho",
        "julho",
        "agosto",
        "setembro",
        "outubro",
        "novembro",
        "dezembro",
    ],
    [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
    [
        "januar",
        "februar",
        "märz",
        "april",
        "mai",
        "juni",
        "juli",
        "august",
        "september",
        "oktober",
        "november",
        "dezember",
    ],
    [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ],
    [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    [
        "gennaio",
        "febbraio",
        "marzo",
        "aprile",
        "maggio",
        "giugno",
        "luglio",
        "agosto",
        "settembre",
        "ottobre",
        "novembre",
        "dicembre",
    ],
];

static TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\d{1,2})[:.h](\d{2})(?:[:.](\d{2}))?\s*(a\.?m\.?|p\.?m\.?)?")
        .expect("valid regex")
});
static OFFSET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)\b(?:gmt|utc)\s*([+-])(\d{1,2})(?::?(\d{2}))?\b",
        r"|(?:gmt|utc)?\s*([+-])(\d{2}):?(\d{2})\b"
    ))
    .expect("valid regex")
});
static UTC_WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b(?:gmt|utc|z)\b").expect("valid regex"));

/// Reads a client-printed date; a date without an offset is read in `zone`.
pub fn parse_client_date(text: &str, zone: Tz) -> Option<DateTime<Utc>> {
    let text = text.replace(['\u{202f}', '\u{a0}'], " ");
    let (time, rest) = take_time(&text);
    let (offset, rest) = take_offset(&rest);
    let naive = read_day(&rest)?.and_time(time.unwrap_or_default());
    match offset {
        Some(offset) => offset
            .from_local_datetime(&naive)
            .single()
            .map(|d| d.with_timezone(&Utc)),
        None => zone
            .from_local_datetime(&naive)
            .earliest()
            .map(|d| d.with_timezone(&Utc)),
    }
}

fn take_time(text: &str) -> (Option<NaiveTime>, String) {
    let Some(caps) = TIME.captures(text) else {
        return (None, text.to_string());
    };
    let number = |i: usize| caps.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
    let mut hour = number(1).unwrap_or(0);
    let suffix = caps.get(4).map(|m| m.as_str().to_ascii_lowercase());
    match suffix.as_deref().map(|s| s.starts_with('p')) {
        Some(true) if hour < 12 => hour += 12,
        Some(false) if hour == 12 => hour = 0,
        _ => {}
    }
    let time = NaiveTime::from_hms_opt(hour, number(2).unwrap_or(0), number(3).unwrap_or(0));
    let whole = caps.get(0).map_or(0..0, |m| m.range());
    (
        time,
        format!("{} {}", &text[..whole.start], &text[whole.end..]),
    )
}

fn take_offset(text: &str) -> (Option<FixedOffset>, String) {
    if let Some(caps) = OFFSET.captures(text) {
        // "GMT+1" and "UTC+05:30" (groups 1-3), or "+0100" (groups 4-6).
        let group = |short: usize| caps.get(short).or_else(|| caps.get(short + 3));
        let number = |i: usize| group(i).map_or(0, |m| m.as_str().parse::<i32>().unwrap_or(0));
        let (hours, minutes) = (number(2), number(3));
        let sign = if group(1).is_some_and(|m| m.as_str() == "-") {
            -1
        } else {
            1
        };
        let whole = caps.get(0).map_or(0..0, |m| m.range());
        let rest = format!("{} {}", &text[..whole.start], &text[whole.end..]);
        return (
            FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60)),
            rest,
        );
    }
    if UTC_WORD.is_match(text) {
        return (
            FixedOffset::east_opt(0),
            UTC_WORD.replace_all(text, " ").into_owned(),
        );
    }
    (None, text.to_string())
}

/// The calendar day: a month name with a day and year, or a numeric date.
fn read_day(text: &str) -> Option<NaiveDate> {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
        .collect();
    let numbers: Vec<u32> = words.iter().filter_map(|w| w.parse().ok()).collect();
    match words.iter().find_map(|w| month_named(w)) {
        Some(month) => {
            let year = numbers.iter().copied().find(|n| *n >= 1900)?;
            let day = numbers.iter().copied().find(|n| (1..=31).contains(n))?;
            NaiveDate::from_ymd_opt(year as i32, month, day)
        }
        None => numeric_day(&numbers),
    }
}

fn month_named(word: &str) -> Option<u32> {
    let word = word.trim_end_matches('.');
    let exact = MONTHS
        .iter()
        .find_map(|names| names.iter().position(|n| *n == word));
    let prefix = || {
        (word.chars().count() >= 3)
            .then(|| {
                MONTHS
                    .iter()
                    .find_map(|names| names.iter().position(|n| n.starts_with(word)))
            })
            .flatten()
    };
    exact.or_else(prefix).map(|i| i as u32 + 1)
}

/// `2026-11-20`, `20/11/2026` (day first, unless the second number is over 12).
fn numeric_day(numbers: &[u32]) -> Option<NaiveDate> {
    let [a, b, c] = numbers.get(..3)?.try_into().ok()?;
    if a >= 1900 {
        return NaiveDate::from_ymd_opt(a as i32, b, c);
    }
    let year = if c < 100 { c + 2000 } else { c } as i32;
    let (day, month) = if b > 12 { (b, a) } else { (a, b) };
    NaiveDate::from_ymd_opt(year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn dates_in_client_layouts_and_languages_are_read() {
        let lisbon = chrono_tz::Europe::Lisbon;
        let berlin = chrono_tz::Europe::Berlin;
        let cases = [
            (
                "Sun, Nov 22, 2026 at 6:12 PM",
                lisbon,
                "2026-11-22T18:12:00Z",
            ),
            (
                "Friday, November 20, 2026 4:40 PM",
                berlin,
                "2026-11-20T15:40:00Z",
            ),
            (
                "16 November 2026 at 14:05:33 GMT",
                berlin,
                "2026-11-16T14:05:33Z",
            ),
            (
                "quinta-feira, 19 de novembro de 2026 10:15",
                lisbon,
                "2026-11-19T10:15:00Z",
            ),
            (
                "sábado, 21/11/2026 à(s) 10:15",
                lisbon,
                "2026-11-21T10:15:00Z",
            ),
            (
                "Dienstag, 17. November 2026 11:45",
                berlin,
                "2026-11-17T10:45:00Z",
            ),
            (
                "donderdag 19 november 2026 08:52",
                berlin,
                "2026-11-19T07:52:00Z",
            ),
            ("ven. 20 nov. 2026 à 09:30", lisbon, "2026-11-20T09:30:00Z"),
            ("2026-11-20 16:40 +0100", lisbon, "2026-11-20T15:40:00Z"),
            ("20 Nov 2026 16:40 GMT+1", lisbon, "2026-11-20T15:40:00Z"),
            ("20 Nov 2026 16:40 UTC+1", lisbon, "2026-11-20T15:40:00Z"),
            ("20 Nov 2026 16:40 (GMT-3)", lisbon, "2026-11-20T19:40:00Z"),
            (
                "20 Nov 2026 16:40 GMT+05:30",
                lisbon,
                "2026-11-20T11:10:00Z",
            ),
        ];
        for (text, zone, expected) in cases {
            assert_eq!(parse_client_date(text, zone), Some(utc(expected)), "{text}");
        }
    }

    #[test]
    fn text_without_a_date_is_none() {
        assert_eq!(
            parse_client_date("yesterday afternoon", chrono_tz::UTC),
            None
        );
        assert_eq!(parse_client_date("", chrono_tz::UTC), None);
        assert_eq!(parse_client_date("31/02/2026", chrono_tz::UTC), None);
    }
}
