-- A vehicle record's history (core/vehiclehistory.go): each creation,
-- change and deletion of a stock car or a client's vehicle, with its
-- user, time and changes (a JSON array as lead_history's). Not tied to
-- vehicle_records: a deleted record's history stays, its deletion its
-- last entry; it goes with its dealer.

-- +goose Up
CREATE TABLE vehicle_history (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    vehicle_id BIGINT  NOT NULL,
    dealer_id  BIGINT  NOT NULL REFERENCES dealers (id) ON DELETE CASCADE,
    at         BIGINT  NOT NULL,
    user_id    BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    type       TEXT    NOT NULL,
    changes    TEXT    NOT NULL DEFAULT '[]'
);
CREATE INDEX vehicle_history_vehicle ON vehicle_history (vehicle_id, at, id);
CREATE INDEX vehicle_history_dealer ON vehicle_history (dealer_id);

-- +goose Down
DROP TABLE vehicle_history;
