package core_test

import (
	"slices"
	"testing"

	"forecourt/internal/core"
)

// TestLeadKindAndExt: a lead's kind is a sale unless given, is stored,
// filtered and grouped on, and never changes; its Ext round-trips through
// the store on both engines, a patch sets and removes keys, each change
// is in the lead's history, and a bad key or a value that is no JSON is
// refused naming it.
func TestLeadKindAndExt(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		plain := e.lead(t, nil)
		if plain.Kind != core.LeadSale || plain.Ext != nil {
			t.Fatalf("a lead given no kind: %q %v", plain.Kind, plain.Ext)
		}
		ext := map[string]string{"walcu.custom": `"vip"`, "walcu.origin": `{"source":"web","medium":"web","n":[1,2.5,"<b>"]}`}
		l := e.lead(t, func(l *core.Lead) {
			l.Kind, l.Ext = core.LeadAppraisal, ext
			l.Client = &core.Client{Name: "Berta", Phone: "699111222", Email: "berta@example.com"}
		})
		got := mustFind(t, e, l.ID)
		if got.Kind != core.LeadAppraisal || len(got.Ext) != 2 || got.Ext["walcu.custom"] != `"vip"` || got.Ext["walcu.origin"] != ext["walcu.origin"] {
			t.Fatalf("stored: %q %v", got.Kind, got.Ext)
		}
		h, _ := lastHistory(t, e, l.ID)
		if !slices.Contains(h.Changes, core.Change{Field: "kind", New: "appraisal"}) || !slices.Contains(h.Changes, core.Change{Field: "ext.walcu.custom", New: `"vip"`}) {
			t.Fatalf("creation's history: %+v", h.Changes)
		}

		v2 := `"normal"`
		upd, err := e.svc.UpdateLead(e.admin, l.ID, core.LeadPatch{Version: got.Version, Ext: map[string]*string{"walcu.custom": &v2, "walcu.origin": nil}})
		if err != nil || upd.Ext["walcu.custom"] != v2 || len(upd.Ext) != 1 || upd.Version != got.Version+1 {
			t.Fatalf("patched: %v %v", upd.Ext, err)
		}
		h, _ = lastHistory(t, e, l.ID)
		want := []core.Change{{Field: "ext.walcu.custom", Old: `"vip"`, New: v2}, {Field: "ext.walcu.origin", Old: ext["walcu.origin"]}}
		if h.Kind != core.KindLeadUpdated || !slices.Equal(h.Changes, want) {
			t.Fatalf("patch's history: %+v", h)
		}
		if got := mustFind(t, e, l.ID); got.Kind != core.LeadAppraisal || len(got.Ext) != 1 {
			t.Fatalf("after the patch: %q %v", got.Kind, got.Ext)
		}

		for name, p := range map[string]map[string]*string{
			"no api":      {"custom": &v2},
			"bad key":     {"walcu.a-b": &v2},
			"not json":    {"walcu.custom": ptr("vip")},
			"nul":         {"walcu.custom": ptr(`"a\u0000b"`)},
			"too long":    {"walcu.custom": ptr(`"` + string(make([]byte, core.MaxLeadExtValue)) + `"`)},
			"empty field": {"walcu.": &v2},
		} {
			_, err := e.svc.UpdateLead(e.admin, l.ID, core.LeadPatch{Ext: p})
			var ce *core.Error
			if core.ErrorCode(err) != core.Invalid || !asError(err, &ce) || !hasFieldPrefix(ce.Fields, "ext") {
				t.Errorf("%s: %v", name, err)
			}
		}
		if _, err := e.svc.CreateLead(e.admin, core.Lead{Kind: "lease", SourceID: e.f.SourceIDs["phone"], Vehicle: &core.Vehicle{BrandModel: "X"}}); core.ErrorCode(err) != core.Invalid {
			t.Fatalf("an unknown kind: %v", err)
		}

		ls, n, err := e.svc.FindLeads(e.admin, core.Query{Where: core.Eq("kind", "appraisal"), Limit: -1, Total: true})
		if err != nil || n != 1 || ls[0].ID != l.ID {
			t.Fatalf("appraisal leads: %d %v", n, err)
		}
		gs, err := e.svc.GroupLeads(e.admin, core.Query{Where: core.Eq("dealer", e.f.DealerID), GroupBy: "kind"})
		if err != nil || len(gs) != 2 {
			t.Fatalf("groups by kind: %+v %v", gs, err)
		}
	})
}

func ptr(s string) *string { return &s }

func asError(err error, ce **core.Error) bool {
	e, ok := err.(*core.Error)
	*ce = e
	return ok
}

func hasFieldPrefix(fields map[string]string, prefix string) bool {
	for k := range fields {
		if k == prefix || len(k) > len(prefix) && k[:len(prefix)+1] == prefix+"." {
			return true
		}
	}
	return false
}
