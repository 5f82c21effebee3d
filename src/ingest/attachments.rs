//! Attachments as metadata: each one's sanitised name, MIME type, decoded
//! size and SHA-256, and (when `[attachments] dir` is set and the plan files
//! the message) its bytes with the file they are to be written to.

use super::plan::{AttachmentDraft, SaveTo};
use crate::config::AttachmentSettings;
use crate::domain::controls::is_unsafe;
use mail_parser::{Message, MessagePart, MimeHeaders};
use sha2::{Digest, Sha256};

/// At most this many attachments of one message are recorded.
pub const MAX_ATTACHMENTS: usize = 100;
/// A name is cut to this many characters (its extension kept).
const MAX_NAME_CHARS: usize = 120;
/// A MIME type is cut to this many characters.
const MAX_TYPE_CHARS: usize = 100;

/// The top-level attachments of `message`; bytes are kept for writing only
/// when `keep_bytes` (the plan files the message) and a `dir` is configured.
pub fn extract(
    message: &Message<'_>,
    settings: &AttachmentSettings,
    keep_bytes: bool,
) -> Vec<AttachmentDraft> {
    message
        .attachments()
        .take(MAX_ATTACHMENTS)
        .enumerate()
        .map(|(i, part)| draft(part, i + 1, settings, keep_bytes))
        .collect()
}

fn draft(
    part: &MessagePart<'_>,
    position: usize,
    settings: &AttachmentSettings,
    keep_bytes: bool,
) -> AttachmentDraft {
    let bytes = part.contents();
    let sha256 = hex_sha256(bytes);
    let size = bytes.len() as u64;
    let (save, note) = match (&settings.dir, keep_bytes) {
        (Some(_), true) if size > settings.max_bytes => (None, Some(over_cap(size, settings))),
        (Some(dir), true) => (Some(save_to(dir, &sha256, bytes)), None),
        _ => (None, None),
    };
    AttachmentDraft {
        name: sanitise_name(part.attachment_name(), position),
        mime_type: mime_type(part),
        size,
        sha256,
        note,
        save,
    }
}

fn save_to(dir: &std::path::Path, sha256: &str, bytes: &[u8]) -> SaveTo {
    SaveTo {
        path: dir.join(sha256),
        bytes: bytes.to_vec(),
    }
}

fn over_cap(size: u64, settings: &AttachmentSettings) -> String {
    format!(
        "not stored: {size} bytes is over attachments.max_bytes = {}",
        settings.max_bytes
    )
}

/// Lower-case hex SHA-256.
pub fn hex_sha256(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(bytes);
    // One allocation instead of a formatted String per byte.
    let mut hex = String::with_capacity(digest.len() * 2);
    for byte in digest {
        hex.push(char::from(HEX[usize::from(byte >> 4)]));
        hex.push(char::from(HEX[usize::from(byte & 0xf)]));
    }
    hex
}

/// `type/subtype`, lower-cased, only token characters, bounded.
fn mime_type(part: &MessagePart<'_>) -> String {
    let Some(ct) = part.content_type() else {
        return "application/octet-stream".into();
    };
    let full = match ct.subtype() {
        Some(sub) => format!("{}/{}", ct.ctype(), sub),
        None => ct.ctype().to_string(),
    };
    full.to_ascii_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "/!#$&^_.+-".contains(*c))
        .take(MAX_TYPE_CHARS)
        .collect()
}

/// A name safe to show and to use anywhere: no path separators (they become
/// `_`), no control or bidirectional-override characters, no leading dots or
/// spaces, at most [`MAX_NAME_CHARS`] characters with the extension kept;
/// `attachment-N` when nothing is left.
pub fn sanitise_name(name: Option<&str>, position: usize) -> String {
    let cleaned: String = name
        .unwrap_or_default()
        .chars()
        .filter(|c| !is_unsafe(*c))
        .map(|c| if matches!(c, '/' | '\\') { '_' } else { c })
        .collect();
    let trimmed = cleaned.trim().trim_start_matches(['.', ' ']);
    if trimmed.is_empty() {
        return format!("attachment-{position}");
    }
    shorten(trimmed)
}

fn shorten(name: &str) -> String {
    if name.chars().count() <= MAX_NAME_CHARS {
        return name.to_string();
    }
    let extension = name
        .rsplit_once('.')
        .map(|(_, ext)| ext)
        .filter(|ext| ext.chars().count() <= 10)
        .unwrap_or_default();
    let keep = MAX_NAME_CHARS - extension.chars().count() - 2;
    let stem: String = name.chars().take(keep).collect();
    if extension.is_empty() {
        format!("{stem}…")
    } else {
        format!("{stem}….{extension}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_parser::MessageParser;

    const MAIL: &str = "From: Jane <jane@globex.example>\r\nTo: crm@acme.test\r\n\
        Subject: Quote\r\nMIME-Version: 1.0\r\n\
        Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
        --b\r\nContent-Type: text/plain\r\n\r\nPlease see attached.\r\n\
        --b\r\nContent-Type: application/PDF; name=\"../../etc/quote.pdf\"\r\n\
        Content-Disposition: attachment; filename=\"../../etc/quote.pdf\"\r\n\
        Content-Transfer-Encoding: base64\r\n\r\naGVsbG8gd29ybGQ=\r\n\
        --b\r\nContent-Type: application/octet-stream\r\n\
        Content-Disposition: attachment\r\n\
        Content-Transfer-Encoding: base64\r\n\r\nAAECAw==\r\n--b--\r\n";

    fn settings(dir: Option<&str>, max_bytes: u64) -> AttachmentSettings {
        AttachmentSettings {
            dir: dir.map(Into::into),
            max_bytes,
        }
    }

    fn drafts(settings: &AttachmentSettings, keep: bool) -> Vec<AttachmentDraft> {
        let message = MessageParser::default().parse(MAIL.as_bytes()).unwrap();
        extract(&message, settings, keep)
    }

    #[test]
    fn each_attachment_gets_a_safe_name_its_type_decoded_size_and_hash() {
        let found = drafts(&settings(None, 100), true);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].name, "_.._etc_quote.pdf");
        assert_eq!(found[0].mime_type, "application/pdf");
        assert_eq!(found[0].size, 11);
        assert_eq!(found[0].sha256, hex_sha256(b"hello world"));
        assert_eq!(
            found[0].sha256,
            "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
        );
        assert_eq!(found[1].name, "attachment-2");
        assert_eq!(found[1].size, 4);
        assert!(found.iter().all(|a| a.save.is_none() && a.note.is_none()));
    }

    #[test]
    fn bytes_are_kept_only_with_a_dir_under_the_cap_for_a_filed_message() {
        let kept = drafts(&settings(Some("/var/att"), 5), true);
        assert!(kept[0].save.is_none());
        assert_eq!(
            kept[0].note.as_deref(),
            Some("not stored: 11 bytes is over attachments.max_bytes = 5")
        );
        let save = kept[1].save.as_ref().expect("small one is kept");
        assert_eq!(save.bytes, [0, 1, 2, 3]);
        assert_eq!(
            save.path,
            std::path::Path::new("/var/att").join(&kept[1].sha256)
        );
        let quarantined = drafts(&settings(Some("/var/att"), 5), false);
        assert!(quarantined.iter().all(|a| a.save.is_none()));
    }

    #[test]
    fn names_lose_separators_control_and_bidi_characters() {
        assert_eq!(sanitise_name(Some("a/b\\c.txt"), 1), "a_b_c.txt");
        assert_eq!(sanitise_name(Some("x\r\ny\0.pdf"), 1), "xy.pdf");
        assert_eq!(
            sanitise_name(Some("invoice\u{202e}fdp.exe"), 1),
            "invoicefdp.exe"
        );
        assert_eq!(sanitise_name(Some(" ..hidden"), 1), "hidden");
        assert_eq!(sanitise_name(Some("\u{7}"), 3), "attachment-3");
        assert_eq!(sanitise_name(None, 4), "attachment-4");
    }

    #[test]
    fn a_long_name_is_cut_keeping_its_extension() {
        let name = sanitise_name(Some(&format!("{}.pdf", "é".repeat(500))), 1);
        assert_eq!(name.chars().count(), MAX_NAME_CHARS);
        assert!(name.ends_with("….pdf"), "{name}");
    }
}
