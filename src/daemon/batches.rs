//! Cutting a backlog into fetch batches bounded by count and by bytes.
//!
//! The daemon learns every message's size (`RFC822.SIZE`) before fetching
//! bodies, so it can keep the mail it holds at once under a byte budget
//! instead of holding `count × size`. Pure: UIDs and sizes in, batches out.

/// What bounds one batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct BatchLimits {
    /// Messages per batch (one `UID FETCH`, one transaction).
    pub max_count: usize,
    /// Bytes of whole messages per batch. Two batches overlap (one commits
    /// while the next is fetched), so this is half the in-flight budget.
    pub max_bytes: u64,
    /// A message larger than this is not fetched whole: only its header.
    pub max_message_bytes: u64,
}

impl BatchLimits {
    /// The limits for `count` messages a batch and an in-flight budget of
    /// `in_flight` bytes shared by the two batches in hand.
    pub(super) fn new(count: usize, in_flight: u64, max_message_bytes: u64) -> Self {
        Self {
            max_count: count.max(1),
            max_bytes: (in_flight / 2).max(1),
            max_message_bytes,
        }
    }
}

/// The bytes a header-only fetch is counted for (a header block is bounded
/// by `security.max_header_count` fields; this is a typical upper size).
pub(super) const HEADER_ESTIMATE: u64 = 64 * 1024;

/// One fetch batch, in UID order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Batch {
    /// UIDs fetched whole.
    pub whole: Vec<u32>,
    /// UIDs over the size limit: only their header block is fetched.
    pub headers_only: Vec<u32>,
    /// The bytes this batch is expected to hold (sizes of the whole ones,
    /// [`HEADER_ESTIMATE`] for each header-only one).
    pub bytes: u64,
}

impl Batch {
    /// Messages in the batch.
    pub(super) fn len(&self) -> usize {
        self.whole.len() + self.headers_only.len()
    }

    /// True when the batch holds no message.
    pub(super) fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Cuts `sizes` (UID, `RFC822.SIZE` when the server gave one), in UID
/// order, into consecutive batches of at most `max_count` messages and
/// `max_bytes` bytes; a message larger than `max_bytes` on its own goes
/// alone. A message over `max_message_bytes` is put in `headers_only`. A
/// message without a size counts as empty (the pipeline still refuses it
/// when its bytes are over the limit).
pub(super) fn batches(sizes: &[(u32, Option<u64>)], limits: BatchLimits) -> Vec<Batch> {
    let mut all = Vec::new();
    let mut current = Batch::default();
    for &(uid, size) in sizes {
        let size = size.unwrap_or(0);
        let oversized = size > limits.max_message_bytes;
        let bytes = if oversized {
            size.min(HEADER_ESTIMATE)
        } else {
            size
        };
        let full = current.len() >= limits.max_count
            || current.bytes.saturating_add(bytes) > limits.max_bytes;
        if full && !current.is_empty() {
            all.push(std::mem::take(&mut current));
        }
        if oversized {
            current.headers_only.push(uid);
        } else {
            current.whole.push(uid);
        }
        current.bytes = current.bytes.saturating_add(bytes);
    }
    if !current.is_empty() {
        all.push(current);
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    const MB: u64 = 1024 * 1024;

    fn limits() -> BatchLimits {
        BatchLimits::new(200, 32 * MB, 25 * MB)
    }

    #[test]
    fn small_messages_are_cut_by_count() {
        let sizes: Vec<(u32, Option<u64>)> = (1..=450).map(|uid| (uid, Some(10_000))).collect();
        let lens: Vec<usize> = batches(&sizes, limits()).iter().map(Batch::len).collect();
        assert_eq!(lens, [200, 200, 50]);
    }

    #[test]
    fn big_messages_are_cut_by_the_byte_budget_and_never_exceed_half_of_it() {
        // 30 messages of 5 MB: 3 fit in 16 MiB (half of the 32 MiB budget).
        let sizes: Vec<(u32, Option<u64>)> = (1..=30).map(|uid| (uid, Some(5 * MB))).collect();
        let all = batches(&sizes, limits());
        assert_eq!(all.len(), 10);
        assert!(all.iter().all(|b| b.len() == 3 && b.bytes == 15 * MB));
        let uids: Vec<u32> = all.iter().flat_map(|b| b.whole.clone()).collect();
        assert_eq!(
            uids,
            (1..=30).collect::<Vec<_>>(),
            "every UID once, in order"
        );
    }

    #[test]
    fn a_message_larger_than_the_batch_budget_goes_alone() {
        let sizes = [
            (1, Some(1_000)),
            (2, Some(20 * MB)),
            (3, Some(1_000)),
            (4, Some(1_000)),
        ];
        let all = batches(&sizes, limits());
        let whole: Vec<Vec<u32>> = all.iter().map(|b| b.whole.clone()).collect();
        assert_eq!(whole, [vec![1], vec![2], vec![3, 4]]);
    }

    #[test]
    fn a_message_over_the_size_limit_is_fetched_as_a_header_only() {
        let sizes = [(7, Some(1_000)), (8, Some(30 * MB)), (9, None)];
        let all = batches(&sizes, limits());
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].whole, [7, 9]);
        assert_eq!(all[0].headers_only, [8]);
        assert_eq!(all[0].bytes, 1_000 + HEADER_ESTIMATE);
    }

    #[test]
    fn header_only_messages_count_toward_the_count_limit() {
        let sizes: Vec<(u32, Option<u64>)> = (1..=300).map(|uid| (uid, Some(30 * MB))).collect();
        let all = batches(&sizes, limits());
        assert_eq!(all.iter().map(Batch::len).collect::<Vec<_>>(), [200, 100]);
        assert!(all.iter().all(|b| b.whole.is_empty()));
    }

    #[test]
    fn nothing_in_gives_no_batch() {
        assert!(batches(&[], limits()).is_empty());
    }
}
