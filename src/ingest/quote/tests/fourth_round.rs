//! Issue 15, fourth round: classes found by running replies of our own under the quote headers
//! and footers that other projects document (helpdesk quote strippers, another reply-parser
//! port, a desktop and a mobile client's localisations). Every example is written for these
//! tests.

use super::super::*;
use crate::ingest::extract::clean_body;

const REPLY: &str = "We can start on the first of April.\nThe budget is approved.";

#[test]
fn a_verb_with_its_gender_ending_after_a_slash_ends_a_dateless_attribution() {
    for header in ["Ola Nowak napisał/a:", "Ola Nowak napsal/a:"] {
        let text = format!("{REPLY}\n\n{header}\n> Dzień dobry,\n> oferta w załączniku.");
        assert_eq!(strip_quoted(&text), REPLY, "{header}");
    }
    let dated = "Dnia 12.05.2021 09:40, Ola Nowak <ola@example.pl> napisał/a:";
    let text = format!("{REPLY}\n\n{dated}\n\nDzień dobry,\noferta w załączniku.");
    assert_eq!(strip_quoted(&text), REPLY);
}

#[test]
fn a_sentence_with_a_date_a_time_and_wrote_is_kept_when_no_quote_follows() {
    for text in [
        "The workshop on 12.05.2021 at 09:40 - Ola wrote the minutes:\n- budget approved\n- start in April",
        "Ola wrote on 12.05.2021 at 09:40 the following list:\nchairs, tables",
    ] {
        assert_eq!(strip_quoted(text), text);
    }
    let quoted = "Fine by me.\n\n12.05.2021 09:40 - Ola Nowak wrote:\nOld text";
    assert_eq!(
        strip_quoted(quoted),
        "Fine by me.",
        "an attribution still cuts"
    );
}

#[test]
fn a_postal_address_line_belongs_to_the_contact_block_of_a_signature() {
    let text = "Thanks, see you there.\n\nOla\n\nOla Nowak\nul. Długa 15, 00-950 Warszawa\nTel: +48 22 123 45 67";
    let clean = clean_body(text, None);
    assert_eq!(clean.text, "Thanks, see you there.\n\nOla");
    let signature = clean.signature.expect("a signature");
    assert!(
        signature.starts_with("Ola\n\nOla Nowak\nul. Długa"),
        "{signature}"
    );
    let sentence =
        "Thanks.\n\nPlease deliver to Lange Straße 15, 10115 Berlin\nTel: +49 30 1234567";
    assert!(clean_body(sentence, None).text.contains("Lange Straße"));
}

#[test]
fn a_one_word_reply_above_a_contact_block_is_not_taken_into_the_signature() {
    let text =
        "Dziękuję.\n\nOla\n\nOla Nowak\nul. Długa 15, 00-950 Warszawa\nTel: +48 22 123 45 67";
    let clean = clean_body(text, None);
    assert_eq!(clean.text, "Dziękuję.\n\nOla");
    assert!(clean.signature.is_some_and(|s| s.contains("Tel:")));
    let whole = "Anna Nowak\nTel: +48 22 123 45 67";
    assert_eq!(
        clean_body(whole, None).text,
        whole,
        "no paragraph below the first"
    );
}

#[test]
fn a_contact_block_above_a_device_footer_is_part_of_the_signature() {
    let text = "Please ship on Monday.\n\nOla Nowak\nNowak Sp. z o.o.\n+48 22 123 45 67\n\nSent from my iPhone";
    let clean = clean_body(text, None);
    assert_eq!(clean.text, "Please ship on Monday.");
    assert!(clean.signature.is_some_and(|s| s.starts_with("Ola Nowak")));
    let sentence = "Please ship on Monday.\n\nThe invoice follows.\n\nSent from my iPhone";
    assert_eq!(
        clean_body(sentence, None).text,
        "Please ship on Monday.\n\nThe invoice follows."
    );
}
