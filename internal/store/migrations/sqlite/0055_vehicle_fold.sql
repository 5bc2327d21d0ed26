-- 0053's indexes were expressions over unicode_lower, a Go function the
-- server registers with its driver: any other SQLite client (the sqlite3
-- shell, a DB browser, a .dump restored elsewhere) lacks it, so it could
-- read but not write a vehicle, run PRAGMA integrity_check or VACUUM, and
-- a dump's indexes did not restore. An embedded database must stay a plain
-- SQLite file any standard tool can check, back up, dump, restore and
-- vacuum. The lower-cased text is now kept in plain columns the store
-- writes itself wherever it writes a vehicle (store/leads.go, vehicleRow
-- and updateVehicle: strings.ToLower, as the queries lower-case their
-- arguments), and the indexes are of those columns, with 0053's partial
-- conditions (plate and VIN where not empty). WQL compares make_fold =
-- 'seat'; q's exact $eq make_fold = 'seat' AND make = 'Seat', through the
-- same index (docs/walcu.md, "WQL compares text case aside"). The fill
-- below calls unicode_lower, which exists here: migrations run in the
-- server's process. PostgreSQL keeps 0053's lower() indexes (its own
-- function): its 0055 is a placeholder.

-- +goose Up
ALTER TABLE vehicles ADD COLUMN make_fold TEXT NOT NULL DEFAULT '';
ALTER TABLE vehicles ADD COLUMN model_fold TEXT NOT NULL DEFAULT '';
ALTER TABLE vehicles ADD COLUMN plate_fold TEXT NOT NULL DEFAULT '';
ALTER TABLE vehicles ADD COLUMN vin_fold TEXT NOT NULL DEFAULT '';
DROP INDEX vehicles_make;
DROP INDEX vehicles_model;
DROP INDEX vehicles_plate;
DROP INDEX vehicles_vin;
UPDATE vehicles SET make_fold = unicode_lower(make), model_fold = unicode_lower(model),
    plate_fold = unicode_lower(plate), vin_fold = unicode_lower(vin);
CREATE INDEX vehicles_make ON vehicles (make_fold);
CREATE INDEX vehicles_model ON vehicles (model_fold);
CREATE INDEX vehicles_plate ON vehicles (plate_fold) WHERE plate <> '';
CREATE INDEX vehicles_vin ON vehicles (vin_fold) WHERE vin <> '';

-- +goose Down
DROP INDEX vehicles_make;
DROP INDEX vehicles_model;
DROP INDEX vehicles_plate;
DROP INDEX vehicles_vin;
ALTER TABLE vehicles DROP COLUMN make_fold;
ALTER TABLE vehicles DROP COLUMN model_fold;
ALTER TABLE vehicles DROP COLUMN plate_fold;
ALTER TABLE vehicles DROP COLUMN vin_fold;
CREATE INDEX vehicles_make ON vehicles (unicode_lower(make));
CREATE INDEX vehicles_model ON vehicles (unicode_lower(model));
CREATE INDEX vehicles_plate ON vehicles (unicode_lower(plate)) WHERE plate <> '';
CREATE INDEX vehicles_vin ON vehicles (unicode_lower(vin)) WHERE vin <> '';
