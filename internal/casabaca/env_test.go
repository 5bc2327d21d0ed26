package casabaca_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"forecourt/internal/casabaca"
	"forecourt/internal/core"
	"forecourt/internal/demo"
	"forecourt/internal/sml"
	"forecourt/internal/store"
	"forecourt/internal/testkit"

	"golang.org/x/crypto/bcrypt"
)

// env is the demo world (its dealer in Ecuador modelled on the document)
// behind Casabaca's handler and SML's, over a real store.
type env struct {
	t   testing.TB
	svc *core.Service
	h   http.Handler
	sml http.Handler
	fx  demo.Fixture
	st  *store.Store
}

// newEnvOn is the env on st, the Service made with opts.
func newEnvOn(t testing.TB, st *store.Store, opts ...core.Option) *env {
	t.Helper()
	svc := core.NewService(st, append([]core.Option{core.WithPasswordCost(bcrypt.MinCost)}, opts...)...)
	fx, err := demo.Seed(context.Background(), svc, demo.Options{Leads: 2, Advisors: 1})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	return &env{t: t, svc: svc, fx: fx, h: casabaca.NewHandler(svc, casabaca.WithLogger(log)), sml: sml.NewHandler(svc, sml.WithLogger(log)), st: st}
}

// engines runs fn on SQLite and, when $FORECOURT_TEST_POSTGRES is set, on
// PostgreSQL.
func engines(t *testing.T, fn func(t *testing.T, e *env)) {
	testkit.Engines(t, func(t *testing.T, st *store.Store) { fn(t, newEnvOn(t, st)) })
}

func newEnv(t *testing.T) *env { return newEnvOn(t, testkit.OpenSQLite(t)) }

// do sends body (a string of JSON, or nil) and decodes the JSON answer.
func (e *env) do(token, method, path string, body any) (int, map[string]any) {
	e.t.Helper()
	rec := e.raw(e.h, token, method, path, body)
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		e.t.Fatalf("%s %s: %d, not a JSON object: %q", method, path, rec.Code, rec.Body)
	}
	return rec.Code, m
}

func (e *env) raw(h http.Handler, token, method, path string, body any) *httptest.ResponseRecorder {
	e.t.Helper()
	var rd *bytes.Reader
	switch b := body.(type) {
	case nil:
		rd = bytes.NewReader(nil)
	case string:
		rd = bytes.NewReader([]byte(b))
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	r := httptest.NewRequest(method, path, rd)
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Accept", "application/json")
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

// login logs email in with autorizador, failing the test unless it works.
func (e *env) login(autorizador, email, password string) string {
	e.t.Helper()
	code, m := e.do("", "POST", "/api/login", map[string]string{"autorizador": autorizador, "email": email, "password": password, "environment": "dev"})
	tok, _ := m["token"].(string)
	if code != 200 || tok == "" || m["status_code"] != "200" {
		e.t.Fatalf("login %s: %d %v", email, code, m)
	}
	return tok
}

// maria is the document's API user (fuente inConcert).
func (e *env) maria() string { return e.login(demo.ECAuthoriser, demo.ECUser, demo.ECPassword) }

// admin is the dealer's administrator, his own autorizador.
func (e *env) admin() string { return e.login(demo.ECAuthoriser, demo.ECAuthoriser, demo.ECPassword) }

// dataOf returns m["data"] as an object.
func dataOf(t testing.TB, code int, m map[string]any) map[string]any {
	t.Helper()
	d, ok := m["data"].(map[string]any)
	if code != 200 || !ok {
		t.Fatalf("answer %d %v, want 200 with data", code, m)
	}
	return d
}

// errorsOf returns the 422's fields.
func errorsOf(t *testing.T, code int, m map[string]any) map[string]any {
	t.Helper()
	errs, ok := m["errors"].(map[string]any)
	if code != 422 || !ok {
		t.Fatalf("answer %d %v, want 422 with errors", code, m)
	}
	return errs
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// body decodes a document's example body (as its curl -d shows it).
func body(s string) map[string]any {
	var m map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(s)), &m); err != nil {
		panic(err)
	}
	return m
}

func rawWithHeader(e *env, method, path, auth string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, nil)
	r.Header.Set("Authorization", auth)
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, r)
	return rec
}

// data sends a request that must answer 200 {"data": {…}}, and returns
// the data.
func (e *env) data(token, method, path string, body any) map[string]any {
	e.t.Helper()
	code, m := e.do(token, method, path, body)
	return dataOf(e.t, code, m)
}
