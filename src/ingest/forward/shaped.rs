//! Header blocks read by their shape when some labels are in no listed language: consecutive
//! "Label: value" lines, the first naming the sender with an address, one holding a time.
//!
//! Listed labels keep their field. Each other line gets one by what its value holds and where
//! it stands, as every client lays these blocks out: the first line is the sender, the first
//! value with a time of day and no address the date, the following values with addresses the
//! To and then Cc recipients, and the last value left the subject. A block read this way is
//! only accepted below a forward title or under a forward subject (`candidates::acceptance`):
//! an Outlook rule or "Original Message" separator is not enough.

use super::addresses::{parse_address_list, parse_sender, ADDRESS_TOKEN};
use super::candidates::Header;
use super::labels::{header_line, Field};
use super::{Line, MAX_BLOCK_LINES};
use crate::ingest::labelled_line::{has_time, label_and_value};

/// Fewer lines than this are no header block.
const MIN_ROWS: usize = 3;

/// A labelled line: its field when its label is listed, its value, and what the value holds.
struct Row<'a> {
    field: Option<Field>,
    value: &'a str,
    /// A time of day and no address: a date.
    dated: bool,
    /// At least one address.
    addressed: bool,
}

/// Every line of a body read once as a labelled line or not, so that looking for a block at
/// each line costs no more regex searches (a body of labelled lines stays linear).
pub(super) struct Shapes<'a> {
    rows: Vec<Option<Row<'a>>>,
}

impl<'a> Shapes<'a> {
    pub(super) fn of(lines: &'a [Line]) -> Self {
        let rows = lines.iter().map(|line| row_of(line.content())).collect();
        Shapes { rows }
    }
}

/// A block of at least [`MIN_ROWS`] labelled lines at `index` with at least one label not
/// listed, a sender with an address and a date; returns the line after it and the fields.
pub(super) fn shaped_block_at(
    lines: &[Line],
    shapes: &Shapes,
    index: usize,
) -> Option<(usize, Header)> {
    let (end, rows) = rows_at(lines, shapes, index);
    if rows.len() < MIN_ROWS || rows.iter().all(|row| row.field.is_some()) {
        return None;
    }
    let fields = fields_of(&rows)?;
    let header = assembled(&rows, &fields);
    let sender_has_address = header.from.as_ref().is_some_and(|f| !f.address.is_empty());
    sender_has_address.then_some((end, header))
}

/// The labelled lines from `index` on, across the blank lines of HTML-to-text when another
/// labelled line follows; returns the line after the last one. A block is laid out one way:
/// once two of its lines were next to each other, a blank line ends it, so the fields of a
/// forwarded form ("Name: …", "Email: …") below the header block are its body.
fn rows_at<'s, 'a>(
    lines: &[Line],
    shapes: &'s Shapes<'a>,
    index: usize,
) -> (usize, Vec<&'s Row<'a>>) {
    let row = |i: usize| shapes.rows.get(i).and_then(Option::as_ref);
    let mut rows = Vec::new();
    let mut next = index;
    let mut adjacent = false;
    while next < lines.len() && next - index < MAX_BLOCK_LINES {
        if let Some(found) = row(next) {
            adjacent |= next > index && row(next - 1).is_some();
            rows.push(found);
            next += 1;
            continue;
        }
        let gap = lines[next..]
            .iter()
            .take(3)
            .take_while(|line| line.is_blank())
            .count();
        if rows.is_empty() || adjacent || gap == 0 || row(next + gap).is_none() {
            break;
        }
        next += gap;
    }
    (next, rows)
}

fn row_of(content: &str) -> Option<Row<'_>> {
    if !content.contains([':', '：']) {
        return None;
    }
    let (field, value) = match header_line(content) {
        Some((field, value)) => (Some(field), value),
        // An HTML header table comes out of html_to_text as "Label: | value".
        None => (
            None,
            label_and_value(content)?.1.trim_start_matches('|').trim(),
        ),
    };
    let addressed = ADDRESS_TOKEN.is_match(value);
    Some(Row {
        field,
        value,
        dated: has_time(value) && !value.contains('@'),
        addressed,
    })
}

/// The rows' fields, listed labels first, the others by their values' shapes; `None` without
/// a date (the sender's address is checked on the assembled header).
fn fields_of(rows: &[&Row]) -> Option<Vec<Option<Field>>> {
    let mut fields: Vec<Option<Field>> = rows.iter().map(|row| row.field).collect();
    let has = |fields: &[Option<Field>], field: Field| fields.contains(&Some(field));
    let first_unassigned = |fields: &[Option<Field>], wanted: &dyn Fn(&Row) -> bool| {
        (0..rows.len()).find(|&i| fields[i].is_none() && wanted(rows[i]))
    };
    if !has(&fields, Field::From) && fields[0].is_none() {
        fields[0] = Some(Field::From);
    }
    if !has(&fields, Field::Date) {
        let dated = first_unassigned(&fields, &|row| row.dated)?;
        fields[dated] = Some(Field::Date);
    }
    for field in [Field::To, Field::Cc] {
        if let Some(i) = first_unassigned(&fields, &|row| row.addressed) {
            if !has(&fields, field) {
                fields[i] = Some(field);
            }
        }
    }
    if !has(&fields, Field::Subject) {
        if let Some(i) = (0..rows.len()).rev().find(|&i| fields[i].is_none()) {
            fields[i] = Some(Field::Subject);
        }
    }
    Some(fields)
}

fn assembled(rows: &[&Row], fields: &[Option<Field>]) -> Header {
    let mut header = Header::default();
    for (row, field) in rows.iter().zip(fields) {
        let text = (!row.value.is_empty()).then(|| row.value.to_string());
        match field {
            Some(Field::From) if header.from.is_none() => header.from = parse_sender(row.value),
            Some(Field::To) if header.to.is_empty() => header.to = parse_address_list(row.value),
            Some(Field::Cc) if header.cc.is_empty() => header.cc = parse_address_list(row.value),
            Some(Field::Date) if header.date.is_none() => header.date = text,
            Some(Field::Subject) if header.subject.is_none() => header.subject = text,
            Some(Field::ReplyTo) if header.reply_to.is_none() => {
                header.reply_to = parse_sender(row.value)
            }
            _ => {}
        }
    }
    header.shaped = true;
    header
}
