-- A task keeps its lead's dealer (dealer_id) and its lead's assignee
-- (lead_user_id), so that the web's "Mis tareas" (a user's open tasks,
-- by planned date, and their count) reads one range of an index instead
-- of walking the dealer's tasks: ~0.35 s of CPU a page on a dealer of
-- 100,000 tasks on SQLite before (docs/benchmarks.md, "Mis tareas on
-- 100,000 tasks"). A task has no assignee of its own: lead_user_id is
-- not one, it is the lead's user_id, kept equal to it.
--
-- The store writes both with a new task (insertTask); triggers keep
-- them whoever writes (docs/decisions.md, "A task keeps its lead's dealer
-- and assignee"): a new task inserted without them takes its lead's (on
-- SQLite, which cannot change a row before it is inserted, by updating
-- it after), a task moved to another lead takes that lead's, and a lead
-- whose assignee (or dealer) changes gives it to its tasks. A deleted
-- task takes its entry with it; a deleted lead deletes its tasks.
-- The lists of tasks (Walcu's tasks, "Mis tareas") scope by tasks.dealer_id.
-- Existing tasks are filled from their leads.

-- +goose Up
ALTER TABLE tasks ADD COLUMN dealer_id BIGINT;
ALTER TABLE tasks ADD COLUMN lead_user_id BIGINT;
UPDATE tasks SET (dealer_id, lead_user_id) = (SELECT l.dealer_id, l.user_id FROM leads l WHERE l.id = tasks.lead_id);
CREATE INDEX tasks_dealer_user ON tasks (dealer_id, lead_user_id, done, planned_at, id);
-- +goose StatementBegin
CREATE TRIGGER tasks_lead_new AFTER INSERT ON tasks WHEN NEW.dealer_id IS NULL BEGIN
    UPDATE tasks SET (dealer_id, lead_user_id) = (SELECT l.dealer_id, l.user_id FROM leads l WHERE l.id = NEW.lead_id)
    WHERE id = NEW.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER tasks_lead_moved AFTER UPDATE OF lead_id ON tasks WHEN NEW.lead_id IS NOT OLD.lead_id BEGIN
    UPDATE tasks SET (dealer_id, lead_user_id) = (SELECT l.dealer_id, l.user_id FROM leads l WHERE l.id = NEW.lead_id)
    WHERE id = NEW.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER leads_tasks_follow AFTER UPDATE OF dealer_id, user_id ON leads
WHEN NEW.user_id IS NOT OLD.user_id OR NEW.dealer_id IS NOT OLD.dealer_id BEGIN
    UPDATE tasks SET dealer_id = NEW.dealer_id, lead_user_id = NEW.user_id WHERE lead_id = NEW.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER leads_tasks_follow;
DROP TRIGGER tasks_lead_moved;
DROP TRIGGER tasks_lead_new;
DROP INDEX tasks_dealer_user;
ALTER TABLE tasks DROP COLUMN lead_user_id;
ALTER TABLE tasks DROP COLUMN dealer_id;
