//! Sign-in by mail, pure: the rate limits, a link's lifetime and the mail
//! that carries it. The handlers in `auth` do the I/O.

use crate::config::User;
use crate::domain::ids;
use crate::store::OutboxDraft;
use chrono::{DateTime, Duration, Utc};

/// How long a sign-in link works.
pub const LINK_LIFETIME_MINUTES: i64 = 15;
/// The window the rate limits count requests in.
pub const WINDOW_MINUTES: i64 = 15;
/// Requests per address in the window (users or not: the answer is the same).
pub const PER_ADDRESS: i64 = 3;
/// Requests per client IP address in the window.
pub const PER_CLIENT: i64 = 10;

/// When a link made at `now` stops working.
pub fn link_expiry(now: DateTime<Utc>) -> DateTime<Utc> {
    now + Duration::minutes(LINK_LIFETIME_MINUTES)
}

/// Where the rate limits start counting for a request at `now`.
pub fn window_start(now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::minutes(WINDOW_MINUTES)
}

/// Whether one more request is allowed after `per_address` requests for
/// the address and `per_client` from the client within the window.
pub fn allowed(per_address: i64, per_client: i64) -> bool {
    per_address < PER_ADDRESS && per_client < PER_CLIENT
}

/// The address as the limits count it: trimmed, lower-cased, capped.
pub fn normalized_address(text: &str) -> String {
    text.trim().to_lowercase().chars().take(254).collect()
}

/// The outbox mail that carries `link` (the URL with the token) to `user`;
/// `link_hash` names it, `domain` is the sender's.
pub fn link_mail(
    user: &User,
    link: &str,
    link_hash: &str,
    domain: &str,
    expires: DateTime<Utc>,
) -> OutboxDraft {
    let local = expires.with_timezone(&user.calendar.time_zone);
    let text = format!(
        "Hello {name},\n\nopen this link to sign in to leadmail:\n\n{link}\n\n\
         It works once, until {until} ({zone}). If you did not ask for it, \
         ignore this mail: nobody can sign in without the link.\n",
        name = user.name,
        until = local.format("%H:%M"),
        zone = user.calendar.time_zone,
    );
    OutboxDraft {
        kind: ids::SIGNIN_KIND,
        user_email: user.email.to_string(),
        local_date: None,
        message_id: ids::signin_message_id(link_hash, domain),
        in_reply_to: None,
        recipient: user.email.to_string(),
        subject: "Your leadmail sign-in link".into(),
        text,
        html: None,
        header_value: ids::user_header_value(ids::SIGNIN_KIND, &user.email),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limits_allow_a_few_requests_per_address_and_more_per_client() {
        assert!(allowed(0, 0));
        assert!(allowed(PER_ADDRESS - 1, PER_CLIENT - 1));
        assert!(!allowed(PER_ADDRESS, 0));
        assert!(!allowed(0, PER_CLIENT));
    }

    #[test]
    fn a_link_lasts_fifteen_minutes() {
        let now: DateTime<Utc> = "2026-11-23T11:00:00Z".parse().unwrap();
        assert_eq!(link_expiry(now).to_rfc3339(), "2026-11-23T11:15:00+00:00");
        assert_eq!(window_start(now).to_rfc3339(), "2026-11-23T10:45:00+00:00");
    }

    #[test]
    fn the_mail_carries_the_link_and_is_named_by_its_hash_only() {
        let settings = crate::config::tests::sample_settings();
        let expires: DateTime<Utc> = "2026-11-23T11:15:00Z".parse().unwrap();
        let link = "https://crm.acme.test/signin/abc";
        let mail = link_mail(&settings.users[0], link, "h4sh", "acme.test", expires);
        assert!(mail.text.contains(link));
        assert!(mail.text.contains("11:15 (Europe/Lisbon)"), "{}", mail.text);
        assert!(!mail.message_id.contains("abc"));
        assert_eq!(mail.kind, "signin");
        assert_eq!(mail.recipient, "alice@acme.test");
    }

    #[test]
    fn addresses_are_counted_case_insensitively() {
        assert_eq!(normalized_address(" Alice@ACME.test "), "alice@acme.test");
    }
}
