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

// Task implements core.LeadTx.Task.
func (t *leadTx) Task(id int64) (core.Task, error) {
	return loadTask(t.c, id, t.lead.ID)
}

// AddTask implements core.LeadTx.AddTask.
func (t *leadTx) AddTask(task *core.Task, actor *int64) error {
	if err := insertTask(t.c, t.lead.ID, task, actor); err != nil {
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

// DeleteTask implements core.LeadTx.DeleteTask. Its appraisal, notes and
// their versions go by ON DELETE CASCADE.
func (t *leadTx) DeleteTask(id int64) error {
	res, err := t.c.exec(`DELETE FROM tasks WHERE id = ? AND lead_id = ?`, id, t.lead.ID)
	if err != nil {
		return err
	}
	return affected(res, "task", id)
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
