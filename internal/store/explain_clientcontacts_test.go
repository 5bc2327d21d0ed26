package store

import (
	"context"
	"strings"
	"testing"

	"forecourt/internal/core"
)

// TestExplainClientContactExt: a clients query on a field of the
// client's contacts' Ext (core.FieldSpec.Of) reads the client's contacts
// by contacts_client, never the contacts table whole, and reads their
// Ext, not the client's.
//
//	SEARCH clients USING INDEX …; SEARCH ct EXISTS USING INDEX contacts_client (client_id=?)
//
// On PostgreSQL, its equality is containment in the contacts' nested Ext,
// which contacts_ext_gin serves.
func TestExplainClientContactExt(t *testing.T) {
	s := openTestSQLite(t)
	dealerID, _ := seedDealer(t, s)
	ext := map[string]core.FieldSpec{
		"ext.walcu.contacts.name.first_name": {Type: core.TypeText, Path: "walcu.name.first_name", Of: core.RecordContact},
		"ext.walcu.custom":                   {Type: core.TypeText, Path: "walcu.custom"},
	}
	sc, err := core.ClientSchema.WithExt(ext)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := clientTable.withClientExt(ext, false)
	if err != nil {
		t.Fatal(err)
	}
	c := s.reader(context.Background())
	const f = "ext.walcu.contacts.name.first_name"
	for name, cond := range map[string]core.Cond{
		"eq":        core.Eq(f, "Marta"),
		"substring": {Op: core.OpContains, Field: f, Value: "mar"},
		"exists":    {Op: core.OpExists, Field: f, Value: false},
	} {
		q := core.Query{Where: core.And(cond, core.Eq("ext.walcu.custom", "vip")), Ext: ext}
		if err := sc.Check(&q); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		scope, args := inScope("dealer_id", []int64{dealerID})
		where, args, err := c.scoped(&tbl, scope, args, q)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// the contact's field reads ct.ext only; the client's own clients.ext
		if i := strings.Index(where, "EXISTS"); i < 0 || !strings.Contains(where[i:], "ct.ext") {
			t.Errorf("%s: no EXISTS over the contacts' Ext: %s", name, where)
		}
		plan := queryPlan(t, s.read, "SELECT id FROM clients WHERE "+where, args...)
		t.Logf("%s: %s", name, plan)
		if !strings.Contains(plan, "contacts_client") || strings.Contains(plan, "SCAN ct") {
			t.Errorf("%s: the client's contacts not read by contacts_client: %s", name, plan)
		}
	}
	pg, err := clientTable.withClientExt(ext, true)
	if err != nil {
		t.Fatal(err)
	}
	if j := pg.fields[f].contains; j == nil || j.col != "forecourt_flat_ext(ct.ext)" || !strings.HasPrefix(j.in, "clients.id IN (SELECT ct.client_id FROM contacts ct") {
		t.Errorf("PostgreSQL's containment of a contact's field: %+v", j)
	}
}
