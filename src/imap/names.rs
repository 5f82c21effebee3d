//! Wire spellings: folder names in modified UTF-7 and UID sets.

/// The IMAP (RFC 3501 §5.1.3, modified UTF-7) spelling of a folder name
/// written in UTF-8 in the config: `Entwürfe` → `Entw&APw-rfe`, `R&D` → `R&-D`.
pub(super) fn encode_folder(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending: Vec<u16> = Vec::new();
    for c in name.chars() {
        if (' '..='~').contains(&c) {
            flush_utf16(&mut pending, &mut out);
            match c {
                '&' => out.push_str("&-"),
                c => out.push(c),
            }
        } else {
            pending.extend(c.encode_utf16(&mut [0; 2]).iter());
        }
    }
    flush_utf16(&mut pending, &mut out);
    out
}

/// Appends `&<modified base64 of UTF-16BE>-` for the pending run.
fn flush_utf16(pending: &mut Vec<u16>, out: &mut String) {
    if pending.is_empty() {
        return;
    }
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
    let bytes: Vec<u8> = pending.drain(..).flat_map(u16::to_be_bytes).collect();
    out.push('&');
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        let sextets = chunk.len() + 1;
        for i in 0..sextets {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out.push('-');
}

/// A compact UID set for sorted UIDs: `[1, 2, 3, 7]` → `1:3,7`.
pub(super) fn uid_set(sorted: &[u32]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut iter = sorted.iter().copied().peekable();
    while let Some(start) = iter.next() {
        let mut end = start;
        while let Some(next) = iter.next_if(|&uid| Some(uid) == end.checked_add(1)) {
            end = next;
        }
        parts.push(if start == end {
            start.to_string()
        } else {
            format!("{start}:{end}")
        });
    }
    parts.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_folder_names_are_unchanged() {
        assert_eq!(encode_folder("INBOX.Processed"), "INBOX.Processed");
    }

    #[test]
    fn an_ampersand_is_escaped() {
        assert_eq!(encode_folder("R&D"), "R&-D");
    }

    #[test]
    fn non_ascii_folder_names_use_modified_utf7() {
        assert_eq!(encode_folder("Entwürfe"), "Entw&APw-rfe");
        assert_eq!(encode_folder("Traités"), "Trait&AOk-s");
        // RFC 3501 §5.1.3's example.
        assert_eq!(
            encode_folder("~peter/mail/台北/日本語"),
            "~peter/mail/&U,BTFw-/&ZeVnLIqe-"
        );
    }

    #[test]
    fn characters_outside_the_bmp_use_surrogate_pairs() {
        assert_eq!(encode_folder("a😀"), "a&2D3eAA-");
    }

    #[test]
    fn uid_sets_merge_runs() {
        assert_eq!(uid_set(&[1, 2, 3, 7, 9, 10]), "1:3,7,9:10");
        assert_eq!(uid_set(&[5]), "5");
        assert_eq!(uid_set(&[u32::MAX - 1, u32::MAX]), "4294967294:4294967295");
        assert_eq!(uid_set(&[]), "");
    }
}
