-- The dealer's vehicles as records of their own (core.VehicleRecord):
-- its stock cars (kind 'stock') and its clients' own vehicles (kind
-- 'owned', client_id their owner, deleted with it). Plate, VIN, make and
-- model are what people find a vehicle by: each has an index led by the
-- dealer and kind, as a list of one kind is (Walcu's cars, clientvehicles).
-- ext holds what one API has of a vehicle, a JSON object by API, as a
-- lead's (migration 0018). A lead's vehicle of interest stays in
-- vehicles (docs/decisions.md, "Vehicles").

-- +goose Up
CREATE TABLE vehicle_records (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id  TEXT    NOT NULL UNIQUE,
    dealer_id  BIGINT  NOT NULL REFERENCES dealers (id) ON DELETE CASCADE,
    client_id  BIGINT  REFERENCES clients (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL,
    plate      TEXT    NOT NULL DEFAULT '',
    vin        TEXT    NOT NULL DEFAULT '',
    make       TEXT    NOT NULL DEFAULT '',
    model      TEXT    NOT NULL DEFAULT '',
    variant    TEXT    NOT NULL DEFAULT '',
    year       INTEGER,
    km         BIGINT,
    fuel       TEXT    NOT NULL DEFAULT '',
    price      DOUBLE PRECISION,
    colour     TEXT    NOT NULL DEFAULT '',
    ext        TEXT    NOT NULL DEFAULT '{}',
    created_by BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    updated_by BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX vehicle_records_dealer_kind_created ON vehicle_records (dealer_id, kind, created_at);
CREATE INDEX vehicle_records_dealer_kind_updated ON vehicle_records (dealer_id, kind, updated_at);
CREATE INDEX vehicle_records_plate ON vehicle_records (dealer_id, kind, plate);
CREATE INDEX vehicle_records_vin ON vehicle_records (dealer_id, kind, vin);
CREATE INDEX vehicle_records_make_model ON vehicle_records (dealer_id, kind, make, model);
CREATE INDEX vehicle_records_model ON vehicle_records (dealer_id, kind, model);
CREATE INDEX vehicle_records_client ON vehicle_records (client_id, id);

-- +goose Down
DROP TABLE vehicle_records;
