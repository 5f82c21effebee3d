//! Files that hold contacts' data: written so that a reader never sees
//! half of one, and readable by their owner only whatever the umask.

use std::fs::{File, OpenOptions, Permissions};
use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

/// Creates a new file (an error if it exists) with mode 0600 exactly: set
/// again after creating it, since the umask can only take bits away.
pub(crate) fn create_private(path: &Path) -> std::io::Result<File> {
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.set_permissions(Permissions::from_mode(0o600))?;
    Ok(file)
}

/// Creates `dir` and its missing parents with mode 0700 (less the umask).
pub(crate) fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// Writes `bytes` to a temporary file beside `path` (mode 0600 whatever the
/// umask), syncs it, then renames it over `path`. On failure the temporary
/// file is removed and `path` is left as it was.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let temp = temp_path(path);
    let written = write_synced(&temp, bytes);
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written?;
    std::fs::rename(&temp, path)
}

/// A name beside `target` of this process and this call only.
fn temp_path(target: &Path) -> PathBuf {
    static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut name = target.as_os_str().to_owned();
    name.push(format!(".tmp-{}-{call}", std::process::id()));
    name.into()
}

fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let _ = std::fs::remove_file(path);
    let mut file = create_private(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}
