-- A lead's vehicle named apart: make, model, plate and VIN; see the
-- SQLite migration of the same number. The plate's and VIN's indexes are
-- partial here (most vehicles have none: a generic plan of "plate = $1"
-- would read every vehicle otherwise). On PostgreSQL a condition on the
-- further cars of Walcu's car_list (in the Ext) is served by
-- leads_ext_gin (0028); leads_vehicle_id_key (0001's UNIQUE) serves the
-- leads of the vehicles an index of make, model, plate or VIN finds.

-- +goose Up
ALTER TABLE vehicles ADD COLUMN make TEXT NOT NULL DEFAULT '';
ALTER TABLE vehicles ADD COLUMN model TEXT NOT NULL DEFAULT '';
ALTER TABLE vehicles ADD COLUMN plate TEXT NOT NULL DEFAULT '';
ALTER TABLE vehicles ADD COLUMN vin TEXT NOT NULL DEFAULT '';
UPDATE vehicles SET
    make = CASE WHEN strpos(brand_model, ' ') > 0 THEN substr(brand_model, 1, strpos(brand_model, ' ') - 1) ELSE brand_model END,
    model = CASE WHEN strpos(brand_model, ' ') > 0 THEN substr(brand_model, strpos(brand_model, ' ') + 1) ELSE '' END;
UPDATE vehicles SET
    make = CASE WHEN trim(w.make || ' ' || w.model) = vehicles.brand_model THEN w.make ELSE vehicles.make END,
    model = CASE WHEN trim(w.make || ' ' || w.model) = vehicles.brand_model THEN w.model ELSE vehicles.model END,
    plate = w.plate, vin = w.vin
FROM (SELECT vehicle_id,
        trim(coalesce(CASE WHEN jsonb_typeof(car -> 'make') = 'string' THEN car ->> 'make' END, '')) AS make,
        trim(coalesce(CASE WHEN jsonb_typeof(car -> 'model') = 'string' THEN car ->> 'model' END, '')) AS model,
        coalesce(CASE WHEN jsonb_typeof(car -> 'license_plate') = 'string' THEN car ->> 'license_plate' END, '') AS plate,
        coalesce(CASE WHEN jsonb_typeof(car -> 'vin') = 'string' THEN car ->> 'vin' END, '') AS vin
    FROM (SELECT vehicle_id, CASE kind WHEN 'sale' THEN (ext::jsonb) #> '{walcu,car_list,0,car}' ELSE (ext::jsonb) #> '{walcu,car}' END AS car
        FROM leads WHERE kind IN ('sale', 'appraisal') AND vehicle_id IS NOT NULL AND ext LIKE '%"walcu"%') l
    WHERE jsonb_typeof(car) = 'object') w
WHERE w.vehicle_id = vehicles.id;
UPDATE leads SET ext = (CASE kind
    WHEN 'sale' THEN (ext::jsonb) #- '{walcu,car_list,0,car,make}' #- '{walcu,car_list,0,car,model}'
        #- '{walcu,car_list,0,car,license_plate}' #- '{walcu,car_list,0,car,vin}'
    ELSE (ext::jsonb) #- '{walcu,car,make}' #- '{walcu,car,model}' #- '{walcu,car,license_plate}' #- '{walcu,car,vin}' END)::text
WHERE kind IN ('sale', 'appraisal') AND ext LIKE '%"walcu"%'
    AND jsonb_typeof(CASE kind WHEN 'sale' THEN (ext::jsonb) #> '{walcu,car_list,0,car}' ELSE (ext::jsonb) #> '{walcu,car}' END) = 'object';
CREATE INDEX vehicles_make ON vehicles (make);
CREATE INDEX vehicles_model ON vehicles (model);
CREATE INDEX vehicles_plate ON vehicles (plate) WHERE plate <> '';
CREATE INDEX vehicles_vin ON vehicles (vin) WHERE vin <> '';

-- +goose Down
DROP INDEX vehicles_vin;
DROP INDEX vehicles_plate;
DROP INDEX vehicles_model;
DROP INDEX vehicles_make;
UPDATE leads l SET ext = jsonb_set(jsonb_set(l.ext::jsonb, '{walcu,car_list,0,car,make}', to_jsonb(v.make)), '{walcu,car_list,0,car,model}', to_jsonb(v.model))::text
FROM vehicles v WHERE v.id = l.vehicle_id AND l.kind = 'sale' AND jsonb_typeof((l.ext::jsonb) #> '{walcu,car_list,0,car}') = 'object';
UPDATE leads l SET ext = jsonb_set(l.ext::jsonb, '{walcu,car_list,0,car,license_plate}', to_jsonb(v.plate))::text
FROM vehicles v WHERE v.id = l.vehicle_id AND v.plate <> '' AND l.kind = 'sale' AND jsonb_typeof((l.ext::jsonb) #> '{walcu,car_list,0,car}') = 'object';
UPDATE leads l SET ext = jsonb_set(l.ext::jsonb, '{walcu,car_list,0,car,vin}', to_jsonb(v.vin))::text
FROM vehicles v WHERE v.id = l.vehicle_id AND v.vin <> '' AND l.kind = 'sale' AND jsonb_typeof((l.ext::jsonb) #> '{walcu,car_list,0,car}') = 'object';
UPDATE leads l SET ext = jsonb_set(jsonb_set(l.ext::jsonb, '{walcu,car,make}', to_jsonb(v.make)), '{walcu,car,model}', to_jsonb(v.model))::text
FROM vehicles v WHERE v.id = l.vehicle_id AND l.kind = 'appraisal' AND jsonb_typeof((l.ext::jsonb) #> '{walcu,car}') = 'object';
UPDATE leads l SET ext = jsonb_set(l.ext::jsonb, '{walcu,car,license_plate}', to_jsonb(v.plate))::text
FROM vehicles v WHERE v.id = l.vehicle_id AND v.plate <> '' AND l.kind = 'appraisal' AND jsonb_typeof((l.ext::jsonb) #> '{walcu,car}') = 'object';
UPDATE leads l SET ext = jsonb_set(l.ext::jsonb, '{walcu,car,vin}', to_jsonb(v.vin))::text
FROM vehicles v WHERE v.id = l.vehicle_id AND v.vin <> '' AND l.kind = 'appraisal' AND jsonb_typeof((l.ext::jsonb) #> '{walcu,car}') = 'object';
ALTER TABLE vehicles DROP COLUMN vin;
ALTER TABLE vehicles DROP COLUMN plate;
ALTER TABLE vehicles DROP COLUMN model;
ALTER TABLE vehicles DROP COLUMN make;
