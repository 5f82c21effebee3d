//! Where the sender's signature starts: a delimiter, a closing, a "Sent from my …" line, a
//! "-Name" line, the sender's own name, or a trailing block of contact lines.

use crate::ingest::signature::{is_contact_line, is_name_like, is_person_name};
use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

const MAX_SIGNATURE_LINES: usize = 30;

/// A line that is only a rule: dashes or underscores (two or more), a dash of another width,
/// or a short run of "=" or "+" ("==", "++++"), which some people type above their name.
static DELIMITER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(?:-{2,}|—|[—―─]{2,}|_{2,}|={2,4}|\+{2,4})\s*$").unwrap());

static CLOSING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)^(?:thanks(?: (?:a lot|so much|again|in advance))?|thank you(?: (?:very much|so much",
        r"|again))?|many thanks|thx|regards|best regards|kind regards|warm regards|warmest regards",
        r"|best wishes|all the best|best|cheers|sincerely|yours(?: sincerely| truly| faithfully)?",
        r"|respectfully|br|kr|obrigad[oa]|muito obrigad[oa]|(?:com os )?(?:melhores )?cumprimentos",
        r"|atenciosamente|abra[çc]os?|um abra[çc]o|beijinhos|sauda[çc][õo]es|mit freundlichen gr[üu](?:ß|ss)en",
        r"|freundliche gr[üu](?:ß|ss)e|viele gr[üu](?:ß|ss)e|beste gr[üu](?:ß|ss)e|liebe gr[üu](?:ß|ss)e",
        r"|gr[üu](?:ß|ss)e|lg|vg|mfg|(?:met )?vriendelijke groet(?:en)?|hartelijke groet(?:en)?",
        r"|groet(?:en|jes)?|mvg|(?:bien )?cordialement|bien [àa] vous|(?:meilleures |sinc[èe]res )?salutations",
        r"|merci(?: beaucoup)?|bonne journ[ée]e|saludos(?: cordiales)?|un saludo|atentamente",
        r"|(?:muchas )?gracias|un abrazo|cordiali saluti|distinti saluti|saluti|grazie",
        r"|(?:med )?venn?lig hilsen|mvh|hilsen|(?:med )?v[äa]nliga h[äa]lsningar|h[äa]lsningar",
        r"|pozdrawiam|z powa[żz]aniem|s pozdravem)\b(?P<rest>.*)$"
    ))
    .unwrap()
});

static SENT_FROM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)^(?:sent|envoy[ée]|enviado|gesendet|verzonden|verstuurd|inviato|skickat|sendt",
        r"|wys[łl]ane|odesl[áa]no|get|obter)\b.{0,30}?\b(?:from|with|de|desde|von|vanaf|met|da",
        r"|fr[åa]n|fra|par|avec|depuis|com|do|dal|via|for|para|z|by)\b(?P<rest>.*)$|^(?i:von meinem .* gesendet)"
    ))
    .unwrap()
});

static DEVICE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)iphone|ipad|android|blackberry|samsung|galaxy|mobile|m[óo]vil|outlook|mail|htc",
        r"|phone|device|telem[óo]vel|handy|tablet|\bios\b|windows|nokia|huawei|xiaomi|pixel|ipod",
        r"|\bcell\b|galaxy|alcatel|motorola|sony|lg\b"
    ))
    .unwrap()
});

/// "From my …" with the verb left out, in the languages of the device footers ("Desde mi
/// teléfono", "Von meinem iPad", "С моего телефона").
static FROM_MY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)^(?:from my|desde mi|do meu|da minha|de mon|de ma|depuis mon|depuis ma|dal mio",
        r"|dalla mia|von meinem|van mijn|vanaf mijn|fr[åa]n min|fra min|z mojego|z mojej|z m[ée]ho",
        r"|z m[ôo]jho|с моего|с моей|з мого|з моєї)\s"
    ))
    .unwrap()
});

static DASH_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s?[-–—]\s*\p{L}[\p{L}.'’]*(?:\s+\p{L}[\p{L}.'’]*){0,2}\s*$").unwrap()
});

pub(super) fn line_starts(text: &str) -> Vec<Range<usize>> {
    let mut starts = Vec::new();
    let mut offset = 0;
    for piece in text.split_inclusive('\n') {
        starts.push(offset..offset + piece.len());
        offset += piece.len();
    }
    starts
}

pub(super) fn line_text<'a>(text: &'a str, range: &Range<usize>) -> &'a str {
    text.get(range.clone())
        .unwrap_or("")
        .trim_end_matches(['\n', '\r'])
}

/// The first line, at or after `from`, where a signature starts.
pub(super) fn signature_start(lines: &[&str], from: usize, sender: Option<&str>) -> Option<usize> {
    let remaining = non_blank_suffix_counts(lines);
    let contact_block =
        contact_block_start(lines).map(|start| block_below_reply(lines, start, from));
    (from..lines.len()).find(|&index| {
        let line = lines[index].trim();
        !line.is_empty()
            && remaining[index] <= MAX_SIGNATURE_LINES
            && (is_delimiter(lines, index)
                && remaining[index] > 1
                && !separates_reply(lines, index)
                || is_closing(lines, index)
                || is_sent_from(line) && remaining[index] <= 4
                || is_dash_name(lines, index) && remaining[index] <= 10
                || is_sender_block(lines, index, sender, remaining[index])
                || contact_block == Some(index))
    })
}

/// A line that is only a signature delimiter ("--", "__", "==", "———").
pub(super) fn is_rule_line(line: &str) -> bool {
    DELIMITER.is_match(line)
}

/// "-- ", "---", "_____" — but not the "-------" underlining a heading just above it.
fn is_delimiter(lines: &[&str], index: usize) -> bool {
    let line = lines[index].trim();
    let above = index.checked_sub(1).map_or("", |i| lines[i].trim());
    let underlines_heading = !above.is_empty()
        && !above.ends_with(['.', '?', '!', ',', ':'])
        && line.chars().count() >= 3
        && line.chars().count().abs_diff(above.chars().count()) <= 2;
    DELIMITER.is_match(line)
        && !underlines_heading
        && !opens_a_list(lines, index)
        && !closes_a_list(lines, index)
}

/// Whether the first line below `index` that is not blank is a numbered or bulleted item
/// ("1. Pricing", "• Delivery"): the rule above it separates parts of the text, as no
/// signature starts with a list.
fn opens_a_list(lines: &[&str], index: usize) -> bool {
    next_non_blank(lines, index).is_some_and(|line| LIST_ITEM.is_match(line))
}

/// Whether the rule at `index` ends a list that the same rule opened above it.
fn closes_a_list(lines: &[&str], index: usize) -> bool {
    let rule = lines[index].trim();
    previous_non_blank(lines, index).is_some_and(|line| LIST_ITEM.is_match(line))
        && (0..index).any(|above| lines[above].trim() == rule && opens_a_list(lines, above))
}

static LIST_ITEM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:\d{1,2}[.)]|[•*▪◦])\s+\S").unwrap());

/// An underscore rule with the sender's closing further down separates two parts of the
/// reply; the signature starts at the closing ("--" is the signature delimiter whatever
/// follows).
fn separates_reply(lines: &[&str], index: usize) -> bool {
    lines[index].trim().starts_with('_')
        && (index + 1..lines.len()).any(|later| is_closing(lines, later))
}

/// `counts[i]` = number of non-blank lines from `i` to the end.
fn non_blank_suffix_counts(lines: &[&str]) -> Vec<usize> {
    let mut counts = vec![0; lines.len() + 1];
    for index in (0..lines.len()).rev() {
        counts[index] = counts[index + 1] + usize::from(!lines[index].trim().is_empty());
    }
    counts
}

fn next_non_blank<'a>(lines: &[&'a str], index: usize) -> Option<&'a str> {
    lines
        .iter()
        .skip(index + 1)
        .map(|l| l.trim())
        .find(|l| !l.is_empty())
}

fn previous_non_blank<'a>(lines: &[&'a str], index: usize) -> Option<&'a str> {
    lines[..index]
        .iter()
        .rev()
        .map(|l| l.trim())
        .find(|l| !l.is_empty())
}

/// "Regards,", "Thanks!", "Best, Ana", "Obrigado," — followed by nothing or a short line.
fn is_closing(lines: &[&str], index: usize) -> bool {
    let Some(rest) = CLOSING
        .captures(lines[index].trim())
        .and_then(|c| c.name("rest"))
    else {
        return false;
    };
    let name = rest
        .as_str()
        .trim_start_matches(|c: char| c.is_whitespace() || ",.!;:-–—".contains(c));
    let name = name.trim_end_matches(|c: char| c.is_whitespace() || ",.!".contains(c));
    let name_ok = name.is_empty() || (name.split_whitespace().count() <= 3 && is_name_like(name));
    name_ok && next_non_blank(lines, index).is_none_or(is_short_line)
}

fn is_short_line(line: &str) -> bool {
    line.chars().count() <= 60 && line.split_whitespace().count() <= 8 && !line.ends_with('?')
}

/// "Sent from my iPhone", "Enviado desde mi BlackBerry", "(sent from a phone)", "Sent from
/// my cell, please excuse typos", but not "Sent from my desk, is …".
pub(super) fn is_sent_from(line: &str) -> bool {
    let line = line
        .trim()
        .trim_matches(|c: char| c.is_whitespace() || "()[]<>-—_*".contains(c));
    if super::device::is_device_signature(line) {
        return true;
    }
    if line.split_whitespace().count() > 12 {
        return false;
    }
    // A footer with an apology after a comma: the part before it must name a device.
    if let Some((footer, _)) = line.split_once(',') {
        return DEVICE.is_match(footer) && is_sent_from(footer);
    }
    // "From my iPhone 6", "Desde mi teléfono con <app>": the verb left out, a device after
    // "from my".
    if FROM_MY.is_match(line) {
        let device = DEVICE.is_match(line) || super::device::names_a_device(line);
        return device && is_device_and_app(line);
    }
    let Some(captures) = SENT_FROM.captures(line) else {
        return false;
    };
    let rest = captures.name("rest").map_or("", |m| m.as_str());
    rest.split_whitespace().count() <= 4 || DEVICE.is_match(rest)
}

/// The words after "from my": a device of one or two words, or a device and the app it was
/// sent with ("teléfono con SIJÚ", "iPad mit GMX"), not a sentence ("móvil no puedo abrirlo").
fn is_device_and_app(line: &str) -> bool {
    const WITH: &[&str] = &[
        "with", "con", "avec", "mit", "met", "med", "com", "z", "с", "з",
    ];
    let words: Vec<&str> = line.split_whitespace().collect();
    words.len() <= 4 || words.len() <= 6 && WITH.contains(&words[3].to_lowercase().as_str())
}

/// "-Abhishek Kona", "- roman", but not an item of a dashed list.
fn is_dash_name(lines: &[&str], index: usize) -> bool {
    let is_list_item =
        |line: Option<&str>| line.is_some_and(|l| l.starts_with(['-', '–', '—', '*', '•']));
    DASH_NAME.is_match(lines[index])
        && !is_list_item(previous_non_blank(lines, index))
        && !is_list_item(next_non_blank(lines, index))
}

/// The sender's name followed by a few short lines ("Stavros Papadopoulos\nvia mobile").
fn is_sender_block(lines: &[&str], index: usize, sender: Option<&str>, remaining: usize) -> bool {
    let usable_sender = sender.filter(|s| s.chars().any(char::is_alphabetic) && !s.contains('@'));
    let line = lines[index].trim();
    let rest_is_short = || {
        let mut rest = lines[index + 1..].iter().map(|l| l.trim());
        rest.all(|l| l.is_empty() || is_short_line(l))
    };
    // The counts are cheap and rule out most lines before the allocating name comparison.
    (2..=8).contains(&remaining)
        && line.split_whitespace().count() <= 6
        && usable_sender.is_some_and(|s| is_person_name(line, Some(s)))
        && rest_is_short()
}

/// Where a contact block that starts at `start` begins below the reply: a block that reaches
/// above `from` took the reply's first line in ("Danke." reads like a name), so it begins at
/// the next paragraph, if there is one.
fn block_below_reply(lines: &[&str], start: usize, from: usize) -> usize {
    if start >= from {
        return start;
    }
    let paragraph = |i: &usize| lines[*i - 1].trim().is_empty() && !lines[*i].trim().is_empty();
    (from.max(1)..lines.len()).find(paragraph).unwrap_or(start)
}

/// A postal code followed by a capitalised place name ("A-1000 Wien", "00-950 Warszawa",
/// "1100-053 Lisboa").
static POSTAL_CODE_AND_PLACE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[\s,])(?:\p{Lu}{1,3}-)?\d{2,5}(?:-\d{3})?\s+\p{Lu}\p{Ll}{2,}").unwrap()
});

/// A short address line of a signature ("ul. Długa 15, 00-950 Warszawa"): a postal code and
/// place, at most eight words, not ended like a sentence, its lower-case words short
/// particles or abbreviations ("rue de la", "ul.", not "please deliver to").
fn is_postal_address(line: &str) -> bool {
    let sentence_word = |word: &&str| {
        word.starts_with(char::is_lowercase) && !word.ends_with('.') && word.chars().count() > 3
    };
    line.split_whitespace().count() <= 8
        && line.chars().count() <= 60
        && !line.ends_with(['.', '!', '?', ':', ';', ','])
        && !line.split_whitespace().any(|word| sentence_word(&word))
        && POSTAL_CODE_AND_PLACE.is_match(line)
}

/// Start of the trailing block of name-like, address, contact and device-footer lines ("Sent
/// from my iPhone" below the sender's details), if it holds a contact line.
fn contact_block_start(lines: &[&str]) -> Option<usize> {
    let mut start = None;
    let mut has_contact = false;
    let mut count = 0;
    for (index, line) in lines.iter().enumerate().rev() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if is_contact_line(line) {
            has_contact = true;
        } else if !is_name_like(line) && !is_postal_address(line) && !is_sent_from(line) {
            break;
        }
        count += 1;
        if count > 10 {
            return None;
        }
        start = Some(index);
    }
    // The block's non-blank lines run to the end: `count` of them.
    if let Some(index) = start.filter(|_| count == 1) {
        has_contact &= crate::ingest::signature::is_contact_line_alone(lines[index].trim());
    }
    start.filter(|_| has_contact)
}
