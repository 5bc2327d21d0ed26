-- An after-sale lead's vehicle linked to the client's vehicle record it
-- is about (core.Vehicle.RecordID, kind owned; docs/walcu.md, "A lead's
-- cars"), as 0040 linked a sale lead's to its stock car: Walcu's
-- aftersalelead names it by vehicle_id, kept until now only in the lead's
-- extension fields, which no index reaches. The link lets the lead's
-- search find the vehicle's plate and VIN (store/searchcars.go). Existing
-- after-sale leads are linked from what names their vehicle today: the
-- lead's walcu.vehicle_id, when it is the public id of a client vehicle of
-- the lead's dealer. No schema change (0040's column, index and trigger).

-- +goose Up
UPDATE vehicles SET record_id = (
    SELECT r.id FROM leads l JOIN vehicle_records r
        ON r.public_id = (CASE WHEN json_valid(l.ext) THEN json_extract(l.ext, '$.walcu.vehicle_id') END)
    WHERE l.vehicle_id = vehicles.id AND l.kind = 'aftersale' AND r.dealer_id = l.dealer_id AND r.kind = 'owned')
WHERE record_id IS NULL AND id IN (SELECT vehicle_id FROM leads WHERE kind = 'aftersale' AND ext LIKE '%"vehicle_id"%');

-- +goose Down
-- The links stay: 0040's column holds them, and an older forecourt reads
-- them as it reads a sale lead's (it would not make them, nor check them).
SELECT 1;
