-- The trigram index leads_fts also holds each lead's dealer, as the text
-- ",<dealer id>,", so that a search is counted by the index alone: checking
-- the dealer of every match in the leads table cost ~2 µs a match, two
-- thirds of a search matching 10,000 leads. A search term never holds a
-- comma (the store splits terms on commas and whitespace), so no term can
-- match the dealer column; the store names it in a column filter.

-- +goose Up
ALTER TABLE leads ADD COLUMN dealer_tag TEXT GENERATED ALWAYS AS (',' || dealer_id || ',') VIRTUAL;
DROP TRIGGER leads_fts_update;
DROP TRIGGER leads_fts_delete;
DROP TABLE leads_fts;
CREATE VIRTUAL TABLE leads_fts USING fts5(
    client_name, client_phone, client_email, search_text, dealer_tag,
    content = 'leads', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO leads_fts (leads_fts) VALUES ('rebuild');
UPDATE lead_search_state SET indexed_upto = coalesce((SELECT max(id) FROM leads), 0);

-- +goose StatementBegin
CREATE TRIGGER leads_fts_delete AFTER DELETE ON leads BEGIN
    INSERT INTO leads_fts (leads_fts, rowid, client_name, client_phone, client_email, search_text, dealer_tag)
    VALUES ('delete', old.id, old.client_name, old.client_phone, old.client_email, old.search_text, old.dealer_tag);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER leads_fts_update AFTER UPDATE OF client_name, client_phone, client_email, search_text, dealer_id ON leads
WHEN old.client_name IS NOT new.client_name OR old.client_phone IS NOT new.client_phone
  OR old.client_email IS NOT new.client_email OR old.search_text IS NOT new.search_text
  OR old.dealer_id IS NOT new.dealer_id
BEGIN
    INSERT INTO leads_fts (leads_fts, rowid, client_name, client_phone, client_email, search_text, dealer_tag)
    VALUES ('delete', old.id, old.client_name, old.client_phone, old.client_email, old.search_text, old.dealer_tag);
    INSERT INTO leads_fts (rowid, client_name, client_phone, client_email, search_text, dealer_tag)
    VALUES (new.id, new.client_name, new.client_phone, new.client_email, new.search_text, new.dealer_tag);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER leads_fts_update;
DROP TRIGGER leads_fts_delete;
DROP TABLE leads_fts;
CREATE VIRTUAL TABLE leads_fts USING fts5(
    client_name, client_phone, client_email, search_text,
    content = 'leads', content_rowid = 'id', tokenize = 'trigram'
);
INSERT INTO leads_fts (leads_fts) VALUES ('rebuild');
UPDATE lead_search_state SET indexed_upto = coalesce((SELECT max(id) FROM leads), 0);

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

ALTER TABLE leads DROP COLUMN dealer_tag;
