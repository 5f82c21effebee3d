//! TLS to PostgreSQL: a server that refuses connections without TLS, and
//! `database.url`'s `sslmode` (rustls) deciding how leadmail connects.

use crate::support::{self, postgres::Cluster};

/// Runs `args` against the database at `url`; returns (success, stderr).
fn run_on(app: &support::App, url: &str, args: &[&str]) -> (bool, String) {
    app.set_config("database.url", url);
    let out = app.run(args);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
#[ignore = "needs the test servers: scripts/test.sh runs it (--include-ignored)"]
fn leadmail_files_mail_over_a_verified_tls_connection_and_refuses_an_unverified_one() {
    let Some(cluster) = Cluster::start_tls("tls") else {
        return;
    };
    let ca = cluster.ca.as_ref().expect("a TLS cluster names its CA");
    let app = support::offline_app();
    let verified = format!(
        "{}?sslmode=verify-full&sslrootcert={}",
        cluster.url,
        ca.display()
    );
    let mail = support::demo_messages();
    let (ok, stderr) = run_on(&app, &verified, &["ingest", mail[0].to_str().unwrap()]);
    assert!(ok, "ingest over verified TLS: {stderr}");
    let totals = &app.status()["totals"];
    assert_eq!(totals["messages"].as_i64(), Some(1), "{totals}");

    // The server refuses TCP without TLS: leadmail says so, password hidden.
    let plain = format!("{}?sslmode=disable", cluster.url);
    let (ok, stderr) = run_on(&app, &plain, &["status"]);
    assert!(!ok, "a connection without TLS was accepted");
    assert!(stderr.contains("no encryption"), "{stderr}");
    assert!(
        !stderr.contains("leadmail:leadmail@"),
        "password shown: {stderr}"
    );

    // verify-full without our CA: the certificate's issuer is unknown.
    let unverified = format!("{}?sslmode=verify-full", cluster.url);
    let (ok, stderr) = run_on(&app, &unverified, &["status"]);
    assert!(!ok, "a certificate from an unknown CA was accepted");
    assert!(stderr.contains("UnknownIssuer"), "{stderr}");
}
