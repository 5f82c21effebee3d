//! Who writes the generated mail: the reps, the partner, the form service,
//! and prospects at companies made up from word lists, in five languages.

use super::rng::Rng;

/// The languages the generated mail is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    /// English.
    En,
    /// German.
    De,
    /// French.
    Fr,
    /// Portuguese.
    Pt,
    /// Spanish.
    Es,
}

impl Lang {
    /// Every language, English first (it is drawn most often).
    pub(crate) const ALL: [Lang; 5] = [Lang::En, Lang::De, Lang::Fr, Lang::Pt, Lang::Es];

    /// A language: English half of the time, the others evenly.
    pub(crate) fn draw(rng: &mut Rng) -> Lang {
        Lang::ALL[rng.weighted([8u32, 2, 2, 2, 2].into_iter())]
    }

    /// The IETF tag for `Content-Language`.
    pub(crate) fn tag(self) -> &'static str {
        match self {
            Lang::En => "en-GB",
            Lang::De => "de-DE",
            Lang::Fr => "fr-FR",
            Lang::Pt => "pt-PT",
            Lang::Es => "es-ES",
        }
    }
}

/// A rep of the fixture configuration (`tests/fixtures/leadmail.toml`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rep {
    /// Display name.
    pub name: &'static str,
    /// Address.
    pub email: &'static str,
}

/// The two reps of the fixture configuration.
pub(super) const REPS: [Rep; 2] = [
    Rep {
        name: "Alice Martins",
        email: "alice@acme.test",
    },
    Rep {
        name: "Bruno Costa",
        email: "bruno@acme.test",
    },
];

/// The partner of the fixture configuration.
pub(super) const PARTNER: Rep = Rep {
    name: "Bob Hartley",
    email: "bob@northwind.test",
};

/// A person at a prospect company.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Person {
    /// Given name.
    pub first: &'static str,
    /// Family name.
    pub last: &'static str,
    /// Company display name.
    pub company: String,
    /// The company's domain (or a free-mail domain).
    pub domain: String,
    /// Address.
    pub email: String,
}

impl Person {
    /// "First Last".
    pub(crate) fn name(&self) -> String {
        format!("{} {}", self.first, self.last)
    }

    /// A made-up person in `lang`, at a made-up company; `salt` keeps
    /// companies of different messages apart.
    pub(crate) fn draw(rng: &mut Rng, lang: Lang, salt: u64) -> Person {
        let (firsts, lasts, words, forms) = names(lang);
        let first = rng.pick(firsts);
        let last = rng.pick(lasts);
        let company = format!("{} {}", rng.pick(words), rng.pick(forms));
        let slug: String = company
            .to_lowercase()
            .chars()
            .map(|c| match c {
                'a'..='z' | '0'..='9' => c,
                'ä' | 'à' | 'á' | 'â' | 'ã' => 'a',
                'é' | 'è' | 'ê' => 'e',
                'í' => 'i',
                'ö' | 'ó' | 'ô' | 'õ' => 'o',
                'ü' | 'ú' => 'u',
                'ç' => 'c',
                'ñ' => 'n',
                'ß' => 's',
                _ => '-',
            })
            .collect();
        let free = rng.chance(0.05);
        let domain = if free {
            "gmail.com".to_string()
        } else {
            format!("{slug}-{:x}.example", salt % 0xfffff)
        };
        let local = ascii_local(first, last);
        let email = if free {
            format!("{local}{}@{domain}", salt % 1000)
        } else {
            format!("{local}@{domain}")
        };
        Person {
            first,
            last,
            company,
            domain,
            email,
        }
    }
}

/// `first.last` in plain ASCII.
fn ascii_local(first: &str, last: &str) -> String {
    format!("{first}.{last}")
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            'a'..='z' | '.' => Some(c),
            'ä' | 'á' | 'à' | 'ã' | 'â' => Some('a'),
            'é' | 'è' | 'ê' => Some('e'),
            'í' => Some('i'),
            'ö' | 'ó' | 'ô' | 'õ' => Some('o'),
            'ü' | 'ú' => Some('u'),
            'ç' => Some('c'),
            'ñ' => Some('n'),
            _ => None,
        })
        .collect()
}

type Banks = (
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
);

/// Given names, family names, company words and legal forms per language.
fn names(lang: Lang) -> Banks {
    match lang {
        Lang::En => (
            &[
                "Laura", "James", "Olivia", "Henry", "Grace", "Samuel", "Chloe", "Daniel",
            ],
            &[
                "Chen", "Walker", "Hughes", "Patel", "Morgan", "Reid", "Turner", "Shaw",
            ],
            &[
                "Harbour",
                "Northgate",
                "Brightwater",
                "Redfield",
                "Kestrel",
                "Ashford",
            ],
            &[
                "Logistics",
                "Foods",
                "Pharma Ltd",
                "Cold Storage",
                "Distribution",
            ],
        ),
        Lang::De => (
            &[
                "Jonas", "Lena", "Matthias", "Katrin", "Felix", "Anja", "Tobias", "Sabine",
            ],
            &[
                "Becker",
                "Schneider",
                "Wagner",
                "Hoffmann",
                "Krüger",
                "Vogel",
                "Braun",
            ],
            &[
                "Nordlicht",
                "Elbtal",
                "Alpenfrost",
                "Rheinhafen",
                "Spreewald",
                "Isarkühl",
            ],
            &[
                "Logistik GmbH",
                "Lebensmittel AG",
                "Kühlhaus GmbH",
                "Pharma KG",
            ],
        ),
        Lang::Fr => (
            &[
                "Camille", "Julien", "Élodie", "Mathieu", "Claire", "Nicolas", "Sophie",
            ],
            &[
                "Dubois", "Lefèvre", "Moreau", "Girard", "Bonnet", "Mercier", "Faure",
            ],
            &[
                "Rivage",
                "Mistral",
                "Belle-Rive",
                "Loire",
                "Garonne",
                "Vercors",
            ],
            &[
                "Logistique SAS",
                "Froid SA",
                "Distribution SARL",
                "Pharma SAS",
            ],
        ),
        Lang::Pt => (
            &[
                "Marta", "Tiago", "Inês", "Rui", "Catarina", "João", "Beatriz", "Nuno",
            ],
            &[
                "Ferreira", "Santos", "Oliveira", "Pereira", "Carvalho", "Sousa", "Lopes",
            ],
            &["Atlântico", "Tejo", "Douro", "Minho", "Alentejo", "Sado"],
            &["Logística Lda", "Alimentar SA", "Frio Lda", "Farma SA"],
        ),
        Lang::Es => (
            &[
                "Lucía", "Javier", "Carmen", "Pablo", "Elena", "Diego", "Marta", "Álvaro",
            ],
            &[
                "García",
                "Martínez",
                "López",
                "Sánchez",
                "Romero",
                "Navarro",
                "Ortega",
            ],
            &[
                "Meseta",
                "Cantábrico",
                "Guadalquivir",
                "Sierra Norte",
                "Levante",
            ],
            &["Logística SL", "Alimentación SA", "Frío SL", "Farma SA"],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_plain_ascii_with_one_at_sign() {
        let mut rng = Rng::new(3, 0);
        for salt in 0..200 {
            let person = Person::draw(&mut rng, Lang::ALL[salt as usize % 5], salt);
            assert!(person.email.is_ascii(), "{}", person.email);
            assert_eq!(person.email.matches('@').count(), 1, "{}", person.email);
            assert!(!person.domain.contains("--"), "{}", person.domain);
        }
    }
}
