//! Company names: legal suffixes (Ltd, GmbH, S.A., Lda, B.V., …), the Chinese, Japanese and
//! Korean legal forms written into the name (株式会社…, …有限公司, 주식회사 …), and the
//! name-like line after the title when no suffix is there.

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

/// Legal forms of Japanese, Chinese and Korean companies. They are written into the name,
/// before or after it (株式会社サンプル, サンプル株式会社, 示例科技有限公司), or as a word of
/// their own in Korean (주식회사 샘플, 샘플 주식회사, ㈜샘플).
const CJK_LEGAL_FORMS: &[&str] = &[
    "株式会社",
    "有限会社",
    "合同会社",
    "合資会社",
    "合名会社",
    "有限公司",
    "有限责任公司",
    "有限責任公司",
    "股份公司",
    "주식회사",
    "유한회사",
    "(주)",
    "㈜",
];

/// The CJK company a line holds: the word with the legal form, and a Korean form's neighbour
/// ("株式会社サンプル 営業部 部長" → 株式会社サンプル; "주식회사 샘플 영업팀" → 주식회사 샘플).
/// The rest of such a line (a department, a title) is left alone: which part is the title is
/// not read here.
pub(super) fn cjk_company(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let at = words
        .iter()
        .position(|word| CJK_LEGAL_FORMS.iter().any(|form| word.contains(form)))?;
    let alone = CJK_LEGAL_FORMS.contains(&words[at]);
    let (start, end) = match (alone, at + 1 < words.len(), at > 0) {
        (true, true, _) => (at, at + 2),
        (true, false, true) => (at - 1, at + 1),
        _ => (at, at + 1),
    };
    Some(words[start..end].join(" "))
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
