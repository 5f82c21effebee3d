//! Reading and acknowledging messages by UID.

use super::names::{encode_folder, uid_set};
use super::{ImapError, ImapSession, RawMail};
use async_imap::error::Error as ImapLibError;
use async_imap::types::Fetch;
use futures::TryStreamExt;
use tracing::{debug, instrument};

impl ImapSession {
    /// Every UID above `after_uid`, sorted: one `UID SEARCH UID n:*`.
    ///
    /// A backlog pass searches once and then fetches by UID in batches, so
    /// the server scans the folder once per pass, not once per batch (the
    /// list costs 4 bytes a message). Messages expunged before their fetch
    /// are simply absent from it.
    #[instrument(skip_all, fields(mailbox = %self.name, after_uid = after_uid))]
    pub async fn uids_after(&mut self, after_uid: u32) -> Result<Vec<u32>, ImapError> {
        self.usable()?;
        let Some(first) = after_uid.checked_add(1) else {
            return Ok(Vec::new());
        };
        // New-mail notices from before this search are covered by it.
        self.drain();
        self.pending_change = false;
        // `n:*` also matches the highest UID when it is below n.
        let uids = self
            .search_uids(format!("UID {first}:*"), "search for new messages", |uid| {
                uid > after_uid
            })
            .await?;
        debug!(
            found = uids.len(),
            first = uids.first(),
            last = uids.last(),
            "imap searched"
        );
        Ok(uids)
    }

    /// UIDs of the messages in the selected folder whose Message-ID header
    /// contains `message_id` (for reading a quarantined message back).
    #[instrument(skip_all, fields(mailbox = %self.name))]
    pub async fn uids_with_message_id(&mut self, message_id: &str) -> Result<Vec<u32>, ImapError> {
        self.usable()?;
        let quoted = message_id.replace('\\', "\\\\").replace('"', "\\\"");
        self.search_uids(
            format!("HEADER Message-ID \"{quoted}\""),
            "search by Message-ID",
            |_| true,
        )
        .await
    }

    /// UIDs at or below `up_to` still waiting to be acknowledged: all of
    /// them when processed mail is moved away, the UNSEEN ones when it is
    /// only flagged. After a crash between a commit and its acknowledgement,
    /// these are the messages to acknowledge again.
    pub async fn unacknowledged_uids(
        &mut self,
        up_to: u32,
        unseen_only: bool,
    ) -> Result<Vec<u32>, ImapError> {
        if up_to == 0 {
            return Ok(Vec::new());
        }
        let unseen = if unseen_only { " UNSEEN" } else { "" };
        let query = format!("UID 1:{up_to}{unseen}");
        self.search_uids(query, "search for unacknowledged messages", |uid| {
            uid <= up_to
        })
        .await
    }

    /// One `UID SEARCH`: the UIDs found that `keep` accepts, sorted.
    async fn search_uids(
        &mut self,
        query: String,
        command: &str,
        keep: impl Fn(u32) -> bool,
    ) -> Result<Vec<u32>, ImapError> {
        let found = self.session.uid_search(query).await;
        let found = self.check(found, || command.to_string())?;
        self.drain();
        let mut uids: Vec<u32> = found.into_iter().filter(|uid| keep(*uid)).collect();
        uids.sort_unstable();
        Ok(uids)
    }

    /// Fetches these UIDs (any order) with one `UID FETCH`, answered in UID
    /// order; UIDs no longer in the folder are absent from the answer.
    pub async fn fetch(&mut self, uids: &[u32]) -> Result<Vec<RawMail>, ImapError> {
        self.usable()?;
        if uids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sorted = uids.to_vec();
        sorted.sort_unstable();
        let mails = self.fetch_uids(&sorted).await?;
        self.drain();
        Ok(mails)
    }

    /// Fetches only the header block of these UIDs (any order), with their
    /// size and arrival time: one `UID FETCH … BODY.PEEK[HEADER]`. For
    /// messages over the size limit, which are never downloaded whole.
    #[instrument(skip_all, fields(mailbox = %self.name, count = uids.len()))]
    pub async fn fetch_headers(&mut self, uids: &[u32]) -> Result<Vec<RawMail>, ImapError> {
        self.usable()?;
        if uids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sorted = uids.to_vec();
        sorted.sort_unstable();
        let mails = self.fetch_parts(&sorted, Part::Header).await?;
        self.drain();
        for mail in &mails {
            debug!(
                uid = mail.uid,
                size = mail.size,
                header_bytes = mail.raw.len(),
                "imap fetched the header only"
            );
        }
        Ok(mails)
    }

    /// Each UID's `RFC822.SIZE` (none when the server gave none), sorted
    /// by UID, asked `SIZES_PER_FETCH` UIDs at a time: no body is fetched
    /// before its size is known. UIDs no longer in the folder are absent.
    #[instrument(skip_all, fields(mailbox = %self.name, count = uids.len()))]
    pub async fn sizes(&mut self, uids: &[u32]) -> Result<Vec<(u32, Option<u64>)>, ImapError> {
        self.usable()?;
        let mut sorted = uids.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        let mut sizes = Vec::with_capacity(sorted.len());
        for chunk in sorted.chunks(SIZES_PER_FETCH) {
            let set = uid_set(chunk);
            let session = &mut self.session;
            let result = async {
                let mut fetches = session.uid_fetch(&set, "(UID RFC822.SIZE)").await?;
                let mut found = Vec::with_capacity(chunk.len());
                while let Some(fetch) = fetches.try_next().await? {
                    if let Some(uid) = fetch.uid.filter(|uid| chunk.binary_search(uid).is_ok()) {
                        found.push((uid, fetch.size.map(u64::from)));
                    }
                }
                Ok::<_, ImapLibError>(found)
            }
            .await;
            sizes.extend(self.check(result, || "fetch message sizes".into())?);
            self.drain();
        }
        sizes.sort_unstable_by_key(|(uid, _)| *uid);
        sizes.dedup_by_key(|(uid, _)| *uid);
        debug!(found = sizes.len(), "imap fetched sizes");
        Ok(sizes)
    }

    /// One `UID FETCH` of sorted `uids`; the answer sorted by UID.
    async fn fetch_uids(&mut self, uids: &[u32]) -> Result<Vec<RawMail>, ImapError> {
        self.fetch_parts(uids, Part::Whole).await
    }

    /// One `UID FETCH` of `part` of sorted `uids`; the answer sorted by UID.
    async fn fetch_parts(&mut self, uids: &[u32], part: Part) -> Result<Vec<RawMail>, ImapError> {
        let set = uid_set(uids);
        let session = &mut self.session;
        let result = async {
            let mut fetches = session.uid_fetch(&set, part.query()).await?;
            let mut mails: Vec<RawMail> = Vec::with_capacity(uids.len());
            while let Some(fetch) = fetches.try_next().await? {
                if let Some(mail) = raw_mail(&fetch, uids, part) {
                    mails.push(mail);
                }
            }
            Ok::<_, ImapLibError>(mails)
        }
        .await;
        let mut mails = self.check(result, || "fetch messages".into())?;
        mails.sort_by_key(|m| m.uid);
        mails.dedup_by_key(|m| m.uid);
        Ok(mails)
    }

    /// Flags these messages `\Seen` (one `UID STORE` for the whole set).
    #[instrument(skip_all, fields(mailbox = %self.name, count = uids.len()))]
    pub async fn mark_seen(&mut self, uids: &[u32]) -> Result<(), ImapError> {
        self.usable()?;
        let Some(set) = sorted_set(uids) else {
            return Ok(());
        };
        let session = &mut self.session;
        let result = async {
            let updates = session.uid_store(&set, "+FLAGS.SILENT (\\Seen)").await?;
            let mut updates = std::pin::pin!(updates);
            while updates.try_next().await?.is_some() {}
            Ok::<_, ImapLibError>(())
        }
        .await;
        self.check(result, || format!("flag messages {set} as seen"))?;
        self.drain();
        debug!("imap marked seen");
        Ok(())
    }

    /// Moves these messages to `folder` (UTF-8, as configured) with one
    /// command, creating the folder when missing. Without the MOVE
    /// capability: UID COPY and flag `\Seen`; nothing is ever deleted.
    #[instrument(skip_all, fields(mailbox = %self.name, count = uids.len(), folder = %folder))]
    pub async fn move_to(&mut self, uids: &[u32], folder: &str) -> Result<(), ImapError> {
        self.usable()?;
        let Some(set) = sorted_set(uids) else {
            return Ok(());
        };
        let name = encode_folder(folder);
        let result = match self.transfer(&set, &name).await {
            Err(ImapLibError::No(raw)) if raw.contains("TryCreate") => {
                self.create_folder(&name, folder).await?;
                self.transfer(&set, &name).await
            }
            other => other,
        };
        self.check(result, || format!("move messages {set} to {folder}"))?;
        self.drain();
        if !self.supports_move() {
            self.mark_seen(uids).await?;
        }
        debug!(moved = self.supports_move(), "imap moved");
        Ok(())
    }

    /// UID MOVE, or UID COPY without the MOVE capability.
    async fn transfer(&mut self, set: &str, name: &str) -> Result<(), ImapLibError> {
        if self.supports_move() {
            self.session.uid_mv(set, name).await
        } else {
            self.session.uid_copy(set, name).await
        }
    }

    /// CREATE (someone else creating it first is fine), then SUBSCRIBE so
    /// mail clients show it.
    async fn create_folder(&mut self, name: &str, folder: &str) -> Result<(), ImapError> {
        match self.session.create(name).await {
            Err(ImapLibError::No(raw)) if raw.contains("[ALREADYEXISTS]") => {}
            result => self.check(result, || format!("create folder {folder}"))?,
        }
        let subscribed = self.session.subscribe(name).await;
        if let Err(error) = self.check(subscribed, || format!("subscribe to folder {folder}")) {
            if self.broken {
                return Err(error);
            }
            debug!(%error, "imap subscribe failed");
        }
        debug!(folder, "imap folder created");
        Ok(())
    }
}

/// The IMAP set of these UIDs in any order, or `None` when there are none.
fn sorted_set(uids: &[u32]) -> Option<String> {
    let mut sorted = uids.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    (!sorted.is_empty()).then(|| uid_set(&sorted))
}

/// UIDs whose size is asked in one `UID FETCH (UID RFC822.SIZE)`.
const SIZES_PER_FETCH: usize = 5_000;

/// What a `UID FETCH` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// The whole message.
    Whole,
    /// The header block and the size only.
    Header,
}

impl Part {
    fn query(self) -> &'static str {
        match self {
            Part::Whole => "(UID INTERNALDATE BODY.PEEK[])",
            Part::Header => "(UID INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER])",
        }
    }
}

/// Our type for one FETCH answer, if it is one of `wanted` (sorted) and
/// carries the part asked for; flag-only updates for other messages are
/// skipped.
fn raw_mail(fetch: &Fetch, wanted: &[u32], part: Part) -> Option<RawMail> {
    let uid = fetch.uid?;
    wanted.binary_search(&uid).ok()?;
    let (raw, size) = match part {
        Part::Whole => {
            let raw = fetch.body()?.to_vec();
            let size = raw.len() as u64;
            (raw, size)
        }
        Part::Header => {
            let raw = fetch.header()?.to_vec();
            let size = fetch.size.map_or(raw.len() as u64, u64::from);
            (raw, size)
        }
    };
    Some(RawMail {
        uid,
        raw,
        internal_date: fetch.internal_date().map(|d| d.with_timezone(&chrono::Utc)),
        whole: part == Part::Whole,
        size,
    })
}
