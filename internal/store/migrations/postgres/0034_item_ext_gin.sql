-- GIN indexes of the extension fields of appointments, communications,
-- contacts (a flat ext column, {"walcu.custom": "<JSON text>"}, migration
-- 0011) and of the documents that extend tasks and notes (and the
-- documents of Walcu's own collections), for the conditions of equality
-- and membership on them, which the store compiles as containment
-- (store/queryextrecords.go), as leads' and clients' (migration 0028).
--
-- A flat ext holds each field as JSON text under "<api>.<field>":
-- forecourt_flat_ext turns it into the nested JSON the fields' paths read
-- ({"walcu": {"custom": …}}), skipping what is no JSON (as the store's
-- SQLite compilation reads it: null), so that an index of it can be
-- built whatever a row holds. IMMUTABLE: it reads its argument alone.
-- SQLite has no such index: its migration 0034 does nothing.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION forecourt_flat_ext(ext text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
	out jsonb := '{}'::jsonb;
	k text;
	v text;
	val jsonb;
	api text;
BEGIN
	IF ext IS NULL OR ext = '' OR ext = '{}' THEN
		RETURN out;
	END IF;
	BEGIN
		FOR k, v IN SELECT e.key, e.value FROM jsonb_each_text(ext::jsonb) e WHERE strpos(e.key, '.') > 1 LOOP
			BEGIN
				val := v::jsonb;
			EXCEPTION WHEN others THEN
				val := NULL;
			END;
			IF val IS NOT NULL THEN
				api := split_part(k, '.', 1);
				out := jsonb_set(out, ARRAY[api], COALESCE(out -> api, '{}'::jsonb) || jsonb_build_object(substr(k, strpos(k, '.') + 1), val));
			END IF;
		END LOOP;
	EXCEPTION WHEN others THEN
		RETURN '{}'::jsonb; -- an ext that is no JSON object
	END;
	RETURN out;
END
$$;
-- +goose StatementEnd
CREATE INDEX appointments_ext_gin ON appointments USING gin (forecourt_flat_ext(ext) jsonb_path_ops);
CREATE INDEX communications_ext_gin ON communications USING gin (forecourt_flat_ext(ext) jsonb_path_ops);
CREATE INDEX contacts_ext_gin ON contacts USING gin (forecourt_flat_ext(ext) jsonb_path_ops);
CREATE INDEX documents_body_gin ON documents USING gin (body jsonb_path_ops);

-- +goose Down
DROP INDEX documents_body_gin;
DROP INDEX contacts_ext_gin;
DROP INDEX communications_ext_gin;
DROP INDEX appointments_ext_gin;
DROP FUNCTION forecourt_flat_ext(text);
