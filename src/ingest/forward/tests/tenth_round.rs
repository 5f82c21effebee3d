//! Issue 15, tenth round: header blocks laid out the way some clients wrap or space them,
//! written out as forwards of our own: blank lines between the header lines (BlackBerry), a
//! Subject wrapped onto an unindented line, an address wrapped inside its brackets.

use super::{forward, NOTE, ORIGINAL};

#[test]
fn a_header_block_spaced_with_blank_lines_keeps_its_subject() {
    let body = format!(
        "{NOTE}\n\n-----Original Message-----\nFrom: \"Piet de Vries\" <piet@buyer.example>\n\n\
         Date: Thu, 12 Feb 2026 09:40:12\nTo:<sales@acme.test>\n\n\nSubject: Scanners for the depot\n\n\n{ORIGINAL}\n"
    );
    let found = forward("Fwd: Scanners for the depot", &body);
    assert_eq!(found.subject.as_deref(), Some("Scanners for the depot"));
    assert_eq!(found.body, ORIGINAL);
    assert_eq!(found.note.as_deref(), Some(NOTE));
}

#[test]
fn a_body_line_after_a_spaced_block_that_has_its_subject_stays_in_the_body() {
    let body = format!(
        "---------- Forwarded message ---------\nFrom: Piet de Vries <piet@buyer.example>\n\
         Subject: Scanners\nTo: <sales@acme.test>\n\nDate: next Tuesday suits us.\n{ORIGINAL}\n"
    );
    let found = forward("Fwd: Scanners", &body);
    assert!(
        found.body.starts_with("Date: next Tuesday suits us."),
        "{:?}",
        found.body
    );
}

#[test]
fn a_subject_wrapped_onto_an_unindented_line_above_the_next_header_is_whole() {
    let body = format!(
        "---------- Forwarded message ---------\nFrom: Piet de Vries <piet@buyer.example>\n\
         Subject: Quote for twelve scanners and the service contract for the\nnew depot in Gent\n\
         To: <sales@acme.test>\n\n{ORIGINAL}\n"
    );
    let found = forward("Fwd: Quote", &body);
    assert_eq!(
        found.subject.as_deref(),
        Some("Quote for twelve scanners and the service contract for the new depot in Gent")
    );
    assert_eq!(found.body, ORIGINAL);
}

#[test]
fn an_address_wrapped_inside_its_brackets_is_the_senders() {
    let body = format!(
        "-------- Forwarded Message --------\nFrom: Piet de Vries, Purchasing Department <\n\
         piet@buyer.example>\nSubject: Scanners\nDate: Thu, 12 Feb 2026 09:40:12 +0100\n\
         To: <sales@acme.test>\n\n{ORIGINAL}\n"
    );
    let found = forward("Fwd: Scanners", &body);
    assert_eq!(found.from.address, "piet@buyer.example");
    assert_eq!(found.subject.as_deref(), Some("Scanners"));
    assert_eq!(found.body, ORIGINAL);
}
