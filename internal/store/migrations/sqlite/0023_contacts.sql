-- A client's contact persons (Walcu's contacts): name, phones and e-mails
-- (JSON arrays of texts), government id, role, whether it is the client's
-- primary contact (at most one), what one API has of it (ext, a JSON
-- object by API) and its version. Deleted with their client.

-- +goose Up
CREATE TABLE contacts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id  TEXT    NOT NULL UNIQUE,
    dealer_id  BIGINT  NOT NULL REFERENCES dealers (id) ON DELETE CASCADE,
    client_id  BIGINT  NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL DEFAULT '',
    phones     TEXT    NOT NULL DEFAULT '[]',
    emails     TEXT    NOT NULL DEFAULT '[]',
    gov_id     TEXT    NOT NULL DEFAULT '',
    role       TEXT    NOT NULL DEFAULT '',
    is_primary BOOLEAN NOT NULL DEFAULT FALSE,
    ext        TEXT    NOT NULL DEFAULT '{}',
    created_by BIGINT  REFERENCES users (id),
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX contacts_client ON contacts (client_id, id);
CREATE INDEX contacts_dealer ON contacts (dealer_id, id);

-- +goose Down
DROP TABLE contacts;
