-- leadmail schema, version 14: a sender claims the outbox mail it is about
-- to send, so two daemons (or a daemon and `digest send`) on one database
-- never send one mail twice. A claim lasts until `claimed_until`; a sender
-- that died holding one frees its mail when the claim runs out.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN claimed_until TEXT;
