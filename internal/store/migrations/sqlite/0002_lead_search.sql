-- A trigram full-text index over the lead list's text columns, so that a
-- substring filter (ClientPhoneContains, ClientEmailContains, Search) of 3
-- characters or more reads the matching rows instead of every lead of the
-- dealer. It indexes the leads table itself (external content), kept in
-- step by triggers. PostgreSQL scans instead (its 0002 is empty).

-- +goose Up
CREATE VIRTUAL TABLE leads_fts USING fts5(
    client_name, client_phone, client_email, search_text,
    content = 'leads', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO leads_fts (leads_fts) VALUES ('rebuild');

-- +goose StatementBegin
CREATE TRIGGER leads_fts_insert AFTER INSERT ON leads BEGIN
    INSERT INTO leads_fts (rowid, client_name, client_phone, client_email, search_text)
    VALUES (new.id, new.client_name, new.client_phone, new.client_email, new.search_text);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER leads_fts_delete AFTER DELETE ON leads BEGIN
    INSERT INTO leads_fts (leads_fts, rowid, client_name, client_phone, client_email, search_text)
    VALUES ('delete', old.id, old.client_name, old.client_phone, old.client_email, old.search_text);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER leads_fts_update AFTER UPDATE OF client_name, client_phone, client_email, search_text ON leads
WHEN old.client_name IS NOT new.client_name OR old.client_phone IS NOT new.client_phone
  OR old.client_email IS NOT new.client_email OR old.search_text IS NOT new.search_text
BEGIN
    INSERT INTO leads_fts (leads_fts, rowid, client_name, client_phone, client_email, search_text)
    VALUES ('delete', old.id, old.client_name, old.client_phone, old.client_email, old.search_text);
    INSERT INTO leads_fts (rowid, client_name, client_phone, client_email, search_text)
    VALUES (new.id, new.client_name, new.client_phone, new.client_email, new.search_text);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER leads_fts_update;
DROP TRIGGER leads_fts_delete;
DROP TRIGGER leads_fts_insert;
DROP TABLE leads_fts;
