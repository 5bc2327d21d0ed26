-- The rows a new lead refers to that forecourt never deletes (dealers,
-- users, sources, fuels, provinces, localities) are kept by guards on
-- those tables instead of by foreign keys on the tables a lead's creation
-- writes (docs/decisions.md, "Reference rows are kept by guards on
-- PostgreSQL"; docs/benchmarks.md, "Lead creation on PostgreSQL: the
-- reference keys"). Each foreign key ran a check per inserted row, 13 a
-- complex lead: a query through SPI that locks the referenced row FOR KEY
-- SHARE, and the rows are the same for every lead of a dealer (its user,
-- its dealer row, its source), so 16 concurrent creations made a new
-- MultiXact on those rows for each lock, and WAL. The core checks every
-- such id before writing (core.checkLeadRefs); the guards make sure the
-- row it found stays: these rows cannot be deleted (nor the tables
-- truncated). The foreign keys among a lead's own rows (tasks, notes,
-- history to the lead, the lead to its client and vehicle) stay: they
-- carry the ON DELETE CASCADE a lead's deletion relies on. So does the
-- lead's to its dealer: its KEY SHARE lock on the dealer's row is what
-- serialises a creation with a consumer's registration (delivery.go).

-- +goose Up
ALTER TABLE clients DROP CONSTRAINT clients_dealer_id_fkey;
ALTER TABLE clients DROP CONSTRAINT clients_province_id_fkey;
ALTER TABLE clients DROP CONSTRAINT clients_locality_id_fkey;
ALTER TABLE vehicles DROP CONSTRAINT vehicles_gas_id_fkey;
ALTER TABLE leads DROP CONSTRAINT leads_created_by_fkey;
ALTER TABLE leads DROP CONSTRAINT leads_user_id_fkey;
ALTER TABLE leads DROP CONSTRAINT leads_source_id_fkey;
ALTER TABLE tasks DROP CONSTRAINT tasks_author_id_fkey;
ALTER TABLE appraisals DROP CONSTRAINT appraisals_gas_id_fkey;
ALTER TABLE notes DROP CONSTRAINT notes_dealer_id_fkey;
ALTER TABLE notes DROP CONSTRAINT notes_author_id_fkey;
ALTER TABLE lead_history DROP CONSTRAINT lead_history_user_id_fkey;

-- +goose StatementBegin
CREATE FUNCTION reference_rows_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'rows of % are never deleted: leads refer to them (docs/decisions.md, "Reference rows are kept by guards on PostgreSQL")', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER dealers_kept BEFORE DELETE OR TRUNCATE ON dealers FOR EACH STATEMENT EXECUTE FUNCTION reference_rows_kept();
CREATE TRIGGER users_kept BEFORE DELETE OR TRUNCATE ON users FOR EACH STATEMENT EXECUTE FUNCTION reference_rows_kept();
CREATE TRIGGER sources_kept BEFORE DELETE OR TRUNCATE ON sources FOR EACH STATEMENT EXECUTE FUNCTION reference_rows_kept();
CREATE TRIGGER gas_types_kept BEFORE DELETE OR TRUNCATE ON gas_types FOR EACH STATEMENT EXECUTE FUNCTION reference_rows_kept();
CREATE TRIGGER provinces_kept BEFORE DELETE OR TRUNCATE ON provinces FOR EACH STATEMENT EXECUTE FUNCTION reference_rows_kept();
CREATE TRIGGER localities_kept BEFORE DELETE OR TRUNCATE ON localities FOR EACH STATEMENT EXECUTE FUNCTION reference_rows_kept();

-- +goose Down
DROP TRIGGER localities_kept ON localities;
DROP TRIGGER provinces_kept ON provinces;
DROP TRIGGER gas_types_kept ON gas_types;
DROP TRIGGER sources_kept ON sources;
DROP TRIGGER users_kept ON users;
DROP TRIGGER dealers_kept ON dealers;
DROP FUNCTION reference_rows_kept();
ALTER TABLE lead_history ADD CONSTRAINT lead_history_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id);
ALTER TABLE notes ADD CONSTRAINT notes_author_id_fkey FOREIGN KEY (author_id) REFERENCES users (id);
ALTER TABLE notes ADD CONSTRAINT notes_dealer_id_fkey FOREIGN KEY (dealer_id) REFERENCES dealers (id) ON DELETE CASCADE;
ALTER TABLE appraisals ADD CONSTRAINT appraisals_gas_id_fkey FOREIGN KEY (gas_id) REFERENCES gas_types (id);
ALTER TABLE tasks ADD CONSTRAINT tasks_author_id_fkey FOREIGN KEY (author_id) REFERENCES users (id);
ALTER TABLE leads ADD CONSTRAINT leads_source_id_fkey FOREIGN KEY (source_id) REFERENCES sources (id);
ALTER TABLE leads ADD CONSTRAINT leads_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id);
ALTER TABLE leads ADD CONSTRAINT leads_created_by_fkey FOREIGN KEY (created_by) REFERENCES users (id);
ALTER TABLE vehicles ADD CONSTRAINT vehicles_gas_id_fkey FOREIGN KEY (gas_id) REFERENCES gas_types (id);
ALTER TABLE clients ADD CONSTRAINT clients_locality_id_fkey FOREIGN KEY (locality_id) REFERENCES localities (id);
ALTER TABLE clients ADD CONSTRAINT clients_province_id_fkey FOREIGN KEY (province_id) REFERENCES provinces (id);
ALTER TABLE clients ADD CONSTRAINT clients_dealer_id_fkey FOREIGN KEY (dealer_id) REFERENCES dealers (id) ON DELETE CASCADE;
