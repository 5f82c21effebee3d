//! The wall clock every adapter reads, with a hidden override so that tests
//! and demos run at a fixed date whatever today is.
//!
//! `LEADMAIL_NOW` (RFC 3339, e.g. `2026-11-23T10:00:00Z`) makes the process
//! start its clock at that instant; it then advances with the monotonic
//! clock, so timers, backoff and leases still see time pass. Unset, [`now`]
//! is the system clock. The pure core never calls this: it takes `now` as an
//! argument.

use chrono::{DateTime, Utc};
use std::sync::OnceLock;
use std::time::Instant;

/// The environment variable that fixes the clock's starting instant.
pub const OVERRIDE_VAR: &str = "LEADMAIL_NOW";

/// The override read once: the instant it names and when the process read it.
fn fixed_start() -> Option<(DateTime<Utc>, Instant)> {
    static START: OnceLock<Option<(DateTime<Utc>, Instant)>> = OnceLock::new();
    *START.get_or_init(|| {
        let text = std::env::var(OVERRIDE_VAR).ok()?;
        let at = parse_override(&text).unwrap_or_else(|error| panic!("{error}"));
        Some((at, Instant::now()))
    })
}

/// Parses the override's value, naming the variable in the error.
pub fn parse_override(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|at| at.with_timezone(&Utc))
        .map_err(|error| {
            format!("{OVERRIDE_VAR}={text:?} is not an RFC 3339 time (e.g. 2026-11-23T10:00:00Z): {error}")
        })
}

/// Checks the override (if set) so a bad value is a configuration error at
/// start-up rather than a panic later.
pub fn check_override() -> Result<(), String> {
    match std::env::var(OVERRIDE_VAR) {
        Ok(text) => parse_override(&text).map(|_| ()),
        Err(_) => Ok(()),
    }
}

/// The current time: the system clock, or the override advanced by the
/// time elapsed since it was first read.
pub fn now() -> DateTime<Utc> {
    match fixed_start() {
        Some((at, read)) => at + chrono::Duration::from_std(read.elapsed()).unwrap_or_default(),
        None => Utc::now(),
    }
}

/// The system clock, never the override: for instants that several
/// processes compare (mailbox leases), where each test process's own fixed
/// start would disagree with the others'.
pub fn system_now() -> DateTime<Utc> {
    Utc::now()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_override_must_be_an_rfc3339_time_and_names_the_variable() {
        assert!(parse_override("2026-11-23T10:00:00Z").is_ok());
        let error = parse_override("tomorrow").unwrap_err();
        assert!(error.contains(OVERRIDE_VAR), "{error}");
    }

    #[test]
    fn an_override_with_an_offset_is_read_as_that_instant() {
        let at = parse_override("2026-11-23T11:00:00+01:00").unwrap();
        assert_eq!(at.to_rfc3339(), "2026-11-23T10:00:00+00:00");
    }
}
