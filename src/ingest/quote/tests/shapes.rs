//! Issue 15: quote headers, header blocks and device lines read by their shape in languages
//! and layouts the corpora do not show, and the reply kept when a cut would lose it.

use super::super::*;

#[test]
fn an_original_message_separator_in_any_language_or_in_emphasis_cuts_the_rest() {
    let cases = [
        "Ok\n\n-------- Oprindelig besked --------\nFra: A <a@b.dk>\nDato: 04.07.2024 17.45\nTil: c@d.dk\n\nOld",
        "Ok\n\n*-----Original Message-----*\nFrom: A <a@b.io>\nSent: Monday, 3 March 2025 10:00\n\nOld",
        "Ok\n\n-----Исходное сообщение-----\nОт: A <a@b.ru>\nОтправлено: 3 марта 2025 г. 10:00\n\nOld",
    ];
    for text in cases {
        assert_eq!(strip_quoted(text), "Ok", "{text}");
    }
}

#[test]
fn a_header_block_with_unlisted_labels_is_read_by_its_shape() {
    let text = "Ok\n\nŠalje: Ana <ana@primjer.hr>\nPoslano: 3. ožujka 2025. 10:00\nPrima: Ivo <ivo@x.hr>\n\nOld text";
    assert_eq!(strip_quoted(text), "Ok");
    let form = "Name: Jane\nEmail: jane@x.io\nPhone: +1 555 0100\nMessage: call me";
    assert_eq!(strip_quoted(form), form, "no time: not a header block");
}

#[test]
fn unquoted_history_below_a_norwegian_or_polish_attribution_is_cut() {
    let cases = [
        "Ja.\n\ntir. 18. apr. 2017 kl. 13:09 skrev Test <test@example.com>:\n\nGammel tekst",
        "Tak.\n\nwt., 3 mar 2020 o 10:21 Jan <jan@x.pl> napisał(a):\n\nStary tekst",
    ];
    for text in cases {
        let kept = strip_quoted(text);
        assert!(
            !kept.contains("tekst") && !kept.contains("13:09"),
            "{kept:?}"
        );
    }
}

#[test]
fn a_reply_that_starts_with_an_attribution_and_unquoted_text_keeps_that_text() {
    let text =
        "On Mon, 3 Mar 2025 at 10:00, Ana <ana@acme.pt> wrote:\n\nYes, Tuesday works for me.";
    assert_eq!(strip_quoted(text), "Yes, Tuesday works for me.");
    let greeting =
        "Hi Ana,\n\nOn Mon, 3 Mar 2025 at 10:00, Ana <ana@acme.pt> wrote:\nTuesday works.";
    assert_eq!(strip_quoted(greeting), "Hi Ana,\n\nTuesday works.");
}

#[test]
fn device_signatures_in_other_scripts_and_tracking_glyphs_are_split_off() {
    for footer in [
        "iPhoneから送信",
        "Отправлено с iPhone",
        "נשלח מה-iPhone שלי",
        "ᐧ",
    ] {
        let text = format!("Tuesday works.\n\n{footer}");
        assert_eq!(split_signature(&text).0, "Tuesday works.", "{footer}");
    }
}

#[test]
fn a_long_zoho_attribution_between_dashes_is_removed() {
    let text = "Ok\n\n---- On Mon, 03 Mar 2025 10:00:00 +0100 Jonathan Appleseed-Smith <jonathan.appleseed-smith@example-company.com> wrote ----\n\nOld text";
    assert_eq!(strip_quoted(text), "Ok");
}

#[test]
fn original_message_variants_and_twelve_hour_times_are_quote_headers() {
    let cases = [
        "Ok\n\nOriginal Message\nFrom: A <a@b.io>\nSent: Monday, 3 March 2025 10:00\n\nOld",
        "Ok\n\n--- Original Message ---\nFrom: A <a@b.io>\nDate: 3 March 2025\n\nOld",
        "Ok\n\nOn 3 March, 3pm, Ana Silva wrote:\n> Old",
    ];
    for text in cases {
        assert_eq!(strip_quoted(text), "Ok", "{text}");
    }
    let prose = "Original message\nwas lost, please resend.";
    assert_eq!(strip_quoted(prose), prose);
}

#[test]
fn outlook_blocks_mobile_footers_and_localised_attributions_leave_only_the_reply() {
    let quoted = "\n> Old text\n> more";
    let block = "\n\nOld text";
    let cases = [
        format!("Reply here\n\nGet Outlook for iOS<https://aka.ms/o0ukef>\n________________________________\nFrom: John <j@x.com>\nSent: Monday, March 3, 2025 10:00:00 AM\nTo: Ana <a@y.com>\nSubject: Hi{block}"),
        format!("Reply here\n\nDa: Mario Rossi [mailto:mario@x.it]\nInviato: lunedì 3 marzo 2025 10:00\nA: Ana\nOggetto: Ciao{block}"),
        format!("Reply here\n\n    From: John [mailto:j@x.com]\n    Sent: Monday, March 3, 2025 10:00\n    To: Ana\n    Subject: Hi{block}"),
        format!("Reply here\n\nDnia 3 marca 2025 o 10:00 Jan <jan@x.pl> napisał(a):{quoted}"),
        format!("Reply here\n\nma 3. maalisk. 2025 klo 10.00 John Doe (john@x.com) kirjoitti:{quoted}"),
        format!("Reply here\n\nDen man. 3. mar. 2025 kl. 10.00 skrev John <j@x.dk>:{block}"),
        format!("Reply here\n\nSent from my Verizon Wireless 4G LTE smartphone\n\nOn Mon, Mar 3, 2025 at 10:00 AM, John <j@x.com> wrote:{quoted}"),
    ];
    for text in cases {
        let stored = crate::ingest::extract::clean_body(&text, None).text;
        assert_eq!(stored, "Reply here", "{text}");
    }
}

#[test]
fn quote_marks_left_as_html_entities_are_quotes() {
    let text = "Sure.\n\nOn Mon, Mar 3, 2025 at 10:00 AM, John <j@x.com> wrote:\n&gt; Can we meet?\n&gt; Monday";
    assert_eq!(strip_quoted(text), "Sure.");
}

#[test]
fn a_mail_ru_header_block_with_ot_kogo_cuts_the_rest() {
    let text = "Спасибо!\n\nОт кого: Иван <ivan@mail.ru>\nКому: Анна <anna@x.ru>\nДата: Понедельник, 3 марта 2025, 10:00 +03:00\nТема: Запрос\n\nСтарый текст";
    assert_eq!(strip_quoted(text), "Спасибо!");
}

#[test]
fn reading_violations_names_attribution_and_device_lines_but_not_forwards() {
    let stored = "Ok\n\nOn Mon, 3 Mar 2025 at 10:00, Ana <ana@acme.pt> wrote:\nSent from my iPhone";
    assert_eq!(
        reading_violations(stored),
        vec![
            "On Mon, 3 Mar 2025 at 10:00, Ana <ana@acme.pt> wrote:",
            "Sent from my iPhone"
        ]
    );
    let forward =
        "FYI\n\n---------- Forwarded message ---------\nFrom: a@b.io\nDate: 3 Mar 2025 10:00";
    assert!(reading_violations(forward).is_empty());
    assert!(reading_violations("Tuesday works.").is_empty());
}

#[test]
fn quoted_lines_at_the_end_without_an_attribution_are_history_however_few() {
    let reply = "Thanks, that works for us.\n\n> We can offer 40 seats.\n> Best, Alice\n";
    assert_eq!(strip_quoted(reply), "Thanks, that works for us.");
    let one = "Yes please.\n> Shall we book Tuesday?";
    assert_eq!(strip_quoted(one), "Yes please.");
    // An answer below its quote keeps both: text follows the quote.
    let inline = "> Shall we book Tuesday?\nYes, at 10.";
    assert!(strip_quoted(inline).contains("Yes, at 10."));
    // A message that is only a quote keeps its words (never empty).
    assert!(!strip_quoted("> only this").is_empty());
}
