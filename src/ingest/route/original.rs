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
        from: original_sender(inner, mail.from.as_ref())?,
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

/// Who wrote the forwarded original: its sender, or the Reply-To its header block shows
/// when the sender speaks for nobody (a no-reply robot, or the forwarder's own domain, as a
/// website's form mail does) and answers go to a person.
fn original_sender(inner: &forward::Forward, forwarder: Option<&Person>) -> Option<Person> {
    let from = person(&inner.from);
    let reply_to = || inner.reply_to.as_ref().and_then(person);
    match from {
        Some(from) if speaks_for_nobody(&from, forwarder) => Some(
            reply_to()
                .or_else(|| form_submitter(&inner.body))
                .unwrap_or(from),
        ),
        Some(from) => Some(from),
        None => reply_to().or_else(|| signed_by(&inner.body, inner.from.name.as_deref()?)),
    }
}

/// Lines at the end of an original's own text that its signature is looked for in.
const SIGNATURE_LINES: usize = 12;

/// The address of a sender shown by name only ("From: Jane Doe", as Outlook shows a
/// sender it knows), from the original's signature: an address in its last lines whose
/// local part holds one of the name's words ("jane.doe@", "doe@"), else the only address
/// there.
fn signed_by(body: &str, name: &str) -> Option<Person> {
    let own = crate::ingest::quote::strip_quoted(body);
    let lines: Vec<&str> = own.lines().filter(|l| !l.trim().is_empty()).collect();
    let tail = &lines[lines.len().saturating_sub(SIGNATURE_LINES)..];
    let mut found: Vec<crate::domain::EmailAddress> = Vec::new();
    let words = tail
        .iter()
        .flat_map(|line| line.split(|c: char| c.is_whitespace() || "<>()[],;|".contains(c)));
    for word in words {
        let Ok(address) = crate::domain::EmailAddress::parse(word.trim_matches(['.', ':'])) else {
            continue;
        };
        if !found.contains(&address) {
            found.push(address);
        }
    }
    let named = found.iter().find(|address| address.local_part_names(name));
    let email = match (named, found.as_slice()) {
        (Some(address), _) => address.clone(),
        (None, [only]) => only.clone(),
        _ => return None,
    };
    Some(Person {
        email,
        name: Some(name.trim().to_string()).filter(|n| !n.is_empty()),
    })
}

/// The name of a forwarded original's sender shown without an address, when the mail holds
/// such a forward and its address could not be found: why it cannot be filed.
pub(super) fn nameless_sender(mail: &ParsedMail, has_external_recipients: bool) -> Option<String> {
    let hint = subject_hint(mail, has_external_recipients);
    let found = forward::unwrap_forward(hint, &mail.text)?;
    let inner = found.innermost();
    let shown = inner.from.name.clone().unwrap_or_default();
    inner.from.address.is_empty().then_some(shown)
}

/// The submitter of a form mail that a robot sent: its one e-mail field's address, with the
/// name field's value.
fn form_submitter(body: &str) -> Option<Person> {
    use super::super::form::parse_labelled_fields;
    use crate::config::{is_field_label, EMAIL_FIELD_LABELS, NAME_FIELD_LABELS};
    let fields = parse_labelled_fields(body, &[]);
    let mut addresses = fields
        .iter()
        .filter(|(label, _)| is_field_label(label, EMAIL_FIELD_LABELS))
        .filter_map(|(_, value)| crate::domain::EmailAddress::parse(value.trim()).ok());
    let email = addresses.next()?;
    if addresses.any(|other| other != email) {
        return None;
    }
    let name = fields
        .iter()
        .find(|(label, value)| {
            is_field_label(label, NAME_FIELD_LABELS)
                && !value.trim().is_empty()
                && !value.contains('@')
        })
        .map(|(_, value)| value.trim().to_string());
    Some(Person { email, name })
}

/// A no-reply address, or one of the forwarder's own domain.
fn speaks_for_nobody(sender: &Person, forwarder: Option<&Person>) -> bool {
    let email = &sender.email;
    let own_domain = forwarder.is_some_and(|f| f.email.domain() == email.domain());
    crate::ingest::automated::is_no_reply_local_part(email.local_part()) || own_domain
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

    /// A rep's forward of a mail whose header block is `block` and whose body is `fields`.
    fn forwarded_form(block: &str, fields: &str) -> Option<Original> {
        let body = format!("Can you take this?\r\n\r\n---------- Forwarded message ---------\r\n{block}\r\n\r\n{fields}");
        find(&mail("Fwd: Enquiry", &body), false, chrono_tz::UTC)
    }

    #[test]
    fn a_robots_form_mail_is_from_its_reply_to_or_its_email_field() {
        let fields = "Name: Jane Doe\r\nEmail: jane@customer.example\r\nMessage: Please call me.";
        let robot =
            "From: Website <noreply@site.example>\r\nSubject: Enquiry\r\nDate: 3 Dec 2026 09:12";
        let with_reply_to = format!("{robot}\r\nReply-To: Jane Doe <jane@customer.example>");
        for block in [with_reply_to.as_str(), robot] {
            let original = forwarded_form(block, fields).expect("a forward");
            assert_eq!(
                original.from.email.as_ref(),
                "jane@customer.example",
                "{block}"
            );
            assert_eq!(original.from.name.as_deref(), Some("Jane Doe"));
        }
        // The team's own website, sending from the rep's domain.
        let own =
            "From: Web <web@acme.test>\r\nSubject: Enquiry\r\nReply-To: <jane@customer.example>";
        let original = forwarded_form(own, "Please call me.").expect("a forward");
        assert_eq!(original.from.email.as_ref(), "jane@customer.example");
    }

    #[test]
    fn a_persons_mail_stays_theirs_whatever_its_reply_to_or_fields_say() {
        let person = "From: Bob Jones <bob@corp.example>\r\nSubject: Enquiry\r\nReply-To: Assistant <office@corp.example>";
        let original = forwarded_form(person, "Email: other@else.example").expect("a forward");
        assert_eq!(original.from.email.as_ref(), "bob@corp.example");
        // A robot's mail whose fields name two addresses names no submitter.
        let robot =
            "From: Website <noreply@site.example>\r\nSubject: Enquiry\r\nDate: 3 Dec 2026 09:12";
        let two = "Email: jane@customer.example\r\nE-mail: joe@customer.example";
        let original = forwarded_form(robot, two).expect("a forward");
        assert_eq!(original.from.email.as_ref(), "noreply@site.example");
    }

    #[test]
    fn a_sender_shown_by_name_only_is_found_by_the_signature() {
        let outlook = "From: Jane Doe\r\nSent: Thursday, November 19, 2026 4:20 PM\r\nTo: Sales\r\nSubject: Sensors";
        let signed = "Hello, we need 40 sensors.\r\n\r\nJane Doe\r\nPurchasing, Customer Ltd\r\nT +44 20 7946 0000 | jane.doe@customer.example";
        let original = forwarded_form(outlook, signed).expect("a forward");
        assert_eq!(original.from.email.as_ref(), "jane.doe@customer.example");
        assert_eq!(original.from.name.as_deref(), Some("Jane Doe"));
        // Of two addresses in the signature, the one with the sender's name.
        let two = "Hello.\r\n\r\nJane Doe\r\noffice@customer.example\r\ndoe@customer.example";
        let original = forwarded_form(outlook, two).expect("a forward");
        assert_eq!(original.from.email.as_ref(), "doe@customer.example");
    }

    #[test]
    fn a_sender_shown_by_name_only_and_signed_without_an_address_is_named_in_the_refusal() {
        let outlook = "From: Jane Doe\r\nSent: Thursday, November 19, 2026 4:20 PM\r\nTo: Sales\r\nSubject: Sensors";
        let unsigned = "Hello, we need 40 sensors.\r\n\r\nJane";
        assert!(forwarded_form(outlook, unsigned).is_none());
        let body = format!("Can you take this?\r\n\r\n---------- Forwarded message ---------\r\n{outlook}\r\n\r\n{unsigned}");
        let shown = nameless_sender(&mail("Fwd: Sensors", &body), false);
        assert_eq!(shown.as_deref(), Some("Jane Doe"));
        let addressed = forwarded_form(
            "From: Jane <jane@customer.example>\r\nSubject: Sensors",
            unsigned,
        );
        assert!(addressed.is_some());
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
