package testkit

import (
	"context"
	"fmt"

	"forecourt/internal/core"
	"forecourt/internal/store"
)

// LeadFilter is the lead list of SML's filters (the shape most lead tests
// ask for), written as a core.Query by Query. DealerIDs is for the store,
// which takes the dealers apart from the query.
type LeadFilter struct {
	DealerIDs           []int64
	Stages              []core.Stage
	ClientID            *int64
	ClientPhoneContains string
	ClientEmailContains string
	Search              string
	Sort                []core.Sort
	Page                core.Page
}

// Query returns f's query, checked against core.LeadSchema, with its
// total counted. It panics when the check fails: a test wrote it wrong.
func (f LeadFilter) Query() core.Query {
	var where []core.Cond
	if f.Stages != nil {
		where = append(where, core.In("stage", f.Stages...))
	}
	if f.ClientID != nil {
		where = append(where, core.Eq("client", *f.ClientID))
	}
	if f.ClientPhoneContains != "" {
		where = append(where, core.Contains("client.phone", f.ClientPhoneContains))
	}
	if f.ClientEmailContains != "" {
		where = append(where, core.Contains("client.email", f.ClientEmailContains))
	}
	if f.Search != "" {
		where = append(where, core.Match(f.Search))
	}
	q := core.Query{Where: core.And(where...), Sort: f.Sort, Offset: f.Page.Offset, Limit: f.Page.Limit, Total: true}
	if err := core.LeadSchema.Check(&q); err != nil {
		panic(fmt.Sprintf("testkit: lead filter %+v: %v", f, err))
	}
	return q
}

// ServiceQuery is Query with f.DealerIDs as a condition on the dealer, as
// an API asks core.Service.FindLeads.
func (f LeadFilter) ServiceQuery() core.Query {
	q := f.Query()
	if f.DealerIDs != nil {
		q.Where = core.And(core.In("dealer", f.DealerIDs...), q.Where)
	}
	return q
}

// FindLeads lists f's leads from the store s, as a test asks it.
func FindLeads(ctx context.Context, s *store.Store, f LeadFilter) ([]core.Lead, int, error) {
	return s.FindLeads(ctx, f.DealerIDs, f.Query())
}

// List returns the checked query of sc for the conditions where (ANDed),
// page p, counting the total. It panics when the check fails.
func List(sc core.Schema, p core.Page, where ...core.Cond) core.Query {
	q := core.Query{Where: core.And(where...), Offset: p.Offset, Limit: p.Limit, Total: true}
	if err := sc.Check(&q); err != nil {
		panic(fmt.Sprintf("testkit: %s query: %v", sc.Entity, err))
	}
	return q
}

// All is List of every match.
func All(sc core.Schema, where ...core.Cond) core.Query { return List(sc, core.All, where...) }
