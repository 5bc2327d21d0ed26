package sml

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"syscall"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/demo"
	"forecourt/internal/testkit"

	"golang.org/x/crypto/bcrypt"
)

// BenchmarkCreateLead is Crear Lead as scripts/bench-create-pg drives it
// (cmd/fcload's complex lead, each with a new client), through the
// handler on the test's store (PostgreSQL when FORECOURT_TEST_POSTGRES is
// set): the request read, the lead stored, the answer rendered and
// written. Its allocations per op are the server's per created lead, but
// for net/http's own; its time includes the database's.
func BenchmarkCreateLead(b *testing.B) {
	svc := core.NewService(testkit.OpenStore(b), core.WithPasswordCost(bcrypt.MinCost))
	fx, err := demo.Seed(context.Background(), svc, demo.Options{})
	if err != nil {
		b.Fatal(err)
	}
	c := newDirectClient(b, NewHandler(svc), fx)
	// the document's complex lead (cmd/fcload's), with the demo's ids, its
	// client's phone and e-mail left to fill in (@@@@@@@@)
	lead := exampleLead(b, fx, "testdata/requests/complex.json")
	client := lead["client"].(map[string]any)
	client["phone"], client["email"] = "6@@@@@@@@", "cliente@@@@@@@@@example.com"
	tmpl, _ := json.Marshal(lead)
	parts := bytes.Split(tmpl, []byte("@@@@@@@@"))
	var buf []byte
	body := func(i int) []byte {
		digits := fmt.Appendf(nil, "%08d", i)
		buf = append(buf[:0], parts[0]...)
		buf = append(append(buf, digits...), parts[1]...)
		buf = append(append(buf, digits...), parts[2]...)
		return buf
	}
	const warm = 50
	for i := range warm {
		if w := c.do("POST", "/api/lead/", body(i)); w.Code != http.StatusCreated {
			b.Fatalf("create: %d %s", w.Code, w.Body)
		}
	}
	i := warm
	b.ReportAllocs()
	cpu0 := processCPU()
	for b.Loop() {
		i++
		if w := c.do("POST", "/api/lead/", body(i)); w.Code != http.StatusCreated {
			b.Fatalf("create: %d %s", w.Code, w.Body)
		}
	}
	// the process's CPU (user and system), which the database's is not:
	// on a shared machine a steadier figure than the time per op
	b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/float64(i-warm), "cpu-µs/op")
}

// processCPU is the CPU time the process has used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// directClient serves requests to a handler as the demo's admin, logged in
// through it.
type directClient struct {
	h     http.Handler
	token string
}

func newDirectClient(tb testing.TB, h http.Handler, fx demo.Fixture) directClient {
	tb.Helper()
	c := directClient{h: h}
	login, _ := json.Marshal(map[string]string{"username": fx.AdminUsername, "password": fx.AdminPassword})
	w := c.do(http.MethodPost, "/api/auth/login/", login)
	var tok struct{ Token string }
	if err := json.Unmarshal(w.Body.Bytes(), &tok); err != nil || tok.Token == "" {
		tb.Fatalf("login: %d %s", w.Code, w.Body)
	}
	c.token = tok.Token
	return c
}

func (c directClient) do(method, target string, body []byte) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if c.token != "" {
		r.Header.Set("Authorization", "Token "+c.token)
	}
	w := httptest.NewRecorder()
	c.h.ServeHTTP(w, r)
	return w
}

// exampleLead is a request example of the document (testdata/requests)
// with the demo's ids for its source, province, locality and fuel.
func exampleLead(tb testing.TB, fx demo.Fixture, file string) map[string]any {
	tb.Helper()
	data, err := os.ReadFile(file)
	var body map[string]any
	if err == nil {
		err = json.Unmarshal(data, &body)
	}
	if err != nil {
		tb.Fatalf("%s: %v", file, err)
	}
	if _, ok := body["source"]; ok {
		body["source"] = fx.SourceIDs["phone"]
	}
	if c, ok := body["client"].(map[string]any); ok {
		c["province"], c["location"] = fx.ProvinceID, fx.LocalityID
	}
	if v, ok := body["vehicle"].(map[string]any); ok && v["gas"] != nil {
		v["gas"] = fx.GasIDs[0]
	}
	if rq, ok := body["request"].(map[string]any); ok {
		ts, _ := rq["task"].([]any)
		for _, t := range ts {
			if a, ok := t.(map[string]any)["appraisal"].(map[string]any); ok && a["gas"] != nil {
				a["gas"] = fx.GasIDs[0]
			}
		}
	}
	return body
}
