//! Header blocks whose labels are in no listed language, read by their shape (`shaped`).

use super::super::*;

const BODY: &str = "Hello,\nwe would like a quote for 40 seats.\nRegards, Bob";

/// Outlook-style blocks (sender, sent, to, subject) in languages whose labels are not listed.
const OUTLOOK_BLOCKS: &[(&str, &str)] = &[
    ("Thai", "จาก: Bob Jones <bob@corp.example>\nส่ง: 3 ธันวาคม 2026 10:15\nถึง: sales@us.example\nเรื่อง: Quote request"),
    ("Hindi", "प्रेषक: Bob Jones <bob@corp.example>\nभेजा गया: गुरुवार, 3 दिसंबर 2026 10:15\nप्रति: sales@us.example\nविषय: Quote request"),
    ("Bengali", "প্রেরক: Bob Jones <bob@corp.example>\nপাঠানো হয়েছে: বৃহস্পতিবার, 3 ডিসেম্বর 2026 10:15\nপ্রাপক: sales@us.example\nবিষয়: Quote request"),
    ("Vietnamese", "Từ: Bob Jones <bob@corp.example>\nĐã gửi: Thứ Năm, ngày 3 tháng 12 năm 2026 10:15\nĐến: sales@us.example\nChủ đề: Quote request"),
    ("Persian", "از: Bob Jones <bob@corp.example>\nارسال شده: پنجشنبه، ۳ دسامبر ۲۰۲۶ 10:15\nبه: sales@us.example\nموضوع: Quote request"),
    ("Georgian", "გამგზავნი: Bob Jones <bob@corp.example>\nგაგზავნილია: ხუთშაბათი, 3 დეკემბერი 2026 10:15\nმიმღები: sales@us.example\nთემა: Quote request"),
    ("Malay", "Daripada: Bob Jones <bob@corp.example>\nDihantar: Khamis, 3 Disember 2026 10:15 PG\nKepada: sales@us.example\nSubjek: Quote request"),
    ("Ukrainian, one label unlisted", "Від: Bob Jones <bob@corp.example>\nНадіслано: четвер, 3 грудня 2026 р. 10:15\nКому: sales@us.example\nТема: Quote request"),
];

#[test]
fn an_outlook_block_in_an_unlisted_language_is_read_under_a_forward_subject() {
    for (language, block) in OUTLOOK_BLOCKS {
        let body = format!("Anna, can you take this one?\n\n{block}\n\n{BODY}\n");
        let forward = unwrap_forward("Fw: Quote request", &body)
            .unwrap_or_else(|| panic!("{language}: not read as a forward"));
        assert_eq!(forward.from.address, "bob@corp.example", "{language}");
        assert_eq!(
            forward.from.name.as_deref(),
            Some("Bob Jones"),
            "{language}"
        );
        assert_eq!(
            forward.subject.as_deref(),
            Some("Quote request"),
            "{language}"
        );
        assert!(
            forward.date.as_deref().is_some_and(|d| d.contains("10:15")),
            "{language}"
        );
        assert_eq!(forward.to.len(), 1, "{language}");
        assert_eq!(forward.to[0].address, "sales@us.example", "{language}");
        assert_eq!(forward.body, BODY, "{language}");
        assert_eq!(
            forward.note.as_deref(),
            Some("Anna, can you take this one?"),
            "{language}"
        );
    }
}

#[test]
fn a_gmail_block_under_a_forward_title_in_an_unlisted_language_is_read() {
    let body = format!(
        "---------- ข้อความที่ส่งต่อ ---------\nจาก: Bob Jones <bob@corp.example>\nวันที่: พฤ. 3 ธ.ค. 2026 เวลา 10:15\nเรื่อง: Quote request\nถึง: <sales@us.example>\n\n{BODY}\n"
    );
    // The title is enough: the outer subject has no prefix at all.
    let forward = unwrap_forward("Quote request", &body).expect("a forward");
    assert_eq!(forward.from.address, "bob@corp.example");
    assert_eq!(forward.date.as_deref(), Some("พฤ. 3 ธ.ค. 2026 เวลา 10:15"));
    assert_eq!(forward.subject.as_deref(), Some("Quote request"));
    assert_eq!(forward.to[0].address, "sales@us.example");
    assert_eq!(forward.body, BODY);
}

#[test]
fn a_block_with_copies_gives_to_then_cc_in_their_order() {
    let body = format!(
        "Lähettäjä: Bob Jones <bob@corp.example>\nXyzzy: 3.12.2026 10.15\nQuux: Ann <ann@us.example>\nFrob: Carl <carl@us.example>\nZork: Quote request\n\n{BODY}\n"
    );
    let forward = unwrap_forward("VL: Quote request", &body).expect("a forward");
    assert_eq!(forward.date.as_deref(), Some("3.12.2026 10.15"));
    assert_eq!(forward.to[0].address, "ann@us.example");
    assert_eq!(forward.cc[0].address, "carl@us.example");
    assert_eq!(forward.subject.as_deref(), Some("Quote request"));
}

#[test]
fn blank_lines_between_the_rows_of_html_to_text_are_crossed() {
    let body = format!(
        "จาก: Bob Jones <bob@corp.example>\n\nส่ง: 3 ธันวาคม 2026 10:15\n\nถึง: sales@us.example\n\nเรื่อง: Quote request\n\n{BODY}\n"
    );
    let forward = unwrap_forward("FW: Quote request", &body).expect("a forward");
    assert_eq!(forward.subject.as_deref(), Some("Quote request"));
    assert_eq!(forward.body, BODY);
}

#[test]
fn unlisted_labels_without_a_forward_title_or_subject_are_no_forward() {
    let block = OUTLOOK_BLOCKS[0].1;
    let separated = format!("Thanks!\n\n________________________________\n{block}\n\n{BODY}\n");
    let bare = format!("Thanks!\n\n{block}\n\n{BODY}\n");
    for subject in [
        "Quote request",
        "ตอบกลับ: Quote request",
        "Re: Quote request",
        "",
    ] {
        assert!(unwrap_forward(subject, &separated).is_none(), "{subject:?}");
        assert!(unwrap_forward(subject, &bare).is_none(), "{subject:?}");
    }
}

#[test]
fn a_form_submission_is_no_forward() {
    let body = "Email: bob@corp.example\nCompany: Corp\nSubmitted: 03.12.2026 10:15\nMessage: We need 40 seats.\n";
    assert!(unwrap_forward("New submission from Contact us", body).is_none());
}

#[test]
fn two_rows_or_a_sender_without_an_address_are_no_header_block() {
    let two_rows =
        format!("จาก: Bob Jones <bob@corp.example>\nส่ง: 3 ธันวาคม 2026 10:15\n\n{BODY}\n");
    let no_address = format!(
        "จาก: Bob Jones\nส่ง: 3 ธันวาคม 2026 10:15\nถึง: Sales\nเรื่อง: Quote request\n\n{BODY}\n"
    );
    let no_time = format!("จาก: Bob Jones <bob@corp.example>\nส่ง: วันพฤหัสบดี\nถึง: sales@us.example\nเรื่อง: Quote request\n\n{BODY}\n");
    for body in [two_rows, no_address, no_time] {
        assert!(
            unwrap_forward("Fw: Quote request", &body).is_none(),
            "{body}"
        );
    }
}

#[test]
fn a_forward_intro_in_more_languages_is_a_marker_not_the_forwarders_note() {
    for intro in [
        "Αρχή προωθημένου μηνύματος:",
        "بداية الرسالة المُعاد توجيهها:",
        "תחילת הודעה שהועברה:",
        "Bắt đầu tin nhắn được chuyển tiếp:",
        "เริ่มข้อความที่ส่งต่อ:",
        "Pesan yang diteruskan dimulai:",
        "Препратено съобщение:",
        "Прослеђена порука:",
        "Persiųstas laiškas:",
        "Pārsūtīta ziņa:",
    ] {
        let body = format!(
            "{intro}\n\nFrom: Bob Jones <bob@corp.example>\nSubject: Quote request\nDate: 3 December 2026 at 10:15:00 CET\nTo: sales@us.example\n\n{BODY}\n"
        );
        let forward = unwrap_forward("Quote request", &body).expect("a forward");
        assert_eq!(forward.note, None, "{intro}");
        assert_eq!(forward.body, BODY, "{intro}");
        assert!(forward.confidence >= 0.9, "{intro}: marked, not bare");
    }
}

#[test]
fn a_header_table_rendered_as_text_gives_values_without_the_cell_bar() {
    let body = format!(
        "Từ: | Bob Jones <bob@corp.example>\nĐã gửi: | Thứ Năm, 3 tháng 12 năm 2026 10:15\nĐến: | sales@us.example\nChủ đề: | Quote request\n\n{BODY}\n"
    );
    let forward = unwrap_forward("FW: Quote request", &body).expect("a forward");
    assert_eq!(forward.from.name.as_deref(), Some("Bob Jones"));
    assert_eq!(
        forward.date.as_deref(),
        Some("Thứ Năm, 3 tháng 12 năm 2026 10:15")
    );
    assert_eq!(forward.subject.as_deref(), Some("Quote request"));
}

/// A forwarded web form: the header block, a blank line, then the form's own "Label: value"
/// lines, which are the original's body, not more header lines.
#[test]
fn form_fields_below_a_header_block_are_the_body() {
    let fields = "Name: Jane Doe\nEmail: jane@customer.example\nCompany: Customer Ltd\nMessage: We need 40 sensors.";
    let block = "From: ACME Website <noreply@acme-site.example>\nDate: Thu, 3 Dec 2026 at 09:12\nSubject: New enquiry\nTo: <sales@acme.test>\nReply-To: Jane Doe <jane@customer.example>";
    for marker in ["---------- Forwarded message ---------\n", ""] {
        let body = format!("Can someone take this?\n\n{marker}{block}\n\n{fields}\n");
        let forward = unwrap_forward("Fwd: New enquiry", &body).expect("a forward");
        assert_eq!(forward.body, fields, "{marker}");
        assert!(forward.cc.is_empty(), "{:?}", forward.cc);
        let reply_to = forward.reply_to.expect("the Reply-To line is read");
        assert_eq!(reply_to.address, "jane@customer.example");
        assert_eq!(reply_to.name.as_deref(), Some("Jane Doe"));
    }
    // Rows that HTML-to-text spaced out one by one are still one block.
    let spaced = "จาก: Bob Jones <bob@corp.example>\n\nส่ง: 3 ธันวาคม 2026 10:15\n\nถึง: sales@us.example\n\nเรื่อง: Quote request";
    let body = format!("Anna, please.\n\n{spaced}\n\n{BODY}\n");
    let forward = unwrap_forward("Fw: Quote request", &body).expect("a forward");
    assert_eq!(forward.subject.as_deref(), Some("Quote request"));
    assert_eq!(forward.body, BODY);
}
