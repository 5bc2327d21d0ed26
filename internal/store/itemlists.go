package store

import (
	"context"

	"forecourt/internal/core"
)

// taskTable maps core.TaskSchema onto tasks. A task keeps its lead's
// dealer and assignee (dealer_id, lead_user_id: migration 0056, whose
// triggers keep them equal to the lead's), so that "dealer" and
// "lead_user" are the task's own columns: the web's "Mis tareas" (a
// user's open tasks by date, and their count) reads one range of
// tasks_dealer_user rather than the dealer's tasks (~0.35 s a page at
// 100,000 tasks before, docs/benchmarks.md).
var taskTable = tableSQL{
	schema: &core.TaskSchema,
	table:  "tasks",
	fields: map[string]fieldSQL{
		"id":          {col: "id"},
		"public_id":   {col: "public_id"},
		"dealer":      {col: "dealer_id"},
		"lead":        {col: "lead_id"},
		"lead_user":   {col: "lead_user_id"},
		"type":        {col: "type"},
		"media":       {col: "media"},
		"description": {col: "description"},
		"done":        {col: "done"},
		"planned_at":  {col: "planned_at"},
		"done_at":     {col: "done_at"},
		"created_at":  {col: "created_at"},
		"author":      {col: "author_id"},
		"version":     {col: "version"},
	},
	search: func(c conn, term string) (string, []any) { return likeAny(c.pg, term, "description") },
}

// noteTable maps core.NoteSchema onto the notes of leads.
var noteTable = tableSQL{
	schema: &core.NoteSchema,
	table:  "notes",
	fields: map[string]fieldSQL{
		"id":          {col: "id"},
		"dealer":      {col: "l.dealer_id", from: "leads l WHERE l.id = notes.lead_id"},
		"lead":        {col: "lead_id"},
		"content":     {col: "content"},
		"author":      {col: "author_id"},
		"created_at":  {col: "created_at"},
		"modified_at": {col: "modified_at"},
		"version":     {col: "version"},
	},
	search: func(c conn, term string) (string, []any) { return likeAny(c.pg, term, "content") },
}

// taskScope is the scope of the tasks of the leads of dealers: the
// task's own dealer_id, which tasks_dealer_user begins with.
func taskScope(dealers []int64) (string, []any) { return inScope("dealer_id", dealers) }

// noteScope is the scope of the notes of the leads of dealers (their
// own, not their tasks' nor their tags).
func noteScope(dealers []int64) (string, []any) {
	cond, args := inScope("dealer_id", dealers)
	return "lead_id IN (SELECT id FROM leads WHERE " + cond + ") AND task_id IS NULL AND kind = 'note'", args
}

// FindTasks implements core.ItemLister.FindTasks: the page's ids, then
// each task as Task loads it (a page is at most a thousand).
func (s *Store) FindTasks(ctx context.Context, dealers []int64, q core.Query) ([]core.Task, int, error) {
	if dealers = core.DistinctIDs(dealers); len(dealers) == 0 {
		return nil, 0, nil
	}
	scope, args := taskScope(dealers)
	t, err := taskTable.withDocExt(q.Ext, s.engine == Postgres)
	if err != nil {
		return nil, 0, err
	}
	return findPage(s, ctx, &t, scope, args, q, func(c conn, tail string, args ...any) ([]core.Task, error) {
		ids, err := queryIDs(c, `SELECT id FROM tasks `+tail, args)
		if err != nil {
			return nil, err
		}
		out := make([]core.Task, 0, len(ids))
		for _, id := range ids {
			t, err := loadTask(c, id, 0)
			if err != nil {
				return nil, err
			}
			out = append(out, t)
		}
		return out, nil
	})
}

// GroupTasks implements core.ItemLister.GroupTasks.
func (s *Store) GroupTasks(ctx context.Context, dealers []int64, q core.Query) ([]core.Group, error) {
	if dealers = core.DistinctIDs(dealers); len(dealers) == 0 {
		return nil, nil
	}
	scope, args := taskScope(dealers)
	t, err := taskTable.withDocExt(q.Ext, s.engine == Postgres)
	if err != nil {
		return nil, err
	}
	return groupPage(s, ctx, &t, scope, args, q)
}

// FindNotes implements core.ItemLister.FindNotes.
func (s *Store) FindNotes(ctx context.Context, dealers []int64, q core.Query) ([]core.Note, int, error) {
	if dealers = core.DistinctIDs(dealers); len(dealers) == 0 {
		return nil, 0, nil
	}
	scope, args := noteScope(dealers)
	t, err := noteTable.withDocExt(q.Ext, s.engine == Postgres)
	if err != nil {
		return nil, 0, err
	}
	return findPage(s, ctx, &t, scope, args, q, func(c conn, tail string, args ...any) ([]core.Note, error) {
		ids, err := queryIDs(c, `SELECT id FROM notes `+tail, args)
		if err != nil {
			return nil, err
		}
		out := make([]core.Note, 0, len(ids))
		for _, id := range ids {
			n, err := loadNote(c, id)
			if err != nil {
				return nil, err
			}
			if err := c.row(`SELECT dealer_id FROM leads WHERE id = ?`, n.LeadID).Scan(&n.DealerID); err != nil {
				return nil, err
			}
			out = append(out, n)
		}
		return out, nil
	})
}

// GroupNotes implements core.ItemLister.GroupNotes.
func (s *Store) GroupNotes(ctx context.Context, dealers []int64, q core.Query) ([]core.Group, error) {
	if dealers = core.DistinctIDs(dealers); len(dealers) == 0 {
		return nil, nil
	}
	scope, args := noteScope(dealers)
	t, err := noteTable.withDocExt(q.Ext, s.engine == Postgres)
	if err != nil {
		return nil, err
	}
	return groupPage(s, ctx, &t, scope, args, q)
}
