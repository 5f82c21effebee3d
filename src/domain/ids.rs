//! How leadmail names and marks the mail it sends: a deterministic
//! Message-ID per user and local day (a resend after a crash is the same
//! message), the `X-Leadmail` header the ingest pipeline recognises as our
//! own mail, and `Auto-Submitted` so that no robot answers it.

use crate::domain::EmailAddress;
use chrono::NaiveDate;
use sha2::{Digest as _, Sha256};

/// The header on every mail leadmail sends; ingest treats its presence as own mail.
pub const HEADER: &str = "X-Leadmail";
/// RFC 3834 header on every mail leadmail sends.
pub const AUTO_SUBMITTED: &str = "Auto-Submitted";
/// The `Auto-Submitted` value of digests and confirmations.
pub const AUTO_SUBMITTED_VALUE: &str = "auto-generated";
/// The first word of the `X-Leadmail` value of a digest.
pub const DIGEST_KIND: &str = "digest";
/// The first word of the `X-Leadmail` value of a reply confirmation.
pub const CONFIRMATION_KIND: &str = "confirmation";
/// The outbox kind of a receipt (a rep's mail that could not be filed).
pub const RECEIPT_KIND: &str = "receipt";
/// The outbox kind of an alert to admins (a mailbox down or back).
pub const ALERT_KIND: &str = "alert";
/// The outbox kind of a web sign-in link (sent by the web app's sender).
pub const SIGNIN_KIND: &str = "signin";

/// Hex digits of the address hash in a digest's Message-ID.
const HASH_LEN: usize = 12;

/// `X-Leadmail` of a digest: `digest; alice@acme.test; 2026-11-23`.
pub fn digest_header_value(user: &EmailAddress, day: NaiveDate) -> String {
    format!(
        "{DIGEST_KIND}; {}; {}",
        user.canonical(),
        day.format("%Y-%m-%d")
    )
}

/// `X-Leadmail` of a mail of `kind` to one user (a confirmation, receipt
/// or alert): `confirmation; alice@acme.test`.
pub fn user_header_value(kind: &str, user: &EmailAddress) -> String {
    format!("{kind}; {}", user.canonical())
}

/// `<digest.2026-11-23.1a2b3c4d5e6f@acme.test>`: the same for the same user
/// and local day, whoever builds it, so the outbox and a resend agree.
pub fn digest_message_id(user: &EmailAddress, day: NaiveDate, domain: &str) -> String {
    format!(
        "<digest.{}.{}@{}>",
        day.format("%Y-%m-%d"),
        user_hash(user),
        domain
    )
}

/// `<confirm.{hash}@acme.test>`: one confirmation per reply, keyed by the
/// reply's own Message-ID (or message key).
pub fn confirmation_message_id(reply_key: &str, domain: &str) -> String {
    hashed_message_id("confirm", reply_key.trim(), domain)
}

/// `<receipt.{hash}@acme.test>`: one receipt per quarantine entry.
pub fn receipt_message_id(entry_id: i64, message_key: &str, domain: &str) -> String {
    hashed_message_id(
        "receipt",
        &format!("{entry_id}\n{}", message_key.trim()),
        domain,
    )
}

/// `<alert.{hash}@acme.test>`: one per admin, mailbox and event (`down`
/// or `up` at an instant), so a resend after a crash is the same message.
pub fn alert_message_id(admin: &EmailAddress, event: &str, domain: &str) -> String {
    hashed_message_id("alert", &format!("{}\n{event}", admin.canonical()), domain)
}

/// `<{prefix}.{first 24 hex digits of SHA-256(seed)}@{domain}>`.
fn hashed_message_id(prefix: &str, seed: &str, domain: &str) -> String {
    format!("<{prefix}.{}@{domain}>", &sha256_hex(seed)[..24])
}

/// `<signin.{hash}@acme.test>`: one per sign-in link, keyed by the
/// link's stored hash (never by the link itself).
pub fn signin_message_id(link_hash: &str, domain: &str) -> String {
    hashed_message_id("signin", link_hash, domain)
}

/// What a digest's Message-ID says: its day and the hash of its user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestRef {
    /// The local day of the digest.
    pub day: NaiveDate,
    /// The short hash of the user's address.
    pub user_hash: String,
}

impl DigestRef {
    /// True when the digest was sent to `user` (so a reply from them acts on it).
    pub fn is_for(&self, user: &EmailAddress) -> bool {
        self.user_hash == user_hash(user)
    }
}

/// Reads one of our digest Message-IDs (with or without `<>`), e.g. from a
/// reply's `In-Reply-To` or `References`; `None` for any other id.
pub fn read_digest_message_id(id: &str) -> Option<DigestRef> {
    let id = id.trim().trim_start_matches('<').trim_end_matches('>');
    let (local, _domain) = id.split_once('@')?;
    let rest = local.strip_prefix("digest.")?;
    let (day, hash) = rest.split_once('.')?;
    let day = NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
    let is_hash = hash.len() == HASH_LEN && hash.chars().all(|c| c.is_ascii_hexdigit());
    is_hash.then(|| DigestRef {
        day,
        user_hash: hash.to_ascii_lowercase(),
    })
}

/// The first [`HASH_LEN`] hex digits of SHA-256 of the user's canonical address.
fn user_hash(user: &EmailAddress) -> String {
    sha256_hex(&user.canonical())[..HASH_LEN].to_string()
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alice() -> EmailAddress {
        EmailAddress::parse("Alice@acme.test").unwrap()
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn a_digest_message_id_is_the_same_for_the_same_user_and_day() {
        let id = digest_message_id(&alice(), day(), "acme.test");
        assert_eq!(id, digest_message_id(&alice(), day(), "acme.test"));
        assert!(id.starts_with("<digest.2026-11-23."), "{id}");
        assert!(id.ends_with("@acme.test>"), "{id}");
        let plus = EmailAddress::parse("alice+x@acme.test").unwrap();
        assert_eq!(id, digest_message_id(&plus, day(), "acme.test"));
    }

    #[test]
    fn another_user_or_day_gets_another_message_id() {
        let bruno = EmailAddress::parse("bruno@acme.test").unwrap();
        let next_day = day().succ_opt().unwrap();
        let id = digest_message_id(&alice(), day(), "acme.test");
        assert_ne!(id, digest_message_id(&bruno, day(), "acme.test"));
        assert_ne!(id, digest_message_id(&alice(), next_day, "acme.test"));
    }

    #[test]
    fn a_digest_message_id_reads_back_to_its_day_and_user() {
        let id = digest_message_id(&alice(), day(), "acme.test");
        let read = read_digest_message_id(&id).unwrap();
        assert_eq!(read.day, day());
        assert!(read.is_for(&alice()));
        assert!(!read.is_for(&EmailAddress::parse("bruno@acme.test").unwrap()));
    }

    #[test]
    fn other_message_ids_are_not_digests() {
        for id in [
            "<CAF=abc@mail.gmail.com>",
            "<digest.someday.1a2b3c4d5e6f@acme.test>",
            "<digest.2026-11-23.nothex@acme.test>",
            "digest.2026-11-23.1a2b3c4d5e6f",
        ] {
            assert_eq!(read_digest_message_id(id), None, "{id}");
        }
    }

    #[test]
    fn the_header_values_name_the_kind_the_user_and_the_day() {
        assert_eq!(
            digest_header_value(&alice(), day()),
            "digest; alice@acme.test; 2026-11-23"
        );
        assert_eq!(
            user_header_value(CONFIRMATION_KIND, &alice()),
            "confirmation; alice@acme.test"
        );
    }

    #[test]
    fn a_confirmation_id_follows_the_reply_it_answers() {
        let a = confirmation_message_id("<r1@mail.test>", "acme.test");
        assert_eq!(a, confirmation_message_id("<r1@mail.test>", "acme.test"));
        assert_ne!(a, confirmation_message_id("<r2@mail.test>", "acme.test"));
    }
}
