package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"syscall"
	"testing"
	"time"

	"forecourt/internal/demo"
)

// cpuTime is the process's user and system CPU time so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchPages runs op b.N times over the demo site on SQLite, logged in as
// the demo's admin, reporting the
// process's CPU per operation (server and client, both in this process):
// wall time is disturbed by whatever else runs on the machine, CPU less so.
func benchPages(b *testing.B, op func(b *testing.B, br *browser, st site, csrf string, i int)) {
	benchPagesAfter(b, nil, op)
}

// benchPagesAfter is benchPages with setup run on the site first, outside
// the measure.
func benchPagesAfter(b *testing.B, setup func(st site), op func(b *testing.B, br *browser, st site, csrf string, i int)) {
	var csrf string
	benchPagesAs(b, demo.AdminUsername, func(st site, br *browser) {
		if setup != nil {
			setup(st)
		}
		csrf = br.csrf()
	}, func(b *testing.B, br *browser, st site, i int) { op(b, br, st, csrf, i) })
}

// BenchmarkLeadPage: a lead's page (its notes, tasks, appointments,
// history and forms).
func BenchmarkLeadPage(b *testing.B) {
	benchPages(b, func(b *testing.B, br *browser, st site, csrf string, i int) {
		if a := br.get("/app/leads/" + strconv.FormatInt(st.fx.LeadIDs[i%len(st.fx.LeadIDs)], 10)); a.StatusCode != http.StatusOK {
			b.Fatalf("lead page: %d", a.StatusCode)
		}
	})
}

// BenchmarkNewLeadByHand: a lead entered by hand, its client a new one.
func BenchmarkNewLeadByHand(b *testing.B) {
	benchPages(b, func(b *testing.B, br *browser, st site, csrf string, i int) {
		a := br.post("/app/leads/nuevo", url.Values{"csrf": {csrf}, "fuente": {strconv.FormatInt(st.fx.SourceIDs["phone"], 10)},
			"nombre": {"Cliente " + strconv.Itoa(i)}, "telefono": {strconv.Itoa(600000000 + i)}, "vehiculo": {"Kia Niro"}})
		if a.StatusCode != http.StatusSeeOther {
			b.Fatalf("new lead: %d %s", a.StatusCode, a.Body)
		}
	})
}

// BenchmarkClientsSearch: the clients list searched by a name.
func BenchmarkClientsSearch(b *testing.B) {
	benchPages(b, func(b *testing.B, br *browser, st site, csrf string, i int) {
		if a := br.get("/app/clientes?q=garcia"); a.StatusCode != http.StatusOK {
			b.Fatalf("clients: %d", a.StatusCode)
		}
	})
}
