//! `db copy` at the store: the tables it copies are the schema's, and a
//! copy into a store with rows is refused unless it empties it first.

use super::*;
use crate::store::StoreError;

#[tokio::test]
async fn db_copy_knows_every_table_of_the_schema_and_its_column_types() {
    let db = fresh().await;
    let tables = crate::store::copy::check_schema(&db.store).await.unwrap();
    assert_eq!(tables, 25);
}

#[tokio::test]
async fn a_copy_refuses_a_target_with_rows_unless_it_empties_it_first() {
    let (source, target) = (fresh().await, fresh().await);
    let applied = source
        .store
        .apply(
            &lead_plan("a1@globex.test", "2026-11-20T10:00:00Z"),
            b"1",
            "t",
        )
        .await
        .unwrap();
    let refused = source.store.copy_to(&target.store, false).await;
    assert!(
        matches!(&refused, Err(StoreError::CopyRefused { why }) if why.contains("users 2")),
        "{refused:?}"
    );
    let copied = source.store.copy_to(&target.store, true).await.unwrap();
    assert_eq!(copied.emptied, 2, "the target's two users");
    assert_eq!(counts(&source.store).await, counts(&target.store).await);
    let lead = target.store.lead(applied.lead_ids[0]).await.unwrap();
    assert_eq!(
        serde_json::to_value(lead).unwrap(),
        serde_json::to_value(source.store.lead(applied.lead_ids[0]).await.unwrap()).unwrap()
    );
}

/// Inserts `rows` rows of `columns` values, `row(i)` each.
async fn insert_many<'a>(
    store: &Store,
    head: &str,
    rows: usize,
    row: impl Fn(usize, &mut db::Values<'a>),
) {
    let mut values = db::Values::new();
    for i in 0..rows {
        row(i, &mut values);
        values.end_row();
    }
    values
        .into_query(head, store.backend())
        .execute(&store.pool)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_copy_reads_tables_larger_than_a_chunk_in_key_order() {
    let (source, target) = (fresh().await, fresh().await);
    let lead = source
        .store
        .apply(
            &lead_plan("a1@globex.test", "2026-11-20T10:00:00Z"),
            b"1",
            "t",
        )
        .await
        .unwrap()
        .lead_ids[0];
    let at = "2026-11-20T10:00:00.000000Z";
    // More rows than a chunk: an integer key, a text key, a two-column key.
    insert_many(
        &source.store,
        "INSERT INTO web_signin_requests (address, client, requested_at)",
        1234,
        |i, v| {
            v.push_bind(format!("p{i}@globex.test"))
                .push_bind("127.0.0.1")
                .push_bind(at);
        },
    )
    .await;
    insert_many(
        &source.store,
        "INSERT INTO web_links (token_hash, user_email, created_at, expires_at)",
        777,
        |i, v| {
            v.push_bind(format!("hash-{i:x}"))
                .push_bind("alice@acme.test")
                .push_bind(at)
                .push_bind(at);
        },
    )
    .await;
    insert_many(
        &source.store,
        "INSERT INTO lead_tags (lead_id, tag)",
        1001,
        |i, v| {
            v.push_bind(lead).push_bind(format!("tag-{i}"));
        },
    )
    .await;
    // Big values: a chunk ends early at its byte budget.
    let raw = vec![0xa5_u8; 300 * 1024];
    insert_many(
        &source.store,
        "INSERT INTO quarantine (message_key, subject, reason, detail, occurred_at, \
         received_at, raw, raw_bytes)",
        30,
        |i, v| {
            v.push_bind(format!("<q{i}@globex.test>"))
                .push_bind("big")
                .push_bind("too_large")
                .push_bind("")
                .push_bind(at)
                .push_bind(at)
                .push_bind(raw.clone())
                .push_bind(i64::try_from(raw.len()).unwrap());
        },
    )
    .await;

    let copied = source.store.copy_to(&target.store, true).await.unwrap();
    let rows = |table: &str| {
        copied
            .tables
            .iter()
            .find(|t| t.table == table)
            .unwrap()
            .target
    };
    assert_eq!(rows("web_signin_requests"), 1234);
    assert_eq!(rows("web_links"), 777);
    assert_eq!(rows("lead_tags"), 1001);
    assert_eq!(rows("quarantine"), 30);
    assert_eq!(counts(&source.store).await, counts(&target.store).await);
    let sizes: Vec<i64> =
        db::query_scalar("SELECT CAST(LENGTH(raw) AS BIGINT) FROM quarantine ORDER BY id")
            .fetch_all(&target.store.pool)
            .await
            .unwrap();
    assert_eq!(sizes, vec![300 * 1024; 30]);
}
