-- Documents (docs/decisions.md, "Documents"): records the core has no
-- meaning for, kept as the JSON object an API was given, scoped to a
-- dealer, and listed through the query model, whose fields are JSON paths
-- into body (Walcu's chatproviders, offers, repair orders…).
--   collection  "<api>.<collection>" ("walcu.offers")
--   body        the document, a JSON object (TEXT here, JSONB on PostgreSQL)
--   client_id   the client it is about, when any (a client of its dealer)
--   lead_id     the lead it is about, when any (a lead of its dealer)
--   record_id   for the extension of a core record (a Walcu salelead's
--               fields the core has no place for): that record's id; one
--               document per collection and record
-- Its indexes serve a dealer's collection by id, creation and update
-- time, the documents of a client or lead, and the extension of a record.

-- +goose Up
CREATE TABLE documents (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id  TEXT    NOT NULL UNIQUE,
    dealer_id  BIGINT  NOT NULL REFERENCES dealers (id) ON DELETE CASCADE,
    collection TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    client_id  BIGINT  REFERENCES clients (id) ON DELETE SET NULL,
    lead_id    BIGINT  REFERENCES leads (id) ON DELETE SET NULL,
    record_id  BIGINT,
    created_by BIGINT  REFERENCES users (id),
    updated_by BIGINT  REFERENCES users (id),
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX documents_dealer_id ON documents (dealer_id, collection, id);
CREATE INDEX documents_dealer_created ON documents (dealer_id, collection, created_at, id);
CREATE INDEX documents_dealer_updated ON documents (dealer_id, collection, updated_at, id);
CREATE INDEX documents_client ON documents (client_id);
CREATE INDEX documents_lead ON documents (lead_id);
CREATE UNIQUE INDEX documents_record ON documents (collection, record_id) WHERE record_id IS NOT NULL;

-- +goose Down
DROP TABLE documents;
