//! The token endpoint over HTTP(S): one form POST with `reqwest`.

use secrecy::{ExposeSecret, SecretString};
use std::sync::OnceLock;
use std::time::Duration;

/// Limit of one whole request, connection included.
const TIMEOUT: Duration = Duration::from_secs(30);
/// Limit of the TCP (and TLS) connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// A token answer is a small JSON object; anything larger is cut here.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// One client for the process (it pools connections); no redirects: a
/// refresh token is never sent on to another address.
fn client() -> Result<&'static reqwest::Client, String> {
    static CLIENT: OnceLock<Result<reqwest::Client, String>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            reqwest::Client::builder()
                .timeout(TIMEOUT)
                .connect_timeout(CONNECT_TIMEOUT)
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(concat!("leadmail/", env!("CARGO_PKG_VERSION")))
                .build()
                .map_err(|e| format!("cannot set up the HTTP client: {}", chain(&e)))
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// POSTs `body` (form-encoded) to `url`; the status and up to 64 KiB of the
/// answer, or why there was none (the error never holds the body).
pub(super) async fn post_form(url: &str, body: SecretString) -> Result<(u16, Vec<u8>), String> {
    let response = client()?
        .post(url)
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .header(reqwest::header::ACCEPT, "application/json")
        .body(body.expose_secret().to_string())
        .send()
        .await
        .map_err(|e| chain(&e.without_url()))?;
    let status = response.status().as_u16();
    let mut answer = response
        .bytes()
        .await
        .map_err(|e| format!("reading the answer: {}", chain(&e.without_url())))?
        .to_vec();
    answer.truncate(MAX_ANSWER_BYTES);
    Ok((status, answer))
}

/// An error and its causes on one line.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}
