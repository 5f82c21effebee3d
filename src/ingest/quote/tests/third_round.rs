//! Issue 15, third round: classes found by running hand-written replies in the shapes of the
//! mail clients' own localisations (Gmail, Apple Mail, Thunderbird, Outlook, Yahoo, Horde,
//! GMX) through the rules, every attribution also wrapped at each word. Every example is
//! written for these tests.

use super::super::*;

const REPLY: &str = "The price works for us.\nPlease send the contract next week.";

fn cut(header: &str, history: &str) -> String {
    strip_quoted(&format!("{REPLY}\n\n{header}\n\n{history}"))
}

#[test]
fn an_attribution_wrapped_early_keeps_its_head_line_with_it() {
    for header in [
        "On Tue, Mar 3, 2020\nat 10:21 AM Jan Berg <jan@example.com> wrote:",
        "Il giorno mar 3 mar 2020 alle ore\n10:21 Jan Berg <jan@example.com> ha scritto:",
        "Em terça-feira, 3 de março de 2020\n10:21:32 BRT, Jan Berg\n<jan@example.com> escreveu:",
        "вт, 3 мар. 2020\nг. в 10:21, Jan Berg <jan@example.com>:",
        "Jan Berg <jan@example.com> escreveu\nno dia terça, 3/03/2020 à(s) 10:21:",
        "Jan Berg\n<jan@example.com> escreveu no dia terça, 3/03/2020 à(s) 10:21:",
    ] {
        assert_eq!(cut(header, "> Hello,\n> the offer."), REPLY, "{header}");
        assert_eq!(cut(header, "Hello,\nthe offer."), REPLY, "{header}");
    }
}

#[test]
fn apple_mails_polish_attribution_is_read_also_when_wrapped() {
    let header =
        "Wiadomość napisana przez Jan Berg\n<jan@example.com> w dniu 03.03.2020, o godz. 10:21:";
    assert_eq!(cut(header, "Stara wiadomość"), REPLY);
}

#[test]
fn a_reply_line_above_an_attribution_is_still_not_taken_into_it() {
    let text = "Agreed\nOn Tue, Mar 3, 2020 at 10:21 AM Jan Berg <jan@example.com> wrote:\n> Old";
    assert_eq!(strip_quoted(text), "Agreed");
    let numbered =
        "We need 20 licences.\ntir. 3. mar. 2020 kl. 10:21 skrev Jan Berg <jan@example.com>:\n> Old";
    assert_eq!(strip_quoted(numbered), "We need 20 licences.");
}

#[test]
fn an_attribution_in_emphasis_markers_is_removed_whole() {
    for header in [
        "*On Tue, Mar 3, 2020 at 10:21 AM Jan Berg <jan@example.com> wrote:*",
        "*Am 03.03.2020 um 10:21 schrieb Jan Berg:*",
        "_Le 03/03/2020 à 10:21, Jan Berg a écrit :_",
    ] {
        assert_eq!(cut(header, "Hello,\nthe offer."), REPLY, "{header}");
    }
}

#[test]
fn an_attribution_without_a_date_is_cut_right_above_its_quote() {
    for header in [
        "Jan Berg wrote:",
        "Jan Berg schrieb:",
        "Jan Berg a écrit :",
        "Jan Berg skreiv:",
        "Jan Berg napsal(a):",
        "Quoting Jan Berg <jan@example.com>:",
        "Zitat von Jan Berg <jan@example.com>:",
    ] {
        assert_eq!(cut(header, "> Hello,\n> the offer."), REPLY, "{header}");
    }
    let text = format!("{REPLY}\n\nThis is what the customer wrote:\n\nThey want 20 licences.");
    assert_eq!(strip_quoted(&text), text, "no quote below: text");
}

#[test]
fn thunderbirds_author_first_attributions_cut_unquoted_history() {
    for header in [
        "Jan Berg skreiv den 03.03.2020 10:21:",
        "Am 03.03.2020 um 10:21 hat Jan Berg geschrieben:",
        "Den 03.03.2020 10:21, Jan Berg skreiv:",
    ] {
        assert_eq!(cut(header, "Hello,\nthe offer."), REPLY, "{header}");
    }
}

#[test]
fn original_message_separators_of_more_clients_and_rules_are_cut() {
    for separator in [
        "-------- Original-Nachricht --------",
        "-------- Message original --------",
        "-------- Treść oryginalnej wiadomości --------",
        "-------- Oprindelig besked --------",
        "-------- Mesajul original --------",
        "-------- Ursprüngliche Mitteilung --------",
        "_____ Original Message _____",
        "=====Original Message=====",
    ] {
        assert_eq!(cut(separator, "Hello,\nthe offer."), REPLY, "{separator}");
    }
}

#[test]
fn a_header_table_that_starts_with_its_subject_is_cut() {
    let block = "Subject: Offer\nDate: Tue, 3 Mar 2020 10:21:00 +0100\nFrom: Jan Berg <jan@example.com>\nTo: sales@example.org";
    assert_eq!(cut(block, "Hello,\nthe offer."), REPLY);
    let note = "Subject: the offer\nTo: be decided on Friday";
    let text = format!("{REPLY}\n\n{note}");
    assert_eq!(strip_quoted(&text), text, "no sender and date: text");
}

#[test]
fn gmx_and_web_de_footers_are_device_footers() {
    for footer in [
        "Gesendet mit der GMX Mail App",
        "Gesendet mit der WEB.DE Mail App",
        "Diese Nachricht wurde von meinem Android-Mobiltelefon mit GMX Mail gesendet.",
    ] {
        let (body, signature) = split_signature(&format!("{REPLY}\n\n{footer}"));
        assert_eq!(body, REPLY, "{footer}");
        assert_eq!(signature.as_deref().and_then(sign_off), None, "{footer}");
    }
    let sentence = "Ich habe die Unterlagen gestern Abend noch im Büro ausgedruckt und dann mit der Post gesendet.";
    assert!(!device::is_device_signature(sentence));
}
