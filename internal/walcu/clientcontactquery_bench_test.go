package walcu_test

import (
	"fmt"
	"net/http"
	"net/url"
	"syscall"
	"testing"
	"time"

	"forecourt/internal/testkit"
)

// BenchmarkClientsQContacts: a page of Walcu's clients (limit 50) on
// SQLite, 400 clients of two contacts each, filtered by a field of the
// client's contacts: phones (the core's column), name.first_name (each
// contact's Ext, an EXISTS over the client's contacts) and a plain page
// for reference. It reports the process's CPU per request (cpu-ns/op:
// user and system time, handler and store both in this process), which
// other work on the machine disturbs less than wall time.
func BenchmarkClientsQContacts(b *testing.B) {
	e := newEnvOn(b, testkit.OpenSQLite(b))
	for i := range 400 {
		r := e.es(http.MethodPost, "clients", map[string]any{
			"primary_contact": map[string]any{"name": map[string]any{"first_name": fmt.Sprintf("Client%03d", i)}},
			"contacts": []any{
				map[string]any{"name": map[string]any{"first_name": fmt.Sprintf("Uno%03d", i)}, "phones": []any{fmt.Sprintf("6100%05d", i)}},
				map[string]any{"name": map[string]any{"first_name": fmt.Sprintf("Dos%03d", i)}, "phones": []any{fmt.Sprintf("6200%05d", i)}},
			}})
		if r.code != 200 {
			b.Fatalf("POST: %d %s", r.code, r.raw)
		}
	}
	for name, q := range map[string]string{
		"plain":           `{}`,
		"phones":          `{"contacts.phones": "620000123"}`,
		"name.first_name": `{"contacts.name.first_name": "Dos123"}`,
		"name.regex":      `{"contacts.name.first_name": {"$regex": "dos12"}}`,
	} {
		b.Run(name, func(b *testing.B) {
			params := url.Values{"q": {q}, "limit": {"50"}}
			b.ReportAllocs()
			start := processCPU(b)
			for b.Loop() {
				if r := e.list("clients", params); r.code != 200 || len(r.arr()) == 0 {
					b.Fatalf("%s: %d %s", q, r.code, r.raw)
				}
			}
			b.ReportMetric(float64(processCPU(b)-start)/float64(b.N), "cpu-ns/op")
		})
	}
}

// processCPU is the process's user and system CPU time so far.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
