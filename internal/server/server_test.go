package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"forecourt/internal/core"
	"forecourt/internal/testkit"
)

func newServer(t *testing.T, ready func(context.Context) error, opts ...core.Option) (http.Handler, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	svc := core.NewService(testkit.OpenStore(t), opts...)
	return New(Config{Service: svc, Logger: slog.New(slog.DiscardHandler), Registry: reg, Ready: ready}), reg
}

func get(t *testing.T, h http.Handler, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return rec
}

func TestHealthz(t *testing.T) {
	h, _ := newServer(t, func(context.Context) error { return nil })
	if rec := get(t, h, "/healthz"); rec.Code != 200 || !strings.Contains(rec.Body.String(), `"ok"`) {
		t.Errorf("healthz = %d %s", rec.Code, rec.Body)
	}
	down, _ := newServer(t, func(context.Context) error { return errors.New("database gone") })
	rec := get(t, down, "/healthz")
	if rec.Code != 503 || strings.Contains(rec.Body.String(), "database gone") {
		t.Errorf("unhealthy = %d %s; want 503 without the internal error", rec.Code, rec.Body)
	}
}

func TestRequestIDAndMetricsLabels(t *testing.T) {
	h, _ := newServer(t, nil)
	rec := get(t, h, "/api/lead/")
	if rec.Code != 401 || rec.Header().Get("X-Request-Id") == "" {
		t.Errorf("lead list without auth = %d, request id %q", rec.Code, rec.Header().Get("X-Request-Id"))
	}
	req := httptest.NewRequest("GET", "/api/lead/12/", nil)
	req.Header.Set("X-Request-Id", "abc123")
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if got := rec.Header().Get("X-Request-Id"); got != "abc123" {
		t.Errorf("request id = %q, want the caller's", got)
	}
	get(t, h, "/no/such/path")

	metrics := get(t, h, "/metrics").Body.String()
	for _, want := range []string{
		`forecourt_http_requests_total{code="401",route="GET /api/lead/"} 1`,
		`forecourt_http_requests_total{code="401",route="GET /api/lead/{id}/"} 1`,
		`forecourt_http_requests_total{code="404",route="unmatched"} 1`,
		`forecourt_http_request_duration_seconds_count{code="401",route="GET /api/lead/"} 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(metrics, `/api/lead/12/`) {
		t.Error("metrics label a raw path: ids would explode the label set")
	}
}

func TestPanicRecovery(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panic("kaboom") })
	h := observe(mux, newMetrics(nil), slog.New(slog.DiscardHandler))
	rec := get(t, h, "/boom")
	body, _ := io.ReadAll(rec.Body)
	// outside an API's routes, in no API's shape
	if rec.Code != 500 || strings.Contains(string(body), "kaboom") || string(body) != `{"error":"internal server error"}` {
		t.Errorf("panic = %d %s", rec.Code, body)
	}
}

func TestUnknownPathsAndStatic(t *testing.T) {
	h, _ := newServer(t, nil)
	// A path no API owns: a neutral 404, in no API's shape.
	for _, path := range []string{"/foo", "/", "/api/nope/"} {
		rec := get(t, h, path)
		if rec.Code != 404 || rec.Header().Get("Content-Type") != "application/json" || strings.TrimSpace(rec.Body.String()) != `{"error":"not found"}` {
			t.Errorf("GET %s = %d %q %s", path, rec.Code, rec.Header().Get("Content-Type"), rec.Body)
		}
	}
	if rec := get(t, h, "/static/origins/coches-net.svg"); rec.Code != 200 {
		t.Errorf("origin icon = %d", rec.Code)
	}
}

// TestLoginThrottleByConnection: the server keys failed logins by the
// connection's address, not by a header the client writes.
func TestLoginThrottleByConnection(t *testing.T) {
	h, _ := newServer(t, nil, core.WithLoginThrottle(3, time.Hour))
	login := func(remote string, header ...string) int {
		req := httptest.NewRequest("POST", "/api/auth/login/", strings.NewReader(`{"username":"nobody@example.com","password":"x"}`))
		req.Header.Set("Content-Type", "application/json")
		req.RemoteAddr = remote
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	for i := range 3 {
		// A different X-Forwarded-For on every try changes nothing.
		if code := login("203.0.113.9:4000", "X-Forwarded-For", "10.0.0."+strconv.Itoa(i)); code != http.StatusBadRequest {
			t.Fatalf("failure %d: %d", i+1, code)
		}
	}
	if code := login("203.0.113.9:4001"); code != http.StatusTooManyRequests {
		t.Fatalf("4th failure from the same address (another port): %d, want 429", code)
	}
	if code := login("198.51.100.7:4000"); code != http.StatusBadRequest {
		t.Fatalf("another address: %d, want 400", code)
	}
}
