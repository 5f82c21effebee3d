//! A bare IMAP client over plain TCP: the floor a fetching client can reach
//! on this server, and the APPEND side of the latency test.

use anyhow::Context;
use async_imap::{Client, Session};
use futures::TryStreamExt;
use serde_json::{json, Value};
use std::time::Instant;
use tokio::net::TcpStream;

/// A logged-in session.
pub type ImapSession = Session<TcpStream>;

/// Connects, reads the greeting, logs in.
pub async fn login(
    host: &str,
    port: u16,
    user: &str,
    password: &str,
) -> anyhow::Result<ImapSession> {
    let tcp = TcpStream::connect((host, port))
        .await
        .with_context(|| format!("cannot connect to {host}:{port}"))?;
    tcp.set_nodelay(true)?;
    let mut client = Client::new(tcp);
    client
        .read_response()
        .await?
        .context("the server closed the connection before its greeting")?;
    client
        .login(user, password)
        .await
        .map_err(|(error, _)| error)
        .with_context(|| format!("cannot log in as {user}"))
}

/// LOGIN, SELECT INBOX, one `UID FETCH 1:* BODY.PEEK[]` read to its end,
/// LOGOUT; no processing, the bytes are only counted.
pub async fn fetch_all(host: &str, port: u16, user: &str, password: &str) -> anyhow::Result<Value> {
    let start = Instant::now();
    let mut session = login(host, port, user, password).await?;
    let exists = session.select("INBOX").await?.exists;
    while session.unsolicited_responses.try_recv().is_ok() {}
    let (mut messages, mut bytes) = (0usize, 0usize);
    {
        let mut fetches = session.uid_fetch("1:*", "BODY.PEEK[]").await?;
        while let Some(fetch) = fetches.try_next().await? {
            if let Some(body) = fetch.body() {
                messages += 1;
                bytes += body.len();
            }
        }
    }
    session.logout().await?;
    let secs = start.elapsed().as_secs_f64();
    anyhow::ensure!(
        messages == exists as usize,
        "fetched {messages} bodies from a folder of {exists}"
    );
    eprintln!(
        "bench fetch: {messages} messages, {:.1} MB in {secs:.2} s: {:.0} msg/s",
        bytes as f64 / 1e6,
        messages as f64 / secs
    );
    Ok(json!({ "messages": messages, "bytes": bytes, "secs": secs,
               "messages_per_sec": messages as f64 / secs }))
}
