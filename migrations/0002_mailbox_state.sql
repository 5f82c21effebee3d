-- leadmail schema, version 2: per-mailbox sync state for the IMAP daemon.
--
-- One row per (mailbox, folder). `last_uid` is the highest UID whose message
-- is committed; it is advanced in the same transaction as the records, so a
-- crash never skips a message. A new UIDVALIDITY resets it (the folder is
-- rescanned and Message-ID deduplication keeps the rescan harmless).
CREATE TABLE mailbox_state (
    mailbox        TEXT NOT NULL,
    folder         TEXT NOT NULL,
    uid_validity   BIGINT NOT NULL,
    last_uid       BIGINT NOT NULL DEFAULT 0,
    processed      BIGINT NOT NULL DEFAULT 0,
    last_sync_at   TEXT,
    last_error     TEXT,
    last_error_at  TEXT,
    PRIMARY KEY (mailbox, folder)
);
