package walcu_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"forecourt/internal/walcu"
)

// TestExportWhileWritten: an export reads its pages after each page's
// last key, so that leads created, patched and patched again while it
// runs (between its pages) neither shift nor repeat the rest: every lead
// that matched when it started is in it exactly once, in the list's
// order. With offset pages, the two leads created in front of the
// position would have pushed two leads already written into the next page
// again.
func TestExportWhileWritten(t *testing.T) {
	e := newEnv(t)
	params := url.Values{"sort": {"-created_at"}, "project": {"_id"}}
	ids := func(r resp) []string {
		var out []string
		for _, d := range r.arr() {
			out = append(out, d.(map[string]any)["_id"].(string))
		}
		return out
	}
	lr := e.list("saleleads", url.Values{"sort": {"-created_at"}, "project": {"_id"}, "limit": {"50"}})
	mustStatus(t, "the list", lr, 200)
	before := ids(lr)
	if len(before) < 5 {
		t.Fatalf("%d saleleads to export, want 5 or more", len(before))
	}
	pages := 0
	walcu.SetExportPage(t, 2, func() {
		pages++
		if pages != 1 {
			return
		}
		for range 2 {
			mustStatus(t, "create a salelead during the export", e.es(http.MethodPost, "saleleads",
				map[string]any{"car_list": []any{map[string]any{"car": map[string]any{"make": "Seat"}}}}), 200)
		}
		for _, id := range []string{before[1], before[3], before[len(before)-1]} { // one written, two to come
			mustStatus(t, "patch a salelead during the export", e.es(http.MethodPatch, "saleleads/"+id, []any{
				map[string]any{"op": "replace", "path": "/status/status", "value": "tracing"}}), 200)
		}
	})
	j := e.startExport(t, "saleleads", params)
	if n := e.runJobs(t); n != 1 {
		t.Fatalf("ran %d jobs", n)
	}
	got := e.do(e.esKey, http.MethodGet, jobPath(j), nil)
	mustStatus(t, "the export", got, 200)
	if pages < 2 {
		t.Fatalf("the export read %d pages", pages+1)
	}
	if g := ids(got); !slices.Equal(g, before) {
		t.Errorf("the export written to while it ran:\n%v\nwant every lead that matched once, in order:\n%v", g, before)
	}
}
