//! What a webhook event says and how it is signed and judged, with no I/O:
//! the versioned JSON envelope, the HMAC-SHA256 signature over timestamp and
//! body, and what a receiver's answer means for the delivery.
//!
//! The store writes events in the transaction of each change (triggers of
//! migration 13); `webhook_sender.rs` POSTs them.

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

/// The envelope's version; a change that breaks receivers bumps it.
pub(crate) const VERSION: u32 = 1;

/// Every event type, in the order the README documents them.
pub(crate) const EVENT_TYPES: &[&str] = &[
    "lead.created",
    "lead.updated",
    "prospect.replied",
    "prospect.converted",
    "contact.bounced",
    "quarantine.added",
    "digest.sent",
    "mailbox.down",
    "mailbox.recovered",
];

/// How long a delivery is retried before it is parked.
pub(crate) const GIVE_UP_AFTER_HOURS: i64 = 24;

/// The header names of a delivery.
pub(crate) mod headers {
    /// The event's id: the same on every retry of one event.
    pub(crate) const EVENT_ID: &str = "Leadmail-Event-Id";
    /// The event's type.
    pub(crate) const EVENT_TYPE: &str = "Leadmail-Event-Type";
    /// Unix seconds when this attempt was signed.
    pub(crate) const TIMESTAMP: &str = "Leadmail-Timestamp";
    /// `v1=` and the hex HMAC-SHA256 of `"{timestamp}.{body}"`.
    pub(crate) const SIGNATURE: &str = "Leadmail-Signature";
}

/// The JSON body of every delivery.
#[derive(Debug, Serialize)]
pub(crate) struct Envelope<'a> {
    /// `evt_` and the event's number; the same on every retry.
    pub id: String,
    /// One of [`EVENT_TYPES`].
    #[serde(rename = "type")]
    pub event_type: &'a str,
    /// [`VERSION`].
    pub version: u32,
    /// When the change was made (RFC 3339, UTC).
    pub occurred_at: &'a str,
    /// The change, and the record's view where there is one.
    pub data: serde_json::Value,
}

impl<'a> Envelope<'a> {
    /// The envelope of event `id`; `change` is the JSON its trigger wrote,
    /// `view` the record's current `--json` view (a lead's), if any.
    pub(crate) fn new(
        id: i64,
        event_type: &'a str,
        occurred_at: &'a str,
        change: serde_json::Value,
        view: Option<serde_json::Value>,
    ) -> Envelope<'a> {
        let mut data = serde_json::Map::new();
        data.insert("change".into(), change);
        if let Some(view) = view {
            let key = if event_type.starts_with("contact.") {
                "contact"
            } else {
                "lead"
            };
            data.insert(key.into(), view);
        }
        Envelope {
            id: format!("evt_{id}"),
            event_type,
            version: VERSION,
            occurred_at,
            data: serde_json::Value::Object(data),
        }
    }
}

/// The `Leadmail-Signature` value: `v1=` and the lowercase hex
/// HMAC-SHA256, keyed with the webhook's secret, of `"{timestamp}.{body}"`.
pub(crate) fn signature(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("v1={hex}")
}

/// How one attempt went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Attempt {
    /// The receiver answered with this HTTP status.
    Answered(u16),
    /// No answer: refused, reset, timed out; the text says which.
    Failed(String),
}

/// What becomes of a delivery after an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Next {
    /// Taken (2xx).
    Delivered,
    /// Try again at this time; the text says why it failed.
    Retry(DateTime<Utc>, String),
    /// Refused for good (a 4xx other than 408 and 429) or tried for
    /// [`GIVE_UP_AFTER_HOURS`]: kept until `webhooks retry`.
    Parked(String),
}

/// What follows `attempt`, the `attempts`-th failure counted from 0, of a
/// delivery first tried at `first_tried_at`; `wait` is the retry policy.
pub(crate) fn next_after(
    attempt: &Attempt,
    attempts: u32,
    first_tried_at: DateTime<Utc>,
    now: DateTime<Utc>,
    wait: impl Fn(u32) -> std::time::Duration,
) -> Next {
    let why = match attempt {
        Attempt::Answered(status) if (200..300).contains(status) => return Next::Delivered,
        Attempt::Answered(status) if is_permanent(*status) => {
            return Next::Parked(format!("the receiver refused it: HTTP {status}"))
        }
        Attempt::Answered(status) => format!("HTTP {status}"),
        Attempt::Failed(why) => why.clone(),
    };
    if now - first_tried_at >= Duration::hours(GIVE_UP_AFTER_HOURS) {
        return Next::Parked(format!(
            "gave up after {GIVE_UP_AFTER_HOURS} hours; last: {why}"
        ));
    }
    let wait = Duration::from_std(wait(attempts)).unwrap_or(Duration::hours(1));
    Next::Retry(now + wait, why)
}

/// A 4xx that retrying cannot fix (not 408 Request Timeout, not 429 Too
/// Many Requests); anything else that is not 2xx is worth another try.
fn is_permanent(status: u16) -> bool {
    (400..500).contains(&status) && status != 408 && status != 429
}

/// The host of an `http://` or `https://` URL, for a webhook's default name;
/// `None` for anything else.
pub(crate) fn url_host(url: &str) -> Option<String> {
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next()?,
        None => host.split(':').next()?,
    };
    (!host.is_empty()).then(|| host.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    #[test]
    fn the_signature_is_the_hmac_of_timestamp_dot_body() {
        // RFC 4231 test case 2 gives HMAC-SHA256("Jefe", "what do ya want for nothing?").
        let body = b" do ya want for nothing?";
        let signed = signature(b"Jefe", 0, body);
        assert_ne!(signed, signature(b"Jefe", 1, body));
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"0. do ya want for nothing?");
        let hex: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(signed, format!("v1={hex}"));
        let rfc = {
            let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").unwrap();
            mac.update(b"what do ya want for nothing?");
            mac.finalize().into_bytes()
        };
        assert_eq!(
            rfc.iter().map(|b| format!("{b:02x}")).collect::<String>(),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn a_2xx_delivers_a_4xx_parks_and_the_rest_retry_for_a_day() {
        let first = at("2026-11-23T10:00:00Z");
        let now = at("2026-11-23T11:00:00Z");
        let wait = |n: u32| std::time::Duration::from_secs(10 << n);
        let next = |attempt: Attempt, now| next_after(&attempt, 2, first, now, wait);
        assert_eq!(next(Attempt::Answered(204), now), Next::Delivered);
        assert!(matches!(next(Attempt::Answered(410), now), Next::Parked(_)));
        for retried in [
            Attempt::Answered(500),
            Attempt::Answered(429),
            Attempt::Answered(408),
            Attempt::Failed("connection refused".into()),
        ] {
            assert_eq!(
                next(retried.clone(), now),
                Next::Retry(
                    now + Duration::seconds(40),
                    match retried {
                        Attempt::Answered(s) => format!("HTTP {s}"),
                        Attempt::Failed(why) => why,
                    }
                )
            );
        }
        let a_day_later = first + Duration::hours(GIVE_UP_AFTER_HOURS);
        let parked = next(Attempt::Answered(503), a_day_later);
        assert!(
            matches!(&parked, Next::Parked(why) if why.contains("gave up after 24 hours")),
            "{parked:?}"
        );
    }

    #[test]
    fn the_envelope_is_versioned_and_keeps_one_id_per_event() {
        let change = serde_json::json!({"status": "won"});
        let view = serde_json::json!({"id": 7});
        let envelope = Envelope::new(
            42,
            "lead.updated",
            "2026-11-23T11:00:00Z",
            change,
            Some(view),
        );
        let json = serde_json::to_value(&envelope).unwrap();
        assert_eq!(json["id"], "evt_42");
        assert_eq!(json["type"], "lead.updated");
        assert_eq!(json["version"], 1);
        assert_eq!(json["data"]["lead"]["id"], 7);
        assert_eq!(json["data"]["change"]["status"], "won");
    }

    #[test]
    fn only_http_urls_have_a_host() {
        assert_eq!(
            url_host("https://Hooks.Example/x?y").as_deref(),
            Some("hooks.example")
        );
        assert_eq!(
            url_host("http://u:p@127.0.0.1:8080/").as_deref(),
            Some("127.0.0.1")
        );
        assert_eq!(url_host("http://[::1]:9/").as_deref(), Some("::1"));
        assert_eq!(url_host("ftp://x/"), None);
        assert_eq!(url_host("https:///x"), None);
    }
}
