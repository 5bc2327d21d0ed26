package core

import (
	"context"
	"slices"
	"strings"
	"time"
)

// A lead's tasks are read and written one by one (Walcu serves them as a
// collection of their own): each change is one write transaction on the
// task's rows that locks its lead's row (Store.EditLead) and never loads
// the lead whole. The rules that concern a task still apply: its done and
// tracked dates (settleTask), the lead's first-response time, update time
// and version (settleTaskOf), at most MaxItems tasks per lead, and the
// lead's history entry, the same one a change of the task through
// UpdateLead records in a task_* kind.

// CreateTask adds a task to a lead and returns it.
func (s *Service) CreateTask(ctx context.Context, leadID int64, t Task) (Task, error) {
	normaliseTexts(&t) // text in NFC (text.go)
	p, err := mustPrincipal(ctx)
	if err != nil {
		return Task{}, err
	}
	var gasID *int64
	if t.Appraisal != nil {
		gasID = t.Appraisal.GasID
	}
	fuels, err := s.fuelsFor(ctx, gasID)
	if err != nil {
		return Task{}, err
	}
	now := s.Now()
	nt := t.Clone()
	nt.ID, nt.AuthorID, nt.CreatedAt = 0, p.UserRef(), now
	if nt.Appraisal != nil {
		nt.Appraisal.ID = 0
	}
	resetNotes(nt.Notes, p, now)
	err = s.store.EditLead(ctx, leadID, func(tx LeadTx) error {
		l := tx.Lead()
		if !p.CanSee(l.DealerID) {
			return errNotFound("lead")
		}
		if err := checkTaskRoom(tx); err != nil {
			return err
		}
		fe := FieldErrors{}
		validateTask(fe, "", &nt)
		checkFuel(fe, "appraisal.gas", gasID, fuels)
		if err := fe.Err(); err != nil {
			return err
		}
		if err := checkPartGrowth(tx, LeadSize{}, measureTask(&nt), nil, func(m *sizer) { m.task("", &nt) }); err != nil {
			return err
		}
		return addTask(tx, &l, &nt, p, now)
	})
	if err != nil {
		return Task{}, err
	}
	return nt, nil
}

// checkTaskRoom refuses a task more on a lead with MaxItems already.
func checkTaskRoom(tx LeadTx) error {
	n, err := tx.CountTasks()
	if err != nil {
		return err
	}
	if n >= MaxItems {
		return &Error{Code: Invalid, Message: "too many tasks", Fields: map[string]string{"tasks": MsgOutOfRange}}
	}
	return nil
}

// addTask stores the valid new task t on lead l inside tx, with what the
// lifecycle brings and l's history entry (task_created).
func addTask(tx LeadTx, l *Lead, t *Task, p Principal, now time.Time) error {
	t.LeadID = l.ID
	settleTask(t, now)
	changes := diffTasks(nil, []Task{*t})
	if err := tx.AddTask(t, p.UserRef()); err != nil {
		return err
	}
	settleTaskOf(l, now, true)
	if err := tx.SaveLead(l, hasSearchText(*t)); err != nil {
		return err
	}
	return tx.AddHistory(&History{At: now, UserID: p.UserRef(), Via: p.Via, Type: HistoryChanged, Kind: KindTaskCreated, Changes: changes})
}

// hasSearchText reports whether t holds texts a lead search finds: its
// description or its appraised plate.
func hasSearchText(t Task) bool {
	return strings.TrimSpace(t.Description) != "" || (t.Appraisal != nil && strings.TrimSpace(t.Appraisal.LicensePlate) != "")
}

// sameSearchText reports whether a and b hold the same texts a lead search
// finds.
func sameSearchText(a, b Task) bool {
	plate := func(t Task) string {
		if t.Appraisal == nil {
			return ""
		}
		return t.Appraisal.LicensePlate
	}
	return a.Description == b.Description && plate(a) == plate(b)
}

// FindTask returns a task of the principal's dealers, with its appraisal
// and notes. Another dealer's task is NotFound, like one that does not
// exist.
func (s *Service) FindTask(ctx context.Context, taskID int64) (Task, error) {
	return findOfDealer(ctx, "task", func() (Task, error) { return s.store.Task(ctx, taskID) },
		func(t Task) int64 { return t.DealerID })
}

// UpdateTask applies a patch to one task. A patch with a Version the task
// no longer has fails with ErrStaleVersion. A patch that changes nothing
// leaves the task's version and records no history; the lead, as for
// every write through it, is updated with its next version.
func (s *Service) UpdateTask(ctx context.Context, taskID int64, patch TaskPatch) (Task, error) {
	normaliseTexts(&patch) // text in NFC (text.go)
	cur, err := s.FindTask(ctx, taskID)
	if err != nil {
		return Task{}, err
	}
	if err := checkVersion("", patch.Version, cur.Version); err != nil {
		return Task{}, err
	}
	var gasID *int64
	if ap := patch.Appraisal; ap != nil && ap.GasID.Set {
		gasID = ap.GasID.V
	}
	fuels, err := s.fuelsFor(ctx, gasID)
	if err != nil {
		return Task{}, err
	}
	var out Task
	err = s.editLeadItem(ctx, "task", cur.LeadID, func(p Principal, tx LeadTx, l Lead, now time.Time) error {
		old, err := tx.Task(taskID)
		if err != nil {
			return err
		}
		if err := checkVersion("", patch.Version, old.Version); err != nil {
			return err
		}
		t := old.Clone()
		patch.ID = &taskID
		if err := applyTaskPatch(&t, patch, "", now, p); err != nil {
			return err
		}
		fe := FieldErrors{}
		validateTask(fe, "", &t)
		if t.Appraisal != nil && (old.Appraisal == nil || !sameID(old.Appraisal.GasID, t.Appraisal.GasID)) {
			checkFuel(fe, "appraisal.gas", t.Appraisal.GasID, fuels)
		}
		if err := fe.Err(); err != nil {
			return err
		}
		if err := checkPartGrowth(tx, measureTask(&old), measureTask(&t), &old, func(m *sizer) { m.task("", &t) }); err != nil {
			return err
		}
		settleTask(&t, now)
		changes := diffTask(old, t) // before SaveTask gives new notes their ids
		changed, err := tx.SaveTask(&old, &t, p.UserRef())
		if err != nil {
			return err
		}
		// The lead counts every write through it, a change or not, as
		// UpdateLead does (SML's lists ordered by update time show it).
		settleTaskOf(&l, now, true)
		if err := tx.SaveLead(&l, changed && !sameSearchText(old, t)); err != nil {
			return err
		}
		out = t
		if len(changes) == 0 {
			return nil // nothing changed, or nothing history shows (less than a second of a time)
		}
		return tx.AddHistory(&History{At: now, UserID: p.UserRef(), Via: p.Via, Type: HistoryChanged, Kind: KindTaskUpdated, Changes: changes})
	})
	if err != nil {
		return Task{}, err
	}
	return out, nil
}

// DeleteTask removes a task from its lead.
func (s *Service) DeleteTask(ctx context.Context, taskID int64) error {
	return s.DeleteTaskVersion(ctx, taskID, 0)
}

// DeleteTaskVersion is DeleteTask of the task as it was at version: one
// changed since is ErrStaleVersion (version 0: as it is, unchecked).
func (s *Service) DeleteTaskVersion(ctx context.Context, taskID int64, version int) error {
	cur, err := s.FindTask(ctx, taskID)
	if err != nil {
		return err
	}
	if err := checkVersion("", version, cur.Version); err != nil {
		return err
	}
	return s.editLeadItem(ctx, "task", cur.LeadID, func(p Principal, tx LeadTx, l Lead, now time.Time) error {
		t, err := tx.Task(taskID)
		if err != nil {
			return err
		}
		if err := checkVersion("", version, t.Version); err != nil {
			return err
		}
		if err := tx.DeleteTask(taskID); err != nil {
			return err
		}
		settleTaskOf(&l, now, false)
		if err := tx.SaveLead(&l, hasSearchText(t)); err != nil {
			return err
		}
		return tx.AddHistory(&History{At: now, UserID: p.UserRef(), Via: p.Via, Type: HistoryChanged, Kind: KindTaskDeleted,
			Changes: diffTasks([]Task{t}, nil)})
	})
}

// fuelsFor returns the fuels when id names one to check (see checkFuel),
// read before a write transaction, which may not read the store.
func (s *Service) fuelsFor(ctx context.Context, id *int64) ([]GasType, error) {
	if id == nil {
		return nil, nil
	}
	return s.store.GasTypes(ctx)
}

// checkFuel records at path that fuel id is none of fuels.
func checkFuel(fe FieldErrors, path string, id *int64, fuels []GasType) {
	if id != nil && !slices.ContainsFunc(fuels, func(g GasType) bool { return g.ID == *id }) {
		fe.Add(path, MsgNotExist)
	}
}
