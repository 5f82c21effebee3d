//! Pure value types shared by the pipeline, the store and the CLI.

pub mod access;
pub mod address;
pub mod controls;
pub mod freemail;
pub mod ids;
pub mod lead;
pub mod message_id;
pub mod schedule;
pub mod url;

pub use address::EmailAddress;
pub use lead::{LeadKind, LeadSource, LeadStatus, QuarantineReason, TimelineKind};
pub use message_id::MessageKey;
