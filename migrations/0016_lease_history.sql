-- leadmail schema, version 16: each takeover in the lease history also
-- keeps whom the mailbox was taken from and when that lease ran out (or
-- was given back), so the history proves no mailbox was held by two
-- daemons at once and shows how long each takeover waited.
ALTER TABLE mailbox_lease_history ADD COLUMN previous_holder TEXT;
ALTER TABLE mailbox_lease_history ADD COLUMN previous_expires_at TEXT;
