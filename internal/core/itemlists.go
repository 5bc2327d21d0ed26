package core

import "context"

// Tasks and notes listed on their own, not through their leads: Walcu's
// tasks and notes collections list a dealer's, filtered and sorted like
// any entity.

// TaskSchema is the registry of a task's fields when tasks are listed on
// their own ("dealer" is its lead's; "lead_user" its lead's assignee, who
// does the lead's tasks: a task has no assignee of its own).
var TaskSchema = Schema{
	Entity: "task",
	Fields: map[string]FieldSpec{
		"id":          {Type: TypeInt, Sort: true},
		"public_id":   {Type: TypeText},
		"dealer":      {Type: TypeInt, Group: true},
		"lead":        {Type: TypeInt, Group: true},
		"lead_user":   {Type: TypeInt},
		"type":        {Type: TypeEnum, Values: enumValues(TaskTypes), Group: true},
		"media":       {Type: TypeEnum, Values: enumValues(MediaValues), Group: true},
		"description": {Type: TypeText},
		"done":        {Type: TypeBool, Group: true},
		"planned_at":  {Type: TypeTime, Sort: true},
		"done_at":     {Type: TypeTime, Sort: true},
		"created_at":  {Type: TypeTime, Sort: true},
		"author":      {Type: TypeInt, Group: true},
		"version":     {Type: TypeInt},
	},
	Search:      "the description",
	DefaultSort: []Sort{{Field: "id"}},
}

// NoteSchema is the registry of a lead's notes' fields (not tags, not a
// task's notes, not a dealer's) when they are listed on their own.
var NoteSchema = Schema{
	Entity: "note",
	Fields: map[string]FieldSpec{
		"id":          {Type: TypeInt, Sort: true},
		"dealer":      {Type: TypeInt, Group: true},
		"lead":        {Type: TypeInt, Group: true},
		"content":     {Type: TypeText},
		"author":      {Type: TypeInt, Group: true},
		"created_at":  {Type: TypeTime, Sort: true},
		"modified_at": {Type: TypeTime, Sort: true},
		"version":     {Type: TypeInt},
	},
	Search:      "the content",
	DefaultSort: []Sort{{Field: "id"}},
}

// ItemLister lists tasks and notes on their own; every Store is one.
type ItemLister interface {
	// FindTasks lists the tasks of the leads of dealerIDs that q selects,
	// each with its appraisal and notes.
	FindTasks(ctx context.Context, dealerIDs []int64, q Query) ([]Task, int, error)
	GroupTasks(ctx context.Context, dealerIDs []int64, q Query) ([]Group, error)
	// FindNotes lists the notes of the leads of dealerIDs (their own, not
	// their tags or their tasks') that q selects, each with its history.
	FindNotes(ctx context.Context, dealerIDs []int64, q Query) ([]Note, int, error)
	GroupNotes(ctx context.Context, dealerIDs []int64, q Query) ([]Group, error)
}

// OpenTasksQuery is the query of the open tasks of the leads user is
// assigned (the web's "Mis tareas"): the dated ones by planned date then
// id (so the overdue first), or the undated ones by id; limit of them,
// with the count of all. The store reads both from one index of the
// tasks' dealer, their lead's assignee, done and planned date, never the
// dealer's tasks (docs/benchmarks.md, "Mis tareas on 100,000 tasks"):
// the undated ones are sorted by planned date too, which they all lack,
// then id, the order the index holds them in (PostgreSQL reads a sort by
// id alone in it only after sorting them).
func OpenTasksQuery(user int64, dated bool, limit int) Query {
	return Query{Where: And(Eq("lead_user", user), Eq("done", false), Cond{Op: OpExists, Field: "planned_at", Value: dated}),
		Sort: []Sort{{Field: "planned_at"}, {Field: "id"}}, Limit: limit, Total: true}
}

// FindTasks lists the tasks of the principal's dealers' leads.
func (s *Service) FindTasks(ctx context.Context, q Query) ([]Task, int, error) {
	sc, err := TaskSchema.WithExt(q.Ext)
	if err != nil {
		return nil, 0, err
	}
	ids, err := s.prepare(ctx, &q, sc, "dealer")
	if err != nil || len(ids) == 0 {
		return nil, 0, err
	}
	return s.store.FindTasks(ctx, ids, q)
}

// GroupTasks counts them per value of q.GroupBy, most first.
func (s *Service) GroupTasks(ctx context.Context, q Query) ([]Group, error) {
	if q.GroupBy == "" {
		return nil, &Error{Code: Invalid, Message: "nothing to group by", Fields: map[string]string{"group_by": MsgRequired}}
	}
	sc, err := TaskSchema.WithExt(q.Ext)
	if err != nil {
		return nil, err
	}
	ids, err := s.prepare(ctx, &q, sc, "dealer")
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	return s.store.GroupTasks(ctx, ids, q)
}

// FindNotes lists the notes of the principal's dealers' leads.
func (s *Service) FindNotes(ctx context.Context, q Query) ([]Note, int, error) {
	sc, err := NoteSchema.WithExt(q.Ext)
	if err != nil {
		return nil, 0, err
	}
	ids, err := s.prepare(ctx, &q, sc, "dealer")
	if err != nil || len(ids) == 0 {
		return nil, 0, err
	}
	return s.store.FindNotes(ctx, ids, q)
}

// GroupNotes counts them per value of q.GroupBy, most first.
func (s *Service) GroupNotes(ctx context.Context, q Query) ([]Group, error) {
	if q.GroupBy == "" {
		return nil, &Error{Code: Invalid, Message: "nothing to group by", Fields: map[string]string{"group_by": MsgRequired}}
	}
	sc, err := NoteSchema.WithExt(q.Ext)
	if err != nil {
		return nil, err
	}
	ids, err := s.prepare(ctx, &q, sc, "dealer")
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	return s.store.GroupNotes(ctx, ids, q)
}
