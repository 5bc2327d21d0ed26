-- Walcu's WQL compares a car's make, model, plate and VIN case aside
-- (car.make:seat finds "SEAT" and "Seat"; docs/walcu.md, "WQL compares
-- text case aside"), q's $eq exactly (MongoDB's meaning). One index each
-- serves both: 0051's indexes are replaced by indexes of the lower-cased
-- text (unicode_lower, the store's Unicode lower-casing registered with
-- the driver, store/sql.go: SQLite's own lower() folds ASCII alone), which
-- an exact comparison reads too (lower(col) = lower(value) AND col =
-- value). The plate's and VIN's are partial (most vehicles have none), as
-- on PostgreSQL. No index more on vehicles: a lead's creation costs the
-- same. The sqlite3 shell lacks unicode_lower: it reads such a database
-- but cannot write a vehicle (docs/walcu.md, "WQL compares text case
-- aside").

-- +goose Up
DROP INDEX vehicles_make;
DROP INDEX vehicles_model;
DROP INDEX vehicles_plate;
DROP INDEX vehicles_vin;
CREATE INDEX vehicles_make ON vehicles (unicode_lower(make));
CREATE INDEX vehicles_model ON vehicles (unicode_lower(model));
CREATE INDEX vehicles_plate ON vehicles (unicode_lower(plate)) WHERE plate <> '';
CREATE INDEX vehicles_vin ON vehicles (unicode_lower(vin)) WHERE vin <> '';

-- +goose Down
DROP INDEX vehicles_make;
DROP INDEX vehicles_model;
DROP INDEX vehicles_plate;
DROP INDEX vehicles_vin;
CREATE INDEX vehicles_make ON vehicles (make);
CREATE INDEX vehicles_model ON vehicles (model);
CREATE INDEX vehicles_plate ON vehicles (plate);
CREATE INDEX vehicles_vin ON vehicles (vin);
