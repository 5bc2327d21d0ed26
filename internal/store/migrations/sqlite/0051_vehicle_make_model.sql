-- A lead's vehicle named apart: make, model, plate and VIN (core.Vehicle;
-- core/vehiclename.go keeps make and model one name with brand_model on
-- every write). Walcu's car_list[0].car (an appraisal lead's car) wrote
-- them in the lead's Ext, which its list's q read while its GET rendered
-- the make and model from brand_model: the two disagreed once another
-- API changed brand_model (docs/walcu.md, "A lead's cars and q").
-- Now the vehicle holds them, indexed; Walcu's Ext keeps the further
-- cars of car_list alone. Existing vehicles: make and model are
-- brand_model cut at its first space, or Walcu's make and model when they
-- still make it; plate and VIN are Walcu's; Walcu's copies leave the Ext.
-- leads_further_cars holds the leads whose Walcu car_list has more than
-- one car: a condition on those cars (in the Ext) reads them alone, not
-- each of the dealer's leads (store/queryext.go, further).

-- +goose Up
ALTER TABLE vehicles ADD COLUMN make TEXT NOT NULL DEFAULT '';
ALTER TABLE vehicles ADD COLUMN model TEXT NOT NULL DEFAULT '';
ALTER TABLE vehicles ADD COLUMN plate TEXT NOT NULL DEFAULT '';
ALTER TABLE vehicles ADD COLUMN vin TEXT NOT NULL DEFAULT '';
UPDATE vehicles SET
    make = CASE WHEN instr(brand_model, ' ') > 0 THEN substr(brand_model, 1, instr(brand_model, ' ') - 1) ELSE brand_model END,
    model = CASE WHEN instr(brand_model, ' ') > 0 THEN substr(brand_model, instr(brand_model, ' ') + 1) ELSE '' END;
UPDATE vehicles SET
    make = CASE WHEN trim(w.make || ' ' || w.model) = vehicles.brand_model THEN w.make ELSE vehicles.make END,
    model = CASE WHEN trim(w.make || ' ' || w.model) = vehicles.brand_model THEN w.model ELSE vehicles.model END,
    plate = w.plate, vin = w.vin
FROM (SELECT vehicle_id,
        trim(coalesce(CASE WHEN json_type(ext, p || '.make') = 'text' THEN json_extract(ext, p || '.make') END, '')) AS make,
        trim(coalesce(CASE WHEN json_type(ext, p || '.model') = 'text' THEN json_extract(ext, p || '.model') END, '')) AS model,
        coalesce(CASE WHEN json_type(ext, p || '.license_plate') = 'text' THEN json_extract(ext, p || '.license_plate') END, '') AS plate,
        coalesce(CASE WHEN json_type(ext, p || '.vin') = 'text' THEN json_extract(ext, p || '.vin') END, '') AS vin
    FROM (SELECT vehicle_id, ext, CASE kind WHEN 'sale' THEN '$.walcu.car_list[0].car' ELSE '$.walcu.car' END AS p FROM leads
        WHERE kind IN ('sale', 'appraisal') AND vehicle_id IS NOT NULL AND ext LIKE '%"walcu"%' AND json_valid(ext))
    WHERE json_type(ext, p) = 'object') w
WHERE w.vehicle_id = vehicles.id;
UPDATE leads SET ext = json_remove(ext, p || '.make', p || '.model', p || '.license_plate', p || '.vin')
FROM (SELECT id AS lead, CASE kind WHEN 'sale' THEN '$.walcu.car_list[0].car' ELSE '$.walcu.car' END AS p FROM leads
    WHERE kind IN ('sale', 'appraisal') AND ext LIKE '%"walcu"%' AND json_valid(ext)) w
WHERE leads.id = w.lead AND json_type(ext, p) = 'object';
CREATE INDEX vehicles_make ON vehicles (make);
CREATE INDEX vehicles_model ON vehicles (model);
CREATE INDEX vehicles_plate ON vehicles (plate);
CREATE INDEX vehicles_vin ON vehicles (vin);
CREATE INDEX leads_further_cars ON leads (dealer_id) WHERE json_array_length(ext, '$.walcu.car_list') > 1;

-- +goose Down
DROP INDEX leads_further_cars;
DROP INDEX vehicles_vin;
DROP INDEX vehicles_plate;
DROP INDEX vehicles_model;
DROP INDEX vehicles_make;
UPDATE leads SET ext = json_set(ext, p || '.make', v.make, p || '.model', v.model)
FROM (SELECT l.id AS lead, v.make, v.model, CASE l.kind WHEN 'sale' THEN '$.walcu.car_list[0].car' ELSE '$.walcu.car' END AS p
    FROM leads l JOIN vehicles v ON v.id = l.vehicle_id WHERE l.kind IN ('sale', 'appraisal') AND l.ext LIKE '%"walcu"%') v
WHERE leads.id = v.lead AND json_type(ext, p) = 'object';
UPDATE leads SET ext = json_set(ext, p || '.license_plate', v.plate)
FROM (SELECT l.id AS lead, v.plate, CASE l.kind WHEN 'sale' THEN '$.walcu.car_list[0].car' ELSE '$.walcu.car' END AS p
    FROM leads l JOIN vehicles v ON v.id = l.vehicle_id WHERE l.kind IN ('sale', 'appraisal') AND l.ext LIKE '%"walcu"%' AND v.plate <> '') v
WHERE leads.id = v.lead AND json_type(ext, p) = 'object';
UPDATE leads SET ext = json_set(ext, p || '.vin', v.vin)
FROM (SELECT l.id AS lead, v.vin, CASE l.kind WHEN 'sale' THEN '$.walcu.car_list[0].car' ELSE '$.walcu.car' END AS p
    FROM leads l JOIN vehicles v ON v.id = l.vehicle_id WHERE l.kind IN ('sale', 'appraisal') AND l.ext LIKE '%"walcu"%' AND v.vin <> '') v
WHERE leads.id = v.lead AND json_type(ext, p) = 'object';
ALTER TABLE vehicles DROP COLUMN vin;
ALTER TABLE vehicles DROP COLUMN plate;
ALTER TABLE vehicles DROP COLUMN model;
ALTER TABLE vehicles DROP COLUMN make;
