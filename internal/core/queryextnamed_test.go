package core

import (
	"slices"
	"testing"
)

// TestNamedExt: a query's extension fields are narrowed to those its
// Where (at any depth: And, Or, Not), Sort and GroupBy name.
func TestNamedExt(t *testing.T) {
	spec := func(p string) FieldSpec { return FieldSpec{Type: TypeText, Path: "w." + p} }
	ext := map[string]FieldSpec{}
	for _, n := range []string{"a", "b", "c", "d", "e", "f", "unused"} {
		ext["ext.w."+n] = spec(n)
	}
	q := Query{Ext: ext, GroupBy: "ext.w.f", Sort: []Sort{{Field: "ext.w.e", Desc: true}, {Field: "created_at"}},
		Where: And(Eq("stage", StageNew), Eq("ext.w.a", "x"), Or(Eq("ext.w.b", "y"), Not(In("ext.w.c", "z"))),
			Not(Cond{Op: OpExists, Field: "ext.w.d", Value: true}))}
	got := NamedExt(ext, q)
	var names []string
	for n, s := range got {
		if s.Path != ext[n].Path {
			t.Errorf("%s: spec %+v, declared %+v", n, s, ext[n])
		}
		names = append(names, n)
	}
	slices.Sort(names)
	if want := []string{"ext.w.a", "ext.w.b", "ext.w.c", "ext.w.d", "ext.w.e", "ext.w.f"}; !slices.Equal(names, want) {
		t.Fatalf("named %v, want %v", names, want)
	}
	if got := NamedExt(ext, Query{}); len(got) != 0 {
		t.Fatalf("a query naming none keeps %v", got)
	}
}
