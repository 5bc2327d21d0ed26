package web_test

import (
	"net/http"
	"strconv"
	"testing"

	"forecourt/internal/demo"
	"forecourt/internal/testkit"
)

// The fourth slice's pages whose queries changed: a lead's page for an
// advisor who may not assign (the dealer's users, now for the new
// appointment's receiver), the new-lead form of a manager (the users he
// may give the lead to), a client's page (its locality and province by
// name) and its edit form (the country's provinces, the province's
// localities).

// benchPagesAs runs op b.N times over the demo site on SQLite, logged in
// as user, after setup (outside the measure), reporting the process's
// CPU per operation as benchPages does.
func benchPagesAs(b *testing.B, user string, setup func(st site, br *browser), op func(b *testing.B, br *browser, st site, i int)) {
	st := newSite(b, testkit.OpenSQLite(b))
	br := st.browser(b)
	br.login(user, demo.AdminPassword)
	if setup != nil {
		setup(st, br)
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuTime(b)
	for i := 0; i < b.N; i++ {
		op(b, br, st, i)
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op")
}

// benchGet is an op that gets path(st, i) and wants 200.
func benchGet(path func(st site, i int) string) func(b *testing.B, br *browser, st site, i int) {
	return func(b *testing.B, br *browser, st site, i int) {
		if a := br.get(path(st, i)); a.StatusCode != http.StatusOK {
			b.Fatalf("%s: %d", path(st, i), a.StatusCode)
		}
	}
}

// BenchmarkLeadPageAdvisor: a lead's page for an advisor who may not
// reassign it.
func BenchmarkLeadPageAdvisor(b *testing.B) {
	benchPagesAs(b, "asesor2@example.com", nil, benchGet(func(st site, i int) string {
		return "/app/leads/" + strconv.FormatInt(st.fx.LeadIDs[i%len(st.fx.LeadIDs)], 10)
	}))
}

// BenchmarkNewLeadForm: the new-lead form of the dealer's admin.
func BenchmarkNewLeadForm(b *testing.B) {
	benchPagesAs(b, demo.AdminUsername, nil, benchGet(func(site, int) string { return "/app/leads/nuevo" }))
}

// benchClients are the clients of the demo's leads, by id.
func benchClients(b *testing.B, clients *[]string) func(st site, br *browser) {
	return func(st site, _ *browser) {
		for _, id := range st.fx.LeadIDs {
			if l := st.lead(b, id); l.Client != nil {
				*clients = append(*clients, strconv.FormatInt(l.Client.ID, 10))
			}
		}
	}
}

// BenchmarkClientPage: a client's page (its data and leads).
func BenchmarkClientPage(b *testing.B) {
	var clients []string
	benchPagesAs(b, demo.AdminUsername, benchClients(b, &clients), benchGet(func(st site, i int) string {
		return "/app/clientes/" + clients[i%len(clients)]
	}))
}

// BenchmarkClientEditPage: a client's edit form.
func BenchmarkClientEditPage(b *testing.B) {
	var clients []string
	benchPagesAs(b, demo.AdminUsername, benchClients(b, &clients), benchGet(func(st site, i int) string {
		return "/app/clientes/" + clients[i%len(clients)] + "/editar"
	}))
}
