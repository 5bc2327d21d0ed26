package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/demo"
	"forecourt/internal/store"
	"forecourt/internal/testkit"

	"golang.org/x/crypto/bcrypt"
)

// runCmd runs one operator command to completion and returns its stdout.
func runCmd(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errOut)
	if err != nil {
		t.Logf("%v: stderr: %s", args, errOut.String())
	}
	return out.String(), err
}

// startServer runs `serve` on port 0 and returns its base URL and a stop
// function that cancels it and waits for a clean exit.
func startServer(t *testing.T, args ...string) (string, func() error) {
	t.Helper()
	base, stop, _ := startServerLogged(t, args...)
	return base, stop
}

// serverLog holds the lines a server logged.
type serverLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *serverLog) add(line string) {
	l.mu.Lock()
	l.lines = append(l.lines, line)
	l.mu.Unlock()
}

// Lines returns the lines logged so far.
func (l *serverLog) Lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.lines...)
}

// startServerLogged is startServer that also keeps what the server logs.
func startServerLogged(t *testing.T, args ...string) (string, func() error, *serverLog) {
	t.Helper()
	base, stop, logs, err := launchServer(nil, args...)
	if err != nil {
		t.Fatalf("server exited before listening: %v", err)
	}
	t.Cleanup(func() { _ = stop() })
	return base, stop, logs
}

// errStarted is what launchServer's caller gets from a server that was
// expected to refuse to start and started.
var errStarted = errors.New("the server started")

// launchServer runs `serve` on port 0 with the environment env and waits
// until it listens, returning its base URL, a stop function that cancels
// it and waits for a clean exit, and its log; or until it exits, returning
// its error. It does not fail the test, so it may run in goroutines.
func launchServer(env map[string]string, args ...string) (string, func() error, *serverLog, error) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, pw)
		pw.Close()
		done <- err
	}()
	logs := &serverLog{}
	addrRe := regexp.MustCompile(`msg=listening addr=(\S+)`)
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		sent := false
		for sc.Scan() {
			logs.add(sc.Text())
			if m := addrRe.FindStringSubmatch(sc.Text()); m != nil && !sent {
				addr <- m[1]
				sent = true
			}
		}
		if !sent {
			close(addr)
		}
	}()
	select {
	case a, ok := <-addr:
		if !ok {
			cancel()
			return "", nil, logs, <-done
		}
		var once sync.Once
		var stopErr error
		stop := func() error {
			once.Do(func() {
				cancel()
				select {
				case stopErr = <-done:
				case <-time.After(30 * time.Second):
					stopErr = fmt.Errorf("server did not stop")
				}
			})
			return stopErr
		}
		return "http://" + a, stop, logs, nil
	case <-time.After(60 * time.Second):
		cancel()
		return "", nil, logs, errors.New("server did not start")
	}
}

// serveOnce runs `serve`, expecting it to refuse to start, and returns its
// error; a server that starts instead is stopped, and errStarted returned.
func serveOnce(env map[string]string, args ...string) error {
	_, stop, _, err := launchServer(env, args...)
	if err == nil {
		_ = stop()
		return errStarted
	}
	return err
}

func do(t *testing.T, method, url, token string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if len(raw) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s %s: bad JSON %q: %v", method, url, raw, err)
		}
	}
	return resp.StatusCode, m
}

func TestServeDemoEndToEnd(t *testing.T) {
	db := filepath.Join(t.TempDir(), "forecourt.db")
	base, stop := startServer(t, "--db", db, "--demo")

	if code, _ := do(t, "GET", base+"/healthz", "", nil); code != 200 {
		t.Fatalf("healthz = %d", code)
	}
	code, login := do(t, "POST", base+"/api/auth/login/", "", map[string]string{"username": "demo@example.com", "password": "demo"})
	if code != 200 || login["token"] == "" {
		t.Fatalf("login = %d %v", code, login)
	}
	token := login["token"].(string)

	code, created := do(t, "POST", base+"/api/lead/", token, map[string]any{
		"source": 1, "vehicle": map[string]any{"brand_model": "Marca y modelo de ejemplo"},
		"client": map[string]any{"name": "Cliente E2E", "phone": "611222333"},
	})
	if code != 201 {
		t.Fatalf("create = %d %v", code, created)
	}
	id := int(created["id"].(float64))
	code, got := do(t, "GET", fmt.Sprintf("%s/api/lead/%d/", base, id), token, nil)
	if code != 200 || got["client"].(map[string]any)["name"] != "Cliente E2E" {
		t.Fatalf("get = %d %v", code, got)
	}
	code, list := do(t, "GET", base+"/api/lead/?client__phone__icontains=1222333", token, nil)
	if code != 200 || list["count"].(float64) != 1 {
		t.Fatalf("list = %d %v", code, list)
	}

	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		"forecourt_leads_created_total 58", // the demo's 56 (50 sales, 6 of Walcu's kinds) and Colombia's 1, and this test's
		`forecourt_http_requests_total{code="201",route="POST /api/lead/"} 1`,
		"forecourt_http_request_duration_seconds_bucket",
		`go_sql_max_open_connections{db_name="forecourt"}`,
		"forecourt_sqlite_checkpoints_total ",
		"forecourt_sqlite_wal_frames ",
	} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	// The writer's counters: the demo's writes and the lead, in at least
	// one transaction.
	value := func(name string) float64 {
		m := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`).FindStringSubmatch(string(metrics))
		if m == nil {
			t.Fatalf("/metrics lacks %s", name)
		}
		v, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if tx, w := value("forecourt_sqlite_write_transactions_total"), value("forecourt_sqlite_writes_total"); tx < 1 || w < 51 {
		t.Errorf("writer metrics: %v transactions, %v writes", tx, w)
	}

	if err := stop(); err != nil {
		t.Fatalf("graceful stop: %v", err)
	}

	// the lead survived the shutdown; a restart with --demo does not seed again
	base, stop = startServer(t, "--db", db, "--demo")
	code, login = do(t, "POST", base+"/api/auth/login/", "", map[string]string{"username": "demo@example.com", "password": "demo"})
	if code != 200 {
		t.Fatalf("login after restart = %d", code)
	}
	code, list = do(t, "GET", base+"/api/lead/?page_size=all", login["token"].(string), nil)
	if code != 200 || list["count"].(float64) != 57 {
		t.Fatalf("after restart: %d leads, want 57 (the demo's 56 and one)", int(list["count"].(float64)))
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

func TestOperatorCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ops.db")
	env := map[string]string{"FORECOURT_DB": db}

	out, err := runCmd(t, env, "dealer", "add", "--name", "Motor Quito", "--country", "EC")
	if err != nil || strings.TrimSpace(out) != "1" {
		t.Fatalf("dealer add = %q, %v", out, err)
	}
	if _, err := runCmd(t, env, "dealer", "add", "--db", db, "--name", "Autos Bogotá", "--country", "CO"); err != nil {
		t.Fatal(err)
	}
	// the command line's default country; the core has none
	if _, err := runCmd(t, env, "dealer", "add", "--name", "Motor Sur"); err != nil {
		t.Fatal(err)
	}
	if _, err := runCmd(t, env, "dealer", "add", "--name", "Nowhere Motors", "--country", "XX"); err == nil {
		t.Error("dealer add accepted country XX")
	}
	out, err = runCmd(t, env, "dealer", "list")
	if err != nil {
		t.Fatal(err)
	}
	if want := "1\tMotor Quito\tEC\n2\tAutos Bogotá\tCO\n3\tMotor Sur\tES\n"; out != want {
		t.Errorf("dealer list = %q, want %q", out, want)
	}

	out, err = runCmd(t, env, "user", "add", "--email", "ana@example.com", "--password", "s3cret", "--dealer", "1", "--admin")
	if err != nil || strings.TrimSpace(out) == "" {
		t.Fatalf("user add = %q, %v", out, err)
	}
	userID := strings.TrimSpace(out)
	out, err = runCmd(t, env, "user", "list")
	if err != nil || !strings.Contains(out, userID+"\tana@example.com\t1") {
		t.Errorf("user list = %q, %v", out, err)
	}

	out, err = runCmd(t, env, "apikey", "create", "--dealer", "1", "--user", userID)
	key := strings.TrimSpace(out)
	if err != nil || !strings.HasPrefix(key, "fc_") || strings.Contains(key, "\n") || strings.Count(out, "\n") != 1 {
		t.Fatalf("apikey create = %q, %v", out, err)
	}

	// the key works as a bearer token and sees only its dealer
	base, stop := startServer(t, "--db", db)
	code, body := do(t, "GET", base+"/api/concessionaire/", key, nil)
	if code != 200 || body["count"].(float64) != 1 {
		t.Errorf("concessionaires with key = %d %v", code, body)
	}
	if code, _ := do(t, "GET", base+"/api/concessionaire/", "fc_wrong", nil); code != 401 {
		t.Errorf("bad key = %d, want 401", code)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}

	for _, bad := range [][]string{
		{},
		{"frobnicate"},
		{"dealer", "add"},
		{"apikey", "create"},
		{"apikey", "create", "--dealer", "99"},
		{"user", "add", "--email", "x@example.com"},
		{"serve", "--addr"},
	} {
		if _, err := runCmd(t, env, bad...); err == nil {
			t.Errorf("%v: want an error", bad)
		}
	}
}

// TestScaleOutOnPostgres runs two servers over one PostgreSQL database, as
// an operator scales out: what one writes the other reads at once, and a
// logout through one is a logout on both.
func TestScaleOutOnPostgres(t *testing.T) {
	base := os.Getenv(testkit.PostgresEnv)
	if base == "" {
		t.Skip(testkit.PostgresEnv + " not set")
	}
	dsn := testkit.PostgresDSN(t, base)
	a, stopA := startServer(t, "--db", dsn, "--demo")
	b, stopB := startServer(t, "--db", dsn, "--demo") // finds data: seeds nothing

	code, login := do(t, "POST", a+"/api/auth/login/", "", map[string]string{"username": "demo@example.com", "password": "demo"})
	if code != 200 {
		t.Fatalf("login on A = %d", code)
	}
	token := login["token"].(string)
	code, created := do(t, "POST", a+"/api/lead/", token, map[string]any{
		"source": 1, "vehicle": map[string]any{"brand_model": "Escalado"}, "client": map[string]any{"name": "Dos Servidores"},
	})
	if code != 201 {
		t.Fatalf("create on A = %d %v", code, created)
	}
	code, got := do(t, "GET", fmt.Sprintf("%s/api/lead/%d/", b, int(created["id"].(float64))), token, nil)
	if code != 200 || got["client"].(map[string]any)["name"] != "Dos Servidores" {
		t.Fatalf("read on B = %d %v", code, got)
	}
	code, list := do(t, "GET", b+"/api/lead/?page_size=1", token, nil)
	if code != 200 || list["count"].(float64) != 57 {
		t.Errorf("B counts %v leads, want 56 demo + 1", list["count"])
	}
	exportAcrossServers(t, a, b, token)
	if code, _ := do(t, "POST", b+"/api/auth/logout/", token, nil); code != 200 {
		t.Fatalf("logout on B = %d", code)
	}
	// A remembers credentials while it hears of their changes: the logout
	// on B reaches it with PostgreSQL's notification, milliseconds after
	// B answered (docs/decisions.md, "Credentials cached over PostgreSQL")
	eventually(t, true, "token on A refused after logout on B", func() bool {
		code, _ := do(t, "GET", a+"/api/lead/?page_size=1", token, nil)
		return code == 401
	})
	if err := stopA(); err != nil {
		t.Error(err)
	}
	if err := stopB(); err != nil {
		t.Error(err)
	}
}

// TestClientMerge: the operator merges two clients of one person: the
// dropped client's leads become the kept one's, which takes the values it
// lacked, and a client of another dealer is refused.
func TestClientMerge(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "merge.db")
	env := map[string]string{"FORECOURT_DB": db}
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	svc := core.NewService(st, core.WithPasswordCost(bcrypt.MinCost))
	f, err := demo.Seed(ctx, svc, demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	actx := core.WithPrincipal(ctx, core.Principal{UserID: f.AdminID, DealerIDs: []int64{f.DealerID}})
	mk := func(c core.Client) core.Lead {
		l, err := svc.CreateLead(actx, core.Lead{SourceID: f.SourceIDs["web"], Vehicle: &core.Vehicle{BrandModel: "Kia Niro"}, Client: &c})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	keep := mk(core.Client{Name: "Marta Ruiz", Phone: "+34 611 22 33 44"})
	drop := mk(core.Client{Name: "M. Ruiz", Email: "marta@example.com"})
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	id := func(v int64) string { return strconv.FormatInt(v, 10) }
	out, err := runCmd(t, env, "client", "merge", "--dealer", id(f.DealerID), id(keep.Client.ID), id(drop.Client.ID))
	if want := id(keep.Client.ID) + "\tMarta Ruiz\t+34 611 22 33 44\tmarta@example.com\n"; err != nil || out != want {
		t.Fatalf("client merge = %q, %v; want %q", out, err, want)
	}
	for _, bad := range [][]string{
		{"client", "merge", "--dealer", id(f.DealerID), id(keep.Client.ID)},
		{"client", "merge", id(keep.Client.ID), id(drop.Client.ID)},
		{"client", "merge", "--dealer", id(f.DealerID), id(keep.Client.ID), "x"},
		{"client", "merge", "--dealer", id(f.DealerID), id(keep.Client.ID), id(drop.Client.ID)},       // gone
		{"client", "merge", id(keep.Client.ID), id(keep.Client.ID + 1), "--dealer", id(f.CODealerID)}, // another dealer's
	} {
		if out, err := runCmd(t, env, bad...); err == nil {
			t.Errorf("%v = %q: want an error", bad, out)
		}
	}

	st, err = store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc = core.NewService(st)
	l, err := svc.FindLead(actx, drop.ID)
	if err != nil || l.Client.ID != keep.Client.ID || l.Client.Email != "marta@example.com" {
		t.Errorf("the dropped client's lead: %+v, %v", l.Client, err)
	}
}

// TestServePublicURL: --public-url (or FORECOURT_PUBLIC_URL) makes links
// absolute to it and refuses requests for other hosts, but for /healthz;
// a URL that is not a scheme and a host is a usage error.
func TestServePublicURL(t *testing.T) {
	db := filepath.Join(t.TempDir(), "public.db")
	base, stop, _, err := launchServer(map[string]string{"FORECOURT_PUBLIC_URL": "https://crm.example.com"}, "--db", db, "--demo")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	send := func(method, path, host, token, body string) (int, string) {
		req, err := http.NewRequest(method, base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Token "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	own := strings.TrimPrefix(base, "http://")
	if code, _ := send("GET", "/healthz", own, "", ""); code != 200 {
		t.Errorf("healthz for the server's own address = %d", code)
	}
	if code, body := send("POST", "/api/auth/login/", own, "", `{"username":"demo@example.com","password":"demo"}`); code != 400 {
		t.Errorf("login for another host = %d %s, want 400", code, body)
	}
	code, body := send("POST", "/api/auth/login/", "crm.example.com", "", `{"username":"demo@example.com","password":"demo"}`)
	var login struct{ Token string }
	if code != 200 || json.Unmarshal([]byte(body), &login) != nil {
		t.Fatalf("login = %d %s", code, body)
	}
	if code, body := send("GET", "/api/source/", "crm.example.com", login.Token, ""); code != 200 || !strings.Contains(body, `"icon":"https://crm.example.com/static/`) {
		t.Errorf("sources = %d %.300s", code, body)
	}
	for _, bad := range []string{"crm.example.com", "https://crm.example.com/prefix", "ftp://crm.example.com"} {
		if err := serveOnce(nil, "--db", filepath.Join(t.TempDir(), "x.db"), "--public-url", bad); err == nil || exitCode(err) != 2 {
			t.Errorf("--public-url %s: %v, want a usage error", bad, err)
		}
	}
}

// TestServeTokenFlags: the tokens' lifetimes come from flags or the
// environment; bad values are usage errors.
func TestServeTokenFlags(t *testing.T) {
	db := filepath.Join(t.TempDir(), "tokens.db")
	// a maximum age of a microsecond: every token has expired by its
	// first use
	base, stop, _, err := launchServer(map[string]string{"FORECOURT_TOKEN_MAX_AGE": "1us"}, "--db", db, "--demo", "--token-idle-time", "0")
	if err != nil {
		t.Fatal(err)
	}
	code, login := do(t, "POST", base+"/api/auth/login/", "", map[string]string{"username": "demo@example.com", "password": "demo"})
	if code != 200 {
		t.Fatalf("login = %d %v", code, login)
	}
	if code, _ := do(t, "GET", base+"/api/lead/", login["token"].(string), nil); code != 401 {
		t.Errorf("a token past its maximum age = %d, want 401", code)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []struct {
		env  map[string]string
		args []string
	}{
		{map[string]string{"FORECOURT_TOKEN_IDLE_TIME": "forever"}, nil},
		{map[string]string{"FORECOURT_TOKEN_MAX_AGE": "30d"}, nil},
		{nil, []string{"--token-max-age", "-1h"}},
		{nil, []string{"--token-idle-time", "-1s"}},
	} {
		if err := serveOnce(bad.env, append([]string{"--db", db}, bad.args...)...); err == nil || exitCode(err) != 2 {
			t.Errorf("%v %v: %v, want a usage error", bad.env, bad.args, err)
		}
	}
}
