//! Quote headers: "On … wrote:" attributions in many languages (also spread over several
//! lines), "-----Original Message-----" separators and Outlook From/Sent/To/Subject blocks.

use regex::Regex;
use std::sync::LazyLock;

use super::attribution::{is_address_intro, is_framed_by_dashes, unemphasised, wraps_into};
use super::{is_quote_line, Kind};
use crate::ingest::labelled_line::{has_time, is_labelled_line, label_and_value};

const INTRO: &str = r"(?:on|am|op|le|el|em|il|il giorno|in data|no dia|a|à|den|på|vào|w dniu|dne)";
const VERB: &str = concat!(
    r"(?:wrote|writes|schrieb|schreef|geschreven|a [ée]crit|escribi[óo]|escreveu|napisa[łl]a?",
    r"|skrev|skreiv|skrivit|kirjoitti|ha scritto|scrisse|đã viết|написала?|írta|yazdı|napsala?|kirjutas",
    r"|geschrieben|escribi[óo]|a scris|пишет|pisze|[ée]crivait|escrib[íi]a|scriveva|escrevia|писал[аи]?)"
);

static ATTRIBUTION_START: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"(?i)^[-\s]*{INTRO}(?:\s|$)|^[-\s]*\d|@")).unwrap());

pub(super) static LEADING_INTRO: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"(?i)^[-\s]*{INTRO}\s")).unwrap());

static NESTED_ATTRIBUTION_START: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"(?i)^[-\s]*{INTRO}\s+\S*\d")).unwrap());

/// "On <date>, <name> wrote:" and "Op <date> schreef <name> <address>:" and the like.
static INTRO_ATTRIBUTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        concat!(
            r"(?i)^[-\s]*{INTRO}\s.*\d.*\b{VERB}(?:\s[^:]{{0,100}}@[^:]{{0,100}})?",
            r"(?:\s*:|\s*-{{2,}})[\s-]*$"
        ),
        INTRO = INTRO,
        VERB = VERB
    ))
    .unwrap()
});

/// "2011/4/7 Name <address>", "02.04.2012 14:20 пользователь <address> написал:" and
/// Yandex's "26.06.2014, 14:41, "Name" <address>:".
static DATE_ADDRESS_ATTRIBUTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4},?\s(?:.*\d{1,2}:\d{2}.*[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+.*[>:]",
        r"|.*<\s*[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+\s*>)$"
    ))
    .unwrap()
});

/// A date and time, then a bracketed address and a colon, with no verb: Mail.ru's
/// "Thu, 26 Jun 2014 14:00:51 +0400 от Name <address>:".
static DATE_TIME_ADDRESS_ATTRIBUTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:\p{L}{2,12}\.?,?\s+)?\d{1,4}\b.{0,60}\b\d{1,2}:\d{2}\b.{0,120}",
        r"<[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+>\s*:\s*$"
    ))
    .unwrap()
});

/// "Name <address> wrote:", "address (Name) writes:" and "Name <address> sent:".
static ADDRESS_ATTRIBUTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+.*\b(?:{VERB}|sent)\s*:[\s-]*$"
    ))
    .unwrap()
});

/// An attribution without a date, right above the quote it introduces: Thunderbird's "John
/// Doe wrote:" in its localisations ("schrieb:", "a écrit :", "skrev:", "пишет:" …) and
/// Horde's "Quoting John Doe <john@example.com>:" / "Zitat von …:". The verb may carry its
/// feminine ending in brackets or after a slash ("napsal(a):", K-9's Polish "napisał/a:"),
/// and be followed by the capitalised name and address ("Am Dienstag schrieb Ana Souza:").
/// With the quote right below, the colon may be missing ("Ana Souza wrote").
static DATELESS_ATTRIBUTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        concat!(
            r"(?i)^[\s*_]*(?:\S+\s+){{0,5}}\S+\s+{VERB}(?:\(\p{{L}}{{1,2}}\)|/\p{{L}}{{1,2}})?",
            r#"(?-i:(?:\s+"?\p{{Lu}}[\p{{L}}'.-]*"?){{1,3}}(?:\s+<[^\s<>@]+@[^\s<>]+>)?)?"#,
            r"\s*:?[\s*_]*$",
            r"|^[\s*_]*(?:quoting|zitat von|citation de|citando)\s[^:]{{1,100}}:\s*$"
        ),
        VERB = VERB
    ))
    .unwrap()
});

/// Android: "---- John Smith wrote ----".
pub(super) static DASHED_ATTRIBUTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)^\s*-{{2,}}\s*\S.{{0,200}}\s{VERB}\s*:?\s*-{{2,}}\s*$"
    ))
    .unwrap()
});

/// GroupWise: ">>> Bob Jones <bob@example.com> 12/3/2026 10:15 AM >>>" above the unquoted
/// original. Starting with ">", it would otherwise read as a quoted line.
static FRAMED_ATTRIBUTION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*>>>\s+\S.{0,200}\d{1,2}[:.]\d{2}.{0,40}\s>>>\s*$").unwrap());

/// GroupWise's framed attribution ([`FRAMED_ATTRIBUTION`]): a quote header, not a quoted line.
pub(super) fn is_framed_attribution(line: &str) -> bool {
    line.contains(">>>") && FRAMED_ATTRIBUTION.is_match(line)
}

/// "reply On Wed, Apr 4, 2012 at 3:59 PM, bob@example.com wrote:" on one line; also with
/// the quoted text on the same line when the attribution names an address in brackets
/// (Gmail's HTML quote flattened to text: "Reply On …, Bob <bob@example.com> wrote: Test").
pub(super) static SHARED_ATTRIBUTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?P<reply>.*?[^\s-])(?:[\s-]*\s",
        r"(?P<quote>On\s.*\d.*\b(?i:wrote)(?:\s*:|\s*-{2,})[\s-]*)",
        r"|[\s-]*(?P<quote_with_text>On\s.*\d.*<[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+>\s*(?i:wrote)\s*:)",
        r"\s*(?P<quoted>\S.*))$"
    ))
    .unwrap()
});

pub(super) static ORIGINAL_MESSAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)^[\s*_]*(?:-{2,}|_{3,}|={3,})\s*(?:original message|reply message|urspr[üu]ngliche nachricht",
        r"|urspr[üu]ngliche mitteilung|urspr[üu]ngliche mail|antwort nachricht|original-?nachricht",
        r"|message original|mail original|p[ůu]vodn[íi] e-?mail|odpov[ěe]zen[áa] zpr[áa]va",
        r"|oprindelig meddelelse|oprindelig besked|opprinnelig melding|opphavleg melding",
        r"|originalmeddelande|oryginalna wiadomo[śs][ćc]|tre[śs][ćc] oryginalnej wiadomo[śs]ci",
        r"|mesajul original|missatge original|izvirno sporo[čc]ilo|originalus lai[šs]kas|pesan asli",
        r"|ursprungligt meddelande|mensagem original|mensaje original|message d'origine",
        r"|oorspronkelijk bericht|messaggio originale|alkuper[äa]inen viesti|p[ůu]vodn[íi] zpr[áa]va",
        r"|wiadomo[śs][ćc] oryginalna|исходное сообщение|оригинальное сообщение",
        r"|вихідне повідомлення|початкове повідомлення|оригинално съобщение|оригинална порука",
        r"|originalna poruka|izvorna poruka|p[ôo]vodn[áa] spr[áa]va|eredeti [üu]zenet|mesaj original",
        r"|orijinal mesaj|[öo]zg[üu]n [İi]leti|algne kiri|esialgne s[õo]num|αρχικό μήνυμα",
        r"|元のメッセージ|原始邮件|原始郵件|原始消息|원본 메시지|الرسالة الأصلية|הודעה מקורית)",
        // The closing rule may be missing ("-----Ursprüngliche Nachricht"): the opening one and
        // the title are enough.
        r"\s*(?:-{2,}|_{3,}|={3,})?[\s*_:]*$"
    ))
    .unwrap()
});

/// An "Original Message" separator with the first header on its own line, as flattened HTML
/// leaves it ("-------- Ursprüngliche Nachricht --------Von: Shop  Datum: …").
static ORIGINAL_MESSAGE_THEN_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    let separator = ORIGINAL_MESSAGE
        .as_str()
        .trim_end_matches(r"[\s*_:]*$")
        .to_string();
    Regex::new(&format!(r"{separator}\s*\p{{L}}[\p{{L}}-]{{0,20}}\s?:\s")).unwrap()
});

/// A dashed title ("-------- Oprindelig besked --------", "*-----Původní zpráva-----*",
/// "---------- Původní e-mail ----------": a single hyphen may join two words): an "Original
/// Message" separator in any language when a header block follows it, quoted or not.
static DASHED_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[\s*_]*-{2,}\s*[^-\s](?:[^-]|-[^-\s]){1,40}?\s*-{2,}[\s*_]*$").unwrap()
});

/// "Original Message" (or "Original message:") without dashes, taken as a separator only
/// when a header block follows.
static BARE_ORIGINAL_MESSAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^[\s*_]*(?:original message|message d'origine|urspr[üu]ngliche nachricht|mensaje original|mensagem original|messaggio originale|oorspronkelijk bericht)[\s*_:]*$").unwrap()
});

/// The header labels of a quoted header block, one named group per field.
/// The reply splitter's own spellings of each quote header's label (with the variants of
/// accents and spacing clients and HTML-to-text produce), joined in [`FIELD_LABELS`] with
/// every label the forward reader knows for the same field: an Outlook reply header and an
/// Outlook forward header are the same block, so a label learnt for one is known to both.
const FROM_SPELLINGS: &str = concat!(
    r"from|von|от кого|de|de la|van|fra|fr[åa]n|da|od|от|од|від|l[äa]hett[äa]j[äa]",
    r"|felad[óo]|kimden|[šs]alje|saatja|nuo|t[ừu]|dari|发件人|寄件者|寄件人|差出人|보낸 사람",
    r"|من|מאת|από"
);
const DATE_SPELLINGS: &str = concat!(
    r"sent|date|datum|gesendet|envoy[ée]|enviad[oa]|enviat|fecha|data|verzonden",
    r"|sendt|skickat|inviato|wys[łl]an[oe]|odesl[áa]no|odoslan[ée]|l[äa]hetetty|p[äa]iv[äa]m[äa][äa]r[äa]",
    r"|dato|tarih|g[öo]nderildi|g[öo]nderim tarihi|elk[üu]ldve|d[áa]tum|trimis|poslano|poslato",
    r"|saadetud|nos[ūu]t[īi]ts|i[šs]si[ųu]sta|đã gửi|dikirim|message du",
    r"|отправлено|дата|надіслано|изпратено|послато|发送时间|日期|寄件日期|送信日時|日時",
    r"|보낸 날짜|تاريخ الإرسال|تم الإرسال|التاريخ|נשלח|תאריך|αποστολή|ημερομηνία"
);
/// The word some clients put after the date label ("Enviado el:", "Envoyé le :", "Sent on:").
const DATE_SUFFIX: &str = r"(?:\s+(?:el|em|le|am|on))?";
const TO_SPELLINGS: &str = concat!(
    r"to|an|[àa]|para|per a|aan|til|till|per|do|komu|кому|reply-to|vastaanottaja",
    r"|c[íi]mzett|kime|c[ăa]tre|prima|za|за|adressaat|kam|đến|kepada|收件人|收件者|宛先",
    r"|받는 사람|إلى|אל|προς|до"
);
const CC_SPELLINGS: &str =
    r"b?cc|kopie|c[óo]pia|copie|kopia|копия|копія|抄送|副本|받는 사람 참조|נעתק";
const SUBJECT_SPELLINGS: &str = concat!(
    r"subject|betreff|objet|sujet|assunto|asunto|assumpte|onderwerp|emne|[äa]mne",
    r"|oggetto|temat|p[řr]edm[ěe]t|aihe|t[áa]rgy|konu|subiect|zadeva|teema|t[ēe]ma|tema",
    r"|ch[ủu] đ[ềe]|subjek|тема|относно|主题|主旨|件名|제목|الموضوع|נושא|θέμα"
);

/// One alternation of every quote header label, each field in its named group.
static FIELD_LABELS: LazyLock<String> = LazyLock::new(|| {
    use crate::ingest::forward::labels as forward;
    let known = |list: &str| crate::ingest::subject::alternation(list.split('|'));
    format!(
        "(?:(?P<from>{}|{})|(?P<date>(?:{}|{}){DATE_SUFFIX})|(?P<to>{}|{})|(?P<cc>{}|{})|(?P<subject>{}|{}))",
        FROM_SPELLINGS,
        known(forward::FROM_LABELS),
        DATE_SPELLINGS,
        known(forward::DATE_LABELS),
        TO_SPELLINGS,
        known(forward::TO_LABELS),
        CC_SPELLINGS,
        known(forward::CC_LABELS),
        SUBJECT_SPELLINGS,
        known(forward::SUBJECT_LABELS),
    )
});

/// A header line: a label and its colon (a full-width one from Chinese clients: "发件人：").
static HEADER_FIELD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"(?i)^[\s*]*{}[\s*]*[:：]", *FIELD_LABELS)).unwrap());

/// A second header on the same line ("From: bob@example.com Date: Thu, 24 Mar 2016"), as
/// HTML-to-text gives when the headers were inline bold elements.
static INLINE_FIELD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"(?i)\s\*?{}\*?[:：]\s", *FIELD_LABELS)).unwrap());

static ADDRESS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[^\s<>@\[\]]+@[^\s<>@\[\]]+\.[^\s<>@\[\]]+|mailto:").unwrap());

const MAX_ATTRIBUTION_LINES: usize = 6;
const MAX_ATTRIBUTION_CHARS: usize = 500;
const MAX_HEADER_BLOCK_LINES: usize = 10;

/// Number of lines of the quote header starting at `start`, if one starts there;
/// `kind` is the line's own `line_kind`, which the caller has already worked out.
pub(super) fn splitter_len(lines: &[&str], start: usize, kind: Kind) -> Option<usize> {
    let line = lines[start];
    if kind != Kind::Text {
        return None;
    }
    // Both one-line separators start with "--": the substring test spares most lines two scans.
    if (line.contains("--") || line.contains("___") || line.contains("==="))
        && (ORIGINAL_MESSAGE.is_match(line)
            || DASHED_ATTRIBUTION.is_match(line)
            || ORIGINAL_MESSAGE_THEN_HEADER.is_match(line)
            || is_framed_by_dashes(line))
    {
        return Some(1);
    }
    let block_below = || {
        start + 1 < lines.len()
            && (block_len(lines, start + 1).is_some() || quoted_block_follows(lines, start + 1))
    };
    if (DASHED_TITLE.is_match(line) || BARE_ORIGINAL_MESSAGE.is_match(line)) && block_below() {
        return Some(1);
    }
    if is_framed_attribution(line) {
        return Some(1);
    }
    // Both dateless shapes need the quote right below: that test is cheaper than either.
    let dateless = || DATELESS_ATTRIBUTION.is_match(line) || is_address_intro(line);
    if quote_follows(lines, start + 1) && dateless() {
        return Some(1);
    }
    if is_lone_sender_line(lines, start) || is_reply_above_this_line(line) {
        return Some(1);
    }
    if is_sender_over_date(lines, start) {
        return Some(2);
    }
    attribution_len(lines, start)
        .or_else(|| super::attribution::attribution_len(lines, start))
        .or_else(|| block_len(lines, start))
}

/// A quoted message's sender alone in its paragraph, a name with its address in brackets
/// ("From: Ann Lee <ann@example.com>", "De : Ann [mailto:ann@example.com]"): what some
/// clients put above the original instead of a whole header block. A blank line (or the
/// quote) must follow, so a "From:" line inside a form's fields or a list is not one.
fn is_lone_sender_line(lines: &[&str], start: usize) -> bool {
    let line = lines[start];
    let blank_above = start == 0 || lines[start - 1].trim().is_empty();
    let ends_paragraph = lines
        .get(start + 1)
        .is_none_or(|next| next.trim().is_empty() || is_quote_line(next));
    blank_above
        && ends_paragraph
        && line.contains('@')
        && line.split_whitespace().count() <= 12
        && header_field(line) == Some(Field::From)
        && BRACKETED_ADDRESS.is_match(line)
}

/// A helpdesk's or a notifier's marker above the quoted conversation ("##- Please type your
/// reply above this line -##", "-- Reply above this line --"), in the languages such tools
/// localise it into.
static REPLY_ABOVE_THIS_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)^[\W_]{0,6}\s*(?:(?:please\s+)?(?:(?:type|write|enter|add)\s+(?:your\s+)?",
        r"(?:reply|response|answer)|reply|respond|write|answer)\s+above\s+(?:this|the)\s+line",
        r"|.{0,50}(?:über dieser zeile|oberhalb dieser zeile|au-dessus de cette ligne",
        r"|por encima de esta l[íi]nea|acima desta linha|sopra questa riga|boven deze regel",
        r"|ovanför denna rad|ovanför den här raden|over denne linje|over denne linjen|powyżej tej linii",
        r"|nad tímto řádkem|nad tento řádek|tämän rivin yläpuolelle|bu satırın üstüne",
        r"|над этой строкой|над цим рядком)(?:\s+\p{L}+)?)",
        r"\s*[.!]?\s*[\W_]{0,6}$"
    ))
    .unwrap()
});

/// [`REPLY_ABOVE_THIS_LINE`], tried only on a line holding one of its phrases: a search for
/// a few literals is much cheaper than the anchored pattern on every line of every body. A
/// phrase inside a frame of rules may go on ("--- Reply above this line to add a comment
/// ---"), and a line in Zendesk's "##- … -##" frame is its marker in any language.
fn is_reply_above_this_line(line: &str) -> bool {
    static PHRASE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(concat!(
            r"(?i)(?:reply|respond|response|answer|write) above (?:this|the) line|dieser zeile|cette ligne|esta l[íi]nea|desta linha",
            r"|questa riga|deze regel|denna rad|den här raden|denne linje|tej linii|tímto řádkem",
            r"|tento řádek|rivin yläpuolelle|satırın üstüne|этой строкой|цим рядком"
        ))
        .unwrap()
    });
    is_zendesk_delimiter(line)
        || PHRASE.is_match(line) && (REPLY_ABOVE_THIS_LINE.is_match(line) || is_framed(line))
}

/// Zendesk's reply delimiter: a sentence between "##-" and "-##", whatever its language: three
/// words or more, or six characters of a script written without spaces (a heading such as
/// "##- Agenda -##" is not one).
fn is_zendesk_delimiter(line: &str) -> bool {
    let line = line.trim();
    let is_sentence = |inner: &str| {
        let words = inner.split_whitespace().count();
        let unspaced = inner.chars().filter(|c| *c >= '\u{2E80}').count();
        (3..=16).contains(&words) || words <= 2 && unspaced >= 6
    };
    line.strip_prefix("##-")
        .and_then(|rest| rest.strip_suffix("-##"))
        .is_some_and(is_sentence)
}

/// A line of at most fourteen words between two rules of two or more dashes, hashes, equals
/// signs, underscores or asterisks.
fn is_framed(line: &str) -> bool {
    let rule = |c: char| matches!(c, '-' | '#' | '=' | '—' | '_' | '*');
    let line = line.trim();
    let opening = line.chars().take_while(|c| rule(*c)).count();
    let closing = line.chars().rev().take_while(|c| rule(*c)).count();
    opening >= 2 && closing >= 2 && line.split_whitespace().count() <= 14
}

/// The sender's name (or nothing) and bracketed address alone on one line and, on the next,
/// only the date and time ("Tom Becker <tom@example.com>" over "03.12.2026 10:15"): the
/// memo header Lotus Notes and some web clients put above the original, with its "To", "cc"
/// and "Subject" below.
fn is_sender_over_date(lines: &[&str], start: usize) -> bool {
    let (line, Some(next)) = (lines[start].trim(), lines.get(start + 1).map(|l| l.trim())) else {
        return false;
    };
    if !line.contains('@') || next.is_empty() {
        return false;
    }
    let sender_only = BRACKETED_ADDRESS.find(line).is_some_and(|address| {
        let name = line[..address.start()].trim().trim_matches('"');
        line[address.end()..].trim().is_empty()
            && (name.is_empty() || crate::ingest::signature::is_name_like(name))
    }) || is_notes_name(line);
    sender_only
        && next.split_whitespace().count() <= 6
        && has_time(next)
        && crate::ingest::dates::parse_client_date(next, chrono_tz::UTC).is_some()
}

/// A Lotus Notes name alone on its line: the person, their organisation units and the Notes
/// domain ("Ana Souza/Sales/ACME@ACME"), which Notes prints instead of an address.
fn is_notes_name(line: &str) -> bool {
    let Some((path, domain)) = line.trim().rsplit_once('@') else {
        return false;
    };
    let mut parts = path.split('/');
    let name = parts.next().unwrap_or("").trim();
    let units: Vec<&str> = parts.collect();
    let is_unit = |unit: &&str| {
        let unit = unit.trim();
        !unit.is_empty() && unit.chars().count() <= 40 && unit.split_whitespace().count() <= 4
    };
    let domain_ok = !domain.is_empty()
        && domain.chars().count() <= 40
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
    (1..=4).contains(&units.len())
        && units.iter().all(is_unit)
        && domain_ok
        && crate::ingest::signature::is_name_like(name)
}

/// An address in angle or square brackets, or a "mailto:" link in square brackets.
static BRACKETED_ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"<[^\s<>@]+@[^\s<>@]+>|\[(?:mailto:)?[^\s\[\]@]+@[^\s\[\]@]+\]").unwrap()
});

/// Whether the quoted lines from `from` on (at most one blank line down) open with a header
/// block once their quote marks are taken off: Zimbra's "----- Ursprüngliche Mail -----" above
/// "> Von: …", "> An: …", "> Gesendet: …".
fn quoted_block_follows(lines: &[&str], from: usize) -> bool {
    let Some(first) = (from..lines.len().min(from + 2)).find(|&i| !lines[i].trim().is_empty())
    else {
        return false;
    };
    let dequoted: Vec<&str> = lines[first..]
        .iter()
        .take(MAX_HEADER_BLOCK_LINES)
        .take_while(|line| is_quote_line(line))
        .map(|line| dequote(line))
        .collect();
    !dequoted.is_empty() && block_len(&dequoted, 0).is_some()
}

/// A quoted line without its quote marks ("> > Von: x" → "Von: x").
fn dequote(line: &str) -> &str {
    let mut rest = line.trim_start();
    while let Some(inner) = rest.strip_prefix('>').or_else(|| rest.strip_prefix("&gt;")) {
        rest = inner.trim_start();
    }
    rest
}

/// Whether the next line that is not blank (at most one blank line down) is quoted.
fn quote_follows(lines: &[&str], from: usize) -> bool {
    lines[from.min(lines.len())..]
        .iter()
        .take(2)
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| is_quote_line(l))
}

/// A header block by its labels, or by its shape whatever the labels' language. The line
/// right above one belongs to it when it is an attribution that lost its colon ("Am
/// 20.06.24 um 16:20 schrieb Shop"), or a "Label: value" line that holds a time ("Message
/// du : 12/12/2016 13:20") or sits above a block that starts without its sender line.
fn block_len(lines: &[&str], start: usize) -> Option<usize> {
    let block =
        |at: usize| header_block_len(lines, at).or_else(|| shaped_header_block_len(lines, at));
    block(start).or_else(|| {
        let next = lines.get(start + 1)?;
        // A block that does not start with its sender lost that line to an unknown label.
        let headless = header_field(next).is_some_and(|field| field != Field::From);
        let line = lines[start];
        let unfinished_attribution = has_time(line)
            && super::attribution::has_attribution_verb(line)
            && line.split_whitespace().count() <= 25;
        let lead_in =
            unfinished_attribution || is_labelled_line(line) && (has_time(line) || headless);
        lead_in
            .then(|| block(start + 1))
            .flatten()
            .map(|len| len + 1)
    })
}

/// At least three consecutive "Label: value" lines, the first holding an address, another a
/// date with a time: a quoted header block in a language whose labels are not listed.
fn shaped_header_block_len(lines: &[&str], start: usize) -> Option<usize> {
    let values: Vec<&str> = lines[start..]
        .iter()
        .take(MAX_HEADER_BLOCK_LINES)
        .map_while(|line| label_and_value(line).map(|(_, value)| value))
        .collect();
    let sender_has_address = values.first().is_some_and(|v| ADDRESS.is_match(v));
    let dated = values.iter().skip(1).any(|v| has_time(v));
    (values.len() >= 3 && sender_has_address && dated).then_some(values.len())
}

/// An "On … wrote:" attribution of up to six lines, joined before matching.
fn attribution_len(lines: &[&str], start: usize) -> Option<usize> {
    let first = unemphasised(lines[start]);
    if first.len() > MAX_ATTRIBUTION_CHARS || !ATTRIBUTION_START.is_match(first) {
        return None;
    }
    let mut joined = String::new();
    for (offset, line) in lines[start..]
        .iter()
        .take(MAX_ATTRIBUTION_LINES)
        .enumerate()
    {
        let line = unemphasised(line);
        if offset > 0
            && (NESTED_ATTRIBUTION_START.is_match(line) || first.ends_with(['.', '?', '!']))
        {
            return None;
        }
        if !line.is_empty() {
            joined.push_str(if joined.is_empty() { "" } else { " " });
            joined.push_str(line);
        }
        if joined.len() > MAX_ATTRIBUTION_CHARS {
            return None;
        }
        if is_attribution(&joined, offset + 1) {
            return (!starts_later(lines, start, offset)).then_some(offset + 1);
        }
    }
    None
}

/// Whether the attribution found over `start..=start + last` really starts on the next line:
/// the first line is the reply's own text ("Il est signalé …" above "Le mar. 30 avr. …
/// a écrit :"), unless it is a lone intro word the attribution was wrapped after ("Am").
fn starts_later(lines: &[&str], start: usize, last: usize) -> bool {
    let lone_word = lines[start].split_whitespace().count() == 1;
    if last > 0 && wraps_into(lines[start], lines[start + 1]) {
        return false;
    }
    let rest: Vec<&str> = lines[start + 1..=start + last]
        .iter()
        .map(|l| unemphasised(l))
        .filter(|l| !l.is_empty())
        .collect();
    last > 0 && !lone_word && is_attribution(&rest.join(" "), last)
}

fn is_attribution(joined: &str, line_count: usize) -> bool {
    let joined = joined.trim_end_matches(['*', '_', ' ']);
    INTRO_ATTRIBUTION.is_match(joined)
        || (line_count <= 3
            && (DATE_ADDRESS_ATTRIBUTION.is_match(joined)
                || DATE_TIME_ADDRESS_ATTRIBUTION.is_match(joined)
                || ADDRESS_ATTRIBUTION.is_match(joined)))
}

/// Which header of an Outlook-style quote header block a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    From,
    Date,
    To,
    Subject,
}

fn header_field(line: &str) -> Option<Field> {
    field_of(&HEADER_FIELD.captures(line)?)
}

fn field_of(captures: &regex::Captures<'_>) -> Option<Field> {
    let field = if captures.name("from").is_some() {
        Field::From
    } else if captures.name("date").is_some() {
        Field::Date
    } else if captures.name("subject").is_some() {
        Field::Subject
    } else {
        Field::To
    };
    Some(field)
}

/// A From/Sent/To/Subject block (one wrapped line allowed after each header).
fn header_block_len(lines: &[&str], start: usize) -> Option<usize> {
    let first = header_field(lines[start])
        .filter(|f| matches!(f, Field::From | Field::Date | Field::Subject))?;
    let mut fields = vec![first];
    fields.extend(
        INLINE_FIELD
            .captures_iter(lines[start])
            .filter_map(|captures| field_of(&captures)),
    );
    let mut from_has_address = first == Field::From && ADDRESS.is_match(lines[start]);
    let mut last = start;
    let end = lines.len().min(start + MAX_HEADER_BLOCK_LINES);
    for (index, line) in lines.iter().enumerate().take(end).skip(start + 1) {
        if line.trim().is_empty() || is_quote_line(line) {
            break;
        }
        match header_field(line) {
            Some(field) => {
                fields.push(field);
                last = index;
            }
            None if index == last + 1 => {
                from_has_address |= last == start && ADDRESS.is_match(line);
            }
            None => break,
        }
    }
    // Thunderbird's table of the original message starts with its subject.
    let subject_first = first == Field::Subject;
    let complete = !subject_first || fields.contains(&Field::From) && fields.contains(&Field::Date);
    (complete && is_header_block(&fields, from_has_address)).then_some(last - start + 1)
}

fn is_header_block(fields: &[Field], from_has_address: bool) -> bool {
    let has = |field| fields.contains(&field);
    (has(Field::From) && has(Field::Date))
        || (has(Field::Date) && has(Field::To))
        || (has(Field::From) && from_has_address && (has(Field::To) || has(Field::Subject)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::forward::labels as forward;

    /// Every label the forward reader knows for a sender, date, recipient, copy or subject
    /// line starts a quote header line of that field: the two readers cannot drift apart.
    #[test]
    fn every_forward_label_is_a_quote_header_label_of_its_field() {
        let fields = [
            (forward::FROM_LABELS, Field::From),
            (forward::DATE_LABELS, Field::Date),
            (forward::TO_LABELS, Field::To),
            (forward::CC_LABELS, Field::To),
            (forward::SUBJECT_LABELS, Field::Subject),
        ];
        for (labels, field) in fields {
            for label in labels.split('|') {
                let line = format!("{label}: x");
                assert_eq!(header_field(&line), Some(field), "{line}");
            }
        }
    }
}
