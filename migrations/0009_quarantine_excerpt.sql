-- Quarantined mail keeps a bounded excerpt of its bytes (issue 13): the
-- message stays in the quarantine folder; `raw` holds at most 256 KiB of it
-- (all of it when it is that small, the header block alone when it was too
-- large to fetch) and `raw_bytes` the whole message's size, so `raw` is the
-- whole message exactly when length(raw) = raw_bytes. Rows written before
-- hold whole messages and keep them.
ALTER TABLE quarantine ADD COLUMN raw_bytes INTEGER NOT NULL DEFAULT 0;
UPDATE quarantine SET raw_bytes = length(raw);
