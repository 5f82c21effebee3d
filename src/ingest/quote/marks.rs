//! Characters that change how a line looks but not what it says: the invisible direction
//! marks right-to-left clients put around names, addresses and whole lines (Gmail in Hebrew
//! and Arabic: "\u{202B}בתאריך … מאת \u{202A}John\u{202C} <john@x.org>:\u{202C}"), and the
//! typographic dashes some clients draw their separators with (Proton Mail's "‐‐‐‐‐‐‐ Original
//! Message ‐‐‐‐‐‐‐" is made of U+2010 hyphens). Lines are read through [`plain`]; the stored
//! text keeps them as written.

use std::borrow::Cow;

/// The line without direction marks, its dashes written as "-".
pub(super) fn plain(line: &str) -> Cow<'_, str> {
    if !line.chars().any(|c| is_direction_mark(c) || is_dash(c)) {
        return Cow::Borrowed(line);
    }
    let plain = line
        .chars()
        .filter(|c| !is_direction_mark(*c))
        .map(|c| if is_dash(c) { '-' } else { c })
        .collect();
    Cow::Owned(plain)
}

/// Left-to-right / right-to-left marks, embeddings, overrides and isolates (Unicode's
/// bidirectional formatting characters).
pub(super) fn is_direction_mark(c: char) -> bool {
    matches!(
        c,
        '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Hyphens and dashes other than "-": hyphen, non-breaking hyphen, figure dash, en dash,
/// minus sign and the small and full-width hyphen-minus. The em dash and horizontal bar are
/// left alone: a rule of them is a signature delimiter (`signature_split`).
fn is_dash(c: char) -> bool {
    matches!(
        c,
        '\u{2010}'..='\u{2013}' | '\u{2212}' | '\u{FE63}' | '\u{FF0D}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_marks_are_dropped_and_dashes_unified() {
        assert_eq!(plain("\u{202B}a \u{202A}b\u{202C}:\u{202C}"), "a b:");
        assert_eq!(plain("‐‐ x –– −"), "-- x -- -");
        assert!(matches!(plain("plain text"), Cow::Borrowed(_)));
        assert_eq!(plain("—— rule ——"), "—— rule ——");
    }
}
