//! When a user's digest is due: once per local calendar day, at or after the
//! user's `digest_at` in their time zone, DST-correct. Pure: the clock and the
//! last sent day are arguments, so the daemon's scheduler is tested without
//! waiting.
//!
//! A `digest_at` that a spring-forward skips (02:30 in New York on 8 March)
//! falls due at the first valid instant after the gap (03:00 EDT); one that a
//! fall-back repeats falls due at its first occurrence, once. A daemon that
//! was down at digest time sends the missed digest when it comes back the same
//! local day; a day already sent is never sent again.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;

/// The local date whose digest should be sent at `now`, if any.
///
/// `last_sent` is the local date of the user's last digest (from the outbox).
/// Only today's digest is ever due: a day missed entirely is not sent late.
pub fn due_digest_date(
    tz: Tz,
    digest_at: NaiveTime,
    last_sent: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Option<NaiveDate> {
    let today = local_date(tz, now);
    let already_sent = last_sent.is_some_and(|day| day >= today);
    let time_has_come = now >= digest_instant(tz, today, digest_at);
    (!already_sent && time_has_come).then_some(today)
}

/// The instant `day`'s digest falls due in `tz`: `digest_at` local time, its
/// first occurrence when repeated, the end of the gap when skipped.
pub fn digest_instant(tz: Tz, day: NaiveDate, digest_at: NaiveTime) -> DateTime<Utc> {
    crate::domain::schedule::local_instant(tz, day.and_time(digest_at))
}

/// The user's local date at `now`.
pub fn local_date(tz: Tz, now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}
