package casabaca_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"

	"forecourt/internal/casabaca"
	"forecourt/internal/testkit"
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
	e := newEnvOn(b, testkit.OpenSQLite(b))
	token := e.maria()
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
			rec := e.raw(e.h, token, "POST", "/api/tickets", string(ticket(r)))
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
	return s + strconv.Itoa(casabaca.CedulaCheck(s))
}
