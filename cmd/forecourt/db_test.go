package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"forecourt/internal/testkit"
)

// TestOneServerPerSQLiteFile: a second server on a SQLite file in use is
// refused with a clear message, while the operator commands (migrate
// among them) work beside the running server; once the first server
// stops, a server starts again.
func TestOneServerPerSQLiteFile(t *testing.T) {
	db := filepath.Join(t.TempDir(), "one.db")
	env := map[string]string{"FORECOURT_DB": db}
	_, stop := startServer(t, "--db", db)

	err := serveOnce(nil, "--db", db)
	if err == nil || !strings.Contains(err.Error(), "is in use by another forecourt server") ||
		!strings.Contains(err.Error(), "a SQLite file serves one server") {
		t.Fatalf("second server on the file: %v", err)
	}
	if out, err := runCmd(t, env, "dealer", "add", "--name", "Beside", "--country", "ES"); err != nil || strings.TrimSpace(out) != "1" {
		t.Errorf("dealer add beside the server = %q, %v", out, err)
	}
	if out, err := runCmd(t, env, "dealer", "list"); err != nil || !strings.Contains(out, "Beside") {
		t.Errorf("dealer list beside the server = %q, %v", out, err)
	}
	if out, err := runCmd(t, env, "migrate"); err != nil || out != "database is up to date\n" {
		t.Errorf("migrate beside the server = %q, %v", out, err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	_, stop = startServer(t, "--db", db)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// TestServeRefusesNewerSchema: a server, and an operator command, refuse
// a database migrated by a newer forecourt, before serving anything.
func TestServeRefusesNewerSchema(t *testing.T) {
	db := filepath.Join(t.TempDir(), "newer.db")
	env := map[string]string{"FORECOURT_DB": db}
	if _, err := runCmd(t, env, "migrate"); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	_, err = raw.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (13, 1)`)
	raw.Close()
	if err != nil {
		t.Fatal(err)
	}
	if err := serveOnce(nil, "--db", db); err == nil || !strings.Contains(err.Error(), "schema is newer than this forecourt") {
		t.Errorf("serve on a newer schema: %v", err)
	}
	if _, err := runCmd(t, env, "dealer", "list"); err == nil || !strings.Contains(err.Error(), "schema is newer than this forecourt") {
		t.Errorf("dealer list on a newer schema: %v", err)
	}
}

func TestRedact(t *testing.T) {
	for _, dsn := range []string{
		"postgres://fc:s3cr3t@db:5432/forecourt?sslmode=verify-full",
		"postgres://fc@db/forecourt?password=s3cr3t",
		"postgresql://fc@db/forecourt?sslmode=verify-full&sslpassword=s3cr3t&password=s3cr3t",
		"postgres://fc@db/forecourt?PassWord=s3cr3t",
		"postgres://fc@db/forecourt?pass%77ord=s3cr3t",
		"postgres://fc:s3cr3t@db/forecourt?password=s3cr3t",
		"postgres://fc:s3%25cr3t@db/forecourt",
		"postgres://fc:s3cr3t@db:bad-port/forecourt",
	} {
		got := redact(dsn)
		if strings.Contains(got, "s3cr3t") || strings.Contains(got, "s3%25cr3t") || !strings.HasPrefix(got, dsn[:strings.Index(dsn, "://")+3]) {
			t.Errorf("redact(%q) = %q", dsn, got)
		}
	}
	for dsn, want := range map[string]string{
		"postgres://fc:s3cr3t@db:5432/forecourt?sslmode=verify-full": "postgres://fc:***@db:5432/forecourt?sslmode=verify-full",
		"postgres://fc@db/forecourt?sslmode=require&password=x":      "postgres://fc@db/forecourt?sslmode=require&password=***",
		"/var/lib/forecourt/forecourt.db":                            "/var/lib/forecourt/forecourt.db",
	} {
		if got := redact(dsn); got != want {
			t.Errorf("redact(%q) = %q, want %q", dsn, got, want)
		}
	}
}

func TestPlaintextRisk(t *testing.T) {
	env := func(map[string]string) func(string) string {
		return func(k string) string { return map[string]string{}[k] }
	}
	for dsn, warn := range map[string]bool{
		"postgres://fc@db.example.com/forecourt":                         true,
		"postgres://fc@db.example.com/forecourt?sslmode=require":         true,
		"postgres://fc@db.example.com/forecourt?sslmode=verify-full":     false,
		"postgres://fc@127.0.0.1:5432/forecourt":                         false,
		"postgres://fc@localhost/forecourt?sslmode=disable":              false,
		"postgres://fc@/forecourt?host=/run/postgresql":                  false,
		"postgres://fc@/forecourt?host=10.0.0.5,10.0.0.6&sslmode=prefer": true,
		"forecourt.db": false,
	} {
		if got := plaintextRisk(dsn, env(nil)) != ""; got != warn {
			t.Errorf("plaintextRisk(%q) = %v, want %v", dsn, got, warn)
		}
	}
	if plaintextRisk("postgres://fc@db.example.com/forecourt", func(k string) string {
		if k == "PGSSLMODE" {
			return "verify-full"
		}
		return ""
	}) != "" {
		t.Error("PGSSLMODE=verify-full not taken")
	}
}

// TestDatabaseFlags: the pool's size and the timeout come from flags or
// the environment; bad values are usage errors.
func TestDatabaseFlags(t *testing.T) {
	u := os.Getenv(testkit.PostgresEnv)
	if u == "" {
		t.Skip(testkit.PostgresEnv + " not set")
	}
	dsn := testkit.PostgresDSN(t, u)
	base, stop, _, err := launchServer(map[string]string{"FORECOURT_DB_MAX_CONNS": "3", "FORECOURT_DB_TIMEOUT": "3s"}, "--db", dsn, "--db-max-idle-time", "1m")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(metrics), `go_sql_max_open_connections{db_name="forecourt"} 3`) {
		t.Errorf("FORECOURT_DB_MAX_CONNS=3 not applied")
	}
	for _, bad := range []map[string]string{{"FORECOURT_DB_TIMEOUT": "ten"}, {"FORECOURT_DB_MAX_CONNS": "many"}, {"FORECOURT_DB_MAX_IDLE_TIME": "1"}} {
		if err := serveOnce(bad, "--db", dsn); err == nil || exitCode(err) != 2 {
			t.Errorf("%v: %v, want a usage error", bad, err)
		}
	}
	if err := serveOnce(nil, "--db", dsn, "--db-max-conns", "0"); err == nil || exitCode(err) != 2 {
		t.Errorf("--db-max-conns 0: %v, want a usage error", err)
	}
}

// TestServeDemoTogether: servers started together with --demo on a
// migrated, empty PostgreSQL database all start; one loads the demo, the
// others find it loaded.
func TestServeDemoTogether(t *testing.T) {
	u := os.Getenv(testkit.PostgresEnv)
	if u == "" {
		t.Skip(testkit.PostgresEnv + " not set")
	}
	for round := range 2 {
		dsn := testkit.PostgresDSN(t, u)
		if _, err := runCmd(t, nil, "migrate", "--db", dsn); err != nil {
			t.Fatal(err)
		}
		bases := make([]string, 2)
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i := range bases {
			wg.Go(func() {
				var stop func() error
				bases[i], stop, _, errs[i] = launchServer(nil, "--db", dsn, "--demo")
				if errs[i] == nil {
					t.Cleanup(func() { _ = stop() })
				}
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d: server %d: %v", round, i, err)
			}
		}
		code, login := do(t, "POST", bases[1]+"/api/auth/login/", "", map[string]string{"username": "demo@example.com", "password": "demo"})
		if code != 200 {
			t.Fatalf("login = %d", code)
		}
		code, list := do(t, "GET", bases[0]+"/api/lead/?page_size=1", login["token"].(string), nil)
		if code != 200 || list["count"].(float64) != 56 {
			t.Errorf("round %d: %d, %v leads, want the demo's 56 (50 sales, 3 after-sales, 3 appraisals)", round, code, list["count"])
		}
		if out, err := runCmd(t, nil, "dealer", "list", "--db", dsn); err != nil || strings.Count(out, "\n") != 3 {
			t.Errorf("round %d: dealers %q, %v: want the demo's three (Spain, Colombia, Ecuador), once", round, out, err)
		}
	}
}

// pgProxy stands between a server and PostgreSQL, to play the database's
// outages: forward passes bytes, refuse accepts and closes at once (a
// database that went down), hang accepts and never answers (a database
// that hangs). Changing modes cuts every connection it holds.
type pgProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	mode   string
	conns  []net.Conn
}

func newPGProxy(t *testing.T, target string) *pgProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &pgProxy{ln: ln, target: target, mode: "forward"}
	go p.serve()
	t.Cleanup(func() {
		ln.Close()
		p.setMode("closed")
	})
	return p
}

func (p *pgProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		switch p.mode {
		case "forward":
			d, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				break
			}
			p.conns = append(p.conns, c, d)
			go func() { _, _ = io.Copy(d, c); d.Close() }()
			go func() { _, _ = io.Copy(c, d); c.Close() }()
		case "hang":
			p.conns = append(p.conns, c)
		default:
			c.Close()
		}
		p.mu.Unlock()
	}
}

func (p *pgProxy) setMode(mode string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mode = mode
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// get runs GET url with a token and returns the status, the Retry-After
// header and the body.
func get(t *testing.T, url, token string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	client := &http.Client{Timeout: 2 * time.Minute} // a hung request fails the test, never hangs it
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Retry-After"), string(b)
}

// proxied returns dsn with its host replaced by addr.
func proxied(t *testing.T, dsn, addr string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = addr
	return u.String()
}

// TestDatabaseOutage: while PostgreSQL is down or hangs, every request
// answers 503 with Retry-After, in the API's shape, within the database
// timeout; the outage is logged once (and at most every 10 s), not once
// per request; when the database is back, so is the server, which logs
// it.
func TestDatabaseOutage(t *testing.T) {
	u := os.Getenv(testkit.PostgresEnv)
	if u == "" {
		t.Skip(testkit.PostgresEnv + " not set")
	}
	dsn := testkit.PostgresDSN(t, u)
	pu, _ := url.Parse(dsn)
	proxy := newPGProxy(t, pu.Host)
	base, _, logs := startServerLogged(t, "--db", proxied(t, dsn, proxy.ln.Addr().String()), "--demo", "--db-timeout", "1s")
	code, login := do(t, "POST", base+"/api/auth/login/", "", map[string]string{"username": "demo@example.com", "password": "demo"})
	if code != 200 {
		t.Fatalf("login = %d", code)
	}
	token := login["token"].(string)
	if code, _, _ := get(t, base+"/api/lead/?page_size=1", token); code != 200 {
		t.Fatalf("before the outage: %d", code)
	}

	start := time.Now()
	for _, mode := range []string{"refuse", "hang"} {
		proxy.setMode(mode)
		for i := range 10 {
			if mode == "hang" && i == 3 {
				break // each waits for the timeout
			}
			code, retry, body := get(t, base+"/api/lead/?page_size=1", token)
			var detail map[string]string
			if code != 503 || retry == "" || json.Unmarshal([]byte(body), &detail) != nil || detail["detail"] == "" {
				t.Fatalf("database %s: %d, Retry-After %q, %s; want 503 with Retry-After", mode, code, retry, body)
			}
		}
		if code, _, _ := get(t, base+"/healthz", ""); code != 503 {
			t.Errorf("healthz while the database is %s: %d", mode, code)
		}
	}
	outage := time.Since(start)
	proxy.setMode("forward")
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		code, _, _ := get(t, base+"/api/lead/?page_size=1", token)
		if code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still %d after the database came back", code)
		}
	}

	var errors, starts, back int
	for _, l := range logs.Lines() {
		switch {
		case strings.Contains(l, "level=ERROR") && strings.Contains(l, `msg="database unavailable`):
			starts++
			errors++
		case strings.Contains(l, "level=ERROR") && strings.Contains(l, `msg="database still unavailable"`):
			errors++
		case strings.Contains(l, "level=ERROR"):
			t.Errorf("logged: %s", l)
		case strings.Contains(l, `msg="database available again"`):
			back++
		}
	}
	if starts != 1 || errors > 1+int(outage/(10*time.Second)) || back != 1 {
		t.Errorf("outage of %v logged %d starts, %d ERROR lines, %d ends; want one start and end, and a line at most every 10 s:\n%s",
			outage, starts, errors, back, strings.Join(logs.Lines(), "\n"))
	}
}

// TestRoleConnectionLimit: when PostgreSQL refuses the server's role more
// connections (its CONNECTION LIMIT reached), requests answer 503 with
// Retry-After, not 500, and are served again once it accepts them.
func TestRoleConnectionLimit(t *testing.T) {
	u := os.Getenv(testkit.PostgresEnv)
	if u == "" {
		t.Skip(testkit.PostgresEnv + " not set")
	}
	dsn := testkit.PostgresDSN(t, u)
	admin, err := sql.Open("pgx", u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	role := "fc_limit_" + strings.ToLower(rand.Text()[:10])
	pu, _ := url.Parse(dsn)
	schema := pu.Query().Get("search_path")
	exec := func(q string) {
		t.Helper()
		if _, err := admin.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec("CREATE ROLE " + role + " LOGIN")
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for _, q := range []string{
			"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + role + "'",
			"DROP OWNED BY " + role + " CASCADE",
			"DROP ROLE " + role,
		} {
			if _, err := admin.ExecContext(ctx, q); err != nil {
				t.Errorf("%s: %v", q, err)
			}
		}
	})
	exec("GRANT ALL ON SCHEMA " + schema + " TO " + role)
	pu.User = url.User(role)

	base, _ := startServer(t, "--db", pu.String(), "--demo", "--db-max-conns", "4", "--db-timeout", "2s")
	code, login := do(t, "POST", base+"/api/auth/login/", "", map[string]string{"username": "demo@example.com", "password": "demo"})
	if code != 200 {
		t.Fatalf("login = %d", code)
	}
	token := login["token"].(string)

	// The role may connect no more, and its connections end.
	exec("ALTER ROLE " + role + " CONNECTION LIMIT 0")
	exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + role + "'")
	for n := 1; n > 0; time.Sleep(20 * time.Millisecond) { // the backends end as they get the signal
		if err := admin.QueryRow("SELECT count(*) FROM pg_stat_activity WHERE usename = '" + role + "'").Scan(&n); err != nil {
			t.Fatal(err)
		}
	}
	refused := false
	for i := 0; i < 30 && !refused; i++ {
		code, retry, body := get(t, base+"/api/lead/?page_size=1", token)
		if code != 503 || retry == "" {
			t.Fatalf("with the role's connections refused: %d, Retry-After %q, %s", code, retry, body)
		}
		// 1 s: no connection to be had (5 s: a connection lost)
		refused = retry == "1"
	}
	if !refused {
		t.Error("never answered the role's connection limit")
	}
	exec("ALTER ROLE " + role + " CONNECTION LIMIT -1")
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		code, _, body := get(t, base+"/api/lead/?page_size=1", token)
		if code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the limit was lifted: %d %s", code, body)
		}
	}
}
