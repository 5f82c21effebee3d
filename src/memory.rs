//! Giving freed heap memory back to the operating system between batches.
//!
//! glibc's malloc keeps what a thread frees in that thread's arena for
//! reuse, and the daemon's batches are planned on whichever blocking
//! thread tokio hands out. Each arena so kept the high-water mark of the
//! largest batch it had planned (a few messages with megabyte
//! attachments), and the peak RSS of a backlog grew with its size: 68 MB
//! at 100,000 messages against 58 MB at 10,000 (BENCHMARKS.md). Trimming
//! after each committed batch returns those pages; its cost did not show in
//! the backlog's time (run I, BENCHMARKS.md).

/// Returns the free pages of every malloc arena to the system (glibc's
/// `malloc_trim`); does nothing with other allocators.
pub(crate) fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks and trims glibc's own arenas, takes
    // their locks, and touches no memory owned by Rust.
    unsafe {
        libc::malloc_trim(0);
    }
}
