package web_test

import (
	"net/http"
	"testing"
	"time"

	"forecourt/internal/core"
)

// BenchmarkMyTasks: "Mis tareas" of the demo's admin (the open tasks of
// his leads, dated and undated, with their leads' names).
func BenchmarkMyTasks(b *testing.B) {
	benchPages(b, func(b *testing.B, br *browser, st site, csrf string, i int) {
		if a := br.get("/app/tareas"); a.StatusCode != http.StatusOK {
			b.Fatalf("my tasks: %d", a.StatusCode)
		}
	})
}

// BenchmarkAgenda: the dealer's agenda (todas=1) with an upcoming
// appointment on each demo lead.
func BenchmarkAgenda(b *testing.B) {
	benchPagesAfter(b, func(st site) {
		at := time.Now().Add(24 * time.Hour)
		for j, id := range st.fx.LeadIDs {
			if _, err := st.svc.CreateAppointment(st.admin(), core.Appointment{LeadID: id, StartAt: at.Add(time.Duration(j) * time.Hour), Place: "Exposición"}); err != nil {
				b.Fatal(err)
			}
		}
	}, func(b *testing.B, br *browser, st site, csrf string, i int) {
		if a := br.get("/app/agenda?todas=1"); a.StatusCode != http.StatusOK {
			b.Fatalf("agenda: %d", a.StatusCode)
		}
	})
}
