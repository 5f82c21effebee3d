//! Attachment records: one row per attachment of a processed message, and
//! the kept bytes written to `[attachments] dir` before the transaction
//! commits (files are named by their SHA-256, so a rolled-back or repeated
//! write leaves nothing wrong behind).

use super::views::AttachmentView;
use super::{Conn, Store, StoreError};
use crate::files::{create_private_dir, write_atomically};
use crate::ingest::plan::{AttachmentDraft, IngestPlan, SaveTo};
use crate::store::db;

/// Rows a multi-row INSERT carries at most (8 parameters each, well under
/// SQLite's 32,766). Not kept prepared, as `processed::ROWS_PER_STATEMENT`
/// explains.
const ROWS_PER_INSERT: usize = 500;

/// Writes the plans' kept attachment files, then records every attachment
/// against its processed message (updating the rows of a released message):
/// one INSERT for up to [`ROWS_PER_INSERT`] attachments, whichever messages
/// they belong to.
pub(super) async fn record(conn: &mut Conn, plans: &[&IngestPlan]) -> Result<(), StoreError> {
    let rows: Vec<(&str, usize, &AttachmentDraft)> = plans
        .iter()
        .flat_map(|plan| {
            let key = plan.key.as_str();
            (1..).zip(&plan.attachments).map(move |(i, d)| (key, i, d))
        })
        .collect();
    for (_, _, draft) in &rows {
        if let Some(save) = &draft.save {
            write_file(save).await?;
        }
    }
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        insert(conn, chunk).await?;
    }
    Ok(())
}

async fn insert(
    conn: &mut Conn,
    rows: &[(&str, usize, &AttachmentDraft)],
) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO attachments (message_key, position, name, mime_type, size, sha256, stored, note) \
         VALUES {} ON CONFLICT (message_key, position) DO UPDATE SET \
           name = excluded.name, mime_type = excluded.mime_type, size = excluded.size, \
           sha256 = excluded.sha256, stored = excluded.stored, note = excluded.note",
        db::value_rows(conn.backend(), rows.len(), 8)
    );
    let mut insert = db::query(sqlx::AssertSqlSafe(sql)).persistent(false);
    for (key, position, draft) in rows {
        insert = insert
            .bind(*key)
            .bind(i64::try_from(*position).unwrap_or(i64::MAX))
            .bind(&draft.name)
            .bind(&draft.mime_type)
            .bind(i64::try_from(draft.size).unwrap_or(i64::MAX))
            .bind(&draft.sha256)
            .bind(draft.save.is_some())
            .bind(draft.note.as_deref());
    }
    insert.execute(&mut *conn).await?;
    Ok(())
}

/// Writes the bytes to a temporary file beside the target, syncs it and
/// renames it into place; a file already there (same hash) is kept.
async fn write_file(save: &SaveTo) -> Result<(), StoreError> {
    if tokio::fs::try_exists(&save.path).await.unwrap_or(false) {
        return Ok(());
    }
    let failed = |cause| StoreError::AttachmentFile {
        path: save.path.display().to_string(),
        cause,
    };
    let (path, bytes) = (save.path.clone(), save.bytes.clone());
    let written = tokio::task::spawn_blocking(move || {
        if let Some(dir) = path.parent() {
            create_private_dir(dir)?;
        }
        write_atomically(&path, &bytes)
    })
    .await
    .map_err(|e| failed(std::io::Error::other(e)))?;
    written.map_err(failed)
}

/// An attachment row.
#[derive(sqlx::FromRow)]
struct AttachmentRow {
    name: String,
    mime_type: String,
    size: i64,
    sha256: String,
    stored: bool,
    note: Option<String>,
}

impl Store {
    /// The attachments of one processed message, in message order.
    pub async fn attachments(&self, message_key: &str) -> Result<Vec<AttachmentView>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        of_message(&mut conn, message_key).await
    }
}

/// The attachments of one processed message, on an open connection.
pub(super) async fn of_message(
    conn: &mut Conn,
    message_key: &str,
) -> Result<Vec<AttachmentView>, StoreError> {
    let rows: Vec<AttachmentRow> = db::query_as(
        "SELECT name, mime_type, size, sha256, stored, note FROM attachments \
         WHERE message_key = $1 ORDER BY position",
    )
    .bind(message_key)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().map(view).collect())
}

fn view(row: AttachmentRow) -> AttachmentView {
    AttachmentView {
        name: row.name,
        mime_type: row.mime_type,
        size: u64::try_from(row.size).unwrap_or_default(),
        sha256: row.sha256,
        stored: row.stored,
        note: row.note,
    }
}
