//! Human output on stdout: the one place text reaches the operator's
//! terminal, so every control and bidi character in it (most of it came
//! from strangers' mail) is shown as a visible escape, never acted on.

use crate::domain::controls::{escape, is_unsafe, replace_chars};
use std::borrow::Cow;
use std::io::Write as _;

/// What a multi-line text keeps for its layout: tabs (line breaks are
/// written by [`text`] itself).
const TEXT_LAYOUT: [char; 1] = ['\t'];

/// Writes one line: every control character in it, line breaks and tabs
/// included, is escaped, so a field cannot start a line of its own.
pub(super) fn line(line: &str) -> std::io::Result<()> {
    writeln!(std::io::stdout().lock(), "{}", escape(line, &[]))
}

/// Writes a multi-line text (a body, a digest, JSON): line by line (CRLF or
/// LF), tabs kept, every other control character escaped.
pub(super) fn text(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    for line in text.lines() {
        writeln!(out, "{}", escape(line, &TEXT_LAYOUT))?;
    }
    Ok(())
}

/// Serialised JSON with the characters serde_json leaves raw (DEL, C1 and
/// bidi controls; it escapes C0 itself) written as `\uXXXX` escapes: the
/// same strings for a program reading it, inert on a terminal.
pub(super) fn json_escaped(json: &str) -> Cow<'_, str> {
    replace_chars(
        json,
        |c| c != '\n' && is_unsafe(c),
        |out, c| out.push_str(&format!("\\u{:04x}", u32::from(c))),
    )
}

#[cfg(test)]
mod tests {
    use super::json_escaped;

    #[test]
    fn json_keeps_its_strings_but_writes_c1_del_and_bidi_as_unicode_escapes() {
        let name = "Mal\u{1b}[2J\u{9b}31m\u{7f}lory \u{202e}fdp.exe\u{2066}";
        let json = serde_json::to_string_pretty(&serde_json::json!({ "name": name })).unwrap();
        let safe = json_escaped(&json);
        assert!(safe
            .chars()
            .all(|c| c == '\n' || !crate::domain::controls::is_unsafe(c)));
        assert!(
            safe.contains(r"\u009b31m\u007flory \u202efdp.exe\u2066"),
            "{safe}"
        );
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back["name"], name);
    }
}
