//! The one retry policy for everything that tries again later (a mailbox
//! reconnecting, the outbox resending): exponential backoff with random
//! jitter from `backon`, never longer than the policy's cap.
//!
//! Retry `n` (0 is the first) waits `first · 2ⁿ`, at most half the cap,
//! plus a random jitter of up to as much again: every wait lies between
//! that base and twice it, so it never exceeds the cap, and daemons that
//! failed together do not all come back in the same second.

use backon::{BackoffBuilder, ExponentialBuilder};
use std::time::Duration;

/// How one kind of failure is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Policy {
    /// The wait before the first retry, without jitter.
    first: Duration,
    /// No wait is longer.
    cap: Duration,
}

/// More doublings than any policy here takes to reach its cap; a larger
/// attempt number waits the same.
const MAX_DOUBLINGS: u32 = 32;

impl Policy {
    /// A mailbox connection that failed: from 1 s, at most 5 minutes.
    pub(crate) const RECONNECT: Policy = Policy::new(1, 300);
    /// A failed IMAP login: from a minute (a lockout is not hammered), at
    /// most 5 minutes.
    pub(crate) const LOGIN: Policy = Policy::new(60, 300);
    /// An outbox mail the SMTP server did not take (a 5xx is never
    /// retried): 30 s, 1 min, 2 min … at most an hour.
    pub(crate) const OUTBOX: Policy = Policy::new(30, 3600);

    /// A webhook delivery that failed: from `first_secs` (its
    /// `retry_first_secs`), at most an hour.
    pub(crate) const fn starting_at(first_secs: u64) -> Policy {
        Policy::new(first_secs, 3600)
    }

    const fn new(first_secs: u64, cap_secs: u64) -> Policy {
        Policy {
            first: Duration::from_secs(first_secs),
            cap: Duration::from_secs(cap_secs),
        }
    }

    /// The wait before retry number `attempt` (0: the first retry), with
    /// fresh jitter on every call.
    pub(crate) fn wait(&self, attempt: u32) -> Duration {
        let step = attempt.min(MAX_DOUBLINGS) as usize;
        let jittered = self.backoff().build().nth(step);
        jittered.unwrap_or(self.cap).min(self.cap)
    }

    /// backon's exponential builder: doubling from `first`, the base
    /// capped at half of `cap` (backon's jitter adds up to the base again),
    /// never giving up.
    fn backoff(&self) -> ExponentialBuilder {
        ExponentialBuilder::new()
            .with_min_delay(self.first)
            .with_max_delay(self.cap / 2)
            .with_factor(2.0)
            .with_jitter()
            .without_max_times()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    const DRAWS: usize = 200;

    /// Every one of [`DRAWS`] waits lies in `[low, high]` seconds.
    fn assert_waits_within(policy: Policy, attempt: u32, low: f64, high: f64) {
        for _ in 0..DRAWS {
            let wait = policy.wait(attempt).as_secs_f64();
            assert!(
                (low..=high).contains(&wait),
                "{policy:?} attempt {attempt}: {wait} s is not within [{low}, {high}]"
            );
        }
    }

    #[test]
    fn the_outbox_retries_after_30_s_then_1_and_2_minutes_and_at_most_hourly() {
        assert_waits_within(Policy::OUTBOX, 0, 30.0, 60.0);
        assert_waits_within(Policy::OUTBOX, 1, 60.0, 120.0);
        assert_waits_within(Policy::OUTBOX, 2, 120.0, 240.0);
        assert_waits_within(Policy::OUTBOX, 9, 1800.0, 3600.0);
        assert_waits_within(Policy::OUTBOX, 500, 1800.0, 3600.0);
    }

    #[test]
    fn a_reconnect_waits_at_least_a_second_and_at_most_five_minutes() {
        assert_waits_within(Policy::RECONNECT, 0, 1.0, 2.0);
        assert_waits_within(Policy::RECONNECT, 3, 8.0, 16.0);
        assert_waits_within(Policy::RECONNECT, 30, 150.0, 300.0);
        assert_waits_within(Policy::RECONNECT, u32::MAX, 150.0, 300.0);
    }

    #[test]
    fn a_failed_login_waits_at_least_a_minute_and_at_most_five() {
        assert_waits_within(Policy::LOGIN, 0, 60.0, 120.0);
        assert_waits_within(Policy::LOGIN, u32::MAX, 150.0, 300.0);
    }

    #[test]
    fn the_jitter_varies_from_one_wait_to_the_next() {
        for policy in [Policy::RECONNECT, Policy::LOGIN, Policy::OUTBOX] {
            let waits: HashSet<Duration> = (0..20).map(|_| policy.wait(0)).collect();
            assert!(waits.len() > 1, "{policy:?}: always {waits:?}");
        }
    }
}
