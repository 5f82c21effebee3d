-- leadmail schema, version 18: the leads list's search and its order by
-- due time without reading every lead (issue 18).
--
-- * A trigram index (FTS5, `tokenize = 'trigram'`) over each text the
--   search looks in: a lead's title, a company's name and domain, a
--   contact's name, phone and phone without spaces, dashes and brackets,
--   and a contact's addresses. Each `fts_*` table's rowid is its base
--   row's id; triggers keep it in step with every write. The search asks
--   it for candidates and still checks each with the `LIKE` it always
--   used, so the results are the same; words shorter than three
--   characters have no trigram and are looked for as before.
-- * The open next actions by due time and lead, so the list sorted by due
--   time reads them in order and stops after its page.
--
-- Tables named `fts_*` (and FTS5's own `fts_*_data`, `_idx`, …) are
-- derived: `db copy` and the PostgreSQL schema check leave them out.

CREATE VIRTUAL TABLE fts_leads USING fts5 (title, tokenize = 'trigram');
INSERT INTO fts_leads (rowid, title) SELECT id, title FROM leads;
CREATE TRIGGER fts_leads_insert AFTER INSERT ON leads BEGIN
    INSERT INTO fts_leads (rowid, title) VALUES (NEW.id, NEW.title);
END;
CREATE TRIGGER fts_leads_update AFTER UPDATE OF title ON leads BEGIN
    UPDATE fts_leads SET title = NEW.title WHERE rowid = NEW.id;
END;
CREATE TRIGGER fts_leads_delete AFTER DELETE ON leads BEGIN
    DELETE FROM fts_leads WHERE rowid = OLD.id;
END;

CREATE VIRTUAL TABLE fts_companies USING fts5 (name, domain, tokenize = 'trigram');
INSERT INTO fts_companies (rowid, name, domain) SELECT id, name, domain FROM companies;
CREATE TRIGGER fts_companies_insert AFTER INSERT ON companies BEGIN
    INSERT INTO fts_companies (rowid, name, domain) VALUES (NEW.id, NEW.name, NEW.domain);
END;
CREATE TRIGGER fts_companies_update AFTER UPDATE OF name, domain ON companies BEGIN
    UPDATE fts_companies SET name = NEW.name, domain = NEW.domain WHERE rowid = NEW.id;
END;
CREATE TRIGGER fts_companies_delete AFTER DELETE ON companies BEGIN
    DELETE FROM fts_companies WHERE rowid = OLD.id;
END;

CREATE VIRTUAL TABLE fts_contacts USING fts5 (name, phone, digits, tokenize = 'trigram');
INSERT INTO fts_contacts (rowid, name, phone, digits)
SELECT id, name, phone,
       replace(replace(replace(replace(phone, ' ', ''), '-', ''), '(', ''), ')', '')
FROM contacts;
CREATE TRIGGER fts_contacts_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO fts_contacts (rowid, name, phone, digits)
    VALUES (NEW.id, NEW.name, NEW.phone,
            replace(replace(replace(replace(NEW.phone, ' ', ''), '-', ''), '(', ''), ')', ''));
END;
CREATE TRIGGER fts_contacts_update AFTER UPDATE OF name, phone ON contacts BEGIN
    UPDATE fts_contacts
    SET name = NEW.name, phone = NEW.phone,
        digits = replace(replace(replace(replace(NEW.phone, ' ', ''), '-', ''), '(', ''), ')', '')
    WHERE rowid = NEW.id;
END;
CREATE TRIGGER fts_contacts_delete AFTER DELETE ON contacts BEGIN
    DELETE FROM fts_contacts WHERE rowid = OLD.id;
END;

CREATE VIRTUAL TABLE fts_emails USING fts5 (address, tokenize = 'trigram');
INSERT INTO fts_emails (rowid, address) SELECT id, address FROM contact_emails;
CREATE TRIGGER fts_emails_insert AFTER INSERT ON contact_emails BEGIN
    INSERT INTO fts_emails (rowid, address) VALUES (NEW.id, NEW.address);
END;
CREATE TRIGGER fts_emails_update AFTER UPDATE OF address ON contact_emails BEGIN
    UPDATE fts_emails SET address = NEW.address WHERE rowid = NEW.id;
END;
CREATE TRIGGER fts_emails_delete AFTER DELETE ON contact_emails BEGIN
    DELETE FROM fts_emails WHERE rowid = OLD.id;
END;

CREATE INDEX next_actions_due_lead ON next_actions (due_at, lead_id) WHERE done_at IS NULL;
DROP INDEX next_actions_due;
