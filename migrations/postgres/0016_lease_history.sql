-- leadmail schema for PostgreSQL, version 16 (SQLite's
-- migrations/0016_lease_history.sql): each takeover in the lease history
-- keeps whom the mailbox was taken from and when that lease ran out.
ALTER TABLE mailbox_lease_history ADD COLUMN previous_holder TEXT;
ALTER TABLE mailbox_lease_history ADD COLUMN previous_expires_at TEXT;
