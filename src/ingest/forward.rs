//! Forwarded-mail unwrapping: finds the original message (sender, date,
//! subject, recipients, body) inside the plain-text body of a forward, for
//! the common clients in about two dozen languages. Pure: text in, `Forward` out.
//!
//! # How a forward is recognised
//!
//! The body is scanned top to bottom for the first *acceptable* candidate:
//!
//! - **Marked header block**: a forward marker ("---------- Forwarded
//!   message ---------", "Begin forwarded message:", "-------- Weitergeleitete
//!   Nachricht --------", any dash-framed title, a short line ending in ":"
//!   that names forwarding) above a header block (From + Date/Subject/To/Cc
//!   lines, labels in any listed language, `*From:*` bold, one-line Yahoo
//!   blocks). Always accepted.
//! - **Separated header block**: an Outlook rule ("______") or an
//!   "Original Message" title above a header block; or a **bare** header
//!   block (new Outlook). Outlook uses the same layout for replies, so these
//!   are rejected when the outer subject starts with a reply prefix
//!   ("Re: …"), and inside a forward they are only followed when the
//!   enclosing message's subject is itself a forward.
//! - **Quote line**: "On <date>, <name> <addr> wrote:" in any listed
//!   language (Outlook for Mac forwards this way). Replies look identical, so
//!   it is accepted only when the outer subject starts with a forward prefix.
//!
//! Quoting ("> ") of the forwarded part, CRLF line ends, byte-order marks and
//! the blank lines of HTML-to-text conversion are tolerated.

use super::subject::{self, PrefixKind};
use regex::Regex;
use std::collections::HashMap;
use std::sync::LazyLock;

/// One address as shown in a forwarded header block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardedAddress {
    /// The display name without quotes; `None` when absent or equal to the address.
    pub name: Option<String>,
    /// The address as printed; empty when the client showed only a name.
    pub address: String,
}

/// The original message found inside a forward.
#[derive(Debug, Clone, PartialEq)]
pub struct Forward {
    /// The original sender.
    pub from: ForwardedAddress,
    /// The date text as the client printed it (localised, not parsed).
    pub date: Option<String>,
    /// The original subject: from the header block, else the outer subject without prefixes.
    pub subject: Option<String>,
    /// The original To recipients.
    pub to: Vec<ForwardedAddress>,
    /// The original Cc recipients.
    pub cc: Vec<ForwardedAddress>,
    /// Everything below the forwarded header block, unquoted and trimmed.
    pub body: String,
    /// The forwarder's own text above the forward; `None` when blank.
    pub note: Option<String>,
    /// How sure the match is, 0..1 (marker strength and subject agreement).
    pub confidence: f32,
    /// A forward found again inside `body` (multi-level forwards).
    pub nested: Option<Box<Forward>>,
}

impl Forward {
    /// The deepest forwarded message: the first author of a forwarded chain.
    pub fn innermost(&self) -> &Forward {
        let mut current = self;
        while let Some(next) = current.nested.as_deref() {
            current = next;
        }
        current
    }
}

/// Finds a forwarded message in a plain-text body. `subject` is the outer
/// subject (Outlook desktop/web put the original subject only there, e.g.
/// "WG: …"). The outermost forwarded header block is the result; forwards
/// inside its body are in `nested`. The rule (details in the module docs):
/// an explicit forward marker always counts; an Outlook-style header block
/// counts unless the subject starts with a reply prefix; an "On … wrote:"
/// line counts only when the subject starts with a forward prefix.
pub fn unwrap_forward(subject: &str, body: &str) -> Option<Forward> {
    unwrap_level(subject, body, 0)
}

/// True when the subject's outermost prefix (after list tags) is a forward
/// prefix in any common language: Fwd, Fw, TR, WG, RV, ENC, Doorst., VS, VB,
/// VL, PD, I, İLT, Redir., Videresend, 转发 … ("Re: Fwd: x" is a reply).
pub fn has_forward_prefix(subject: &str) -> bool {
    subject::outer_prefix(subject) == Some(PrefixKind::Forward)
}

/// How deep forwards inside forwards are followed.
const MAX_NESTING: usize = 8;
/// The longest header block looked at, in lines.
const MAX_BLOCK_LINES: usize = 40;

fn unwrap_level(subject: &str, body: &str, level: usize) -> Option<Forward> {
    let lines = logical_lines(&normalise(body));
    let hint = SubjectHint::of(subject);
    let (found, confidence) = first_acceptable(&lines, hint, level > 0)?;
    let mut forward = assemble(&lines, found, confidence, subject);
    if level < MAX_NESTING {
        let inner_subject = forward.subject.clone().unwrap_or_default();
        forward.nested = unwrap_level(&inner_subject, &forward.body, level + 1).map(Box::new);
    }
    Some(forward)
}

/// Line ends unified to `\n`; byte-order marks and zero-width marks removed.
fn normalise(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| {
            !matches!(
                c,
                '\u{feff}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{200e}' | '\u{200f}'
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Lines and quoting

/// One line of the body, with its "> " quoting measured.
struct Line {
    raw: String,
    depth: usize,
    content_start: usize,
}

impl Line {
    fn new(raw: String) -> Self {
        let (depth, rest) = unquote(&raw, usize::MAX);
        let content_start = if depth == 0 {
            0
        } else {
            raw.len() - rest.len()
        };
        Line {
            raw,
            depth,
            content_start,
        }
    }

    /// The text after the quote markers (indentation kept when unquoted).
    fn content(&self) -> &str {
        self.raw.get(self.content_start..).unwrap_or_default()
    }

    fn is_blank(&self) -> bool {
        self.content().trim().is_empty()
    }
}

/// Removes up to `levels` quote markers ("> " or ">"); returns how many went.
fn unquote(raw: &str, levels: usize) -> (usize, &str) {
    let mut rest = raw;
    let mut removed = 0;
    while removed < levels {
        let Some(after) = rest.trim_start_matches([' ', '\t']).strip_prefix('>') else {
            break;
        };
        rest = after.strip_prefix(' ').unwrap_or(after);
        removed += 1;
    }
    (removed, rest)
}

/// The body's lines, with one-line Yahoo header blocks split into lines.
fn logical_lines(text: &str) -> Vec<Line> {
    text.split('\n')
        .flat_map(split_glued_line)
        .map(Line::new)
        .collect()
}

// ---------------------------------------------------------------------------
// Header labels

/// Which original header a label names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    From,
    To,
    Cc,
    Date,
    Subject,
    Other,
}

/// Labels of the sender line, `|`-separated.
const FROM_LABELS: &str = concat!(
    "From|Von|De|De la|Van|Fra|Od|Från|Lähettäjä|Feladó|От|Від|Від кого|Отправитель|",
    "Da|Expeditorul|Expeditor|Kimden|Gönderen|Šalje|Saatja|送信元|差出人|Mittente|Nadawca|",
    "Afzender|Avsändare|Absender|Remitente|Expéditeur|Remetente|Odesílatel|",
    "Odosielateľ|Pošiljatelj|Αποστολέας|Από|发件人|寄件者|寄件人|보낸 사람",
);

/// Labels of the recipient line, `|`-separated.
const TO_LABELS: &str = concat!(
    "To|An|À|A|Para|Aan|Til|Till|Do|Komu|Pre|Prima|Címzett|Vastaanottaja|Destinatarul|",
    "Destinatar|Către|Кому|Kime|送信先|宛先|Pour|Adresat|Destinatario|Destinataire|",
    "Empfänger|Ontvanger|收件人|Προς|Saaja|Mottaker|받는 사람",
);

/// Labels of the copy line, `|`-separated.
const CC_LABELS: &str = concat!(
    "Cc|Kopie|Kopie (CC)|Kopie an|Kopi|Kopia|Kópia|Kopio|Copie|Copie à|Másolat|",
    "Másolatot kap|Dw|Копия|Копія|Копії|Bilgi|Copia|Cópia|Kopija|Koopia|抄送|副本|Κοιν|참조",
);

/// Labels of the date or sent time line, `|`-separated.
const DATE_LABELS: &str = concat!(
    "Date|Datum|Dato|Fecha|Data|Päivämäärä|Päiväys|Dátum|Дата|Tarih|Dată|日付|Sent|",
    "Gesendet|Sendt|Skickat|Enviado|Envoyé|Envoyé le|Inviato|Verzonden|Verstuurd|",
    "Lähetetty|Elküldve|Wysłano|Wysłane|Trimis|Отправлено|Відправлено|Gönderilen|",
    "Gönderildi|Odoslané|Odesláno|Poslano|Kuupäev|Saadetud|送信日時|发送时间|日期|Ημερομηνία|",
    "Στάλθηκε|날짜|보낸 날짜",
);

/// Labels of the subject line, `|`-separated.
const SUBJECT_LABELS: &str = concat!(
    "Subject|Betreff|Objet|Sujet|Asunto|Oggetto|Onderwerp|Emne|Ämne|Aihe|Tárgy|Temat|",
    "Assunto|Předmět|Predmet|Subiect|Subiectul|Тема|Konu|Naslov|件名|Teema|Θέμα|主题|主旨|",
    "제목",
);

/// Labels of other header lines (kept in the block, values ignored), `|`-separated.
const OTHER_LABELS: &str = concat!(
    "Reply-To|Antwort an|Répondre à|Responder a|Rispondi a|Antwoord aan|Bcc|Cco|Ccn|",
    "Importance|Wichtigkeit|Priorité|Attachments|Anlagen|Pièces jointes|Sender",
);

/// Header labels as forwarding clients print them, per field.
const LABELS: &[(Field, &str)] = &[
    (Field::From, FROM_LABELS),
    (Field::To, TO_LABELS),
    (Field::Cc, CC_LABELS),
    (Field::Date, DATE_LABELS),
    (Field::Subject, SUBJECT_LABELS),
    (Field::Other, OTHER_LABELS),
];

/// Lower-cased label → field.
static LABEL_FIELDS: LazyLock<HashMap<String, Field>> = LazyLock::new(|| {
    let pairs = all_labels().map(|(field, label)| (label.to_lowercase(), field));
    pairs.collect()
});

/// Every (field, label) pair of `LABELS`.
fn all_labels() -> impl Iterator<Item = (Field, &'static str)> {
    LABELS
        .iter()
        .flat_map(|(field, labels)| labels.split('|').map(move |label| (*field, label)))
}

/// All labels as one regex alternation.
fn label_alternation() -> String {
    subject::alternation(all_labels().map(|(_, label)| label))
}

/// The start of a header line: optional `*bold*` markers, a label, a
/// (full-width) colon. Matched without captures, which keeps it fast.
static HEADER_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    let labels = label_alternation();
    let pattern = format!(r"(?i)^{BLANK}*\**{BLANK}*(?:{labels}){BLANK}*\**{BLANK}*[:：]\**");
    Regex::new(&pattern).expect("the header label pattern is valid")
});

/// A label anywhere in a line, with its colon or (Yahoo pl/pt) a space.
static GLUED_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    let labels = label_alternation();
    Regex::new(&format!(r"(?i)(?:{labels})(?:{BLANK}*[:：]| )"))
        .expect("the glued label pattern is valid")
});

/// Blanks inside header lines (French puts a no-break space before ":").
const BLANK: &str = r"[ \t\u{a0}\u{202f}]";

/// The field and value of a header line.
fn header_line(content: &str) -> Option<(Field, &str)> {
    let (field, value_start) = header_label(content)?;
    Some((field, content[value_start..].trim()))
}

/// The field named at the start of a line, and where its value starts.
fn header_label(content: &str) -> Option<(Field, usize)> {
    if !content.contains([':', '：']) {
        return None;
    }
    let found = HEADER_LABEL.find(content)?;
    let not_label = |c: char| matches!(c, '*' | ':' | '：') || c.is_whitespace();
    let label = found.as_str().trim_matches(not_label).to_lowercase();
    Some((*LABEL_FIELDS.get(&label)?, found.end()))
}

// ---------------------------------------------------------------------------
// One-line (Yahoo) header blocks

/// A dash-framed title followed by more text on the same line.
static MARKER_THEN_TEXT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(-{2,}[^-]+-{2,})[ \t]+(\S.*)$").expect("valid pattern"));

/// Splits "----- Forwarded Message ----- From: a <x@y>To: b <z@y>Sent: …"
/// into one line per header; other lines are returned unchanged.
fn split_glued_line(raw: &str) -> Vec<String> {
    let (depth, rest) = unquote(raw, usize::MAX);
    let content = if depth == 0 { raw } else { rest };
    let mut pieces = Vec::new();
    let mut headers = content;
    if let Some(caps) = MARKER_THEN_TEXT.captures(content) {
        if let (Some(marker), Some(text)) = (caps.get(1), caps.get(2)) {
            if header_line(text.as_str()).is_some() {
                pieces.push(marker.as_str().to_string());
                headers = text.as_str();
            }
        }
    }
    if headers.len() <= MAX_GLUED_LINE && header_line(headers).is_some() {
        pieces.extend(split_at_glued_labels(headers));
    } else {
        pieces.push(headers.to_string());
    }
    if pieces.len() == 1 {
        return vec![raw.to_string()];
    }
    let prefix = &raw[..raw.len() - content.len()];
    pieces.into_iter().map(|p| format!("{prefix}{p}")).collect()
}

/// The longest line searched for glued header labels, in bytes.
const MAX_GLUED_LINE: usize = 4000;

/// Cuts a header line before each label glued to the previous value.
fn split_at_glued_labels(line: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut piece_start = 0;
    let mut search_from = header_label(line).map_or(line.len(), |(_, value)| value);
    while let Some(found) = GLUED_LABEL.find_at(line, search_from) {
        if is_glued_label(line, found.start(), found.as_str()) {
            pieces.push(line[piece_start..found.start()].trim().to_string());
            piece_start = found.start();
            search_from = found.end();
        } else {
            search_from = next_char_boundary(line, found.start());
        }
    }
    pieces.push(line[piece_start..].trim().to_string());
    pieces.into_iter().map(with_colon).collect()
}

/// A capitalised label that touches the previous value ("…acme.com>To:",
/// "GMT+1Subject:", "CETAssunto Integer"), never inside a lower-case word.
fn is_glued_label(line: &str, start: usize, label: &str) -> bool {
    let Some(before) = line[..start].chars().next_back() else {
        return false;
    };
    let first_is_capital = label.chars().next().is_some_and(|c| !c.is_lowercase());
    let has_colon = label.contains([':', '：']);
    let word_chars = label.trim_end().chars().count();
    first_is_capital
        && !before.is_whitespace()
        && !before.is_lowercase()
        && (has_colon || word_chars >= 2)
}

/// Adds the colon Yahoo leaves out after some labels ("Dw Walter …").
fn with_colon(piece: String) -> String {
    if header_line(&piece).is_some() {
        return piece;
    }
    match GLUED_LABEL.find(&piece) {
        Some(label) if label.start() == 0 => {
            format!("{}: {}", label.as_str().trim_end(), &piece[label.end()..])
        }
        _ => piece,
    }
}

fn next_char_boundary(text: &str, index: usize) -> usize {
    text[index..]
        .chars()
        .next()
        .map_or(text.len(), |c| index + c.len_utf8())
}

// ---------------------------------------------------------------------------
// Addresses

/// An e-mail address (its first character may not be a quote or a dot).
const ADDRESS: &str = r"[\w!#$%&*+/=?^`{|}~-][\w.!#$%&'*+/=?^`{|}~-]*@[\w-]+(?:\.[\w-]+)+";

/// An address in angle brackets, or a bare one.
static ADDRESS_TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"<\s*({ADDRESS})\s*>|({ADDRESS})")).expect("valid pattern")
});

/// Outlook's HTML link duplicates ("x@y<mailto:x@y>") and "[mailto:x@y]" forms.
static MAILTO_LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s*<mailto:[^>]*>").expect("valid pattern"));
static MAILTO_BRACKET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[mailto:([^\]]*)\]").expect("valid pattern"));

/// Parses "Name <a@b>, 'Other' <c@d>; e@f" (also "Doe, John <a@b>"). When
/// no address is present at all, the text is read as names only.
fn parse_address_list(value: &str) -> Vec<ForwardedAddress> {
    let text = MAILTO_LINK.replace_all(value, "");
    let text = MAILTO_BRACKET.replace_all(&text, "<$1>");
    let mut list = Vec::new();
    let mut name_start = 0;
    for caps in ADDRESS_TOKEN.captures_iter(&text) {
        let (Some(whole), Some(address)) = (caps.get(0), caps.get(1).or(caps.get(2))) else {
            continue;
        };
        if caps.get(2).is_some() && is_display_name(&text[whole.end()..]) {
            continue;
        }
        let name = clean_name(&text[name_start..whole.start()])
            .filter(|n| !n.eq_ignore_ascii_case(address.as_str()));
        list.push(ForwardedAddress {
            name,
            address: address.as_str().to_string(),
        });
        name_start = whole.end();
    }
    if list.is_empty() {
        list = text
            .split(';')
            .filter_map(clean_name)
            .map(|name| ForwardedAddress {
                name: Some(name),
                address: String::new(),
            })
            .collect();
    }
    list
}

/// True when a bare address is followed by a bracketed one, i.e. it is a display name.
fn is_display_name(after: &str) -> bool {
    after
        .trim_start_matches(|c: char| c.is_whitespace() || QUOTES.contains(&c))
        .starts_with('<')
}

const QUOTES: &[char] = &['"', '\'', '«', '»', '„', '“', '”', '‚', '‘', '’'];

/// A display name without separators, quotes and bold markers.
fn clean_name(raw: &str) -> Option<String> {
    let separators = |c: char| c.is_whitespace() || matches!(c, ',' | ';' | '*');
    let mut name = raw.trim_matches(separators);
    loop {
        let inner = name
            .trim_start_matches(QUOTES)
            .trim_end_matches(QUOTES)
            .trim_matches(separators);
        if inner.len() == name.len() {
            break;
        }
        name = inner;
    }
    (!name.is_empty()).then(|| name.to_string())
}

/// The sender of a From value; a name alone when no address was printed.
fn parse_sender(value: &str) -> Option<ForwardedAddress> {
    parse_address_list(value).into_iter().next()
}

// ---------------------------------------------------------------------------
// Candidates

/// What introduced the forwarded block, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    /// A forward title ("Forwarded message", "Begin forwarded message:").
    Forward,
    /// An Outlook rule or an "Original Message" title (replies use them too).
    Separator,
    /// A header block with nothing above it.
    Bare,
    /// An "On … wrote:" line.
    Wrote,
}

/// What the outer subject says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SubjectHint {
    Forward,
    Reply,
    Plain,
    Empty,
}

impl SubjectHint {
    fn of(subject: &str) -> Self {
        match subject::outer_prefix(subject) {
            Some(PrefixKind::Forward) => SubjectHint::Forward,
            Some(PrefixKind::Reply) => SubjectHint::Reply,
            None if subject.trim().is_empty() => SubjectHint::Empty,
            None => SubjectHint::Plain,
        }
    }
}

/// The original header fields as read from the block or quote line.
#[derive(Default)]
struct Header {
    from: Option<ForwardedAddress>,
    date: Option<String>,
    subject: Option<String>,
    to: Vec<ForwardedAddress>,
    cc: Vec<ForwardedAddress>,
}

/// A possible forwarded block.
struct Candidate {
    marker: Marker,
    /// First line of the forward (the marker line); the note is above it.
    start: usize,
    /// First line after the header block.
    body_start: usize,
    /// Quote depth of the header lines.
    depth: usize,
    header: Header,
}

/// How sure we are of a candidate under a subject; `None` = not a forward.
/// Inside a forward (`nested`), only marked blocks, or any block under a
/// forward subject, count: quoted reply history is not a forward. A sender
/// without an address is only taken from a marked or separated top block.
fn acceptance(candidate: &Candidate, hint: SubjectHint, nested: bool) -> Option<f32> {
    use Marker as M;
    use SubjectHint as S;
    let has_address = candidate
        .header
        .from
        .as_ref()
        .is_some_and(|f| !f.address.is_empty());
    if !has_address && (nested || candidate.marker == M::Bare) {
        return None;
    }
    let base = match (candidate.marker, hint) {
        (M::Forward, S::Forward) => 1.0,
        (M::Forward, S::Reply) => 0.7,
        (M::Forward, _) => 0.9,
        (_, S::Reply) => return None,
        (M::Wrote, S::Forward) => 0.8,
        (M::Wrote, _) => return None,
        (_, S::Plain | S::Empty) if nested => return None,
        (M::Separator, S::Forward) => 0.95,
        (M::Separator, S::Empty) => 0.7,
        (M::Separator, _) => 0.6,
        (M::Bare, S::Forward) => 0.9,
        (M::Bare, S::Empty) => 0.6,
        (M::Bare, _) => 0.5,
    };
    Some(if has_address { base } else { base * 0.8 })
}

fn first_acceptable(lines: &[Line], hint: SubjectHint, nested: bool) -> Option<(Candidate, f32)> {
    let mut index = 0;
    while index < lines.len() {
        match candidate_at(lines, index) {
            Some(candidate) => {
                if let Some(confidence) = acceptance(&candidate, hint, nested) {
                    return Some((candidate, confidence));
                }
                index = candidate.body_start.max(index + 1);
            }
            None => index += 1,
        }
    }
    None
}

fn candidate_at(lines: &[Line], index: usize) -> Option<Candidate> {
    if let Some((end, header)) = header_block_at(lines, index) {
        let (start, marker) = marker_above(lines, index);
        return Some(Candidate {
            marker,
            start,
            body_start: end,
            depth: lines[index].depth,
            header,
        });
    }
    let (end, header) = wrote_line_at(lines, index)?;
    Some(Candidate {
        marker: Marker::Wrote,
        start: index,
        body_start: end,
        depth: lines[index].depth,
        header,
    })
}

// ---------------------------------------------------------------------------
// Header blocks

/// A run of header lines starting at `index` with a From and at least one
/// of Date/Subject/To/Cc; returns the line after it and the fields.
fn header_block_at(lines: &[Line], index: usize) -> Option<(usize, Header)> {
    let mut seen: Vec<Field> = Vec::new();
    let mut header = Header::default();
    let mut next = index;
    while next < lines.len() && next - index < MAX_BLOCK_LINES {
        if let Some((field, value)) = header_line(lines[next].content()) {
            if field != Field::Other && seen.contains(&field) {
                break;
            }
            seen.push(field);
            record(&mut header, field, value);
            next += 1;
        } else if let Some(skip) = gap_before_more_headers(lines, next, &seen) {
            next += skip;
        } else if continues_recipients(&lines[next], &seen) {
            extend_recipients(&mut header, seen.last().copied(), lines[next].content());
            next += 1;
        } else {
            break;
        }
    }
    let has_other = seen
        .iter()
        .any(|f| matches!(f, Field::Date | Field::Subject | Field::To | Field::Cc));
    (header.from.is_some() && has_other).then_some((next, header))
}

fn record(header: &mut Header, field: Field, value: &str) {
    let text = (!value.is_empty()).then(|| value.to_string());
    match field {
        Field::From => header.from = parse_sender(value),
        Field::To => header.to = parse_address_list(value),
        Field::Cc => header.cc = parse_address_list(value),
        Field::Date => header.date = text,
        Field::Subject => header.subject = text,
        Field::Other => {}
    }
}

/// Blank lines (HTML-to-text) inside a block: skipped when a header of a
/// field not seen yet follows. Returns how many lines to skip.
fn gap_before_more_headers(lines: &[Line], index: usize, seen: &[Field]) -> Option<usize> {
    if seen.is_empty() || !lines[index].is_blank() {
        return None;
    }
    let next = (index..lines.len().min(index + 3)).find(|&i| !lines[i].is_blank())?;
    let (field, _) = header_line(lines[next].content())?;
    (field != Field::Other && !seen.contains(&field)).then_some(next - index)
}

/// A wrapped To/Cc value: an indented or comma-continued line with an address.
fn continues_recipients(line: &Line, seen: &[Field]) -> bool {
    let content = line.content();
    matches!(seen.last(), Some(Field::To | Field::Cc))
        && content.starts_with([' ', '\t'])
        && ADDRESS_TOKEN.is_match(content)
}

fn extend_recipients(header: &mut Header, field: Option<Field>, content: &str) {
    let more = parse_address_list(content);
    match field {
        Some(Field::To) => header.to.extend(more),
        Some(Field::Cc) => header.cc.extend(more),
        _ => {}
    }
}

/// The marker above a header block (over at most three blank lines).
fn marker_above(lines: &[Line], index: usize) -> (usize, Marker) {
    let above = lines[index.saturating_sub(4)..index]
        .iter()
        .rposition(|l| !l.is_blank());
    let Some(offset) = above else {
        return (index, Marker::Bare);
    };
    let line_index = index.saturating_sub(4) + offset;
    match marker_kind(lines[line_index].content()) {
        Some(marker) => (line_index, marker),
        None => (index, Marker::Bare),
    }
}

static DASH_FRAMED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^-{2,}\s*(.*?)\s*-{2,}$").expect("valid pattern"));
static RULE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[_\-—–=]{8,}$").expect("valid pattern"));
/// "Original Message" in the common languages.
static ORIGINAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)origin|ursprüng|ursprung|oorspronk|oprindel|opprinnel|alkuper|původn|pôvodn|",
        r"oryginal|исходн|оригинал|eredeti|orijinal|izvorn|原始",
    ))
    .expect("valid pattern")
});
/// Words for forwarding in the common languages.
static FORWARDING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)forward|fwd|weiterge|reenvi|transf[eé]r|transmis|réexpédi|inoltr|doorgest|",
        r"videresend|vidarebefordr|przekaz|přepos|prepos|továbbít|välitet|edelleenl|пересл|",
        r"переадрес|пересил|перенаправ|redirec|proslijeđ|encaminh|[iİ]let|転送|转发|轉寄|전달",
    ))
    .expect("valid pattern")
});

/// What kind of marker a line is, if any.
fn marker_kind(content: &str) -> Option<Marker> {
    let line = content.trim().trim_matches('*').trim();
    if RULE.is_match(line) {
        return Some(Marker::Separator);
    }
    if let Some(title) = DASH_FRAMED.captures(line).and_then(|c| c.get(1)) {
        let is_original = ORIGINAL.is_match(title.as_str()) && !FORWARDING.is_match(title.as_str());
        return Some(if is_original {
            Marker::Separator
        } else {
            Marker::Forward
        });
    }
    let is_intro =
        line.ends_with([':', '：']) && line.chars().count() <= 80 && FORWARDING.is_match(line);
    is_intro.then_some(Marker::Forward)
}

// ---------------------------------------------------------------------------
// "On … wrote:" lines

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

/// A quote line at `index`, possibly wrapped over up to three lines.
fn wrote_line_at(lines: &[Line], index: usize) -> Option<(usize, Header)> {
    let mut text = String::new();
    for (offset, line) in lines[index..].iter().take(3).enumerate() {
        if line.is_blank() || text.len() > 400 {
            return None;
        }
        text.push_str(line.content().trim());
        if text.ends_with([':', '：']) {
            return parse_wrote_line(&text).map(|header| (index + offset + 1, header));
        }
        text.push(' ');
    }
    None
}

fn parse_wrote_line(text: &str) -> Option<Header> {
    WROTE.find(text)?;
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

// ---------------------------------------------------------------------------
// Assembling the result

fn assemble(lines: &[Line], found: Candidate, confidence: f32, outer_subject: &str) -> Forward {
    let note = lines[..found.start]
        .iter()
        .map(|l| l.raw.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let fallback_subject = subject::clean_subject(outer_subject);
    let header = found.header;
    Forward {
        from: header.from.unwrap_or(ForwardedAddress {
            name: None,
            address: String::new(),
        }),
        date: header.date,
        subject: header
            .subject
            .or_else(|| (!fallback_subject.is_empty()).then_some(fallback_subject)),
        to: header.to,
        cc: header.cc,
        body: body_text(&lines[found.body_start.min(lines.len())..], found.depth),
        note: Some(note.trim().to_string()).filter(|n| !n.is_empty()),
        confidence,
        nested: None,
    }
}

/// The forwarded body: the header block's quoting removed, then one more
/// level if every line is still quoted, common indentation removed, trimmed.
fn body_text(lines: &[Line], depth: usize) -> String {
    let mut text: Vec<&str> = lines.iter().map(|l| unquote(&l.raw, depth).1).collect();
    let all_quoted = text
        .iter()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('>'));
    if all_quoted {
        text = text.into_iter().map(|l| unquote(l, 1).1).collect();
    }
    let indent = text
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| leading_blanks(l))
        .min()
        .unwrap_or(0);
    let dedented = text.iter().map(|l| strip_chars(l, indent).trim_end());
    dedented.collect::<Vec<_>>().join("\n").trim().to_string()
}

fn leading_blanks(line: &str) -> usize {
    line.chars().take_while(|c| *c == ' ' || *c == '\t').count()
}

/// The line without its first `count` characters (all blanks, see `leading_blanks`).
fn strip_chars(line: &str, count: usize) -> &str {
    line.char_indices()
        .nth(count)
        .map_or("", |(i, _)| &line[i..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sender(forward: &Forward) -> (Option<&str>, &str) {
        (forward.from.name.as_deref(), forward.from.address.as_str())
    }

    #[test]
    fn an_outlook_forward_in_german_keeps_the_original_sender() {
        let body = "Hallo Team,\nbitte übernehmen.\n\n________________________________\nVon: Erika Muster <erika@kunde.de>\nGesendet: Montag, 3. März 2025 10:12\nAn: Max <max@wir.de>\nBetreff: Anfrage Angebot\n\nGuten Tag,\nwir brauchen ein Angebot.\n";
        let forward = unwrap_forward("WG: Anfrage Angebot", body).expect("a forward");
        assert_eq!(sender(&forward), (Some("Erika Muster"), "erika@kunde.de"));
        assert_eq!(forward.subject.as_deref(), Some("Anfrage Angebot"));
        assert_eq!(forward.date.as_deref(), Some("Montag, 3. März 2025 10:12"));
        assert_eq!(
            forward.note.as_deref(),
            Some("Hallo Team,\nbitte übernehmen.")
        );
        assert_eq!(forward.body, "Guten Tag,\nwir brauchen ein Angebot.");
        assert!(forward.confidence > 0.9);
    }

    #[test]
    fn a_plain_mail_is_not_a_forward() {
        let body =
            "Hi Anna,\n\nfrom: our side everything is ready.\nDate: tomorrow works.\n\nBest,\nBob";
        assert_eq!(unwrap_forward("Meeting", body), None);
        assert_eq!(unwrap_forward("", ""), None);
    }

    #[test]
    fn a_reply_quote_without_a_forward_subject_is_not_a_forward() {
        let body = "Sounds good.\n\nOn 28/10/2021 12:46, \"John Doe\" <john@acme.com> wrote:\n\n    Can we talk?\n";
        assert_eq!(unwrap_forward("Re: Call", body), None);
        assert_eq!(unwrap_forward("Call", body), None);
        assert_eq!(unwrap_forward("", body), None);
    }

    #[test]
    fn a_reply_quote_under_a_forward_subject_is_a_forward() {
        let body = "FYI\n\nLe 28/10/2021 12:46, « Jean Dupont » <jean@client.fr> a écrit :\n\n    Bonjour, un devis ?\n";
        let forward = unwrap_forward("TR: Devis", body).expect("a forward");
        assert_eq!(sender(&forward), (Some("Jean Dupont"), "jean@client.fr"));
        assert_eq!(forward.subject.as_deref(), Some("Devis"));
        assert_eq!(forward.date.as_deref(), Some("28/10/2021 12:46"));
        assert_eq!(forward.body, "Bonjour, un devis ?");
        assert_eq!(forward.note.as_deref(), Some("FYI"));
    }

    #[test]
    fn a_hungarian_quote_line_gives_the_name_before_the_parenthesised_address() {
        let body = "28/10/2021 12:46 időpontban Kovács Anna (anna@ceg.hu) ezt írta:\n\n    Szia!\n";
        let forward = unwrap_forward("FW: Ajánlat", body).expect("a forward");
        assert_eq!(sender(&forward), (Some("Kovács Anna"), "anna@ceg.hu"));
        assert_eq!(forward.body, "Szia!");
    }

    #[test]
    fn a_wrapped_gmail_quote_line_under_a_forward_subject_is_read() {
        let body =
            "On Wed, Oct 27, 2021 at 9:31 AM John Doe <john@acme.com>\nwrote:\n\n> Hi there\n>\n";
        let forward = unwrap_forward("Fwd: x", body).expect("a forward");
        assert_eq!(sender(&forward), (Some("John Doe"), "john@acme.com"));
        assert_eq!(
            forward.date.as_deref(),
            Some("Wed, Oct 27, 2021 at 9:31 AM")
        );
        assert_eq!(forward.body, "Hi there");
    }

    #[test]
    fn an_outlook_header_block_under_a_reply_subject_is_a_reply() {
        let body = "Thanks!\n\n________________________________\nFrom: John Doe <john@acme.com>\nSent: Wednesday, October 27, 2021 15:14\nTo: me@us.com\nSubject: Offer\n\nHello";
        assert_eq!(unwrap_forward("RE: Offer", body), None);
        assert!(unwrap_forward("FW: Offer", body).is_some());
    }

    #[test]
    fn a_marked_forward_is_found_whatever_the_subject() {
        let body = "---------- Forwarded message ---------\nFrom: Ana <ana@x.es>\nDate: Wed, Oct 27, 2021 at 9:31 AM\nSubject: Hola\nTo: <me@us.com>\n\nTexto";
        for subject in ["", "Hola", "Re: Hola", "Fwd: Hola"] {
            let forward = unwrap_forward(subject, body).expect("a forward");
            assert_eq!(forward.from.address, "ana@x.es");
        }
    }

    #[test]
    fn crlf_input_gives_the_same_result_as_lf() {
        let body = "Note\n\n---------- Forwarded message ---------\nFrom: Ana <ana@x.es>\nDate: today\nSubject: Hola\n\nLine one\nLine two\n";
        let crlf = body.replace('\n', "\r\n");
        assert_eq!(
            unwrap_forward("Fwd: Hola", body),
            unwrap_forward("Fwd: Hola", &crlf)
        );
        assert_eq!(
            unwrap_forward("Fwd: Hola", &crlf).map(|f| f.body),
            Some("Line one\nLine two".into())
        );
    }

    #[test]
    fn a_quoted_forward_converted_from_html_is_unquoted() {
        let body = "See below\n\n> Begin forwarded message:\n>\n> *From:* Lisa Ray <lisa@ray.io>\n>\n> *Subject:* Pricing\n>\n> *Date:* 1 May 2024\n>\n> *To:* sales@us.com\n>\n>\n> Hi,\n> what does it cost?\n>\n> Lisa\n";
        let forward = unwrap_forward("", body).expect("a forward");
        assert_eq!(sender(&forward), (Some("Lisa Ray"), "lisa@ray.io"));
        assert_eq!(forward.subject.as_deref(), Some("Pricing"));
        assert_eq!(forward.body, "Hi,\nwhat does it cost?\n\nLisa");
        assert_eq!(forward.note.as_deref(), Some("See below"));
    }

    #[test]
    fn a_one_line_yahoo_block_is_split_into_headers() {
        let body = "   ----- Weitergeleitete Nachricht ----- Von: Eva Berg <eva@berg.de>An: \"a@b.de\" <a@b.de>Gesendet: Dienstag, 2. November 2021, 09:26:50 MEZBetreff: Termin\n Hallo";
        let forward = unwrap_forward("", body).expect("a forward");
        assert_eq!(sender(&forward), (Some("Eva Berg"), "eva@berg.de"));
        assert_eq!(forward.subject.as_deref(), Some("Termin"));
        assert_eq!(
            forward.to,
            vec![ForwardedAddress {
                name: None,
                address: "a@b.de".into()
            }]
        );
        assert_eq!(forward.body, "Hallo");
    }

    #[test]
    fn outlook_mailto_forms_and_commas_in_names_are_read() {
        let body = "-----Original Message-----\nFrom: Doe, John [mailto:john@acme.com]\nSent: 25 October 2021 11:17\nTo: 'Berry, Bessie' <bessie@acme.com>; x@y.org <x@y.org>\nCc: Walter<mailto:w@acme.com> <w@acme.com<mailto:w@acme.com>>\nSubject: Offer\n\nBody";
        let forward = unwrap_forward("FW: Offer", body).expect("a forward");
        assert_eq!(sender(&forward), (Some("Doe, John"), "john@acme.com"));
        let to: Vec<_> = forward
            .to
            .iter()
            .map(|a| (a.name.as_deref(), a.address.as_str()))
            .collect();
        assert_eq!(
            to,
            vec![
                (Some("Berry, Bessie"), "bessie@acme.com"),
                (None, "x@y.org")
            ]
        );
        assert_eq!(forward.cc[0].address, "w@acme.com");
        assert_eq!(forward.cc[0].name.as_deref(), Some("Walter"));
    }

    #[test]
    fn nested_forwards_expose_the_innermost_message() {
        let body = "fyi\n\n---------- Forwarded message ---------\nFrom: Mid <mid@x.com>\nDate: Tue\nSubject: Fwd: Lead\nTo: me@us.com\n\nsee below\n\n---------- Forwarded message ---------\nFrom: First <first@y.com>\nDate: Mon\nSubject: Lead\nTo: mid@x.com\n\nI want to buy.";
        let forward = unwrap_forward("Fwd: Fwd: Lead", body).expect("a forward");
        assert_eq!(forward.from.address, "mid@x.com");
        assert_eq!(forward.innermost().from.address, "first@y.com");
        assert_eq!(forward.innermost().body, "I want to buy.");
        assert_eq!(
            forward.nested.as_ref().and_then(|n| n.note.as_deref()),
            Some("see below")
        );
    }

    #[test]
    fn quoted_reply_history_inside_a_forward_is_not_nested() {
        let body = "---------- Forwarded message ---------\nFrom: A <a@x.com>\nDate: Tue\nSubject: Re: Lead\n\nyes\n\nFrom: B <b@y.com>\nSent: Mon\nTo: a@x.com\nSubject: Lead\n\nquestion";
        let forward = unwrap_forward("Fwd: Re: Lead", body).expect("a forward");
        assert_eq!(forward.from.address, "a@x.com");
        assert!(forward.nested.is_none());
    }

    #[test]
    fn a_sender_without_address_keeps_the_name_and_lowers_confidence() {
        let body = "-----Original Message-----\nFrom: John Doe\nSent: 23 July 2022 07:53\nTo: Bessie Berry\nSubject: Hello\n\nText";
        let forward = unwrap_forward("FW: Hello", body).expect("a forward");
        assert_eq!(sender(&forward), (Some("John Doe"), ""));
        assert!(forward.confidence < 0.9);
    }

    #[test]
    fn forward_prefixes_are_recognised_in_many_languages() {
        for subject in [
            "Fwd: x",
            "FW: x",
            "WG: x",
            "TR: x",
            "RV: x",
            "ENC: x",
            "I: x",
            "VS: x",
            "Doorst.: x",
            "İLT: x",
            "转发: x",
        ] {
            assert!(has_forward_prefix(subject), "{subject}");
        }
        for subject in ["Re: x", "AW: Fwd: x", "Forward planning", "x"] {
            assert!(!has_forward_prefix(subject), "{subject}");
        }
    }

    #[test]
    fn odd_input_never_panics() {
        let samples = [
            "\r\r\n>\n>>>>\n----\n---------- x ---------- From:",
            "From: <@>\nTo: ;;,,\nSubject:",
            "On wrote:\n",
            "»\" <a@b.c> wrote:",
            "From: ß <ä@ö.de>Tö: ü\n\u{feff}Date: \u{200b}",
            "> > > From: x@y.z\n> > > Date: now\n",
            "   ----- Fwd ----- Von: A <a@b.de>An: B <b@c.de>Dw Betreff: x",
        ];
        for sample in samples {
            for subject in ["", "Fwd:", "Re:", "I:"] {
                let _ = unwrap_forward(subject, sample);
            }
        }
        let long = "From: a@b.cd\nDate: x\n".repeat(5000);
        let _ = unwrap_forward("Fwd: x", &long);
    }
}

#[cfg(test)]
mod corpus_tests {
    //! Walks the crisp-email-forward-parser ground truth (206 cases).
    use super::*;
    use serde_json::Value;
    use std::collections::BTreeMap;
    use std::path::Path;

    const CRISP: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/corpus/crisp-email-forward-parser"
    );

    /// Passed/total per field, and one line per failure.
    #[derive(Default)]
    struct Tally {
        fields: BTreeMap<&'static str, (usize, usize)>,
        failures: Vec<String>,
    }

    impl Tally {
        fn check(
            &mut self,
            field: &'static str,
            case: &str,
            ok: bool,
            detail: impl FnOnce() -> String,
        ) {
            let entry = self.fields.entry(field).or_default();
            entry.1 += 1;
            if ok {
                entry.0 += 1;
            } else {
                self.failures.push(format!("{case} [{field}] {}", detail()));
            }
        }

        fn rate(&self, field: &str) -> f64 {
            self.fields
                .get(field)
                .map_or(0.0, |(ok, total)| *ok as f64 / (*total).max(1) as f64)
        }

        fn print(&self) {
            println!("{:<16} {:>9} {:>8}", "field", "passed", "rate");
            for (field, (ok, total)) in &self.fields {
                println!(
                    "{field:<16} {:>9} {:>7.1}%",
                    format!("{ok}/{total}"),
                    self.rate(field) * 100.0
                );
            }
            for failure in self.failures.iter().take(60) {
                println!("FAIL {failure}");
            }
        }
    }

    fn squash(text: &str) -> String {
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    fn read(dir: &Path, file: &str) -> String {
        let bytes =
            std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("cannot read {file}: {e}"));
        String::from_utf8_lossy(&bytes).into_owned()
    }

    fn addresses(list: &[ForwardedAddress]) -> Vec<(Option<String>, Option<String>)> {
        list.iter()
            .map(|a| {
                (
                    Some(a.address.clone()).filter(|s| !s.is_empty()),
                    a.name.clone(),
                )
            })
            .collect()
    }

    fn expected_addresses(value: &Value) -> Vec<(Option<String>, Option<String>)> {
        let text = |v: &Value| v.as_str().map(str::to_string);
        value
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| (text(&a["address"]), text(&a["name"])))
            .collect()
    }

    fn check_prefix(
        tally: &mut Tally,
        field: &'static str,
        case: &str,
        got: &[ForwardedAddress],
        want: &Value,
    ) {
        let (got, want) = (addresses(got), expected_addresses(want));
        let ok = got.len() >= want.len() && got[..want.len()] == want[..];
        tally.check(field, case, ok, || format!("got {got:?} want {want:?}"));
    }

    fn check_address_prefix(tally: &mut Tally, case: &str, got: &[ForwardedAddress], want: &Value) {
        let got: Vec<&str> = got.iter().map(|a| a.address.as_str()).collect();
        let want: Vec<&str> = want
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let ok = got.len() >= want.len() && got[..want.len()] == want[..];
        tally.check("to", case, ok, || format!("got {got:?} want {want:?}"));
    }

    fn check_found(tally: &mut Tally, case: &str, got: &Forward, want: &Value) {
        let email = &want["email"];
        let want_address = email["from"]["address"].as_str().unwrap_or_default();
        tally.check(
            "from.address",
            case,
            got.from.address == want_address,
            || format!("got {:?}", got.from.address),
        );
        let want_name = email["from"]["name"].as_str();
        tally.check(
            "from.name",
            case,
            got.from.name.as_deref() == want_name,
            || format!("got {:?}", got.from.name),
        );
        let want_subject = email["subject"].as_str();
        tally.check(
            "subject",
            case,
            got.subject.as_deref() == want_subject,
            || format!("got {:?}", got.subject),
        );
        let has_date = got.date.as_deref().is_some_and(|d| !d.trim().is_empty());
        tally.check("date", case, has_date, || "no date".into());
        let want_body = squash(email["body"].as_str().unwrap_or_default());
        tally.check("body", case, squash(&got.body) == want_body, || {
            format!("got {:?}", got.body)
        });
        let exact = Some(got.body.as_str()) == email["body"].as_str();
        tally.check("body (exact)", case, exact, || {
            format!("got {:?}", got.body)
        });
        check_recipients(tally, case, got, email);
        if let Some(message) = want.get("message") {
            let ok = got.note.as_deref().map(squash) == message.as_str().map(squash);
            tally.check("message", case, ok, || format!("got {:?}", got.note));
        }
    }

    fn check_recipients(tally: &mut Tally, case: &str, got: &Forward, email: &Value) {
        if let Some(want) = email.get("to_prefix") {
            check_prefix(tally, "to", case, &got.to, want);
        }
        if let Some(want) = email.get("to_addresses_prefix") {
            check_address_prefix(tally, case, &got.to, want);
        }
        if let Some(want) = email.get("cc_prefix") {
            check_prefix(tally, "cc", case, &got.cc, want);
        }
        if let Some(want) = email.get("cc") {
            let ok = addresses(&got.cc) == expected_addresses(want);
            tally.check("cc", case, ok, || format!("got {:?}", got.cc));
        }
    }

    fn check_case(dir: &Path, case: &Value, tally: &mut Tally) {
        let body_file = case["body_file"].as_str().unwrap_or_default();
        let subject = case["subject_file"]
            .as_str()
            .map(|f| read(dir, f).trim_end().to_string())
            .unwrap_or_default();
        let body = read(dir, body_file);
        let name = format!("{body_file} + {:?}", case["subject_file"].as_str());
        let found = unwrap_forward(&subject, &body);
        let crlf = unwrap_forward(&subject, &body.replace("\r\n", "\n").replace('\n', "\r\n"));
        tally.check("same with CRLF", &name, crlf == found, || {
            "CRLF result differs".into()
        });
        let want = &case["expected"];
        let forwarded = want["forwarded"].as_bool().unwrap_or_default();
        let field = if forwarded {
            "is a forward"
        } else {
            "is not a forward"
        };
        tally.check(field, &name, found.is_some() == forwarded, || {
            format!("got {:?}", found.as_ref().map(|f| &f.from))
        });
        if let (true, Some(got)) = (forwarded, &found) {
            check_found(tally, &name, got, want);
        }
    }

    #[test]
    fn the_crisp_corpus_is_unwrapped_like_upstream_expects() {
        let dir = Path::new(CRISP);
        let Ok(json) = std::fs::read_to_string(dir.join("expected.json")) else {
            println!("skipping: corpus not found at {}", dir.display());
            return;
        };
        let expected: Value = serde_json::from_str(&json).expect("expected.json is JSON");
        let mut tally = Tally::default();
        let cases = expected["cases"].as_array().cloned().unwrap_or_default();
        for case in &cases {
            check_case(dir, case, &mut tally);
        }
        tally.print();
        assert!(!cases.is_empty(), "no crisp case ran");
        let minimum = [
            ("is a forward", 1.0),
            ("is not a forward", 1.0),
            ("from.address", 1.0),
            ("from.name", 0.99),
            ("subject", 0.98),
            ("body", 0.95),
            ("message", 0.95),
            ("same with CRLF", 1.0),
        ];
        for (field, least) in minimum {
            assert!(
                tally.rate(field) >= least,
                "{field}: {:.1}% < {:.0}%",
                tally.rate(field) * 100.0,
                least * 100.0
            );
        }
    }
}
