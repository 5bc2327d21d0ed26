package sml

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/demo"
	"forecourt/internal/telephony"
	"forecourt/internal/testkit"

	"golang.org/x/crypto/bcrypt"
)

// env is the SML API over a real Service on a real store, seeded with the
// demo data, logged in as the demo admin.
type env struct {
	t      *testing.T
	svc    *core.Service
	h      http.Handler
	fx     demo.Fixture
	token  string
	routes *http.ServeMux // resolves a request to its route, for schema checks
	names  map[string]string
	schema *schemaCheck
	logs   *bytes.Buffer
	// noSchema skips the check of answers against swagger.json, for the
	// answers docs/sml.md says it does not describe
	noSchema bool
}

func newEnv(t *testing.T, leads int, opts ...core.Option) *env {
	t.Helper()
	return newEnvOn(t, testkit.OpenStore(t), leads, opts...)
}

// newEnvOn is newEnv on the store st.
func newEnvOn(t *testing.T, st core.Store, leads int, opts ...core.Option) *env {
	t.Helper()
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewTextHandler(&syncWriter{w: logs}, nil))
	svc := core.NewService(st, append([]core.Option{core.WithPasswordCost(bcrypt.MinCost), core.WithDialer(telephony.LogDialer{Log: log}), core.WithLogger(log)}, opts...)...)
	fx, err := demo.Seed(context.Background(), svc, demo.Options{Leads: leads})
	if err != nil {
		t.Fatalf("demo.Seed: %v", err)
	}
	e := &env{t: t, svc: svc, h: NewHandler(svc, WithLogger(log)), fx: fx, routes: http.NewServeMux(), names: map[string]string{},
		schema: newSchemaCheck(t), logs: logs}
	for _, r := range routes {
		for _, p := range variants(r.Pattern) {
			pat := r.Method + " " + p
			e.routes.Handle(pat, http.NotFoundHandler())
			e.names[pat] = r.Name
		}
	}
	e.token = e.login(fx.AdminUsername, fx.AdminPassword)
	return e
}

// syncWriter makes a bytes.Buffer safe for the concurrent writes of slog.
type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// resp is an answer of the handler.
type resp struct {
	status int
	header http.Header
	body   []byte
}

// obj returns the body as a JSON object.
func (r resp) obj(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, r.body)
	}
	return m
}

func (r resp) String() string { return fmt.Sprintf("%d %s", r.status, r.body) }

// req sends a request with token (none when empty). body is sent as is
// when it is a string or []byte, else as JSON. Each answer of a documented
// route is checked against swagger.json.
func (e *env) req(token, method, target string, body any, header ...string) resp {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	r := httptest.NewRequest(method, target, rd)
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		r.Header.Set("Authorization", "Token "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i] == "Host" {
			r.Host = header[i+1]
			continue
		}
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	out := resp{status: w.Code, header: w.Header(), body: w.Body.Bytes()}
	if out.status != http.StatusNoContent && len(out.body) > 0 && !strings.HasPrefix(out.header.Get("Content-Type"), "application/json") {
		e.t.Errorf("%s %s: Content-Type %q", method, target, out.header.Get("Content-Type"))
	}
	if out.status >= 500 {
		e.t.Errorf("%s %s answered %s", method, target, out)
	}
	if _, pat := e.routes.Handler(r); pat != "" {
		name := e.names[pat]
		op := e.schema.ops[name]
		if op != nil && (out.status < 300 || op.Responses.Status(out.status) != nil) && name != "swagger" && !e.noSchema {
			e.schema.check(e.t, name, out.status, out.body)
		}
	}
	return out
}

// do sends a request as the demo admin.
func (e *env) do(method, target string, body any) resp {
	e.t.Helper()
	return e.req(e.token, method, target, body)
}

func (e *env) login(username, password string) string {
	e.t.Helper()
	r := e.req("", http.MethodPost, "/api/auth/login/", map[string]string{"username": username, "password": password})
	if r.status != http.StatusOK {
		e.t.Fatalf("login %s: %s", username, r)
	}
	return r.obj(e.t)["token"].(string)
}

// want fails the test unless r has status.
func want(t *testing.T, r resp, status int) resp {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	return r
}

// leadCount is the number of leads the demo admin sees.
func (e *env) leadCount() int {
	e.t.Helper()
	ctx := core.WithPrincipal(context.Background(), core.Principal{UserID: e.fx.AdminID, DealerIDs: []int64{e.fx.DealerID}})
	_, n, err := e.svc.FindLeads(ctx, core.Query{Limit: 1, Total: true})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// createLead creates a lead through the API and returns it.
func (e *env) createLead(body any) map[string]any {
	e.t.Helper()
	return want(e.t, e.do(http.MethodPost, "/api/lead/", body), http.StatusCreated).obj(e.t)
}

// minimalLead is the document's "Datos mínimos" example with the demo's
// phone source.
func (e *env) minimalLead() map[string]any {
	return map[string]any{"vehicle": map[string]any{"brand_model": "Marca y modelo de ejemplo"}, "source": e.fx.SourceIDs["phone"]}
}

// other is a second dealer with its own user, source, lead and task.
type other struct {
	dealerID, userID, sourceID, leadID, taskID, noteID int64
	token                                              string
}

func (e *env) otherDealer() other {
	e.t.Helper()
	ctx := context.Background()
	d, err := e.svc.CreateDealer(ctx, core.Dealer{Name: "Otro Concesionario", Country: "ES"})
	if err != nil {
		e.t.Fatal(err)
	}
	src, err := e.svc.CreateSource(ctx, core.Source{DealerID: d.ID, ChannelID: 1, OriginID: 1, Data: "910000000"})
	if err != nil {
		e.t.Fatal(err)
	}
	u, err := e.svc.CreateUser(ctx, core.User{Username: "otro@example.com", Email: "otro@example.com", IsActive: true,
		Memberships: []core.Membership{{DealerID: d.ID, IsAdmin: true}}}, "otro")
	if err != nil {
		e.t.Fatal(err)
	}
	o := other{dealerID: d.ID, userID: u.ID, sourceID: src.ID}
	o.token = e.login("otro@example.com", "otro")
	l := want(e.t, e.req(o.token, http.MethodPost, "/api/lead/", map[string]any{
		"source": src.ID, "vehicle": map[string]any{"brand_model": "Secreto"}, "client": map[string]any{"name": "Cliente secreto", "phone": "699000111"},
		"note":    []any{map[string]any{"content": "nota secreta"}},
		"request": map[string]any{"task": []any{map[string]any{"type": "date", "note": []any{map[string]any{"content": "n"}}}}},
	}), http.StatusCreated).obj(e.t)
	o.leadID = int64(l["id"].(float64))
	task := l["request"].(map[string]any)["task"].([]any)[0].(map[string]any)
	o.taskID = int64(task["id"].(float64))
	o.noteID = int64(l["note"].([]any)[0].(map[string]any)["id"].(float64))
	return o
}

// num reads a JSON number as an int64.
func num(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}

// path walks a decoded JSON value: keys of objects, indexes of lists.
func path(v any, keys ...any) any {
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}
