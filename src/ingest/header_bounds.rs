//! Bounds on a message's top-level header block, checked by a fast byte scan
//! before the MIME parser runs: at most `max_count` header fields and no
//! physical header line longer than `max_line_bytes`. A message over either
//! is quarantined unparsed, so a hostile header block cannot make the parser
//! build millions of fields or scan megabyte-long lines.

/// Which bound a header block broke, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderBreach {
    /// What a human reads in the quarantine entry (names the setting).
    pub detail: String,
    /// Where the offending line starts: the bytes before it are within bounds.
    pub offset: usize,
}

pub use crate::config::HeaderBounds;

/// Scans the header block (up to the first empty line) of `raw`.
pub fn check(raw: &[u8], bounds: HeaderBounds) -> Result<(), HeaderBreach> {
    let mut fields = 0;
    let mut offset = 0;
    for line in raw.split_inclusive(|b| *b == b'\n') {
        let text = strip_line_ending(line);
        if text.is_empty() {
            break;
        }
        if text.len() > bounds.max_line_bytes {
            return Err(line_too_long(text.len(), offset, bounds));
        }
        if !is_continuation(text) {
            fields += 1;
            if fields > bounds.max_count {
                return Err(too_many(offset, bounds));
            }
        }
        offset += line.len();
    }
    Ok(())
}

fn strip_line_ending(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// A folded line (starting with space or TAB) continues the field above.
fn is_continuation(line: &[u8]) -> bool {
    matches!(line.first(), Some(b' ' | b'\t'))
}

fn line_too_long(len: usize, offset: usize, bounds: HeaderBounds) -> HeaderBreach {
    HeaderBreach {
        detail: format!(
            "a header line of {len} bytes is over security.max_header_line_bytes = {}",
            bounds.max_line_bytes
        ),
        offset,
    }
}

fn too_many(offset: usize, bounds: HeaderBounds) -> HeaderBreach {
    HeaderBreach {
        detail: format!(
            "more than security.max_header_count = {} header fields",
            bounds.max_count
        ),
        offset,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOUNDS: HeaderBounds = HeaderBounds {
        max_count: 3,
        max_line_bytes: 20,
    };

    #[test]
    fn a_header_block_within_bounds_passes_and_folded_lines_are_one_field() {
        let raw = b"From: a@b.c\r\nSubject: one\r\n two\r\n\tthree\r\nTo: x@y.z\r\n\r\nbody\r\n";
        assert_eq!(check(raw, BOUNDS), Ok(()));
    }

    #[test]
    fn one_field_too_many_is_a_breach_naming_the_setting() {
        let raw = b"A: 1\nB: 2\nC: 3\nD: 4\n\nbody\n";
        let breach = check(raw, BOUNDS).unwrap_err();
        assert_eq!(breach.offset, 15);
        assert!(breach.detail.contains("security.max_header_count = 3"));
    }

    #[test]
    fn a_long_header_line_is_a_breach_but_a_long_body_line_is_not() {
        let long_header = b"From: a@b.c\nSubject: 123456789012345678901\n\nbody\n";
        let breach = check(long_header, BOUNDS).unwrap_err();
        assert_eq!(breach.offset, 12);
        assert!(breach.detail.contains("30 bytes"), "{}", breach.detail);
        assert!(breach
            .detail
            .contains("security.max_header_line_bytes = 20"));
        let long_body = b"From: a@b.c\n\n12345678901234567890123456789\nA: 1\nB: 2\nC: 3\n";
        assert_eq!(check(long_body, BOUNDS), Ok(()));
    }

    #[test]
    fn the_line_ending_does_not_count_towards_the_line_length() {
        let raw = b"Subject: 12345678901\r\n\r\n";
        assert_eq!(check(raw, BOUNDS), Ok(()));
    }

    #[test]
    fn the_pipeline_quarantines_a_long_header_line_unparsed_with_its_key() {
        let settings = crate::config::tests::sample_settings();
        let long = "x".repeat(settings.security.max_header_line_bytes + 1);
        let raw = format!(
            "From: Eve <eve@hostile.example>\r\nMessage-ID: <long@hostile.example>\r\n\
             X-Junk: {long}\r\nSubject: hi\r\n\r\nbody\r\n"
        );
        let plan = crate::ingest::plan_message(
            raw.as_bytes(),
            &settings,
            "2026-11-23T10:00:00Z".parse().unwrap(),
        );
        let crate::ingest::plan::Action::Quarantine(draft) = &plan.action else {
            panic!("not quarantined: {:?}", plan.action);
        };
        assert_eq!(draft.reason, crate::domain::QuarantineReason::TooLarge);
        assert!(draft.detail.contains("security.max_header_line_bytes"));
        assert_eq!(plan.key.as_str(), "long@hostile.example");
        assert_eq!(plan.from.as_deref(), Some("Eve <eve@hostile.example>"));
    }

    #[test]
    fn a_header_block_with_lone_cr_line_endings_is_measured_line_by_line() {
        let settings = crate::config::tests::sample_settings();
        let filler = format!("X-Filler: {}\r", "0123456789".repeat(20)).repeat(500);
        let raw = format!(
            "From: Ana <ana@example.org>\rMessage-ID: <cr@example.org>\r{filler}Subject: hi\r\rbody\r"
        );
        assert!(raw.len() > settings.security.max_header_line_bytes);
        let plan = crate::ingest::plan_message(
            raw.as_bytes(),
            &settings,
            "2026-11-23T10:00:00Z".parse().unwrap(),
        );
        let quarantined = matches!(plan.action, crate::ingest::plan::Action::Quarantine(_));
        assert!(
            !quarantined,
            "CR-only mail taken for one long line: {:?}",
            plan.action
        );
    }

    #[test]
    fn a_message_of_headers_only_is_scanned_to_its_end() {
        assert!(check(b"A: 1\nB: 2\nC: 3\nD: 4", BOUNDS).is_err());
        assert_eq!(check(b"", BOUNDS), Ok(()));
    }
}
