-- A task keeps its lead's dealer (dealer_id) and its lead's assignee
-- (lead_user_id), so that the web's "Mis tareas" (a user's open tasks,
-- by planned date, and their count) reads one range of an index instead
-- of walking the dealer's tasks (docs/benchmarks.md, "Mis tareas on
-- 100,000 tasks"). A task has no assignee of its own: lead_user_id is
-- not one, it is the lead's user_id, kept equal to it.
--
-- The store writes both with a new task (insertTask); triggers keep
-- them whoever writes (docs/decisions.md, "A task keeps its lead's dealer
-- and assignee"): a new task inserted without them takes its lead's
-- before it is inserted; a task inserted by the statement that inserts its lead (a
-- lead's creation, pgbatch.go: data-modifying WITHs share one snapshot,
-- so the lead is not there yet for the BEFORE trigger) takes it at the
-- end of that statement, from an AFTER trigger (an UPDATE of the task),
-- which, as the foreign keys' checks, sees the statement's rows; a task
-- inserted with them fires neither; a task moved to another lead takes that lead's, and a lead
-- whose assignee (or dealer) changes gives it to its tasks. A deleted task takes its entry
-- with it; a deleted lead deletes its tasks.
-- The index's planned_at is NULLS FIRST, the order of the lists'
-- ascending sorts (store/query.go, orderBy), so that a page of the dated
-- ones by date is read in the index's order and stops at its end.
-- The lists of tasks (Walcu's tasks, "Mis tareas") scope by tasks.dealer_id.
-- Existing tasks are filled from their leads.

-- +goose Up
ALTER TABLE tasks ADD COLUMN dealer_id BIGINT;
ALTER TABLE tasks ADD COLUMN lead_user_id BIGINT;
UPDATE tasks t SET dealer_id = l.dealer_id, lead_user_id = l.user_id FROM leads l WHERE l.id = t.lead_id;
CREATE INDEX tasks_dealer_user ON tasks (dealer_id, lead_user_id, done, planned_at NULLS FIRST, id);
-- +goose StatementBegin
CREATE FUNCTION tasks_lead_take() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT l.dealer_id, l.user_id INTO NEW.dealer_id, NEW.lead_user_id FROM leads l WHERE l.id = NEW.lead_id;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER tasks_lead_new BEFORE INSERT ON tasks FOR EACH ROW
    WHEN (NEW.dealer_id IS NULL) EXECUTE FUNCTION tasks_lead_take();
-- +goose StatementBegin
CREATE FUNCTION tasks_lead_late() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tasks t SET dealer_id = l.dealer_id, lead_user_id = l.user_id FROM leads l
    WHERE t.id = NEW.id AND l.id = NEW.lead_id;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER tasks_lead_late AFTER INSERT ON tasks FOR EACH ROW
    WHEN (NEW.dealer_id IS NULL) EXECUTE FUNCTION tasks_lead_late();
CREATE TRIGGER tasks_lead_moved BEFORE UPDATE OF lead_id ON tasks FOR EACH ROW
    WHEN (NEW.lead_id IS DISTINCT FROM OLD.lead_id) EXECUTE FUNCTION tasks_lead_take();
-- +goose StatementBegin
CREATE FUNCTION leads_tasks_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE tasks SET dealer_id = NEW.dealer_id, lead_user_id = NEW.user_id WHERE lead_id = NEW.id;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER leads_tasks_follow AFTER UPDATE OF dealer_id, user_id ON leads FOR EACH ROW
    WHEN (NEW.user_id IS DISTINCT FROM OLD.user_id OR NEW.dealer_id IS DISTINCT FROM OLD.dealer_id)
    EXECUTE FUNCTION leads_tasks_follow();

-- +goose Down
DROP TRIGGER leads_tasks_follow ON leads;
DROP FUNCTION leads_tasks_follow();
DROP TRIGGER tasks_lead_moved ON tasks;
DROP TRIGGER tasks_lead_late ON tasks;
DROP FUNCTION tasks_lead_late();
DROP TRIGGER tasks_lead_new ON tasks;
DROP FUNCTION tasks_lead_take();
DROP INDEX tasks_dealer_user;
ALTER TABLE tasks DROP COLUMN lead_user_id;
ALTER TABLE tasks DROP COLUMN dealer_id;
