package store

import (
	"context"

	"forecourt/internal/core"
)

// TaskListQueries returns the statements FindTasks runs for the tasks of
// dealers that q (checked) selects, bound for the store's engine: the
// page's ids and, when q.Total, the count; and their arguments.
func TaskListQueries(s *Store, dealers []int64, q core.Query) (page string, pageArgs []any, count string, countArgs []any) {
	c := s.reader(context.Background())
	scope, args := taskScope(dealers)
	where, wargs, err := c.scoped(&taskTable, scope, args, q)
	if err != nil {
		panic(err)
	}
	limit, largs := c.page(core.Page{Offset: q.Offset, Limit: q.Limit})
	return c.bind(`SELECT id FROM tasks WHERE ` + where + c.orderBy(&taskTable, q.Sort, false) + limit), append(wargs, largs...),
		c.bind(`SELECT count(*) FROM tasks WHERE ` + where), wargs
}
