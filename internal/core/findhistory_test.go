package core_test

import (
	"testing"

	"forecourt/internal/core"
)

// TestFindLeadsHistoryBounded: a lead query reads each lead's history only
// up to MaxLeadHistory entries, for at most MaxHistoryLeads leads; past
// either it is refused as Invalid before the store reads anything, and
// within them the lead comes with its history, another dealer's never.
func TestFindLeadsHistoryBounded(t *testing.T) {
	e := newEnv(t)
	l := e.lead(t, nil)
	for _, q := range []core.Query{
		{Limit: 1, History: -1},
		{Limit: 1, History: core.MaxLeadHistory + 1},
		{Limit: -1, History: 1},
		{Limit: 0, History: 1},
		{Limit: core.MaxHistoryLeads + 1, History: 1},
	} {
		_, _, err := e.svc.FindLeads(e.admin, q)
		if ce, ok := err.(*core.Error); !ok || ce.Code != core.Invalid || ce.Fields["history"] != core.MsgOutOfRange {
			t.Errorf("limit %d, history %d: %v", q.Limit, q.History, err)
		}
	}
	q := core.Query{Where: core.Eq("id", l.ID), Limit: core.MaxHistoryLeads, History: core.MaxLeadHistory}
	ls, _, err := e.svc.FindLeads(e.admin, q)
	if err != nil || len(ls) != 1 || len(ls[0].History) == 0 || ls[0].History[0].Kind != core.KindLeadCreated {
		t.Fatalf("the lead with its history: %v, %+v", err, ls)
	}
	if ls, _, err := e.svc.FindLeads(e.other, q); err != nil || len(ls) != 0 {
		t.Fatalf("another dealer's lead: %v, %+v", err, ls)
	}
}
