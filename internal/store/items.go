package store

import (
	"context"
	"database/sql"
	"errors"

	"forecourt/internal/core"
)

// A lead's tasks and notes read and written one by one (core.LeadTx): a
// write transaction that locks the lead's row and reads and writes only
// the rows it is asked for, where UpdateLead loads the lead whole and
// compares it.

// EditLead implements core.Store.EditLead. On SQLite fn runs on the one
// writer connection while other writers wait.
func (s *Store) EditLead(ctx context.Context, leadID int64, fn func(core.LeadTx) error) error {
	err := s.write(ctx, func(c conn) error {
		if err := lockLead(c, leadID, false); err != nil {
			return err
		}
		loaded, err := loadLeads(c, []int64{leadID}, leadLoad{})
		if err != nil {
			return err
		}
		if len(loaded) == 0 {
			return notFound("lead", leadID)
		}
		return fn(&leadTx{c: c, lead: loaded[0]})
	})
	return dbError(err, "edit lead", "lead", leadID)
}

// leadTx is core.LeadTx on one write transaction.
type leadTx struct {
	c    conn
	lead core.Lead // as loaded, without tasks, notes or tags
}

// Lead implements core.LeadTx.Lead.
func (t *leadTx) Lead() core.Lead { return t.lead.Clone() }

// CountTasks implements core.LeadTx.CountTasks.
func (t *leadTx) CountTasks() (int, error) {
	return t.c.count(`SELECT count(*) FROM tasks WHERE lead_id = ?`, t.lead.ID)
}

// Size implements core.LeadTx.Size in one statement: the counts and
// lengths (in characters on both engines) of the lead's tasks, appraisals,
// notes and note versions, read as loadNotes builds a note's History (its
// first version in the note's row when first_at is set, the others in
// note_versions).
func (t *leadTx) Size() (core.LeadSize, error) {
	var z core.LeadSize
	id := t.lead.ID
	err := t.c.row(`SELECT
		(SELECT count(*) FROM tasks WHERE lead_id = ?),
		(SELECT count(*) FROM notes WHERE lead_id = ?),
		(SELECT count(*) FROM notes WHERE lead_id = ? AND first_at IS NOT NULL)
		+ (SELECT count(*) FROM note_versions v JOIN notes n ON n.id = v.note_id WHERE n.lead_id = ?),
		(SELECT length(mail_content) FROM leads WHERE id = ?)
		+ (SELECT coalesce(sum(length(subtype) + length(description)), 0) FROM tasks WHERE lead_id = ?)
		+ (SELECT coalesce(sum(length(a.brand_model) + length(a.license_plate) + length(a.km) + length(a.extras)), 0)
			FROM appraisals a JOIN tasks k ON k.id = a.task_id WHERE k.lead_id = ?)
		+ (SELECT coalesce(sum(length(coalesce(first_content, content))), 0) FROM notes WHERE lead_id = ? AND first_at IS NOT NULL)
		+ (SELECT coalesce(sum(length(v.content)), 0) FROM note_versions v JOIN notes n ON n.id = v.note_id WHERE n.lead_id = ?)`,
		id, id, id, id, id, id, id, id, id).Scan(&z.Tasks, &z.Notes, &z.Versions, &z.Text)
	return z, err
}

// Task implements core.LeadTx.Task.
func (t *leadTx) Task(id int64) (core.Task, error) {
	return loadTask(t.c, id, t.lead.ID)
}

// AddTask implements core.LeadTx.AddTask.
func (t *leadTx) AddTask(task *core.Task, actor *int64) error {
	if err := insertTask(t.c, &t.lead, task, actor); err != nil {
		return err
	}
	placeTask(task, t.lead.DealerID)
	return nil
}

// SaveTask implements core.LeadTx.SaveTask.
func (t *leadTx) SaveTask(old, task *core.Task, actor *int64) (bool, error) {
	if old.ID != task.ID || old.LeadID != t.lead.ID {
		return false, core.Errorf(core.Invalid, "task %d does not belong to lead %d", task.ID, t.lead.ID)
	}
	changed, err := saveTask(t.c, old, task, actor)
	placeTask(task, t.lead.DealerID)
	return changed, err
}

// DeleteTask implements core.LeadTx.DeleteTask, with the task's appraisal
// and notes (deleteTaskRows; their versions by ON DELETE CASCADE).
func (t *leadTx) DeleteTask(id int64) error {
	res, err := t.c.exec(`DELETE FROM tasks WHERE id = ? AND lead_id = ?`, id, t.lead.ID)
	if err != nil {
		return err
	}
	if err := affected(res, "task", id); err != nil {
		return err
	}
	return deleteTaskRows(t.c, id)
}

// CountNotes implements core.LeadTx.CountNotes.
func (t *leadTx) CountNotes(taskID int64, tag bool) (int, error) {
	if taskID != 0 {
		return t.c.count(`SELECT count(*) FROM notes WHERE task_id = ? AND lead_id = ?`, taskID, t.lead.ID)
	}
	return t.c.count(`SELECT count(*) FROM notes WHERE lead_id = ? AND task_id IS NULL AND kind = ?`, t.lead.ID, noteKind(tag))
}

func noteKind(tag bool) string {
	if tag {
		return kindTag
	}
	return kindNote
}

// Note implements core.LeadTx.Note.
func (t *leadTx) Note(id int64) (core.Note, error) {
	n, err := loadNote(t.c, id)
	if err != nil {
		return core.Note{}, err
	}
	if n.LeadID != t.lead.ID {
		return core.Note{}, notFound("note", id)
	}
	n.DealerID = t.lead.DealerID
	return n, nil
}

// AddNote implements core.LeadTx.AddNote.
func (t *leadTx) AddNote(n *core.Note, actor *int64) error {
	if n.TaskID != 0 && n.Tag {
		return core.Errorf(core.Invalid, "a task has no tags")
	}
	if err := t.taskChanged(n.TaskID); err != nil {
		return err
	}
	if err := insertNote(t.c, noteOwner{leadID: t.lead.ID, taskID: n.TaskID}, noteKind(n.Tag), n, actor); err != nil {
		return err
	}
	n.DealerID = t.lead.DealerID
	return nil
}

// taskChanged gives the lead's task taskID, when not 0, its next version:
// one of its notes changed. NotFound when the lead has no such task.
func (t *leadTx) taskChanged(taskID int64) error {
	if taskID == 0 {
		return nil
	}
	res, err := t.c.exec(`UPDATE tasks SET version = version + 1 WHERE id = ? AND lead_id = ?`, taskID, t.lead.ID)
	if err != nil {
		return err
	}
	return affected(res, "task", taskID)
}

// SaveNote implements core.LeadTx.SaveNote.
func (t *leadTx) SaveNote(old, n *core.Note, actor *int64) (bool, error) {
	if old.ID != n.ID || old.LeadID != t.lead.ID {
		return false, core.Errorf(core.Invalid, "note %d does not belong to lead %d", n.ID, t.lead.ID)
	}
	n.DealerID, n.LeadID, n.TaskID, n.Tag = t.lead.DealerID, old.LeadID, old.TaskID, old.Tag
	changed, err := saveNote(t.c, old, n, actor)
	if err != nil || !changed {
		return changed, err
	}
	return true, t.taskChanged(n.TaskID)
}

// DeleteNote implements core.LeadTx.DeleteNote. Its versions go by ON
// DELETE CASCADE.
func (t *leadTx) DeleteNote(id int64) error {
	var taskID sql.NullInt64
	if err := t.c.row(`SELECT task_id FROM notes WHERE id = ? AND lead_id = ?`, id, t.lead.ID).Scan(&taskID); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("note", id)
		}
		return err
	}
	if _, err := t.c.exec(`DELETE FROM notes WHERE id = ?`, id); err != nil {
		return err
	}
	return t.taskChanged(taskID.Int64)
}

// SaveLead implements core.LeadTx.SaveLead.
func (t *leadTx) SaveLead(l *core.Lead, texts bool) error {
	if l.ID != t.lead.ID {
		return core.Errorf(core.Invalid, "lead %d is not lead %d", l.ID, t.lead.ID)
	}
	l.Version = t.lead.Version + 1
	set, args := `updated_at = ?, first_task_at = ?, version = ?`, []any{micros(l.UpdatedAt), microsPtr(l.FirstTaskAt), l.Version}
	if texts {
		text, err := storedSearchText(t.c, l.ID)
		if err != nil {
			return err
		}
		set, args = set+`, search_text = ?`, append(args, text)
	}
	if _, err := t.c.exec(`UPDATE leads SET `+set+` WHERE id = ?`, append(args, l.ID)...); err != nil {
		return err
	}
	t.lead.Version, t.lead.UpdatedAt, t.lead.FirstTaskAt = l.Version, l.UpdatedAt, l.FirstTaskAt
	return nil
}

// AddHistory implements core.LeadTx.AddHistory.
func (t *leadTx) AddHistory(h *core.History) error {
	h.LeadID = t.lead.ID
	return insertHistory(t.c, h)
}

// Task implements core.Store.Task.
func (s *Store) Task(ctx context.Context, id int64) (core.Task, error) {
	var out core.Task
	err := s.readTx(ctx, func(c conn) error {
		var err error
		out, err = loadTask(c, id, 0)
		return err
	})
	if err != nil {
		return core.Task{}, dbError(err, "task", "task", id)
	}
	return out, nil
}

// loadTask loads task id with its appraisal, notes and dealer; of lead
// leadID only, unless leadID is 0.
func loadTask(c conn, id, leadID int64) (core.Task, error) {
	var t core.Task
	var dealer int64
	err := scanTask(c.row(`SELECT `+taskCols+`, l.dealer_id FROM tasks t LEFT JOIN appraisals a ON a.task_id = t.id
		JOIN leads l ON l.id = t.lead_id WHERE t.id = ? AND (? = 0 OR t.lead_id = ?)`, id, leadID, leadID), &t, &dealer)
	if errors.Is(err, sql.ErrNoRows) {
		return core.Task{}, notFound("task", id)
	}
	if err != nil {
		return core.Task{}, err
	}
	notes, err := loadNotes(c, "task_id", []int64{id})
	if err != nil {
		return core.Task{}, err
	}
	for _, n := range notes {
		t.Notes = append(t.Notes, n.note)
	}
	placeTask(&t, dealer)
	return t, nil
}

// placeTask sets the dealer of task t and its notes' places.
func placeTask(t *core.Task, dealerID int64) {
	t.DealerID = dealerID
	for i := range t.Notes {
		n := &t.Notes[i]
		n.DealerID, n.LeadID, n.TaskID, n.Tag = dealerID, t.LeadID, t.ID, false
	}
}

// Note implements core.Store.Note.
func (s *Store) Note(ctx context.Context, id int64) (core.Note, error) {
	var out core.Note
	err := s.readTx(ctx, func(c conn) error {
		var err error
		if out, err = loadNote(c, id); err != nil || out.LeadID == 0 {
			return err
		}
		return c.row(`SELECT dealer_id FROM leads WHERE id = ?`, out.LeadID).Scan(&out.DealerID)
	})
	if err != nil {
		return core.Note{}, dbError(err, "note", "note", id)
	}
	return out, nil
}

// loadNote loads note id with its history and place (but a lead's note's
// dealer).
func loadNote(c conn, id int64) (core.Note, error) {
	rows, err := loadNotes(c, "id", []int64{id})
	if err != nil {
		return core.Note{}, err
	}
	if len(rows) == 0 {
		return core.Note{}, notFound("note", id)
	}
	return rows[0].note, nil
}
