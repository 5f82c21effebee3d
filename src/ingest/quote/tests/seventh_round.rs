//! Issue 15, seventh round: reply shapes taken from the list of quote headers and signature
//! delimiters that crisp-email-reply-parser documents (its regex list, read as facts; its
//! fixtures were not read), written out as replies of our own: a sender line alone above the
//! original, an "Original Message" title without its closing rule, and short rules of "_",
//! "=" or "+" above a name.

use super::super::*;
use crate::ingest::extract::clean_body;

const REPLY: &str = "Hello Maria,\n\nThe revised quote is fine for us. Please send the contract.";
const HISTORY: &str = "Dear Tom,\nhere is the revised quote.\nMaria";

#[test]
fn a_sender_line_alone_above_the_original_is_cut_in_each_label_language() {
    for sender in [
        "From: Maria Lopez <maria@vendor.example>",
        "De : Maria Lopez<maria@vendor.example>",
        "Von : Maria Lopez [mailto:maria@vendor.example]",
        "Van: Maria Lopez <maria@vendor.example>",
        "Da: Maria Lopez <maria@vendor.example>",
    ] {
        let text = format!("{REPLY}\n\n{sender}\n\n{HISTORY}\n");
        assert_eq!(strip_quoted(&text), REPLY, "{sender}");
    }
}

#[test]
fn a_from_line_inside_a_paragraph_or_without_a_bracketed_address_stays() {
    let listed = format!(
        "{REPLY}\n\nYour order:\nFrom: Maria Lopez <maria@vendor.example>\nItems: 4\n\nThanks"
    );
    assert_eq!(strip_quoted(&listed), listed);
    let prose = format!("{REPLY}\n\nFrom: the pricing sheet, item 4 is wrong.\n\nPlease fix it.");
    assert_eq!(strip_quoted(&prose), prose);
    let bare = format!("{REPLY}\n\nFrom: maria@vendor.example\n\nPlease write to her.");
    assert_eq!(strip_quoted(&bare), bare);
}

#[test]
fn an_original_message_title_without_its_closing_rule_is_a_separator() {
    for title in [
        "-----Ursprüngliche Nachricht",
        "-----Original Message",
        "----- Message d'origine",
    ] {
        for below in [
            HISTORY.to_string(),
            format!("> {}", HISTORY.replace('\n', "\n> ")),
        ] {
            let text = format!("{REPLY}\n\n{title}\n\n{below}\n");
            assert_eq!(strip_quoted(&text), REPLY, "{title}");
        }
    }
    let prose = format!("{REPLY}\n\n--- original message was lost, sorry");
    assert_eq!(strip_quoted(&prose), prose);
}

#[test]
fn a_short_rule_of_underscores_equals_or_pluses_above_a_name_is_a_signature_delimiter() {
    for rule in ["__", "___", "==", "====", "++", "++++"] {
        let text = format!("{REPLY}\n\n{rule}\nTom Becker\nACME Corp\n");
        let cleaned = clean_body(&text, None);
        assert_eq!(cleaned.text, REPLY, "{rule}");
    }
    // A longer run of "=" is a heading's underline or a rule inside the text.
    let heading = format!("{REPLY}\n\nTotals\n======\nFour items, 400 EUR.");
    assert_eq!(clean_body(&heading, None).text, heading);
}

#[test]
fn a_rule_above_a_list_is_part_of_the_reply_not_a_signature_delimiter() {
    for item in ["1. Pricing", "1) Pricing", "• Pricing", "* Pricing"] {
        let text = format!("{REPLY}\n\nAgenda:\n-----\n{item}\n2. Delivery\n-----\nSee you then.");
        assert_eq!(clean_body(&text, None).text, text, "{item}");
    }
    let signed = format!("{REPLY}\n\n-----\nTom Becker\nACME Corp");
    assert_eq!(clean_body(&signed, None).text, REPLY);
}

#[test]
fn a_sender_over_a_date_line_is_a_memo_header_above_the_original() {
    let memo = "Tom Becker <tom@buyer.example>\n03.12.2026 10:15\n\nTo\nMaria Lopez <maria@vendor.example>\ncc\n\nSubject\nRe: Samples";
    for below in [
        "",
        "\n> Hi Maria,\n> would Thursday work?",
        "\nHi Maria,\nwould Thursday work?",
    ] {
        let text = format!("{REPLY}\n\n{memo}\n{below}");
        assert_eq!(strip_quoted(&text), REPLY, "{below}");
    }
    // A contact line over a line that is not a date, or a date in a sentence, stays.
    for kept in [
        "Tom Becker <tom@buyer.example>\nSales, ACME Corp",
        "Tom Becker <tom@buyer.example>\nwill call you on 03.12.2026 at 10:15 about it",
        "Submitted by Tom Becker <tom@buyer.example>\non 03.12.2026 10:15",
    ] {
        let text = format!("{REPLY}\n\nPlease write to\n\n{kept}\n\nThanks");
        assert_eq!(strip_quoted(&text), text, "{kept}");
    }
}

#[test]
fn a_reply_above_this_line_marker_ends_the_reply() {
    for marker in [
        "##- Please type your reply above this line -##",
        "-- Reply above this line --",
        "Please reply above this line.",
        "##- Bitte geben Sie Ihre Antwort über dieser Zeile ein. -##",
        "--- Veuillez répondre au-dessus de cette ligne ---",
    ] {
        let text = format!("{REPLY}\n\n{marker}\n\n{HISTORY}\n");
        assert_eq!(strip_quoted(&text), REPLY, "{marker}");
    }
    let prose =
        format!("{REPLY}\n\nCould you write your comments above the line in the form?\n\nThanks");
    assert_eq!(strip_quoted(&prose), prose);
}
