//! Turns a queued outbox mail into RFC 5322 bytes: multipart/alternative
//! when it has an HTML part, the fixed Message-ID, `Auto-Submitted` and the
//! `X-Leadmail` header by which leadmail recognises its own mail.

use crate::domain::ids;
use crate::store::OutboxDraft;
use anyhow::Context;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::Message;

/// The finished message, ready for [`super::Mailer::send`].
pub fn compose(draft: &OutboxDraft, from: &Mailbox) -> anyhow::Result<Vec<u8>> {
    let to: Mailbox = draft
        .recipient
        .parse()
        .with_context(|| format!("recipient {:?} is not an address", draft.recipient))?;
    let mut builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(draft.subject.clone())
        .message_id(Some(draft.message_id.clone()))
        .date_now()
        .raw_header(raw(ids::AUTO_SUBMITTED, ids::AUTO_SUBMITTED_VALUE)?)
        .raw_header(raw(ids::HEADER, &draft.header_value)?);
    if let Some(parent) = &draft.in_reply_to {
        builder = builder
            .in_reply_to(parent.clone())
            .references(parent.clone());
    }
    let text = SinglePart::builder()
        .header(ContentType::TEXT_PLAIN)
        .body(draft.text.clone());
    let message = match &draft.html {
        Some(html) => builder.multipart(
            MultiPart::alternative().singlepart(text).singlepart(
                SinglePart::builder()
                    .header(ContentType::TEXT_HTML)
                    .body(html.clone()),
            ),
        ),
        None => builder.singlepart(text),
    }
    .context("cannot build the message")?;
    Ok(message.formatted())
}

fn raw(name: &str, value: &str) -> anyhow::Result<HeaderValue> {
    let name = HeaderName::new_from_ascii(name.to_string())
        .map_err(|e| anyhow::anyhow!("bad header name {name}: {e}"))?;
    Ok(HeaderValue::new(name, value.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(html: Option<&str>) -> OutboxDraft {
        OutboxDraft {
            kind: "digest",
            user_email: "alice@acme.test".into(),
            local_date: "2026-11-23".parse().ok(),
            message_id: "<digest.2026-11-23.abc@acme.test>".into(),
            in_reply_to: None,
            recipient: "alice@acme.test".into(),
            subject: "Your day: 1 overdue".into(),
            text: "Overdue\n  #12 call Jane\n".into(),
            html: html.map(str::to_string),
            header_value: "digest; alice@acme.test; 2026-11-23".into(),
        }
    }

    #[test]
    fn a_digest_is_multipart_alternative_with_our_headers() {
        let from = "leadmail <crm@acme.test>".parse().unwrap();
        let bytes = compose(&draft(Some("<p>Overdue</p>")), &from).unwrap();
        let parsed = mail_parser::MessageParser::default()
            .parse(&bytes[..])
            .unwrap();
        assert_eq!(parsed.message_id(), Some("digest.2026-11-23.abc@acme.test"));
        assert_eq!(parsed.subject(), Some("Your day: 1 overdue"));
        assert_eq!(
            parsed.header_raw("Auto-Submitted").map(str::trim),
            Some("auto-generated")
        );
        assert_eq!(
            parsed.header_raw("X-Leadmail").map(str::trim),
            Some("digest; alice@acme.test; 2026-11-23")
        );
        assert!(parsed.body_text(0).unwrap().contains("#12 call Jane"));
        assert!(parsed.body_html(0).unwrap().contains("<p>Overdue</p>"));
    }

    #[test]
    fn a_confirmation_answers_the_reply() {
        let mut confirmation = draft(None);
        confirmation.in_reply_to = Some("<reply-1@acme.test>".into());
        let bytes = compose(&confirmation, &"crm@acme.test".parse().unwrap()).unwrap();
        let parsed = mail_parser::MessageParser::default()
            .parse(&bytes[..])
            .unwrap();
        assert_eq!(parsed.in_reply_to().as_text(), Some("reply-1@acme.test"));
        let content_type = String::from_utf8_lossy(&bytes).to_lowercase();
        assert!(
            content_type.contains("content-type: text/plain")
                && !content_type.contains("multipart/alternative"),
            "a confirmation is plain text only"
        );
    }
}
