package core

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CreateTask adds a task to a lead and returns it.
func (s *Service) CreateTask(ctx context.Context, leadID int64, t Task) (Task, error) {
	var known []int64
	l, err := s.updateLead(ctx, leadID, KindTaskCreated, 0, func(l *Lead, now time.Time, p Principal) error {
		known = known[:0]
		for _, old := range l.Tasks {
			known = append(known, old.ID)
		}
		if len(l.Tasks) >= MaxItems {
			return &Error{Code: Invalid, Message: "too many tasks", Fields: map[string]string{"tasks": MsgOutOfRange}}
		}
		nt := t
		nt.ID, nt.LeadID, nt.AuthorID, nt.CreatedAt = 0, l.ID, p.UserRef(), now
		if nt.Appraisal != nil {
			a := *nt.Appraisal
			a.ID = 0
			nt.Appraisal = &a
		}
		nt.Notes = slices.Clone(t.Notes)
		resetNotes(nt.Notes, p, now)
		l.Tasks = append(l.Tasks, nt)
		return nil
	})
	if err != nil {
		return Task{}, taskPaths(err, len(known))
	}
	for _, t := range l.Tasks {
		if !slices.Contains(known, t.ID) {
			return t, nil
		}
	}
	return Task{}, fmt.Errorf("created task not found in lead %d", leadID)
}

// taskPaths turns the field paths of errors about the task at index i of a
// lead ("tasks.3.type") into paths of a lone task ("type").
func taskPaths(err error, i int) error {
	e, ok := err.(*Error)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	prefix := "tasks." + strconv.Itoa(i)
	out := &Error{Code: e.Code, Message: e.Message, Fields: map[string]string{}}
	for k, v := range e.Fields {
		switch {
		case k == prefix:
			out.Fields["task"] = v
		case strings.HasPrefix(k, prefix+"."):
			out.Fields[strings.TrimPrefix(k, prefix+".")] = v
		default:
			out.Fields[k] = v
		}
	}
	return out
}

// FindTask returns a task of the principal's dealers with its lead.
func (s *Service) FindTask(ctx context.Context, taskID int64) (Task, Lead, error) {
	leadID, err := s.store.LeadIDOfTask(ctx, taskID)
	if err != nil {
		return Task{}, Lead{}, err
	}
	l, err := s.FindLead(ctx, leadID)
	if err != nil {
		return Task{}, Lead{}, errNotFound("task")
	}
	for _, t := range l.Tasks {
		if t.ID == taskID {
			return t, l, nil
		}
	}
	return Task{}, Lead{}, errNotFound("task")
}

// UpdateTask applies a patch to one task.
func (s *Service) UpdateTask(ctx context.Context, taskID int64, patch TaskPatch) (Task, error) {
	_, lead, err := s.FindTask(ctx, taskID)
	if err != nil {
		return Task{}, err
	}
	idx := -1
	l, err := s.updateLead(ctx, lead.ID, KindTaskUpdated, 0, func(l *Lead, now time.Time, p Principal) error {
		idx = slices.IndexFunc(l.Tasks, func(t Task) bool { return t.ID == taskID })
		if idx < 0 {
			return errNotFound("task")
		}
		patch.ID = &taskID
		return applyTaskPatch(&l.Tasks[idx], patch, "", now, p)
	})
	if err != nil {
		return Task{}, taskPaths(err, idx)
	}
	for _, t := range l.Tasks {
		if t.ID == taskID {
			return t, nil
		}
	}
	return Task{}, errNotFound("task")
}

// DeleteTask removes a task from its lead.
func (s *Service) DeleteTask(ctx context.Context, taskID int64) error {
	_, lead, err := s.FindTask(ctx, taskID)
	if err != nil {
		return err
	}
	_, err = s.updateLead(ctx, lead.ID, KindTaskDeleted, 0, func(l *Lead, now time.Time, p Principal) error {
		idx := slices.IndexFunc(l.Tasks, func(t Task) bool { return t.ID == taskID })
		if idx < 0 {
			return errNotFound("task")
		}
		l.Tasks = slices.Delete(l.Tasks, idx, idx+1)
		return nil
	})
	return err
}
