-- leadmail schema for PostgreSQL, version 19 (SQLite's
-- migrations/0019_lead_next_due.sql): the web app's admin pages without
-- reading every open lead (issue 18).
--
-- * `leads.next_due_at`: the due time of the lead's open next action
--   (NULL without one), kept by the store where next actions are opened
--   and closed, so the team table needs no join to the next actions.
-- * `leads_activity_order`, `leads_title_order`: the leads list's orders
--   by latest activity and by title; the planner reads a page from them.
--
-- No covering index for the team table (`leads_open_counts`), as on
-- SQLite: PostgreSQL's planner chose a parallel scan of `leads` over it
-- (84 ms against 44 ms forced, 100,000 leads, after VACUUM), so it would
-- only cost the filing path.

ALTER TABLE leads ADD COLUMN next_due_at TEXT;
UPDATE leads SET next_due_at = n.due_at
    FROM next_actions n WHERE n.lead_id = leads.id AND n.done_at IS NULL;
CREATE INDEX leads_activity_order ON leads (last_activity_at DESC, id);
CREATE INDEX leads_title_order ON leads (lower(title), id);
