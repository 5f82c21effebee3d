//! Which field each column of a file fills: a `--map` file first, then the
//! preset (named with `--preset` or recognised from the header row).

use super::fields::Field;
use super::presets::{self, header_key, Preset};
use super::ImportError;

/// A `--map` file: source column (as [`header_key`] spells it) → field,
/// or `None` for a column to leave out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct MapFile {
    entries: Vec<(String, Option<Field>)>,
}

/// The word a map file uses for a column to leave out.
pub(crate) const IGNORE: &str = "ignore";

impl MapFile {
    /// Reads a map file: a CSV file (`column,field` rows, an optional
    /// `column,field` header) when `csv` is true, else TOML (`"Column" =
    /// "field"` pairs, optionally under a `[columns]` table).
    pub(crate) fn parse(text: &str, csv: bool) -> Result<MapFile, ImportError> {
        let pairs = if csv {
            csv_pairs(text)?
        } else {
            toml_pairs(text)?
        };
        let mut entries = Vec::with_capacity(pairs.len());
        for (column, field) in pairs {
            entries.push((header_key(&column), map_target(&column, &field)?));
        }
        Ok(MapFile { entries })
    }

    /// What the file says about a header cell: `Some(None)` to leave it
    /// out, `None` when the file does not name it.
    fn lookup(&self, header: &str) -> Option<Option<Field>> {
        let key = header_key(header);
        self.entries
            .iter()
            .find(|(c, _)| *c == key)
            .map(|(_, f)| *f)
    }
}

/// A field name, or [`IGNORE`] / empty for a column to leave out.
fn map_target(column: &str, field: &str) -> Result<Option<Field>, ImportError> {
    let field = field.trim();
    if field.is_empty() || field.eq_ignore_ascii_case(IGNORE) {
        return Ok(None);
    }
    Field::parse(field)
        .map(Some)
        .ok_or_else(|| ImportError::UnknownField {
            column: column.to_string(),
            field: field.to_string(),
        })
}

fn toml_pairs(text: &str) -> Result<Vec<(String, String)>, ImportError> {
    let table: toml::Table = text
        .parse()
        .map_err(|cause| ImportError::MapToml { cause })?;
    let table = match table.get("columns") {
        Some(toml::Value::Table(columns)) if table.len() == 1 => columns.clone(),
        _ => table,
    };
    table
        .into_iter()
        .map(|(column, value)| match value {
            toml::Value::String(field) => Ok((column, field)),
            _ => Err(ImportError::MapValue { column }),
        })
        .collect()
}

fn csv_pairs(text: &str) -> Result<Vec<(String, String)>, ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut pairs = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|cause| ImportError::MapCsv { cause })?;
        let column = record.get(0).unwrap_or_default().to_string();
        let field = record.get(1).unwrap_or_default().to_string();
        let header = column.trim().eq_ignore_ascii_case("column")
            && field.trim().eq_ignore_ascii_case("field");
        if !header && !column.trim().is_empty() {
            pairs.push((column, field));
        }
    }
    Ok(pairs)
}

/// How the columns of one file map to fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mapping {
    /// Per column, in file order: the field it fills, if any.
    pub columns: Vec<Option<Field>>,
    /// The header cells of the columns no field takes, in file order.
    pub ignored: Vec<String>,
    /// The preset used (named or recognised), if any.
    pub preset: Option<Preset>,
}

impl Mapping {
    /// Maps a header row. Without a preset, one is recognised from the
    /// header; with neither a preset nor a map file, that must succeed.
    /// Some column must fill `contact_email`.
    pub(crate) fn new(
        header: &[String],
        preset: Option<Preset>,
        map: Option<&MapFile>,
    ) -> Result<Mapping, ImportError> {
        let preset = preset.or_else(|| presets::detect(header));
        if preset.is_none() && map.is_none() {
            return Err(ImportError::UnknownLayout);
        }
        let columns: Vec<Option<Field>> = header
            .iter()
            .map(|cell| match map.and_then(|m| m.lookup(cell)) {
                Some(mapped) => mapped,
                None => preset.and_then(|p| p.field(cell)),
            })
            .collect();
        if !columns.contains(&Some(Field::ContactEmail)) {
            return Err(ImportError::NoAddressColumn);
        }
        let ignored = header
            .iter()
            .zip(&columns)
            .filter(|(_, field)| field.is_none())
            .map(|(cell, _)| cell.trim_start_matches('\u{feff}').trim().to_string())
            .collect();
        Ok(Mapping {
            columns,
            ignored,
            preset,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn a_toml_map_names_fields_and_leaves_columns_out() {
        let map = MapFile::parse(
            "\"E-mail\" = \"contact_email\"\n\"Full name\" = \"contact name\"\nNotes = \"ignore\"\n",
            false,
        )
        .unwrap();
        let mapping =
            Mapping::new(&header(&["Full name", "E-mail", "Notes"]), None, Some(&map)).unwrap();
        assert_eq!(
            mapping.columns,
            [Some(Field::ContactName), Some(Field::ContactEmail), None]
        );
        assert_eq!(mapping.ignored, ["Notes"]);
        assert_eq!(mapping.preset, None);
    }

    #[test]
    fn a_toml_map_may_keep_its_pairs_under_a_columns_table() {
        let map = MapFile::parse("[columns]\nMail = \"contact_email\"\n", false).unwrap();
        let mapping = Mapping::new(&header(&["mail"]), None, Some(&map)).unwrap();
        assert_eq!(mapping.columns, [Some(Field::ContactEmail)]);
    }

    #[test]
    fn a_csv_map_reads_column_field_rows_after_an_optional_header() {
        let map = MapFile::parse(
            "column,field\r\nCourriel,contact_email\r\nSociété,company\r\n",
            true,
        )
        .unwrap();
        let mapping =
            Mapping::new(&header(&["Société", "Courriel", "Autre"]), None, Some(&map)).unwrap();
        assert_eq!(
            mapping.columns,
            [Some(Field::Company), Some(Field::ContactEmail), None]
        );
        assert_eq!(mapping.ignored, ["Autre"]);
    }

    #[test]
    fn a_map_entry_wins_over_the_preset_and_can_drop_a_preset_column() {
        let map = MapFile::parse("\"Deal - Stage\" = \"ignore\"\n", false).unwrap();
        let cells = header(&["Deal - Title", "Deal - Stage", "Person - Email"]);
        let mapping = Mapping::new(&cells, None, Some(&map)).unwrap();
        assert_eq!(mapping.preset, Some(Preset::Pipedrive));
        assert_eq!(
            mapping.columns,
            [Some(Field::Title), None, Some(Field::ContactEmail)]
        );
    }

    #[test]
    fn a_map_naming_an_unknown_field_is_an_error_naming_it() {
        let error = MapFile::parse("Fax = \"fax_number\"\n", false).unwrap_err();
        assert!(error.to_string().contains("fax_number"), "{error}");
        assert!(matches!(
            MapFile::parse("Fax = 3\n", false),
            Err(ImportError::MapValue { .. })
        ));
    }

    #[test]
    fn an_unknown_layout_or_a_file_without_addresses_is_refused_whole() {
        assert!(matches!(
            Mapping::new(&header(&["a", "b"]), None, None),
            Err(ImportError::UnknownLayout)
        ));
        assert!(matches!(
            Mapping::new(&header(&["title", "company"]), Some(Preset::Leadmail), None),
            Err(ImportError::NoAddressColumn)
        ));
    }
}
