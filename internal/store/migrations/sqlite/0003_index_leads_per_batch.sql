-- The store adds the leads it creates to leads_fts itself, once per
-- group-commit batch (indexLeads in write.go), instead of this trigger
-- doing it lead by lead: FTS5 wrote a new segment of the index at nearly
-- every statement. Updates and deletes keep their triggers. A lead inserted
-- by other means than the store must be indexed with the same INSERT …
-- SELECT or a 'rebuild'.

-- +goose Up
DROP TRIGGER leads_fts_insert;

-- +goose Down
-- +goose StatementBegin
CREATE TRIGGER leads_fts_insert AFTER INSERT ON leads BEGIN
    INSERT INTO leads_fts (rowid, client_name, client_phone, client_email, search_text)
    VALUES (new.id, new.client_name, new.client_phone, new.client_email, new.search_text);
END;
-- +goose StatementEnd
INSERT INTO leads_fts (leads_fts) VALUES ('rebuild');
