//! Auto-replies, list mail, no-reply senders and our own mail.

use super::{classify_raw, kind_of};
use crate::ingest::automated::AutomatedKind;

const OUTLOOK_AUTO_REPLY: &str = "From: \"Neko, Nyaan\" <neko@example.org>\n\
    To: alice@acme.test\n\
    Subject: Automatic reply: Our proposal\n\
    X-Auto-Response-Suppress: All\n\
    X-MS-Exchange-Inbox-Rules-Loop: neko@example.org\n\
    \n\
    I'm out of the office until Monday.\n";

#[test]
fn an_outlook_automatic_reply_is_an_auto_reply() {
    let verdict = classify_raw(OUTLOOK_AUTO_REPLY, false);
    assert_eq!(verdict.kind, AutomatedKind::AutoReply);
    assert!(
        verdict.signal.contains("Automatic reply"),
        "{}",
        verdict.signal
    );
}

#[test]
fn out_of_office_subjects_in_several_languages_are_auto_replies() {
    let subjects = [
        "Abwesenheitsnotiz: Angebot",
        "Resposta automática: Proposta",
        "Afwezig: Offerte",
        "Réponse automatique : Devis",
        "Out of Office: Quote",
        "Auto reply: Nyaan",
        "Respuesta automática: Oferta",
        "自動応答: 見積もり",
    ];
    for subject in subjects {
        let raw =
            format!("From: x@example.org\nTo: alice@acme.test\nSubject: {subject}\n\nAway.\n");
        assert_eq!(kind_of(&raw), AutomatedKind::AutoReply, "{subject}");
    }
}

#[test]
fn a_person_writing_about_being_out_of_office_stays_human() {
    let raw = "From: bob@example.org\nTo: alice@acme.test\n\
               Subject: Out of office next week, can we meet on the 12th?\n\nHi Alice\n";
    assert_eq!(kind_of(raw), AutomatedKind::Human);
}

#[test]
fn x_auto_response_suppress_alone_does_not_make_mail_automated() {
    let raw = "From: bob@example.org\nTo: alice@acme.test\nSubject: Pricing\n\
               X-Auto-Response-Suppress: DR, RN, NRN, OOF, AutoReply\n\nHello\n";
    assert_eq!(kind_of(raw), AutomatedKind::Human);
}

#[test]
fn auto_submitted_headers_are_weighed_by_value() {
    let with = |value: &str| {
        format!(
            "From: bob@example.org\nTo: a@acme.test\nSubject: s\nAuto-Submitted: {value}\n\nx\n"
        )
    };
    assert_eq!(kind_of(&with("no")), AutomatedKind::Human);
    assert_eq!(kind_of(&with("auto-replied")), AutomatedKind::AutoReply);
    assert_eq!(kind_of(&with("auto-generated")), AutomatedKind::NoReply);
}

const NEWSLETTER: &str = "From: alice@acme.test\nTo: bob@example.org\nSubject: News\n\
    List-Unsubscribe: <mailto:unsubscribe@tool.example>\nPrecedence: bulk\n\nHello Bob\n";

#[test]
fn a_newsletter_from_a_rep_is_not_list_mail() {
    assert_eq!(classify_raw(NEWSLETTER, true).kind, AutomatedKind::Human);
}

#[test]
fn a_newsletter_from_a_stranger_is_list_mail() {
    let verdict = classify_raw(NEWSLETTER, false);
    assert_eq!(verdict.kind, AutomatedKind::List);
    assert_eq!(verdict.signal, "header Precedence: bulk");
}

#[test]
fn our_own_digest_is_own_mail() {
    let raw = "From: crm@acme.test\nTo: alice@acme.test\nSubject: Your day\n\
               X-Leadmail: digest\nAuto-Submitted: auto-generated\n\nToday\n";
    assert_eq!(kind_of(raw), AutomatedKind::OwnMail);
}

#[test]
fn no_reply_senders_are_no_reply() {
    for sender in [
        "no-reply@shop.example",
        "noreply@x.example",
        "do-not-reply@y.example",
    ] {
        let raw = format!("From: {sender}\nTo: a@acme.test\nSubject: Your order\n\nThanks\n");
        assert_eq!(kind_of(&raw), AutomatedKind::NoReply, "{sender}");
    }
}
