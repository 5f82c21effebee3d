//! Issue 15, fifth round: classes found by running replies of our own under the quote headers,
//! separators and footers of clients not read in earlier rounds (Gmail in Hebrew and Arabic,
//! Proton Mail, Zimbra, Seznam, Mutt/KMail/Alpine attributions). Every example is written for
//! these tests.

use super::super::*;
use crate::ingest::extract::clean_body;

const REPLY: &str = "We can start on the first of April.\nThe budget is approved.";
const HEBREW: &str = "תודה, יום חמישי מתאים לנו.\nאשלח את החוזה מחר.";
const QUOTE: &str = "> Hi Anna,\n> can we meet on Thursday?";

#[test]
fn a_right_to_left_attribution_with_direction_marks_is_cut() {
    let hebrew = "\u{202B}בתאריך יום ג׳, 3 במרץ 2020 ב-10:21 מאת \u{202A}Dan Levi\u{202C} <dan@example.co.il>:\u{202C}";
    for below in [QUOTE, "Hi Anna,\ncan we meet on Thursday?"] {
        let text = format!("{HEBREW}\n\n{hebrew}\n{below}");
        assert_eq!(strip_quoted(&text), HEBREW, "{below}");
    }
    let arabic = "\u{200F}في الثلاثاء، 3 مارس 2020 في 10:21 ص، كتب \u{202A}Dan\u{202C}\u{200F} <\u{202A}dan@example.com\u{202C}\u{200F}>:\u{202C}";
    let reply = "شكرا، يوم الخميس يناسبنا.";
    assert_eq!(
        strip_quoted(&format!("{reply}\n\n{arabic}\n{QUOTE}")),
        reply
    );
    let marked = format!("\u{200F}{HEBREW}\u{200F}");
    let text = format!("{marked}\n\n{hebrew}\n{QUOTE}");
    assert_eq!(strip_quoted(&text), marked, "the reply keeps its own marks");
}

#[test]
fn a_device_footer_with_direction_marks_is_a_device_footer() {
    let text = format!("{HEBREW}\n\n\u{200F}נשלח מה-iPhone שלי\u{200F}");
    assert_eq!(clean_body(&text, None).text, HEBREW);
    let sentence = format!("{HEBREW}\n\n\u{200F}נשלח מחר בבוקר.\u{200F}");
    assert!(clean_body(&sentence, None).text.contains("נשלח מחר"));
}

#[test]
fn a_separator_drawn_with_typographic_hyphens_or_dashes_is_a_separator() {
    let attribution = "On Tuesday, March 3rd, 2020 at 10:21, Dan Levi <dan@example.com> wrote:";
    for rule in [
        "\u{2010}".repeat(7),
        "\u{2013}".repeat(6),
        "\u{2012}".repeat(7),
    ] {
        let separator = format!("{rule} Original Message {rule}");
        let text = format!("{REPLY}\n\n{separator}\n{attribution}\n\n{QUOTE}");
        assert_eq!(strip_quoted(&text), REPLY, "{separator}");
        let bottom = format!("{separator}\n{attribution}\n\n{QUOTE}\n\n{REPLY}");
        assert_eq!(
            strip_quoted(&bottom),
            REPLY,
            "{separator} above a bottom-posted reply"
        );
    }
    let bullets = "Options \u{2013} short list:\n\u{2013} ship in April\n\u{2013} ship in May";
    assert_eq!(strip_quoted(bullets), bullets);
}

#[test]
fn a_dashed_title_above_a_quoted_header_block_is_a_separator() {
    // The title's words are in no list: the quoted header block below makes it a separator.
    let text = format!(
        "{REPLY}\n\n----- Ursprungligt brev -----\n> Från: \"Dan Levi\" <dan@example.se>\n\
         > Till: \"Anna\" <anna@example.se>\n> Skickat: tisdag, 3 mars 2020 10:21:05\n\
         > Ämne: Offert\n\n> Hej Anna"
    );
    assert_eq!(strip_quoted(&text), REPLY);
    let inline =
        "Answers inline.\n\n----- Delivery -----\n> When can you ship?\nSecond week of April.";
    assert_eq!(
        strip_quoted(inline),
        inline,
        "a heading over a quoted question stays"
    );
}

#[test]
fn a_dashed_title_with_a_hyphenated_word_above_a_header_block_is_a_separator() {
    let text = format!(
        "{REPLY}\n\n---------- Vidaresänt e-brev ----------\nFrån: Dan Levi <dan@example.se>\n\
         Datum: 3 mars 2020 10:21\nTill: Anna <anna@example.se>\nÄmne: Offert\n\nHej Anna"
    );
    assert_eq!(strip_quoted(&text), REPLY);
    let heading = "Plan:\n\n----- E-mail campaign -----\nWe start on Monday.\nBudget: 2,000 EUR";
    assert_eq!(
        strip_quoted(heading),
        heading,
        "no header block below: a heading"
    );
}

#[test]
fn zimbra_and_seznam_separator_titles_stand_alone() {
    for separator in [
        "----- Ursprüngliche Mail -----",
        "----- Mail original -----",
        "---------- Původní e-mail ----------",
        "---------- Odpovězená zpráva ----------",
    ] {
        let text = format!("{REPLY}\n\n{separator}\n{QUOTE}");
        assert_eq!(strip_quoted(&text), REPLY, "{separator}");
    }
}
