//! Leads and prospects as CSV (RFC 4180), safe to open in a spreadsheet.
//!
//! Every text in a lead may come from a stranger's mail, so a cell that a
//! spreadsheet would read as a formula (it starts with `=`, `+`, `-`, `@`,
//! TAB or CR) gets a leading `'` (OWASP "CSV injection"); the `csv` crate
//! then quotes it when it holds a comma, a quote or a line break, and ends
//! lines with CRLF.

use crate::store::LeadView;
use chrono::{DateTime, SecondsFormat, Utc};

/// The header row, in the order [`lead_row`] writes the cells.
pub(crate) const COLUMNS: [&str; 21] = [
    "id",
    "kind",
    "status",
    "step",
    "title",
    "company",
    "contact_name",
    "contact_email",
    "contact_phone",
    "owner",
    "next_action_kind",
    "next_action_due",
    "amount",
    "currency",
    "created_at",
    "last_activity_at",
    "standby_until",
    "source",
    "tags",
    "company_domain",
    "contact_title",
];

/// The first characters that make a spreadsheet evaluate a cell.
const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The whole document: the header row, then one row per lead.
pub(crate) fn leads_csv(leads: &[LeadView]) -> Result<String, csv::Error> {
    let mut writer = writer();
    writer.write_record(COLUMNS)?;
    for lead in leads {
        write_row(&mut writer, &lead_row(lead))?;
    }
    finish(writer)
}

/// One lead's cells, as plain text (not yet escaped).
pub(crate) fn lead_row(lead: &LeadView) -> Vec<String> {
    let contact = lead.contacts.first();
    let next = lead.next_action.as_ref();
    vec![
        lead.id.to_string(),
        lead.kind.to_string(),
        lead.status.to_string(),
        lead.step.clone().unwrap_or_default(),
        lead.title.clone(),
        lead.company
            .as_ref()
            .map(|c| c.name.clone())
            .unwrap_or_default(),
        contact.and_then(|c| c.name.clone()).unwrap_or_default(),
        contact
            .and_then(|c| c.emails.first().cloned())
            .unwrap_or_default(),
        contact.and_then(|c| c.phone.clone()).unwrap_or_default(),
        lead.owner.clone().unwrap_or_default(),
        next.map(|n| n.kind.clone()).unwrap_or_default(),
        next.map(|n| stamp(&n.due_at)).unwrap_or_default(),
        lead.amount
            .as_ref()
            .map(|a| a.value.to_string())
            .unwrap_or_default(),
        lead.amount
            .as_ref()
            .map(|a| a.currency.clone())
            .unwrap_or_default(),
        stamp(&lead.created_at),
        stamp(&lead.last_activity_at),
        lead.standby_until.as_ref().map(stamp).unwrap_or_default(),
        lead.source.clone(),
        lead.tags.join(", "),
        lead.company
            .as_ref()
            .and_then(|c| c.domain.clone())
            .unwrap_or_default(),
        contact.and_then(|c| c.title.clone()).unwrap_or_default(),
    ]
}

fn stamp(time: &DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// An RFC 4180 writer: comma-separated, quoted only where needed (a
/// comma, a quote or a line break), quotes doubled, CRLF line ends.
fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(Vec::new())
}

/// One record, each cell neutralised against formulas before `csv` quotes it.
fn write_row(writer: &mut csv::Writer<Vec<u8>>, cells: &[String]) -> Result<(), csv::Error> {
    writer.write_record(cells.iter().map(|cell| neutralise_formula(cell)))
}

/// The written document as text.
fn finish(writer: csv::Writer<Vec<u8>>) -> Result<String, csv::Error> {
    let bytes = writer.into_inner().map_err(|e| e.into_error())?;
    String::from_utf8(bytes)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e).into())
}

/// Prefixes `'` to a text a spreadsheet would evaluate as a formula. An
/// international phone number (`+` then only digits and the separators
/// phone numbers use) is left as it is: it calls no function, and a
/// quote in front of every phone number would spoil the export.
pub(crate) fn neutralise_formula(text: &str) -> String {
    if text.starts_with(FORMULA_TRIGGERS) && !is_phone_number(text) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// `+44 20 7946 0958`, `+1 (415) 555-0100`, `+351.912.345.678`: a `+`, at
/// least six digits, and nothing but digits, spaces and `-./()`.
fn is_phone_number(text: &str) -> bool {
    let Some(rest) = text.strip_prefix('+') else {
        return false;
    };
    let digits = rest.chars().filter(char::is_ascii_digit).count();
    digits >= 6
        && rest
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '/' | '(' | ')'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{LeadKind, LeadStatus};
    use crate::store::{CompanyView, LeadContactView, NextActionView};

    /// One record as `export --csv` writes it.
    fn csv_line(cells: &[&str]) -> String {
        let mut writer = writer();
        let cells: Vec<String> = cells.iter().map(|c| c.to_string()).collect();
        write_row(&mut writer, &cells).unwrap();
        finish(writer).unwrap()
    }

    /// One cell as `export --csv` writes it (between other cells).
    fn csv_cell(text: &str) -> String {
        let line = csv_line(&["<", text, ">"]);
        let inner = line
            .strip_prefix("<,")
            .and_then(|l| l.strip_suffix(",>\r\n"));
        inner.unwrap_or_else(|| panic!("{line:?}")).to_string()
    }

    #[test]
    fn formula_triggers_get_a_leading_quote() {
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("-2"), "'-2");
        assert_eq!(csv_cell("@SUM(A1:A9)"), "'@SUM(A1:A9)");
        assert_eq!(csv_cell("=1+1"), "'=1+1");
        assert_eq!(csv_cell("\tcmd"), "'\tcmd");
    }

    #[test]
    fn an_international_phone_number_is_not_taken_for_a_formula() {
        assert_eq!(csv_cell("+442079460958"), "+442079460958");
        assert_eq!(csv_cell("+44 20 7946 0958"), "+44 20 7946 0958");
        assert_eq!(csv_cell("+1 (415) 555-0100"), "+1 (415) 555-0100");
        // Anything else after the + is still neutralised.
        assert_eq!(csv_cell("+1+cmd|' /C calc'!A0"), "'+1+cmd|' /C calc'!A0");
        assert_eq!(csv_cell("+SUM(A1)"), "'+SUM(A1)");
        assert_eq!(csv_cell("+12"), "'+12");
    }

    #[test]
    fn a_hyperlink_formula_is_neutralised_and_quoted() {
        assert_eq!(
            csv_cell(r#"=HYPERLINK("http://x","y")"#),
            r#""'=HYPERLINK(""http://x"",""y"")""#
        );
    }

    #[test]
    fn a_leading_carriage_return_is_neutralised_and_quoted() {
        assert_eq!(csv_cell("\r=cmd"), "\"'\r=cmd\"");
    }

    #[test]
    fn commas_quotes_and_line_breaks_are_quoted_per_rfc_4180() {
        assert_eq!(csv_cell("Acme, Inc."), "\"Acme, Inc.\"");
        assert_eq!(csv_cell(r#"the "best" deal"#), r#""the ""best"" deal""#);
        assert_eq!(csv_cell("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn plain_text_and_inner_triggers_are_left_alone() {
        assert_eq!(csv_cell("Pricing for 40 seats"), "Pricing for 40 seats");
        assert_eq!(csv_cell("a=b+c-d@e"), "a=b+c-d@e");
        assert_eq!(csv_cell(""), "");
    }

    #[test]
    fn a_record_joins_cells_with_commas_and_ends_with_crlf() {
        let line = csv_line(&["1", "a,b", "=x"]);
        assert_eq!(line, "1,\"a,b\",'=x\r\n");
    }

    #[test]
    fn a_hostile_lead_exports_with_every_cell_neutralised() {
        let csv = leads_csv(&[hostile_lead()]).unwrap();
        let mut lines = csv.split("\r\n");
        assert_eq!(lines.next(), Some(COLUMNS.join(",").as_str()));
        let row = lines.next().unwrap();
        assert!(
            row.starts_with(
                r#"7,lead,todo,Demo,"'=HYPERLINK(""http://x"",""y"")","'+Evil, Inc.",'@SUM(A1),"#
            ),
            "{row}"
        );
        assert!(row.contains(",'-2 555,"), "{row}");
        assert!(row.contains(",call,2026-11-24T09:00:00Z,"), "{row}");
    }

    fn hostile_lead() -> LeadView {
        let at = DateTime::parse_from_rfc3339("2026-11-23T08:05:00Z")
            .unwrap()
            .with_timezone(&Utc);
        LeadView {
            id: 7,
            kind: LeadKind::Lead,
            title: r#"=HYPERLINK("http://x","y")"#.to_string(),
            status: LeadStatus::Todo,
            step: Some("Demo".to_string()),
            standby_until: None,
            source: "direct".to_string(),
            owner: Some("alice@acme.test".to_string()),
            company: Some(CompanyView {
                name: "+Evil, Inc.".to_string(),
                domain: None,
            }),
            contacts: vec![LeadContactView {
                name: Some("@SUM(A1)".to_string()),
                emails: vec!["x@evil.example".to_string()],
                phone: Some("-2 555".to_string()),
                title: None,
            }],
            next_action: Some(NextActionView {
                due_at: at + chrono::Duration::minutes(24 * 60 + 55),
                kind: "call".to_string(),
                note: String::new(),
            }),
            tags: vec![],
            flags: vec![],
            amount: None,
            created_at: at,
            last_activity_at: at,
        }
    }
}
