//! Logging set-up: human-readable or JSON lines on stderr, filtered by `RUST_LOG`.

use crate::store::StoreError;
use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Readable lines.
    Human,
    /// One JSON object per line.
    Json,
}

/// async-imap traces every command it sends, LOGIN with its password
/// included: that logger never goes below info, whatever `RUST_LOG` says.
const WIRE_LOGGER: &str = "async_imap::imap_stream";

fn never_below_info(target: &str) -> tracing_subscriber::filter::Directive {
    format!("{target}=info").parse().expect("a valid directive")
}

/// Installs the global subscriber; `default_level` applies when `RUST_LOG` is unset.
pub fn init(format: LogFormat, default_level: &str) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(default_level))
        .add_directive(never_below_info(WIRE_LOGGER));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Human => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

/// Text from a mail (a subject, a name, a key), shown in a log line with
/// every control and bidi character escaped (`\r`, `\n`, `\u{1b}`,
/// `\u{202e}`…; [`crate::domain::controls::escape`]), so a header cannot
/// end the line and forge another one in the human format. Log such
/// fields as `field = %LogText(&text)`.
pub struct LogText<'a>(pub &'a str);

impl std::fmt::Display for LogText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::domain::controls::escape(self.0, &[]))
    }
}

/// An error and its causes, `: `-separated as anyhow's `{:#}` prints them,
/// except that the causes of a [`StoreError`] are left out: its message
/// names its cause already (the driver's words without their boilerplate),
/// and its `source()` keeps the chain for code that walks it.
pub fn error_text(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&cause.to_string());
        if cause.is::<StoreError>() {
            break;
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::{error_text, LogText, StoreError};

    #[test]
    fn control_characters_are_escaped_and_other_text_kept() {
        let forged = "hi\r\n2026-01-01T00:00:00Z  INFO forged\u{1b}[2K\u{85}\u{202e}é";
        assert_eq!(
            LogText(forged).to_string(),
            "hi\\r\\n2026-01-01T00:00:00Z  INFO forged\\u{1b}[2K\\u{85}\\u{202e}é"
        );
    }

    #[test]
    fn a_store_error_s_cause_is_printed_once_and_contexts_and_other_chains_in_full() {
        let store = StoreError::AttachmentFile {
            path: "/srv/a.pdf".into(),
            cause: std::io::Error::other("disk full"),
        };
        let error = anyhow::Error::new(store).context("cannot file message 7");
        assert_eq!(
            error_text(&error),
            "cannot file message 7: cannot write attachment file /srv/a.pdf: disk full"
        );
        let other = anyhow::Error::new(std::io::Error::other("refused")).context("cannot connect");
        assert_eq!(error_text(&other), format!("{other:#}"));
    }
}
