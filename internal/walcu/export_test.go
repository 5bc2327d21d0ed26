package walcu_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
	"forecourt/internal/walcu"
)

// runJobs runs the export jobs that are due, as a server's runner would.
func (e *env) runJobs(t *testing.T) int {
	t.Helper()
	r := core.NewRunner(e.st, core.WithRunnerLogger(slog.New(slog.DiscardHandler)))
	walcu.RegisterJobs(r, e.svc)
	total := 0
	for {
		n, err := r.RunDue(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return total
		}
		total += n
	}
}

// startExport starts the export of coll with params and returns its job.
func (e *env) startExport(t *testing.T, coll string, params url.Values) map[string]any {
	t.Helper()
	r := e.es(http.MethodGet, coll+"/all?"+params.Encode(), nil)
	mustStatus(t, "GET "+coll+"/all", r, 200)
	if len(r.arr()) != 1 {
		t.Fatalf("GET %s/all: %s", coll, r.raw)
	}
	j := r.arr()[0].(map[string]any)
	id, _ := j["_id"].(string)
	if id == "" || j["dealer_id"] != e.dealer || j["status"] != "queued" || j["collection"] != coll ||
		j["job_url"] != "http://example.com/dealers/"+e.dealer+"/jobs/"+id {
		t.Fatalf("GET %s/all: the job %s", coll, r.raw)
	}
	return j
}

// jobPath is the path of a job's URL.
func jobPath(j map[string]any) string {
	u, _ := url.Parse(j["job_url"].(string))
	return u.Path
}

// exportEqualsList checks that the done export j answers what the list
// of coll answers with params, whole.
func (e *env) exportEqualsList(t *testing.T, coll string, params url.Values, j map[string]any) {
	t.Helper()
	got := e.do(e.esKey, http.MethodGet, jobPath(j), nil)
	mustStatus(t, coll+": the done export", got, 200)
	lp := url.Values{"limit": {strconv.Itoa(walcu.LimitOf(coll))}}
	for k, v := range params {
		lp[k] = v
	}
	want := e.list(coll, lp)
	mustStatus(t, coll+": the list", want, 200)
	if want.header.Get("mapp-has-more") != "false" {
		t.Fatalf("%s: the list is not whole", coll)
	}
	if len(want.arr()) == 0 || !equalJSON(got.body, want.body) {
		t.Fatalf("%s: the export answers\n%.1500s\nthe list\n%.1500s", coll, got.raw, want.raw)
	}
	if got.header.Get("x-export-count") != strconv.Itoa(len(want.arr())) {
		t.Errorf("%s: x-export-count %q, want %d", coll, got.header.Get("x-export-count"), len(want.arr()))
	}
}

// TestExportEveryCollection: the export of every collection answers
// what its list answers, and its job is the dealer's alone.
func TestExportEveryCollection(t *testing.T) {
	e := newEnv(t)
	ids := e.everyCollection(t)
	for coll := range ids {
		j := e.startExport(t, coll, nil)
		for _, path := range []string{jobPath(j), strings.Replace(jobPath(j), "/dealers/"+e.dealer+"/", "/dealers/"+e.other+"/", 1)} {
			if r := e.do(e.coKey, http.MethodGet, path, nil); r.code != http.StatusNotFound {
				t.Errorf("%s: another dealer's GET %s: %d %s", coll, path, r.code, r.raw)
			}
		}
		if n := e.runJobs(t); n != 1 {
			t.Fatalf("%s: ran %d jobs", coll, n)
		}
		e.exportEqualsList(t, coll, nil, j)
	}
}

// TestExportFilters: an export takes the list's q, search, sort and
// project, reports its progress until it ran, then answers what the list
// answers; bad filters are 400 at once and start nothing; a dealer has at
// most core.MaxActiveOutputs exports queued or running.
func TestExportFilters(t *testing.T) {
	e := newEnv(t)
	jobs := func() int {
		var n int
		if err := e.st.DB().QueryRow(`SELECT count(*) FROM jobs`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, bad := range []url.Values{
		{"q": {`{"status.status": {"$foo": 1}}`}},
		{"q": {`{"nope": 1}`}},
		{"q": {`[`}},
		{"search": {`status.status:nope`}},
		{"sort": {"-nope"}},
		{"project": {"nope"}},
		{"limit": {"5"}},
		{"skip": {"5"}},
		{"group_by": {"status.status"}},
		{"other": {"1"}},
		{"q": {strings.Repeat(" ", 20<<10) + "{}"}},
	} {
		r := e.es(http.MethodGet, "saleleads/all?"+bad.Encode(), nil)
		if r.code != http.StatusBadRequest || r.obj()["error"] != "invalid" {
			t.Errorf("%v: %d %s", bad, r.code, r.raw)
		}
	}
	if n := jobs(); n != 0 {
		t.Fatalf("bad filters started %d jobs", n)
	}
	params := url.Values{"q": {`{"status.status": {"$in": ["new", "tracing", "commercial_management"]}}`},
		"sort": {"-created_at"}, "project": {"status client_id created_at"}}
	j := e.startExport(t, "saleleads", params)
	r := e.do(e.esKey, http.MethodGet, jobPath(j), nil)
	mustStatus(t, "the queued export", r, http.StatusAccepted)
	if p := r.arr()[0].(map[string]any); p["status"] != "queued" || num(p["count"]) != "0" || p["_id"] != j["_id"] || r.header.Get("Retry-After") == "" {
		t.Fatalf("the queued export: %s", r.raw)
	}
	for i := 1; i < core.MaxActiveOutputs; i++ {
		e.startExport(t, "clients", nil)
	}
	if r := e.es(http.MethodGet, "clients/all", nil); r.code != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
		t.Fatalf("export %d: %d %s", core.MaxActiveOutputs+1, r.code, r.raw)
	}
	if n := e.runJobs(t); n != core.MaxActiveOutputs {
		t.Fatalf("ran %d jobs", n)
	}
	e.exportEqualsList(t, "saleleads", params, j)
	if got := e.do(e.esKey, http.MethodGet, jobPath(j), nil); len(got.arr()) == 0 || len(got.arr()[0].(map[string]any)) != 4 {
		t.Fatalf("the projection: %s", got.raw)
	}
	// the token of a user of the dealer reads it too; no credential is 401
	mustStatus(t, "the export with a login token", e.do(e.token, http.MethodGet, jobPath(j), nil), 200)
	mustStatus(t, "the export without a credential", e.do("", http.MethodGet, jobPath(j), nil), 401)
	mustStatus(t, "an unknown job", e.es(http.MethodGet, "jobs/0190a0a0-0000-7000-8000-000000000000", nil), 404)
}

// TestExportSurvivesRestart: an export started on a server that stopped
// before running it is run by the next one, over the same database.
func TestExportSurvivesRestart(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "forecourt.db")
	if u := os.Getenv(testkit.PostgresEnv); u != "" {
		dsn = testkit.PostgresDSN(t, u)
	}
	open := func() *store.Store {
		st, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	e := newEnvOn(t, open())
	params := url.Values{"search": {"status.status:new,tracing,commercial_management,end"}}
	j := e.startExport(t, "saleleads", params)
	if err := e.st.Close(); err != nil {
		t.Fatal(err)
	}
	st := open()
	svc := core.NewService(st)
	next := &env{t: t, st: st, svc: svc, h: walcu.NewHandler(svc, walcu.WithLogger(slog.New(slog.DiscardHandler))), fx: e.fx,
		esKey: e.esKey, coKey: e.coKey, token: e.token, dealer: e.dealer, other: e.other}
	mustStatus(t, "the export after the restart", next.do(next.esKey, http.MethodGet, jobPath(j), nil), http.StatusAccepted)
	if n := next.runJobs(t); n != 1 {
		t.Fatalf("ran %d jobs", n)
	}
	next.exportEqualsList(t, "saleleads", params, j)
}

// TestExportFailed: an export whose every run failed answers 500 in the
// error shape on its job_url, saying to start it again, and no longer
// counts against the dealer's bound.
func TestExportFailed(t *testing.T) {
	e := newEnv(t)
	ctx, _ := e.admin(t)
	// a job whose collection does not exist fails every run
	o, err := e.svc.StartJobOutput(ctx, e.fx.DealerID, "walcu.export", "saleleads", []byte(`{"collection": "nope"}`))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	r := core.NewRunner(e.st, core.WithRunnerLogger(slog.New(slog.DiscardHandler)),
		core.WithRunnerClock(func() time.Time { return now }))
	walcu.RegisterJobs(r, e.svc)
	for i := 0; i < core.DefaultJobAttempts; i++ {
		if n, err := r.RunDue(context.Background()); err != nil || n != 1 {
			t.Fatalf("run %d: %d jobs, %v", i+1, n, err)
		}
		now = now.Add(2 * time.Hour)
	}
	got := e.es(http.MethodGet, "jobs/"+o.PublicID, nil)
	mustStatus(t, "the failed export", got, http.StatusInternalServerError)
	if msg, _ := got.obj()["message"].(string); got.obj()["error"] != "internal" ||
		!strings.Contains(msg, fmt.Sprintf("failed after %d attempts", core.DefaultJobAttempts)) {
		t.Fatalf("the failed export: %s", got.raw)
	}
	for i := 0; i < core.MaxActiveOutputs; i++ {
		e.startExport(t, "notes", nil)
	}
}
