//! Header labels as forwarding clients print them (From/Von/De/…), per field and language,
//! and reading the field and value of a header line.

use crate::ingest::subject;
use regex::Regex;
use std::collections::HashMap;
use std::sync::LazyLock;

/// Which original header a label names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    From,
    To,
    Cc,
    Date,
    Subject,
    /// Reply-To: where answers go (a form's submitter, when the sender is a no-reply robot).
    ReplyTo,
    Other,
}

/// Labels of the sender line, `|`-separated.
pub(in crate::ingest) const FROM_LABELS: &str = concat!(
    "From|Von|De|De la|Van|Fra|Od|Från|Lähettäjä|Feladó|От|Від|Від кого|Отправитель|",
    "Da|Expeditorul|Expeditor|Kimden|Gönderen|Šalje|Saatja|送信元|差出人|Mittente|Nadawca|",
    "Afzender|Avsändare|Absender|Remitente|Expéditeur|Remetente|Odesílatel|",
    "Odosielateľ|Pošiljatelj|Αποστολέας|Από|发件人|寄件者|寄件人|보낸 사람|От кого|Од|من|מאת|",
    "差出人|送信者",
);

/// Labels of the recipient line, `|`-separated.
pub(in crate::ingest) const TO_LABELS: &str = concat!(
    "To|An|À|A|Para|Aan|Til|Till|Do|Komu|Pre|Prima|Címzett|Vastaanottaja|Destinatarul|",
    "Destinatar|Către|Кому|Kime|送信先|宛先|Pour|Adresat|Destinatario|Destinataire|",
    "Empfänger|Ontvanger|收件人|收件者|Προς|Saaja|Mottaker|받는 사람|До|За|Za|إلى|אל",
);

/// Labels of the copy line, `|`-separated.
pub(in crate::ingest) const CC_LABELS: &str = concat!(
    "Cc|Kopie|Kopie (CC)|Kopie an|Kopi|Kopia|Kópia|Kopio|Copie|Copie à|Másolat|",
    "Másolatot kap|Dw|Копия|Копія|Копії|Копие|Bilgi|Copia|Cópia|Kopija|Koopia|抄送|副本|Κοιν|참조|",
    "نسخة|עותק",
);

/// Labels of the date or sent time line, `|`-separated.
pub(in crate::ingest) const DATE_LABELS: &str = concat!(
    "Date|Datum|Dato|Fecha|Data|Päivämäärä|Päiväys|Dátum|Дата|Tarih|Dată|日付|Sent|",
    "Gesendet|Sendt|Skickat|Enviado|Enviada|Enviado em|Envoyé|Envoyé le|Inviato|Verzonden|Verstuurd|",
    "Lähetetty|Elküldve|Wysłano|Wysłane|Trimis|Отправлено|Відправлено|Gönderilen|",
    "Gönderildi|Odoslané|Odesláno|Poslano|Kuupäev|Saadetud|送信日時|发送时间|日期|Ημερομηνία|",
    "Στάλθηκε|날짜|보낸 날짜|Enviado el|Enviada el|Изпратено|Датум|Poslato|Послато|寄件日期|时间|",
    "التاريخ|تاريخ|أرسل|أُرسل|תאריך|נשלח",
);

/// Labels of the subject line, `|`-separated.
pub(in crate::ingest) const SUBJECT_LABELS: &str = concat!(
    "Subject|Betreff|Objet|Sujet|Asunto|Oggetto|Onderwerp|Emne|Ämne|Aihe|Tárgy|Temat|",
    "Assunto|Předmět|Predmet|Subiect|Subiectul|Тема|Konu|Naslov|件名|Teema|Θέμα|主题|主旨|",
    "제목|Относно|Предмет|Tema|الموضوع|נושא",
);

/// Labels of the Reply-To line, `|`-separated.
const REPLY_TO_LABELS: &str = concat!(
    "Reply-To|Antwort an|Répondre à|Responder a|Rispondi a|Antwoord aan|Svara till|Svar til|",
    "Odpowiedz do|Odpověď na|Responder para",
);

/// Labels of other header lines (kept in the block, values ignored), `|`-separated.
const OTHER_LABELS: &str = concat!(
    "Bcc|Cco|Ccn|",
    "Importance|Wichtigkeit|Priorité|Attachments|Anlagen|Pièces jointes|Sender",
);

/// Header labels as forwarding clients print them, per field.
const LABELS: &[(Field, &str)] = &[
    (Field::From, FROM_LABELS),
    (Field::To, TO_LABELS),
    (Field::Cc, CC_LABELS),
    (Field::Date, DATE_LABELS),
    (Field::Subject, SUBJECT_LABELS),
    (Field::ReplyTo, REPLY_TO_LABELS),
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
pub(super) static GLUED_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    let labels = label_alternation();
    Regex::new(&format!(r"(?i)(?:{labels})(?:{BLANK}*[:：]| )"))
        .expect("the glued label pattern is valid")
});

/// Blanks inside header lines (French puts a no-break space before ":").
const BLANK: &str = r"[ \t\u{a0}\u{202f}]";

/// The field and value of a header line.
pub(super) fn header_line(content: &str) -> Option<(Field, &str)> {
    let (field, value_start) = header_label(content)?;
    // An HTML header table comes out of html_to_text as "Subject: | Re: …".
    let value = content[value_start..].trim().trim_start_matches('|');
    Some((field, value.trim()))
}

/// The field named at the start of a line, and where its value starts.
pub(super) fn header_label(content: &str) -> Option<(Field, usize)> {
    if !content.contains([':', '：']) {
        return None;
    }
    let found = HEADER_LABEL.find(content)?;
    let not_label = |c: char| matches!(c, '*' | ':' | '：') || c.is_whitespace();
    let label = found.as_str().trim_matches(not_label).to_lowercase();
    Some((*LABEL_FIELDS.get(&label)?, found.end()))
}
