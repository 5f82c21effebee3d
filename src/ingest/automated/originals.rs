//! Which of our messages a bounce is about: the Message-IDs of the returned
//! message (attached, as `text/rfc822-headers`, or quoted in the text) and
//! the bounce's own In-Reply-To / References. A bounce changes a contact
//! only when one of them is on that contact's timeline (or its reporting
//! MTA is authenticated), so a forged bounce cannot mark anyone.

use crate::domain::MessageKey;

/// Most original Message-IDs kept per bounce.
const MAX_ORIGINALS: usize = 10;

/// The Message-IDs a bounce names besides its own (`own`): header lines
/// `Message-ID:` (or `Original-Message-ID:`) anywhere in the first
/// [`super::MAX_SCAN_BYTES`] of `raw`, then `references`, without repeats.
pub fn original_message_ids(
    raw: &[u8],
    own: &MessageKey,
    references: &[MessageKey],
) -> Vec<MessageKey> {
    let head = &raw[..raw.len().min(super::MAX_SCAN_BYTES)];
    let text = String::from_utf8_lossy(head);
    let pattern = static_regex!(
        r"(?mi)^[ \t]*(?:original-|x-original-)?message-id[ \t]*:[ \t]*(<[^<>\r\n]{1,250}>)"
    );
    let found = pattern
        .captures_iter(&text)
        .filter_map(|c| MessageKey::from_header(c.get(1)?.as_str()));
    let mut keys: Vec<MessageKey> = Vec::new();
    for key in found.chain(references.iter().cloned()) {
        if key != *own && !keys.contains(&key) {
            keys.push(key);
        }
        if keys.len() == MAX_ORIGINALS {
            break;
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(text: &str) -> MessageKey {
        MessageKey::from_header(text).unwrap()
    }

    #[test]
    fn the_returned_messages_ids_are_read_and_the_bounces_own_is_not() {
        let raw = b"Message-ID: <bounce-1@mx.acme.test>\r\n\r\n--B\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: alice@acme.test\r\nMessage-ID: <out-2@Mail.Acme.test>\r\n\r\n> message-id: <out-3@mail.acme.test>\r\n";
        let refs = [key("<out-2@mail.acme.test>"), key("<out-4@x.test>")];
        let found = original_message_ids(raw, &key("<bounce-1@mx.acme.test>"), &refs);
        assert_eq!(
            found,
            [key("<out-2@mail.acme.test>"), key("<out-4@x.test>")]
        );
    }

    #[test]
    fn a_bounce_naming_nothing_names_nothing() {
        let raw = b"Message-ID: <b@x.test>\r\n\r\nYour mail to jane@globex.test failed.\r\n";
        assert!(original_message_ids(raw, &key("<b@x.test>"), &[]).is_empty());
    }
}
