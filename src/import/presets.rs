//! The header rows of other CRMs' CSV exports, as column → field tables.
//!
//! The column names come from the products' public documentation of their
//! fields and exports (noCRM.io's lead fields and `Label: value` contact
//! lines, Pipedrive's `Deal - …` / `Person - …` / `Organization - …`
//! export columns, HubSpot's default contact and deal property labels,
//! Zendesk Sell's lead, contact and deal fields); headers are compared
//! case-insensitively, spaces collapsed. A column a preset does not name is
//! ignored and listed in the report.

use super::fields::Field;
use std::fmt;

/// A known CSV layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Preset {
    /// leadmail's own `export --csv`: every column named after its field.
    Leadmail,
    /// noCRM.io lead exports.
    Nocrm,
    /// Pipedrive deal and person exports.
    Pipedrive,
    /// HubSpot contact and deal exports.
    Hubspot,
    /// Zendesk Sell lead, contact and deal exports.
    ZendeskSell,
}

use Field::*;

const NOCRM: &[(&str, Field)] = &[
    ("lead title", Title),
    ("title", Title),
    ("status", Status),
    ("step", Step),
    ("amount", Amount),
    ("currency", Currency),
    ("user", Owner),
    ("owner", Owner),
    ("remind date", StandbyUntil),
    ("reminder date", StandbyUntil),
    ("tags", Tags),
    ("created at", CreatedAt),
    ("firstname", FirstName),
    ("lastname", LastName),
    ("email", ContactEmail),
    ("phone", ContactPhone),
    ("company name", Company),
];

const PIPEDRIVE: &[(&str, Field)] = &[
    ("deal - title", Title),
    ("deal - value", Amount),
    ("deal - currency", Currency),
    ("deal - owner", Owner),
    ("deal - stage", Step),
    ("deal - status", Status),
    ("deal - deal created", CreatedAt),
    ("deal - last activity date", LastActivityAt),
    ("deal - next activity date", NextActionDue),
    ("person - name", ContactName),
    ("person - first name", FirstName),
    ("person - last name", LastName),
    ("person - email", ContactEmail),
    ("person - phone", ContactPhone),
    ("organization - name", Company),
];

const HUBSPOT: &[(&str, Field)] = &[
    ("deal name", Title),
    ("deal stage", Step),
    ("amount", Amount),
    ("currency", Currency),
    ("deal owner", Owner),
    ("contact owner", Owner),
    ("create date", CreatedAt),
    ("last activity date", LastActivityAt),
    ("next activity date", NextActionDue),
    ("first name", FirstName),
    ("last name", LastName),
    ("email", ContactEmail),
    ("phone number", ContactPhone),
    ("job title", ContactTitle),
    ("company name", Company),
    ("company domain name", CompanyDomain),
    ("website url", CompanyDomain),
];

const ZENDESK_SELL: &[(&str, Field)] = &[
    ("name", Title),
    ("value", Amount),
    ("currency", Currency),
    ("stage", Step),
    ("owner", Owner),
    ("first name", FirstName),
    ("last name", LastName),
    ("company name", Company),
    ("title", ContactTitle),
    ("email", ContactEmail),
    ("phone", ContactPhone),
    ("website", CompanyDomain),
    ("tags", Tags),
    ("created at", CreatedAt),
];

impl Preset {
    /// Every preset, leadmail's own first.
    pub(crate) const ALL: [Preset; 5] = [
        Preset::Leadmail,
        Preset::Nocrm,
        Preset::Pipedrive,
        Preset::Hubspot,
        Preset::ZendeskSell,
    ];

    /// The name `--preset` takes.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Preset::Leadmail => "leadmail",
            Preset::Nocrm => "nocrm",
            Preset::Pipedrive => "pipedrive",
            Preset::Hubspot => "hubspot",
            Preset::ZendeskSell => "zendesk-sell",
        }
    }

    /// Reads a preset name (case-insensitive; `zendesk` is Zendesk Sell).
    pub(crate) fn parse(text: &str) -> Option<Preset> {
        let text = text.trim().to_lowercase();
        if text == "zendesk" {
            return Some(Preset::ZendeskSell);
        }
        Preset::ALL.into_iter().find(|p| p.as_str() == text)
    }

    /// The field this preset maps a header cell to, if any.
    pub(crate) fn field(self, header: &str) -> Option<Field> {
        let key = header_key(header);
        let table = match self {
            Preset::Leadmail => return Field::parse(&key).filter(|_| !key.contains(' ')),
            Preset::Nocrm => NOCRM,
            Preset::Pipedrive => PIPEDRIVE,
            Preset::Hubspot => HUBSPOT,
            Preset::ZendeskSell => ZENDESK_SELL,
        };
        table.iter().find(|(name, _)| *name == key).map(|&(_, f)| f)
    }

    /// How many header cells this preset maps, and whether one of them is
    /// the contact's address.
    fn score(self, header: &[String]) -> (usize, bool) {
        let fields: Vec<Field> = header.iter().filter_map(|h| self.field(h)).collect();
        (fields.len(), fields.contains(&ContactEmail))
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The preset that maps the most cells of this header row, among those
/// that find the contact's address; none when two tie or none does.
pub(crate) fn detect(header: &[String]) -> Option<Preset> {
    let mut scored: Vec<(usize, Preset)> = Preset::ALL
        .into_iter()
        .map(|p| (p.score(header), p))
        .filter(|((count, email), _)| *email && *count >= 2)
        .map(|((count, _), p)| (count, p))
        .collect();
    scored.sort_by_key(|s| std::cmp::Reverse(s.0));
    match scored.as_slice() {
        [(best, preset), (next, _), ..] if best > next => Some(*preset),
        [(_, preset)] => Some(*preset),
        _ => None,
    }
}

/// A header cell as the tables spell it: trimmed, lower-cased, inner
/// spaces collapsed, a byte order mark dropped.
pub(crate) fn header_key(header: &str) -> String {
    header
        .trim_start_matches('\u{feff}')
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn leadmails_own_export_header_is_recognised_and_maps_every_column_but_the_id() {
        let own = header(&crate::export::csv::COLUMNS);
        assert_eq!(detect(&own), Some(Preset::Leadmail));
        for column in crate::export::csv::COLUMNS.iter().filter(|c| **c != "id") {
            assert!(Preset::Leadmail.field(column).is_some(), "{column}");
        }
        assert_eq!(Preset::Leadmail.field("id"), None);
    }

    #[test]
    fn each_crms_export_header_is_told_apart() {
        let cases = [
            (
                vec![
                    "Lead title",
                    "Status",
                    "Step",
                    "Amount",
                    "User",
                    "Firstname",
                    "Lastname",
                    "Email",
                    "Company name",
                ],
                Preset::Nocrm,
            ),
            (
                vec![
                    "Deal - Title",
                    "Deal - Value",
                    "Deal - Owner",
                    "Person - Name",
                    "Person - Email",
                    "Organization - Name",
                ],
                Preset::Pipedrive,
            ),
            (
                vec![
                    "Record ID",
                    "Deal Name",
                    "Deal Stage",
                    "Amount",
                    "Deal owner",
                    "First Name",
                    "Last Name",
                    "Email",
                    "Company Name",
                ],
                Preset::Hubspot,
            ),
            (
                vec![
                    "Id",
                    "First Name",
                    "Last Name",
                    "Company Name",
                    "Title",
                    "Email",
                    "Phone",
                    "Owner",
                    "Created At",
                ],
                Preset::ZendeskSell,
            ),
        ];
        for (cells, preset) in cases {
            assert_eq!(detect(&header(&cells)), Some(preset), "{cells:?}");
        }
    }

    #[test]
    fn a_header_without_an_address_column_or_with_a_tie_is_not_guessed() {
        assert_eq!(detect(&header(&["Name", "Phone"])), None);
        assert_eq!(detect(&header(&["First Name", "Last Name", "Email"])), None);
    }

    #[test]
    fn headers_match_whatever_their_case_spacing_or_byte_order_mark() {
        assert_eq!(
            Preset::Pipedrive.field("\u{feff}Person  -  Email"),
            Some(ContactEmail)
        );
        assert_eq!(
            Preset::Pipedrive.field(" PERSON - EMAIL "),
            Some(ContactEmail)
        );
        assert_eq!(
            Preset::Leadmail.field("\u{feff}contact_email"),
            Some(ContactEmail)
        );
        assert_eq!(Preset::Leadmail.field("contact email"), None);
        assert_eq!(Preset::parse("Zendesk-Sell"), Some(Preset::ZendeskSell));
    }
}
