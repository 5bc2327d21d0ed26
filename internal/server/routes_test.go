package server

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"forecourt/internal/core"
	"forecourt/internal/testkit"
)

// TestAPIRoutesCollide: the server's route set cannot be built from two
// route tables that claim one method and path, nor one path, and the
// error names the route.
func TestAPIRoutesCollide(t *testing.T) {
	sml := API{Name: "sml", Handler: http.NotFoundHandler(), Routes: []Route{
		{http.MethodGet, "/api/lead/", "lead-list"},
		{http.MethodPost, "/api/lead/", "lead-create"},
		{http.MethodGet, "/api/lead/{id}/", "lead-detail"},
	}}
	tests := []struct {
		name  string
		other Route
		want  []string // in the error
	}{
		{"same method and path", Route{http.MethodPost, "/api/lead/", "create"},
			[]string{"POST /api/lead/", "sml", "other"}},
		{"same path, wildcard named otherwise", Route{http.MethodGet, "/api/lead/{uuid}/", "show"},
			[]string{"GET /api/lead/{uuid}/", "GET /api/lead/{id}/", "sml", "other"}},
		{"the path without its slash", Route{http.MethodGet, "/api/lead", "list"},
			[]string{"GET /api/lead", "GET /api/lead/", "sml", "other"}},
		{"HEAD of a GET route", Route{http.MethodHead, "/api/lead/", "head"},
			[]string{"HEAD /api/lead/", "GET /api/lead/"}},
		{"another method on the path", Route{http.MethodDelete, "/api/lead/{id}/", "delete"},
			[]string{"/api/lead/{id}/", "sml", "other", "a path belongs to one API"}},
		{"overlapping patterns", Route{http.MethodGet, "/api/{kind}/7/", "seven"},
			[]string{"GET /api/{kind}/7/", "other", "/api/lead/{id}/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			other := API{Name: "other", Handler: http.NotFoundHandler(), Routes: []Route{tt.other}}
			err := mountAPIs(http.NewServeMux(), []API{sml, other})
			if err == nil {
				t.Fatal("mounted both")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}
	// beside each other, on paths of their own
	other := API{Name: "other", Handler: http.NotFoundHandler(), Routes: []Route{
		{http.MethodPost, "/api/leads", "lead-bank"}, {http.MethodPost, "/api/login", "login"},
	}}
	if err := mountAPIs(http.NewServeMux(), []API{sml, other}); err != nil {
		t.Errorf("APIs on paths of their own: %v", err)
	}
}

// TestAPIRoutesDoNotCollide: the APIs the server mounts can all be mounted,
// beside the server's own routes.
func TestAPIRoutesDoNotCollide(t *testing.T) {
	cfg := Config{Service: core.NewService(testkit.OpenStore(t)), Logger: slog.New(slog.DiscardHandler)}
	if err := mountAPIs(http.NewServeMux(), apis(cfg)); err != nil {
		t.Fatal(err)
	}
	New(cfg) // would panic
}

// TestAPIsMountedByTheirRoutes: each API answers its own routes and paths
// in its own shape; a path no API owns is a neutral 404, also under /api/.
func TestAPIsMountedByTheirRoutes(t *testing.T) {
	reg := prometheus.NewRegistry()
	cfg := Config{Service: core.NewService(testkit.OpenStore(t)), Logger: slog.New(slog.DiscardHandler), Registry: reg}
	// the lead bank beside SML under /api/
	h := newRoot(cfg, apis(cfg))
	tests := []struct {
		method, path string
		status       int
		body         string // a substring, or the whole body for the neutral 404
		allow        string
	}{
		{"GET", "/api/lead/", 401, `"detail":"Las credenciales`, "GET, POST, HEAD, OPTIONS"},
		{"GET", "/api/lead", 401, `"detail":"Las credenciales`, "GET, POST, HEAD, OPTIONS"},
		{"PUT", "/api/lead/", 405, `{"detail":"Método \"PUT\" no permitido."}`, "GET, POST, HEAD, OPTIONS"},
		{"OPTIONS", "/api/lead/7/", 200, `"name":"Lead Instance"`, "GET, PATCH, HEAD, OPTIONS"},
		{"GET", "/api/lead/abc/", 401, `"detail":"Las credenciales`, "GET, PATCH, HEAD, OPTIONS"},
		{"GET", "/swagger.json", 200, `"openapi"`, "GET, HEAD, OPTIONS"},
		{"POST", "/api/leads", 401, `{"Status":0,"Message":"Authorization has been denied for this request.","Leads":[]}`, ""},
		{"GET", "/api/leads", 405, `"Message":"The requested resource does not support http method 'GET'."`, "POST"},
		{"POST", "/api/leads/ValidateGetLeads", 401, `"Status":0`, ""},
		{"POST", "/api/lead/1/extra/", 404, `{"error":"not found"}`, ""},
		{"GET", "/api/nothing/", 404, `{"error":"not found"}`, ""},
		// the lead bank's and LeanCore's paths as their documents write
		// them, without a slash (docs/leadbank.md, docs/leancore.md)
		{"POST", "/api/leads/", 404, `{"error":"not found"}`, ""},
		{"GET", "/lead/?phone=1", 404, `{"error":"not found"}`, ""},
		// Casabaca's paths beside them, answered in its shapes
		{"POST", "/api/login", 422, `"autorizador":["El email del autorizador es requerido"]`, ""},
		{"GET", "/api/tickets", 405, `{"message":"Método no permitido.","status_code":405}`, "POST"},
		{"POST", "/api/tickets", 401, `{"message":"Unauthenticated.","status_code":401}`, ""},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
		body := strings.TrimSpace(rec.Body.String())
		okBody := strings.Contains(body, tt.body)
		if strings.HasPrefix(tt.body, `{"error"`) {
			okBody = body == tt.body
		}
		if rec.Code != tt.status || !okBody || rec.Header().Get("Allow") != tt.allow {
			t.Errorf("%s %s = %d %s, Allow %q; want %d %s, Allow %q", tt.method, tt.path, rec.Code, body, rec.Header().Get("Allow"), tt.status, tt.body, tt.allow)
		}
	}

	metrics := get(t, h, "/metrics").Body.String()
	for _, want := range []string{
		`forecourt_http_requests_total{code="401",route="GET /api/lead/"} 2`,
		`forecourt_http_requests_total{code="405",route="/api/lead/"} 1`,
		`forecourt_http_requests_total{code="401",route="POST /api/leads"} 1`,
		`forecourt_http_requests_total{code="405",route="/api/leads"} 1`,
		`forecourt_http_requests_total{code="404",route="unmatched"} 4`,
		`forecourt_http_requests_total{code="405",route="/api/tickets"} 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestLeadBankPathsCaseAside: the lead bank's paths are served in any
// case, as ASP.NET's routes match them, labelled by the document's path;
// with a trailing slash they stay the neutral 404, and the other APIs'
// paths keep their case (docs/decisions.md, "Public ids case aside").
func TestLeadBankPathsCaseAside(t *testing.T) {
	reg := prometheus.NewRegistry()
	cfg := Config{Service: core.NewService(testkit.OpenStore(t)), Logger: slog.New(slog.DiscardHandler), Registry: reg}
	h := newRoot(cfg, apis(cfg))
	denied := `{"Status":0,"Message":"Authorization has been denied for this request.","Leads":[]}`
	for _, tt := range []struct {
		method, path string
		status       int
		body         string
	}{
		{"POST", "/API/LEADS", 401, denied},
		{"POST", "/api/Leads", 401, denied},
		{"POST", "/api/leads/validategetleads", 401, denied},
		{"POST", "/Api/Leads/sendAcknos", 401, denied},
		{"GET", "/api/Leads", 405, `{"Status":0,"Message":"The requested resource does not support http method 'GET'.","Leads":[]}`},
		{"POST", "/api/Leads/", 404, `{"error":"not found"}`},
		{"POST", "/api/leads/validategetleads/", 404, `{"error":"not found"}`},
		{"POST", "/api/leads/validate", 404, `{"error":"not found"}`},
		{"GET", "/API/lead/", 404, `{"error":"not found"}`},
		{"POST", "/API/TICKETS", 404, `{"error":"not found"}`},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
		if got := strings.TrimSpace(rec.Body.String()); rec.Code != tt.status || got != tt.body {
			t.Errorf("%s %s = %d %s; want %d %s", tt.method, tt.path, rec.Code, got, tt.status, tt.body)
		}
	}
	metrics := get(t, h, "/metrics").Body.String()
	for _, want := range []string{
		`forecourt_http_requests_total{code="401",route="POST /api/leads"} 2`,
		`forecourt_http_requests_total{code="401",route="POST /api/leads/ValidateGetLeads"} 1`,
		`forecourt_http_requests_total{code="404",route="unmatched"} 5`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
