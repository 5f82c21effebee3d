//! `leadmail db copy` (issue 17): a team's SQLite database, filled through
//! the normal paths (the demo morning ingested with a webhook configured)
//! plus a row in every other table, copied to PostgreSQL and back to a new
//! SQLite file; every listing, show, timeline and export reads the same on
//! all three. A non-empty target is refused unless `--force`, a newer
//! schema is refused naming both versions, and no URL's password is printed.

use crate::support;
use serde_json::Value;
use sqlx::{Connection as _, PgConnection, SqliteConnection};
use std::path::Path;
use std::process::Output;
use support::{offline_app, outbound_mails, postgres::postgres, App};

/// The demo morning through `leadmail ingest`, with a webhook cursor in
/// place first (so the triggers write events), then a row in each table
/// the demo leaves empty, and the webhook event counter moved past pruned
/// events (ids 1 … 1000 gone).
async fn filled_sqlite(app: &App) -> String {
    let url = format!("sqlite://{}", app.dir.path().join("team.db").display());
    app.set_config("database.url", url.clone());
    app.json(&["leads", "list", "--json"]);
    let mut db = SqliteConnection::connect(&url)
        .await
        .expect("open the file");
    sqlx::query("INSERT INTO webhook_cursors (webhook, last_event_id) VALUES ('crm-sync', 0)")
        .execute(&mut db)
        .await
        .expect("a webhook cursor");
    let demo = support::repo().join("tests/fixtures/demo");
    app.json(&["ingest", "--maildir", demo.to_str().unwrap(), "--json"]);
    let at = "2026-11-23T10:00:00.000000Z";
    for sql in [
        "UPDATE sqlite_sequence SET seq = seq + 1000 WHERE name = 'webhook_events'",
        "INSERT INTO webhook_deliveries (webhook, event_id, state, attempts, next_attempt_at, \
         delivered_at) SELECT 'crm-sync', id, 'delivered', 1, created_at, created_at \
         FROM webhook_events ORDER BY id LIMIT 2",
        "UPDATE webhook_cursors SET last_event_id = (SELECT MAX(id) FROM webhook_events)",
        "INSERT INTO mailbox_state (mailbox, folder, uid_validity, last_uid, processed, \
         last_sync_at, last_error_auth) VALUES ('crm', 'INBOX', 1700000000, 42, 13, $1, TRUE)",
        "INSERT INTO mailbox_leases (mailbox, holder, host, pid, fence, acquired_at, renewed_at, \
         expires_at) VALUES ('crm', 'host-1:4242', 'host-1', 4242, 3, $1, $1, $1)",
        "INSERT INTO mailbox_lease_history (mailbox, fence, holder, acquired_at) \
         VALUES ('crm', 3, 'host-1:4242', $1)",
        "INSERT INTO outbox (kind, user_email, local_date, message_id, recipient, subject, \
         text_body, html_body, header_value, created_at, attempts, next_attempt_at, sent_at) \
         VALUES ('digest', 'alice@acme.test', '2026-11-23', '<digest.1@acme.test>', \
         'alice@acme.test', 'Your morning', 'text', '<p>html</p>', 'digest', $1, 1, $1, $1)",
        "INSERT INTO web_links (token_hash, user_email, created_at, expires_at, used_at) \
         VALUES ('link-hash', 'alice@acme.test', $1, $1, $1)",
        "INSERT INTO web_signin_requests (address, client, requested_at) \
         VALUES ('alice@acme.test', '127.0.0.1', $1)",
        "INSERT INTO web_sessions (token_hash, user_email, created_at, expires_at) \
         VALUES ('session-hash', 'alice@acme.test', $1, '2026-12-23T10:00:00.000000Z')",
        "INSERT INTO web_feeds (user_email, token_hash, created_at) \
         VALUES ('alice@acme.test', 'feed-hash', $1)",
    ] {
        sqlx::query(sql)
            .bind(at)
            .execute(&mut db)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    url
}

/// What the team sees: every listing, each lead's page and timeline, each
/// quarantine entry and the CSV export, read from the configured database.
fn views(app: &App) -> Vec<(String, String)> {
    let mut views = Vec::new();
    let mut read = |args: &[&str]| {
        let out = app.run(args);
        assert!(out.status.success(), "{args:?}: {}", text(&out));
        views.push((args.join(" "), String::from_utf8(out.stdout).unwrap()));
    };
    for args in [
        &["leads", "list", "--all", "--kind", "all", "--json"][..],
        &["contacts", "list", "--json"],
        &["quarantine", "list", "--all", "--json"],
        &["webhooks", "list", "--json"],
        &["digest", "outbox", "--json"],
        &["export", "--csv"],
    ] {
        read(args);
    }
    for lead in ids(app, &["leads", "list", "--all", "--kind", "lead", "--json"]) {
        read(&["leads", "show", &lead, "--json"]);
    }
    for record in ids(app, &["leads", "list", "--all", "--kind", "all", "--json"]) {
        read(&["timeline", &record, "--json"]);
    }
    for entry in ids(app, &["quarantine", "list", "--all", "--json"]) {
        read(&["quarantine", "show", &entry, "--json"]);
    }
    views
}

fn ids(app: &App, args: &[&str]) -> Vec<String> {
    let list = app.json(args);
    let ids: Vec<String> = list
        .as_array()
        .expect("a JSON array")
        .iter()
        .map(|item| item["id"].as_i64().expect("an id").to_string())
        .collect();
    assert!(!ids.is_empty(), "{args:?} lists nothing");
    ids
}

fn assert_same_views(a: &[(String, String)], b: &[(String, String)], what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: other views");
    for ((args, before), (_, after)) in a.iter().zip(b) {
        assert_eq!(before, after, "{what}: `{args}` differs");
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// `db copy --from FROM --to TO --json`, which must succeed: its report.
fn copy(app: &App, from: &str, to: &str, extra: &[&str]) -> Value {
    let out = copy_run(app, from, to, extra);
    assert!(out.status.success(), "db copy failed: {}", text(&out));
    serde_json::from_slice(&out.stdout).expect("JSON report")
}

fn copy_run(app: &App, from: &str, to: &str, extra: &[&str]) -> Output {
    let mut args = vec!["db", "copy", "--from", from, "--to", to];
    args.extend(extra);
    args.push("--json");
    app.run(&args)
}

/// Every table copied with equal counts, none of them empty.
fn assert_every_table_copied(report: &Value) {
    let tables = report["tables"].as_array().expect("tables");
    assert_eq!(tables.len(), 25, "{report}");
    for table in tables {
        assert_eq!(table["source"], table["target"], "{table}");
        assert!(table["source"].as_u64().unwrap() > 0, "empty: {table}");
    }
}

#[tokio::test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
async fn db_copy_moves_a_team_to_postgres_and_back_unchanged() {
    let Some(pg) = postgres() else { return };
    let app = offline_app();
    let sqlite = filled_sqlite(&app).await;
    let on_sqlite = views(&app);

    let postgres = pg.new_database();
    let report = copy(&app, &sqlite, &postgres, &[]);
    assert_every_table_copied(&report);
    assert_eq!(report["schema_version"], latest_schema());
    assert!(report["to"].as_str().unwrap().contains(":***@"), "{report}");
    app.set_config("database.url", postgres.clone());
    let on_postgres = views(&app);
    assert_same_views(&on_sqlite, &on_postgres, "SQLite → PostgreSQL");

    // Later writes on PostgreSQL take new ids (a new prospect, contact,
    // company, next action and timeline entry), and webhook events get no
    // id the SQLite file had given already (its counter ran past pruned ones).
    let mail = outbound_mails(app.dir.path(), "after-copy", 1);
    app.json(&["ingest", mail[0].to_str().unwrap(), "--json"]);
    let given: i64 = {
        let mut file = SqliteConnection::connect(&sqlite).await.unwrap();
        sqlx::query_scalar("SELECT seq FROM sqlite_sequence WHERE name = 'webhook_events'")
            .fetch_one(&mut file)
            .await
            .unwrap()
    };
    let mut db = PgConnection::connect(&postgres).await.expect("PostgreSQL");
    let next_event: i64 =
        sqlx::query_scalar("SELECT nextval(pg_get_serial_sequence('webhook_events', 'id'))")
            .fetch_one(&mut db)
            .await
            .unwrap();
    assert!(
        given > 1000 && next_event == given + 1,
        "{next_event} after {given}"
    );
    let on_postgres = views(&app);

    // And back, into a new SQLite file.
    let back = format!("sqlite://{}", app.dir.path().join("back.db").display());
    let report = copy(&app, &postgres, &back, &[]);
    assert_every_table_copied(&report);
    app.set_config("database.url", back.clone());
    assert_same_views(&on_postgres, &views(&app), "PostgreSQL → SQLite");
    let mut file = SqliteConnection::connect(&back).await.unwrap();
    let seq: i64 =
        sqlx::query_scalar("SELECT seq FROM sqlite_sequence WHERE name = 'webhook_events'")
            .fetch_one(&mut file)
            .await
            .unwrap();
    assert_eq!(seq, next_event, "the SQLite counter keeps PostgreSQL's");

    // A wrong password is refused without being printed; the right one
    // never shows either.
    let wrong = postgres.replacen(":leadmail@", ":wr0ng-s3cret-pw@", 1);
    let out = copy_run(&app, &back, &wrong, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(!text(&out).contains("wr0ng-s3cret-pw"), "{}", text(&out));
    assert!(text(&out).contains(":***@"), "{}", text(&out));
    let out = copy_run(&app, &back, &postgres, &[]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "the target is not empty: {}",
        text(&out)
    );
    assert!(!text(&out).contains(":leadmail@"), "{}", text(&out));
}

fn sqlite_url(dir: &Path, name: &str) -> String {
    format!("sqlite://{}", dir.join(name).display())
}

#[tokio::test]
async fn db_copy_refuses_a_non_empty_target_unless_forced() {
    let app = offline_app();
    let source = filled_sqlite(&app).await;
    let target = sqlite_url(app.dir.path(), "copy.db");
    let first = copy(&app, &source, &target, &[]);
    assert_every_table_copied(&first);
    assert_eq!(first["emptied"], 0);

    let again = copy_run(&app, &source, &target, &[]);
    assert_eq!(again.status.code(), Some(2), "{}", text(&again));
    let message = String::from_utf8_lossy(&again.stderr);
    assert!(
        message.contains("not empty") && message.contains("--force"),
        "{message}"
    );
    assert!(again.stdout.is_empty());

    let forced = copy(&app, &source, &target, &["--force"]);
    assert_eq!(forced["tables"], first["tables"]);
    assert_eq!(forced["emptied"], first["rows"]);

    let same = copy_run(&app, &source, &source, &[]);
    assert_eq!(same.status.code(), Some(2), "{}", text(&same));
}

#[tokio::test]
async fn db_copy_refuses_a_target_with_a_newer_schema_naming_both_versions() {
    let app = offline_app();
    let source = filled_sqlite(&app).await;
    let target = sqlite_url(app.dir.path(), "newer.db");
    leadmail::store::Store::open(&target)
        .await
        .expect("a new database")
        .close()
        .await;
    let mut db = SqliteConnection::connect(&target).await.unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99, 'from the future', TRUE, x'00', 0)",
    )
    .execute(&mut db)
    .await
    .expect("a newer migration");
    let out = copy_run(&app, &source, &target, &[]);
    assert!(!out.status.success());
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(
        message.contains("version 99") && message.contains(&format!("version {}", latest_schema())),
        "{message}"
    );
}

/// The newest schema version: the highest number of `migrations/NNNN_*.sql`.
fn latest_schema() -> i64 {
    std::fs::read_dir(support::repo().join("migrations"))
        .expect("migrations/")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter_map(|name| name.split('_').next()?.parse().ok())
        .max()
        .expect("a migration")
}
