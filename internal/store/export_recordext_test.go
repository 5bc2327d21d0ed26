package store

import (
	"context"

	"forecourt/internal/core"
)

// RecordExtQuery returns the page query of table ("appointments",
// "communications", "tasks", "notes") for dealers' rows that q selects,
// its extension fields compiled as the Find of that table compiles them,
// bound for the store's engine, and its arguments.
func RecordExtQuery(s *Store, table string, dealers []int64, q core.Query) (string, []any) {
	c := s.reader(context.Background())
	pg := s.engine == Postgres
	var t tableSQL
	var err error
	scope, args := inScope("dealer_id", dealers)
	switch table {
	case "appointments":
		t, err = appointmentTable.withFlatExt(q.Ext, pg)
	case "communications":
		t, err = communicationTable.withFlatExt(q.Ext, pg)
	case "tasks":
		t, err = taskTable.withDocExt(q.Ext, pg)
		scope, args = taskScope(dealers)
	case "notes":
		t, err = noteTable.withDocExt(q.Ext, pg)
		scope, args = noteScope(dealers)
	}
	if err != nil {
		panic(err)
	}
	where, wargs, err := c.scoped(&t, scope, args, q)
	if err != nil {
		panic(err)
	}
	limit, largs := c.page(core.Page{Limit: 51})
	return c.bind(`SELECT id FROM ` + t.table + ` WHERE ` + where + c.orderBy(&t, q.Sort, false) + limit), append(wargs, largs...)
}
