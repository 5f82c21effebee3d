//! `On <date>, <name> <addr> wrote:` lines in the common languages: the sender and date they
//! give.

use regex::Regex;
use std::sync::LazyLock;

use super::addresses::{clean_name, ADDRESS};
use super::candidates::Header;
use super::{ForwardedAddress, Line};

/// The verb of a quote line in the common languages.
static WROTE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)\b(?:wrote|writes|schrieb|schreef|geschreven|a écrit|escribió|escreveu|",
        r"ha scritto|scrisse|skrev|napsal|napisał|napisała|napísal|kirjoitti|írta|написал|",
        r"написала|написав|yazdı|kirjutas|rašė|rakstīja|έγραψε)\b|写道|寫道|のメッセージ",
    ))
    .expect("valid pattern")
});
/// The address in a quote line: `<a@b>`, `(a@b)`, `(<a@b>)`, `[mailto:a@b]` or bare.
static QUOTED_ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"[(<\[]*(?:mailto:)?({ADDRESS})[)>\]]*")).expect("valid pattern")
});
/// A numeric date with an optional time: "28/10/2021 12:46", "28.10.21, 9:31 PM".
static NUMERIC_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}",
        r"(?:,?\s+\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?)?",
    ))
    .expect("valid pattern")
});

/// A quote line at `index`, possibly wrapped over up to three lines: the line after it, the
/// sender and date it gives, and whether it has its verb. A line without one ("03.03.2026,
/// 10:21, "Ana" <ana@x.org>:", as Yandex heads a forward) has a numeric date instead; the
/// caller takes it only below a forward title.
pub(super) fn wrote_line_at(lines: &[Line], index: usize) -> Option<(usize, Header, bool)> {
    let mut text = String::new();
    for (offset, line) in lines[index..].iter().take(3).enumerate() {
        if line.is_blank() || text.len() > 400 {
            return None;
        }
        text.push_str(line.content().trim());
        if text.ends_with([':', '：']) {
            let has_verb = WROTE.is_match(&text);
            let dated = has_verb || NUMERIC_DATE.is_match(&text);
            let header = dated.then(|| parse_wrote_line(&text)).flatten()?;
            return Some((index + offset + 1, header, has_verb));
        }
        text.push(' ');
    }
    None
}

fn parse_wrote_line(text: &str) -> Option<Header> {
    let found = QUOTED_ADDRESS.captures(text)?;
    let (whole, address) = (found.get(0)?, found.get(1)?);
    let before = &text[..whole.start()];
    let name = name_before_address(before).filter(|n| !n.eq_ignore_ascii_case(address.as_str()));
    let date = NUMERIC_DATE
        .find(text)
        .map(|m| m.as_str().to_string())
        .or_else(|| date_before_name(before));
    let from = ForwardedAddress {
        name,
        address: address.as_str().to_string(),
    };
    Some(Header {
        from: Some(from),
        date,
        ..Header::default()
    })
}

/// The sender's name just before the address: a quoted name, else the run
/// of capitalised words ("… időpontban John Doe (…)" → "John Doe").
fn name_before_address(before: &str) -> Option<String> {
    let before = before.trim_end();
    if let Some(quoted) = quoted_tail(before) {
        return clean_name(quoted);
    }
    let words: Vec<&str> = before.split_whitespace().collect();
    let mut first = words.len();
    while first > 0
        && is_name_word(
            words[first - 1],
            first >= 2 && is_name_word(words[first - 2], false),
        )
    {
        first -= 1;
    }
    clean_name(&words[first..].join(" "))
}

/// The text inside a closing quote at the end of `text`, if it ends with one.
fn quoted_tail(text: &str) -> Option<&str> {
    let close = text.chars().next_back()?;
    let open: &[char] = match close {
        '"' => &['"'],
        '»' => &['«'],
        '”' => &['„', '“', '”'],
        '\'' => &['\''],
        _ => return None,
    };
    let inner = &text[..text.len() - close.len_utf8()];
    let start = inner.rfind(open)?;
    let open_len = inner[start..].chars().next()?.len_utf8();
    Some(&inner[start + open_len..])
}

/// A word of a person's name: capitalised (or caseless script), no digits;
/// a lower-case particle ("van", "de") only after another name word.
fn is_name_word(word: &str, after_name_word: bool) -> bool {
    let Some(first) = word.chars().next() else {
        return false;
    };
    if word.ends_with(',')
        || word.chars().any(|c| c.is_ascii_digit())
        || matches!(word, "AM" | "PM")
    {
        return false;
    }
    let particle = matches!(
        word,
        "van" | "von" | "de" | "der" | "den" | "da" | "di" | "le" | "la" | "del"
    );
    first.is_uppercase()
        || (first.is_alphabetic() && !first.is_lowercase())
        || (particle && after_name_word)
}

/// A date written in words before the name ("On Wed, Oct 27, 2021 at 9:31 AM John …").
fn date_before_name(before: &str) -> Option<String> {
    let name_words = name_before_address(before).map_or(0, |n| n.split_whitespace().count());
    let words: Vec<&str> = before.split_whitespace().collect();
    let kept = &words[..words.len().saturating_sub(name_words)];
    let intro = matches!(
        kept.first().map(|w| w.to_lowercase()).as_deref(),
        Some("on" | "le" | "am" | "el" | "op" | "em" | "den" | "dne" | "dnia")
    );
    let date = kept[usize::from(intro && !kept.is_empty())..].join(" ");
    let date = date.trim_matches(|c: char| c == ',' || c.is_whitespace());
    (!date.is_empty()).then(|| date.to_string())
}
