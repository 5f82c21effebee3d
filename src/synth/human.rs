//! Mail written by people: reps' BCC'd outbound mail and forwards, the
//! partner's referrals, form submissions and prospects' replies.

use super::mime::{mailbox, phrase, Draft};
use super::people::{Lang, PARTNER};
use super::rng::Rng;
use super::text;
use super::Facts;

const AUTH_ACME: &str = "mx.acme.test; dkim=pass header.d=acme.test; spf=pass smtp.mailfrom=acme.test; dmarc=pass header.from=acme.test";

/// Envelope and trace fields every delivered message starts with.
fn trace(draft: &mut Draft, facts: &Facts, return_path: &str, auth: Option<&str>, rng: &mut Rng) {
    draft.header("Return-Path", format!("<{return_path}>"));
    draft.header("Delivered-To", "crm@acme.test");
    if let Some(auth) = auth {
        draft.header("Authentication-Results", auth);
    }
    let host = return_path.rsplit('@').next().unwrap_or("example.net");
    draft.header(
        "Received",
        format!(
            "from mail.{host} (mail.{host} [198.51.100.{}])\r\n\tby mx.acme.test (Postfix) with ESMTPS id 4Y{:010X}\r\n\tfor <crm@acme.test>; {}",
            rng.range(2, 250),
            rng.next_u64() >> 24,
            facts.date.to_rfc2822()
        ),
    );
    let signature = text::base64(&rng.bytes(192)).replace("\r\n", "\r\n\t ");
    draft.header(
        "DKIM-Signature",
        format!("v=1; a=rsa-sha256; c=relaxed/relaxed; d={host}; s=s1; h=from:to:subject:date:message-id; bh={}; b={}", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", signature.trim_end()),
    );
}

/// A rep's mail to a prospect, with the CRM address in BCC (not shown).
pub(super) fn outbound(facts: &Facts, rng: &mut Rng) -> (Draft, String) {
    let mut draft = Draft {
        html: true,
        attach: true,
        ..Draft::default()
    };
    trace(&mut draft, facts, facts.rep.email, Some(AUTH_ACME), rng);
    let id = facts.outbound_id();
    draft
        .header("From", mailbox(facts.rep.name, facts.rep.email))
        .header("To", mailbox(&facts.person.name(), &facts.person.email))
        .header("Subject", phrase(&facts.subject))
        .header("Date", facts.date.to_rfc2822())
        .header("Message-ID", format!("<{id}>"));
    let mut body = format!("{}\n\n", text::greeting(Lang::En, facts.person.first));
    let count = rng.range(2, 4) as usize;
    for paragraph in text::pitch(rng, count) {
        body.push_str(paragraph);
        body.push_str("\n\n");
    }
    body.push_str(&format!(
        "Best regards,\n\n{}\nAccount Executive | Acme\n+351 910 000 {:03}\n",
        facts.rep.name,
        rng.below(1000)
    ));
    draft.text = body;
    (draft, id)
}

/// The original inquiry a forward or a referral carries (without header block).
fn inquiry(facts: &Facts, to_first: &str, rng: &mut Rng) -> String {
    let mut body = format!("{}\n\n", text::greeting(facts.lang, to_first));
    let count = rng.range(1, 3) as usize;
    for paragraph in text::inquiry(rng, facts.lang, count) {
        body.push_str(paragraph);
        body.push_str("\n\n");
    }
    body.push_str(&format!(
        "{}\n{}\n{}\n+{} {} {:03} {:03}\n",
        text::closing(facts.lang),
        facts.person.name(),
        facts.person.company,
        rng.pick(&["351", "49", "33", "34", "44"]),
        rng.range(20, 99),
        rng.below(1000),
        rng.below(1000)
    ));
    body
}

/// The forwarded-message block of one client style, in the facts' language.
fn forward_block(facts: &Facts, to: &str, rng: &mut Rng) -> (String, &'static str) {
    let p = &facts.person;
    let sent = facts.date - chrono::Duration::hours(rng.range(2, 72) as i64);
    let (from_l, date_l, subject_l, to_l) = match facts.lang {
        Lang::En => ("From", "Date", "Subject", "To"),
        Lang::De => ("Von", "Datum", "Betreff", "An"),
        Lang::Fr => ("De", "Date", "Objet", "À"),
        Lang::Pt => ("De", "Data", "Assunto", "Para"),
        Lang::Es => ("De", "Fecha", "Asunto", "Para"),
    };
    let (gmail, thunderbird, apple) = match facts.lang {
        Lang::En => (
            "Forwarded message",
            "Forwarded Message",
            "Begin forwarded message:",
        ),
        Lang::De => (
            "Weitergeleitete Nachricht",
            "Weitergeleitete Nachricht",
            "Anfang der weitergeleiteten Nachricht:",
        ),
        Lang::Fr => (
            "Message transféré",
            "Message transféré",
            "Début du message réexpédié :",
        ),
        Lang::Pt => (
            "Mensagem encaminhada",
            "Mensagem reencaminhada",
            "Início da mensagem reencaminhada:",
        ),
        Lang::Es => (
            "Mensaje reenviado",
            "Mensaje reenviado",
            "Inicio del mensaje reenviado:",
        ),
    };
    let (name, subject) = (p.name(), &facts.subject);
    match rng.below(4) {
        0 => (format!("---------- {gmail} ---------\n{from_l}: {name} <{}>\n{date_l}: {}\n{subject_l}: {subject}\n{to_l}: {to}\n\n\n", p.email, sent.format("%a, %b %-d, %Y at %-I:%M %p")), "gmail"),
        1 => (format!("________________________________\n{from_l}: {name} <{}>\n{}: {}\n{to_l}: {to}\n{subject_l}: {subject}\n\n", p.email, if facts.lang == Lang::En { "Sent" } else { date_l }, sent.format("%A, %B %-d, %Y %-I:%M %p")), "outlook"),
        2 => (format!("{apple}\n\n> {from_l}: {name} <{}>\n> {subject_l}: {subject}\n> {date_l}: {}\n> {to_l}: {to}\n>\n", p.email, sent.format("%-d %B %Y at %H:%M:%S GMT")), "apple"),
        _ => (format!("-------- {thunderbird} --------\n{subject_l}: \t{subject}\n{date_l}: \t{}\n{from_l}: \t{name} <{}>\n{to_l}: \t{to}\n\n\n\n", sent.to_rfc2822(), p.email), "thunderbird"),
    }
}

/// A rep forwarding a prospect's inquiry to the CRM address.
pub(super) fn forward(facts: &Facts, rng: &mut Rng) -> (Draft, String) {
    let rep = facts.rep;
    let (block, client) = forward_block(facts, &format!("{} <{}>", rep.name, rep.email), rng);
    let original = inquiry(facts, rep.name.split(' ').next().unwrap_or(rep.name), rng);
    let original = if client == "apple" {
        original
            .lines()
            .map(|l| {
                if l.is_empty() {
                    ">\n".to_string()
                } else {
                    format!("> {l}\n")
                }
            })
            .collect()
    } else {
        original
    };
    let mut draft = Draft {
        html: true,
        attach: true,
        ..Draft::default()
    };
    trace(&mut draft, facts, rep.email, Some(AUTH_ACME), rng);
    let prefix = if client == "outlook" {
        rng.pick(&["FW", "WG", "TR", "RV"])
    } else {
        "Fwd"
    };
    let id = format!("{client}.{:x}.{}@mail.acme.test", facts.seed, facts.index);
    draft
        .header("From", mailbox(rep.name, rep.email))
        .header("To", "crm@acme.test")
        .header("Subject", phrase(&format!("{prefix}: {}", facts.subject)))
        .header("Date", facts.date.to_rfc2822())
        .header("Message-ID", format!("<{id}>"))
        .header("Content-Language", facts.lang.tag());
    draft.text = format!(
        "{}\n\n{}\n\n{block}{original}",
        text::forward_note(rng, facts.lang),
        rep.name.split(' ').next().unwrap_or("")
    );
    (draft, id)
}

/// The partner forwarding a referral to a rep, with the CRM address in copy.
pub(super) fn partner(facts: &Facts, rng: &mut Rng) -> (Draft, String) {
    let english = Facts {
        lang: Lang::En,
        ..facts.clone()
    };
    let (block, _) = forward_block(
        &english,
        &format!("{} <{}>", PARTNER.name, PARTNER.email),
        rng,
    );
    let original = inquiry(&english, "Bob", rng);
    let auth =
        "mx.acme.test; dkim=pass header.d=northwind.test; dmarc=pass header.from=northwind.test";
    let mut draft = Draft {
        html: true,
        attach: true,
        ..Draft::default()
    };
    trace(&mut draft, facts, PARTNER.email, Some(auth), rng);
    let id = format!("ref.{:x}.{}@mail.northwind.test", facts.seed, facts.index);
    draft
        .header("From", mailbox(PARTNER.name, PARTNER.email))
        .header("To", mailbox(facts.rep.name, facts.rep.email))
        .header("Cc", "crm@acme.test")
        .header("Subject", format!("Fwd: {}", phrase(&facts.subject)))
        .header("Date", facts.date.to_rfc2822())
        .header("Message-ID", format!("<{id}>"));
    draft.text = format!("Hi {},\n\n{} from {} reached out to us. Over to you - please keep me posted.\n\nBob\n\n{block}{original}", facts.rep.name.split(' ').next().unwrap_or(""), facts.person.first, facts.person.company);
    (draft, id)
}

/// A website form submission, with labels in the facts' language.
pub(super) fn form(facts: &Facts, rng: &mut Rng) -> (Draft, String) {
    let labels = match facts.lang {
        Lang::De => ["Name", "E-mail", "Telefon", "Firma", "Nachricht"],
        Lang::Pt => ["Nome", "Email", "Telefone", "Empresa", "Mensagem"],
        _ => ["Name", "Email", "Phone", "Company", "Message"],
    };
    let auth =
        "mx.acme.test; dkim=pass header.d=webforms.test; dmarc=pass header.from=webforms.test";
    let mut draft = Draft {
        html: rng.chance(0.5),
        ..Draft::default()
    };
    trace(
        &mut draft,
        facts,
        "bounces+acme@webforms.test",
        Some(auth),
        rng,
    );
    let id = format!("sub-{:x}.{}@webforms.test", facts.seed, facts.index);
    draft
        .header("From", "Website Forms <forms@webforms.test>")
        .header("To", "crm@acme.test")
        .header("Subject", "New submission: Contact us")
        .header("Date", facts.date.to_rfc2822())
        .header("Message-ID", format!("<{id}>"));
    let p = &facts.person;
    let message = text::inquiry(rng, facts.lang, 1)[0];
    draft.text = format!(
        "You have a new submission on acme.test/contact\n\n{}: {}\n{}: {}\n{}: +{} {} {:03} {:04}\n{}: {}\n{}: {message}\n\n--\nSent by Website Forms - https://webforms.test\nManage notifications: https://webforms.test/acme/settings\n",
        labels[0], p.name(), labels[1], p.email, labels[2], rng.pick(&["351", "49", "33"]), rng.range(20, 99), rng.below(1000), rng.below(10000), labels[3], p.company, labels[4]
    );
    (draft, id)
}

/// A prospect answering a rep's earlier outbound mail, quoting it.
pub(super) fn reply(facts: &Facts, rng: &mut Rng) -> (Draft, String) {
    let to = facts
        .answers
        .as_deref()
        .expect("a reply answers an outbound mail");
    let p = &to.person;
    let mut draft = Draft {
        html: true,
        attach: true,
        ..Draft::default()
    };
    trace(&mut draft, facts, &p.email, None, rng);
    let id = format!("re.{:x}.{}@{}", facts.seed, facts.index, p.domain);
    let parent = to.outbound_id();
    draft
        .header("From", mailbox(&p.name(), &p.email))
        .header("To", mailbox(to.rep.name, to.rep.email))
        .header("Cc", "crm@acme.test")
        .header("Subject", phrase(&format!("Re: {}", to.subject)))
        .header("Date", facts.date.to_rfc2822())
        .header("Message-ID", format!("<{id}>"))
        .header("In-Reply-To", format!("<{parent}>"))
        .header("References", format!("<{parent}>"));
    let quoted: String = text::pitch(&mut Rng::new(facts.seed, 7), 2)
        .iter()
        .map(|l| format!("> {l}\n>\n"))
        .collect();
    draft.text = format!(
        "Hi {},\n\n{}\n\nBest,\n{}\n\nOn {}, {} <{}> wrote:\n{quoted}",
        to.rep.name.split(' ').next().unwrap_or(""),
        text::reply(rng),
        p.first,
        to.date.format("%a, %-d %b %Y at %H:%M"),
        to.rep.name,
        to.rep.email
    );
    (draft, id)
}
