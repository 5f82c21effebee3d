-- leadmail schema, version 20: nothing changes on SQLite. PostgreSQL's
-- migrations/postgres/0020_webhook_trigger_conditions.sql gives its
-- webhook triggers the conditions SQLite's have had since version 13
-- (each trigger's WHEN looks for a webhook cursor and the changed
-- columns, so filing mail without webhooks runs no trigger body); the
-- two backends keep one version number per schema.
SELECT 1;
