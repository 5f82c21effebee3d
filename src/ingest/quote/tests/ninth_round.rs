//! Issue 15, ninth round: classes found by running replies of our own under the quote headers,
//! markers and quote marks of clients not probed in earlier rounds (Zoho, Horde's and
//! Roundcube's locales, The Bat!, Foxmail, Lotus Notes memos, Zendesk's localised delimiter).
//! Every example is written for these tests.

use super::super::*;
use super::quoted;
use crate::ingest::extract::clean_body;

const REPLY: &str = "Agreed, we order the 40 licences.\nInvoice to the Lyon office, please.";
const HISTORY: &str = "Hi Marc,\nhow many licences do you need?\nRegards\nLena";

#[test]
fn an_attribution_whose_verb_is_in_the_imperfect_tense_is_cut() {
    for header in [
        "Le jeudi 12 février 2026 à 09:40, Lena Berg écrivait :",
        "El 12/02/2026 a las 9:40, Lena Berg escribía:",
        "Il 12/02/2026 09:40, Lena Berg scriveva:",
        "Em 12/02/2026 09:40, Lena Berg escrevia:",
        "Lena Berg писала 2026-02-12 09:40:",
    ] {
        let text = format!("{REPLY}\n\n{header}\n\n{HISTORY}\n");
        assert_eq!(strip_quoted(&text), REPLY, "{header}");
    }
    let dateless = format!(
        "{REPLY}\n\nLena Berg <lena@supplier.example> écrivait :\n{}\n",
        quoted(HISTORY)
    );
    assert_eq!(strip_quoted(&dateless), REPLY);
}

#[test]
fn a_line_framed_by_dashes_with_a_date_a_time_and_an_address_is_an_attribution_in_any_language() {
    for header in [
        "---- 木, 12 2月 2026 09:40:12 +0900 Lena Berg <lena@supplier.example> 書きました ----",
        "---- 在 星期四, 12 二月 2026 09:40:12 +0800 Lena Berg <lena@supplier.example> 撰写 ----",
        "---- Am Do, 12 Feb 2026 09:40:12 +0100 schrieb Lena Berg <lena@supplier.example> ----",
    ] {
        for below in [HISTORY.to_string(), quoted(HISTORY)] {
            let text = format!("{REPLY}\n\n{header}\n\n{below}\n");
            assert_eq!(strip_quoted(&text), REPLY, "{header}");
        }
    }
    let heading = format!(
        "{REPLY}\n\n---- Call with lena@supplier.example at 09:40 ----\n- licences\n- invoice"
    );
    assert_eq!(
        strip_quoted(&heading),
        heading,
        "no year: a heading, not an attribution"
    );
}

#[test]
fn a_short_intro_naming_the_sender_and_a_bracketed_address_above_the_quote_is_an_attribution() {
    for header in [
        "Citaat van Lena Berg <lena@supplier.example>:",
        "Citerar Lena Berg <lena@supplier.example>:",
        "Cytowanie Lena Berg <lena@supplier.example>:",
        "Цитата Lena Berg <lena@supplier.example>:",
        "Lena Berg (lena@supplier.example):",
    ] {
        let text = format!("{REPLY}\n\n{header}\n{}\n", quoted(HISTORY));
        assert_eq!(strip_quoted(&text), REPLY, "{header}");
    }
    let sentence = format!(
        "Please ask Lena Berg <lena@supplier.example>:\n{}\n\nShe has the figures.",
        quoted(HISTORY)
    );
    assert!(
        strip_quoted(&sentence).starts_with("Please ask Lena Berg"),
        "a sentence stays"
    );
    let unquoted = format!("{REPLY}\n\nCitaat van Lena Berg <lena@supplier.example>:\n\n{HISTORY}");
    assert_eq!(strip_quoted(&unquoted), unquoted, "only above quoted text");
}

#[test]
fn lines_quoted_with_the_authors_initials_are_quoted_text() {
    let initials: String = HISTORY
        .lines()
        .map(|line| format!("LB> {line}"))
        .collect::<Vec<_>>()
        .join("\n");
    for header in [
        "Lena Berg wrote:",
        "Вы писали 12 февраля 2026 г., 09:40:12:",
        "",
    ] {
        let text = format!("{REPLY}\n\n{header}\n\n{initials}\n");
        assert_eq!(strip_quoted(&text), REPLY, "{header:?}");
    }
    let prose = "The chart reads CEO>CFO>team, top down.\nPS: one slide each.";
    assert_eq!(strip_quoted(prose), prose);
}

#[test]
fn a_header_block_whose_labels_end_in_full_width_colons_is_cut() {
    let block =
        "发件人： Lena Berg\n发送时间： 2026-02-12 09:40\n收件人： Marc Roy\n主题： 回复：licences";
    for below in [HISTORY.to_string(), quoted(HISTORY)] {
        let text = format!("{REPLY}\n\n{block}\n\n{below}\n");
        assert_eq!(strip_quoted(&text), REPLY);
    }
}

#[test]
fn a_lotus_notes_memo_header_whose_sender_is_a_notes_name_is_cut() {
    let memo = "Lena Berg/Purchasing/Supplier@Supplier\n12.02.2026 09:40\nTo: Marc Roy/Sales/Acme@Acme\ncc:\nSubject: Re: licences";
    let text = format!("{REPLY}\n\n{memo}\n\n{HISTORY}\n");
    assert_eq!(strip_quoted(&text), REPLY);
    let path = "The files are in Sales/2026/February@archive\nPlease check them.";
    assert_eq!(strip_quoted(path), path);
}

#[test]
fn zendesks_delimiter_in_any_language_and_a_framed_marker_that_goes_on_are_cut() {
    for marker in [
        "##- Skriv ditt svar ovanför den här raden -##",
        "##- Kirjoita vastauksesi tämän rivin yläpuolelle -##",
        "##- Введите ответ над этой строкой -##",
        "##- 请在此行上方输入回复 -##",
        "##- Odpovězte prosím nad tímto oddělovačem -##",
        "---- Reply above this line to add a comment ----",
    ] {
        let text = format!(
            "{REPLY}\n\n{marker}\n\nSupport (Supplier)\n12 Feb 2026, 09:40 CET\n\n{HISTORY}\n"
        );
        assert_eq!(strip_quoted(&text), REPLY, "{marker}");
    }
    for kept in [
        format!("{REPLY}\n\n##- Agenda -##\n\n1. Licences"),
        format!("{REPLY}\n\n--- Write the figures above the line in the form ---\nThanks"),
    ] {
        assert_eq!(strip_quoted(&kept), kept);
    }
}

#[test]
fn device_footers_in_more_languages_are_device_signatures() {
    for footer in [
        "Dërguar nga iPhone-i im",
        "Испратено од мојот Samsung телефон",
        "Ipinadala mula sa aking Android",
        "Imetumwa kutoka kwa Samsung yangu",
        "ارسال شده از iPad من",
        "iPad-dən göndərildi",
        "میرے Android سے بھیجا گیا",
        "मेरे iPad से भेजा गया",
        "আমার Android থেকে পাঠানো",
        "Anfonwyd o fy iPad",
        "Nire Androidetik bidalia",
        "来自我的小米手机",
    ] {
        assert!(device::is_device_signature(footer), "{footer}");
        let text = format!("{REPLY}\n\n{footer}\n");
        assert_eq!(clean_body(&text, None).text, REPLY, "{footer}");
    }
}

#[test]
fn outlooks_get_the_app_footer_is_read_by_its_shape_in_any_language() {
    for footer in [
        "Preuzmite Outlook za iOS",
        "Dapatkan Outlook untuk iOS",
        "Λήψη του Outlook για iOS",
        "Outlook letöltése iOS rendszerre",
    ] {
        assert!(device::is_device_signature(footer), "{footer}");
    }
    for sentence in [
        "Outlook for iOS crashed again",
        "Outlook on Android is what we use daily now.",
    ] {
        assert!(!device::is_device_signature(sentence), "{sentence}");
    }
}

#[test]
fn a_carrier_named_after_a_device_footer_belongs_to_it() {
    let footer = "Sent from my Galaxy Note smartphone on the Telekom Deutschland LTE network.";
    assert!(device::is_device_signature(footer));
    let text = format!("{REPLY}\n\n{footer}\n");
    assert_eq!(clean_body(&text, None).text, REPLY);
    let sentence = "We sent from the warehouse on the new DHL network.";
    assert!(!device::is_device_signature(sentence));
}

#[test]
fn a_french_footer_sent_depuis_a_mail_app_is_split_off() {
    let text = format!("{REPLY}\n\nEnvoyé depuis l'application Mail SFR\n");
    assert_eq!(clean_body(&text, None).text, REPLY);
}

#[test]
fn a_zoho_forward_framed_by_equals_signs_is_left_to_the_forward_reader() {
    let title = "============ Forwarded message ============";
    let text = format!(
        "Lead from the fair.\n\n{title}\nFrom: Lena Berg <lena@supplier.example>\nDate: Thu, 12 Feb 2026 09:40:12 +0100\nSubject: Licences\n{title}\n\n{HISTORY}"
    );
    assert_eq!(strip_quoted(&text), text);
}
