package core

import (
	"context"
	"strconv"
	"time"
)

// A lead's notes and tags, and its tasks' notes, are read and written one
// by one (Walcu serves notes as a collection of their own), like tasks
// (see tasks.go): each change is one write transaction that locks the
// lead's row, keeps the note's versions (NoteVersion) as a change through
// UpdateLead does, gives the lead (and a task's note its task) the next
// version, and records the history entry the same change through the lead
// records: lead_updated for a lead's note or tag, task_updated for a
// task's note.

// noteField is the history field of the notes where n is: "notes",
// "tags" or "tasks.<id>.notes".
func noteField(n Note) string {
	switch {
	case n.TaskID != 0:
		return "tasks." + strconv.FormatInt(n.TaskID, 10) + ".notes"
	case n.Tag:
		return "tags"
	}
	return "notes"
}

// noteList is the field of the list where n is, as CreateNote names it:
// "tags" or "notes".
func noteList(n Note) string {
	if n.Tag {
		return "tags"
	}
	return "notes"
}

// noteKind is the history kind of a change of note n.
func noteKind(n Note) HistoryKind {
	if n.TaskID != 0 {
		return KindTaskUpdated
	}
	return KindLeadUpdated
}

// settleNoteOf applies to the lead l what a change of its note n brings:
// the lead is updated now (and, as for a change of one of its tasks, a
// lead with a task records its first-response time if it never did).
func settleNoteOf(l *Lead, n Note, now time.Time) {
	settleTaskOf(l, now, n.TaskID != 0)
}

// CreateNote adds a note to lead n.LeadID: among its tags when n.Tag, on
// its task n.TaskID when not 0, on the lead itself otherwise. Only
// Content is taken from n besides; the note's author is the principal's
// user.
func (s *Service) CreateNote(ctx context.Context, n Note) (Note, error) {
	normaliseTexts(&n) // text in NFC (text.go)
	p, err := mustPrincipal(ctx)
	if err != nil {
		return Note{}, err
	}
	if n.Tag && n.TaskID != 0 {
		return Note{}, &Error{Code: Invalid, Message: "a task has no tags", Fields: map[string]string{"tag": MsgInvalid}}
	}
	now := s.Now()
	nn := Note{Content: n.Content, AuthorID: p.UserRef(), Created: now, Modified: now, LeadID: n.LeadID, TaskID: n.TaskID, Tag: n.Tag}
	err = s.store.EditLead(ctx, n.LeadID, func(tx LeadTx) error {
		l := tx.Lead()
		if !p.CanSee(l.DealerID) {
			return errNotFound("lead")
		}
		count, err := tx.CountNotes(nn.TaskID, nn.Tag)
		if err != nil {
			return err
		}
		list := "notes"
		if nn.Tag {
			list = "tags"
		}
		if count >= MaxItems {
			return &Error{Code: Invalid, Message: "too many " + list, Fields: map[string]string{list: MsgOutOfRange}}
		}
		fe := FieldErrors{}
		validateNote(fe, "", &nn)
		if err := fe.Err(); err != nil {
			return err
		}
		if err := checkPartGrowth(tx, LeadSize{}, measureNote(&nn), nil, func(m *sizer) { m.note(list, "content", &nn) }); err != nil {
			return err
		}
		changes := []Change{{Field: noteField(nn), New: nn.Content}}
		if err := tx.AddNote(&nn, p.UserRef()); err != nil {
			return err
		}
		settleNoteOf(&l, nn, now)
		if err := tx.SaveLead(&l, nn.TaskID == 0); err != nil {
			return err
		}
		return tx.AddHistory(&History{At: now, UserID: p.UserRef(), Via: p.Via, Type: HistoryChanged, Kind: noteKind(nn), Changes: changes})
	})
	if err != nil {
		return Note{}, err
	}
	return nn, nil
}

// FindNote returns a note or tag of a lead, or a note of a task, of the
// principal's dealers, with its versions. Another dealer's note, and a
// dealer's own notes, are NotFound.
func (s *Service) FindNote(ctx context.Context, id int64) (Note, error) {
	return findOfDealer(ctx, "note", func() (Note, error) { return s.store.Note(ctx, id) }, func(n Note) int64 {
		if n.LeadID == 0 {
			return 0 // a dealer's own note: no dealer is its reader here
		}
		return n.DealerID
	})
}

// UpdateNote changes a note's (or tag's) content; its former content
// stays among its versions. A patch with a Version the note no longer has
// fails with ErrStaleVersion; one that changes nothing leaves the note's
// version and records no history, and the lead, as for every write
// through it, is updated with its next version.
func (s *Service) UpdateNote(ctx context.Context, id int64, patch NotePatch) (Note, error) {
	normaliseTexts(&patch) // text in NFC (text.go)
	cur, err := s.FindNote(ctx, id)
	if err != nil {
		return Note{}, err
	}
	if err := checkVersion("", patch.Version, cur.Version); err != nil {
		return Note{}, err
	}
	var out Note
	err = s.editLeadItem(ctx, "note", cur.LeadID, func(p Principal, tx LeadTx, l Lead, now time.Time) error {
		old, err := tx.Note(id)
		if err != nil {
			return err
		}
		if err := checkVersion("", patch.Version, old.Version); err != nil {
			return err
		}
		n := cloneNotes([]Note{old})[0]
		applyNotePatch(&n, patch, now)
		fe := FieldErrors{}
		validateNote(fe, "", &n)
		if err := fe.Err(); err != nil {
			return err
		}
		if err := checkPartGrowth(tx, measureNote(&old), measureNote(&n), nil, func(m *sizer) { m.note(noteList(n), "content", &n) }); err != nil {
			return err
		}
		changes := diffNotes(noteField(n), []Note{old}, []Note{n})
		if _, err := tx.SaveNote(&old, &n, p.UserRef()); err != nil {
			return err
		}
		out = n
		// The lead counts every write through it, as UpdateLead does.
		settleNoteOf(&l, n, now)
		if err := tx.SaveLead(&l, n.TaskID == 0 && n.Content != old.Content); err != nil {
			return err
		}
		if len(changes) == 0 {
			return nil
		}
		return tx.AddHistory(&History{At: now, UserID: p.UserRef(), Via: p.Via, Type: HistoryChanged, Kind: noteKind(n), Changes: changes})
	})
	if err != nil {
		return Note{}, err
	}
	return out, nil
}

// DeleteNote deletes a note or tag of a lead, or a note of a task, with
// its versions.
func (s *Service) DeleteNote(ctx context.Context, id int64) error {
	cur, err := s.FindNote(ctx, id)
	if err != nil {
		return err
	}
	return s.editLeadItem(ctx, "note", cur.LeadID, func(p Principal, tx LeadTx, l Lead, now time.Time) error {
		n, err := tx.Note(id)
		if err != nil {
			return err
		}
		if err := tx.DeleteNote(id); err != nil {
			return err
		}
		settleNoteOf(&l, n, now)
		if err := tx.SaveLead(&l, n.TaskID == 0); err != nil {
			return err
		}
		return tx.AddHistory(&History{At: now, UserID: p.UserRef(), Via: p.Via, Type: HistoryChanged, Kind: noteKind(n),
			Changes: []Change{{Field: noteField(n), Old: n.Content}}})
	})
}
