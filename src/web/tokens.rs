//! The web app's secrets, pure: random tokens, the hashes the store keeps,
//! the CSRF token a session's forms carry, and cookies read and written.

use sha2::{Digest as _, Sha256};

/// Hex digits of a token (32 random bytes).
const TOKEN_HEX: usize = 64;

/// A new random token: 32 bytes from the operating system, as hex.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).expect("the operating system has no random source");
    to_hex(&bytes)
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What the store keeps of a token: its SHA-256, as hex.
pub fn hash(token: &str) -> String {
    to_hex(&Sha256::digest(token.as_bytes()))
}

/// The CSRF token of a session: derived from the session's own secret
/// (which only its cookie holds), so it needs no storage, and unlike the
/// stored hash it cannot be computed from the database.
pub fn csrf_of(session_token: &str) -> String {
    hash(&format!("csrf\0{session_token}"))
}

/// Whether `text` has the shape of a token (so nothing else reaches a query).
pub fn looks_like_token(text: &str) -> bool {
    text.len() == TOKEN_HEX && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Compares two secrets in time that does not depend on where they differ.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The value of cookie `name` in a `Cookie` header.
pub fn cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        (key == name).then_some(value)
    })
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, for the whole site,
/// `Secure` when the app is reached over https; `max_age` in seconds
/// (0 deletes it).
pub fn set_cookie(name: &str, value: &str, secure: bool, max_age: i64) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_hex_and_their_hashes_and_csrf_differ() {
        let (a, b) = (new_token(), new_token());
        assert!(looks_like_token(&a) && looks_like_token(&b));
        assert_ne!(a, b);
        assert!(looks_like_token(&hash(&a)));
        assert_ne!(hash(&a), csrf_of(&a));
        assert_eq!(csrf_of(&a), csrf_of(&a));
    }

    #[test]
    fn only_token_shaped_text_looks_like_a_token() {
        assert!(!looks_like_token("../etc/passwd"));
        assert!(!looks_like_token(&"g".repeat(64)));
        assert!(!looks_like_token("abc"));
    }

    #[test]
    fn secrets_compare_equal_only_when_equal() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "abcd"));
    }

    #[test]
    fn a_cookie_is_found_among_others_and_written_with_its_flags() {
        let header = "theme=dark; lm_session=abc; other=x=y";
        assert_eq!(cookie(header, "lm_session"), Some("abc"));
        assert_eq!(cookie(header, "other"), Some("x=y"));
        assert_eq!(cookie(header, "missing"), None);
        let plain = set_cookie("lm_session", "abc", false, 60);
        assert_eq!(
            plain,
            "lm_session=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=60"
        );
        assert!(set_cookie("a", "b", true, 0).ends_with("; Secure"));
    }
}
