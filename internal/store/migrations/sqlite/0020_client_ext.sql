-- A client's extension fields (what one API has for a client that the
-- core has no place for: Walcu's contacts, address, custom…), a JSON
-- object by API, as leads' (migration 0018).

-- +goose Up
ALTER TABLE clients ADD COLUMN ext TEXT NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE clients DROP COLUMN ext;
