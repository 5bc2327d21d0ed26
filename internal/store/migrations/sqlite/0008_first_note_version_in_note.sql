-- A note's first version now lives in the note's own row instead of a row
-- of note_versions: a lead with a note, a tag and a task note wrote six
-- rows and two more B-trees for them, ~5% of its creation. note_versions
-- keeps the versions after the first.
--
--   first_version_id  the first version's id (its history_id); NULL means
--                     the note's own id, as for every note created from now
--   first_at          when the first version was written; NULL for a note
--                     that never had one
--   first_user_id     who wrote it (without REFERENCES, which would keep
--                     SQLite's Down from dropping the column; users are
--                     never deleted)
--   first_content     its text; NULL while the note was never edited, when
--                     it is the note's content (the store copies the
--                     content here at the first edit, so no text is stored
--                     twice until then)
--
-- Version ids and note ids now share the notes id sequence: a new note's
-- first version takes the note's id, a later version takes the next value
-- of that sequence. The sequence is moved past every version id that
-- exists, so no history_id is ever given twice.

-- +goose Up
ALTER TABLE notes ADD COLUMN first_version_id BIGINT;
ALTER TABLE notes ADD COLUMN first_at BIGINT;
ALTER TABLE notes ADD COLUMN first_user_id BIGINT;
ALTER TABLE notes ADD COLUMN first_content TEXT;
UPDATE notes SET (first_version_id, first_at, first_user_id, first_content) =
    (SELECT v.id, v.modified_at, v.user_id, v.content FROM note_versions v
     WHERE v.note_id = notes.id ORDER BY v.id LIMIT 1);
DELETE FROM note_versions WHERE id IN (SELECT first_version_id FROM notes WHERE first_version_id IS NOT NULL);
INSERT INTO sqlite_sequence (name, seq) SELECT 'notes', 0
    WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'notes');
UPDATE sqlite_sequence SET seq = max(seq,
    coalesce((SELECT max(id) FROM notes), 0),
    coalesce((SELECT max(first_version_id) FROM notes), 0),
    coalesce((SELECT max(id) FROM note_versions), 0))
    WHERE name = 'notes';
-- Lead and task notes have no dealer_id: they no longer enter this index.
DROP INDEX notes_dealer;
CREATE INDEX notes_dealer ON notes (dealer_id, id) WHERE dealer_id IS NOT NULL;

-- +goose Down
DROP INDEX notes_dealer;
CREATE INDEX notes_dealer ON notes (dealer_id, id);
INSERT INTO note_versions (id, note_id, modified_at, user_id, content)
    SELECT coalesce(first_version_id, id), id, first_at, first_user_id, coalesce(first_content, content)
    FROM notes WHERE first_at IS NOT NULL;
ALTER TABLE notes DROP COLUMN first_content;
ALTER TABLE notes DROP COLUMN first_user_id;
ALTER TABLE notes DROP COLUMN first_at;
ALTER TABLE notes DROP COLUMN first_version_id;
