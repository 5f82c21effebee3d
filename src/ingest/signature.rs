//! Contact details (phone, job title, company, website) read from an e-mail signature block.

use regex::Regex;
use std::sync::LazyLock;

/// Contact details found in a signature.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignatureFields {
    /// Best phone number (mobile/direct first, never fax): E.164 ("+351912345678") when the
    /// country is known from a `+`/`00` prefix or the default country code, else as written.
    pub phone: Option<String>,
    /// Job title, e.g. "Head of Sales".
    pub title: Option<String>,
    /// Company name, from a "Title | Company" form or a line with a legal suffix.
    pub company: Option<String>,
    /// Company web site; a social-network link only when nothing else is there.
    pub website: Option<String>,
}

/// Reads phone, title, company and website from a signature block.
///
/// `name`: the sender's display name, if known (the line with the name is not a title).
/// `default_country_code`: e.g. `Some("351")` to turn national numbers into E.164 (leading
/// trunk 0 dropped where that country uses one).
pub fn extract_signature_fields(
    signature: &str,
    name: Option<&str>,
    default_country_code: Option<&str>,
) -> SignatureFields {
    let (title, company) = title_and_company(&segments(signature), name);
    SignatureFields {
        phone: best_phone(signature, default_country_code),
        title,
        company,
        website: best_website(signature),
    }
}

/// Phone numbers anywhere in a text (form messages, bodies), normalised like
/// [`SignatureFields::phone`], fax numbers left out, duplicates removed, in order.
pub fn find_phones(text: &str, default_country_code: Option<&str>) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for phone in labelled_phones(text, default_country_code) {
        if phone.label != PhoneLabel::Fax && !found.contains(&phone.number) {
            found.push(phone.number);
        }
    }
    found
}

/// True for a short line that carries contact details: a phone, e-mail address, web address,
/// company with a legal suffix, job title or a labelled contact (used to spot signatures).
pub(crate) fn is_contact_line(line: &str) -> bool {
    let line = strip_markup(line);
    let words = word_count(line);
    let sentence = ends_like_sentence(line) || has_sentence_words(line);
    if line.chars().count() > 80 || words > 8 || sentence {
        return false;
    }
    is_phone_line(line)
        || ((EMAIL.is_match(line) || URL.is_match(line)) && words <= 5)
        || (has_legal_suffix(line) && words <= 6)
        || (is_title(line) && words <= 6)
        || CONTACT_LABEL.is_match(line)
}

/// True for a line that reads like a person's or company's name ("João da Silva",
/// "John E. Doe, Ph.D.", "Acme Research"): a few capitalised words, no sentence punctuation.
pub(crate) fn is_name_like(line: &str) -> bool {
    let line = strip_markup(line).trim_end_matches('.');
    let words: Vec<&str> = line.split_whitespace().collect();
    if words.is_empty() || words.len() > 5 || line.ends_with(',') {
        return false;
    }
    if line
        .chars()
        .any(|c| c.is_ascii_digit() || "?!:;@/|()[]<>\"".contains(c))
    {
        return false;
    }
    let is_particle = |w: &&str| NAME_PARTICLES.contains(&w.to_lowercase().as_str());
    words.iter().all(|w| starts_upper(w) || is_particle(w)) && words.iter().any(|w| starts_upper(w))
}

const NAME_PARTICLES: &[&str] = &[
    "da", "de", "do", "dos", "das", "van", "der", "den", "von", "du", "di", "del", "la", "le", "y",
    "e", "&", "und", "and", "of", "ter", "te", "zu", "bin", "al",
];

fn starts_upper(word: &str) -> bool {
    word.chars()
        .find(|c| c.is_alphabetic())
        .is_some_and(char::is_uppercase)
}

/// Number of words with letters in them (digit groups of phone numbers are not words).
fn word_count(text: &str) -> usize {
    text.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .count()
}

/// A line that ends like a sentence rather than a signature line ("Ph.D." and "Lda." are fine).
fn ends_like_sentence(line: &str) -> bool {
    if line.ends_with(['?', '!', ':', ',', ';']) {
        return true;
    }
    let last = line
        .split_whitespace()
        .last()
        .unwrap_or("")
        .trim_end_matches('.');
    let abbreviation = last.contains('.') || ABBREVIATIONS.contains(&last.to_lowercase().as_str());
    line.ends_with('.') && !abbreviation
}

const ABBREVIATIONS: &[&str] = &[
    "lda", "ltda", "inc", "ltd", "co", "corp", "jr", "sr", "dr", "prof", "eng", "sa", "bv", "nv",
    "gmbh", "llc", "plc", "esq", "mr", "mrs", "ms", "ing", "arq",
];

/// Pronouns and verbs of a sentence ("Please call me at …"), never found in signature lines.
fn has_sentence_words(line: &str) -> bool {
    line.split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'')
                .to_lowercase()
        })
        .any(|w| SENTENCE_WORDS.contains(&w.as_str()))
}

const SENTENCE_WORDS: &[&str] = &[
    "i", "i'm", "we", "we're", "our", "my", "me", "you", "your", "is", "am", "are", "was", "will",
    "would", "please", "can", "could", "let", "eu", "nós", "ich", "wir", "je", "nous", "yo",
    "bitte", "favor", "ligue", "liguem",
];

/// Removes bold/italic markers around a line ("*Joe Smith | Director*").
fn strip_markup(line: &str) -> &str {
    line.trim().trim_matches(['*', '_']).trim()
}

static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[^\s<>@()\[\]]+@[^\s<>@()\[\]]+\.[^\s<>@()\[\]]+").unwrap());

static URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)(?:\bhttps?://|\bwww\.)[^\s<>()"'\[\]]+"#).unwrap());

static BARE_DOMAIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.[a-z]{2,24}(?:/\S*)?$").unwrap()
});

static CONTACT_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:skype|linkedin|twitter|web|website|site|e-?mail|mail|e|w|tel|phone|mobile|fax|whatsapp|teams)\s*[:.]\s*\S",
    )
    .unwrap()
});

// ---------------------------------------------------------------------------------------------
// Phones

/// What a phone number is labelled as; the order is the order of preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum PhoneLabel {
    Mobile,
    Phone,
    Unlabelled,
    Fax,
}

/// A normalised phone number and its label.
struct FoundPhone {
    number: String,
    label: PhoneLabel,
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

static DATE_OR_TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{1,2}[.:]\d{2}\s*-\s*\d{1,2}[.:]\d{2})$")
        .unwrap()
});

/// The preferred phone of a signature: mobile/direct, then phone, then unlabelled; never fax.
fn best_phone(signature: &str, default_country_code: Option<&str>) -> Option<String> {
    labelled_phones(signature, default_country_code)
        .into_iter()
        .filter(|p| p.label != PhoneLabel::Fax)
        .min_by_key(|p| p.label)
        .map(|p| p.number)
}

/// Every plausible phone number of a text with the label written before it on its line.
fn labelled_phones(text: &str, default_country_code: Option<&str>) -> Vec<FoundPhone> {
    let mut found = Vec::new();
    for line in text.lines() {
        let mut previous_end = 0;
        for candidate in PHONE_CANDIDATE.find_iter(line) {
            let label = phone_label(line.get(previous_end..candidate.start()).unwrap_or(""));
            previous_end = candidate.end();
            for part in split_joined_numbers(candidate.as_str()) {
                if let Some(number) = accept_phone(part, label, default_country_code) {
                    found.push(FoundPhone { number, label });
                }
            }
        }
    }
    found
}

fn phone_label(before: &str) -> PhoneLabel {
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

fn digit_count(text: &str) -> usize {
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
fn is_phone_line(line: &str) -> bool {
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

// ---------------------------------------------------------------------------------------------
// Title and company

static SEGMENT_SEPARATOR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s*[|·•]\s*|\s+[–—-]\s+").unwrap());

static TITLE_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)\b(?:ceo|cto|cfo|coo|cmo|cio|cso|cpo|cro|vp|svp|evp|avp|president|founder|co-?founder",
        r"|owner|partner|director|head|manager|lead|leader|engineer|developer|consultant|specialist",
        r"|officer|executive|representative|coordinator|analyst|architect|administrator|assistant",
        r"|advisor|adviser|chairman|chairwoman|principal|associate|intern|buyer|accountant",
        r"|controller|recruiter|designer|strategist|sales|marketing|account|accounts|procurement",
        r"|purchasing|operations|product|management|engineering|finance|support|diretor|diretora",
        r"|gerente|gestor|gestora|administrador|administradora|s[óo]cio|s[óo]cia|fundador|fundadora",
        r"|respons[áa]vel|comercial|t[ée]cnico|t[ée]cnica|coordenador|coordenadora|engenheiro",
        r"|engenheira|consultor|consultora|assistente|presidente|chefe|vendas|compras",
        r"|gesch[äa]ftsf[üu]hrer|gesch[äa]ftsf[üu]hrerin|leiter|leiterin|vertrieb|vertriebsleiter",
        r"|vertriebsleiterin|inhaber|inhaberin|vorstand|prokurist|prokuristin|berater|beraterin",
        r"|einkauf|eink[äa]ufer|eink[äa]uferin|abteilungsleiter|abteilungsleiterin|referent",
        r"|referentin|ingenieur|ingenieurin|entwickler|entwicklerin|sachbearbeiter",
        r"|sachbearbeiterin|assistentin|gr[üu]nder|gr[üu]nderin|directeur|directrice|g[ée]rant",
        r"|g[ée]rante|chef|fondateur|fondatrice|ing[ée]nieur|commerciale|conseiller|conseill[èe]re",
        r"|charg[ée]|charg[ée]e|associ[ée]|associ[ée]e|pdg|eigenaar|bedrijfsleider|adviseur",
        r"|accountmanager|verkoop|inkoop|inkoper|verkoper|zaakvoerder|hoofd|medewerker|medewerkster",
        r"|oprichter|directora|jefe|comprador|compradora|acheteur|acheteuse",
        r"|jefa|socio|socia|ingeniero|ingeniera|ventas|responsable)\b"
    ))
    .unwrap()
});

static LEGAL_SUFFIX_ANY_CASE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?:^|[\s,])(?:ltd\.?|limited|gmbh|g\.m\.b\.h\.|s\.\s?a\.|lda\.?|l\.da\.?|ltda\.?",
        r"|b\.\s?v\.|inc\.?|incorporated|llc|l\.l\.c\.|llp|plc|sarl|s\.a\.r\.l\.|s\.l\.|s\.a\.s\.",
        r"|n\.\s?v\.|sp\.\s?z\s?o\.\s?o\.?|s\.r\.l\.|s\.p\.a\.|corp\.?|corporation|unipessoal",
        r"|co\.\s?kg|e\.k\.)$"
    ))
    .unwrap()
});

static LEGAL_SUFFIX_UPPER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[\s,])(?:AG|BV|NV|SL|SA|SAS|Oy|Oyj|AB|AS|A/S|ApS|KG|UG|SRL|SpA|SE|GbR|OHG)\.?$",
    )
    .unwrap()
});

static TITLE_COMPANY_SEPARATOR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s*,\s+|\s+(?:at|bei|chez|bij|@)\s+").unwrap());

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

/// One piece of a signature line, split at " | ", " · " or " - ".
struct Segment<'a> {
    text: &'a str,
}

fn segments(signature: &str) -> Vec<Segment<'_>> {
    signature
        .lines()
        .flat_map(|line| SEGMENT_SEPARATOR.split(strip_markup(line)))
        .map(|piece| strip_markup(piece).trim_end_matches(',').trim())
        .filter(|piece| !piece.is_empty())
        .map(|text| Segment { text })
        .collect()
}

/// True when a short piece of text names a job ("Head of Sales", "Geschäftsführer", "CTO").
fn is_title(text: &str) -> bool {
    word_count(text) <= 8
        && !text.chars().any(|c| c.is_ascii_digit() || c == '@')
        && !URL.is_match(text)
        && TITLE_WORDS.is_match(text)
}

/// True when a text ends with a company legal form (Ltd, GmbH, S.A., Lda, B.V., Sp. z o.o., …).
fn has_legal_suffix(text: &str) -> bool {
    let text = text.trim().trim_end_matches([')', ',']).trim();
    LEGAL_SUFFIX_ANY_CASE.is_match(text) || LEGAL_SUFFIX_UPPER.is_match(text)
}

fn title_and_company(segments: &[Segment], name: Option<&str>) -> (Option<String>, Option<String>) {
    let mut title: Option<String> = None;
    let mut company: Option<String> = None;
    let mut title_index = None;
    for (index, segment) in segments.iter().enumerate() {
        let text = segment.text;
        if is_not_title_or_company(text, name) {
            continue;
        }
        if let Some((found_title, found_company)) = split_title_company(text, name) {
            if title.is_none() {
                title = Some(found_title);
                title_index = Some(index);
            }
            company = company.or(found_company);
        } else if has_legal_suffix(text) {
            company.get_or_insert_with(|| text.to_string());
        } else if title.is_none() && is_title(text) {
            title = Some(text.to_string());
            title_index = Some(index);
        }
    }
    let after_title = title_index.map_or(&[][..], |i| &segments[i + 1..]);
    (
        title,
        company.or_else(|| company_after_title(after_title, name)),
    )
}

/// Segments that cannot be a title or company: the sender's name, contacts, closings, long text.
fn is_not_title_or_company(text: &str, name: Option<&str>) -> bool {
    is_person_name(text, name)
        || text.contains('@')
        || URL.is_match(text)
        || digit_count(text) >= 5
        || CONTACT_LABEL.is_match(text)
        || word_count(text) > 8
        || text.chars().count() > 70
        || text.to_lowercase().starts_with("sent ")
}

/// True when `text` is the person's `name`, alone or followed by more words ("John E. Doe,
/// Ph.D." for "John E. Doe"), ignoring case and punctuation.
pub(crate) fn is_person_name(text: &str, name: Option<&str>) -> bool {
    let simplify = |s: &str| -> String {
        let kept: String = s
            .chars()
            .filter(|c| c.is_alphanumeric() || c.is_whitespace())
            .collect();
        kept.to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let Some(name) = name.map(simplify).filter(|n| !n.is_empty()) else {
        return false;
    };
    let text = simplify(text);
    text == name
        || text
            .strip_prefix(&name)
            .is_some_and(|rest| rest.starts_with(' '))
}

/// "Title, Company", "Title at Company" → (title, company); "Name, Title" → (title, None).
fn split_title_company(text: &str, name: Option<&str>) -> Option<(String, Option<String>)> {
    let separator = TITLE_COMPANY_SEPARATOR.find(text)?;
    let left = text.get(..separator.start())?.trim();
    let right = text.get(separator.end()..)?.trim();
    if is_title(left) && !has_legal_suffix(left) && is_company_name(right) {
        return Some((left.to_string(), Some(right.to_string())));
    }
    let left_is_person = is_person_name(left, name) || (is_name_like(left) && !is_title(left));
    if left_is_person && is_title(right) && !has_legal_suffix(right) {
        return Some((right.to_string(), None));
    }
    None
}

fn is_company_name(text: &str) -> bool {
    let lower = text.to_lowercase();
    !text.is_empty()
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
fn company_after_title(rest: &[Segment], name: Option<&str>) -> Option<String> {
    let next = rest.first()?.text;
    let usable =
        !is_not_title_or_company(next, name) && is_name_like(next) && is_company_name(next);
    usable.then(|| next.to_string())
}

// ---------------------------------------------------------------------------------------------
// Website

/// The company web site: the first http(s)/www address or bare domain line that is not a
/// social network or mail-app link, else the first social link.
fn best_website(signature: &str) -> Option<String> {
    let mut social = None;
    for line in signature.lines().map(strip_markup) {
        if line.to_lowercase().starts_with("sent ") {
            continue;
        }
        for url in website_candidates(line) {
            if !is_social(url) {
                return Some(url.to_string());
            }
            social.get_or_insert_with(|| url.to_string());
        }
    }
    social
}

/// Web addresses of a line: http(s)/www links, or a bare domain standing alone in a segment
/// ("acme.pt", "Web: acme.pt", "linkedin.com/in/x | acme.pt").
fn website_candidates(line: &str) -> Vec<&str> {
    SEGMENT_SEPARATOR
        .split(line)
        .flat_map(segment_websites)
        .collect()
}

fn segment_websites(segment: &str) -> Vec<&str> {
    let urls: Vec<&str> = URL
        .find_iter(segment)
        .map(|m| m.as_str().trim_end_matches(['.', ',', ';', ':', ')', '>']))
        .collect();
    if !urls.is_empty() || EMAIL.is_match(segment) {
        return urls;
    }
    let mut words = segment.split_whitespace();
    let last = words.next_back().unwrap_or("");
    let is_bare_domain = words.count() <= 1 && BARE_DOMAIN.is_match(last);
    if is_bare_domain {
        vec![last]
    } else {
        Vec::new()
    }
}

const SOCIAL_DOMAINS: &[&str] = &[
    "linkedin.",
    "twitter.",
    "x.com",
    "facebook.",
    "fb.com",
    "instagram.",
    "youtube.",
    "youtu.be",
    "xing.",
    "tiktok.",
    "t.me",
    "wa.me",
    "github.",
    "medium.com",
    "calendly.",
    "threads.net",
];

fn is_social(url: &str) -> bool {
    let lower = url.to_lowercase();
    let host = lower
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_start_matches("www.");
    SOCIAL_DOMAINS.iter().any(|d| host.starts_with(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(signature: &str, name: Option<&str>, cc: Option<&str>) -> SignatureFields {
        extract_signature_fields(signature, name, cc)
    }

    fn some(text: &str) -> Option<String> {
        Some(text.to_string())
    }

    #[test]
    fn an_english_signature_with_title_pipe_company_gives_all_four_fields() {
        let sig = "Jane Doe\nHead of Sales | Acme Ltd\nM: +44 7700 900123\nwww.acme.co.uk";
        let got = fields(sig, Some("Jane Doe"), None);
        assert_eq!(got.title, some("Head of Sales"));
        assert_eq!(got.company, some("Acme Ltd"));
        assert_eq!(got.phone, some("+447700900123"));
        assert_eq!(got.website, some("www.acme.co.uk"));
    }

    #[test]
    fn a_portuguese_signature_prefers_the_mobile_and_adds_the_country_code() {
        let sig = "João Silva\nDiretor Comercial\nAcme Portugal, Lda.\nTel: 21 000 0000\n\
                   Telemóvel: 912 345 678\nhttps://www.acme.pt";
        let got = fields(sig, Some("João Silva"), Some("351"));
        assert_eq!(got.title, some("Diretor Comercial"));
        assert_eq!(got.company, some("Acme Portugal, Lda."));
        assert_eq!(got.phone, some("+351912345678"));
        assert_eq!(got.website, some("https://www.acme.pt"));
    }

    #[test]
    fn a_german_signature_drops_the_trunk_zero_and_never_returns_the_fax() {
        let sig = "Max Mustermann\nGeschäftsführer\nBeispiel GmbH\nTelefax: +49 30 1234568\n\
                   Telefon: 030 1234567\nwww.beispiel.de";
        let got = fields(sig, Some("Max Mustermann"), Some("49"));
        assert_eq!(got.title, some("Geschäftsführer"));
        assert_eq!(got.company, some("Beispiel GmbH"));
        assert_eq!(got.phone, some("+49301234567"));
    }

    #[test]
    fn a_signature_with_only_a_fax_number_has_no_phone() {
        let got = fields("Anna Berg\nFax: +49 30 1234568", Some("Anna Berg"), None);
        assert_eq!(got.phone, None);
    }

    #[test]
    fn a_dutch_signature_reads_title_comma_company() {
        let sig = "Met vriendelijke groet,\nPieter de Vries\nAccountmanager, Voorbeeld B.V.\n\
                   Telefoon: 020 123 4567\nMobiel: 06 12345678";
        let got = fields(sig, Some("Pieter de Vries"), Some("31"));
        assert_eq!(got.title, some("Accountmanager"));
        assert_eq!(got.company, some("Voorbeeld B.V."));
        assert_eq!(got.phone, some("+31612345678"));
    }

    #[test]
    fn a_french_signature_understands_tel_with_a_space_before_the_colon() {
        let sig = "Marie Dupont\nDirectrice commerciale\nExemple SARL\nTél : +33 1 23 45 67 89";
        let got = fields(sig, Some("Marie Dupont"), None);
        assert_eq!(got.title, some("Directrice commerciale"));
        assert_eq!(got.company, some("Exemple SARL"));
        assert_eq!(got.phone, some("+33123456789"));
    }

    #[test]
    fn a_spanish_signature_reads_title_and_company_with_sl_suffix() {
        let sig = "Carlos García\nJefe de Ventas\nEjemplo Soluciones SL\nMóvil: 600 123 456";
        let got = fields(sig, Some("Carlos García"), Some("34"));
        assert_eq!(got.title, some("Jefe de Ventas"));
        assert_eq!(got.company, some("Ejemplo Soluciones SL"));
        assert_eq!(got.phone, some("+34600123456"));
    }

    #[test]
    fn title_at_company_is_split() {
        let got = fields(
            "Sam Lee\nVP Marketing at Globex Inc\nsam@globex.com",
            None,
            None,
        );
        assert_eq!(got.title, some("VP Marketing"));
        assert_eq!(got.company, some("Globex Inc"));
    }

    #[test]
    fn name_comma_title_gives_the_title_without_the_name() {
        let got = fields("Maria Santos, Head of Marketing\nAcme S.A.", None, None);
        assert_eq!(got.title, some("Head of Marketing"));
        assert_eq!(got.company, some("Acme S.A."));
    }

    #[test]
    fn a_company_without_legal_suffix_is_the_line_after_the_title() {
        let got = fields(
            "Ana Costa\nGestora de Conta\nAcme Portugal\n+351 912 000 111",
            None,
            None,
        );
        assert_eq!(got.title, some("Gestora de Conta"));
        assert_eq!(got.company, some("Acme Portugal"));
        assert_eq!(got.phone, some("+351912000111"));
    }

    #[test]
    fn a_region_after_a_comma_is_not_a_company() {
        let got = fields("Tom Hardy\nSales Director, EMEA\nInitech", None, None);
        assert_eq!(got.title, some("Sales Director, EMEA"));
        assert_eq!(got.company, some("Initech"));
    }

    #[test]
    fn a_bare_cto_line_is_a_title() {
        let got = fields("Li Wei\nCTO\nHooli Oy", Some("Li Wei"), None);
        assert_eq!(got.title, some("CTO"));
        assert_eq!(got.company, some("Hooli Oy"));
    }

    #[test]
    fn a_social_link_is_used_only_when_no_company_site_exists() {
        let both = "Eva\nhttps://www.linkedin.com/in/eva\nhttps://eva-consulting.se";
        assert_eq!(
            fields(both, None, None).website,
            some("https://eva-consulting.se")
        );
        let only_social = "Eva\nhttps://www.linkedin.com/in/eva";
        assert_eq!(
            fields(only_social, None, None).website,
            some("https://www.linkedin.com/in/eva")
        );
    }

    #[test]
    fn a_company_domain_beside_a_social_link_on_one_line_is_the_website() {
        let got = fields(
            "John Smith\nlinkedin.com/in/jsmith | globex.com",
            None,
            None,
        );
        assert_eq!(got.website, some("globex.com"));
    }

    #[test]
    fn a_dutch_buyer_title_is_read() {
        let sig = "Sophie Janssens\nInkoper\nJanssens Logistiek B.V.\nT +31 (0)20 123 4567";
        let got = fields(sig, Some("Sophie Janssens"), Some("31"));
        assert_eq!(got.title, some("Inkoper"));
        assert_eq!(got.company, some("Janssens Logistiek B.V."));
        assert_eq!(got.phone, some("+31201234567"));
    }

    #[test]
    fn a_bare_domain_line_is_a_website_but_an_email_domain_is_not() {
        assert_eq!(fields("Bo\nacme.dk", None, None).website, some("acme.dk"));
        assert_eq!(fields("Bo\nbo@acme.dk", None, None).website, None);
    }

    #[test]
    fn a_national_number_without_country_is_kept_as_written() {
        let got = fields("Gina\n(555) 346-9947\nwww.example.com", None, None);
        assert_eq!(got.phone, some("(555) 346-9947"));
    }

    #[test]
    fn a_double_zero_prefix_and_a_trunk_zero_in_brackets_become_e164() {
        assert_eq!(
            find_phones("Tel: 00351 21 000 0000", None),
            vec!["+351210000000"]
        );
        assert_eq!(
            find_phones("T +44 (0)20 7946 0000", None),
            vec!["+442079460000"]
        );
    }

    #[test]
    fn a_us_number_with_a_leading_one_keeps_ten_national_digits() {
        assert_eq!(
            find_phones("Phone: 1-555-346-9947", Some("1")),
            vec!["+15553469947"]
        );
    }

    #[test]
    fn the_sparse_talon_signature_takes_the_telephone_not_the_fax() {
        let sig = "Me John Doe\n\nt. 555-931-0702\n\nskype: xxx\n\nf. 555-875-7611\n\nhttp://example.com/";
        let got = fields(sig, Some("John Doe"), None);
        assert_eq!(got.phone, some("555-931-0702"));
        assert_eq!(got.website, some("http://example.com/"));
    }

    #[test]
    fn the_talon_survey_signature_gives_president_and_website() {
        let sig = "John E. Doe, Ph.D.\nPresident\nXxx Research\njohn@example.com\nwww.example.com";
        let got = fields(sig, Some("John E. Doe"), None);
        assert_eq!(got.title, some("President"));
        assert_eq!(got.company, some("Xxx Research"));
        assert_eq!(got.website, some("www.example.com"));
    }

    #[test]
    fn a_bold_title_line_from_markdown_is_read() {
        let got = fields(
            "*Joe Smith | Director, Product Management*",
            Some("Joe Smith"),
            None,
        );
        assert_eq!(got.title, some("Director, Product Management"));
        assert_eq!(got.company, None);
    }

    #[test]
    fn two_numbers_on_one_line_are_both_found() {
        let found = find_phones("T: +351 21 000 0000 / M: +351 912 345 678", None);
        assert_eq!(found, vec!["+351210000000", "+351912345678"]);
    }

    #[test]
    fn dates_postal_codes_and_order_numbers_are_not_phones() {
        let text = "Meeting on 2024-01-15, Rua Augusta 100, 1100-053 Lisboa, order 123456789.";
        assert!(find_phones(text, Some("351")).is_empty());
    }

    #[test]
    fn a_phone_in_a_form_message_is_found_and_normalised() {
        let text = "Olá, liguem-me para o 912 345 678 amanhã.\nFax: 21 000 0001";
        assert_eq!(find_phones(text, Some("351")), vec!["+351912345678"]);
    }

    #[test]
    fn odd_input_never_panics() {
        for text in [
            "",
            "+",
            "00",
            "Tel:",
            "ü+ü",
            "((((",
            "+(0)",
            "Mobil: +49 (0) 171 ·",
        ] {
            let _ = extract_signature_fields(text, Some(""), Some("+"));
            let _ = find_phones(text, Some("x"));
        }
    }

    #[test]
    fn contact_and_name_lines_are_told_apart_from_sentences() {
        assert!(is_contact_line("T: +351 21 000 0000 | M: +351 912 345 678"));
        assert!(is_contact_line("Doe Inc"));
        assert!(!is_contact_line("Please call me at +351 912 345 678."));
        assert!(!is_contact_line("Please call me at +351 912 345 678"));
        assert!(!is_contact_line("I'm the Sales Manager at Acme."));
        assert!(is_contact_line("Directrice commerciale"));
        assert!(is_name_like("John E. Doe, Ph.D."));
        assert!(is_name_like("João da Silva"));
        assert!(!is_name_like("Sounds good."));
        assert!(!is_name_like("At your service,"));
    }
}
