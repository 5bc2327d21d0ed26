-- GIN indexes of leads' and clients' extension fields (JSON by API,
-- migrations 0018 and 0020), for the conditions of equality and
-- membership on them, which the store compiles as containment
-- ((ext::jsonb) @> '{"walcu": {"car_list": [{"car": {"license_plate":
-- "…"}}]}}', store/queryext.go): Walcu's car plate, VIN, make and model
-- of a lead, a contact's phone or e-mail of a client. SQLite has no such
-- index: migration 0028 does nothing there (docs/walcu.md, "Indexes").

-- +goose Up
CREATE INDEX leads_ext_gin ON leads USING gin ((ext::jsonb) jsonb_path_ops);
CREATE INDEX clients_ext_gin ON clients USING gin ((ext::jsonb) jsonb_path_ops);

-- +goose Down
DROP INDEX clients_ext_gin;
DROP INDEX leads_ext_gin;
