package store

import (
	"context"

	"forecourt/internal/core"
)

// VehicleQuery returns the page query FindVehicleRecords runs for q on
// dealers, bound for s's engine, and its arguments.
func VehicleQuery(s *Store, dealers []int64, q core.Query) (string, []any) {
	c := s.reader(context.Background())
	t, err := vehicleTable.withExt("vehicle_records", q.Ext, c.pg)
	if err != nil {
		panic(err)
	}
	scope, sargs := inScope("dealer_id", dealers)
	where, args, err := c.scoped(&t, scope, sargs, q)
	if err != nil {
		panic(err)
	}
	limit, largs := c.page(core.Page{Offset: q.Offset, Limit: q.Limit})
	return c.bind(`SELECT ` + vehicleCols + ` FROM vehicle_records WHERE ` + where + c.orderBy(&t, q.Sort, false) + limit), append(args, largs...)
}

// QueryPlan is SQLite's plan of a query (queryPlan), for the external
// tests.
var QueryPlan = queryPlan
