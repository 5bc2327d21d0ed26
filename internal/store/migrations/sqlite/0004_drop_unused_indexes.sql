-- Indexes that no query of the store reads: they index the references to
-- users, sources, gas types, provinces and localities, which only deleting
-- one of those would look up, and the store deletes none of them. A whole
-- lead (client, vehicle, task with appraisal, 3 notes, history) wrote 15
-- entries into them. A delete of such a row added later must bring its
-- index back first.

-- +goose Up
DROP INDEX notes_author;
DROP INDEX tasks_author;
DROP INDEX note_versions_user;
DROP INDEX lead_history_user;
DROP INDEX leads_user;
DROP INDEX leads_created_by;
DROP INDEX leads_source;
DROP INDEX appraisals_gas;
DROP INDEX vehicles_gas;
DROP INDEX clients_province;
DROP INDEX clients_locality;
DROP INDEX call_controls_user;

-- +goose Down
CREATE INDEX notes_author ON notes (author_id);
CREATE INDEX tasks_author ON tasks (author_id);
CREATE INDEX note_versions_user ON note_versions (user_id);
CREATE INDEX lead_history_user ON lead_history (user_id);
CREATE INDEX leads_user ON leads (user_id);
CREATE INDEX leads_created_by ON leads (created_by);
CREATE INDEX leads_source ON leads (source_id);
CREATE INDEX appraisals_gas ON appraisals (gas_id);
CREATE INDEX vehicles_gas ON vehicles (gas_id);
CREATE INDEX clients_province ON clients (province_id);
CREATE INDEX clients_locality ON clients (locality_id);
CREATE INDEX call_controls_user ON call_controls (user_id);
