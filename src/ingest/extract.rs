//! Who and what: contact drafts, company names and cleaned bodies.

use super::parse::Person;
use super::plan::{CompanyDraft, ContactDraft};
use super::{quote, signature};
use crate::domain::address::is_address_text;
use crate::domain::freemail::is_freemail;
use crate::domain::EmailAddress;

/// Second-level labels under which companies register (`acme.co.uk`).
const SECOND_LEVEL: &[&str] = &["co", "com", "org", "net", "ac", "gov", "edu", "ltd", "plc"];

/// The registrable domain of an address's domain (`mail.acme.co.uk` → `acme.co.uk`).
pub fn registrable_domain(domain: &str) -> String {
    let labels: Vec<&str> = domain.split('.').filter(|l| !l.is_empty()).collect();
    let keep = match labels.as_slice() {
        [.., second, tld] if tld.len() == 2 && SECOND_LEVEL.contains(second) => 3,
        _ => 2,
    };
    labels[labels.len().saturating_sub(keep)..].join(".")
}

/// Legal forms as their companies write them (a domain's `huber-gmbh`
/// becomes "Huber GmbH", not "Huber Gmbh").
const LEGAL_FORMS: &[&str] = &[
    "GmbH", "AG", "KG", "OHG", "UG", "SE", "eG", "BV", "NV", "VOF", "SA", "SAS", "SARL", "SRL",
    "SpA", "SL", "SLU", "Lda", "Ltd", "LLC", "LLP", "PLC", "Inc", "Corp", "Oy", "Oyj", "AB", "AS",
    "ASA", "ApS", "A/S", "KK", "Pty", "Kft", "Zrt", "Bhd", "Sdn", "SAC", "EIRL", "OÜ",
];

/// A readable company name from a domain: `blue-harbor.io` → `Blue Harbor`,
/// `huber-gmbh.de` → `Huber GmbH`.
pub fn company_name_from_domain(domain: &str) -> String {
    let registrable = registrable_domain(domain);
    let label = registrable.split('.').next().unwrap_or(&registrable);
    let name = title_case(&label.replace(['-', '_'], " "));
    name.split(' ')
        .map(|word| {
            LEGAL_FORMS
                .iter()
                .find(|form| form.eq_ignore_ascii_case(word))
                .map_or(word, |form| form)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The company of an address: its domain's, never a free-mail one.
pub fn company_of(email: &EmailAddress) -> Option<CompanyDraft> {
    if is_freemail(email.domain()) {
        return None;
    }
    let domain = registrable_domain(email.domain());
    Some(CompanyDraft {
        name: company_name_from_domain(&domain),
        domain: Some(domain),
    })
}

/// A person's name from the display name, else from the local part
/// (`jane.doe` → `Jane Doe`); generic mailboxes (`info`, `sales`) give none.
/// A display name that is an address is no name.
pub fn name_of(person: &Person) -> Option<String> {
    if let Some(name) = person.name.as_deref().filter(|n| !is_address_text(n)) {
        return Some(unreverse(name));
    }
    let local = person.email.local_part();
    let local = local.split('+').next().unwrap_or(local);
    let words: Vec<&str> = local
        .split(['.', '_', '-'])
        .filter(|w| !w.is_empty())
        .collect();
    let alphabetic = words.iter().all(|w| w.chars().all(char::is_alphabetic));
    if words.len() < 2 || !alphabetic || is_role_mailbox(local) {
        return None;
    }
    Some(title_case(&words.join(" ")))
}

/// "Doe, Jane" → "Jane Doe".
fn unreverse(name: &str) -> String {
    match name.split_once(", ") {
        Some((last, first)) if !first.contains(',') && !last.contains(' ') => {
            format!("{first} {last}")
        }
        _ => name.to_string(),
    }
}

fn is_role_mailbox(local: &str) -> bool {
    const ROLES: &[&str] = &[
        "info",
        "sales",
        "contact",
        "hello",
        "office",
        "admin",
        "support",
        "team",
        "mail",
        "enquiries",
        "inquiries",
        "geral",
        "vendas",
        "kontakt",
        "verkoop",
    ];
    ROLES.iter().any(|r| local.eq_ignore_ascii_case(r))
}

fn title_case(text: &str) -> String {
    text.split_whitespace()
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first
                    .to_uppercase()
                    .chain(chars.flat_map(char::to_lowercase))
                    .collect()
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A message body split into what the person wrote and their signature.
#[derive(Debug, Clone, Default)]
pub struct CleanBody {
    /// The new text, without quoted history or signature.
    pub text: String,
    /// The signature block, if one was found.
    pub signature: Option<String>,
}

/// Strips quoted history and splits off the signature (`sender_name`, when
/// known, also marks a signature that starts with the sender's name). A signature that is
/// only a sign-off ("Thanks,\nAna") stays at the end of the text as well.
pub fn clean_body(text: &str, sender_name: Option<&str>) -> CleanBody {
    let reply = quote::strip_quoted(text);
    let (body, signature) = quote::split_signature_for(&reply, sender_name);
    let text = match signature.as_deref().and_then(quote::sign_off) {
        Some(sign_off) => format!("{}\n\n{sign_off}", body.trim()),
        None => body,
    };
    CleanBody {
        text: text.trim().to_string(),
        signature,
    }
}

/// The name a signature opens with, when the address is that person's: a name-like line in
/// its first lines one of whose words the address's local part holds ("Jane Doe" for
/// "jane@…"), or whose initial and last word it is ("jdoe@…").
fn signed_name(signature: &str, email: &EmailAddress) -> Option<String> {
    signature
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .take(3)
        .find(|line| signature::is_name_like(line) && email.local_part_names(line))
        .map(str::to_string)
}

/// A contact draft for a person, enriched from their signature.
pub fn contact_from(
    person: &Person,
    signature: Option<&str>,
    country: Option<&str>,
) -> ContactDraft {
    let name = name_of(person).or_else(|| signature.and_then(|s| signed_name(s, &person.email)));
    let fields = signature
        .map(|s| signature::extract_signature_fields(s, name.as_deref(), country))
        .unwrap_or_default();
    let company = company_of(&person.email).map(|mut company| {
        if let Some(name) = &fields.company {
            company.name = name.clone();
        }
        company
    });
    let company = company.or_else(|| {
        fields
            .company
            .clone()
            .map(|name| CompanyDraft { name, domain: None })
    });
    ContactDraft {
        email: person.email.clone(),
        name,
        phone: fields.phone,
        title: fields.title,
        company,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(address: &str, name: Option<&str>) -> Person {
        Person {
            email: EmailAddress::parse(address).unwrap(),
            name: name.map(String::from),
        }
    }

    #[test]
    fn a_contact_without_a_display_name_takes_the_name_its_signature_opens_with() {
        let signature = "Jane Doe\nPurchasing, Customer Ltd\n+44 20 7946 0000";
        for address in [
            "jane@customer.example",
            "jdoe@customer.example",
            "doe@customer.example",
        ] {
            let draft = contact_from(&person(address, None), Some(signature), None);
            assert_eq!(draft.name.as_deref(), Some("Jane Doe"), "{address}");
        }
        // A role address, or a first line that is no name, gives no name.
        let draft = contact_from(
            &person("sales@customer.example", None),
            Some(signature),
            None,
        );
        assert_eq!(draft.name, None);
        let draft = contact_from(
            &person("jane@customer.example", None),
            Some("Sent from my phone\njane at Customer"),
            None,
        );
        assert_eq!(draft.name, None);
        // A display name wins over the signature.
        let draft = contact_from(
            &person("jane@customer.example", Some("J. Doe")),
            Some(signature),
            None,
        );
        assert_eq!(draft.name.as_deref(), Some("J. Doe"));
    }

    #[test]
    fn the_registrable_domain_drops_subdomains() {
        assert_eq!(registrable_domain("mail.acme.co.uk"), "acme.co.uk");
        assert_eq!(registrable_domain("eu.globex.com"), "globex.com");
        assert_eq!(registrable_domain("globex.com"), "globex.com");
    }

    #[test]
    fn a_company_name_is_read_from_its_domain() {
        assert_eq!(
            company_name_from_domain("sales.blue-harbor.io"),
            "Blue Harbor"
        );
    }

    #[test]
    fn legal_forms_in_a_domain_keep_their_usual_case() {
        for (domain, name) in [
            ("huber-gmbh.de", "Huber GmbH"),
            ("jansen-bv.nl", "Jansen BV"),
            ("costa-lda.pt", "Costa Lda"),
            ("north-sa.es", "North SA"),
            ("smith-ltd.co.uk", "Smith Ltd"),
            ("gmbh-tools.de", "GmbH Tools"),
        ] {
            assert_eq!(company_name_from_domain(domain), name);
        }
        assert_eq!(company_name_from_domain("sabrina.pt"), "Sabrina");
    }

    #[test]
    fn free_mail_addresses_have_no_company() {
        assert_eq!(
            company_of(&EmailAddress::parse("jane@gmail.com").unwrap()),
            None
        );
    }

    #[test]
    fn names_come_from_display_names_then_local_parts() {
        assert_eq!(
            name_of(&person("x@a.test", Some("Doe, Jane"))).as_deref(),
            Some("Jane Doe")
        );
        assert_eq!(
            name_of(&person("jane.doe@a.test", None)).as_deref(),
            Some("Jane Doe")
        );
        assert_eq!(name_of(&person("info@a.test", None)), None);
        assert_eq!(name_of(&person("jd1984@a.test", None)), None);
    }
}
