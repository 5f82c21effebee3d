//! Issue 15, second round: classes found by reading public reply-parser test suites as
//! development data (none of their text is here; every example is written for these tests).

use super::super::*;

#[test]
fn footers_of_phones_and_mail_apps_in_more_languages_are_split_off() {
    for footer in [
        "Gửi từ iPhone của tôi",
        "ส่งจาก iPhone ของฉัน",
        "Dikirim dari iPhone saya",
        "Enviat des del meu iPhone",
        "Nosūtīts no mana iPhone",
        "Išsiųsta iš mano iPhone",
        "Outlook für iOS herunterladen",
        "Télécharger Outlook pour iOS",
        "Skaffa Outlook för iOS",
        "iOS용 Outlook 받기",
        "Stáhněte si Outlook pro iOS",
        "iOS için Outlook'u edinin",
        "Sent from Mail for Windows",
    ] {
        let text = format!("The samples arrive on Friday.\n\n{footer}");
        let (body, signature) = split_signature(&text);
        assert_eq!(body, "The samples arrive on Friday.", "{footer}");
        assert_eq!(signature.as_deref(), Some(footer));
    }
}

#[test]
fn a_mail_app_footer_is_not_kept_as_a_sign_off() {
    assert_eq!(sign_off("Sent from Mail for Windows"), None);
}

#[test]
fn outlook_header_blocks_with_names_only_are_cut_in_many_languages() {
    let blocks = [
        "发件人: 王伟\n发送时间: 2025年2月5日 14:05\n收件人: 李娜\n主题: 报价",
        "差出人: 佐藤 花子\n送信日時: 2025年2月5日 14:05\n宛先: 田中 一郎\n件名: 見積もり",
        "보낸 사람: 김민수\n보낸 날짜: 2025년 2월 5일 수요일 오후 2:05\n받는 사람: 이지은\n제목: 견적",
        "من: سارة أحمد\nتاريخ الإرسال: الأربعاء، 5 فبراير، 2025 2:05 م\nإلى: علي حسن\nالموضوع: عرض سعر",
        "מאת: דנה לוי\nנשלח: יום רביעי 05 פברואר 2025 14:05\nאל: יוסי כהן\nנושא: הצעת מחיר",
        "Από: Μαρία Παππά\nΑποστολή: Τετάρτη, 5 Φεβρουαρίου 2025 2:05 μμ\nΠρος: Νίκος Γεωργίου\nΘέμα: Προσφορά",
        "От: Мария Иванова\nИзпратено: сряда, 5 февруари 2025 г. 14:05\nДо: Петър Петров\nОтносно: Оферта",
        "Од: Милица Јовић\nПослато: среда, 5. фебруар 2025. 14:05\nЗа: Марко Марковић\nТема: Понуда",
        "Kimden: Ayşe Yılmaz\nGönderildi: 5 Şubat 2025 Çarşamba 14:05\nKime: Mehmet Kaya\nKonu: Teklif",
        "Feladó: Kiss Anna\nElküldve: 2025. február 5., szerda 14:05\nCímzett: Nagy Péter\nTárgy: Ajánlat",
        "De la: Ioana Popescu\nTrimis: miercuri, 5 februarie 2025 14:05\nCătre: Andrei Ionescu\nSubiect: Ofertă",
        "Từ: Nguyễn Lan\nĐã gửi: Thứ Tư, ngày 5 tháng 2 năm 2025 14:05\nĐến: Trần Minh\nChủ đề: Báo giá",
    ];
    for block in blocks {
        let text = format!("Agreed, please send the contract.\n\n{block}\n\nOld message text");
        assert_eq!(
            strip_quoted(&text),
            "Agreed, please send the contract.",
            "{block}"
        );
    }
}

#[test]
fn a_labelled_line_just_above_a_header_block_belongs_to_it() {
    let dated = "See you then.\n\n==========\n\nNachricht vom : 05.02.2025 14:05\nVon : Eva <eva@firma.de>\nAn : tom@firma.de\nBetreff : Termin\n\nAlter Text";
    assert_eq!(strip_quoted(dated), "See you then.");
    let headless = "See you then.\n\nAfsender: Mari Tamm\nSent: 5 February 2025 14:05\nTo: Tom\nSubject: Termin\n\nOld text";
    assert_eq!(strip_quoted(headless), "See you then.");
    let note = "Summary: we agreed on the price.\n\nNext step: contract by Friday.";
    assert_eq!(strip_quoted(note), note, "no header block below");
}

#[test]
fn an_attribution_with_a_dotted_time_and_an_address_cuts_unquoted_history() {
    let text =
        "Sopii hyvin.\n\nke 5.2.2025 klo 14.05 Sari Virtanen <sari@esimerkki.fi>:\n\nVanha viesti";
    assert_eq!(strip_quoted(text), "Sopii hyvin.");
    let sentence = "The 2025 price list applies from 14.05, details below:\n\nThree tiers";
    assert_eq!(
        strip_quoted(sentence),
        sentence,
        "no address: the quote below is needed"
    );
}

#[test]
fn indonesian_and_catalan_attributions_cut_unquoted_history() {
    let cases = [
        "Baik.\n\nPada tanggal Rab, 5 Feb 2025 pukul 14.05 Budi <budi@contoh.id> menulis:\n\nPesan lama",
        "D'acord.\n\nEl dc., 5 de febr. 2025 a les 14:05, Jordi (<jordi@exemple.cat>) va escriure:\n\nMissatge antic",
    ];
    for text in cases {
        let kept = strip_quoted(text);
        assert!(
            !kept.contains("14") && !kept.contains("antic") && !kept.contains("lama"),
            "{kept:?}"
        );
    }
}

#[test]
fn an_attribution_wrapped_right_after_its_first_word_is_removed_whole() {
    let text = "Fine by me.\n\nAm\n5. Februar 2025 14:05:10 schrieb Eva Berg <eva@firma.de>:\n\n> Passt Mittwoch?";
    assert_eq!(strip_quoted(text), "Fine by me.");
}

#[test]
fn a_sent_from_footer_is_never_kept_as_a_sign_off() {
    for footer in [
        "Sent from my iPod",
        "Sent from my Nokia 3310",
        "Sent from Mailbox",
        "(sent from a phone)",
        "<<sent by galaxy>>",
        "From my iPhone 12",
    ] {
        let text = format!("Friday at ten is fine.\n\n{footer}");
        let (body, signature) = split_signature(&text);
        assert_eq!(body, "Friday at ten is fine.", "{footer}");
        assert_eq!(signature.as_deref().and_then(sign_off), None, "{footer}");
    }
}

#[test]
fn a_device_footer_with_an_apology_after_a_comma_is_split_off() {
    let text = "Friday at ten is fine.\n\nSent from my phone, please forgive the brevity";
    assert_eq!(split_signature(text).0, "Friday at ten is fine.");
    let prose = "Friday at ten is fine.\n\nSent from my desk, which beats typing on a phone";
    assert_eq!(
        split_signature(prose).0,
        prose,
        "no device before the comma"
    );
}

#[test]
fn an_underscore_rule_between_two_parts_of_a_reply_is_not_the_signature() {
    let text = "Hi Tom,\n\nThe quote is attached.\n\n______________________________\n\nDelivery takes two weeks from the order.\n\nKind regards,\nEva";
    let (body, signature) = split_signature(text);
    assert!(body.contains("Delivery takes two weeks"), "{body:?}");
    assert_eq!(signature.as_deref(), Some("Kind regards,\nEva"));
    let footer =
        "The quote is attached.\n\n______________________________\nEva Berg\nSales, Firma GmbH";
    assert_eq!(
        split_signature(footer).0,
        "The quote is attached.",
        "no closing below: a signature rule"
    );
}

#[test]
fn an_attribution_with_arabic_indic_digits_and_no_address_cuts_unquoted_history() {
    let text = "تمام، شكرا.\n\nفي الأربعاء، ٥ فبراير ٢٠٢٥، ٢:٠٥ م سارة أحمد كتب:\n\nالرسالة القديمة";
    assert_eq!(strip_quoted(text), "تمام، شكرا.");
}

#[test]
fn an_arabic_outlook_block_labelled_tam_al_irsal_is_cut() {
    let text = "تمام، شكرا.\n\nمن: سارة أحمد\nتم الإرسال: Wednesday, February 5, 2025 2:05 PM\nإلى: علي\nالموضوع: عرض\n\nالرسالة القديمة";
    assert_eq!(strip_quoted(text), "تمام، شكرا.");
}

#[test]
fn a_reply_line_that_starts_like_an_intro_is_not_taken_into_the_attribution_below() {
    let text = "Merci pour le devis.\nLe délai nous convient\nLe mer. 5 févr. 2025, 14:05, Boutique Martin a écrit :\n\n    Bonjour,\n    voici le devis.";
    assert_eq!(
        strip_quoted(text),
        "Merci pour le devis.\nLe délai nous convient"
    );
}

#[test]
fn an_attribution_that_lost_its_colon_above_a_header_block_is_cut_with_it() {
    let text = "Bitte um Rückruf.\nViele Grüße\nAm 05.02.25 um 14:05 schrieb Firma Beispiel\nVon: \"Firma Beispiel\"\nDatum: 5. Februar 2025\nAn: kunde@example.de\n\nAlter Text";
    assert_eq!(strip_quoted(text), "Bitte um Rückruf.\nViele Grüße");
}

#[test]
fn an_original_message_separator_sharing_its_line_with_the_first_header_cuts_the_rest() {
    let text = "Bitte um Rückruf.\n-------- Ursprüngliche Nachricht --------Von: Firma Beispiel  Datum: 05.02.25  14:05  An: Betreff: Angebot\n\nAlter Text";
    assert_eq!(strip_quoted(text), "Bitte um Rückruf.");
}

#[test]
fn a_device_footer_above_the_reply_is_not_kept() {
    let text = "Von meinem iPhone gesendet\n\nHallo Eva,\n\nder Termin passt.";
    assert_eq!(split_signature(text).0, "Hallo Eva,\n\nder Termin passt.");
    assert_eq!(
        split_signature("Sent from my iPhone").0,
        "Sent from my iPhone"
    );
}

#[test]
fn a_sentence_with_a_price_a_year_and_a_bare_address_before_a_colon_is_kept() {
    let text =
        "Prices for 2025 at 12.50 EUR each, write to sales@firma.de:\n- 10 units\n- 20 units";
    assert_eq!(strip_quoted(text), text);
}

#[test]
fn a_korean_thunderbird_attribution_cuts_unquoted_history() {
    let text = "네, 좋습니다.\n\n2025-02-05 오후 2:05에 김민수 이(가) 쓴 글:\n\n이전 메시지";
    assert_eq!(strip_quoted(text), "네, 좋습니다.");
}

#[test]
fn a_rule_of_em_dashes_starts_the_signature_and_is_not_a_sign_off() {
    let text = "周六下午三点开始，地点已经定好。\n\n——————————————\n\n王伟\n活动协调人";
    let (body, signature) = split_signature(text);
    assert_eq!(body, "周六下午三点开始，地点已经定好。");
    assert_eq!(signature.as_deref().and_then(sign_off), None);
}

#[test]
fn a_header_label_word_longer_than_twenty_one_letters_is_not_a_label() {
    let block = |label: &str| {
        format!("Noted.\n\n{label}: Eva <eva@firma.de>\nGesendet: 05.02.2025 14:05\nAn: tom@firma.de\nBetreff: Termin\n\nAlter Text")
    };
    let word21 = "Absenderkennzeichnung";
    assert_eq!(word21.chars().count(), 21);
    assert_eq!(strip_quoted(&block(word21)), "Noted.");
    assert_eq!(strip_quoted(&block("Vollständiger Absender")), "Noted.");
    let word22 = format!("{word21}e");
    assert_eq!(
        strip_quoted(&block(&word22)),
        format!("Noted.\n\n{word22}: Eva <eva@firma.de>"),
        "a 22-letter word is text above the known labels' block"
    );
}

#[test]
fn a_quoted_header_block_with_labels_in_scripts_with_combining_marks_is_cut() {
    for block in [
        "จาก: Bob Jones <bob@corp.example>\nส่ง: 3 ธันวาคม 2026 10:15\nถึง: Ann <ann@x.example>\nเรื่อง: RE: ใบเสนอราคา",
        "प्रेषक: Bob Jones <bob@corp.example>\nभेजा गया: गुरुवार, 3 दिसंबर 2026 10:15\nप्रति: Ann <ann@x.example>\nविषय: RE: प्रस्ताव",
        "அனுப்புநர்: Bob Jones <bob@corp.example>\nஅனுப்பப்பட்டது: வியாழன், 3 டிசம்பர் 2026 10:15\nபெறுநர்: Ann <ann@x.example>\nபொருள்: RE: விலை",
    ] {
        let text = format!("Tuesday works for us.\n\n{block}\n\nOld text here\nmore old text\n");
        assert_eq!(strip_quoted(&text), "Tuesday works for us.", "{block}");
    }
}

#[test]
fn a_groupwise_attribution_framed_by_angle_brackets_cuts_the_unquoted_original() {
    let text = "Tuesday works for us.\n\n>>> Bob Jones <bob@corp.example> 12/3/2026 10:15 AM >>>\nOld text here\nmore old text\n";
    assert_eq!(strip_quoted(text), "Tuesday works for us.");
    // Quoted text that merely starts with ">>>" stays quoted text.
    let nested = "Agreed.\n\n>>> deeply quoted line\n>>> another one\n\nSee you then.";
    assert_eq!(strip_quoted(nested), nested);
}
