//! How a header block is laid out: line by line (a blank line ends it), spaced out a row per
//! paragraph by HTML-to-text, or a cell per line (the label, then its value).

use super::super::*;

const BODY: &str = "Hello, we need 40 sensors.\nJane";

#[test]
fn a_block_with_each_label_and_its_value_on_their_own_lines_is_read() {
    let block = "From:\nJane Doe <jane@customer.example>\nDate:\nThu, 19 Nov 2026 at 16:20\nSubject:\nSensors\nTo:\n<sales@acme.test>";
    let body =
        format!("Please follow up.\n\n---------- Forwarded message ---------\n{block}\n\n{BODY}\n");
    let forward = unwrap_forward("Fwd: Sensors", &body).expect("a forward");
    assert_eq!(forward.from.address, "jane@customer.example");
    assert_eq!(forward.from.name.as_deref(), Some("Jane Doe"));
    assert_eq!(forward.date.as_deref(), Some("Thu, 19 Nov 2026 at 16:20"));
    assert_eq!(forward.subject.as_deref(), Some("Sensors"));
    assert_eq!(forward.to.len(), 1);
    assert_eq!(forward.body, BODY);
}

#[test]
fn a_body_line_that_looks_like_a_header_below_a_line_by_line_block_stays_in_the_body() {
    let block = "From: Jane Doe <jane@customer.example>\nSubject: Sensors";
    for first in [
        "Date: next Tuesday works for the demo.",
        "To: whom it may concern,",
    ] {
        let text = format!("{first}\nWe need 40 sensors.");
        let body = format!("---------- Forwarded message ---------\n{block}\n\n{text}\n");
        let forward = unwrap_forward("Fwd: Sensors", &body).expect("a forward");
        assert_eq!(forward.body, text, "{first}");
        assert_eq!(forward.date, None, "{first}");
    }
}

#[test]
fn a_block_spaced_out_a_row_per_paragraph_is_still_one_block() {
    let block = "From: Jane Doe <jane@customer.example>\n\nSent: Thursday, November 19, 2026 4:20 PM\n\nTo: Sales <sales@acme.test>\n\nSubject: Sensors";
    let body = format!("Please follow up.\n\n{block}\n\n{BODY}\n");
    let forward = unwrap_forward("FW: Sensors", &body).expect("a forward");
    assert_eq!(forward.subject.as_deref(), Some("Sensors"));
    assert!(forward.date.is_some());
    assert_eq!(forward.body, BODY);
}
