//! Issue 15, tenth round: attributions that lost their colon ("On <date> <name> <address>
//! wrote" over the history, "Name wrote" over a quote) in the word orders of the clients'
//! localisations, a sentence with a link ending a reply, and quoted lines the replying client
//! wrapped over unquoted ones. Every example is written for these tests.

use super::super::*;
use super::quoted;

const REPLY: &str = "Agreed, the pilot starts on the 9th.\nI will book the room for the kick-off.";
const HISTORY: &str = "Could we start the pilot next month?\nBest\nLena";

const COLONLESS: [&str; 9] = [
    "On Mon, 9 Feb 2026 09:40:12 +0100 Lena Berg <lena@supplier.example> wrote",
    "On 2/9/26 9:40 AM, Lena Berg wrote",
    "Am 09.02.2026 um 09:40 schrieb Lena Berg <lena@supplier.example>",
    "Le lun. 9 févr. 2026 à 09:40, Lena Berg <lena@supplier.example> a écrit",
    "Op ma 9 feb 2026 om 09:40 schreef Lena Berg <lena@supplier.example>",
    "W dniu 9.02.2026 o 09:40, Lena Berg <lena@supplier.example> pisze",
    "ma 9.2.2026 klo 9.40 Lena Berg (lena@supplier.example) kirjoitti",
    "9 февр. 2026 г., в 09:40, Lena Berg <lena@supplier.example> написал(а)",
    "On Mon, Feb 9, 2026 at 9:40 AM Lena Berg\n<lena@supplier.example> wrote",
];

#[test]
fn an_attribution_without_its_colon_is_cut_with_the_history_below_it() {
    for header in COLONLESS {
        for below in [HISTORY.to_string(), quoted(HISTORY)] {
            let text = format!("{REPLY}\n\n{header}\n\n{below}\n");
            assert_eq!(strip_quoted(&text), REPLY, "{header} over {below:?}");
        }
    }
}

#[test]
fn a_colonless_attribution_with_nothing_below_is_the_replys_own_last_line() {
    let text = format!("{REPLY}\n\n{}\n", COLONLESS[0]);
    assert_eq!(strip_quoted(&text), text.trim_end());
}

#[test]
fn a_line_with_a_date_an_address_and_wrote_stays_when_it_reads_as_a_sentence() {
    for line in [
        "On 9 Feb 2026 at 09:40 Lena Berg <lena@supplier.example> wrote the summary for us",
        "I wrote to Lena Berg <lena@supplier.example> on 9 Feb 2026 at 09:40",
        "Call moved to 9 Feb 2026 09:40 with Lena Berg <lena@supplier.example>",
        "The 2026 budget, due 10:00 Friday, is what Lena wrote",
    ] {
        let text = format!("{REPLY}\n\n{line}\n\nLet me know what you think.\n");
        assert_eq!(strip_quoted(&text), text.trim_end(), "{line}");
    }
}

#[test]
fn a_dateless_attribution_without_its_colon_right_above_the_quote_is_cut() {
    for header in [
        "Lena Berg wrote",
        "On Monday, Lena Berg wrote",
        "On Feb 9, Lena Berg <lena@supplier.example> wrote",
        "Am Montag schrieb Lena Berg",
        "Lena Berg <lena@supplier.example> написал(а)",
    ] {
        for blank in ["", "\n"] {
            let text = format!("{REPLY}\n\n{header}\n{blank}{}\n", quoted(HISTORY));
            assert_eq!(strip_quoted(&text), REPLY, "{header:?}");
        }
    }
}

#[test]
fn a_dateless_line_ending_in_wrote_stays_when_no_quote_follows() {
    let text = format!("{REPLY}\n\nLena Berg wrote\n\nthe minutes, and I checked them.\n");
    assert_eq!(strip_quoted(&text), text.trim_end());
}

#[test]
fn a_sentence_with_a_link_ending_the_reply_is_not_a_signature() {
    for last in [
        "Here's a link http://pilot.example/plan",
        "See the agenda at https://pilot.example/agenda",
        "More on it: www.pilot.example/faq",
    ] {
        let text = format!("{REPLY}\n\n{last}\n");
        let cleaned = crate::ingest::extract::clean_body(&text, None);
        assert_eq!(cleaned.text, text.trim_end(), "{last}");
        assert_eq!(cleaned.signature, None, "{last}");
    }
}

#[test]
fn a_link_without_prose_ending_the_reply_is_still_a_signature() {
    for last in [
        "Lena Berg | lena@supplier.example",
        "www.supplier.example",
        "Lena Berg\nSupplier Ltd\nVisit us at www.supplier.example",
    ] {
        let text = format!("{REPLY}\n\n{last}\n");
        let cleaned = crate::ingest::extract::clean_body(&text, None);
        assert_eq!(cleaned.text, REPLY, "{last}");
        assert_eq!(cleaned.signature.as_deref(), Some(last), "{last}");
    }
}

#[test]
fn a_gmail_attribution_of_only_a_date_an_offset_and_a_name_is_cut() {
    for header in [
        "2026-02-09 9:40 GMT+01:00 Lena Berg <lena@supplier.example>:",
        "2026-02-09 9:40 GMT+01:00 Lena Berg:",
    ] {
        let text = format!("{REPLY}\n\n{header}\n{}\n", quoted(HISTORY));
        assert_eq!(strip_quoted(&text), REPLY, "{header}");
    }
    let unquoted = format!(
        "{REPLY}\n\n2026-02-09 9:40 GMT+01:00 Lena Berg <lena@supplier.example>:\n\n{HISTORY}\n"
    );
    assert_eq!(strip_quoted(&unquoted), REPLY);
}

const ATTRIBUTION: &str = "On Mon, Feb 9, 2026 at 9:40 AM Lena Berg <lena@supplier.example> wrote:";

#[test]
fn a_quoted_line_wrapped_over_several_unquoted_lines_stays_in_the_quote() {
    let quote = concat!(
        "> Hello Marc, we looked at the proposal you sent last week and we would like to\n",
        "discuss the pricing of the support package in more detail before we decide on\n",
        "the number of seats.\n",
        "> Could you call me on Tuesday?\n>\n> Lena"
    );
    let text = format!("{REPLY}\n\n{ATTRIBUTION}\n\n{quote}\n");
    assert_eq!(strip_quoted(&text), REPLY);
}

#[test]
fn the_wrapped_end_of_the_last_quoted_line_is_not_text_written_below_the_quote() {
    let quote = concat!(
        "> Hello Marc,\n>\n",
        "> we looked at the proposal you sent last week and we would like to discuss\n",
        "the pricing of the support package."
    );
    let text = format!("{REPLY}\n\n{ATTRIBUTION}\n\n{quote}\n");
    assert_eq!(strip_quoted(&text), REPLY);
}

#[test]
fn an_answer_right_below_a_long_quoted_question_is_kept() {
    for answers in [
        ["Yes, attached to this mail.", "End of March."],
        ["yes, the price list is attached", "end of March"],
    ] {
        let text = format!(
            "{ATTRIBUTION}\n\n{}\n{}\n> And the delivery date?\n{}\n",
            "> Could you send the price list for the support package and the training?",
            answers[0],
            answers[1]
        );
        let stored = strip_quoted(&text);
        for answer in answers {
            assert!(stored.contains(answer), "{answer:?} lost: {stored:?}");
        }
    }
}

#[test]
fn a_bottom_posted_reply_right_below_a_long_quoted_line_is_kept() {
    let text = format!(
        "{ATTRIBUTION}\n{}\nsounds good, the 9th works for us\n",
        "> we looked at the proposal you sent last week and we would like to discuss it"
    );
    assert!(strip_quoted(&text).contains("sounds good, the 9th works for us"));
}

#[test]
fn a_device_footer_without_its_verb_is_split_off_in_other_languages() {
    for footer in [
        "Desde mi teléfono con SIJÚ",
        "---Desde mi teléfono",
        "Von meinem iPad",
        "Z mojego telefonu",
        "С моего телефона",
    ] {
        let text = format!("{REPLY}\n{footer}\n");
        let cleaned = crate::ingest::extract::clean_body(&text, None);
        assert_eq!(cleaned.text, REPLY, "{footer}");
    }
}

#[test]
fn a_sentence_that_starts_like_a_verbless_footer_is_kept() {
    for sentence in [
        "Desde mi móvil no puedo abrir el anexo",
        "De mon côté, tout est prêt pour lundi",
    ] {
        let text = format!("{REPLY}\n{sentence}\n");
        let cleaned = crate::ingest::extract::clean_body(&text, None);
        assert_eq!(cleaned.text, text.trim_end(), "{sentence}");
    }
}
