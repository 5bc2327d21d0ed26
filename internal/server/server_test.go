package server

import (
	"context"
	"encoding/json"
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
	"golang.org/x/crypto/bcrypt"

	"forecourt/internal/core"
	"forecourt/internal/demo"
	"forecourt/internal/testkit"
)

func newServer(t *testing.T, ready func(context.Context) error, opts ...core.Option) (http.Handler, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	svc := core.NewService(testkit.OpenStore(t), append([]core.Option{core.WithPasswordCost(bcrypt.MinCost)}, opts...)...)
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

// demoServer is the server over the demo data, with cfg's changes.
func demoServer(t *testing.T, change func(*Config)) (http.Handler, *core.Service, demo.Fixture) {
	t.Helper()
	svc := core.NewService(testkit.OpenStore(t), core.WithPasswordCost(bcrypt.MinCost))
	fx, err := demo.Seed(context.Background(), svc, demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Service: svc, Logger: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry()}
	if change != nil {
		change(&cfg)
	}
	return New(cfg), svc, fx
}

// send serves one request; header holds name/value pairs, "Host" included.
func send(h http.Handler, method, target, body string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i] == "Host" {
			req.Host = header[i+1]
		} else {
			req.Header.Set(header[i], header[i+1])
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestAPIAnswersAreNotCached: every answer of every API, authenticated or
// not, success or error, says no cache may keep it and that its type is
// the one declared; the static assets stay cacheable.
func TestAPIAnswersAreNotCached(t *testing.T) {
	h, svc, fx := demoServer(t, nil)
	login := send(h, "POST", "/api/auth/login/", `{"username":"demo@example.com","password":"demo"}`)
	var tok struct{ Token string }
	if err := json.Unmarshal(login.Body.Bytes(), &tok); err != nil || tok.Token == "" {
		t.Fatalf("login = %d %s", login.Code, login.Body)
	}
	key, _, err := svc.CreateAPIKey(context.Background(), fx.DealerID, nil, "headers")
	if err != nil {
		t.Fatal(err)
	}
	for name, rec := range map[string]*httptest.ResponseRecorder{
		"login":               login,
		"sml list":            send(h, "GET", "/api/lead/?page_size=1", "", "Authorization", "Token "+tok.Token),
		"sml 404":             send(h, "GET", "/api/lead/999/", "", "Authorization", "Token "+tok.Token),
		"sml 401":             send(h, "GET", "/api/lead/", ""),
		"sml 405":             send(h, "PUT", "/api/lead/", "{}"),
		"lead bank pull":      send(h, "POST", "/api/leads", "1", "Authorization", "Bearer "+key),
		"lead bank 401":       send(h, "POST", "/api/leads", "1"),
		"leancore lookup 404": send(h, "GET", "/lead?phone=600000000", "", "Authorization", "Bearer "+key),
		"leancore 401":        send(h, "GET", "/lead?phone=600000000", ""),
	} {
		if got := rec.Header().Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s (%d): Cache-Control %q, want no-store", name, rec.Code, got)
		}
		if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s (%d): X-Content-Type-Options %q, want nosniff", name, rec.Code, got)
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s (%d): Content-Type %q", name, rec.Code, ct)
		}
	}
	icon := send(h, "GET", "/static/origins/web.svg", "")
	if icon.Code != 200 || icon.Header().Get("X-Content-Type-Options") != "nosniff" || icon.Header().Get("Cache-Control") == "no-store" {
		t.Errorf("icon = %d %v", icon.Code, icon.Header())
	}
}

// TestPublicURL: with a public URL, absolute links start with it whatever
// the request says, and a request for another host is refused, but for
// the health check and the metrics; without one, links follow the Host
// header, as before.
func TestPublicURL(t *testing.T) {
	public, err := ParsePublicURL("https://CRM.example.com")
	if err != nil {
		t.Fatal(err)
	}
	h, _, _ := demoServer(t, func(c *Config) { c.PublicURL = public })
	login := send(h, "POST", "/api/auth/login/", `{"username":"demo@example.com","password":"demo"}`, "Host", "crm.example.com")
	var tok struct{ Token string }
	if err := json.Unmarshal(login.Body.Bytes(), &tok); err != nil || tok.Token == "" {
		t.Fatalf("login = %d %s", login.Code, login.Body)
	}
	auth := "Token " + tok.Token
	for _, host := range []string{"crm.example.com", "CRM.Example.com", "crm.example.com:443", "crm.example.com."} {
		rec := send(h, "GET", "/api/provinces/?country=28&page_size=5", "", "Host", host, "Authorization", auth, "X-Forwarded-Proto", "http")
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"next":"https://crm.example.com/api/provinces/?country=28&page=2&page_size=5"`) {
			t.Errorf("Host %s: %d %.300s", host, rec.Code, rec.Body)
		}
	}
	rec := send(h, "GET", "/api/source/", "", "Host", "crm.example.com", "Authorization", auth)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"icon":"https://crm.example.com/static/origins/`) ||
		strings.Contains(rec.Body.String(), "http://crm") {
		t.Errorf("icons: %d %.500s", rec.Code, rec.Body)
	}
	for _, host := range []string{"evil.example", "crm.example.com:8443", "crm.example.com.evil.example", "", "127.0.0.1:8080"} {
		for _, path := range []string{"/api/lead/", "/api/auth/login/", "/api/leads", "/lead?phone=1", "/static/origins/web.svg", "/nope"} {
			rec := send(h, "GET", path, "", "Host", host, "Authorization", auth)
			if rec.Code != 400 || strings.TrimSpace(rec.Body.String()) != `{"error":"host not allowed"}` {
				t.Errorf("Host %q %s = %d %s, want 400", host, path, rec.Code, rec.Body)
			}
		}
	}
	for _, path := range []string{"/healthz", "/metrics"} {
		if rec := send(h, "GET", path, "", "Host", "10.0.0.5:8080"); rec.Code != 200 {
			t.Errorf("%s for the balancer's own host = %d", path, rec.Code)
		}
	}

	// no public URL: links follow the request, any host is served
	h, _, _ = demoServer(t, nil)
	login = send(h, "POST", "/api/auth/login/", `{"username":"demo@example.com","password":"demo"}`, "Host", "anything.example")
	if err := json.Unmarshal(login.Body.Bytes(), &tok); err != nil || tok.Token == "" {
		t.Fatalf("login = %d %s", login.Code, login.Body)
	}
	rec = send(h, "GET", "/api/provinces/?country=28&page_size=5", "", "Host", "anything.example", "Authorization", "Token "+tok.Token, "X-Forwarded-Proto", "https")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"next":"https://anything.example/api/provinces/?country=28&page=2&page_size=5"`) {
		t.Errorf("without a public URL: %d %.300s", rec.Code, rec.Body)
	}
}

func TestParsePublicURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://crm.example.com":       "https://crm.example.com",
		"https://CRM.example.com/":      "https://crm.example.com",
		"http://10.0.0.5:8080":          "http://10.0.0.5:8080",
		" https://[2001:db8::1]:8443 ":  "https://[2001:db8::1]:8443",
		"ftp://crm.example.com":         "",
		"crm.example.com":               "",
		"https://":                      "",
		"https://crm.example.com/crm":   "",
		"https://crm.example.com/?a=1":  "",
		"https://u:p@crm.example.com":   "",
		"https://crm.example.com:99999": "",
		"https://crm.example.com#x":     "",
	} {
		u, err := ParsePublicURL(in)
		switch {
		case want == "" && err == nil:
			t.Errorf("ParsePublicURL(%q) = %v, want an error", in, u)
		case want != "" && (err != nil || u.String() != want):
			t.Errorf("ParsePublicURL(%q) = %v, %v; want %s", in, u, err, want)
		}
	}
}
