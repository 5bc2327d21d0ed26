package walcu_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"forecourt/internal/testkit"
)

// BenchmarkWQLShorthand: a page of Walcu's saleleads (limit 50) on SQLite,
// 300 leads, searched by the example in its long form and as
// shorthands. It reports the process's CPU per request (cpu-ns/op, see
// processCPU): the shorthand is resolved once per term, so both forms
// cost the same.
func BenchmarkWQLShorthand(b *testing.B) {
	e := newEnvOn(b, testkit.OpenSQLite(b))
	for i := range 300 {
		mk := []string{"Seat", "Ford", "Renault"}[i%3]
		r := e.es(http.MethodPost, "saleleads", map[string]any{"car_list": []any{map[string]any{"car": map[string]any{"make": mk, "license_plate": fmt.Sprintf("%04dBBB", i)}}}})
		if r.code != 200 {
			b.Fatalf("POST: %d %s", r.code, r.raw)
		}
	}
	for _, c := range []struct{ name, search string }{
		{"long", "status.status:new AND car_list.car.make:Seat"},
		{"short", "status:new AND car.make:Seat"},
	} {
		b.Run(c.name, func(b *testing.B) {
			params := url.Values{"search": {c.search}, "limit": {"50"}}
			b.ReportAllocs()
			start := processCPU(b)
			for b.Loop() {
				if r := e.list("saleleads", params); r.code != 200 || len(r.arr()) == 0 {
					if c.name == "short" && r.code == 400 {
						b.Skip("no shorthands in this build")
					}
					b.Fatalf("%s: %d %s", c.search, r.code, r.raw)
				}
			}
			b.ReportMetric(float64(processCPU(b)-start)/float64(b.N), "cpu-ns/op")
		})
	}
}
