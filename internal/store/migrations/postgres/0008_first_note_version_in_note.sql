-- A note's first version now lives in the note's own row instead of a row
-- of note_versions (see the SQLite migration of the same number for the
-- columns and the reason; first_user_id has no REFERENCES on either engine,
-- to keep one schema). Version ids and note ids share the sequence of
-- notes.id.

-- +goose Up
ALTER TABLE notes ADD COLUMN first_version_id BIGINT;
ALTER TABLE notes ADD COLUMN first_at BIGINT;
ALTER TABLE notes ADD COLUMN first_user_id BIGINT;
ALTER TABLE notes ADD COLUMN first_content TEXT;
UPDATE notes SET (first_version_id, first_at, first_user_id, first_content) =
    (SELECT v.id, v.modified_at, v.user_id, v.content FROM note_versions v
     WHERE v.note_id = notes.id ORDER BY v.id LIMIT 1);
DELETE FROM note_versions WHERE id IN (SELECT first_version_id FROM notes WHERE first_version_id IS NOT NULL);
SELECT setval(pg_get_serial_sequence('notes', 'id'), GREATEST(1,
    (SELECT max(id) FROM notes),
    (SELECT max(first_version_id) FROM notes),
    (SELECT max(id) FROM note_versions)));
DROP INDEX notes_dealer;
CREATE INDEX notes_dealer ON notes (dealer_id, id) WHERE dealer_id IS NOT NULL;

-- +goose Down
DROP INDEX notes_dealer;
CREATE INDEX notes_dealer ON notes (dealer_id, id);
INSERT INTO note_versions (id, note_id, modified_at, user_id, content)
    SELECT coalesce(first_version_id, id), id, first_at, first_user_id, coalesce(first_content, content)
    FROM notes WHERE first_at IS NOT NULL;
SELECT setval(pg_get_serial_sequence('note_versions', 'id'), GREATEST(1, (SELECT max(id) FROM note_versions)));
ALTER TABLE notes DROP COLUMN first_content;
ALTER TABLE notes DROP COLUMN first_user_id;
ALTER TABLE notes DROP COLUMN first_at;
ALTER TABLE notes DROP COLUMN first_version_id;
