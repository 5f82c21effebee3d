//! Keeping a rotated refresh token: written over `refresh_token_file`
//! atomically (a 0600 temp file in the same folder, fsync, rename, fsync of
//! the folder), or a warning that `refresh_token_env` is now stale.

use super::OAuth2Settings;
use crate::config::SecretSource;
use secrecy::{ExposeSecret, SecretString};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Stores `rotated` where the refresh token came from, logging (never the
/// token) what was done; a failed write is logged, the login goes on with
/// the new token held in memory.
pub(super) fn keep_rotated(settings: &OAuth2Settings, rotated: &SecretString) {
    match &settings.refresh_token {
        SecretSource::File(path) => match replace_file(path, rotated) {
            Ok(()) => tracing::info!(
                key = %settings.key,
                file = %path.display(),
                "oauth2 refresh token rotated by the provider; new one written to the file"
            ),
            Err(error) => tracing::error!(
                key = %settings.key,
                file = %path.display(),
                %error,
                "oauth2 refresh token rotated by the provider but cannot be written back; \
                 leadmail uses the new one until it exits, then the file's old one may be refused"
            ),
        },
        SecretSource::Env(name) => tracing::warn!(
            key = %settings.key,
            variable = %name,
            "oauth2 refresh token rotated by the provider: the value of {name} is now stale; \
             leadmail uses the new one until it exits (keep it in refresh_token_file instead \
             so leadmail can store it)"
        ),
    }
}

/// Replaces `path` with `secret` and a newline, atomically, mode 0600.
pub(crate) fn replace_file(path: &Path, secret: &SecretString) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = write_new(&temp, secret).and_then(|()| std::fs::rename(&temp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written?;
    std::fs::File::open(dir)?.sync_all()
}

fn write_new(temp: &Path, secret: &SecretString) -> std::io::Result<()> {
    let _ = std::fs::remove_file(temp);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(temp)?;
    file.write_all(secret.expose_secret().as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_rotated_token_replaces_the_file_with_mode_0600_and_no_temp_left() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("refresh-token");
        std::fs::write(&path, "old\n").unwrap();
        replace_file(&path, &SecretString::from("new")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new\n");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }
}
