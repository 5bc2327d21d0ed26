-- The trigram index leads_fts now takes new leads in chunks rather than at
-- every write batch: FTS5 writes one segment of its index per transaction
-- and keeps merging them, which cost ~15% of a lead's creation when every
-- batch of a few leads wrote its own. Leads with an id above indexed_upto
-- are not in leads_fts yet; the store's searches test them row by row (see
-- find.go ftsFilter) and the writer indexes them when 256 are waiting or
-- when it is idle (write.go). Every lead existing now is indexed (0003
-- indexed each batch's leads before its commit).

-- +goose Up
CREATE TABLE lead_search_state (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    indexed_upto BIGINT  NOT NULL
);
INSERT INTO lead_search_state (id, indexed_upto) SELECT 1, coalesce(max(id), 0) FROM leads;

-- +goose Down
INSERT INTO leads_fts (rowid, client_name, client_phone, client_email, search_text)
    SELECT id, client_name, client_phone, client_email, search_text FROM leads
    WHERE id > (SELECT indexed_upto FROM lead_search_state);
DROP TABLE lead_search_state;
