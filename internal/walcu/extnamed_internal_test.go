package walcu

import (
	"maps"
	"slices"
	"testing"

	"forecourt/internal/core"
)

// TestNamedExt: a query declares the extension fields its condition (at
// any depth), sort and group_by name, and no other.
func TestNamedExt(t *testing.T) {
	specs := map[string]core.FieldSpec{}
	for _, n := range []string{"ext.walcu.a", "ext.walcu.b", "ext.walcu.c", "ext.walcu.d", "ext.walcu.e", "ext.walcu.unused"} {
		specs[n] = core.FieldSpec{Type: core.TypeText, Path: n[len("ext."):]}
	}
	for name, c := range map[string]struct {
		q    core.Query
		want []string
	}{
		"none":  {core.Query{Where: core.Eq("make", "Seat")}, nil},
		"where": {core.Query{Where: core.And(core.Eq("ext.walcu.a", "x"), core.Or(core.Eq("make", "y"), core.Not(core.Eq("ext.walcu.b", "z"))))}, []string{"ext.walcu.a", "ext.walcu.b"}},
		"sort":  {core.Query{Sort: []core.Sort{{Field: "ext.walcu.c"}, {Field: "id"}}}, []string{"ext.walcu.c"}},
		"group": {core.Query{GroupBy: "ext.walcu.d", Where: core.In("ext.walcu.e", "1")}, []string{"ext.walcu.d", "ext.walcu.e"}},
	} {
		got := slices.Sorted(maps.Keys(namedExt(specs, c.q)))
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", name, got, c.want)
		}
	}
}
