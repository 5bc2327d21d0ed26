package sml

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"forecourt/internal/core"
)

// noteList returns n SML notes of content text.
func noteList(n int, text string) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = map[string]any{"content": text}
	}
	return out
}

// TestLeadTotals: what the per-list limits alone allowed (200 tasks of
// 200 notes each, 40,000 notes in one request under 1 MiB) is refused with a 400
// naming the list where the lead's total was passed, on every SML path
// that writes a lead's notes and texts (POST and PATCH of a lead, POST
// and PATCH of a task), and nothing changes.
func TestLeadTotals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	leads := e.leadCount()
	tasks := make([]any, core.MaxItems)
	for i := range tasks {
		tasks[i] = map[string]any{"note": noteList(core.MaxItems, "x")}
	}
	body := e.minimalLead()
	body["request"] = map[string]any{"task": tasks}
	if n := len(mustJSON(t, body)); n < 600<<10 || n > 1<<20 {
		t.Fatalf("the issue's request is %d bytes", n)
	}
	r := want(t, e.do(http.MethodPost, "/api/lead/", body), http.StatusBadRequest)
	wantBody := `{"request":{"task":[{},{},{"note":["` + msgLeadNotes + `"]}]}}`
	if !sameJSON(t, string(r.body), wantBody) {
		t.Fatalf("POST of 40,000 notes: %s, want %s", r.body, wantBody)
	}
	if n := e.leadCount(); n != leads {
		t.Fatalf("a refused lead was stored: %d leads, had %d", n, leads)
	}

	// a lead with 10 notes of 10,000 characters holds all the text it may
	long := strings.Repeat("ñ", core.MaxLongText)
	body = e.minimalLead()
	body["note"] = noteList(core.MaxLeadText/core.MaxLongText, long)
	lead := e.createLead(body)
	id := num(lead["id"])
	lu := fmt.Sprintf("/api/lead/%d/", id)
	before := want(t, e.do(http.MethodGet, lu, nil), http.StatusOK).body

	keep := make([]any, 0, 11)
	for _, n := range lead["note"].([]any) {
		keep = append(keep, map[string]any{"id": n.(map[string]any)["id"]})
	}
	r = want(t, e.do(http.MethodPatch, lu, map[string]any{"note": append(keep, map[string]any{"content": "una más"})}), http.StatusBadRequest)
	notes := make([]string, 10)
	for i := range notes {
		notes[i] = "{}"
	}
	wantBody = `{"note":[` + strings.Join(notes, ",") + `,{"content":["` + msgLeadText + `"]}]}`
	if !sameJSON(t, string(r.body), wantBody) {
		t.Fatalf("PATCH past the text: %s, want %s", r.body, wantBody)
	}
	r = want(t, e.do(http.MethodPost, "/api/lead_task_create/", map[string]any{"lead": id, "description": "llamar"}), http.StatusBadRequest)
	if !sameJSON(t, string(r.body), `{"description":["`+msgLeadText+`"]}`) {
		t.Fatalf("task past the text: %s", r.body)
	}
	if after := want(t, e.do(http.MethodGet, lu, nil), http.StatusOK).body; string(after) != string(before) {
		t.Fatalf("refused writes changed the lead:\n%s\nwas\n%s", after, before)
	}
	// what does not grow the text passes, on the lead and on a task
	want(t, e.do(http.MethodPatch, lu, map[string]any{"status": "tracing"}), http.StatusOK)
	task := want(t, e.do(http.MethodPost, "/api/lead_task_create/", map[string]any{"lead": id, "type": "date"}), http.StatusCreated).obj(t)
	r = want(t, e.do(http.MethodPatch, fmt.Sprintf("/api/task/%d/", num(task["id"])), map[string]any{"note": noteList(1, "n")}), http.StatusBadRequest)
	if !sameJSON(t, string(r.body), `{"note":[{"content":["`+msgLeadText+`"]}]}`) {
		t.Fatalf("task note past the text: %s", r.body)
	}
}

// TestLeadPagesBounded: a page of leads carries at most
// core.MaxLeadsPerAnswer leads, page_size=all included (its next link
// keeps page_size=all), while other lists keep their larger pages; a
// history entry lists at most maxChangesShown changes and counts the rest.
func TestLeadPagesBounded(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	ctx := core.WithPrincipal(context.Background(), core.Principal{UserID: e.fx.AdminID, DealerIDs: []int64{e.fx.DealerID}})
	have := e.leadCount()
	for i := have; i < core.MaxLeadsPerAnswer+5; i++ {
		if _, err := e.svc.CreateLead(ctx, core.Lead{SourceID: e.fx.SourceIDs["phone"], Vehicle: &core.Vehicle{BrandModel: "Ibiza"}}); err != nil {
			t.Fatal(err)
		}
	}
	total := max(have, core.MaxLeadsPerAnswer+5)
	for _, q := range []string{"page_size=all", "page_size=1000", "page_size=5000"} {
		p := want(t, e.do(http.MethodGet, "/api/lead/?"+q, nil), http.StatusOK).obj(t)
		next, _ := p["next"].(string)
		if n := len(p["results"].([]any)); n != core.MaxLeadsPerAnswer || num(p["count"]) != int64(total) || !strings.Contains(next, q) || !strings.Contains(next, "page=2") {
			t.Errorf("%s: %d results of %v, next %v", q, n, p["count"], p["next"])
		}
	}
	p := want(t, e.do(http.MethodGet, "/api/lead/?page_size=all&page=2", nil), http.StatusOK).obj(t)
	if n := len(p["results"].([]any)); n != total-core.MaxLeadsPerAnswer || p["next"] != nil {
		t.Errorf("page 2 of all: %d results, next %v", n, p["next"])
	}

	// a write of 60 notes records 60 changes: 50 are listed
	l := e.createLead(e.minimalLead())
	body := map[string]any{"note": noteList(60, "nota")}
	want(t, e.do(http.MethodPatch, fmt.Sprintf("/api/lead/%d/", num(l["id"])), body), http.StatusOK)
	h := want(t, e.do(http.MethodGet, fmt.Sprintf("/api/lead_history/%d/get_history/", num(l["id"])), nil), http.StatusOK).obj(t)
	reason := path(h, "results", 0, "history_change_reason").(string)
	if strings.Count(reason, "nota") != maxChangesShown || !strings.HasSuffix(reason, ", y 10 cambios más") {
		t.Errorf("history of 60 notes: %s", reason)
	}
}
