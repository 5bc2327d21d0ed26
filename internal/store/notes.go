package store

import (
	"database/sql"
	"slices"
	"time"

	"forecourt/internal/core"
)

// The kinds of row in the notes table.
const (
	kindNote = "note"
	kindTag  = "tag"
)

// noteOwner says what a note belongs to: a dealer, a lead, or a task of a
// lead (leadID and taskID both set).
type noteOwner struct {
	dealerID, leadID, taskID int64
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// insertNote stores n under owner with its first version, by n's author or
// else by actor, and sets n.ID, n.History, n.Version (1, the column's
// default) and where n is. The first version lives in the note's row
// (migration 0008) and its id is the note's.
func insertNote(c conn, owner noteOwner, kind string, n *core.Note, actor *int64) error {
	return c.insertRow(newNoteRow(owner, kind, n, actor))
}

// newNoteRow is the row of insertNote's note n.
func newNoteRow(owner noteOwner, kind string, n *core.Note, actor *int64) newRow {
	by := n.AuthorID
	if by == nil {
		by = actor
	}
	at := n.Modified
	if at.IsZero() {
		at = n.Created
	}
	return newRow{table: "notes", cols: `dealer_id, lead_id, task_id, kind, content, author_id, created_at, modified_at, first_at, first_user_id`,
		args: []any{nullID(owner.dealerID), nullID(owner.leadID), nullID(owner.taskID), kind, n.Content, ptrArg(n.AuthorID), micros(n.Created), micros(n.Modified),
			micros(at), ptrArg(by)},
		stored: func(id int64) {
			n.ID, n.Version = id, 1
			n.History = []core.NoteVersion{{ID: id, Modified: at, UserID: by, Content: n.Content}}
			owner.place(n, kind)
		}}
}

// place sets where n is: its owner's ids (a lead's note gets its lead's
// dealer from placeItems) and whether it is a tag.
func (o noteOwner) place(n *core.Note, kind string) {
	n.DealerID, n.LeadID, n.TaskID, n.Tag = o.dealerID, o.leadID, o.taskID, kind == kindTag
}

// insertNoteVersion stores a version after a note's first. Its id comes
// from the notes' id sequence, which the first versions share.
func insertNoteVersion(c conn, noteID int64, v core.NoteVersion) (int64, error) {
	next := `SELECT nextval(pg_get_serial_sequence('notes', 'id'))`
	if !c.pg {
		// Not RETURNING: see insert.
		if _, err := c.exec(`UPDATE sqlite_sequence SET seq = seq + 1 WHERE name = 'notes'`); err != nil {
			return 0, err
		}
		next = `SELECT seq FROM sqlite_sequence WHERE name = 'notes'`
	}
	var id int64
	if err := c.row(next).Scan(&id); err != nil {
		return 0, err
	}
	_, err := c.exec(`INSERT INTO note_versions (id, note_id, modified_at, user_id, content) VALUES (?, ?, ?, ?, ?)`,
		id, noteID, micros(v.Modified), ptrArg(v.UserID), v.Content)
	return id, err
}

// saveNotes brings the notes of one kind under owner from old to cur: a note
// with ID 0 is inserted, a known one updated (see saveNote), one missing
// from cur deleted. It sets the assigned ids, histories and versions on cur
// and reports whether anything changed.
func saveNotes(c conn, owner noteOwner, kind string, old, cur []core.Note, actor *int64) (changed bool, err error) {
	known := make(map[int64]*core.Note, len(old))
	for i := range old {
		known[old[i].ID] = &old[i]
	}
	kept := make(map[int64]bool, len(cur))
	for i := range cur {
		n := &cur[i]
		if n.ID == 0 {
			if err := insertNote(c, owner, kind, n, actor); err != nil {
				return false, err
			}
			changed = true
			continue
		}
		o, ok := known[n.ID]
		if !ok || kept[n.ID] {
			return false, core.Errorf(core.Invalid, "%s %d does not belong here", kind, n.ID)
		}
		kept[n.ID] = true
		owner.place(n, kind)
		ch, err := saveNote(c, o, n, actor)
		if err != nil {
			return false, err
		}
		changed = changed || ch
	}
	var gone []int64
	for _, o := range old {
		if !kept[o.ID] {
			gone = append(gone, o.ID)
		}
	}
	if len(gone) > 0 {
		if _, err := c.exec(`DELETE FROM notes WHERE id IN `+in(len(gone)), anys(gone)...); err != nil {
			return false, err
		}
		changed = true
	}
	return changed, nil
}

// saveNote writes note n, stored as o: a new content adds a version by
// actor (stamped now when n.Modified is not after o's), and any change of
// the row gives it the next version. It sets n.History and n.Version and
// reports whether the note changed.
func saveNote(c conn, o, n *core.Note, actor *int64) (bool, error) {
	history := slices.Clone(o.History)
	n.Version = o.Version
	if n.Content != o.Content {
		if !n.Modified.After(o.Modified) {
			n.Modified = time.Now().UTC().Truncate(time.Microsecond)
		}
		v := core.NoteVersion{Modified: n.Modified, UserID: actor, Content: n.Content}
		var err error
		if v.ID, err = insertNoteVersion(c, n.ID, v); err != nil {
			return false, err
		}
		history = append(history, v)
	}
	n.History = history
	if n.Content == o.Content && n.Modified.Equal(o.Modified) && n.Created.Equal(o.Created) && equalPtr(n.AuthorID, o.AuthorID) {
		return false, nil
	}
	n.Version++
	// The first change keeps the first version's text, which until then
	// was the note's content.
	_, err := c.exec(`UPDATE notes SET first_content = coalesce(first_content, content),
		content = ?, author_id = ?, created_at = ?, modified_at = ?, version = ? WHERE id = ?`,
		n.Content, ptrArg(n.AuthorID), micros(n.Created), micros(n.Modified), n.Version, n.ID)
	return true, err
}

// noteRow is a loaded note with its owner.
type noteRow struct {
	owner noteOwner
	kind  string
	note  core.Note
}

// loadNotes loads the notes whose column (dealer_id or lead_id) is one of
// ids, with their histories, in id order: one query, and a second for the
// versions after the first when one of the notes was ever changed.
func loadNotes(c conn, column string, ids []int64) ([]noteRow, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := c.query(`SELECT id, dealer_id, lead_id, task_id, kind, content, author_id, created_at, modified_at,
			first_version_id, first_at, first_user_id, first_content, version
		FROM notes WHERE `+column+` IN `+in(len(ids))+` ORDER BY id`, anys(ids)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []noteRow
	byID := make(map[int64]int)
	changed := false
	for rows.Next() {
		var r noteRow
		var dealerID, leadID, taskID, author, firstID, firstAt, firstUser sql.NullInt64
		var firstContent sql.NullString
		var created, modified int64
		if err := rows.Scan(&r.note.ID, &dealerID, &leadID, &taskID, &r.kind, &r.note.Content, &author, &created, &modified,
			&firstID, &firstAt, &firstUser, &firstContent, &r.note.Version); err != nil {
			return nil, err
		}
		r.owner = noteOwner{dealerID: dealerID.Int64, leadID: leadID.Int64, taskID: taskID.Int64}
		r.owner.place(&r.note, r.kind)
		r.note.AuthorID = int64Ptr(author)
		r.note.Created = fromMicros(created)
		r.note.Modified = fromMicros(modified)
		if firstAt.Valid {
			v := core.NoteVersion{ID: r.note.ID, Modified: fromMicros(firstAt.Int64), UserID: int64Ptr(firstUser), Content: r.note.Content}
			if firstID.Valid {
				v.ID = firstID.Int64
			}
			if firstContent.Valid {
				v.Content = firstContent.String
			}
			r.note.History = []core.NoteVersion{v}
		}
		changed = changed || firstContent.Valid || !firstAt.Valid
		byID[r.note.ID] = len(out)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if !changed {
		return out, nil
	}

	vrows, err := c.query(`SELECT v.id, v.note_id, v.modified_at, v.user_id, v.content
		FROM note_versions v JOIN notes n ON n.id = v.note_id
		WHERE n.`+column+` IN `+in(len(ids))+` ORDER BY v.note_id, v.id`, anys(ids)...)
	if err != nil {
		return nil, err
	}
	defer vrows.Close()
	for vrows.Next() {
		var v core.NoteVersion
		var noteID, modified int64
		var user sql.NullInt64
		if err := vrows.Scan(&v.ID, &noteID, &modified, &user, &v.Content); err != nil {
			return nil, err
		}
		v.Modified = fromMicros(modified)
		v.UserID = int64Ptr(user)
		if i, ok := byID[noteID]; ok {
			out[i].note.History = append(out[i].note.History, v)
		}
	}
	return out, vrows.Err()
}

func equalPtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func equalTimePtr(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}
