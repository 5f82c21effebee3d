//! Issue 15, ninth round: forwards of clients not probed before, written out as forwards of
//! our own: Zoho's title above and below the header block, Yandex's verbless head and closing
//! title, Lotus Notes' memo head under "Forwarded by".

use super::super::*;
use super::{forward, NOTE, ORIGINAL};

#[test]
fn a_zoho_forward_framed_by_its_title_above_and_below_the_header_block_is_read() {
    let title = "============ Forwarded message ============";
    let block = "From: Piet de Vries <piet@buyer.example>\nTo: <sales@acme.test>\nDate: Thu, 12 Feb 2026 09:40:12 +0100\nSubject: Scanners";
    for layout in ["\n", "\n\n"] {
        let body = format!("{NOTE}\n\n{title}\n{block}\n{title}{layout}{ORIGINAL}\n");
        let found = forward("Fwd: Scanners", &body);
        assert_eq!(found.from.address, "piet@buyer.example");
        assert_eq!(found.note.as_deref(), Some(NOTE));
        assert_eq!(found.body, ORIGINAL);
    }
}

#[test]
fn a_yandex_forward_headed_by_a_date_and_address_line_and_closed_by_its_title_is_read() {
    let head = "12.02.2026, 09:40, \"Piet de Vries\" <piet@buyer.example>:";
    let body = format!(
        "-------- Начало переадресованного сообщения --------\n{head}\n\n{ORIGINAL}\n\n-------- Конец переадресованного сообщения --------\n\n{NOTE}\n"
    );
    let found = forward("Fwd: Scanners", &body);
    assert_eq!(found.from.address, "piet@buyer.example");
    assert_eq!(found.from.name.as_deref(), Some("Piet de Vries"));
    assert_eq!(found.date.as_deref(), Some("12.02.2026, 09:40"));
    assert_eq!(found.body, ORIGINAL);
    assert_eq!(
        found.note.as_deref(),
        Some(NOTE),
        "the text below the closing title"
    );
    let untitled = format!("{NOTE}\n\n{head}\n\n{ORIGINAL}\n");
    assert_eq!(
        unwrap_forward("Fwd: Scanners", &untitled),
        None,
        "no title, no verb"
    );
}

#[test]
fn a_title_that_heads_a_nested_forward_does_not_close_the_outer_one() {
    let body = format!(
        "{NOTE}\n\n---------- Forwarded message ---------\nFrom: Eva Lind <eva@partner.example>\nDate: Fri, 13 Feb 2026 at 08:00\nSubject: Fwd: Scanners\nTo: <sales@acme.test>\n\nFor you.\n\n---------- Forwarded message ---------\nFrom: Piet de Vries <piet@buyer.example>\nDate: Thu, 12 Feb 2026 at 09:40\nSubject: Scanners\nTo: <eva@partner.example>\n\n{ORIGINAL}\n"
    );
    let found = forward("Fwd: Fwd: Scanners", &body);
    assert_eq!(found.from.address, "eva@partner.example");
    assert_eq!(found.innermost().from.address, "piet@buyer.example");
    assert_eq!(found.innermost().body, ORIGINAL);
}

#[test]
fn a_lotus_notes_memo_head_below_forwarded_by_is_read() {
    let body = format!(
        "{NOTE}\n\n----- Forwarded by Tom Berg/Sales/Acme on 12.02.2026 10:05 -----\n\nPiet de Vries <piet@buyer.example>\n12.02.2026 09:40\nTo: Tom Berg/Sales/Acme@Acme\ncc:\nSubject: Scanners\n\n{ORIGINAL}\n"
    );
    let found = forward("Fw: Scanners", &body);
    assert_eq!(found.from.address, "piet@buyer.example");
    assert_eq!(found.date.as_deref(), Some("12.02.2026 09:40"));
    assert_eq!(found.subject.as_deref(), Some("Scanners"));
    assert_eq!(found.note.as_deref(), Some(NOTE));
    assert_eq!(found.body, ORIGINAL);
}
