-- Trigram indexes for the lead list's substring filters, which scanned
-- every lead of the dealer (p50 40-140 ms on 100,000 leads): the store
-- writes a filter term of 3 characters or more as "LIKE '%term%'" on the
-- lower-cased copies, which these GIN indexes serve: ClientPhoneContains
-- on client_phone, ClientEmailContains on client_email, and each term of
-- Search on the four columns joined by spaces, the expression pgLeadSearch
-- in find.go writes the same way (one index scan per term rather than a
-- BitmapOr of four, which the planner found dearer than scanning). See
-- TestExplainFindLeadsPostgres. Shorter terms cannot use trigrams and keep
-- scanning with strpos().
--
-- pg_trgm is a trusted extension since PostgreSQL 13: the database's owner
-- can create it. The operator class is named with the schema the extension
-- lives in, which need not be on the search_path.

-- +goose Up
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- +goose StatementBegin
DO $$
DECLARE
    ops text;
BEGIN
    SELECT quote_ident(n.nspname) || '.gin_trgm_ops' INTO STRICT ops
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
    WHERE e.extname = 'pg_trgm';
    EXECUTE 'CREATE INDEX leads_client_phone_trgm ON leads USING gin (client_phone ' || ops || ')';
    EXECUTE 'CREATE INDEX leads_client_email_trgm ON leads USING gin (client_email ' || ops || ')';
    EXECUTE 'CREATE INDEX leads_search_trgm ON leads USING gin ('
        || '(client_name || '' '' || client_phone || '' '' || client_email || '' '' || search_text) ' || ops || ')';
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP INDEX leads_client_phone_trgm;
DROP INDEX leads_client_email_trgm;
DROP INDEX leads_search_trgm;
