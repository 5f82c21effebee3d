//! The original message inside a forward, whether inline or attached.

use super::super::dates;
use super::super::forward::{self, ForwardedAddress};
use super::super::parse::{ParsedMail, Person};
use super::super::subject::{self, clean_subject};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// A forwarded original, whichever way it was forwarded.
pub(super) struct Original {
    /// Its sender.
    pub from: Person,
    /// Its subject.
    pub subject: String,
    /// Its date, when it could be read.
    pub date: Option<DateTime<Utc>>,
    /// Its body text.
    pub text: String,
    /// Its To and Cc.
    pub recipients: Vec<Person>,
    /// The forwarder's own text above it.
    pub note: String,
    /// How it was found (for the plan's reason).
    pub how: &'static str,
}

/// Finds the original of a forwarded mail: an attached `message/rfc822`,
/// or an inline forwarded block. A reply that quotes a header block is not
/// a forward unless its subject says so or nobody outside was addressed.
pub(super) fn find(mail: &ParsedMail, has_external_recipients: bool, zone: Tz) -> Option<Original> {
    if let Some(attached) = mail.attached.as_deref() {
        if let Some(original) = from_attached(attached, &mail.text) {
            return Some(original);
        }
    }
    // Checked before unwrapping: the answer would be None whatever the body holds.
    if has_external_recipients && !forward::has_forward_prefix(&mail.subject) {
        return None;
    }
    let found = forward::unwrap_forward(subject_hint(mail, has_external_recipients), &mail.text)?;
    let note = found.note.clone().unwrap_or_default();
    let inner = found.innermost();
    Some(Original {
        from: person(&inner.from)?,
        subject: inner
            .subject
            .clone()
            .unwrap_or_else(|| clean_subject(&mail.subject)),
        date: inner.date.as_deref().and_then(|d| parse_date(d, zone)),
        text: inner.body.clone(),
        recipients: inner
            .to
            .iter()
            .chain(&inner.cc)
            .filter_map(person)
            .collect(),
        note,
        how: "inline forwarded block",
    })
}

/// The subject that guides unwrapping. A rep's "RE:"/"AW:" mail to nobody outside (the CRM
/// address alone) answers nobody: a header block in it is a forward of that reply, so the
/// reply prefix must not veto it.
fn subject_hint(mail: &ParsedMail, has_external_recipients: bool) -> &str {
    let is_reply = subject::outer_prefix(&mail.subject) == Some(subject::PrefixKind::Reply);
    if is_reply && !has_external_recipients {
        ""
    } else {
        &mail.subject
    }
}

fn from_attached(attached: &ParsedMail, outer_text: &str) -> Option<Original> {
    let innermost = innermost_attached(attached);
    Some(Original {
        from: innermost.from.clone()?,
        subject: innermost.subject.clone(),
        date: innermost.date,
        text: innermost.text.clone(),
        recipients: innermost.to.iter().chain(&innermost.cc).cloned().collect(),
        note: outer_text.trim().to_string(),
        how: "attached message/rfc822",
    })
}

/// Follows attached messages down to the innermost original.
fn innermost_attached(mail: &ParsedMail) -> &ParsedMail {
    match mail.attached.as_deref() {
        Some(inner) if inner.from.is_some() && mail.text.trim().len() < 2000 => {
            innermost_attached(inner)
        }
        _ => mail,
    }
}

fn person(address: &ForwardedAddress) -> Option<Person> {
    let email = crate::domain::EmailAddress::parse(&address.address).ok()?;
    let name = address.name.clone().filter(|n| !n.trim().is_empty());
    Some(Person { email, name })
}

/// A forwarded date ([`dates::parse_forwarded_date`]).
fn parse_date(text: &str, zone: Tz) -> Option<DateTime<Utc>> {
    dates::parse_forwarded_date(text, zone)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn mail(subject: &str, body: &str) -> ParsedMail {
        let raw =
            format!("From: rep@acme.test\r\nTo: crm@acme.test\r\nSubject: {subject}\r\n\r\n{body}");
        let message = mail_parser::MessageParser::default()
            .parse(raw.as_bytes())
            .unwrap();
        super::super::super::parse::facts(&message, raw.as_bytes(), 100_000)
    }

    #[test]
    fn a_reps_reply_to_the_crm_address_alone_is_read_as_a_forward() {
        let body = "Please log this.\r\n\r\nVon: Erika Muster <erika@kunde.de>\r\nGesendet: Montag, 3. M\u{e4}rz 2025 10:12\r\nAn: Rep <rep@acme.test>\r\nBetreff: Angebot\r\n\r\nGuten Tag";
        let zone = chrono_tz::Europe::Berlin;
        let original = find(&mail("AW: Angebot", body), false, zone).expect("a forward");
        assert_eq!(original.from.email.as_ref(), "erika@kunde.de");
        assert_eq!(original.subject, "Angebot");
        assert!(
            find(&mail("AW: Angebot", body), true, zone).is_none(),
            "a reply to the customer"
        );
    }

    #[test]
    fn forwarded_dates_in_client_layouts_are_read_in_the_reps_zone() {
        let lisbon = chrono_tz::Europe::Lisbon;
        let gmail = parse_date("Sun, Nov 22, 2026 at 6:12 PM", lisbon);
        assert_eq!(gmail, Some(utc("2026-11-22T18:12:00Z")));
        let outlook = parse_date(
            "Friday, November 20, 2026 4:40 PM",
            chrono_tz::Europe::Berlin,
        );
        assert_eq!(outlook, Some(utc("2026-11-20T15:40:00Z")));
        let rfc = parse_date("Fri, 20 Nov 2026 11:02:00 +0100", lisbon);
        assert_eq!(rfc, Some(utc("2026-11-20T10:02:00Z")));
        assert_eq!(
            parse_date("sábado, 21/11/2026 à(s) 10:15", lisbon),
            Some(utc("2026-11-21T10:15:00Z"))
        );
    }

    #[test]
    fn a_date_in_another_shape_is_not_read_by_the_rfc_5322_parser() {
        let zone = chrono_tz::UTC;
        // mail-parser read these as January 26 and June 17.
        assert_eq!(
            parse_date("26. října 2021 14:25:08 GMT+3", zone),
            Some(utc("2021-10-26T11:25:08Z"))
        );
        assert_eq!(
            parse_date("17 août 2022 à 09:06:24 UTC+2", zone),
            Some(utc("2022-08-17T07:06:24Z"))
        );
        assert_eq!(
            parse_date("Wed, 3 Nov 2021 15:51:30 +0100", zone),
            Some(utc("2021-11-03T14:51:30Z"))
        );
    }
}
