//! Giving freed heap memory back to the operating system: a fixed mmap
//! threshold for large buffers, and a trim between batches.
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

/// Allocations from this size up get their own mapping, returned to the
/// system when freed.
const MMAP_THRESHOLD_BYTES: i32 = 256 * 1024;

/// Fixes glibc's mmap threshold at [`MMAP_THRESHOLD_BYTES`]; call first
/// thing in `main`. By default glibc raises the threshold to the size of
/// each large block freed (up to 32 MB), so after the first few
/// megabyte-sized messages every later one is carved from the heap arenas
/// and the pages stay with the process: fixing it took the 10,000 backlog's
/// peak RSS from 66–67 to 60–61 MB at the same speed (BENCHMARKS.md).
/// Does nothing with other allocators.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a glibc malloc parameter; it is called
    // before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES);
    }
}
