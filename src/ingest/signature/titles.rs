//! Job titles ("Head of Sales", "Geschäftsführer", "CTO"), the "Title, Company" and "Name,
//! Title" forms, and the split of a signature into segments.

use regex::Regex;
use std::sync::LazyLock;

use super::companies::{cjk_company, company_after_title, has_legal_suffix, is_company_name};
use super::phones::digit_count;
use super::{
    is_name_like, is_person_name, strip_markup, word_count, CONTACT_LABEL, SEGMENT_SEPARATOR, URL,
};

static TITLE_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)\b(?:ceo|cto|cfo|coo|cmo|cio|cso|cpo|cro|vp|svp|evp|avp|president|founder|co-?founder",
        r"|owner|partner|director|head|manager|lead|leader|engineer|developer|consultant|specialist",
        r"|officer|executive|representative|coordinator|analyst|architect|administrator|assistant",
        r"|advisor|adviser|chairman|chairwoman|principal|associate|intern|buyer|accountant",
        r"|controller|recruiter|designer|strategist|sales|marketing|account|accounts|procurement",
        r"|liaison|agent|clerk|secretary|treasurer|supervisor|superintendent|planner|scientist",
        r"|researcher|professor|lecturer|attorney|lawyer|counsel|paralegal|editor|producer|broker",
        r"|advocate|evangelist|technician|operator|inspector|auditor|surveyor|merchandiser",
        r"|trainer|coach|nurse|physician|pharmacist|economist|statistician|translator",
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
        r"|jefa|socio|socia|ingeniero|ingeniera|ventas|responsable|ventes|achats|acheteuse",
        r"|direttore|direttrice|responsabile|amministratore|amministratrice|titolare|acquisti",
        r"|vendite|impiegato|impiegata|kierownik|kierowniczka|dyrektor|prezes|specjalista",
        r"|specjalistka|w[łl]a[śs]ciciel|w[łl]a[śs]cicielka|przedstawiciel|handlowy|handlowiec",
        r"|s[äa]ljare|s[æa]lger|selger|konsulent|leder|direkt[øö]r|projektledare",
        r"|ředitel|ředitelka|jednatel|jednatelka|obchodní|manažer|manažerka|vedoucí",
        r"|gestionnaire|asystent|asystentka|ejecutivo|ejecutiva|ink[öo]pare|indk[øo]ber|innkj[øo]per",
        r"|johtaja|\w*p[äa][äa]llikk[öo]|\w+(?:chef|sjef|leiter|leiterin|managerin|manager))\b"
    ))
    .unwrap()
});

/// Groups of people rather than one person's job ("The Sales Team", "Marketing Department").
static GROUP_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:team|department|dept|abteilung|[ée]quipe|equipo|afdeling|avdelning|group|gruppe)\b",
    )
    .unwrap()
});

/// Words that make a group name a person's job again ("Team Lead", "Head of Department").
static ROLE_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)\b(?:lead|leader|head|manager|director|coordinator|assistant|member|chef|leiter",
        r"|leiterin|responsable|jefe|jefa|hoofd|leder)\b"
    ))
    .unwrap()
});

static TITLE_COMPANY_SEPARATOR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s*,\s+|\s+(?:at|bei|chez|bij|@)\s+").unwrap());

/// One piece of a signature line, split at " | ", " · " or " - ".
pub(super) struct Segment<'a> {
    pub(super) text: &'a str,
}

pub(super) fn segments(signature: &str) -> Vec<Segment<'_>> {
    signature
        .lines()
        .flat_map(|line| SEGMENT_SEPARATOR.split(strip_markup(line)))
        .map(|piece| strip_markup(piece).trim_end_matches(',').trim())
        .filter(|piece| !piece.is_empty())
        .map(|text| Segment { text })
        .collect()
}

/// True when a short piece of text names a job ("Head of Sales", "Geschäftsführer", "CTO").
pub(super) fn is_title(text: &str) -> bool {
    word_count(text) <= 8
        && !text.chars().any(|c| c.is_ascii_digit() || c == '@')
        && !URL.is_match(text)
        && TITLE_WORDS.is_match(text)
        && (!GROUP_WORDS.is_match(text) || ROLE_WORDS.is_match(text))
}

pub(super) fn title_and_company(
    segments: &[Segment],
    name: Option<&str>,
) -> (Option<String>, Option<String>) {
    let mut title: Option<String> = None;
    let mut company: Option<String> = None;
    let mut title_index = None;
    for (index, segment) in segments.iter().enumerate() {
        let text = segment.text;
        // "Name, Title" starts with the name, so it is split before the name is skipped.
        let split = split_title_company(text, name);
        if split.is_none() && is_not_title_or_company(text, name) {
            continue;
        }
        if let Some(found_company) = cjk_company(text) {
            company.get_or_insert(found_company);
        } else if let Some((found_title, found_company)) = split {
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
pub(super) fn is_not_title_or_company(text: &str, name: Option<&str>) -> bool {
    is_person_name(text, name)
        || text.contains('@')
        || URL.is_match(text)
        || digit_count(text) >= 5
        || CONTACT_LABEL.is_match(text)
        || word_count(text) > 8
        || text.chars().count() > 70
        || text.to_lowercase().starts_with("sent ")
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
