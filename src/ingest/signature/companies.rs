//! Company names: legal suffixes (Ltd, GmbH, S.A., Lda, B.V., …), and the name-like line after
//! the title when no suffix is there.

use regex::Regex;
use std::sync::LazyLock;

use super::titles::{is_not_title_or_company, is_title, Segment};
use super::{is_name_like, word_count};

static LEGAL_SUFFIX_ANY_CASE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?:^|[\s,])(?:ltd\.?|limited|gmbh|g\.m\.b\.h\.|s\.\s?a\.|lda\.?|l\.da\.?|ltda\.?",
        r"|b\.\s?v\.|inc\.?|incorporated|llc|l\.l\.c\.|llp|plc|sarl|s\.a\.r\.l\.|s\.l\.|s\.a\.s\.",
        r"|n\.\s?v\.|sp\.\s?z\s?o\.\s?o\.?|s\.r\.l\.|srl|sprl|s\.p\.a\.|corp\.?|corporation",
        r"|unipessoal|co\.\s?kg|e\.k\.|s\.\s?a\.\s?de\s?c\.\s?v\.|s\.\s?r\.\s?o\.|a\.\s?s\.",
        r"|pty\.?\s?ltd\.?|pvt\.?\s?ltd\.?|k\.\s?k\.|sp\.\s?j\.|sp\.\s?k\.)$"
    ))
    .unwrap()
});

static LEGAL_SUFFIX_UPPER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[\s,])(?:AG|BV|NV|SL|SA|SAS|Oy|Oyj|AB|AS|A/S|ApS|KG|UG|SRL|SpA|SE|GbR|OHG)\.?$",
    )
    .unwrap()
});

const REGIONS: &[&str] = &[
    "emea",
    "apac",
    "latam",
    "americas",
    "europe",
    "iberia",
    "dach",
    "benelux",
    "nordics",
    "portugal",
    "spain",
    "españa",
    "germany",
    "deutschland",
    "france",
    "netherlands",
    "nederland",
    "uk",
    "us",
    "usa",
    "brasil",
    "brazil",
    "lisboa",
    "lisbon",
    "porto",
    "madrid",
    "barcelona",
    "berlin",
    "münchen",
    "munich",
    "paris",
    "amsterdam",
    "london",
    "international",
    "worldwide",
    "global",
    "north america",
    "south america",
];

/// True when a text ends with a company legal form (Ltd, GmbH, S.A., Lda, B.V., Sp. z o.o., …).
pub(super) fn has_legal_suffix(text: &str) -> bool {
    let text = text.trim().trim_end_matches([')', ',']).trim();
    LEGAL_SUFFIX_ANY_CASE.is_match(text) || LEGAL_SUFFIX_UPPER.is_match(text)
}

/// A part of a country or market ("West Region", "Área Norte"): the rest of a title.
static AREA: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:region|regio|r[ée]gion|area|[áa]rea|territory|zone|district|markets?)\b")
        .unwrap()
});

pub(super) fn is_company_name(text: &str) -> bool {
    let lower = text.to_lowercase();
    !text.is_empty()
        && !AREA.is_match(text)
        && word_count(text) <= 6
        && text
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
        && !is_title(text)
        && !REGIONS.contains(&lower.as_str())
        && !text.contains('@')
}

/// With no legal suffix anywhere, the name-like line right after the title is the company
/// ("João Silva / Diretor Comercial / Acme Portugal").
pub(super) fn company_after_title(rest: &[Segment], name: Option<&str>) -> Option<String> {
    let next = rest.first()?.text;
    let usable =
        !is_not_title_or_company(next, name) && is_name_like(next) && is_company_name(next);
    usable.then(|| next.to_string())
}
