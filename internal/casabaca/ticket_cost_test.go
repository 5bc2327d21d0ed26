package casabaca_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"forecourt/internal/testkit"
)

// statementsOf runs fn and returns the SQL statements the store ran
// meanwhile, each "W: " (the writer) or "R: " (the read pool) and its text.
func statementsOf(t *testing.T, e *env, fn func()) []string {
	t.Helper()
	var mu sync.Mutex
	var got []string
	stop := e.st.WatchStatements(func(writer bool, q string) {
		mu.Lock()
		defer mu.Unlock()
		if writer {
			got = append(got, "W: "+q)
		} else {
			got = append(got, "R: "+q)
		}
	})
	fn()
	stop()
	mu.Lock()
	defer mu.Unlock()
	return got
}

// settle waits until the store runs nothing on its own: the writer adds
// the leads of the last write to the search index when no write came for
// a moment (store.indexIdle), which a loaded machine may delay into the
// next case's statements.
func settle(t *testing.T, e *env) {
	t.Helper()
	for range 200 {
		if len(statementsOf(t, e, func() { time.Sleep(50 * time.Millisecond) })) == 0 {
			return
		}
	}
	t.Fatal("the store never went quiet")
}

func count(stmts []string, prefix string) int {
	n := 0
	for _, s := range stmts {
		if strings.HasPrefix(s, prefix) {
			n++
		}
	}
	return n
}

// TestTicketStatements pins what one ticket costs the database on SQLite,
// statement by statement (docs/casabaca.md, "What a ticket costs"): a new
// one with a new client, one of a returning client, and one sent again.
func TestTicketStatements(t *testing.T) {
	e := newEnvOn(t, testkit.OpenSQLite(t))
	tok := e.maria()
	// the first tickets warm the reference caches
	for i, ced := range []string{"1710034065", "0926687856"} {
		e.data(tok, "POST", "/api/tickets", with(docTicket, map[string]any{"id_interaccion_inconcert": fmt.Sprint("warm-", i),
			"numero_identificacion": ced, "email": fmt.Sprintf("warm%d@example.com", i), "celular": fmt.Sprintf("098751988%d", i)}))
	}
	cases := []struct {
		name           string
		changes        map[string]any
		writer, reader int
		existing       bool
	}{
		{"new client", map[string]any{"id_interaccion_inconcert": "cost-1", "numero_identificacion": "1713175071",
			"email": "nuevo@example.com", "celular": "0991234567"}, 11, 0, false},
		{"returning client, another line", map[string]any{"id_interaccion_inconcert": "cost-2", "numero_identificacion": "1713175071",
			"email": "nuevo@example.com", "celular": "0991234567", "linea_negocio": "2"}, 10, 0, false},
		{"sent again", map[string]any{"id_interaccion_inconcert": "cost-1", "numero_identificacion": "1713175071",
			"email": "nuevo@example.com", "celular": "0991234567"}, 1, 5, true},
	}
	for _, c := range cases {
		settle(t, e)
		var d map[string]any
		stmts := statementsOf(t, e, func() { d = e.data(tok, "POST", "/api/tickets", with(docTicket, c.changes)) })
		if (d["message"] != nil) != c.existing {
			t.Fatalf("%s: %v", c.name, d)
		}
		w, r := count(stmts, "W: "), count(stmts, "R: ")
		if w != c.writer || r != c.reader {
			t.Errorf("%s: %d statements on the writer and %d on the readers, want %d and %d:\n%s", c.name, w, r, c.writer, c.reader, strings.Join(stmts, "\n"))
		}
	}
}
