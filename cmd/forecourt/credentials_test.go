package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"forecourt/internal/testkit"
)

// engines runs fn with the database of a new installation on SQLite and,
// when $FORECOURT_TEST_POSTGRES is set, on PostgreSQL.
func engines(t *testing.T, fn func(t *testing.T, dsn string, pg bool)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, filepath.Join(t.TempDir(), "forecourt.db"), false) })
	if u := os.Getenv(testkit.PostgresEnv); u != "" {
		t.Run("postgres", func(t *testing.T) { fn(t, testkit.PostgresDSN(t, u), true) })
	}
}

// eventually waits until cond holds, failing the test if it never does. A
// running server sees what an operator command changed to credentials
// over PostgreSQL as soon as the database's notification reaches it
// (milliseconds: it remembers credentials only while it listens to them,
// credwatch.go), so there cond must hold within a second, well under the
// 2 s a credential is remembered; on SQLite within its caches' lifetimes
// (README).
func eventually(t *testing.T, pg bool, what string, cond func() bool) {
	t.Helper()
	if pg {
		for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if cond() {
				return
			}
		}
		t.Errorf("%s: not within a second on PostgreSQL", what)
	}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("%s: never", what)
}

// TestCredentialCommands runs the operator's credential and source
// commands through run, beside a running server, on both engines: a new
// dealer gets a source and receives a lead; a user's sessions end; a key
// is revoked; a deactivated user can no longer log in and his key acts as
// no user.
func TestCredentialCommands(t *testing.T) {
	engines(t, func(t *testing.T, dsn string, pg bool) {
		env := map[string]string{"FORECOURT_DB": dsn}
		cmd := func(args ...string) string {
			t.Helper()
			out, err := runCmd(t, env, args...)
			if err != nil {
				t.Fatalf("%v: %v", args, err)
			}
			return out
		}
		fails := func(want string, args ...string) {
			t.Helper()
			var errOut strings.Builder
			err := run(t.Context(), args, func(k string) string { return env[k] }, strings.NewReader(""), &strings.Builder{}, &errOut)
			if err == nil || !strings.Contains(err.Error()+errOut.String(), want) {
				t.Errorf("%v = %v, want an error saying %q", args, err, want)
			}
		}
		dealer := strings.TrimSpace(cmd("dealer", "add", "--name", "Motor Quito", "--country", "EC"))
		user := strings.TrimSpace(cmd("user", "add", "--email", "ana@example.com", "--password", "pw", "--dealer", dealer))

		// a source, so that the dealer can receive leads
		source := strings.TrimSpace(cmd("source", "add", "--dealer", dealer, "--channel", "phone", "--origin", "coches.net", "--data", "022000000"))
		web := strings.TrimSpace(cmd("source", "add", "--dealer", dealer, "--channel", "web", "--origin", "Web del concesionario"))
		if got, want := cmd("source", "list"), fmt.Sprintf("%s\t%s\tphone\tcoches.net\t022000000\n%s\t%s\tweb\tWeb del concesionario\t\n", source, dealer, web, dealer); got != want {
			t.Errorf("source list = %q, want %q", got, want)
		}
		if got := cmd("source", "list", "--dealer", "99"); got != "" {
			t.Errorf("source list of no dealer = %q", got)
		}
		fails("already has this source", "source", "add", "--dealer", dealer, "--channel", "phone", "--origin", "COCHES.NET", "--data", "022000000")
		fails("phone, email, web, chat, whatsapp", "source", "add", "--dealer", dealer, "--channel", "fax", "--origin", "x")
		fails("dealer", "source", "add", "--dealer", "99", "--channel", "phone", "--origin", "x")
		fails("required", "source", "add", "--dealer", dealer, "--channel", "phone")

		// keys
		keyA := strings.TrimSpace(cmd("apikey", "create", "--dealer", dealer, "--user", user, "--name", "crm"))
		keyB := strings.TrimSpace(cmd("apikey", "create", "--dealer", dealer))
		list := cmd("apikey", "list")
		line := regexp.MustCompile(`(?m)^(\d+)\t` + dealer + `\t(\S+)\t(fc_\S+)\t(\S+)\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\tactive$`)
		rows := line.FindAllStringSubmatch(list, -1)
		if len(rows) != 2 || rows[0][2] != user || rows[0][4] != "crm" || rows[1][2] != "-" || rows[1][4] != "-" ||
			!strings.HasPrefix(keyA, rows[0][3]) || !strings.HasPrefix(keyB, rows[1][3]) {
			t.Fatalf("apikey list = %q", list)
		}
		idA, idB := rows[0][1], rows[1][1]
		if got := cmd("apikey", "list", "--dealer", "99"); got != "" {
			t.Errorf("apikey list of no dealer = %q", got)
		}

		base, stop := startServer(t, "--db", dsn)
		defer stop()
		login := func() (int, string) {
			code, body := do(t, "POST", base+"/api/auth/login/", "", map[string]string{"username": "ana@example.com", "password": "pw"})
			tok, _ := body["token"].(string)
			return code, tok
		}
		authorised := func(secret string) bool {
			code, _ := do(t, "GET", base+"/api/concessionaire/", secret, nil)
			return code == 200
		}
		// who a lead created with secret is assigned to: its creator
		assignee := func(secret string) any {
			t.Helper()
			code, l := do(t, "POST", base+"/api/lead/", secret, map[string]any{"source": source, "vehicle": map[string]any{"brand_model": "x"}})
			if code != 201 {
				t.Fatalf("create a lead = %d %v", code, l)
			}
			return l["user"]
		}
		code, token := login()
		if code != 200 || !authorised(token) || !authorised(keyA) || !authorised(keyB) {
			t.Fatalf("before: login %d", code)
		}
		if got := fmt.Sprint(assignee(keyA)); got != user {
			t.Fatalf("a lead by ana's key is assigned to %s, want %s", got, user)
		}

		// end ana's sessions; she logs in again
		if out := cmd("user", "logout", user); out != "1 session of user "+user+" ended\n" {
			t.Errorf("user logout = %q", out)
		}
		eventually(t, pg, "a token after user logout", func() bool { return !authorised(token) })
		code, token = login()
		if code != 200 || !authorised(token) {
			t.Fatalf("login after user logout = %d", code)
		}

		// revoke a key: the other works on
		if out := cmd("apikey", "revoke", idB); !strings.HasPrefix(out, "API key "+idB+" (") || !strings.Contains(out, " revoked at ") {
			t.Errorf("apikey revoke = %q", out)
		}
		eventually(t, pg, "a revoked key", func() bool { return !authorised(keyB) })
		if !authorised(keyA) {
			t.Error("revoking a key stopped another")
		}
		if !regexp.MustCompile(`(?m)^` + idB + `\t.*\trevoked \d{4}-`).MatchString(cmd("apikey", "list", "--dealer", dealer)) {
			t.Errorf("apikey list does not show key %s revoked", idB)
		}
		cmd("apikey", "revoke", idB) // again: nothing changes, no error
		fails("not found", "apikey", "revoke", "999")

		// deactivate ana: no token, no login; her key acts as no user
		out := cmd("user", "deactivate", "--db", dsn, user)
		if !strings.HasPrefix(out, "user "+user+" deactivated; 1 session ended\n") || !strings.Contains(out, "API key "+idA+" (") {
			t.Errorf("user deactivate = %q", out)
		}
		eventually(t, pg, "a deactivated user's token", func() bool { return !authorised(token) })
		if code, _ := login(); code != 400 {
			t.Errorf("a deactivated user's login = %d, want 400", code)
		}
		eventually(t, pg, "a deactivated user's key acting as no user", func() bool { return assignee(keyA) == nil })
		fails("not found", "user", "deactivate", "999")
		// activate her again: she logs in; again changes nothing
		if out := cmd("user", "activate", "--db", dsn, user); out != "user "+user+" activated\n" {
			t.Errorf("user activate = %q", out)
		}
		if code, _ := login(); code != 200 {
			t.Errorf("a reactivated user's login = %d, want 200", code)
		}
		if out := cmd("user", "activate", "--db", dsn, user); out != "user "+user+" was active already\n" {
			t.Errorf("user activate again = %q", out)
		}
		fails("not found", "user", "activate", "999")
		fails("not found", "user", "logout", "999")
		for _, bad := range [][]string{{"user", "logout"}, {"user", "deactivate", "x"}, {"user", "activate"}, {"apikey", "revoke", "1", "2"}, {"apikey", "revoke", "-1"}} {
			if _, err := runCmd(t, env, bad...); err == nil || exitCode(err) != 2 {
				t.Errorf("%v = %v, want a usage error", bad, err)
			}
		}
	})
}
