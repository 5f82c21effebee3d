//! "Label: value" lines read by their shape, whatever the label's language: the header
//! blocks that mail clients print above quoted and forwarded messages.
//!
//! A label is one to three words of letters (with the combining marks of Thai, Indic and
//! other scripts), none longer than [`MAX_LABEL_WORD_CHARS`], optionally in `*bold*`
//! markers, followed by a colon (or a full-width one) and a value.

use regex::Regex;
use std::sync::LazyLock;

/// The label and the start of the value. Words are separated by single blanks, so the
/// pattern reads each line one way only.
static LABELLED_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^[\s*]*(?P<label>\p{L}[\p{L}\p{M}.'’-]*(?:\s\p{L}[\p{L}\p{M}.'’-]*){0,2})[\s*]*[:：]\**\s*(?P<value>\S)",
    )
    .expect("the labelled line pattern is valid")
});

/// The longest word of a header label, in characters. The length is checked in code rather
/// than by a counted repetition in the pattern, which would compile `\p{L}` sixty times over
/// (megabytes of automaton, BENCHMARKS.md).
const MAX_LABEL_WORD_CHARS: usize = 21;

/// A time of day ("10:15", "10.15"): what marks a header block's date line.
static TIME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d{1,2}[:.]\d{2}").expect("the time pattern is valid"));

/// The label and value of a "Label: value" line, both trimmed.
pub(crate) fn label_and_value(line: &str) -> Option<(&str, &str)> {
    let caps = LABELLED_LINE.captures(line)?;
    let label = caps.name("label")?.as_str();
    let value = caps.name("value").map_or("", |v| line[v.start()..].trim());
    let short = label
        .split_whitespace()
        .all(|word| word.chars().count() <= MAX_LABEL_WORD_CHARS);
    // "https://…" is a link, not a label and its value.
    (short && !value.starts_with("//")).then_some((label, value))
}

/// Whether the line is "Label: value" with a short label of letters.
pub(crate) fn is_labelled_line(line: &str) -> bool {
    label_and_value(line).is_some()
}

/// Whether the text holds a time of day.
pub(crate) fn has_time(text: &str) -> bool {
    TIME.is_match(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_in_scripts_with_combining_marks_are_read() {
        for (line, label) in [
            ("ส่ง: 3 ธันวาคม 2026 10:15", "ส่ง"),
            ("เรื่อง: ใบเสนอราคา", "เรื่อง"),
            ("भेजा गया: गुरुवार, 3 दिसंबर 2026 10:15", "भेजा गया"),
            ("প্রেরক: Bob <bob@corp.example>", "প্রেরক"),
            ("அனுப்புநர்: Bob <bob@corp.example>", "அனுப்புநர்"),
            ("*Đã gửi:* Thứ Năm, 10:15", "Đã gửi"),
            ("Від кого: Bob", "Від кого"),
        ] {
            assert_eq!(label_and_value(line).map(|(l, _)| l), Some(label), "{line}");
        }
    }

    #[test]
    fn the_value_is_read_without_bold_markers_and_blanks() {
        assert_eq!(
            label_and_value("*Von:* Bob <bob@corp.example>  "),
            Some(("Von", "Bob <bob@corp.example>"))
        );
    }

    #[test]
    fn prose_and_long_labels_are_not_labelled_lines() {
        for line in [
            "We met last week and agreed: the pilot starts in May",
            "Note: ",
            "Unbelievablylongwordthatisnolabel: value",
            "10:15 is fine",
            "https://example.com/path",
        ] {
            assert!(!is_labelled_line(line), "{line}");
        }
    }
}
