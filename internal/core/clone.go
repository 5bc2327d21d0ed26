package core

import "slices"

// Clone returns a deep copy of l: changing the copy, its client, vehicle,
// tasks, notes or any field behind a pointer, leaves l as it was. Nil
// slices stay nil.
func (l Lead) Clone() Lead {
	out := l
	if l.Client != nil {
		cl := *l.Client
		cl.ProvinceID, cl.LocalityID = clonePtr(cl.ProvinceID), clonePtr(cl.LocalityID)
		out.Client = &cl
	}
	if l.Vehicle != nil {
		v := *l.Vehicle
		v.Year, v.GasID, v.RecordID = clonePtr(v.Year), clonePtr(v.GasID), clonePtr(v.RecordID)
		out.Vehicle = &v
	}
	out.Tags = cloneNotes(l.Tags)
	out.Notes = cloneNotes(l.Notes)
	if l.Tasks != nil {
		out.Tasks = make([]Task, len(l.Tasks))
		for i, t := range l.Tasks {
			out.Tasks[i] = t.Clone()
		}
	}
	out.UserID, out.CreatedBy = clonePtr(l.UserID), clonePtr(l.CreatedBy)
	out.FinishedAt, out.FirstTaskAt = clonePtr(l.FinishedAt), clonePtr(l.FirstTaskAt)
	if l.Ext != nil {
		out.Ext = make(map[string]string, len(l.Ext))
		for k, v := range l.Ext {
			out.Ext[k] = v
		}
	}
	if l.History != nil {
		out.History = make([]History, len(l.History))
		for i, h := range l.History {
			h.UserID, h.Changes = clonePtr(h.UserID), slices.Clone(h.Changes)
			out.History[i] = h
		}
	}
	return out
}

// Clone returns a deep copy of t: changing the copy, its appraisal, notes
// or any field behind a pointer, leaves t as it was.
func (t Task) Clone() Task {
	t.PlannedAt, t.PlannedTrackingAt = clonePtr(t.PlannedAt), clonePtr(t.PlannedTrackingAt)
	t.DoneAt, t.TrackedAt, t.AuthorID = clonePtr(t.DoneAt), clonePtr(t.TrackedAt), clonePtr(t.AuthorID)
	t.Notes = cloneNotes(t.Notes)
	if t.Appraisal != nil {
		a := *t.Appraisal
		a.Year, a.GasID = clonePtr(a.Year), clonePtr(a.GasID)
		t.Appraisal = &a
	}
	return t
}

func cloneNotes(ns []Note) []Note {
	if ns == nil {
		return nil
	}
	out := make([]Note, len(ns))
	for i, n := range ns {
		n.AuthorID = clonePtr(n.AuthorID)
		n.History = slices.Clone(n.History)
		out[i] = n
	}
	return out
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
