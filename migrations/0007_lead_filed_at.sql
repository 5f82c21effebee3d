-- leadmail schema, version 7: when a lead was filed, apart from when its
-- first mail was written (created_at). "New leads" in a digest are those a
-- rep has not seen in a digest yet: filed since the last one, whatever the
-- mail's own date (a forward of an older mail, a late backlog).
ALTER TABLE leads ADD COLUMN filed_at TEXT;
UPDATE leads SET filed_at = (SELECT MIN(t.created_at) FROM timeline t WHERE t.lead_id = leads.id);
