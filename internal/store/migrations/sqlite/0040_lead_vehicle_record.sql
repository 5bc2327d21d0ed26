-- A lead's vehicle of interest linked to the stock car it is
-- (core.Vehicle.RecordID; docs/walcu.md, "A lead's cars"): until now a
-- salelead named its stock car only in its Walcu extension fields
-- (car_list[0].car_id), which no index reaches. The link lets a car count
-- its leads (Walcu's cars' computed.car_number_of_saleleads) and a lead's
-- search find its car's plate and VIN, through one indexed column.
-- The index is partial: most leads name no stock car, and their vehicles
-- cost it nothing. A search word looks the dealer's stock cars' plates
-- and VINs up (store/searchcars.go): vehicle_records_plate_vin holds both,
-- so that the look-up reads that index alone, not each car's row. A deleted vehicle record leaves its leads unlinked
-- (the trigger), not broken: the same on both engines, and no foreign key
-- check on a lead's write (PostgreSQL's lead writes have none, 0031).
-- Existing leads are linked from what names their car today: a sale
-- lead's walcu.car_list[0].car_id, when it is the public id of a stock
-- car of the lead's dealer.

-- +goose Up
ALTER TABLE vehicles ADD COLUMN record_id BIGINT;
CREATE INDEX vehicles_record ON vehicles (record_id) WHERE record_id IS NOT NULL;
CREATE INDEX vehicle_records_plate_vin ON vehicle_records (dealer_id, kind, plate, vin);
-- +goose StatementBegin
CREATE TRIGGER vehicle_records_unlink AFTER DELETE ON vehicle_records BEGIN
    UPDATE vehicles SET record_id = NULL WHERE record_id = OLD.id;
END;
-- +goose StatementEnd
UPDATE vehicles SET record_id = (
    SELECT r.id FROM leads l JOIN vehicle_records r
        ON r.public_id = (CASE WHEN json_valid(l.ext) THEN json_extract(l.ext, '$.walcu.car_list[0].car_id') END)
    WHERE l.vehicle_id = vehicles.id AND l.kind = 'sale' AND r.dealer_id = l.dealer_id AND r.kind = 'stock')
WHERE id IN (SELECT vehicle_id FROM leads WHERE kind = 'sale' AND ext LIKE '%"car_id"%');

-- +goose Down
DROP TRIGGER vehicle_records_unlink;
DROP INDEX vehicle_records_plate_vin;
DROP INDEX vehicles_record;
ALTER TABLE vehicles DROP COLUMN record_id;
