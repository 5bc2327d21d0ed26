-- Walcu's WQL compares a car's make, model, plate and VIN case aside; see
-- the SQLite migration of the same number. 0051's indexes are replaced by
-- indexes of the lower-cased text (lower(), Unicode under the database's
-- UTF-8 ctype), which q's exact $eq reads too (lower(col) = lower(value)
-- AND col = value). The further cars of a Walcu salelead's car_list live
-- in the Ext, where equality is containment (leads_ext_gin), exact only:
-- leads_further_cars holds the leads whose car_list has a second element
-- (few), whose JSON a condition case aside reads, as SQLite's 0051 index
-- of that name. Its condition reads the JSON only of an ext naming
-- car_list, so a lead's creation parses no more JSON than before.
-- ANALYZE: an index of an expression has statistics of its own, which
-- PostgreSQL has only after an analyze (see 0052).

-- +goose Up
DROP INDEX vehicles_make;
DROP INDEX vehicles_model;
DROP INDEX vehicles_plate;
DROP INDEX vehicles_vin;
CREATE INDEX vehicles_make ON vehicles (lower(make));
CREATE INDEX vehicles_model ON vehicles (lower(model));
CREATE INDEX vehicles_plate ON vehicles (lower(plate)) WHERE plate <> '';
CREATE INDEX vehicles_vin ON vehicles (lower(vin)) WHERE vin <> '';
CREATE INDEX leads_further_cars ON leads (dealer_id) WHERE ext LIKE '%"car_list"%' AND ((ext::jsonb) #> '{walcu,car_list,1}') IS NOT NULL;
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM vehicles) THEN
        ANALYZE vehicles;
    END IF;
END $$;
-- +goose StatementEnd

-- +goose Down
DROP INDEX leads_further_cars;
DROP INDEX vehicles_make;
DROP INDEX vehicles_model;
DROP INDEX vehicles_plate;
DROP INDEX vehicles_vin;
CREATE INDEX vehicles_make ON vehicles (make);
CREATE INDEX vehicles_model ON vehicles (model);
CREATE INDEX vehicles_plate ON vehicles (plate) WHERE plate <> '';
CREATE INDEX vehicles_vin ON vehicles (vin) WHERE vin <> '';
