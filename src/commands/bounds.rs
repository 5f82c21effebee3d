//! Bounds on what the commands of one mail (a rep's note, a digest reply)
//! and of the CLI make leadmail do and store: at most
//! [`MAX_COMMANDS_PER_MAIL`] commands are read from one mail, and a command
//! line holds at most [`MAX_LINE_BYTES`], so every text a command stores (a
//! lost reason, a next action's note, a tag, an amount) is bounded too.

/// Commands (understood or not) read from one mail; the lines after them
/// are reported as not read.
pub(crate) const MAX_COMMANDS_PER_MAIL: usize = 50;

/// The longest command line (and so the longest reason or note) read.
pub(crate) const MAX_LINE_BYTES: usize = 1_000;

/// The longest tag, the same as a `#hashtag` (41 characters).
pub(crate) const MAX_TAG_CHARS: usize = 41;

/// The largest amount a command sets.
pub(crate) const MAX_AMOUNT: f64 = 1e12;

/// A line quoted back in a report keeps this many characters.
const QUOTED_CHARS: usize = 80;

/// Refuses a command line (or a CLI text) too long to be stored.
pub(crate) fn check_length(text: &str) -> Result<(), String> {
    if text.len() <= MAX_LINE_BYTES {
        return Ok(());
    }
    Err(format!(
        "too long ({} bytes; a command holds at most {MAX_LINE_BYTES})",
        text.len()
    ))
}

/// How a refused line is reported: `"the line": why`, a long line cut.
pub(crate) fn refusal(line: &str, why: &str) -> String {
    let quoted = if line.chars().count() <= QUOTED_CHARS {
        line.to_string()
    } else {
        let kept: String = line.chars().take(QUOTED_CHARS - 1).collect();
        format!("{kept}…")
    };
    format!("\"{quoted}\": {why}")
}

/// Feeds `items` (lines, plus tags) to `read` until it has given
/// [`MAX_COMMANDS_PER_MAIL`] commands (`read` says how many each gave); the
/// report for the non-blank `what` left, if any.
pub(crate) fn read_at_most<'a>(
    items: impl IntoIterator<Item = &'a str>,
    what: &str,
    mut read: impl FnMut(&'a str) -> usize,
) -> Option<String> {
    let mut items = items.into_iter();
    let mut count = 0;
    while count < MAX_COMMANDS_PER_MAIL {
        count += read(items.next()?);
    }
    let left = items.filter(|l| !l.trim().is_empty()).count();
    (left > 0).then(|| {
        format!("{left} more {what} not read: at most {MAX_COMMANDS_PER_MAIL} commands per mail")
    })
}

/// Keeps the first [`MAX_COMMANDS_PER_MAIL`] of `items` (one line of tags
/// can give many); the report for the ones dropped, if any.
pub(crate) fn keep_first<T>(items: &mut Vec<T>) -> Option<String> {
    let dropped = items.len().checked_sub(MAX_COMMANDS_PER_MAIL)?;
    items.truncate(MAX_COMMANDS_PER_MAIL);
    (dropped > 0).then(|| {
        format!("{dropped} more commands not read: at most {MAX_COMMANDS_PER_MAIL} per mail")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_stops_after_the_last_allowed_command_and_counts_the_rest() {
        let text = "done 1\n\nthanks\n".repeat(10_000);
        let mut seen = 0;
        let report = read_at_most(text.lines(), "lines", |l| {
            seen += 1;
            usize::from(l.starts_with("done"))
        });
        assert_eq!(seen, 49 * 3 + 1, "no line read after the 50th command");
        assert_eq!(
            report.unwrap(),
            "19901 more lines not read: at most 50 commands per mail"
        );
        assert_eq!(
            read_at_most("done 1\n".repeat(50).lines(), "lines", |_| 1),
            None
        );
    }

    #[test]
    fn a_long_line_is_refused_and_quoted_back_cut() {
        let long = format!("lost 12 {}", "é".repeat(600));
        assert!(check_length(&long).unwrap_err().contains("1208 bytes"));
        assert!(check_length(&"x".repeat(MAX_LINE_BYTES)).is_ok());
        let report = refusal(&long, "too long");
        assert_eq!(report.chars().count(), 80 + 2 + 10);
        assert!(report.starts_with("\"lost 12 éé") && report.ends_with("é…\": too long"));
    }

    #[test]
    fn only_the_first_commands_are_kept() {
        let mut tags: Vec<usize> = (0..70).collect();
        let report = keep_first(&mut tags);
        assert_eq!(tags.len(), 50);
        assert_eq!(
            report.unwrap(),
            "20 more commands not read: at most 50 per mail"
        );
        assert_eq!(keep_first(&mut vec![1]), None);
    }
}
