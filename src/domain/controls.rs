//! Characters that act on a terminal or reorder text (C0 and C1 controls,
//! DEL, bidirectional formatting), and the one way text from mail holding
//! them is shown: as visible escapes.

use std::borrow::Cow;

/// U+061C, U+200E/F, U+202A–E and U+2066–9 reorder the text around them:
/// `invoice\u{202e}fdp.exe` shows as `invoiceexe.pdf`.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// A character that must not reach a terminal or a log line raw: a C0 or C1
/// control, DEL, or a bidirectional control.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// `text` with every [unsafe](is_unsafe) character but those in `keep`
/// written as a visible escape (`\r`, `\n`, `\u{1b}`, `\u{202e}`); other
/// text is kept as it is (borrowed when nothing needed escaping).
pub fn escape<'a>(text: &'a str, keep: &[char]) -> Cow<'a, str> {
    replace_chars(
        text,
        |c| is_unsafe(c) && !keep.contains(&c),
        |out, c| out.extend(c.escape_default()),
    )
}

/// `text` with every character `hidden` picks written by `write` instead;
/// borrowed when there is none. The one loop behind [`escape`] and the
/// JSON output's `\uXXXX` escapes.
pub fn replace_chars<'a>(
    text: &'a str,
    hidden: impl Fn(char) -> bool,
    write: impl Fn(&mut String, char),
) -> Cow<'a, str> {
    if !text.chars().any(&hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if hidden(c) {
            write(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c0_c1_del_and_bidi_controls_become_visible_escapes() {
        let hostile = "a\u{1b}]0;title\u{7}b\u{9b}2J\u{7f}\u{202e}fdp\u{2066}\u{200f}\u{61c}\r\n\t";
        assert_eq!(
            escape(hostile, &[]),
            "a\\u{1b}]0;title\\u{7}b\\u{9b}2J\\u{7f}\\u{202e}fdp\\u{2066}\\u{200f}\\u{61c}\\r\\n\\t"
        );
    }

    #[test]
    fn kept_layout_characters_and_ordinary_text_pass_unchanged() {
        let text = "Olá «Ωmega» 中文 \\u{1b} \u{200d}emoji\u{1f600}";
        assert!(matches!(escape(text, &[]), Cow::Borrowed(t) if t == text));
        assert_eq!(escape("a\tb\nc\u{1b}", &['\n', '\t']), "a\tb\nc\\u{1b}");
    }

    #[test]
    fn every_bidi_override_and_isolate_is_unsafe() {
        let bidi = [
            '\u{61c}', '\u{200e}', '\u{200f}', '\u{202a}', '\u{202e}', '\u{2066}', '\u{2069}',
        ];
        assert!(bidi.iter().all(|c| is_unsafe(*c)));
        assert!(!is_unsafe('\u{200d}') && !is_unsafe('é') && !is_unsafe(' '));
    }
}
