//! The fixed split of every corpus into a development half and a check half (issue 15).
//!
//! A case belongs to a half by a hash of its file name (for a case made of several files,
//! the first; for an inline case, its id), so the split never changes between runs or
//! machines and does not depend on the case's content or on what the code gets right.
//! Rules are developed against the development half only; the check half measures whether
//! they generalise.

/// One of the two halves of a corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Half {
    /// The cases rules may be developed against (their misses are listed).
    Development,
    /// The held-out cases (only counted, never listed).
    Check,
}

/// The half of the case `case` (an id such as `"fixtures/email_2.txt"`,
/// `"body.txt + subject.txt"` or `"test_reply_after_quote"`).
pub fn half_of(case: &str) -> Half {
    if fnv1a(file_name(case).as_bytes()).is_multiple_of(2) {
        Half::Development
    } else {
        Half::Check
    }
}

/// The first file of a case id, without its directories.
fn file_name(case: &str) -> &str {
    let first = case.split(" + ").next().unwrap_or(case).trim();
    first.rsplit(['/', '\\']).next().unwrap_or(first)
}

/// 64-bit FNV-1a: fixed, documented, and independent of the standard library's hasher.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_is_in_the_half_of_its_first_file_wherever_it_lives() {
        let alone = half_of("outlook_live_body.txt");
        assert_eq!(half_of("fixtures/outlook_live_body.txt"), alone);
        assert_eq!(
            half_of("outlook_live_body.txt + outlook_live_fr_subject.txt"),
            alone
        );
    }

    #[test]
    fn the_split_is_fixed_and_puts_cases_in_both_halves() {
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c, "FNV-1a of \"a\"");
        let names: Vec<String> = (0..200).map(|i| format!("email_{i}.txt")).collect();
        let dev = names
            .iter()
            .filter(|n| half_of(n) == Half::Development)
            .count();
        assert!((70..=130).contains(&dev), "{dev} of 200 in development");
    }
}
