//! Header blocks: a run of header lines with a From and at least one of Date/Subject/To/Cc,
//! tolerating the blank lines of HTML-to-text and wrapped recipient lists.

use super::addresses::{parse_address_list, parse_sender, ADDRESS_TOKEN};
use super::candidates::Header;
use super::labels::{header_line, Field};
use super::{Line, MAX_BLOCK_LINES};
use crate::ingest::labelled_line::has_time;

/// A run of header lines starting at `index` with a From and at least one
/// of Date/Subject/To/Cc; returns the line after it and the fields.
pub(super) fn header_block_at(lines: &[Line], index: usize) -> Option<(usize, Header)> {
    let (next, header, seen) = header_lines_at(lines, index);
    let has_other = seen
        .iter()
        .any(|f| matches!(f, Field::Date | Field::Subject | Field::To | Field::Cc));
    (header.from.is_some() && has_other).then_some((next, header))
}

/// Lotus Notes' memo head: the sender alone on a line with an address ("Ana Souza
/// <ana@x.org>"), the date and time alone on the next, then the To, cc and Subject lines
/// (Notes puts it below its "----- Forwarded by … -----" title).
pub(super) fn memo_block_at(lines: &[Line], index: usize) -> Option<(usize, Header)> {
    let sender = lines[index].content().trim();
    if !sender.contains('@') || header_line(sender).is_some() {
        return None;
    }
    let from = parse_sender(sender).filter(|from| is_sender_alone(sender, &from.address))?;
    let date = lines.get(index + 1)?.content().trim();
    let date_alone = date.split_whitespace().count() <= 6
        && has_time(date)
        && crate::ingest::dates::parse_client_date(date, chrono_tz::UTC).is_some();
    if !date_alone {
        return None;
    }
    let rest = (index + 2..lines.len().min(index + 5)).find(|&i| !lines[i].is_blank())?;
    let (next, mut header, seen) = header_lines_at(lines, rest);
    let addressed = seen.iter().any(|f| matches!(f, Field::To | Field::Subject));
    if !addressed || seen.contains(&Field::From) {
        return None;
    }
    header.from = Some(from);
    header.date = Some(date.to_string());
    Some((next, header))
}

/// The line holds only the sender: a name (or nothing) and the address, nothing after it.
fn is_sender_alone(line: &str, address: &str) -> bool {
    let Some(at) = line.find(address) else {
        return false;
    };
    let after = line[at + address.len()..].trim_matches(['>', ' ', '"']);
    let name = line[..at]
        .trim()
        .trim_end_matches('<')
        .trim()
        .trim_matches('"');
    !address.is_empty()
        && after.is_empty()
        && (name.is_empty() || crate::ingest::signature::is_name_like(name))
}

/// The header lines from `index` on: the line after them, the fields read, and which.
fn header_lines_at(lines: &[Line], index: usize) -> (usize, Header, Vec<Field>) {
    let mut seen: Vec<Field> = Vec::new();
    let mut header = Header::default();
    let mut next = index;
    // Two header lines next to each other: the block is laid out line by line, and a blank
    // line ends it (what follows is the body, even when it starts "Date: next Tuesday …").
    let mut adjacent = false;
    while next < lines.len() && next - index < MAX_BLOCK_LINES {
        if let Some((field, value)) = header_line(lines[next].content()) {
            if field != Field::Other && seen.contains(&field) {
                break;
            }
            adjacent |= next > index && !lines[next - 1].is_blank();
            seen.push(field);
            // A header table turned to text a cell a line: the label, then its value; or an
            // address wrapped inside its brackets ("Ann Lee <" over "ann@x.org>", a value
            // that is not empty, so never both).
            let below = value_below(lines, next).filter(|_| value.is_empty());
            let joined = address_wrapped_below(lines, next, value);
            let value = joined.as_deref().or(below).unwrap_or(value);
            record(&mut header, field, value);
            next += 1 + usize::from(below.is_some() || joined.is_some());
        } else if let Some((skip, field)) = gap_before_more_headers(lines, next, &seen) {
            // Spaced out (BlackBerry puts blank lines between its header lines), a block may
            // go on across a gap after adjacent lines only to the Subject it still lacks.
            if adjacent && field != Field::Subject {
                break;
            }
            next += skip;
        } else if continues_recipients(&lines[next], &seen) {
            extend_recipients(&mut header, seen.last().copied(), lines[next].content());
            next += 1;
        } else if continues_subject(lines, next, &seen) {
            let more = lines[next].content().trim();
            if let Some(subject) = header.subject.as_mut() {
                subject.push(' ');
                subject.push_str(more);
            }
            next += 1;
        } else {
            break;
        }
    }
    (next, header, seen)
}

/// The line below a label alone on its line ("From:"), when it holds a value: not blank, not
/// a header line itself.
fn value_below<'l>(lines: &'l [Line], index: usize) -> Option<&'l str> {
    let below = lines.get(index + 1)?;
    let value = below.content().trim();
    (!below.is_blank() && header_line(value).is_none()).then_some(value)
}

fn record(header: &mut Header, field: Field, value: &str) {
    let text = (!value.is_empty()).then(|| value.to_string());
    match field {
        Field::From => header.from = parse_sender(value),
        Field::To => header.to = parse_address_list(value),
        Field::Cc => header.cc = parse_address_list(value),
        Field::Date => header.date = text,
        Field::Subject => header.subject = text,
        Field::ReplyTo => header.reply_to = parse_sender(value),
        Field::Other => {}
    }
}

/// Blank lines (HTML-to-text) inside a block spaced out row by row: skipped when a header of
/// a field not seen yet follows. Returns how many lines to skip.
fn gap_before_more_headers(lines: &[Line], index: usize, seen: &[Field]) -> Option<(usize, Field)> {
    if seen.is_empty() || !lines[index].is_blank() {
        return None;
    }
    let next = (index..lines.len().min(index + 3)).find(|&i| !lines[i].is_blank())?;
    let (field, _) = header_line(lines[next].content())?;
    (field != Field::Other && !seen.contains(&field)).then_some((next - index, field))
}

/// A value whose address the client wrapped inside its brackets, joined with the line below
/// that closes them.
fn address_wrapped_below(lines: &[Line], index: usize, value: &str) -> Option<String> {
    let open = value.rfind('<')?;
    if value[open..].contains('>') {
        return None;
    }
    let below = lines.get(index + 1)?;
    let rest = below.content().trim();
    let closes = rest.contains('>') && rest.contains('@') && !rest.contains('<');
    (closes && header_line(rest).is_none()).then(|| format!("{}{rest}", value.trim_end()))
}

/// A wrapped To/Cc value: an indented or comma-continued line with an address.
fn continues_recipients(line: &Line, seen: &[Field]) -> bool {
    let content = line.content();
    matches!(seen.last(), Some(Field::To | Field::Cc))
        && content.starts_with([' ', '\t'])
        && ADDRESS_TOKEN.is_match(content)
}

/// A folded Subject value: an indented line right after it, followed by a blank line or
/// another header (so that an indented first line of the body is not taken); or a line the
/// client wrapped without indenting, between the Subject and another header line.
fn continues_subject(lines: &[Line], index: usize, seen: &[Field]) -> bool {
    let content = lines[index].content();
    let next = lines.get(index + 1);
    let header_next = next.is_some_and(|next| header_line(next.content()).is_some());
    let ends_block = header_next || next.is_some_and(Line::is_blank);
    let indented = content.starts_with([' ', '\t']);
    seen.last() == Some(&Field::Subject)
        && !lines[index].is_blank()
        && ((indented && ends_block) || header_next)
}

fn extend_recipients(header: &mut Header, field: Option<Field>, content: &str) {
    let more = parse_address_list(content);
    match field {
        Some(Field::To) => header.to.extend(more),
        Some(Field::Cc) => header.cc.extend(more),
        _ => {}
    }
}
