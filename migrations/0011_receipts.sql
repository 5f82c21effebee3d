-- leadmail schema, version 11: receipts. A rep whose own, authenticated mail
-- was put aside for something they can fix (a command leadmail could not
-- read) gets a short mail saying what and how; `quarantine.receipt_to` is
-- that rep (set only for such entries), `receipt_done_at` when the receipt
-- was queued or skipped by the rate limit. The outbox takes the new kind
-- (and `alert`, for admins), which needs a rebuild of its CHECK constraint.
ALTER TABLE quarantine ADD COLUMN receipt_to TEXT;
ALTER TABLE quarantine ADD COLUMN receipt_done_at TEXT;
CREATE INDEX quarantine_receipts ON quarantine (receipt_done_at) WHERE receipt_to IS NOT NULL;

CREATE TABLE outbox_kinds (
    id              INTEGER PRIMARY KEY, -- SQLite: row id
    kind            TEXT NOT NULL CHECK (kind IN ('digest', 'confirmation', 'receipt', 'alert')),
    user_email      TEXT NOT NULL,
    local_date      TEXT,
    message_id      TEXT NOT NULL UNIQUE,
    in_reply_to     TEXT,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    text_body       TEXT NOT NULL,
    html_body       TEXT,
    header_value    TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    sent_at         TEXT,
    failed_at       TEXT
);
INSERT INTO outbox_kinds SELECT id, kind, user_email, local_date, message_id, in_reply_to,
    recipient, subject, text_body, html_body, header_value, created_at, attempts,
    next_attempt_at, last_error, sent_at, failed_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_kinds RENAME TO outbox;
CREATE UNIQUE INDEX outbox_one_digest_a_day ON outbox (user_email, local_date) WHERE kind = 'digest';
CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
