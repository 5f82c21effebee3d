-- The content fingerprint of each processed message (IngestPlan::fingerprint:
-- SHA-256 of its From, To, Cc, Subject, Date and text), so a second message
-- reusing a known Message-ID with other content is put aside instead of
-- being skipped as a duplicate. NULL for messages processed before it.
ALTER TABLE processed_messages ADD COLUMN fingerprint TEXT;
