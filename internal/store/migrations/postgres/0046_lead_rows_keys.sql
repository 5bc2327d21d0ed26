-- A lead's own rows (its tasks, their appraisals, its notes and tags, the
-- lead's vehicle) carry no foreign key to the lead's rows on PostgreSQL,
-- and notes_task holds the notes of tasks only (docs/decisions.md, "A
-- lead's own rows are kept together by the store on PostgreSQL";
-- docs/benchmarks.md, "Lead creation on PostgreSQL: a lead's own keys").
-- Each key ran a check per inserted row, seven a complex lead: a query
-- through SPI that looks up and locks FOR KEY SHARE a row the same
-- statement had just inserted. Nothing else can refer to those rows: they
-- are inserted only with the lead (one statement) or under the lead's row
-- locked FOR UPDATE (lockLead), and the store deletes them itself where the
-- cascades did (deleteLeadRows, deleteTaskRows), after the lead or the
-- task. Kept: the history's key to the lead (its rows are also written by
-- paths that do not lock the lead), the lead's to its client (a client is
-- deleted while leads may be created for it) and to its dealer (delivery.go).

-- +goose Up
ALTER TABLE tasks DROP CONSTRAINT tasks_lead_id_fkey;
ALTER TABLE appraisals DROP CONSTRAINT appraisals_task_id_fkey;
ALTER TABLE notes DROP CONSTRAINT notes_lead_id_fkey;
ALTER TABLE notes DROP CONSTRAINT notes_task_id_fkey;
ALTER TABLE leads DROP CONSTRAINT leads_vehicle_id_fkey;
DROP INDEX notes_task;
CREATE INDEX notes_task ON notes (task_id) WHERE task_id IS NOT NULL;

-- +goose Down
DROP INDEX notes_task;
CREATE INDEX notes_task ON notes (task_id);
ALTER TABLE leads ADD CONSTRAINT leads_vehicle_id_fkey FOREIGN KEY (vehicle_id) REFERENCES vehicles (id);
ALTER TABLE notes ADD CONSTRAINT notes_task_id_fkey FOREIGN KEY (task_id) REFERENCES tasks (id) ON DELETE CASCADE;
ALTER TABLE notes ADD CONSTRAINT notes_lead_id_fkey FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE CASCADE;
ALTER TABLE appraisals ADD CONSTRAINT appraisals_task_id_fkey FOREIGN KEY (task_id) REFERENCES tasks (id) ON DELETE CASCADE;
ALTER TABLE tasks ADD CONSTRAINT tasks_lead_id_fkey FOREIGN KEY (lead_id) REFERENCES leads (id) ON DELETE CASCADE;
