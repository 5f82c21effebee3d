//! Unit tests of quote stripping and signature splitting; the corpora (scored by `crate::eval`)
//! in `tests/corpus.rs`.

use super::*;

mod corpus;
mod eighth_round;
mod fifth_round;
mod fourth_round;
mod generalised;
mod invariants;
mod ninth_round;
mod seventh_round;
mod shapes;
mod tenth_round;
mod third_round;

/// Every line of `text` quoted with "> ".
fn quoted(text: &str) -> String {
    text.lines()
        .map(|line| format!("> {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn an_on_date_wrote_attribution_and_its_quote_are_removed() {
    let text =
        "Sounds good.\n\nOn Mon, 3 Mar 2025 at 10:00, Ana <ana@acme.pt> wrote:\n> Hi\n> there";
    assert_eq!(strip_quoted(text), "Sounds good.");
}

#[test]
fn portuguese_german_and_french_attributions_are_removed() {
    let cases = [
        "Ok\n\nEm seg., 3 de mar. de 2025 às 10:00, Ana <ana@acme.pt> escreveu:\n> Olá",
        "Ok\n\nAm 03.03.2025 um 10:00 schrieb Max Muster <max@beispiel.de>:\n> Hallo",
        "Ok\n\nLe lun. 3 mars 2025 à 10:00, Marie <marie@exemple.fr> a écrit :\n> Bonjour",
        "Ok\n\nEl lun, 3 mar 2025 a las 10:00, Carlos (<carlos@ejemplo.es>) escribió:\n> Hola",
    ];
    for text in cases {
        assert_eq!(strip_quoted(text), "Ok", "{text}");
    }
}

#[test]
fn a_portuguese_outlook_header_block_cuts_the_rest() {
    let text = "Obrigado!\n\nDe: Ana Silva <ana@acme.pt>\nEnviado: segunda-feira, 3 de março de 2025 10:00\n\
                Para: Rui <rui@example.pt>\nAssunto: Proposta\n\nOlá Rui, segue a proposta.";
    assert_eq!(strip_quoted(text), "Obrigado!");
}

#[test]
fn apple_mail_portuguese_and_italian_gmail_attributions_are_removed() {
    let cases = [
        "Ok\n\nNo dia 3/03/2025, às 10:00, Ana <ana@acme.pt> escreveu:\n\n> Olá\n> tudo bem",
        "Ok\n\nIl giorno lun 3 mar 2025 alle ore 10:00 Mario <m@x.it> ha scritto:\n> Ciao",
        "Ok\n\nOp 3 mrt. 2025 om 10:00 heeft Pieter <p@x.nl> het volgende geschreven:\n> Hoi",
    ];
    for text in cases {
        assert_eq!(strip_quoted(text), "Ok", "{text}");
    }
}

#[test]
fn a_sentence_that_starts_with_a_date_and_mentions_sending_is_not_an_attribution() {
    let text = "On 5 March we sent the proposal to Ana, she said:\nthe price is fine.";
    assert_eq!(strip_quoted(text), text);
}

#[test]
fn a_sentence_ending_in_sent_colon_is_not_an_attribution() {
    let text = "A total of 3 invoices were sent:\n- 2024-001\n- 2024-002";
    assert_eq!(strip_quoted(text), text);
}

#[test]
fn a_dated_note_with_an_address_is_not_an_attribution() {
    let text = "2024-03-05 call with ana@acme.pt:\nwants a demo in April";
    assert_eq!(strip_quoted(text), text);
}

#[test]
fn a_short_answer_right_under_a_quoted_line_is_kept_without_the_attribution() {
    let text = "On 1 May 2024, Bob <b@x.io> wrote:\n> Monday?\nYes.\n> Price?\n100 EUR";
    assert_eq!(strip_quoted(text), "> Monday?\nYes.\n> Price?\n100 EUR");
}

#[test]
fn a_form_with_a_from_label_but_no_date_is_not_cut() {
    let text = "From: Jane Doe\nCompany: Acme\nSubject: Quote\nMessage: hello";
    assert_eq!(strip_quoted(text), text);
}

#[test]
fn an_answer_written_between_quotes_is_kept_with_its_context_but_not_the_attribution() {
    let text = "On 1 May 2024, Bob <b@x.io> wrote:\n> Price?\n\n100 EUR.\n\n> Delivery?\n\nMay.";
    assert_eq!(
        strip_quoted(text),
        "> Price?\n\n100 EUR.\n\n> Delivery?\n\nMay."
    );
}

#[test]
fn a_forwarded_message_is_left_alone() {
    let text = "FYI\n\n---------- Forwarded message ---------\nFrom: a@b.io\nDate: x\n\nBody";
    assert_eq!(strip_quoted(text), text);
}

#[test]
fn localized_and_quoted_forward_markers_leave_the_text_alone() {
    let cases = [
        "Veja abaixo\n\n-------- Mensagem reencaminhada --------\nAssunto: Proposta\nDe: Ana <a@b.pt>\n\nTexto",
        "FYI\n\n> Anfang der weitergeleiteten Nachricht:\n>\n> Von: Max <m@b.de>\n> Betreff: Angebot\n> Text",
    ];
    for text in cases {
        assert_eq!(strip_quoted(text), text);
    }
}

#[test]
fn crlf_input_is_handled() {
    let text =
        "Yes\r\n\r\nOn Tue, Sep 25, 2012 at 8:59 AM, Chris\r\n<c@github.com>wrote:\r\n\r\n> x\r\n";
    assert_eq!(strip_quoted(text), "Yes");
}

#[test]
fn a_portuguese_closing_with_a_name_block_is_a_signature() {
    let text = "Bom dia,\n\nPodem enviar o orçamento?\n\nObrigado,\nJoão Silva\nDiretor Comercial\n+351 912 345 678";
    let (body, signature) = split_signature(text);
    assert_eq!(body, "Bom dia,\n\nPodem enviar o orçamento?");
    assert_eq!(
        signature.as_deref(),
        Some("Obrigado,\nJoão Silva\nDiretor Comercial\n+351 912 345 678")
    );
}

#[test]
fn a_german_closing_is_a_signature() {
    let (body, signature) =
        split_signature("Hallo,\n\nbitte anrufen.\n\nMit freundlichen Grüßen\nMax Muster");
    assert_eq!(body, "Hallo,\n\nbitte anrufen.");
    assert_eq!(
        signature.as_deref(),
        Some("Mit freundlichen Grüßen\nMax Muster")
    );
}

#[test]
fn a_trailing_contact_block_without_closing_is_a_signature() {
    let text = "Please send the brochure.\n\nPieter de Vries\nVoorbeeld B.V.\nwww.voorbeeld.nl";
    let (body, signature) = split_signature(text);
    assert_eq!(body, "Please send the brochure.");
    assert_eq!(
        signature.as_deref(),
        Some("Pieter de Vries\nVoorbeeld B.V.\nwww.voorbeeld.nl")
    );
}

#[test]
fn a_heading_underline_is_not_a_signature_delimiter() {
    let text = "Hi,\n\nSummary\n-------\nWe agreed on 20 licences.";
    assert_eq!(split_signature(text).1, None);
}

#[test]
fn a_sent_from_my_iphone_line_is_a_signature_but_a_sentence_is_not() {
    assert_eq!(
        split_signature("Ok\n\nEnviado do meu iPhone").1.as_deref(),
        Some("Enviado do meu iPhone")
    );
    assert_eq!(
        split_signature("Ok\n\nSent from my desk, it is easier.").1,
        None
    );
}

#[test]
fn the_sender_name_starts_a_signature_only_when_given() {
    let text = "I can't go higher.\n\nStavros Papadopoulos\nvia mobile";
    assert_eq!(split_signature(text).1, None);
    let (_, signature) = split_signature_for(text, Some("Stavros Papadopoulos"));
    assert_eq!(
        signature.as_deref(),
        Some("Stavros Papadopoulos\nvia mobile")
    );
}

#[test]
fn a_thanks_sentence_is_not_a_closing() {
    let text = "Hi,\n\nThanks for the call today.\nCan we meet on Monday?";
    assert_eq!(split_signature(text).1, None);
}

#[test]
fn a_sentence_mentioning_a_phone_is_not_a_signature() {
    let text = "Hi Ana,\n\nPlease call me at +351 912 345 678.";
    assert_eq!(split_signature(text).1, None);
}

#[test]
fn odd_input_never_panics() {
    for text in [
        "",
        "\n",
        ">",
        "-- ",
        "On",
        "\r",
        "é\n--\né",
        "From: x\nDate:",
        "—\n—",
        ">\n>\n>",
    ] {
        let _ = strip_quoted(text);
        let _ = split_signature_for(text, Some("é"));
    }
}

/// A quoted history of 50,000 lines full of attribution look-alikes: the
/// reply is found. (How fast is the benchmark's business, not a test's;
/// a quadratic scan shows here as a suite that does not finish.)
#[test]
fn a_large_quoted_message_full_of_attribution_look_alikes_is_stripped() {
    let mut text = String::from("Reply\n\nOn 1 May 2024, Bob <b@x.io> wrote:\n");
    for i in 0..50_000 {
        text.push_str(&format!("> line {i} On 2 May 2024 From: x wrote:\n"));
    }
    text.push_str(&"On 3 May 2024 ".repeat(20_000));
    assert!(strip_quoted(&text).starts_with("Reply\n\nOn 3 May"));
    let (body, _) = split_signature(&text);
    assert!(
        body.starts_with("Reply\n"),
        "{}",
        &body[..40.min(body.len())]
    );
}

#[test]
fn russian_and_yandex_attributions_without_a_verb_are_removed() {
    let mail_ru = "Hi. I am fine.\n\nThu, 26 Jun 2014 14:00:51 +0400 от Alexander L <abc@example.com>:\nHello!";
    assert_eq!(strip_quoted(mail_ru), "Hi. I am fine.");
    let yandex = "Hi. I am fine.\n\n26.06.2014, 14:41, \"Alexander L\" <abc@example.com>:\nHello!";
    assert_eq!(strip_quoted(yandex), "Hi. I am fine.");
}

#[test]
fn a_russian_outlook_header_block_cuts_the_rest() {
    let text =
        "Hi. I am fine.\n\nОт:\u{a0}Alexander L\nОтправлено:\u{a0}четверг, 26 июня 2014 г. 15:05\n\
                Кому:\u{a0}Alex\n\nHello! How are you?";
    assert_eq!(strip_quoted(text), "Hi. I am fine.");
}

#[test]
fn a_from_and_date_header_on_one_line_start_a_quoted_block() {
    let text = "Reply\nFrom: bob@example.com Date: Thu, 24 Mar 2016 08:07:12 -0700\nQuoted message";
    assert_eq!(strip_quoted(text), "Reply");
    let prose = "Reply\nFrom: the team, thanks again\nMore text";
    assert_eq!(strip_quoted(prose), prose);
}

#[test]
fn a_gmail_quote_flattened_onto_the_reply_line_is_cut() {
    let text = "Reply On 11-Apr-2011, at 6:54 PM, Bob <bob@example.com> wrote: Test";
    assert_eq!(strip_quoted(text), "Reply");
    let compact = "ReplyOn 11-Apr-2011, at 6:54 PM, Bob <bob@example.com> wrote:Test";
    assert_eq!(strip_quoted(compact), "Reply");
    let prose = "On 3 May you wrote: send the pricing. Here it is.";
    assert_eq!(strip_quoted(prose), prose);
}
