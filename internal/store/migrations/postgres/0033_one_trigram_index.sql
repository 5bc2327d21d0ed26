-- One trigram index of leads instead of three (docs/benchmarks.md, "Fewer
-- indexes and statements per lead"). The text leads_search_trgm indexes,
-- pgLeadSearch, holds client_phone and client_email, so a substring of
-- either is a substring of it: their filters (ClientPhoneContains,
-- ClientEmailContains) are written "<search text> LIKE '%term%' AND
-- client_phone LIKE '%term%'", the index finding the candidates and the
-- column's own condition keeping exactly the leads it kept before
-- (pgSearchHolds; TestPhoneAndEmailFiltersExact,
-- TestExplainFindLeadsPostgres). Maintaining the two indexes dropped here
-- cost about a tenth of PostgreSQL's CPU and of its WAL per new lead.

-- +goose Up
DROP INDEX leads_client_phone_trgm;
DROP INDEX leads_client_email_trgm;

-- +goose Down
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
END
$$;
-- +goose StatementEnd
