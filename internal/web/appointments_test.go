package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/demo"
)

// testAppointments: an appointment made on the lead's page is the core's,
// its start read in the dealer's zone and received by the lead's
// assignee; bad input is 400 with the values kept and nothing written, a
// forged form 403, another dealer's lead 404; a planned one is marked held
// or cancelled with its version (stale 409, another lead's 404); the
// agenda lists the user's from today on, and a manager all the dealer's.
func testAppointments(t *testing.T, st site) {
	b, csrf, l := adminWithLead(t, st, 7)
	path := "/app/leads/" + l.PublicID
	count := func() int {
		t.Helper()
		_, n, err := st.svc.FindAppointments(st.admin(), core.Query{Where: core.Eq("lead", l.ID), Limit: 1, Total: true})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	// a year ahead, so that it is upcoming whenever the test runs: 10:30 in Madrid
	year := time.Now().Year() + 1
	start := fmt.Sprintf("%d-06-15T10:30", year)
	ok := url.Values{"csrf": {csrf}, "cita_tipo": {"test_drive"}, "cita_fecha": {start}, "lugar": {"Exposición Sur"}, "cita_comentario": {"Traer el carné"}}
	with := func(k, v string) url.Values { return changed(ok, k, v) }
	wantRefusals(t, b, path+"/citas", []refusal{
		{"no CSRF token", with("csrf", ""), http.StatusForbidden, "El formulario ha caducado"},
		{"an unknown type", with("cita_tipo", "party"), http.StatusBadRequest, "Ese tipo de cita no existe"},
		{"no date", with("cita_fecha", ""), http.StatusBadRequest, "Indica el día y la hora de la cita"},
		{"a bad date", with("cita_fecha", "2026-13-01T10:00"), http.StatusBadRequest, "Indica el día y la hora de la cita"},
		{"a long place", with("lugar", strings.Repeat("x", core.MaxShortText+1)), http.StatusBadRequest, "El lugar es demasiado largo"},
		{"a long comment", with("cita_comentario", strings.Repeat("x", core.MaxLongText+1)), http.StatusBadRequest, "demasiado largo"},
		{"invalid UTF-8", with("lugar", "\xff"), http.StatusBadRequest, "El formulario no es válido"},
	})
	a := b.post(path+"/citas", with("cita_fecha", "mañana"))
	wantBody(t, a, "a refused appointment", `value="Exposición Sur"`, ">Traer el carné</textarea>", `value="mañana"`,
		`<option value="test_drive" selected>Prueba de conducción</option>`)
	co := st.browser(t)
	co.login(demo.COAdminUsername, demo.AdminPassword)
	coCSRF := co.csrf()
	f := with("csrf", coCSRF)
	wantStatus(t, co.post(path+"/citas", f), http.StatusNotFound, "an appointment on another dealer's lead")
	if n := count(); n != before {
		t.Fatalf("refused forms wrote %d appointments", n-before)
	}

	a = b.post(path+"/citas", ok)
	wantStatus(t, a, http.StatusSeeOther, "an appointment")
	if loc := a.Header.Get("Location"); loc != path+"?hecho=cita" {
		t.Fatalf("after an appointment: %q", loc)
	}
	appts, _, err := st.svc.FindAppointments(st.admin(), core.Query{Where: core.Eq("lead", l.ID), Sort: []core.Sort{{Field: "id", Desc: true}}, Limit: 1})
	if err != nil || len(appts) != 1 {
		t.Fatal(err)
	}
	ap := appts[0]
	madrid, _ := time.LoadLocation("Europe/Madrid")
	if want := time.Date(year, 6, 15, 10, 30, 0, 0, madrid); ap.Type != core.AppointmentTestDrive || ap.Status != core.AppointmentPlanned ||
		!ap.StartAt.Equal(want) || ap.Place != "Exposición Sur" || ap.Comments != "Traer el carné" || ap.UserID == nil || *ap.UserID != st.fx.AdminID {
		t.Fatalf("the appointment: %+v", ap)
	}
	shown := fmt.Sprintf("15/06/%d 10:30 · Prueba de conducción · prevista", year)
	wantBody(t, b.get(path+"?hecho=cita"), "after an appointment", "Cita creada.", shown, "Exposición Sur", "Cita creada</strong>",
		fmt.Sprintf(`id="cita-%d-done"`, ap.ID), fmt.Sprintf(`id="cita-%d-cancelled"`, ap.ID))

	// the agenda: the admin's own, and (an administrator) the dealer's
	a = b.get("/app/agenda")
	wantStatus(t, a, http.StatusOK, "the agenda")
	wantBody(t, a, "the agenda", fmt.Sprintf("15/06/%d 10:30", year), "Prueba de conducción", "Exposición Sur", l.Client.Name, `id="agenda-todas"`)
	if strings.Contains(co.get("/app/agenda?todas=1").Body, "Exposición Sur") {
		t.Fatal("another dealer's admin sees the appointment in his agenda")
	}
	// an advisor who is no manager: his own only, a forged todas=1 too
	adv := st.browser(t)
	adv.login("asesor2@example.com", demo.AdminPassword)
	for _, p := range []string{"/app/agenda", "/app/agenda?todas=1"} {
		a := adv.get(p)
		wantStatus(t, a, http.StatusOK, "an advisor's agenda")
		if strings.Contains(a.Body, "Exposición Sur") || strings.Contains(a.Body, `id="agenda-todas"`) {
			t.Fatalf("%s: an advisor sees another's appointment, or is offered the dealer's", p)
		}
	}
	// the business manager sees it among the dealer's
	mgr := st.browser(t)
	mgr.login("asesor1@example.com", demo.AdminPassword)
	if a := mgr.get("/app/agenda"); strings.Contains(a.Body, "Exposición Sur") || !strings.Contains(a.Body, `id="agenda-todas"`) {
		t.Fatal("the business manager's own agenda shows the admin's appointment, or does not offer the dealer's")
	}
	wantBody(t, mgr.get("/app/agenda?todas=1"), "the manager's dealer agenda", "Exposición Sur", "Demo Administrador")

	// marking it: refusals change nothing, then cancelled
	mark := fmt.Sprintf("%s/citas/%d/estado", path, ap.ID)
	v := strconv.Itoa(ap.Version)
	wantStatus(t, b.post(mark, url.Values{"csrf": {csrf}, "version": {v}, "estado": {"planned"}}), http.StatusBadRequest, "marking it planned")
	wantStatus(t, b.post(mark, url.Values{"csrf": {csrf}, "estado": {"done"}}), http.StatusBadRequest, "marking without a version")
	wantStatus(t, b.post(mark, url.Values{"version": {v}, "estado": {"done"}}), http.StatusForbidden, "marking without CSRF")
	wantStatus(t, b.post(mark, url.Values{"csrf": {csrf}, "version": {strconv.Itoa(ap.Version + 1)}, "estado": {"done"}}), http.StatusConflict, "a stale mark")
	other := st.lead(t, st.fx.LeadIDs[8])
	wantStatus(t, b.post(fmt.Sprintf("/app/leads/%s/citas/%d/estado", other.PublicID, ap.ID), url.Values{"csrf": {csrf}, "version": {v}, "estado": {"done"}}),
		http.StatusNotFound, "an appointment through another lead's path")
	wantStatus(t, b.post(path+"/citas/nope/estado", url.Values{"csrf": {csrf}, "version": {v}, "estado": {"done"}}), http.StatusNotFound, "an id that is none")
	wantStatus(t, co.post(mark, url.Values{"csrf": {coCSRF}, "version": {v}, "estado": {"done"}}), http.StatusNotFound, "another dealer's appointment")
	if got, err := st.svc.FindAppointment(st.admin(), ap.ID); err != nil || got.Status != core.AppointmentPlanned || got.Version != ap.Version {
		t.Fatalf("refused marks changed the appointment: %+v, %v", got, err)
	}
	a = b.post(mark, url.Values{"csrf": {csrf}, "version": {v}, "estado": {"cancelled"}})
	wantStatus(t, a, http.StatusSeeOther, "cancelling")
	if loc := a.Header.Get("Location"); loc != path+"?hecho=cita_estado" {
		t.Fatalf("after cancelling: %q", loc)
	}
	if got, _ := st.svc.FindAppointment(st.admin(), ap.ID); got.Status != core.AppointmentCancelled {
		t.Fatalf("the appointment after cancelling: %s", got.Status)
	}
	a = b.get(path + "?hecho=cita_estado")
	wantBody(t, a, "after cancelling", "Cita actualizada.", fmt.Sprintf("15/06/%d 10:30 · Prueba de conducción · cancelada", year), "Cita modificada</strong>")
	if strings.Contains(a.Body, fmt.Sprintf(`id="cita-%d-done"`, ap.ID)) {
		t.Fatal("a cancelled appointment still offers to be marked")
	}
	wantBody(t, b.get("/app/agenda"), "the agenda after cancelling", "cancelada")
}
