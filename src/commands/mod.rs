//! The command vocabulary reps use by mail, and its parser: note lines
//! (`next: friday call`, `owner: nina`, `#tag`), plus tags on the CRM
//! address (`crm+3d@`, `crm+lead-7@`) and replies to their digest (`done
//! 12`, `lost 12 too expensive`). Pure: the pipeline (`ingest`) and the
//! digest (`digest`) both use it and neither depends on the other for it.
//!
//! # Layout
//!
//! - this file: what a command asks ([`Command`], [`Commands`],
//!   [`NextActionDraft`]);
//! - [`note`]: note lines and plus tags, with [`note::CommandContext`];
//! - [`reply`]: digest-reply lines, read with the note's own reader;
//! - [`bounds`]: how much one mail may ask (commands, line length, tags).

pub(crate) mod bounds;
pub(crate) mod note;
pub(crate) mod reply;

use crate::domain::{EmailAddress, LeadStatus};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// A next action to set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NextActionDraft {
    /// When it falls due.
    pub due_at: DateTime<Utc>,
    /// call, email, meeting, demo, follow_up…
    pub kind: String,
    /// What to do, in words.
    pub note: String,
}

/// A rep's command, from a plus tag or a note line.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum Command {
    /// Add a tag.
    Tag {
        /// The tag, without `#`.
        tag: String,
    },
    /// Set the next action.
    Next(NextActionDraft),
    /// Set the amount.
    Amount {
        /// The value.
        value: f64,
        /// ISO currency code.
        currency: String,
    },
    /// Move to a pipeline step.
    Step {
        /// A configured step name.
        step: String,
    },
    /// Change the status.
    Status {
        /// The new status.
        status: LeadStatus,
        /// For standby: when it flips back to todo.
        until: Option<DateTime<Utc>>,
        /// For lost/cancelled: why.
        reason: Option<String>,
    },
    /// Hand the lead to another rep.
    Owner {
        /// A configured user.
        owner: EmailAddress,
    },
}

/// Commands read from a message, and the lines that could not be read.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Commands {
    /// Understood commands, in order.
    pub accepted: Vec<Command>,
    /// What could not be understood, each with the reason.
    pub rejected: Vec<String>,
    /// The authenticated user who gave them (main address). Commands with
    /// nobody here are refused; the store checks each lead against
    /// `domain::access` for this user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<EmailAddress>,
}
