//! `Label: value` fields of web-form submissions and partner referrals, in the order written.

use regex::Regex;
use std::sync::LazyLock;

/// Labelled fields of a form submission, in order: (label as written, value).
///
/// A line "Label: value" (also "**Label:** value", "*Label:* value", "Label\tvalue" and
/// "| Label | value |" from HTML tables, or "Label:" with the value on the next lines) starts a
/// field; following unlabelled lines continue a multi-line value (e.g. the message), up to a
/// "-- " line. When `known_labels` is non-empty only those labels (case-insensitive, ignoring
/// a trailing colon and asterisks) start a field, and a known label alone on its line (table
/// cells on consecutive lines) does too; with an empty list any short label of ≤ 4 words
/// followed by a colon, tab or pipe does. Labels are returned without markup and colon;
/// values are trimmed and may be empty.
pub fn parse_labelled_fields(text: &str, known_labels: &[&str]) -> Vec<(String, String)> {
    let known: Vec<String> = known_labels.iter().map(|l| normalise_label(l)).collect();
    let mut fields: Vec<(String, Vec<&str>)> = Vec::new();
    let mut open = false;
    for line in text.lines() {
        if let Some((label, value)) = labelled_line(line, &known) {
            fields.push((label, vec![value]));
            open = true;
        } else if DELIMITER.is_match(line) {
            open = false;
        } else if let Some((_, value)) = fields.last_mut().filter(|_| open) {
            value.push(line);
        }
    }
    fields
        .into_iter()
        .map(|(label, lines)| (label, join_value(&lines)))
        .collect()
}

static DELIMITER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s*--\s*$").unwrap());

static TABLE_RULE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?$").unwrap());

const MAX_LABEL_CHARS: usize = 60;
const MAX_FREE_LABEL_WORDS: usize = 4;

/// How a label was separated from its value on the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Separator {
    Colon,
    Tab,
    Pipe,
    /// The whole line is the label; the value follows on the next lines.
    LineAlone,
}

fn labelled_line<'a>(line: &'a str, known: &[String]) -> Option<(String, &'a str)> {
    let line = line.trim();
    if line.is_empty() || TABLE_RULE.is_match(line) {
        return None;
    }
    candidate_splits(line)
        .into_iter()
        .find(|(label, _, separator)| accepts_label(label, *separator, known))
        .map(|(label, value, _)| (clean_label(label).to_string(), clean_value(value)))
}

/// Every way the line could be "label, value", most specific first.
fn candidate_splits(line: &str) -> Vec<(&str, &str, Separator)> {
    let mut splits = Vec::new();
    if let Some((label, value)) = line.split_once(':').filter(|(_, v)| !v.starts_with("//")) {
        splits.push((label, value, Separator::Colon));
    }
    if let Some((label, value)) = line.trim_start_matches('|').split_once('\t') {
        splits.push((label, value, Separator::Tab));
    }
    let cells = line.trim_matches(|c: char| c == '|' || c.is_whitespace());
    if let Some((label, value)) = cells
        .split_once('|')
        .filter(|_| line.contains(" | ") || line.starts_with('|'))
    {
        splits.push((label, value, Separator::Pipe));
    }
    splits.push((line, "", Separator::LineAlone));
    splits
}

fn accepts_label(label: &str, separator: Separator, known: &[String]) -> bool {
    let cleaned = clean_label(label);
    let plausible = !cleaned.is_empty()
        && cleaned.chars().count() <= MAX_LABEL_CHARS
        && cleaned.chars().next().is_some_and(char::is_alphabetic)
        && !cleaned.contains(['\t', '|', ':'])
        && !label.contains("://");
    if !plausible {
        return false;
    }
    if !known.is_empty() {
        return known.contains(&normalise_label(cleaned));
    }
    separator != Separator::LineAlone
        && cleaned.split_whitespace().count() <= MAX_FREE_LABEL_WORDS
        && !cleaned.ends_with(['.', '?', '!', ','])
}

/// "**Name:**" → "Name".
fn clean_label(label: &str) -> &str {
    label.trim_matches(|c: char| c == '*' || c == '_' || c == ':' || c.is_whitespace())
}

/// "** John" (after "**Name:"), "\tJohn\tDoe" → "John", "John Doe".
fn clean_value(value: &str) -> &str {
    value.trim_matches(|c: char| c == '*' || c == '_' || c == '|' || c.is_whitespace())
}

fn normalise_label(label: &str) -> String {
    clean_label(label)
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Joins a value's lines: table cells separated by tabs become single spaces, blank lines
/// around the value go, blank lines inside a message stay.
fn join_value(lines: &[&str]) -> String {
    let lines: Vec<String> = lines
        .iter()
        .map(|l| {
            l.split('\t')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    lines.join("\n").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(fields: &[(&str, &str)]) -> Vec<(String, String)> {
        fields
            .iter()
            .map(|(l, v)| (l.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn plain_labels_give_fields_in_order() {
        let text = "New submission from the website\n\nName: Jane Doe\nEmail: jane@example.com\nPhone: +44 20 7946 0000";
        let want = pairs(&[
            ("Name", "Jane Doe"),
            ("Email", "jane@example.com"),
            ("Phone", "+44 20 7946 0000"),
        ]);
        assert_eq!(parse_labelled_fields(text, &[]), want);
    }

    #[test]
    fn bold_and_italic_labels_are_read() {
        let text =
            "**Name:** Jane Doe\n*Company:* Acme Ltd\n**Phone**: 912 345 678\n__Email:__ j@acme.io";
        let want = pairs(&[
            ("Name", "Jane Doe"),
            ("Company", "Acme Ltd"),
            ("Phone", "912 345 678"),
            ("Email", "j@acme.io"),
        ]);
        assert_eq!(parse_labelled_fields(text, &[]), want);
    }

    #[test]
    fn tab_separated_cells_from_an_html_table_are_read() {
        let text = "Name\tJane Doe\nCompany\tAcme\tLtd\nMessage\tHello there";
        let want = pairs(&[
            ("Name", "Jane Doe"),
            ("Company", "Acme Ltd"),
            ("Message", "Hello there"),
        ]);
        assert_eq!(parse_labelled_fields(text, &[]), want);
    }

    #[test]
    fn pipe_separated_cells_and_table_rules_are_read() {
        let text =
            "| Field | Value |\n|---|---|\n| Name | Jane Doe |\n| Website | https://acme.io |";
        let got = parse_labelled_fields(text, &["name", "website"]);
        assert_eq!(
            got,
            pairs(&[("Name", "Jane Doe"), ("Website", "https://acme.io")])
        );
    }

    #[test]
    fn known_labels_on_their_own_lines_take_the_next_line_as_value() {
        let text = "Name\nJane Doe\nE-mail\njane@example.com\nMessage\nHello,\nplease call me.";
        let got = parse_labelled_fields(text, &["Name", "E-mail", "Message:"]);
        let want = pairs(&[
            ("Name", "Jane Doe"),
            ("E-mail", "jane@example.com"),
            ("Message", "Hello,\nplease call me."),
        ]);
        assert_eq!(got, want);
    }

    #[test]
    fn a_multi_line_message_keeps_its_lines_until_the_next_label() {
        let text = "Name: Rui\nMessage: Hello,\n\nwe need 20 licences.\nThanks\nSource: Google";
        let got = parse_labelled_fields(text, &[]);
        let want = pairs(&[
            ("Name", "Rui"),
            ("Message", "Hello,\n\nwe need 20 licences.\nThanks"),
            ("Source", "Google"),
        ]);
        assert_eq!(got, want);
    }

    #[test]
    fn portuguese_german_and_dutch_labels_are_read() {
        let pt = parse_labelled_fields(
            "Nome: João Silva\nTelefone: 912 345 678\nMensagem: Olá",
            &[],
        );
        assert_eq!(
            pt,
            pairs(&[
                ("Nome", "João Silva"),
                ("Telefone", "912 345 678"),
                ("Mensagem", "Olá")
            ])
        );
        let de = parse_labelled_fields(
            "Firma: Beispiel GmbH\nNachricht: Bitte um Rückruf",
            &["firma", "nachricht"],
        );
        assert_eq!(
            de,
            pairs(&[
                ("Firma", "Beispiel GmbH"),
                ("Nachricht", "Bitte um Rückruf")
            ])
        );
        let nl =
            parse_labelled_fields("Naam : Pieter de Vries\nBedrijfsnaam : Voorbeeld B.V.", &[]);
        assert_eq!(
            nl,
            pairs(&[
                ("Naam", "Pieter de Vries"),
                ("Bedrijfsnaam", "Voorbeeld B.V.")
            ])
        );
    }

    #[test]
    fn values_with_colons_keep_them() {
        let text =
            "Website: https://acme.io/contact?a=1\nBest time: 10:30 - 12:00\nNote: re: our call";
        let want = pairs(&[
            ("Website", "https://acme.io/contact?a=1"),
            ("Best time", "10:30 - 12:00"),
            ("Note", "re: our call"),
        ]);
        assert_eq!(parse_labelled_fields(text, &[]), want);
    }

    #[test]
    fn empty_values_are_kept_as_empty() {
        let text = "Name: Jane\nCompany:\nPhone: \nEmail: jane@example.com";
        let want = pairs(&[
            ("Name", "Jane"),
            ("Company", ""),
            ("Phone", ""),
            ("Email", "jane@example.com"),
        ]);
        assert_eq!(parse_labelled_fields(text, &[]), want);
    }

    #[test]
    fn with_known_labels_other_colon_lines_continue_the_value() {
        let text = "Message: Hi\nPS: call after 5\nName: Jane";
        let got = parse_labelled_fields(text, &["message", "name"]);
        assert_eq!(
            got,
            pairs(&[("Message", "Hi\nPS: call after 5"), ("Name", "Jane")])
        );
    }

    #[test]
    fn long_sentences_with_a_colon_are_not_labels() {
        let text = "Message: Hello\nI would like to know the following: price";
        let got = parse_labelled_fields(text, &[]);
        assert_eq!(
            got,
            pairs(&[(
                "Message",
                "Hello\nI would like to know the following: price"
            )])
        );
    }

    #[test]
    fn a_signature_delimiter_ends_the_last_value() {
        let text = "Message: Hello\n-- \nSent by WPForms";
        assert_eq!(
            parse_labelled_fields(text, &[]),
            pairs(&[("Message", "Hello")])
        );
    }

    #[test]
    fn crlf_and_odd_input_never_panic() {
        assert_eq!(
            parse_labelled_fields("Name: A\r\nCity: B\r\n", &[]),
            pairs(&[("Name", "A"), ("City", "B")])
        );
        for text in [
            "", ":", "::", "|", "\t", "**:**", "é:é", "| |", "---", "ü\tü",
        ] {
            let _ = parse_labelled_fields(text, &[]);
            let _ = parse_labelled_fields(text, &["é", ""]);
        }
    }
}
