//! How times are stored: RFC 3339 UTC text whose order is time order.

use super::StoreError;
use chrono::{DateTime, Utc};

/// The stored form: always six fractional digits and `Z`, e.g.
/// `2026-11-20T15:00:00.000000Z`, so comparing texts compares instants.
pub(super) fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// Reads a stored time back.
pub(super) fn parse_stamp(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|_| StoreError::Corrupt {
            what: "time",
            value: text.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn stored_times_sort_as_text_in_time_order() {
        let early = Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap();
        let late = early + chrono::Duration::microseconds(1);
        assert_eq!(stamp(early), "2026-11-20T09:00:00.000000Z");
        assert!(stamp(early) < stamp(late));
        assert_eq!(parse_stamp(&stamp(late)).unwrap(), late);
    }

    #[test]
    fn an_unreadable_stored_time_is_reported_not_panicked_on() {
        assert!(parse_stamp("yesterday").is_err());
    }
}
