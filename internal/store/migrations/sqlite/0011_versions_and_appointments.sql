-- Optimistic concurrency and appointments (docs/decisions.md, "Versions"
-- and "Appointments").
--
-- tasks, notes (and tags) and clients get a version of their own, as
-- leads have had since 0001: 1 when the record is created, one more with
-- every change of it. A change that carries the version its caller read
-- fails when the record has another. Existing records start at 1.
--
-- appointments are a lead's client's visits, test drives, deliveries,
-- appraisals and workshop appointments at the dealer (Walcu's dates,
-- Casabaca's meetings), a collection of their own:
--   dealer_id   the lead's dealer
--   client_id   the lead's client when the appointment was made (NULL
--               when the lead had none)
--   user_id     the assigned user who receives the client
--   type        visit, test_drive, delivery, appraisal, workshop
--   status      planned, done, cancelled, no_show
--   remote      held by video or phone rather than at the dealer
--   start_at    when it starts; end_at when it ends (NULL: not said)
--   ext         fields only one API has, a JSON object keyed
--               "<api>.<field>", as dealers.ext
-- Its indexes serve the lists the APIs ask for: a dealer's agenda by
-- start, changes since a time (updated_at), by id, a user's agenda, a
-- lead's appointments; and the foreign key to clients.

-- +goose Up
ALTER TABLE tasks ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE notes ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE clients ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

CREATE TABLE appointments (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id  TEXT    NOT NULL UNIQUE,
    dealer_id  BIGINT  NOT NULL REFERENCES dealers (id) ON DELETE CASCADE,
    lead_id    BIGINT  NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    client_id  BIGINT  REFERENCES clients (id),
    user_id    BIGINT  REFERENCES users (id),
    created_by BIGINT  REFERENCES users (id),
    type       TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    remote     BOOLEAN NOT NULL DEFAULT FALSE,
    title      TEXT    NOT NULL DEFAULT '',
    place      TEXT    NOT NULL DEFAULT '',
    comments   TEXT    NOT NULL DEFAULT '',
    start_at   BIGINT  NOT NULL,
    end_at     BIGINT,
    ext        TEXT    NOT NULL DEFAULT '{}',
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX appointments_dealer_start ON appointments (dealer_id, start_at, id);
CREATE INDEX appointments_dealer_updated ON appointments (dealer_id, updated_at, id);
CREATE INDEX appointments_dealer_id ON appointments (dealer_id, id);
CREATE INDEX appointments_dealer_user ON appointments (dealer_id, user_id, start_at, id);
CREATE INDEX appointments_lead ON appointments (lead_id, start_at, id);
CREATE INDEX appointments_client ON appointments (client_id);

-- +goose Down
DROP TABLE appointments;
ALTER TABLE clients DROP COLUMN version;
ALTER TABLE notes DROP COLUMN version;
ALTER TABLE tasks DROP COLUMN version;
