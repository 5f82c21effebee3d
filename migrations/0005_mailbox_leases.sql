-- leadmail schema, version 5: mailbox leases, so each configured mailbox is
-- served by one daemon at a time.
--
-- One row per mailbox. `fence` grows by one at every takeover; a batch
-- commits only while its fence is still the row's (checked inside the
-- commit's transaction), so a daemon that lost its lease (paused past the
-- expiry, cut off from the database) can file nothing. `expires_at` is
-- renewed by the holder; once it passes, another daemon may take over.
CREATE TABLE mailbox_leases (
    mailbox      TEXT PRIMARY KEY,
    holder       TEXT NOT NULL,
    host         TEXT NOT NULL,
    pid          BIGINT NOT NULL,
    fence        BIGINT NOT NULL,
    acquired_at  TEXT NOT NULL,
    renewed_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);

-- Every takeover, for `status` and for checking that no mailbox was ever
-- held by two daemons at once.
CREATE TABLE mailbox_lease_history (
    mailbox      TEXT NOT NULL,
    fence        BIGINT NOT NULL,
    holder       TEXT NOT NULL,
    acquired_at  TEXT NOT NULL,
    PRIMARY KEY (mailbox, fence)
);
