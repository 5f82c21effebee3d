//! Bounds on what a plan keeps: timeline bodies above the configured size
//! are cut at a character boundary and say how much was left out.

use super::plan::{Action, Fallback, IngestPlan, TimelineDraft};

/// Cuts every timeline body of the plan to at most `max_bytes` (plus the marker).
pub(super) fn cap_bodies(plan: &mut IngestPlan, max_bytes: usize) {
    for entry in entries(&mut plan.action) {
        cap(&mut entry.body, max_bytes);
    }
}

fn entries(action: &mut Action) -> Vec<&mut TimelineDraft> {
    match action {
        Action::Lead(mail) => mail.entries.iter_mut().collect(),
        Action::Outbound(mail) => vec![&mut mail.entry],
        Action::Bounce(mail) => vec![&mut mail.entry],
        Action::Thread(thread) => {
            let mut all = vec![&mut thread.entry];
            if let Fallback::NewLead(mail) = &mut thread.fallback {
                all.extend(mail.entries.iter_mut());
            }
            all
        }
        Action::Quarantine(_) | Action::Record | Action::DigestReply(_) => Vec::new(),
    }
}

fn cap(body: &mut String, max_bytes: usize) {
    if body.len() <= max_bytes {
        return;
    }
    let mut end = max_bytes;
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    let left_out = body.len() - end;
    body.truncate(end);
    body.push_str(&format!(
        "\n[… {left_out} more bytes not kept; the whole message is in the mailbox]"
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_body_is_cut_at_a_character_boundary_with_a_marker() {
        let mut body = "é".repeat(100); // 200 bytes
        cap(&mut body, 51);
        assert!(body.starts_with(&"é".repeat(25)));
        assert!(body.ends_with("[… 150 more bytes not kept; the whole message is in the mailbox]"));
        let mut short = "short".to_string();
        cap(&mut short, 51);
        assert_eq!(short, "short");
    }

    #[test]
    fn every_timeline_body_of_a_plan_is_capped() {
        let settings = crate::config::tests::sample_settings();
        let huge = "word ".repeat(40_000);
        let raw = format!(
            "From: Jane <jane@globex.example>\r\nTo: crm@acme.test\r\nSubject: Hi\r\n\
             Message-ID: <big@globex.example>\r\nDate: Mon, 23 Nov 2026 09:00:00 +0000\r\n\r\n{huge}\r\n"
        );
        let mut plan = crate::ingest::plan_message(
            raw.as_bytes(),
            &settings,
            "2026-11-23T10:00:00Z".parse().unwrap(),
        );
        let bodies: Vec<usize> = entries(&mut plan.action)
            .iter()
            .map(|e| e.body.len())
            .collect();
        assert!(
            !bodies.is_empty(),
            "the inquiry has a timeline entry: {:?}",
            plan.rule
        );
        let limit = settings.security.max_body_bytes + 100;
        assert!(bodies.iter().all(|len| *len <= limit), "{bodies:?}");
    }
}
