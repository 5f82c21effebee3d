//! Phone numbers: candidates in a text, the label written before each (mobile, phone, fax),
//! and normalisation to E.164.

use regex::Regex;
use std::sync::LazyLock;

/// What a phone number is labelled as; the order is the order of preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum PhoneLabel {
    Mobile,
    Phone,
    Unlabelled,
    Fax,
}

/// A normalised phone number and its label.
pub(super) struct FoundPhone {
    pub(super) number: String,
    pub(super) label: PhoneLabel,
}

static PHONE_CANDIDATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\+?[ \t]*(?:\([ \t]*\d{1,4}[ \t]*\)[ \t]*)?\d[\d \t().\-/\u{a0}]*\d").unwrap()
});

static PHONE_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?:^|[^\p{L}])(?P<label>",
        r"(?P<mobile>mobile|mob|mobil|mobiel|m[óo]vil|m[óo]vel|telem[óo]vel|cell|cellular|cel|celular",
        r"|handy|gsm|portable|port|whatsapp|m|direct|direkt|durchwahl|directo|direto|dir|dd|d)",
        r"|(?P<fax>fax|telefax|fx|f)",
        r"|tel|t[ée]l|t|phone|ph|p|telephone|t[ée]l[ée]phone|telefone|telefon|telefoon|tel[ée]fono",
        r"|fone|office|o|work|w|switchboard|geral|zentrale|fixo|contacto|contact|call|ring|ligue)",
        r"\b[^\p{L}\d]*$"
    ))
    .unwrap()
});

/// "Tel./Fax:", "Phone/Fax": one number for both, so a phone.
static PHONE_AND_FAX_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?:^|[^\p{L}])(?:tel|t[ée]l|phone|telefon|telefone|telefoon|tel[ée]fono|tlf)\.?",
        r"\s*/\s*(?:tele)?fax\b[^\p{L}\d]*$"
    ))
    .unwrap()
});

/// Labels of numbers that are not telephones: company, tax and bank identifiers, order
/// and case references, share capital. A number after one of them (on the same stretch of
/// line, with no phone label in between) is never a phone. Short codes count in capitals
/// only ("REA", not the name "Rea").
static IDENTIFIER_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?:^|[^\p{L}])(?:(?i:iban|swift|siret|siren|cnpj|regon|gstin|kvk|btw|ust-?id-?nr",
        r"|steuer-?nr|steuernummer|st\.-?nr|amtsgericht|handelsregister|partita\s+iva",
        r"|organisasjonsnummer|org\.?\s?nr|orgnr|company\s+(?:no|number|reg)|registered",
        r"|registration|reg\.?\s?no|konto|sort\s+code|order|reference|ref|invoice|rechnung",
        r"|bestellung|auftrag|ticket|capital\s+social|share\s+capital|stammkapital|capital\s+de)",
        r"|ABN|ACN|VAT|TVA|IVA|NIF|NIE|CIF|NIPC|REA|NAF|APE|RCS|HRB|HRA|NIP|KRS|CVR|BIC|BLZ|CPF",
        r"|IČO|DIČ|IČ)(?:[^\p{L}]|$)"
    ))
    .unwrap()
});

static DATE_OR_TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{1,2}[.:]\d{2}\s*-\s*\d{1,2}[.:]\d{2})$")
        .unwrap()
});

/// The preferred phone of a signature: mobile/direct, then phone, then unlabelled; never fax.
pub(super) fn best_phone(signature: &str, default_country_code: Option<&str>) -> Option<String> {
    labelled_phones(signature, default_country_code)
        .into_iter()
        .filter(|p| p.label != PhoneLabel::Fax)
        .min_by_key(|p| p.label)
        .map(|p| p.number)
}

/// Every plausible phone number of a text with the label written before it on its line.
pub(super) fn labelled_phones(text: &str, default_country_code: Option<&str>) -> Vec<FoundPhone> {
    let mut found = Vec::new();
    for line in text.lines() {
        let mut previous_end = 0;
        for candidate in PHONE_CANDIDATE.find_iter(line) {
            let label = phone_label(line.get(previous_end..candidate.start()).unwrap_or(""));
            previous_end = candidate.end();
            let Some(label) = label else {
                continue;
            };
            for part in split_joined_numbers(candidate.as_str()) {
                if let Some(number) = accept_phone(part, label, default_country_code) {
                    found.push(FoundPhone { number, label });
                }
            }
        }
    }
    found
}

/// The label of the number that follows `before`; `None` when `before` names a company,
/// tax, bank or order identifier and no phone label follows it.
fn phone_label(before: &str) -> Option<PhoneLabel> {
    if PHONE_AND_FAX_LABEL.is_match(before) {
        return Some(PhoneLabel::Phone);
    }
    let label = written_label(before);
    let identifier = IDENTIFIER_LABEL.is_match(before);
    (label != PhoneLabel::Unlabelled || !identifier).then_some(label)
}

fn written_label(before: &str) -> PhoneLabel {
    match PHONE_LABEL.captures(before) {
        Some(c) if c.name("mobile").is_some() => PhoneLabel::Mobile,
        Some(c) if c.name("fax").is_some() => PhoneLabel::Fax,
        Some(_) => PhoneLabel::Phone,
        None => PhoneLabel::Unlabelled,
    }
}

/// "+351 21 000 0000 / 912 345 678" is two numbers; a single one is returned as is.
fn split_joined_numbers(candidate: &str) -> Vec<&str> {
    if digit_count(candidate) <= 15 {
        return vec![candidate];
    }
    candidate
        .split(" / ")
        .flat_map(|part| part.split("  "))
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect()
}

pub(super) fn digit_count(text: &str) -> usize {
    text.chars().filter(char::is_ascii_digit).count()
}

/// Normalises a candidate that looks like a phone number, rejecting dates, postal codes and
/// bare digit runs that carry neither a label, an international prefix nor phone grouping.
fn accept_phone(raw: &str, label: PhoneLabel, default_cc: Option<&str>) -> Option<String> {
    let raw = raw.trim().trim_end_matches(['.', '-', '/', '(']).trim();
    let digits = digit_count(raw);
    let minimum = if label == PhoneLabel::Unlabelled {
        8
    } else {
        7
    };
    if digits < minimum || digits > 15 || DATE_OR_TIME.is_match(raw) {
        return None;
    }
    let international = raw.starts_with('+') || raw.starts_with("00");
    if label == PhoneLabel::Unlabelled && !international && !has_phone_grouping(raw) {
        return None;
    }
    normalise_phone(raw, default_cc)
}

/// Three or more digit groups ("555-531-7967", "912 345 678"), or two with a trunk 0.
fn has_phone_grouping(raw: &str) -> bool {
    let groups: Vec<&str> = raw
        .split(|c: char| !c.is_ascii_digit())
        .filter(|g| !g.is_empty())
        .collect();
    groups.len() >= 3 || (groups.len() == 2 && groups[0].starts_with('0'))
}

/// Countries whose national numbers keep their leading 0 (or have none) after the prefix.
const NO_TRUNK_ZERO: &[&str] = &[
    "1", "30", "34", "39", "45", "47", "48", "298", "299", "351", "352", "354", "356", "357",
    "371", "372", "376", "377", "378", "379", "420", "421",
];

fn normalise_phone(raw: &str, default_cc: Option<&str>) -> Option<String> {
    if let Some(rest) = raw.strip_prefix('+') {
        return e164(&rest.replacen("(0)", "", 1));
    }
    if let Some(rest) = raw.strip_prefix("00") {
        return e164(rest);
    }
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    match default_cc.map(|cc| cc.trim().trim_start_matches('+')) {
        Some(cc) if !cc.is_empty() && cc.chars().all(|c| c.is_ascii_digit()) => {
            e164(&with_country_code(cc, &digits))
        }
        _ => Some(raw.to_string()),
    }
}

fn with_country_code(cc: &str, digits: &str) -> String {
    if digits.starts_with(cc) && !digits.starts_with('0') && digits.len() >= 11 {
        return digits.to_string();
    }
    let national = if cc == "1" {
        digits
            .strip_prefix('1')
            .filter(|d| d.len() == 10)
            .unwrap_or(digits)
    } else if NO_TRUNK_ZERO.contains(&cc) {
        digits
    } else {
        digits.strip_prefix('0').unwrap_or(digits)
    };
    format!("{cc}{national}")
}

fn e164(number: &str) -> Option<String> {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    (8..=15)
        .contains(&digits.len())
        .then(|| format!("+{digits}"))
}

/// A line that is mostly phone numbers and their labels ("T: +351 21 000 0000 | M: …").
pub(super) fn is_phone_line(line: &str) -> bool {
    if labelled_phones(line, None).is_empty() {
        return false;
    }
    let rest = PHONE_CANDIDATE.replace_all(line, " ");
    let wordy = rest
        .split_whitespace()
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() > 3)
        .filter(|w| !PHONE_LABEL.is_match(w))
        .count();
    wordy <= 2
}
