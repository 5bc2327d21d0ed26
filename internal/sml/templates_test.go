package sml

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
)

// template reads one of the document's four request templates
// (testdata/templates, rebuilt from the document where page breaks cut
// them), as written.
func template(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile("testdata/templates/" + name + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

// set replaces the value at keys (object keys and list indexes) in v.
func set(t *testing.T, v any, value any, keys ...any) {
	t.Helper()
	parent := path(v, keys[:len(keys)-1]...)
	switch k := keys[len(keys)-1].(type) {
	case string:
		m, ok := parent.(map[string]any)
		if _, found := m[k]; !ok || !found {
			t.Fatalf("template has no %v", keys)
		}
		m[k] = value
	case int:
		l, ok := parent.([]any)
		if !ok || k >= len(l) {
			t.Fatalf("template has no %v", keys)
		}
		l[k] = value
	}
}

// TestDocumentTemplates sends the document's four request templates (Crear
// Lead, Modificar Lead, Crear and Modificar Solicitudes/Tareas) as written,
// only their placeholder ids (0, and 1 for nested objects) replaced by real
// ones: each is accepted, and the appraisal's "year": 0 they all send is
// stored and answered as 0.
func TestDocumentTemplates(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 0)
	gas := e.fx.GasIDs[0]

	create := template(t, "lead_create")
	set(t, create, e.fx.SourceIDs["phone"], "source")
	set(t, create, gas, "vehicle", "gas")
	set(t, create, e.fx.ProvinceID, "client", "province")
	set(t, create, e.fx.LocalityID, "client", "location")
	set(t, create, gas, "request", "task", 0, "appraisal", "gas")
	set(t, create, e.fx.AdminID, "user")
	lead := want(t, e.do(http.MethodPost, "/api/lead/", create), http.StatusCreated).obj(t)
	if y := path(lead, "request", "task", 0, "appraisal", "year"); y != 0.0 {
		t.Errorf("Crear Lead: appraisal year = %v, want 0", y)
	}
	leadID := num(lead["id"])
	task := path(lead, "request", "task", 0)

	update := template(t, "lead_update")
	for _, id := range [][]any{
		{"vehicle", "id"}, {"client", "id"}, {"request", "id"}, {"request", "task", 0, "id"},
		{"request", "task", 0, "note", 0, "id"}, {"request", "task", 0, "appraisal", "id"},
		{"note", 0, "id"}, {"tags", 0, "id"},
	} {
		set(t, update, path(lead, id...), id...)
	}
	set(t, update, gas, "vehicle", "gas")
	set(t, update, e.fx.ProvinceID, "client", "province")
	set(t, update, e.fx.LocalityID, "client", "location")
	set(t, update, gas, "request", "task", 0, "appraisal", "gas")
	set(t, update, e.fx.AdminID, "user")
	updated := want(t, e.do(http.MethodPatch, fmt.Sprintf("/api/lead/%d/", leadID), update), http.StatusOK).obj(t)
	if y := path(updated, "request", "task", 0, "appraisal", "year"); y != 0.0 {
		t.Errorf("Modificar Lead: appraisal year = %v, want 0", y)
	}
	if got, wantID := path(updated, "request", "task", 0, "appraisal", "id"), path(task, "appraisal", "id"); got != wantID {
		t.Errorf("Modificar Lead replaced the appraisal (id %v, was %v): the template's ids were not used", got, wantID)
	}

	taskCreate := template(t, "task_create")
	set(t, taskCreate, leadID, "lead")
	set(t, taskCreate, gas, "appraisal", "gas")
	created := want(t, e.do(http.MethodPost, "/api/lead_task_create/", taskCreate), http.StatusCreated).obj(t)
	if y := path(created, "appraisal", "year"); y != 0.0 {
		t.Errorf("Crear Solicitudes/Tareas: appraisal year = %v, want 0", y)
	}

	taskUpdate := template(t, "task_update")
	set(t, taskUpdate, path(created, "note", 0, "id"), "note", 0, "id")
	set(t, taskUpdate, path(created, "appraisal", "id"), "appraisal", "id")
	set(t, taskUpdate, gas, "appraisal", "gas")
	taskURL := fmt.Sprintf("/api/task/%d/", num(created["id"]))
	if y := path(want(t, e.do(http.MethodPatch, taskURL, taskUpdate), http.StatusOK).obj(t), "appraisal", "year"); y != 0.0 {
		t.Errorf("Modificar Solicitudes/Tareas: appraisal year = %v, want 0", y)
	}

	// stored as 0, not as "no year"
	if y := path(want(t, e.do(http.MethodGet, taskURL, nil), http.StatusOK).obj(t), "appraisal", "year"); y != 0.0 {
		t.Errorf("stored appraisal year = %v, want 0", y)
	}
	got := want(t, e.do(http.MethodGet, fmt.Sprintf("/api/lead/%d/", leadID), nil), http.StatusOK).obj(t)
	if y := path(got, "request", "task", 0, "appraisal", "year"); y != 0.0 {
		t.Errorf("stored appraisal year of the lead's task = %v, want 0", y)
	}

	// Zero is "unknown", not a year: the vehicle keeps its range, and an
	// appraisal's year other than 0 keeps the vehicle's.
	for _, tt := range []struct {
		target string
		body   map[string]any
		field  string
	}{
		{"/api/lead/", map[string]any{"source": e.fx.SourceIDs["phone"], "vehicle": map[string]any{"brand_model": "x", "year": 0}}, `"vehicle":{"year":`},
		{"/api/lead_task_create/", map[string]any{"lead": leadID, "type": "appraisal", "appraisal": map[string]any{"brand_model": "x", "year": 1}}, `"appraisal":{"year":`},
		{"/api/lead_task_create/", map[string]any{"lead": leadID, "type": "appraisal", "appraisal": map[string]any{"brand_model": "x", "year": -1}}, `"appraisal":{"year":`},
		{"/api/lead_task_create/", map[string]any{"lead": leadID, "type": "appraisal", "appraisal": map[string]any{"brand_model": "x", "year": 2101}}, `"appraisal":{"year":`},
	} {
		r := e.do(http.MethodPost, tt.target, tt.body)
		if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), tt.field) {
			t.Errorf("POST %s %v = %s, want 400 on the year", tt.target, tt.body, r)
		}
	}
}

// TestDocumentTemplatesAsWritten: sent exactly as written, the templates
// are refused for their placeholder ids alone (0 is no record's id, as for
// DRF's PrimaryKeyRelatedField), never for anything else they send.
func TestDocumentTemplatesAsWritten(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 1)
	lead := e.fx.LeadIDs[0]
	for _, tt := range []struct{ method, target, name string }{
		{http.MethodPost, "/api/lead/", "lead_create"},
		{http.MethodPatch, fmt.Sprintf("/api/lead/%d/", lead), "lead_update"},
		{http.MethodPost, "/api/lead_task_create/", "task_create"},
	} {
		r := e.do(tt.method, tt.target, template(t, tt.name))
		if r.status != http.StatusBadRequest {
			t.Errorf("%s as written = %s, want 400", tt.name, r)
			continue
		}
		var msgs []string
		var walk func(v any)
		walk = func(v any) {
			switch v := v.(type) {
			case map[string]any:
				for _, c := range v {
					walk(c)
				}
			case []any:
				for _, c := range v {
					walk(c)
				}
			case string:
				msgs = append(msgs, v)
			}
		}
		walk(r.obj(t))
		for _, m := range msgs {
			if !strings.HasPrefix(m, "Clave primaria \"0\" inválida") && !strings.HasPrefix(m, "Clave primaria \"1\" inválida") {
				t.Errorf("%s as written: refused with %q, want only its placeholder ids refused: %s", tt.name, m, r.body)
			}
		}
	}
}
