package core_test

import (
	"reflect"
	"testing"

	"forecourt/internal/core"
)

// TestClientLeadTallies: a client's leads are counted by kind in one read,
// the same tallies as ClientActivity's; a client without leads is left
// out (an id naming none); another dealer's principal, or another dealer's client, gets none.
func TestClientLeadTallies(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		l := e.lead(t, nil)
		same := func(x *core.Lead) { x.Client = &core.Client{ID: l.Client.ID} }
		e.lead(t, same)
		e.lead(t, func(x *core.Lead) { same(x); x.Kind = core.LeadAftersale })
		none := l.Client.ID + 1_000_000 // no client, no leads
		got, err := e.svc.ClientLeadTallies(e.admin, e.f.DealerID, []int64{l.Client.ID, none})
		if err != nil {
			t.Fatal(err)
		}
		c := l.Client.ID
		n := map[core.LeadKind]int{}
		for _, k := range got[c] {
			n[k.Kind] = k.Count
		}
		if len(got[c]) != 2 || n[core.LeadSale] != 2 || n[core.LeadAftersale] != 1 || len(got) != 1 {
			t.Fatalf("tallies: %+v", got)
		}
		act, err := e.svc.ClientActivity(e.admin, e.f.DealerID, []int64{c})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(act.Leads, got) {
			t.Fatalf("ClientActivity's leads %+v, tallies %+v", act.Leads, got)
		}
		if theirs, err := e.svc.ClientLeadTallies(e.other, e.f.DealerID, []int64{c}); err != nil || len(theirs) != 0 {
			t.Fatalf("another dealer's principal: %+v %v", theirs, err)
		}
		if theirs, err := e.svc.ClientLeadTallies(e.other, e.otherD.ID, []int64{c}); err != nil || len(theirs) != 0 {
			t.Fatalf("a client of another dealer: %+v %v", theirs, err)
		}
	})
}
