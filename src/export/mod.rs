//! Exports of the CRM records to other tools (`leadmail export`).
//!
//! Pure: the store's views in, text out. The CLI wiring lives in `app::export`.

pub(crate) mod csv;
