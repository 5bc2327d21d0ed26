package store

import (
	"context"
	"strings"
)

// CarRefs returns what leadRefs finds for term (lower-cased) through the
// dealers' stock cars: the leads listed by id, or past maxCarLeads the
// pattern the lookup is made again with.
func CarRefs(s *Store, dealers []int64, term string) ([]int64, string, error) {
	c := s.reader(context.Background())
	refs, err := leadRefs(c, dealers, []string{strings.ToLower(term)})
	if err != nil {
		return nil, "", err
	}
	r := refs[strings.ToLower(term)]
	return r.carLeads, r.carPattern, nil
}

// CarLookupLeads returns the ids of the dealers' leads that the car arm
// of a term past maxCarLeads selects (the lookup read for each candidate),
// in id order.
func CarLookupLeads(s *Store, dealers []int64, term string) ([]int64, error) {
	c := s.reader(context.Background())
	arm, args := leadTermRefs{carPattern: like(term)}.carArm(c.pg, dealers)
	return queryIDs(c, `SELECT id FROM leads WHERE dealer_id IN `+in(len(dealers))+` AND `+arm+` ORDER BY id`, append(anys(dealers), args...))
}

// CarLookupQuery is leadRefs' lookup of a term's cars alone, bound for
// s's engine, with its arguments.
func CarLookupQuery(s *Store, dealers []int64, term string) (string, []any) {
	c := s.reader(context.Background())
	return c.bind(`SELECT l.id FROM ` + carLeadsFrom(c.pg, len(dealers))), carRefsArgs(dealers, like(term))
}

// VehicleRecordLeadsQuery is VehicleRecordLeads' query of n records, bound
// for s's engine.
func VehicleRecordLeadsQuery(s *Store, n int) string {
	return s.reader(context.Background()).bind(vehicleRecordLeadsQuery(n))
}

// SQLitePlan is SQLite's plan of a query (queryPlan).
var SQLitePlan = queryPlan
