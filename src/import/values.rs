//! Reading one cell's text as a value: times, amounts, statuses, domains,
//! tags, and the export's formula guard undone.

use crate::domain::LeadStatus;
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

/// The first characters `export --csv` neutralises with a leading `'`
/// (`export::csv`'s triggers).
const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A cell without the `'` the exporter put before a formula trigger; any
/// other text as it is.
pub(crate) fn unguard(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_TRIGGERS) => rest,
        _ => cell,
    }
}

/// An RFC 3339 time, or a local `YYYY-MM-DD[ HH:MM[:SS]]` (also with `T`)
/// in `zone`; a date alone is midnight there.
pub(crate) fn time(text: &str, zone: Tz) -> Result<DateTime<Utc>, String> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    let naive = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(text, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    })
    .ok_or_else(|| format!("{text:?} is not a time (RFC 3339 or YYYY-MM-DD [HH:MM[:SS]])"))?;
    zone.from_local_datetime(&naive)
        .earliest()
        .map(|at| at.with_timezone(&Utc))
        .ok_or_else(|| format!("{text:?} does not exist in {}", zone.name()))
}

/// A non-negative amount: `5000`, `5000.50`, `5,000.50`, `5,000`,
/// `5 000,50` (a comma before three digits groups thousands, else it is
/// the decimal mark).
pub(crate) fn amount(text: &str) -> Result<f64, String> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let groups_thousands = compact
        .split(',')
        .skip(1)
        .all(|group| group.len() == 3 && group.chars().all(|c| c.is_ascii_digit()));
    let normal = if compact.contains('.') || groups_thousands {
        compact.replace(',', "")
    } else {
        compact.replace(',', ".")
    };
    normal
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .ok_or_else(|| format!("amount {text:?} is not a number"))
}

/// An ISO 4217 code, upper-cased.
pub(crate) fn currency(text: &str) -> Result<String, String> {
    let code = text.trim().to_ascii_uppercase();
    if code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err(format!("currency {text:?} is not a three-letter code"))
    }
}

/// A status: leadmail's (and noCRM.io's) words, Pipedrive's `open`, and
/// the closed stages of the CRMs that keep the outcome in the stage.
pub(crate) fn status(text: &str) -> Option<LeadStatus> {
    LeadStatus::parse(text).or_else(|| {
        closing_stage(text).or_else(|| match key(text).as_str() {
            "open" => Some(LeadStatus::Todo),
            _ => None,
        })
    })
}

/// `Closed won` / `closedwon` / `Closed lost` …: a stage that is an outcome.
pub(crate) fn closing_stage(text: &str) -> Option<LeadStatus> {
    match key(text).as_str() {
        "closedwon" => Some(LeadStatus::Won),
        "closedlost" => Some(LeadStatus::Lost),
        _ => None,
    }
}

fn key(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .collect::<String>()
        .to_lowercase()
}

/// The domain of `acme.example`, `www.acme.example` or
/// `https://www.acme.example/about`; none for text without a dot.
pub(crate) fn domain(text: &str) -> Option<String> {
    let text = text.trim().to_lowercase();
    let rest = text.split_once("://").map_or(text.as_str(), |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.split(':').next().unwrap_or_default();
    let host = host.strip_prefix("www.").unwrap_or(host);
    let valid = host.contains('.')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    valid.then(|| host.to_string())
}

/// Tags separated by commas or semicolons.
pub(crate) fn tags(text: &str) -> Vec<String> {
    text.split([',', ';'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// A lead source in leadmail's vocabulary.
pub(crate) fn source(text: &str) -> Result<String, String> {
    let text = text.trim();
    let named = ["partner:", "form:"].iter().any(|p| {
        text.strip_prefix(p)
            .is_some_and(|name| !name.trim().is_empty())
    });
    if named || ["bcc", "forward", "direct", "manual"].contains(&text) {
        Ok(text.to_string())
    } else {
        Err(format!(
            "source {text:?} is not one of bcc, forward, partner:<name>, form:<name>, direct, manual"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::csv::neutralise_formula;

    #[test]
    fn the_exporters_formula_guard_is_undone_and_nothing_else_is() {
        for text in [
            "=1+1", "+SUM(A1)", "-2 555", "@x", "\tcmd", "\r=cmd", "plain", "'quoted",
        ] {
            assert_eq!(unguard(&neutralise_formula(text)), text);
        }
        assert_eq!(unguard("'hello"), "'hello");
    }

    #[test]
    fn times_are_rfc_3339_or_local_in_the_crm_zone() {
        let lisbon: Tz = "Europe/Lisbon".parse().unwrap();
        let utc = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(
            time("2026-11-20T15:00:00Z", lisbon).unwrap(),
            utc("2026-11-20T15:00:00Z")
        );
        assert_eq!(
            time("2026-07-01 10:30", lisbon).unwrap(),
            utc("2026-07-01T09:30:00Z")
        );
        assert_eq!(
            time("2026-07-01", lisbon).unwrap(),
            utc("2026-06-30T23:00:00Z")
        );
        assert!(time("01/07/2026", lisbon).is_err());
    }

    #[test]
    fn amounts_take_the_common_separators_and_refuse_the_rest() {
        assert_eq!(amount("5000").unwrap(), 5000.0);
        assert_eq!(amount("5,000.50").unwrap(), 5000.5);
        assert_eq!(amount("5 000,50").unwrap(), 5000.5);
        assert_eq!(amount("5,000").unwrap(), 5000.0);
        assert_eq!(amount("12,5").unwrap(), 12.5);
        assert!(amount("lots").is_err());
        assert!(amount("-3").is_err());
        assert_eq!(currency("eur").unwrap(), "EUR");
        assert!(currency("euro").is_err());
    }

    #[test]
    fn statuses_read_other_crms_words_for_open_and_closed() {
        assert_eq!(status("Standby"), Some(LeadStatus::Standby));
        assert_eq!(status("open"), Some(LeadStatus::Todo));
        assert_eq!(status("Closed Won"), Some(LeadStatus::Won));
        assert_eq!(status("closedlost"), Some(LeadStatus::Lost));
        assert_eq!(status("deleted"), None);
    }

    #[test]
    fn domains_come_from_urls_and_bare_names() {
        assert_eq!(
            domain("https://www.Globex.example/about").as_deref(),
            Some("globex.example")
        );
        assert_eq!(
            domain("initech.example").as_deref(),
            Some("initech.example")
        );
        assert_eq!(domain("not a site"), None);
    }

    #[test]
    fn sources_and_tags_are_read_in_leadmails_vocabulary() {
        assert_eq!(source("partner:Northwind").unwrap(), "partner:Northwind");
        assert!(source("partner:").is_err());
        assert!(source("website").is_err());
        assert_eq!(tags("vip; q4, ,renewal"), ["vip", "q4", "renewal"]);
    }
}
