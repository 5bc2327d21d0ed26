-- The rows a new lead refers to that forecourt never deletes (dealers,
-- users, sources, fuels, provinces, localities) cannot be deleted, on both
-- engines (docs/decisions.md, "Reference rows are kept by guards on
-- PostgreSQL"). On PostgreSQL these guards replace the foreign keys from
-- the tables a lead's creation writes, whose checks cost CPU and WAL per
-- row; SQLite keeps its foreign keys (they cost little there) and gets
-- the same guards, so that a deletion is refused on both alike instead of
-- cascading on one.

-- +goose Up
CREATE TRIGGER dealers_kept BEFORE DELETE ON dealers BEGIN SELECT RAISE(ABORT, 'rows of dealers are never deleted: leads refer to them'); END;
CREATE TRIGGER users_kept BEFORE DELETE ON users BEGIN SELECT RAISE(ABORT, 'rows of users are never deleted: leads refer to them'); END;
CREATE TRIGGER sources_kept BEFORE DELETE ON sources BEGIN SELECT RAISE(ABORT, 'rows of sources are never deleted: leads refer to them'); END;
CREATE TRIGGER gas_types_kept BEFORE DELETE ON gas_types BEGIN SELECT RAISE(ABORT, 'rows of gas_types are never deleted: leads refer to them'); END;
CREATE TRIGGER provinces_kept BEFORE DELETE ON provinces BEGIN SELECT RAISE(ABORT, 'rows of provinces are never deleted: leads refer to them'); END;
CREATE TRIGGER localities_kept BEFORE DELETE ON localities BEGIN SELECT RAISE(ABORT, 'rows of localities are never deleted: leads refer to them'); END;

-- +goose Down
DROP TRIGGER localities_kept;
DROP TRIGGER provinces_kept;
DROP TRIGGER gas_types_kept;
DROP TRIGGER sources_kept;
DROP TRIGGER users_kept;
DROP TRIGGER dealers_kept;
