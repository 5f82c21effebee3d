//! Imports of CRM records from CSV files (`leadmail import --csv`):
//! leadmail's own export and the exports of other CRMs.
//!
//! Pure: the file's text, the mapping, the configuration and the clock in;
//! the rows to write and the refused rows (line and reason) out. The store
//! writes the rows in one transaction (`Store::import`); `app::import`
//! reads the files and prints the report.

pub(crate) mod fields;
pub(crate) mod mapping;
pub(crate) mod presets;
pub(crate) mod rows;
pub(crate) mod values;

pub(crate) use fields::Field;
pub(crate) use mapping::{MapFile, Mapping};
pub(crate) use presets::Preset;
pub(crate) use rows::{ImportRow, LeadDraft, Refusal};

use crate::config::Settings;
use chrono::{DateTime, Utc};
use std::fmt;

/// What each row of the file becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ImportKind {
    /// A lead (a `kind` column may say `prospect` for a row).
    Lead,
    /// A prospect (a `kind` column may say `lead` for a row).
    Prospect,
    /// A contact (and its company) only.
    Contact,
}

impl ImportKind {
    /// Reads `lead`, `prospect` or `contact`.
    pub(crate) fn parse(text: &str) -> Option<ImportKind> {
        match text.trim().to_lowercase().as_str() {
            "lead" | "leads" => Some(ImportKind::Lead),
            "prospect" | "prospects" => Some(ImportKind::Prospect),
            "contact" | "contacts" => Some(ImportKind::Contact),
            _ => None,
        }
    }

    /// The stable name.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ImportKind::Lead => "lead",
            ImportKind::Prospect => "prospect",
            ImportKind::Contact => "contact",
        }
    }
}

impl fmt::Display for ImportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a file (not one row of it) cannot be imported.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ImportError {
    /// The CSV itself could not be read.
    #[error("cannot read the CSV: {cause}")]
    Csv {
        /// The reader's error (it names the line).
        #[source]
        cause: csv::Error,
    },
    /// The file has no header row.
    #[error("cannot import an empty file: the first line must name the columns")]
    Empty,
    /// Neither `--preset`, a recognised header nor `--map` says what the columns are.
    #[error("cannot tell which CRM wrote this file: name it with --preset (leadmail, nocrm, pipedrive, hubspot, zendesk-sell) or map its columns with --map FILE")]
    UnknownLayout,
    /// No column fills `contact_email`.
    #[error("cannot import without a contact_email column: leadmail matches people by address (map one with --map FILE)")]
    NoAddressColumn,
    /// A map file names a field that does not exist.
    #[error(
        "cannot map column {column:?} to {field:?}: no such field (fields: {})",
        field_names()
    )]
    UnknownField {
        /// The source column.
        column: String,
        /// The name given.
        field: String,
    },
    /// A TOML map file that is not TOML.
    #[error("cannot read the map file as TOML: {cause}")]
    MapToml {
        /// The parser's error.
        #[source]
        cause: toml::de::Error,
    },
    /// A TOML map file value that is not a string.
    #[error("cannot read the map file: the value of {column:?} must be a field name in quotes")]
    MapValue {
        /// The source column.
        column: String,
    },
    /// A CSV map file that is not CSV.
    #[error("cannot read the map file as CSV: {cause}")]
    MapCsv {
        /// The reader's error.
        #[source]
        cause: csv::Error,
    },
}

/// The 1-based line a record starting at `byte` begins on. The reader's
/// own line count lags by one after a CRLF (it ends the record at the CR),
/// so the line ends before the record's first byte are counted here.
fn line_of(text: &str, byte: u64) -> u64 {
    let bytes = text.as_bytes();
    let mut start = usize::try_from(byte).unwrap_or(usize::MAX).min(bytes.len());
    while bytes.get(start).is_some_and(|b| matches!(b, b'\r' | b'\n')) {
        start += 1;
    }
    1 + bytes[..start].iter().filter(|&&b| b == b'\n').count() as u64
}

fn field_names() -> String {
    let names: Vec<&str> = Field::ALL.iter().map(|f| f.as_str()).collect();
    names.join(", ")
}

/// What to import and how to read it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Options<'a> {
    /// What each row becomes.
    pub kind: ImportKind,
    /// The layout named with `--preset`.
    pub preset: Option<Preset>,
    /// The `--map` file.
    pub map: Option<&'a MapFile>,
}

/// A file read, mapped and validated.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// How its columns were mapped.
    pub mapping: Mapping,
    /// The rows to write, in file order.
    pub rows: Vec<ImportRow>,
    /// The rows refused, in file order.
    pub refused: Vec<Refusal>,
}

/// Reads the CSV text, maps its header and validates every row.
pub(crate) fn plan(
    text: &str,
    options: Options<'_>,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Result<Plan, ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header: Vec<String> = match records.next() {
        Some(record) => record
            .map_err(|cause| ImportError::Csv { cause })?
            .iter()
            .map(str::to_string)
            .collect(),
        None => return Err(ImportError::Empty),
    };
    let mapping = Mapping::new(&header, options.preset, options.map)?;
    let rules = rows::Rules {
        settings,
        kind: options.kind,
        now,
    };
    let (mut rows, mut refused) = (Vec::new(), Vec::new());
    for record in records {
        let record = record.map_err(|cause| ImportError::Csv { cause })?;
        let line = line_of(text, record.position().map_or(0, |p| p.byte()));
        let cells: Vec<&str> = record.iter().collect();
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        match rules.row(&mapping, line, &cells) {
            Ok(row) => rows.push(row),
            Err(reason) => refused.push(Refusal { line, reason }),
        }
    }
    Ok(Plan {
        mapping,
        rows,
        refused,
    })
}

#[cfg(test)]
mod tests {
    use super::line_of;

    #[test]
    fn line_numbers_count_the_header_as_line_one_with_lf_or_crlf_ends() {
        for text in [
            "a,b\nc,d\n\"e\nx\",f\ng,h\n",
            "a,b\r\nc,d\r\n\"e\r\nx\",f\r\ng,h\r\n",
        ] {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(text.as_bytes());
            let lines: Vec<u64> = reader
                .records()
                .map(|r| line_of(text, r.unwrap().position().unwrap().byte()))
                .collect();
            assert_eq!(lines, [1, 2, 3, 5], "{text:?}");
        }
    }
}
