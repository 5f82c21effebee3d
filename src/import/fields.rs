//! The leadmail fields a CSV column can map to, by their stable names.

use std::fmt;

/// Declares the field enum with its stable names (those of `export --csv`
/// where the export has the column).
macro_rules! fields {
    ($($(#[$meta:meta])* $variant:ident => $text:literal),+ $(,)?) => {
        /// A leadmail field a column maps to.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub(crate) enum Field { $($(#[$meta])* $variant),+ }

        impl Field {
            /// Every field, in declaration order.
            pub(crate) const ALL: &'static [Field] = &[$(Field::$variant),+];

            /// The stable name (used in `--map` files and the README).
            pub(crate) fn as_str(self) -> &'static str {
                match self { $(Field::$variant => $text),+ }
            }
        }
    };
}

fields! {
    /// `lead` or `prospect` (wins over `--kind` for those two).
    Kind => "kind",
    /// todo, standby, won, lost, cancelled (and a few other CRMs' words).
    Status => "status",
    /// A configured pipeline step.
    Step => "step",
    /// The lead's title.
    Title => "title",
    /// The company's name.
    Company => "company",
    /// The company's domain or web site.
    CompanyDomain => "company_domain",
    /// The contact's full name.
    ContactName => "contact_name",
    /// The contact's first name (joined with the last name).
    FirstName => "first_name",
    /// The contact's last name.
    LastName => "last_name",
    /// The contact's e-mail address (required).
    ContactEmail => "contact_email",
    /// The contact's phone.
    ContactPhone => "contact_phone",
    /// The contact's job title.
    ContactTitle => "contact_title",
    /// The owner: a configured user's address or name.
    Owner => "owner",
    /// The open next action's kind (call, email, meeting…).
    NextActionKind => "next_action_kind",
    /// When the open next action falls due.
    NextActionDue => "next_action_due",
    /// What the next action is about.
    NextActionNote => "next_action_note",
    /// The expected amount.
    Amount => "amount",
    /// Its ISO currency code.
    Currency => "currency",
    /// When the record was created.
    CreatedAt => "created_at",
    /// Its latest activity.
    LastActivityAt => "last_activity_at",
    /// A standby lead's date.
    StandbyUntil => "standby_until",
    /// bcc, forward, partner:<name>, form:<name>, direct, manual.
    Source => "source",
    /// Tags, separated by commas or semicolons.
    Tags => "tags",
}

impl Field {
    /// Reads a field name (case-insensitive; `-` and spaces count as `_`).
    pub(crate) fn parse(text: &str) -> Option<Field> {
        let key = text.trim().to_lowercase().replace(['-', ' '], "_");
        Field::ALL.iter().copied().find(|f| f.as_str() == key)
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_read_back_in_any_case_and_spelling() {
        for field in Field::ALL {
            assert_eq!(Field::parse(field.as_str()), Some(*field));
        }
        assert_eq!(Field::parse("Contact Email"), Some(Field::ContactEmail));
        assert_eq!(Field::parse("next-action-due"), Some(Field::NextActionDue));
        assert_eq!(Field::parse("id"), None);
    }
}
