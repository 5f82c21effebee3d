//! E-mail addresses, parsed once and normalised for matching.

use std::fmt;

/// A syntactically plausible, lower-cased e-mail address.
///
/// Matching uses [`EmailAddress::canonical`], which also drops a `+tag`, so
/// `Jane+crm@Example.com` and `jane@example.com` are the same contact.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EmailAddress(String);

/// Why a text is not an e-mail address.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("cannot read {input:?} as an e-mail address: {why}")]
pub struct AddressError {
    /// The text that was given.
    pub input: String,
    /// What is wrong with it.
    pub why: &'static str,
}

impl EmailAddress {
    /// Parses `local@domain`, tolerating surrounding spaces, `<>` and `mailto:`.
    pub fn parse(input: &str) -> Result<Self, AddressError> {
        let trimmed = input
            .trim()
            .trim_start_matches("mailto:")
            .trim_matches(|c| c == '<' || c == '>' || c == '"' || c == '\'')
            .trim();
        let fail = |why| AddressError {
            input: input.to_string(),
            why,
        };
        let (local, domain) = trimmed.rsplit_once('@').ok_or_else(|| fail("no @"))?;
        if local.is_empty() || domain.is_empty() {
            return Err(fail("empty local part or domain"));
        }
        if trimmed.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(fail("contains whitespace"));
        }
        if !domain.contains('.') && domain != "localhost" {
            return Err(fail("domain has no dot"));
        }
        if trimmed.len() > 254 {
            return Err(fail("longer than 254 characters"));
        }
        Ok(Self(trimmed.to_lowercase()))
    }

    /// The whole address, lower-cased.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before the last `@`.
    pub fn local_part(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(l, _)| l)
    }

    /// True when the local part spells the person's `name`: one of its words of three letters
    /// or more (`maria.silva@` for "Maria Silva"), or its first initial and last word
    /// (`jsmith@`, `j.smith@` for "John Smith"). Punctuation in both is ignored.
    pub fn local_part_names(&self, name: &str) -> bool {
        let local: String = self
            .local_part()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        let words: Vec<String> = name
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        let initial_and_last = match (words.first(), words.last()) {
            (Some(first), Some(last)) if words.len() >= 2 => first
                .chars()
                .next()
                .is_some_and(|initial| local.strip_prefix(initial) == Some(last.as_str())),
            _ => false,
        };
        initial_and_last
            || words
                .iter()
                .any(|w| w.chars().count() >= 3 && local.contains(w.as_str()))
    }

    /// The domain after the last `@`.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, d)| d)
    }

    /// The `+tag` of the local part, if any (`crm+3d@` → `3d`).
    pub fn plus_tag(&self) -> Option<&str> {
        self.local_part().split_once('+').map(|(_, tag)| tag)
    }

    /// The address without its `+tag`: the key contacts are matched by.
    pub fn canonical(&self) -> String {
        format!("{}@{}", self.base_local_part(), self.domain())
    }

    /// True when both name the same mailbox (ignoring case and `+tag`).
    pub fn same_mailbox(&self, other: &EmailAddress) -> bool {
        // Equal to comparing `canonical()`s (a domain holds no '@'), without two allocations.
        self.domain() == other.domain() && self.base_local_part() == other.base_local_part()
    }

    /// The local part without its `+tag`.
    fn base_local_part(&self) -> &str {
        let local = self.local_part();
        local.split_once('+').map_or(local, |(base, _)| base)
    }

    /// True when the domain is `domain` or one of its subdomains.
    pub fn is_in_domain(&self, domain: &str) -> bool {
        let own = self.domain();
        let domain = domain.trim().to_lowercase();
        own == domain || own.ends_with(&format!(".{domain}"))
    }
}

/// True when a display name is really an address (`"alice@acme.test"`,
/// `<alice@acme.test>`, `mailto:…`): such a name is not a name, since it
/// can claim an identity the real address does not have.
pub fn is_address_text(name: &str) -> bool {
    EmailAddress::parse(name).is_ok()
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for EmailAddress {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl serde::Serialize for EmailAddress {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_part_names_a_person_by_a_word_or_initial_and_last_name() {
        let address = |text: &str| EmailAddress::parse(text).unwrap();
        assert!(address("maria.silva@x.test").local_part_names("Maria Silva"));
        assert!(address("jsmith@x.test").local_part_names("John Smith"));
        assert!(address("j.smith@x.test").local_part_names("John Smith"));
        assert!(address("anne-marie@x.test").local_part_names("Anne-Marie Dubois"));
        assert!(!address("info@x.test").local_part_names("John Smith"));
        assert!(!address("jo@x.test").local_part_names("Jo Li"));
        assert!(!address("sales@x.test").local_part_names(""));
    }

    #[test]
    fn an_address_is_lower_cased_and_unwrapped() {
        let a = EmailAddress::parse(" <Jane.Doe@Example.COM> ").unwrap();
        assert_eq!(a.as_str(), "jane.doe@example.com");
        assert_eq!(a.domain(), "example.com");
    }

    #[test]
    fn plus_addressing_is_ignored_for_matching() {
        let a = EmailAddress::parse("crm+3d@acme.test").unwrap();
        assert_eq!(a.plus_tag(), Some("3d"));
        assert_eq!(a.canonical(), "crm@acme.test");
        assert!(a.same_mailbox(&EmailAddress::parse("CRM@acme.test").unwrap()));
    }

    #[test]
    fn text_without_an_at_sign_is_rejected_with_the_reason() {
        let err = EmailAddress::parse("not an address").unwrap_err();
        assert_eq!(err.why, "no @");
    }

    #[test]
    fn a_name_that_is_an_address_in_any_wrapping_is_address_text() {
        for name in [
            "alice@acme.test",
            "'Alice@Acme.test'",
            "<alice@acme.test>",
            "mailto:a@b.test",
        ] {
            assert!(is_address_text(name), "{name}");
        }
        for name in ["Alice Martins", "Alice (at) acme", "Alice @ Acme Sales"] {
            assert!(!is_address_text(name), "{name}");
        }
    }

    #[test]
    fn subdomains_belong_to_their_parent_domain() {
        let a = EmailAddress::parse("bob@eu.acme.test").unwrap();
        assert!(a.is_in_domain("acme.test"));
        assert!(!a.is_in_domain("cme.test"));
    }
}
