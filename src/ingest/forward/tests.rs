//! Unit tests of forward unwrapping; the crisp corpus in `tests/corpus.rs`.

use super::*;

mod corpus;
mod layout;
mod ninth_round;
mod shaped;
mod tenth_round;

/// The forwarder's note and the original body of the round tests' forwards.
const NOTE: &str = "New lead from the fair, please call him.";
const ORIGINAL: &str = "Good morning,\nwe would like a quote for 12 scanners.\nKind regards\nPiet";

/// The forward found in `body`, which must be one.
fn forward(subject: &str, body: &str) -> Forward {
    unwrap_forward(subject, body).expect("a forward")
}

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
fn an_outlook_forward_in_portuguese_with_enviada_keeps_the_original_sender() {
    let body = "Podes tratar?\n\nDe: Rita Sousa <rita@cliente.pt>\nEnviada: 19 de novembro de 2026 10:15\nPara: Alice <alice@acme.test>\nAssunto: Pedido de proposta\n\nBom dia,\nprecisamos de uma proposta.\n";
    let forward = unwrap_forward("RE: Pedido de proposta", body);
    assert!(
        forward.is_none(),
        "a reply subject keeps an Outlook block a reply"
    );
    let forward = unwrap_forward("ENC: Pedido de proposta", body).expect("a forward");
    assert_eq!(sender(&forward), (Some("Rita Sousa"), "rita@cliente.pt"));
    assert_eq!(forward.subject.as_deref(), Some("Pedido de proposta"));
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

#[test]
fn a_folded_subject_in_the_header_block_stays_in_the_subject() {
    let body = "FYI\n\n---------- Forwarded message ---------\nFrom: Erika Muster <erika@kunde.de>\nDate: Mon, 3 Mar 2025 at 10:12\nSubject: Request for a quote on the\n new product line\nTo: Max <max@wir.de>\n\nHello,\nplease quote.\n";
    let forward = unwrap_forward("Fwd: Request", body).expect("a forward");
    assert_eq!(
        forward.subject.as_deref(),
        Some("Request for a quote on the new product line")
    );
    assert_eq!(forward.body, "Hello,\nplease quote.");
}

#[test]
fn an_html_header_table_gives_values_without_the_cell_bar() {
    let body = "FYI\n\n---------- Forwarded message ---------\nFrom: | John Doe <john.doe@acme.com>\nDate: | Mon, 3 Mar 2025 10:12\nSubject: | Re: Pricing\nTo: | Max <max@wir.de>\n\nHello";
    let forward = unwrap_forward("Fwd: Re: Pricing", body).expect("a forward");
    assert_eq!(sender(&forward), (Some("John Doe"), "john.doe@acme.com"));
    assert_eq!(forward.subject.as_deref(), Some("Re: Pricing"));
}

#[test]
fn an_html_only_forward_whose_header_block_is_a_table_is_read_end_to_end() {
    let html = concat!(
        "<div>FYI, see the request below.</div><br>",
        "<div>---------- Forwarded message ---------</div>",
        "<table><tr><td><b>From:</b></td><td>John Doe &lt;john.doe@acme.com&gt;</td></tr>",
        "<tr><td><b>Date:</b></td><td>Mon, 3 Mar 2025 10:12</td></tr>",
        "<tr><td><b>Subject:</b></td><td>Re: Pricing for the pilot</td></tr>",
        "<tr><td><b>To:</b></td><td>Max &lt;max@wir.de&gt;</td></tr></table><br>",
        "<p>Hello, what would forty seats cost?</p>"
    );
    let text = crate::ingest::parse::html_to_text(html);
    let forward = unwrap_forward("Fwd: Re: Pricing for the pilot", &text).expect("a forward");
    assert_eq!(sender(&forward), (Some("John Doe"), "john.doe@acme.com"));
    assert_eq!(
        forward.subject.as_deref(),
        Some("Re: Pricing for the pilot")
    );
    assert_eq!(forward.body, "Hello, what would forty seats cost?");
    assert_eq!(forward.note.as_deref(), Some("FYI, see the request below."));
}

#[test]
fn mail_ru_russian_labels_and_spanish_enviado_el_are_header_labels() {
    let russian = "-------- Пересылаемое сообщение --------\nОт кого: Иван Петров <ivan@example.ru>\nКому: Max <max@wir.de>\nДата: Понедельник, 3 марта 2025, 10:12 +03:00\nТема: Запрос\n\nДобрый день";
    let forward = unwrap_forward("Fwd: Запрос", russian).expect("a forward");
    assert_eq!(sender(&forward), (Some("Иван Петров"), "ivan@example.ru"));
    assert_eq!(forward.subject.as_deref(), Some("Запрос"));
    let spanish = "Mira\n\nDe: Ana Ruiz <ana@cliente.es>\nEnviado el: lunes, 3 de marzo de 2025 10:12\nPara: Max <max@wir.de>\nAsunto: Presupuesto\n\nHola";
    let forward = unwrap_forward("RV: Presupuesto", spanish).expect("a forward");
    assert_eq!(
        forward.date.as_deref(),
        Some("lunes, 3 de marzo de 2025 10:12")
    );
}

#[test]
fn the_forwarders_text_below_a_quoted_forward_is_the_note_not_the_original_body() {
    let body = "See below\n\n> Begin forwarded message:\n>\n> From: John Doe <john@doe.com>\n> Subject: Pricing\n> Date: 3 March 2025 at 10:00:00 GMT+1\n> To: Rep <rep@acme.test>\n>\n> Hello, what does it cost?\n\nCall him today.";
    let forward = unwrap_forward("Fwd: Pricing", body).expect("a forward");
    assert_eq!(forward.body, "Hello, what does it cost?");
    assert_eq!(
        forward.note.as_deref(),
        Some("See below\n\nCall him today.")
    );
}
