//! The PostgreSQL schema (`migrations/postgres/`) applied to a real
//! PostgreSQL: it has every table and column of the SQLite schema the
//! store migrates to, with the same nullability, and its webhook triggers
//! write the events SQLite's write (issue 17's ground: one store API, two
//! schemas that must not drift apart).

use crate::support;
use sqlx::{Connection, SqliteConnection};
use std::collections::BTreeSet;
use support::postgres::{postgres, Postgres};

/// (table, column, nullable) of every table of a fresh SQLite database.
async fn sqlite_columns() -> BTreeSet<(String, String, bool)> {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/schema.db", dir.path().display());
    leadmail::store::Store::open(&url)
        .await
        .expect("a migrated SQLite database");
    let mut db = SqliteConnection::connect(&url)
        .await
        .expect("open it again");
    let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT m.name, p.name, p.\"notnull\", p.pk FROM sqlite_master m \
         JOIN pragma_table_info(m.name) p WHERE m.type = 'table' \
         AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx_%'",
    )
    .fetch_all(&mut db)
    .await
    .expect("SQLite's columns");
    rows.into_iter()
        .map(|(table, column, not_null, pk)| (table, column, not_null == 0 && pk == 0))
        .collect()
}

fn postgres_columns(pg: &Postgres) -> BTreeSet<(String, String, bool)> {
    pg.query(
        "SELECT table_name, column_name, is_nullable FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx_%'",
    )
    .iter()
    .map(|row| {
        let cells: Vec<&str> = row.split('|').collect();
        (cells[0].into(), cells[1].into(), cells[2] == "YES")
    })
    .collect()
}

/// Every PostgreSQL migration, in order of their numbers.
fn migrate(pg: &Postgres) {
    let dir = support::repo().join("migrations/postgres");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("migrations/postgres")
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort();
    for file in files {
        let out = pg.psql(&["-f", file.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{} does not apply: {}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[tokio::test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
async fn the_postgres_schema_has_every_sqlite_column_and_its_triggers_write_events() {
    let Some(pg) = postgres() else { return };
    migrate(pg);
    let sqlite = sqlite_columns().await;
    let postgres = postgres_columns(pg);
    let only_sqlite: Vec<_> = sqlite.difference(&postgres).collect();
    let only_postgres: Vec<_> = postgres.difference(&sqlite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "schemas differ (table, column, nullable):\nonly SQLite: {only_sqlite:?}\nonly PostgreSQL: {only_postgres:?}"
    );

    let at = "2026-11-23T11:00:00.000000Z";
    pg.query(&format!(
        "INSERT INTO users (email, name, role, time_zone, workday_start, digest_at, updated_at) \
         VALUES ('alice@acme.test', 'Alice', 'admin', 'Europe/Lisbon', '09:00', '07:30', '{at}')"
    ));
    let lead = format!(
        "INSERT INTO leads (kind, title, status, source, owner, created_at, last_activity_at, updated_at) \
         VALUES ('lead', 'Pricing', 'todo', 'forward', 'alice@acme.test', '{at}', '{at}', '{at}')"
    );
    pg.query(&lead);
    assert_eq!(
        pg.query("SELECT count(*) FROM webhook_events"),
        ["0"],
        "no webhook, no events"
    );
    pg.query("INSERT INTO webhook_cursors (webhook, last_event_id) VALUES ('crm', 0)");
    pg.query(&lead);
    pg.query("UPDATE leads SET status = 'won' WHERE id = 2");
    let events = pg.query("SELECT type, lead_id, data FROM webhook_events ORDER BY id");
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(events[0].starts_with("lead.created|2|"), "{events:?}");
    assert!(events[1].starts_with("lead.updated|2|"), "{events:?}");
    let change: serde_json::Value =
        serde_json::from_str(events[1].splitn(3, '|').nth(2).unwrap()).expect("JSON data");
    assert_eq!(change["before"]["status"], "todo");
    assert_eq!(change["after"]["status"], "won");
    assert_trigger_conditions(pg, at);
}

/// Migration 0020's conditions: a change that makes no event (a latest
/// activity, a prospect, another flag) runs no trigger body, and each one
/// that does still writes its event.
fn assert_trigger_conditions(pg: &Postgres, at: &str) {
    let events_after = |id: &str| {
        pg.query(&format!(
            "SELECT type || '|' || lead_id FROM webhook_events WHERE id > {id} ORDER BY id"
        ))
    };
    let unconditional = pg.query(
        "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgqual IS NULL \
         AND tgrelid IN ('leads'::regclass, 'lead_flags'::regclass)",
    );
    assert_eq!(unconditional, Vec::<String>::new(), "triggers without WHEN");
    let last = pg.query("SELECT max(id) FROM webhook_events").remove(0);
    pg.query("UPDATE leads SET last_activity_at = '2026-11-24T09:00:00.000000Z' WHERE id = 2");
    pg.query(&format!(
        "INSERT INTO leads (kind, title, status, source, owner, created_at, last_activity_at, updated_at) \
         VALUES ('prospect', 'Outreach', 'todo', 'bcc', 'alice@acme.test', '{at}', '{at}', '{at}')"
    ));
    pg.query(&format!(
        "INSERT INTO next_actions (lead_id, kind, note, due_at, created_at) \
         VALUES (3, 'call', 'first call', '{at}', '{at}')"
    ));
    pg.query(&format!(
        "INSERT INTO lead_flags (lead_id, flag, set_at) VALUES (3, 'bounced', '{at}')"
    ));
    assert_eq!(
        events_after(&last),
        Vec::<String>::new(),
        "no event expected"
    );
    pg.query(&format!(
        "INSERT INTO lead_flags (lead_id, flag, set_at) VALUES (3, 'replied', '{at}')"
    ));
    pg.query("UPDATE leads SET kind = 'lead' WHERE id = 3");
    pg.query(&format!(
        "INSERT INTO next_actions (lead_id, kind, note, due_at, created_at) \
         VALUES (2, 'email', 'send the quote', '{at}', '{at}')"
    ));
    assert_eq!(
        events_after(&last),
        [
            "prospect.replied|3",
            "prospect.converted|3",
            "lead.updated|2"
        ]
    );
}
