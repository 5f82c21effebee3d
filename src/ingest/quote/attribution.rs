//! Attributions read by their shape, not their wording (issue 15): a short line, possibly
//! wrapped over two or three, that holds a date or a time and a name or an address, and ends
//! in a colon. Words ("wrote", "schrieb", "написал", "写道" …) are evidence that lets such a
//! line stand alone; without them the line must be followed by quoted text.

use regex::Regex;
use std::ops::Not;
use std::sync::LazyLock;

use super::headers::LEADING_INTRO;
use super::is_quote_line;

/// Most lines an attribution is wrapped over.
const MAX_LINES: usize = 3;
/// Longest attribution, in characters, once its lines are joined.
const MAX_CHARS: usize = 320;

/// A time ("10:21", "kl. 13:09", "上午10:21"), a numeric date ("3.03.2020", "2020/3/3",
/// "2020-03-03"), a day and a month word or year ("3 mar", "18. apr."), or a CJK date.
static DATE_OR_TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\d{1,2}:\d{2}|\b\d{1,2}\s?[ap]\.?m\b|\b\d{1,2}h\d{2}\b",
        r"|\b\d{1,4}[./-]\s?\d{1,2}[./-]\s?\d{2,4}\b|\b\d{1,2}\.?\s+\p{L}{3,}",
        r"|\b(?:19|20)\d{2}\b|\d{1,4}\s?[年월月일日]"
    ))
    .unwrap()
});

static TIME: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\d{1,2}:\d{2}").unwrap());

/// A time written with a dot ("10.21", as Danish, Finnish and Indonesian clients write it)
/// after a year: with the year it cannot be a day and month.
static DOTTED_TIME_AFTER_YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:19|20)\d{2}\b.{0,40}\b\d{1,2}\.\d{2}\b").unwrap());

static BRACKETED_ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[<(\[][^\s<>@()\[\]]+@[^\s<>@()\[\]]+\.[^\s<>@()\[\]]+[>)\]]").unwrap()
});

static ADDRESS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[^\s<>@()\[\]]+@[^\s<>@()\[\]]+\.[^\s<>@()\[\]]+").unwrap());

/// The verb (or "from") of an attribution in the languages of the forward corpus and
/// Chinese, Japanese, Korean, Arabic, Hebrew, Greek, Bulgarian and Serbian, taken from the
/// mail clients' localisations.
static VERB: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?:\b(?:wrote|writes|schrieb|schreef|geschreven|a [ée]crit|escribi[óo]|escreveu",
        r"|napisa[łl](?:a|o)?(?:\(a\))?|napisana przez|pisze|pisa[łl]a?|napisao|napisala|nap[íi]sal[a]?|napsal[a]?|skrev|skreiv|skrivit",
        r"|kirjoitti|ha scritto|scrisse|a scris|đã viết|írta|yazdı|kirjutas|rašė|rakstīja",
        r"|menulis|escriure|escrit|escribieron|[ée]crivait|escrib[íi]a|scriveva|escrevia|писал[аи]?",
        r"|написал[аи]?|написав|написа|написао|написала|пише|пишет|έγραψε|γράφει|كتب)",
        r"|เขียน|ने लिखा",
        r"|写道|寫道|書きました|のメッセージ|のメール|작성|님이 작성|쓴 글|כתב|כתבה|מאת)"
    ))
    .unwrap()
});

/// Whether `text` holds the verb of an attribution ("wrote", "schrieb", "写道" …).
pub(super) fn has_attribution_verb(text: &str) -> bool {
    VERB.is_match(text)
}

/// A letter word of at least two letters that is not a bare month or weekday abbreviation
/// test: enough to say the line names someone besides its date.
static WORD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\p{L}{2,}").unwrap());

/// The number of lines of a shape-read attribution starting at `start`, if one does.
pub(super) fn attribution_len(lines: &[&str], start: usize) -> Option<usize> {
    let first = unemphasised(lines.get(start)?);
    let names_address_next = lines
        .get(start + 1)
        .is_some_and(|next| opens_with_bracket(unemphasised(next)));
    let has_parts = first.contains(|c: char| c.is_numeric() || c == '@' || c == '<');
    if !has_parts && !VERB.is_match(first) && !names_address_next {
        return None;
    }
    let mut joined = String::new();
    for count in 1..=MAX_LINES {
        let line = unemphasised(lines.get(start + count - 1)?);
        let wrapped_bracket = count > 1 && line == ">:";
        if line.is_empty() || (is_quote_line(line) && !wrapped_bracket) {
            return None;
        }
        if count > 1 && ends_with_colon(&joined) {
            return None;
        }
        joined.push_str(if joined.is_empty() { "" } else { " " });
        joined.push_str(line);
        if joined.chars().count() > MAX_CHARS {
            return None;
        }
        let read = (is_attribution_text(&joined)
            && followed_by_history(lines, start + count, &joined))
            // Without its colon, a line with nothing below it is the reply's own last line.
            || (is_colonless_attribution(&joined) && next_text_line(lines, start + count).is_some());
        if read {
            return starts_later(lines, start, count).not().then_some(count);
        }
    }
    None
}

/// Whether the attribution really starts on a later line (the first is the reply's text).
fn starts_later(lines: &[&str], start: usize, count: usize) -> bool {
    if count > 1 && wraps_into(lines[start], lines[start + 1]) {
        return false;
    }
    (start + 1..start + count).any(|later| {
        let rest: Vec<&str> = lines[later..start + count]
            .iter()
            .map(|l| unemphasised(l))
            .collect();
        is_attribution_text(&rest.join(" "))
    })
}

/// A line without surrounding blanks and emphasis markers ("*On … wrote:*", as flattened
/// HTML leaves a bold attribution).
pub(super) fn unemphasised(line: &str) -> &str {
    line.trim().trim_matches(['*', '_']).trim()
}

fn opens_with_bracket(line: &str) -> bool {
    line.starts_with(['<', '(', '['])
}

/// Whether `first` is the head of an attribution that a client wrapped onto `next` ("On Tue,
/// Mar 3, 2020" above "at 10:21 AM John Doe <john@x.org> wrote:", "John Doe" above
/// "<john@x.org> escreveu …:"), not a line of the reply right above one. The head does not end
/// a sentence and starts like an attribution (an intro word) or holds one of its parts (a
/// date, an address, a verb); the next line continues it (lower case, a digit, a bracket) and
/// does not open an attribution of its own with a capitalised intro word.
pub(super) fn wraps_into(first: &str, next: &str) -> bool {
    let (first, next) = (unemphasised(first), unemphasised(next));
    let Some(next_start) = next.chars().next() else {
        return false;
    };
    if first.is_empty() || ends_sentence(first) || opens_attribution(next) {
        return false;
    }
    if opens_with_bracket(next) {
        return true;
    }
    let intro = LEADING_INTRO.is_match(&format!("{first} "));
    let has_parts =
        first.contains(|c: char| c.is_numeric() || c == '@' || c == '<') || VERB.is_match(first);
    let continues = next_start.is_lowercase() || next_start.is_numeric();
    first.split_whitespace().count() <= HEAD_WORDS && (intro || (has_parts && continues))
}

/// Most words of the head line of a wrapped attribution.
const HEAD_WORDS: usize = 10;

/// A capitalised intro word ("On", "Le", "Am", "W dniu"): an attribution starts on this line.
fn opens_attribution(line: &str) -> bool {
    line.starts_with(char::is_uppercase) && LEADING_INTRO.is_match(line)
}

/// Ends like a sentence: "!", "?", ":" or ";", or a full stop after a word of five letters or
/// more (an abbreviation such as "мар.", "tir." or "févr." does not end one).
fn ends_sentence(line: &str) -> bool {
    if line.ends_with(['!', '?', ':', ';', '：', '。']) {
        return true;
    }
    let Some(stem) = line.strip_suffix('.') else {
        return false;
    };
    let last = stem.rsplit(char::is_whitespace).next().unwrap_or(stem);
    last.chars().filter(|c| c.is_alphabetic()).count() >= 5
}

fn ends_with_colon(text: &str) -> bool {
    text.trim_end().ends_with([':', '：'])
}

/// Zoho's "---- On <date> <name> <address> wrote ----" in any language: a line framed by
/// dashes whose inside holds a year, a time and an address, whatever its verb (a framed
/// heading such as "---- Call notes 10:30 ----" names no address).
pub(super) fn is_framed_by_dashes(line: &str) -> bool {
    let line = unemphasised(line);
    let Some(inner) = line.strip_prefix("--").and_then(|l| l.strip_suffix("--")) else {
        return false;
    };
    let inner = inner.trim_matches(['-', ' ']);
    inner.split_whitespace().count() <= 30
        && TIME.is_match(inner)
        && YEAR.is_match(inner)
        && ADDRESS.is_match(inner)
}

static YEAR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b(?:19|20)\d{2}\b").unwrap());

/// A name and its bracketed address ending in a colon, alone or after the word Horde puts in
/// front in its locales ("Quoting", "Citaat van", "Citerar", "Цитата" …): "Lena Berg
/// <lena@x.org>:". The caller asks for quoted text right below.
pub(super) fn is_address_intro(line: &str) -> bool {
    let line = unemphasised(line);
    let Some(head) = line.strip_suffix([':', '：']).map(str::trim_end) else {
        return false;
    };
    let Some(intro) = before_final_address(head).map(str::trim) else {
        return false;
    };
    let name = QUOTING
        .find(intro)
        .map_or(intro, |word| &intro[word.end()..]);
    is_name_or_nothing(name)
}

/// The text before the bracketed address that ends `text`, if one does ("Ana Berg " of
/// "Ana Berg <ana@x.org>").
fn before_final_address(text: &str) -> Option<&str> {
    let address = BRACKETED_ADDRESS.find_iter(text).last()?;
    (address.end() == text.len()).then(|| &text[..address.start()])
}

/// Nothing but blanks and quotes, or a person's name.
fn is_name_or_nothing(text: &str) -> bool {
    let name = text.trim().trim_matches('"');
    name.is_empty() || crate::ingest::signature::is_name_like(name)
}

/// Horde's "Quoting" in its locales, before the quoted sender's name.
static QUOTING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)^(?:quoting|zitat von|citation de|citando|citaat van|citerar|citerer|siterer",
        r"|cytowanie|citace|citát|lainaus|idézet|alıntı|citat|цитата|цитирую)\s"
    ))
    .unwrap()
});

/// Shape alone: ends in a colon, holds a date or time, and a name or address.
pub(super) fn is_attribution_text(joined: &str) -> bool {
    attribution_shaped(joined).is_some_and(|text| {
        ends_with_colon(text)
            && DATE_OR_TIME.is_match(text)
            && (ADDRESS.is_match(text) || WORD.find_iter(text).count() >= 2)
    })
}

/// The joined lines without leading rules and emphasis, when they are short enough for an
/// attribution and hold no link.
fn attribution_shaped(joined: &str) -> Option<&str> {
    let text = joined.trim().trim_start_matches(['-', '*', '_', ' ']);
    (!text.contains("://") && text.split_whitespace().count() <= 40).then_some(text)
}

/// An attribution whose colon was lost (a template without one, or a client that dropped
/// it): without the colon it needs all of its other parts. A date with its year and a time;
/// the verb ending it, or followed only by the name and bracketed address ("schrieb Ana
/// <ana@x.org>"); and an address or an intro word ("On", "Am", "Le" …) to say whose it is.
/// "On 3 Mar 2026 at 10:21 Ana <ana@x.org> wrote the summary" goes on as a sentence.
fn is_colonless_attribution(joined: &str) -> bool {
    let Some(text) = attribution_shaped(joined) else {
        return false;
    };
    let timed = TIME.is_match(text) || DOTTED_TIME_AFTER_YEAR.is_match(text);
    let owned = ADDRESS.is_match(text) || LEADING_INTRO.is_match(&format!("{text} "));
    !ends_with_colon(text) && timed && DATED.is_match(text) && owned && ends_with_verb(text)
}

/// A year, or a numeric date whose last part may be a two-digit year ("3/3/26").
static DATED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:19|20)\d{2}\b|\b\d{1,2}[./-]\d{1,2}[./-]\d{2}\b|\d{4}\s?年").unwrap()
});

/// The last verb ends the text, or only a name and its bracketed address follow it.
fn ends_with_verb(text: &str) -> bool {
    let Some(verb) = VERB.find_iter(text).last() else {
        return false;
    };
    let tail = &text[verb.end()..];
    let tail = GENDER_ENDING
        .find(tail)
        .map_or(tail, |ending| &tail[ending.end()..]);
    let tail = tail.trim_matches(|c: char| c.is_whitespace() || c == '*' || c == '_');
    tail.is_empty() || before_final_address(tail).is_some_and(is_name_or_nothing)
}

/// A verb's gender ending written after it ("написал(а)", "napisał/a").
static GENDER_ENDING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:\(\p{L}{1,2}\)|/\p{L}{1,2}\b)").unwrap());

/// The first line from `next` on that is not blank, trimmed.
fn next_text_line<'a>(lines: &[&'a str], next: usize) -> Option<&'a str> {
    lines[next.min(lines.len())..]
        .iter()
        .map(|l| l.trim())
        .find(|l| !l.is_empty())
}

/// A verb makes the attribution stand on its own; otherwise quoted text must follow (an
/// address and a time are enough to cut unquoted history too).
fn followed_by_history(lines: &[&str], next: usize, joined: &str) -> bool {
    // A dotted time reads like a price or a version too: it needs the address in brackets.
    let dotted = DOTTED_TIME_AFTER_YEAR.is_match(joined) && BRACKETED_ADDRESS.is_match(joined);
    let timed = ADDRESS.is_match(joined) && TIME.is_match(joined);
    if VERB.is_match(joined) && !verb_then_sentence(joined) || timed || dotted {
        return true;
    }
    next_text_line(lines, next).is_some_and(is_quote_line)
}

/// The last verb followed, right before the colon, by a lower-case word of three letters or
/// more: a sentence ("… Ola wrote the minutes:"). An attribution ends with its verb, the name
/// or address after it ("schrieb Jan Berg:"), or its date and time ("kirjoitti ti 3.3.2020
/// klo 10.21:").
fn verb_then_sentence(joined: &str) -> bool {
    let Some(verb) = VERB.find_iter(joined).last() else {
        return false;
    };
    let tail = joined[verb.end()..].trim_end_matches([':', '：', ' ', '*', '_']);
    tail.split_whitespace().last().is_some_and(|word| {
        word.chars().count() >= 3
            && word.chars().all(char::is_alphabetic)
            && word.starts_with(char::is_lowercase)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn len(text: &str) -> Option<usize> {
        let lines: Vec<&str> = text.lines().collect();
        attribution_len(&lines, 0)
    }

    #[test]
    fn attributions_in_many_languages_are_read_by_their_shape() {
        let cases = [
            "wt., 3 mar 2020 o 10:21 John Doe <john@doe.com> napisał(a):\n> x",
            "вт, 3 мар. 2020 г. в 10:21, John Doe <john@doe.com>:\n> x",
            "вт, 3 бер. 2020 о 10:21 John Doe <john@doe.com> пише:\nunquoted",
            "tir. 18. apr. 2017 kl. 13:09 skrev Test user <test@example.com\n>:\nunquoted",
            "2020年3月3日(火) 10:21 John Doe <john@doe.com>:\n> x",
            "John Doe <john@doe.com> 于2020年3月3日周二 上午10:21写道：\nx",
            "2020년 3월 3일 (화) 오전 10:21, John Doe <john@doe.com>님이 작성:\nx",
            "في الثلاثاء، 3 مارس 2020 في 10:21 ص، كتب John Doe <john@doe.com>:\nx",
            "Στις Τρί, 3 Μαρ 2020 στις 10:21 π.μ., ο/η John Doe <john@doe.com> έγραψε:\nx",
            "На вт, 3.03.2020 г. в 10:21 ч. John Doe <john@doe.com> написа:\nx",
            "2016-03-04 10:00 GMT+01:00 John Smith:\n> x",
            "ср, 5 мар. 2025 г. в 10:00, Иван <ivan@x.ru>:\n\nunquoted",
            "W dniu 03.03.2025 o 10:00, Jan Kowalski pisze:\nunquoted",
        ];
        for text in cases {
            assert!(len(text).is_some(), "{text}");
        }
    }

    #[test]
    fn a_german_attribution_wrapped_over_two_lines_is_one_attribution() {
        let text = "Am Di., 3. März 2020 um 10:21 Uhr schrieb Max Muster <\nmax@beispiel.de>:\nx";
        assert_eq!(len(text), Some(2));
    }

    #[test]
    fn the_reply_line_above_an_attribution_is_not_part_of_it() {
        assert_eq!(
            len("Hello\n02.04.2012 14:20 Bob <bob@x.org> написал:\n> Hi"),
            None
        );
    }

    #[test]
    fn a_sentence_with_a_time_and_a_colon_is_not_an_attribution_without_quotes_below() {
        assert_eq!(
            len("We meet on Monday at 10:30 with the team:\n- agenda"),
            None
        );
        assert_eq!(
            len("See https://x.org/2020/03 at 10:30 by John:\n> x"),
            None
        );
        assert_eq!(len("Thanks for the call.\n> x"), None);
    }
}
