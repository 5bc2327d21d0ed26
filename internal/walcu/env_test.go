package walcu_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/demo"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
	"forecourt/internal/walcu"

	"golang.org/x/crypto/bcrypt"
)

// env is the Walcu API over the demo's data: its dealer in Spain (es) and
// in Colombia (co), an API key of each and a login token of Spain's admin.
type env struct {
	t      testing.TB
	st     *store.Store
	svc    *core.Service
	h      http.Handler
	fx     demo.Fixture
	esKey  string
	coKey  string
	token  string
	dealer string // Spain's dealer id in paths
	other  string // Colombia's
}

func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvOn(t, testkit.OpenStore(t))
}

// newEnvOn is newEnv on st, the Service made with opts.
func newEnvOn(t testing.TB, st *store.Store, opts ...core.Option) *env {
	t.Helper()
	ctx := context.Background()
	svc := core.NewService(st, append([]core.Option{core.WithPasswordCost(bcrypt.MinCost)}, opts...)...)
	fx, err := demo.Seed(ctx, svc, demo.Options{Leads: 5})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, st: st, svc: svc, h: walcu.NewHandler(svc, walcu.WithLogger(slog.New(slog.DiscardHandler))), fx: fx,
		dealer: strconv.FormatInt(fx.DealerID, 10), other: strconv.FormatInt(fx.CODealerID, 10)}
	if e.esKey, _, err = svc.CreateAPIKey(ctx, fx.DealerID, &fx.AdminID, "walcu"); err != nil {
		t.Fatal(err)
	}
	if e.coKey, _, err = svc.CreateAPIKey(ctx, fx.CODealerID, nil, "walcu"); err != nil {
		t.Fatal(err)
	}
	if e.token, _, err = svc.Login(ctx, fx.AdminUsername, fx.AdminPassword); err != nil {
		t.Fatal(err)
	}
	return e
}

// resp is an answer: its status, header and body decoded (numbers as
// json.Number).
type resp struct {
	code   int
	header http.Header
	body   any
	raw    string
}

func (r resp) obj() map[string]any { m, _ := r.body.(map[string]any); return m }
func (r resp) arr() []any          { a, _ := r.body.([]any); return a }

// do sends method path (under /dealers/<dealer>/ unless it starts with
// "/") with body (encoded as JSON unless a string) as secret.
func (e *env) do(secret, method, path string, body any) resp {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	r := httptest.NewRequest(method, path, rd)
	if secret != "" {
		r.Header.Set("Authorization", "Bearer "+secret)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, r)
	out := resp{code: rec.Code, header: rec.Header(), raw: rec.Body.String()}
	checkAnswer(e.t, method, path, rec.Code, rec.Body.Bytes())
	if rec.Body.Len() > 0 {
		dec := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
		dec.UseNumber()
		if err := dec.Decode(&out.body); err != nil {
			e.t.Fatalf("%s %s: not JSON: %s", method, path, rec.Body)
		}
	}
	return out
}

// es sends to Spain's dealer with its API key.
func (e *env) es(method, path string, body any) resp {
	e.t.Helper()
	return e.do(e.esKey, method, "/dealers/"+e.dealer+"/"+path, body)
}

// postID creates a document of coll with body (200 or the test fails) and
// returns its _id.
func (e *env) postID(coll string, body map[string]any) string {
	e.t.Helper()
	r := e.es(http.MethodPost, coll, body)
	mustStatus(e.t, "post "+coll, r, 200)
	return r.obj()["_id"].(string)
}

// list gets a list with params.
func (e *env) list(coll string, params url.Values) resp {
	e.t.Helper()
	return e.es(http.MethodGet, coll+"?"+params.Encode(), nil)
}

// example returns a collection's example POST body from the document.
func example(t *testing.T, coll string) map[string]any {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("schemas", coll+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		CreateBody map[string]any `json:"create_body"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&f); err != nil {
		t.Fatal(err)
	}
	return f.CreateBody
}

func mustStatus(t testing.TB, what string, r resp, want int) {
	t.Helper()
	if r.code != want {
		t.Fatalf("%s: status %d, want %d: %s", what, r.code, want, r.raw)
	}
}
