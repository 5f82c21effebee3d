//! Mail written by machines: delivery status notifications, out-of-office
//! replies and newsletters.

use super::mime::{crlf, mailbox, phrase, Draft};
use super::people::Lang;
use super::rng::Rng;
use super::text;
use super::Facts;

/// An out-of-office reply from the person an earlier outbound mail went to
/// (or from this message's own person when there is none).
pub(super) fn out_of_office(facts: &Facts) -> (Draft, String) {
    let answered = facts.answers.as_deref();
    let person = answered.map_or(&facts.person, |a| &a.person);
    let rep = answered.map_or(facts.rep, |a| a.rep);
    let subject = answered.map_or(facts.subject.as_str(), |a| a.subject.as_str());
    let (prefix, body) = match facts.lang {
        Lang::En => ("Automatic reply", "Thank you for your message. I am out of the office until Monday with limited access to e-mail. For urgent matters please contact our front desk."),
        Lang::De => ("Abwesenheitsnotiz", "Vielen Dank für Ihre Nachricht. Ich bin bis Montag nicht im Büro und habe nur eingeschränkten Zugriff auf E-Mails."),
        Lang::Fr => ("Réponse automatique", "Merci pour votre message. Je suis absent du bureau jusqu'à lundi avec un accès limité à mes e-mails."),
        Lang::Pt => ("Resposta automática", "Obrigado pela sua mensagem. Estou fora do escritório até segunda-feira, com acesso limitado ao e-mail."),
        Lang::Es => ("Respuesta automática", "Gracias por su mensaje. Estoy fuera de la oficina hasta el lunes con acceso limitado al correo."),
    };
    let mut draft = Draft {
        html: true,
        ..Draft::default()
    };
    let id = format!("ooo.{:x}.{}@{}", facts.seed, facts.index, person.domain);
    draft
        .header("Return-Path", format!("<{}>", person.email))
        .header("Delivered-To", "crm@acme.test")
        .header("From", mailbox(&person.name(), &person.email))
        .header("To", mailbox(rep.name, rep.email))
        .header("Subject", phrase(&format!("{prefix}: {subject}")))
        .header("Date", facts.date.to_rfc2822())
        .header("Message-ID", format!("<{id}>"))
        .header("Auto-Submitted", "auto-replied")
        .header("X-Auto-Response-Suppress", "All");
    if let Some(answered) = answered {
        let parent = format!("<{}>", answered.outbound_id());
        draft
            .header("In-Reply-To", parent.clone())
            .header("References", parent);
    }
    draft.text = format!("{body}\n\n{}\n", person.name());
    (draft, id)
}

/// A vendor's newsletter to the CRM address.
pub(super) fn newsletter(facts: &Facts, rng: &mut Rng) -> (Draft, String) {
    let vendor = rng.pick(&["hooli", "initech", "globex-insights", "coldchain-weekly"]);
    let token = rng.next_u64();
    let mut draft = Draft {
        html: true,
        ..Draft::default()
    };
    let id = format!(
        "{:016x}-{:x}-{}@email.{vendor}.example",
        token, facts.seed, facts.index
    );
    draft
        .header("Return-Path", format!("<bounce-{token:x}@email.{vendor}.example>"))
        .header("Delivered-To", "crm@acme.test")
        .header("From", format!("{} Weekly <news@{vendor}.example>", vendor.replace('-', " ")))
        .header("To", "crm@acme.test")
        .header("Subject", format!("Issue {}: 5 trends in cold-chain automation", facts.index % 997))
        .header("Date", facts.date.to_rfc2822())
        .header("Message-ID", format!("<{id}>"))
        .header("Precedence", "bulk")
        .header("List-Id", format!("<weekly.{vendor}.example>"))
        .header("List-Unsubscribe", format!("<https://{vendor}.example/unsubscribe?u={token:x}>, <mailto:unsubscribe@{vendor}.example?subject={token:x}>"))
        .header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
        .header("Feedback-ID", format!("weekly:{vendor}"));
    draft.text = format!(
        "1. Why cold-chain automation is going mainstream\n2. Five questions to ask before buying temperature sensors\n3. Webinar: digital twins for warehouses (register now)\n\n{}\nYou receive this newsletter because you subscribed at {vendor}.example.\nUnsubscribe: https://{vendor}.example/unsubscribe?u={token:x}\n",
        text::filler(rng, 1500)
    );
    (draft, id)
}

/// A DSN (multipart/report) for an earlier outbound mail, hard 5.1.1 or
/// soft 4.2.2, with the returned message's headers.
pub(super) fn bounce(facts: &Facts, rng: &mut Rng) -> (Vec<u8>, String) {
    let original = facts.answers.as_deref().unwrap_or(facts);
    let to = &original.person.email;
    let hard = rng.chance(0.85);
    let (status, reason) = if hard {
        (
            "5.1.1",
            "550 5.1.1 <ADDR>: Recipient address rejected: User unknown in virtual mailbox table",
        )
    } else {
        ("4.2.2", "452 4.2.2 <ADDR>: Mailbox full, try again later")
    };
    let reason = reason.replace("ADDR", to);
    let queue = format!("4Y{:010X}", rng.next_u64() >> 24);
    let boundary = format!("{queue}.{}/mail.acme.test", facts.date.timestamp());
    let id = format!(
        "{}.{queue}.{:x}.{}@mail.acme.test",
        facts.date.format("%Y%m%d%H%M%S"),
        facts.seed,
        facts.index
    );
    let date = facts.date.to_rfc2822();
    let notice = format!(
        "This is the mail system at host mail.acme.test.\n\nI'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients. It's attached below.\n\nFor further assistance, please send mail to postmaster.\n\nIf you do so, please include this problem report. You can\ndelete your own text from the attached returned message.\n\n                   The mail system\n\n<{to}>: host mx1.{}[192.0.2.44] said: {reason} (in reply to RCPT TO command)\n",
        original.person.domain
    );
    let report = format!(
        "Reporting-MTA: dns; mail.acme.test\nX-Postfix-Queue-ID: {queue}\nX-Postfix-Sender: rfc822; {rep}\nArrival-Date: {date}\n\nFinal-Recipient: rfc822; {to}\nOriginal-Recipient: rfc822;{to}\nAction: {action}\nStatus: {status}\nRemote-MTA: dns; mx1.{domain}\nDiagnostic-Code: smtp; {reason}\n",
        rep = original.rep.email,
        action = if hard { "failed" } else { "delayed" },
        domain = original.person.domain,
    );
    let headers = format!(
        "From: {}\nTo: {}\nSubject: {}\nDate: {}\nMessage-ID: <{}>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=\"UTF-8\"\n",
        mailbox(original.rep.name, original.rep.email),
        mailbox(&original.person.name(), to),
        phrase(&original.subject),
        original.date.to_rfc2822(),
        original.outbound_id()
    );
    let subject = if hard {
        "Undelivered Mail Returned to Sender"
    } else {
        "Delayed Mail (still being retried)"
    };
    let message = format!(
        "Return-Path: <>\nDelivered-To: crm@acme.test\nReceived: by mail.acme.test (Postfix)\n\tid {queue}; {date}\nDate: {date}\nFrom: MAILER-DAEMON@mail.acme.test (Mail Delivery System)\nSubject: {subject}\nTo: crm@acme.test\nAuto-Submitted: auto-replied\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status;\n\tboundary=\"{boundary}\"\nMessage-Id: <{id}>\n\nThis is a MIME-encapsulated message.\n\n--{boundary}\nContent-Description: Notification\nContent-Type: text/plain; charset=us-ascii\n\n{notice}\n--{boundary}\nContent-Description: Delivery report\nContent-Type: message/delivery-status\n\n{report}\n--{boundary}\nContent-Description: Undelivered Message Headers\nContent-Type: text/rfc822-headers\n\n{headers}\n--{boundary}--\n"
    );
    (crlf(&message).into_bytes(), id)
}
