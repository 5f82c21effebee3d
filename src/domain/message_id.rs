//! The key a message is deduplicated and threaded by.

use sha2::{Digest, Sha256};
use std::fmt;

/// A normalised Message-ID (`local@domain`, no angle brackets, domain
/// lower-cased), or `sha256:<hex>` of the raw bytes when the message has none.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct MessageKey(String);

impl MessageKey {
    /// Normalises a Message-ID header value; `None` when nothing usable is left.
    pub fn from_header(value: &str) -> Option<Self> {
        let id = value
            .trim()
            .trim_start_matches('<')
            .trim_end_matches('>')
            .trim();
        if id.is_empty() || id.len() > 998 || id.chars().any(unfit_for_an_id) {
            return None;
        }
        let normalised = match id.rsplit_once('@') {
            Some((local, domain)) => format!("{local}@{}", domain.to_lowercase()),
            None => id.to_string(),
        };
        Some(Self(normalised))
    }

    /// The key of a message without a Message-ID: a hash of its bytes, with
    /// line endings normalised so a CRLF and an LF copy are the same message.
    pub fn from_bytes(raw: &[u8]) -> Self {
        let mut hasher = Sha256::new();
        for chunk in raw.split(|b| *b == b'\r') {
            hasher.update(chunk);
        }
        let hex: String = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Self(format!("sha256:{hex}"))
    }

    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Whitespace and control characters (line breaks, ESC…) never belong in a
/// Message-ID; such a header is treated as missing, so a key is always safe
/// to print on one line.
fn unfit_for_an_id(c: char) -> bool {
    c.is_whitespace() || c.is_control()
}

impl fmt::Display for MessageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_and_domain_case_do_not_matter() {
        let a = MessageKey::from_header(" <Abc.123@Mail.Example.COM>").unwrap();
        let b = MessageKey::from_header("Abc.123@mail.example.com").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.as_str(), "Abc.123@mail.example.com");
    }

    #[test]
    fn an_empty_message_id_is_no_key() {
        assert_eq!(MessageKey::from_header(" <> "), None);
    }

    #[test]
    fn a_message_id_with_control_characters_is_no_key() {
        assert_eq!(MessageKey::from_header("<a\u{1b}[2K@x.example>"), None);
        assert_eq!(MessageKey::from_header("<a\r\nINFO@x.example>"), None);
    }

    #[test]
    fn the_byte_hash_ignores_line_ending_style() {
        let lf = MessageKey::from_bytes(b"Subject: x\n\nbody\n");
        let crlf = MessageKey::from_bytes(b"Subject: x\r\n\r\nbody\r\n");
        assert_eq!(lf, crlf);
        assert!(lf.as_str().starts_with("sha256:"));
    }
}
