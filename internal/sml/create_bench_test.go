package sml

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
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
	h := NewHandler(svc)
	serve := func(token, target string, body []byte) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", target, bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		if token != "" {
			r.Header.Set("Authorization", "Token "+token)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	login, _ := json.Marshal(map[string]string{"username": fx.AdminUsername, "password": fx.AdminPassword})
	w := serve("", "/api/auth/login/", login)
	var tok struct{ Token string }
	if err := json.Unmarshal(w.Body.Bytes(), &tok); err != nil || tok.Token == "" {
		b.Fatalf("login: %d %s", w.Code, w.Body)
	}
	// the body, its client's phone and e-mail left to fill in (@@@@@@@@)
	tmpl, _ := json.Marshal(map[string]any{
		"client": map[string]any{
			"name": "Cliente García", "phone": "6@@@@@@@@", "email": "cliente@@@@@@@@@example.com",
			"province": fx.ProvinceID, "location": fx.LocalityID,
		},
		"vehicle": map[string]any{"brand_model": "Vehículo de prueba", "price": "10000", "km": "120000", "year": 2008, "gas": fx.GasIDs[0]},
		"note":    []any{map[string]any{"content": "Nota de prueba"}},
		"status":  "new", "score": "1",
		"tags":   []any{map[string]any{"content": "Etiqueta de ejemplo"}},
		"source": fx.SourceIDs["phone"],
		"request": map[string]any{"task": []any{map[string]any{
			"type": "appraisal", "subtype": "subtipo de ejemplo", "description": "descripción de ejemplo", "media": "Whatsapp",
			"planified_realization_date": "2019-05-09T09:59:07.617Z", "planified_tracking_date": "2019-05-09T09:59:07.617Z",
			"realization_date_check": false, "tracking_date_check": false,
			"note": []any{map[string]any{"content": "nota en tarea de ejemplo"}},
			"appraisal": map[string]any{"brand_model": "marca del vehículo tasado", "license_plate": "8888JJJ", "km": "100000",
				"year": 2010, "gas": fx.GasIDs[0], "extras": "todos los extras incluidos", "origin": "national"},
		}}},
	})
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
		if w := serve(tok.Token, "/api/lead/", body(i)); w.Code != http.StatusCreated {
			b.Fatalf("create: %d %s", w.Code, w.Body)
		}
	}
	i := warm
	b.ReportAllocs()
	cpu0 := processCPU()
	for b.Loop() {
		i++
		if w := serve(tok.Token, "/api/lead/", body(i)); w.Code != http.StatusCreated {
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
