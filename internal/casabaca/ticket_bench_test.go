package casabaca_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"

	"forecourt/internal/casabaca"
	"forecourt/internal/core"
	"forecourt/internal/demo"
	"forecourt/internal/testkit"

	"golang.org/x/crypto/bcrypt"
)

// BenchmarkTicketCreate creates Casabaca tickets through the handler on a
// SQLite file, 16 at once as `fcload -mode ticket -c 16` sends them (each
// the document's body with a new client and interaction), without the
// network. Besides ns/op it reports cpu-µs/op: the process's user+system
// time per ticket (getrusage), the figure to compare A/B on a busy
// machine (docs/benchmarks.md, "Tickets: fewer b-trees per ticket").
//
//	go test ./internal/casabaca/ -run '^$' -bench TicketCreate -benchtime 4000x
func BenchmarkTicketCreate(b *testing.B) {
	st := testkit.OpenSQLite(b)
	svc := core.NewService(st, core.WithPasswordCost(bcrypt.MinCost))
	if _, err := demo.Seed(context.Background(), svc, demo.Options{Leads: 2, Advisors: 1}); err != nil {
		b.Fatal(err)
	}
	h := casabaca.NewHandler(svc, casabaca.WithLogger(slog.New(slog.DiscardHandler)))
	post := func(path, token string, body any) *httptest.ResponseRecorder {
		j, _ := json.Marshal(body)
		r := httptest.NewRequest("POST", path, bytes.NewReader(j))
		r.Header.Set("Content-Type", "application/json")
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec
	}
	rec := post("/api/login", "", map[string]string{"autorizador": demo.ECAuthoriser, "email": demo.ECUser, "password": demo.ECPassword, "environment": "dev"})
	var login struct{ Token string }
	if err := json.Unmarshal(rec.Body.Bytes(), &login); err != nil || login.Token == "" {
		b.Fatalf("login: %d %s", rec.Code, rec.Body)
	}
	var seq atomic.Int64
	ticket := func(r *rand.Rand) []byte {
		n := seq.Add(1)
		j, _ := json.Marshal(map[string]any{"datosSugarCRM": map[string]any{
			"numero_identificacion": cedula(n), "tipo_identificacion": "C", "email": fmt.Sprintf("cliente%d@example.com", n),
			"user_name": "CG_RAMOS", "nombres": "CLIENTE", "apellidos": fmt.Sprint("APELLIDO", r.IntN(200)), "celular": fmt.Sprintf("09%08d", r.IntN(1e8)),
			"telefono": "022072827", "linea_negocio": "1", "tipo_transaccion": "1", "anio": "2020", "placa": "PCY-7933", "medio": "13",
			"campania": "5e686580-ee19-11ea-97ea-000c297d72b1", "asunto": "Mantenimiento", "comentario_cliente": "Necesita una cita para mantenimiento",
			"id_interaccion_inconcert": fmt.Sprint("bench-", n), "description": "El cliente requiere una cotizacion urgente",
			"porcentaje_discapacidad": "50_74", "marca": "1", "modelo": "2", "precio": "25000", "color": "negro", "anioMin": "2018",
			"anioMax": "2020", "kilometraje": "25000", "combustible": "gasolina"},
			"datos_adicionales": map[string]any{"title": "Titulo del Formulario", "pageUrl": "https://www.toyota.com.ec/formulariox.html",
				"fields": []any{map[string]any{"key": "Nombres", "nombre": "Maria"}}}})
		return j
	}
	var failed atomic.Value
	var ru0, ru1 syscall.Rusage
	b.SetParallelism(8) // 16 goroutines on 2 cores
	b.ResetTimer()
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	b.RunParallel(func(pb *testing.PB) {
		r := rand.New(rand.NewPCG(uint64(seq.Add(1)), 1))
		for pb.Next() {
			req := httptest.NewRequest("POST", "/api/tickets", bytes.NewReader(ticket(r)))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+login.Token)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK || bytes.Contains(rec.Body.Bytes(), []byte(`"message"`)) {
				failed.Store(strconv.Itoa(rec.Code) + " " + rec.Body.String())
			}
		}
	})
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	b.StopTimer()
	if f := failed.Load(); f != nil {
		b.Fatalf("a ticket was not created: %s", f)
	}
	cpu := func(ru syscall.Rusage) int64 { return ru.Utime.Nano() + ru.Stime.Nano() }
	b.ReportMetric(float64(cpu(ru1)-cpu(ru0))/1e3/float64(b.N), "cpu-µs/op")
}

// cedula returns the nth valid Ecuadorian cédula of Pichincha (a new
// client for every n below six million: the same one twice would be the
// same open ticket, answered "already received").
func cedula(n int64) string {
	s := fmt.Sprintf("17%d%06d", n%6, n/6%1000000)
	sum := 0
	for i := range 9 {
		d := int(s[i]-'0') * (2 - i%2)
		if d > 9 {
			d -= 9
		}
		sum += d
	}
	return s + strconv.Itoa((10-sum%10)%10)
}
