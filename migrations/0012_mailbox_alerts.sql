-- leadmail schema, version 12: telling admins when a mailbox stops syncing.
-- `down_since` is the first error after the last successful sync (cleared by
-- the next success), `last_error_auth` whether the last error was a refused
-- login (told at once), `alerted_at` when admins were told it is down
-- (cleared, with a second mail, once it recovers).
ALTER TABLE mailbox_state ADD COLUMN down_since TEXT;
ALTER TABLE mailbox_state ADD COLUMN last_error_auth BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE mailbox_state ADD COLUMN alerted_at TEXT;
