//! The sales vocabulary: lead kinds, statuses, sources, timeline kinds.

use serde::Serialize;
use std::fmt;

/// Declares a fieldless enum with stable text names used in SQL and JSON.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        pub enum $name { $($(#[$vmeta])* #[serde(rename = $text)] $variant),+ }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable text name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Reads a stable text name back (case-insensitive).
            pub fn parse(text: &str) -> Option<Self> {
                let text = text.trim().to_ascii_lowercase();
                Self::ALL.iter().copied().find(|v| v.as_str() == text)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(
    /// Someone we approached first, or someone who showed interest.
    LeadKind {
        /// We made the first step (a rep's cold mail).
        Prospect => "prospect",
        /// They showed interest.
        Lead => "lead",
    }
);

text_enum!(
    /// Where a lead stands, independent of its pipeline step.
    LeadStatus {
        /// Open, something to do.
        Todo => "todo",
        /// Open, waiting until a reminder date.
        Standby => "standby",
        /// Closed, business won.
        Won => "won",
        /// Closed, business lost.
        Lost => "lost",
        /// Closed, never to be contacted again.
        Cancelled => "cancelled",
    }
);

impl LeadStatus {
    /// Open statuses keep a lead in play (todo, standby).
    pub fn is_open(self) -> bool {
        matches!(self, LeadStatus::Todo | LeadStatus::Standby)
    }
}

text_enum!(
    /// The kind of a timeline entry.
    TimelineKind {
        /// A mail from the contact.
        EmailIn => "email_in",
        /// A mail from a rep to the contact.
        EmailOut => "email_out",
        /// A rep's note.
        Note => "note",
        /// A partner's referral.
        Referral => "referral",
        /// A delivery failure.
        Bounce => "bounce",
        /// An out-of-office or other automatic reply.
        AutoReply => "auto_reply",
        /// The status changed.
        StatusChange => "status_change",
        /// The pipeline step changed.
        StepChange => "step_change",
        /// A next action was set or done.
        NextAction => "next_action",
        /// The record was imported from a file (`leadmail import`).
        Imported => "imported",
    }
);

text_enum!(
    /// Why a message was put aside instead of processed.
    QuarantineReason {
        /// A user or partner From that failed sender authentication.
        SpoofedSender => "spoofed_sender",
        /// Nobody we know, and public inquiries are off.
        UnknownSender => "unknown_sender",
        /// Over `max_message_bytes`.
        TooLarge => "too_large",
        /// Not a mail we can read.
        Unparseable => "unparseable",
        /// A rep's command we could not understand.
        BadCommand => "bad_command",
        /// A Message-ID processed before, now with other content.
        ReusedMessageId => "reused_message_id",
    }
);

/// How a lead reached us: `bcc`, `forward`, `partner:<name>`, `form:<name>`,
/// `direct` or `manual`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LeadSource {
    /// A rep BCC'd the CRM on outbound mail.
    Bcc,
    /// A rep forwarded an inquiry.
    Forward,
    /// A partner referred it.
    Partner(String),
    /// A web form or marketplace robot submitted it.
    Form(String),
    /// An unknown sender wrote to a public inquiry address.
    Direct,
    /// Created by hand.
    Manual,
}

impl LeadSource {
    /// The stable text form stored and printed.
    pub fn to_text(&self) -> String {
        match self {
            LeadSource::Bcc => "bcc".into(),
            LeadSource::Forward => "forward".into(),
            LeadSource::Partner(name) => format!("partner:{name}"),
            LeadSource::Form(name) => format!("form:{name}"),
            LeadSource::Direct => "direct".into(),
            LeadSource::Manual => "manual".into(),
        }
    }
}

impl Serialize for LeadSource {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_names_round_trip() {
        for status in LeadStatus::ALL {
            assert_eq!(LeadStatus::parse(status.as_str()), Some(*status));
        }
        assert_eq!(TimelineKind::parse("EMAIL_IN"), Some(TimelineKind::EmailIn));
        assert_eq!(LeadKind::parse("customer"), None);
    }

    #[test]
    fn only_todo_and_standby_are_open() {
        let open: Vec<_> = LeadStatus::ALL.iter().filter(|s| s.is_open()).collect();
        assert_eq!(open, [&LeadStatus::Todo, &LeadStatus::Standby]);
    }

    #[test]
    fn partner_and_form_sources_carry_their_name() {
        assert_eq!(
            LeadSource::Partner("Northwind".into()).to_text(),
            "partner:Northwind"
        );
        assert_eq!(LeadSource::Form("web".into()).to_text(), "form:web");
    }
}
