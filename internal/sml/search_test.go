package sml

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestSearchAttributes: DRF's SearchFilter "filtra según cualquier
// atributo"; each list's search finds what docs/sml.md says it does.
func TestSearchAttributes(t *testing.T) {
	e := newEnv(t, 0)
	count := func(target string) int {
		t.Helper()
		return int(num(want(t, e.do(http.MethodGet, target, nil), http.StatusOK).obj(t)["count"]))
	}
	alava := e.fx.ProvinceIDs[1]
	vitoria := e.fx.LocalityIDs["Vitoria-Gasteiz"]
	if alava == 0 || vitoria == 0 {
		t.Fatalf("demo geography: Álava %d, Vitoria %d", alava, vitoria)
	}
	lead := e.createLead(map[string]any{
		"client":  map[string]any{"name": "Úrsula Quevedo", "phone": "611222333", "province": alava, "location": vitoria},
		"vehicle": map[string]any{"brand_model": "Lancia Ypsilon", "gas": e.fx.GasIDs[4]},
		"note":    []any{map[string]any{"content": "Prefiere llamadas por la tarde"}},
		"request": map[string]any{"task": []any{map[string]any{"type": "appraisal", "description": "Revisar la carrocería",
			"appraisal": map[string]any{"brand_model": "Fiat Panda", "license_plate": "9911KLM", "year": 2012}}}},
		"user":   e.fx.AdvisorIDs[1],
		"source": e.fx.SourceIDs["chat"],
	})
	t.Run("leads", func(t *testing.T) {
		// narrowed to the new lead by its phone: each term must find it
		for _, term := range []string{"ypsilon", "tarde", "carrocería", "9911klm", "álava", "vitoria", "Javier Martín", "eléctrico",
			"Web del concesionario", "chat", "quevedo 611222", "Úrsula lancia"} {
			if got := count("/api/lead/?search=" + url.QueryEscape(term) + "&client__phone__icontains=611222333"); got != 1 {
				t.Errorf("lead search %q: %d, want 1 (lead %v)", term, got, lead["id"])
			}
		}
		if got := count("/api/lead/?search=" + url.QueryEscape("tarde ferrari")); got != 0 {
			t.Errorf("every term must match: %d", got)
		}
	})
	t.Run("clients", func(t *testing.T) {
		for _, term := range []string{"quevedo", "611222333", "úrsula álava", "vitoria quevedo"} {
			if got := count("/api/clients/?search=" + url.QueryEscape(term)); got != 1 {
				t.Errorf("client search %q: %d, want 1", term, got)
			}
		}
	})
	t.Run("concessionaires", func(t *testing.T) {
		for _, term := range []string{"Prueba", "Serrano", "concesionario-prueba.example", "674833617"} {
			if got := count("/api/concessionaire/?search=" + url.QueryEscape(term)); got != 1 {
				t.Errorf("concessionaire search %q: %d, want 1", term, got)
			}
		}
	})
	t.Run("sources", func(t *testing.T) {
		for term, n := range map[string]int{"whatsapp": 1, "chat": 1, "coches.net": 3, "Formulario": 1, "Concesionario de Prueba": 5} {
			if got := count("/api/source/?search=" + url.QueryEscape(term)); got != n {
				t.Errorf("source search %q: %d, want %d", term, got, n)
			}
		}
	})
	t.Run("users", func(t *testing.T) {
		for term, n := range map[string]int{"600000001": 1, "102": 1, "asesor": 3, "García": 1} {
			if got := count("/api/user/?search=" + url.QueryEscape(term)); got != n {
				t.Errorf("user search %q: %d, want %d", term, got, n)
			}
		}
	})
}

// TestSearchBounds: a search or an ordering past the query model's bounds
// is a 400 in DRF's shape, never a 500 (an SQL expression tree or ORDER BY
// too large).
func TestSearchBounds(t *testing.T) {
	e := newEnv(t, 0)
	words := func(w string, n int) string {
		out := w
		for range n - 1 {
			out += " " + w
		}
		return out
	}
	for _, list := range []string{"lead", "clients", "concessionaire", "source", "user", "provinces", "localities"} {
		target := "/api/" + list + "/?country=28&search=" + url.QueryEscape(words("abcd", 500))
		r := want(t, e.do(http.MethodGet, target, nil), http.StatusBadRequest)
		if got := r.obj(t)["search"]; fmt.Sprint(got) != "[Asegúrese de que este campo no tenga más de 20 elementos.]" {
			t.Errorf("%s: %s", list, r.body)
		}
		want(t, e.do(http.MethodGet, "/api/"+list+"/?country=28&search="+url.QueryEscape(words("ab", 1000)), nil), http.StatusBadRequest)
	}
	r := want(t, e.do(http.MethodGet, "/api/lead/?ordering="+url.QueryEscape(strings.Repeat("id,", 2000)), nil), http.StatusBadRequest)
	if got := r.obj(t)["ordering"]; fmt.Sprint(got) != "[Asegúrese de que este campo no tenga más de 8 elementos.]" {
		t.Errorf("ordering: %s", r.body)
	}
	want(t, e.do(http.MethodGet, "/api/lead/?search="+url.QueryEscape(words("abcd", 20)), nil), http.StatusOK)
}
