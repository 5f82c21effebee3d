//! The files that hold contacts: the database, its WAL and SHM files, kept
//! attachments and CSV exports are created 0600 whatever the umask, and a
//! database this process cannot write is still listed, shown and exported.

use crate::support;

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use support::{offline_app, repo, App};

/// Runs `leadmail ARGS` under `umask` (a shell sets it, then execs).
fn run_with_umask(app: &App, umask: &str, args: &[&str]) -> std::process::Output {
    let leadmail = app.command(args);
    let mut command = std::process::Command::new("sh");
    command
        .arg("-c")
        .arg(format!("umask {umask}; exec \"$0\" \"$@\""))
        .arg(leadmail.get_program())
        .args(leadmail.get_args())
        .env("LEADMAIL_NOW", support::TEST_NOW);
    command.output().expect("run leadmail through sh")
}

/// An app with public inquiries on (the inquiry makes a lead).
fn public_app() -> App {
    let app = offline_app();
    app.set_config("crm.public_inquiries", true);
    app
}

fn mode(path: &Path) -> u32 {
    let meta = std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    meta.permissions().mode() & 0o777
}

/// The demo Maildir plus a public inquiry with an attachment.
fn ingest_all(app: &App, umask: &str) {
    let demo = repo().join("tests/fixtures/demo");
    let out = run_with_umask(app, umask, &["ingest", "--maildir", demo.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    ingest_inquiry(app, umask);
}

/// A public inquiry (lead "Quote") with an attachment.
fn ingest_inquiry(app: &App, umask: &str) {
    let inquiry = app.dir.path().join("inquiry.eml");
    std::fs::write(
        &inquiry,
        "From: Dana <dana@hooli.example>\r\nTo: crm@acme.test\r\nSubject: Quote\r\n\
         Message-ID: <modes@hooli.example>\r\nDate: Mon, 23 Nov 2026 09:00:00 +0000\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
         --b\r\nContent-Type: text/plain\r\n\r\nDetails attached.\r\n\
         --b\r\nContent-Type: text/csv\r\nContent-Disposition: attachment; filename=\"seats.csv\"\r\n\r\n\
         name,seats\r\nDana,12\r\n--b--\r\n",
    )
    .unwrap();
    let out = run_with_umask(app, umask, &["ingest", inquiry.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{out:?}");
}

#[test]
fn the_database_its_wal_and_shm_and_kept_files_are_created_0600_under_any_umask() {
    for umask in ["022", "000", "277"] {
        let app = public_app();
        let mut attachments = toml::Table::new();
        attachments.insert("dir".into(), "kept".into());
        app.add_config_table("attachments", attachments);
        ingest_all(&app, umask);
        let export = app.dir.path().join("leads.csv");
        let out = run_with_umask(
            &app,
            umask,
            &["export", "--csv", "--output", export.to_str().unwrap()],
        );
        assert!(out.status.success(), "{out:?}");
        let dir = app.dir.path();
        let mut files: Vec<_> = vec![dir.join("leadmail.db"), dir.join("leads.csv")];
        let kept = dir.join("kept");
        files.extend(walk(&kept).into_iter().filter(|p| p.is_file()));
        assert!(files.len() > 2, "an attachment was kept: {files:?}");
        for file in &files {
            assert_eq!(mode(file), 0o600, "umask {umask}: {}", file.display());
        }
        assert_eq!(
            mode(&kept) & 0o077,
            0,
            "umask {umask}: the attachments dir is private"
        );
        assert_wal_and_shm_are_private(&dir.join("leadmail.db"));
    }
}

/// With the database open (so its `-wal` and `-shm` files exist: the last
/// connection to close deletes them), both have mode 0600.
fn assert_wal_and_shm_are_private(database: &Path) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let url = format!("sqlite://{}", database.display());
        let store = leadmail::store::Store::open(&url).await.expect("open");
        for suffix in ["-wal", "-shm"] {
            let mut name = database.as_os_str().to_owned();
            name.push(suffix);
            assert_eq!(mode(Path::new(&name)), 0o600, "{name:?}");
        }
        store.close().await;
    });
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            all.extend(walk(&path));
        }
        all.push(path);
    }
    all
}

/// Closes the database cleanly (SQLite folds the WAL in and deletes it).
fn close_cleanly(url: &str) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = leadmail::store::Store::open(url).await.expect("open");
        store.close().await;
    });
}

const READING: [&[&str]; 11] = [
    &["leads", "list"],
    &["users", "list"],
    &["partners", "list"],
    &["leads", "show", "1"],
    &["prospects", "list", "--json"],
    &["contacts", "list"],
    &["timeline", "1"],
    &["quarantine", "list"],
    &["export", "--csv"],
    &["digest", "preview", "--user", "alice@acme.test"],
    &["status"],
];

fn assert_reading_works(app: &App, case: &str) {
    for args in READING {
        let out = app.run(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{case}: {args:?}: {stderr}");
        assert!(!out.stdout.is_empty(), "{case}: {args:?} printed nothing");
    }
}

#[test]
#[ignore = "needs a test server: scripts/test.sh runs it (--include-ignored)"]
fn a_database_on_a_read_only_filesystem_is_listed_shown_exported_and_previewed() {
    let app = public_app();
    let disk = app.dir.path().join("disk");
    std::fs::create_dir_all(&disk).unwrap();
    let Some(_unmount) = support::tmpfs(&disk, "16m") else {
        eprintln!("SKIPPED: cannot mount a tmpfs here (needs root)");
        return;
    };
    copy_with_commits_in_the_wal(&app, &disk);
    let url = format!("sqlite://{}/leadmail.db", disk.display());
    app.set_config("database.url", url.as_str());

    support::remount(&disk, "ro");
    assert_reading_works(&app, "with commits in its -wal file");
    let leads = app.json(&["leads", "list", "--json"]);
    let titles: Vec<&str> = leads
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["title"].as_str())
        .collect();
    assert!(
        titles.contains(&"Quote"),
        "the commit only in the WAL is read: {titles:?}"
    );
    let write = app.run(&["leads", "step", "1", "demo"]);
    let stderr = String::from_utf8_lossy(&write.stderr);
    assert_eq!(write.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("the database is read-only and this command writes"),
        "{stderr}"
    );

    support::remount(&disk, "rw");
    close_cleanly(&url);
    assert!(!disk.join("leadmail.db-shm").exists(), "closed cleanly");
    support::remount(&disk, "ro");
    assert_reading_works(&app, "closed cleanly, without -wal and -shm");
}

/// Copies the app's database to `disk` as a backup of a live database
/// looks: the last mail's commit is still in the `-wal` file (a connection
/// held it open, so the writer's exit did not fold it in), `-shm` beside it.
fn copy_with_commits_in_the_wal(app: &App, disk: &Path) {
    let demo = repo().join("tests/fixtures/demo");
    let out = app.run(&["ingest", "--maildir", demo.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    let database = app.dir.path().join("leadmail.db");
    let url = format!("sqlite://{}", database.display());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let holder = runtime
        .block_on(leadmail::store::Store::open(&url))
        .expect("open");
    ingest_inquiry(app, "022");
    for suffix in ["", "-wal", "-shm"] {
        let name = format!("leadmail.db{suffix}");
        std::fs::copy(app.dir.path().join(&name), disk.join(&name)).expect(&name);
    }
    runtime.block_on(holder.close());
}

/// `leadmail ARGS` as a user who may not write the database: as nobody
/// when we are root (file modes do not stop root), else as ourselves.
fn run_as_reader(app: &App, args: &[&str]) -> std::process::Output {
    let leadmail = app.command(args);
    let mut command = if is_root() {
        let mut setpriv = std::process::Command::new("setpriv");
        setpriv.args(["--reuid=65534", "--regid=65534", "--clear-groups"]);
        setpriv.arg(leadmail.get_program());
        setpriv
    } else {
        std::process::Command::new(leadmail.get_program())
    };
    command
        .args(leadmail.get_args())
        .env("LEADMAIL_NOW", support::TEST_NOW);
    command.output().expect("run leadmail")
}

fn is_root() -> bool {
    let id = std::process::Command::new("id")
        .arg("-u")
        .output()
        .expect("id -u");
    String::from_utf8_lossy(&id.stdout).trim() == "0"
}

#[test]
fn a_database_file_the_user_cannot_write_is_listed_shown_exported_and_previewed() {
    let app = public_app();
    ingest_all(&app, "022");
    let dir = app.dir.path();
    let database = dir.join("leadmail.db");
    let url = format!("sqlite://{}", database.display());
    close_cleanly(&url);
    // The reader may enter the directory and read the config and the
    // database, and write neither the database nor the directory.
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&app.config, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(&database, std::fs::Permissions::from_mode(0o444)).unwrap();
    assert_reads_as_reader(&app, "closed cleanly, no -wal or -shm");

    // A writer has it open (its -wal and -shm files exist).
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let writer = runtime
        .block_on(leadmail::store::Store::open(&url))
        .expect("open");
    assert!(dir.join("leadmail.db-shm").exists());
    assert_reads_as_reader(&app, "open by a writer");
    runtime.block_on(writer.close());
}

fn assert_reads_as_reader(app: &App, case: &str) {
    for args in READING {
        let out = run_as_reader(app, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{case}: {args:?}: {stderr}");
        assert!(!out.stdout.is_empty(), "{case}: {args:?} printed nothing");
    }
    let write = run_as_reader(app, &["leads", "step", "1", "demo"]);
    let stderr = String::from_utf8_lossy(&write.stderr);
    assert_eq!(write.status.code(), Some(1), "{case}: {stderr}");
    assert!(
        stderr.contains("the database is read-only and this command writes"),
        "{case}: {stderr}"
    );
}
