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

// testApptEdit: a new appointment's receiver is chosen among the dealer's
// users; a planned one is rescheduled (day and time in the dealer's zone,
// place, notes, receiver) with its version, back to the agenda when asked
// from it; refusals are the form again with the values kept and nothing
// written, a stale form 409 with the appointment as it is now; it is
// deleted after a confirmation, with its version; another dealer's and
// another lead's are 404; one no longer planned is neither changed nor
// deleted.
func testApptEdit(t *testing.T, st site) {
	b, csrf, l := adminWithLead(t, st, 10)
	path := "/app/leads/" + l.PublicID
	year := time.Now().Year() + 1
	madrid, _ := time.LoadLocation("Europe/Madrid")
	advisor := st.fx.AdvisorIDs[1]
	adv := strconv.FormatInt(advisor, 10)

	// the new appointment's receiver: one of the dealer's users, not another dealer's
	form := url.Values{"csrf": {csrf}, "cita_tipo": {"visit"}, "cita_fecha": {fmt.Sprintf("%d-05-04T12:00", year)}, "cita_recibe": {adv}}
	wantBody(t, b.get(path), "the lead's page", `id="cita-recibe"`, `<option value="`+adv+`">`)
	bad := url.Values{"csrf": {csrf}, "cita_tipo": {"visit"}, "cita_fecha": {fmt.Sprintf("%d-05-04T12:00", year)}}
	for _, c := range []struct{ what, v, says string }{
		{"a receiver that is no id", "nadie", "Esa persona no existe"},
		{"another dealer's user", strconv.FormatInt(st.fx.COAdminID, 10), "Los datos no son válidos"},
	} {
		bad.Set("cita_recibe", c.v)
		a := b.post(path+"/citas", bad)
		wantStatus(t, a, http.StatusBadRequest, c.what)
		wantBody(t, a, c.what, c.says)
	}
	wantStatus(t, b.post(path+"/citas", form), http.StatusSeeOther, "an appointment for the advisor")
	appts, _, err := st.svc.FindAppointments(st.admin(), core.Query{Where: core.Eq("lead", l.ID), Sort: []core.Sort{{Field: "id", Desc: true}}, Limit: 5})
	if err != nil || len(appts) != 1 || appts[0].UserID == nil || *appts[0].UserID != advisor {
		t.Fatalf("the appointment for the advisor: %+v, %v", appts, err)
	}
	ap := appts[0]
	edit := fmt.Sprintf("%s/citas/%d", path, ap.ID)
	wantBody(t, b.get(path), "the lead's page", fmt.Sprintf(`href="%s"`, edit), fmt.Sprintf(`href="%s/borrar"`, edit))
	a := b.get(edit + "?volver=agenda")
	wantStatus(t, a, http.StatusOK, "the edit page")
	wantBody(t, a, "the edit page", fmt.Sprintf(`value="%d-05-04T12:00"`, year), `<option value="`+adv+`" selected>`, `name="version" value="1"`,
		`name="volver" value="agenda"`)

	v := strconv.Itoa(ap.Version)
	ok := url.Values{"csrf": {csrf}, "version": {v}, "cita_fecha": {fmt.Sprintf("%d-05-06T09:45", year)}, "lugar": {"Taller"},
		"cita_comentario": {" Trae la documentación "}, "cita_recibe": {strconv.FormatInt(st.fx.AdminID, 10)}, "volver": {"agenda"}}
	with := func(k, v string) url.Values { return changed(ok, k, v) }
	wantRefusals(t, b, edit, []refusal{
		{"no CSRF token", with("csrf", ""), http.StatusForbidden, "El formulario ha caducado"},
		{"no version", with("version", ""), http.StatusBadRequest, "El formulario no es válido"},
		{"no date", with("cita_fecha", ""), http.StatusBadRequest, "Indica el día y la hora"},
		{"a bad date", with("cita_fecha", "1999-05-06T09:45"), http.StatusBadRequest, "Indica el día y la hora"},
		{"a bad receiver", with("cita_recibe", "x"), http.StatusBadRequest, "Esa persona no existe"},
		{"another dealer's receiver", with("cita_recibe", strconv.FormatInt(st.fx.COAdminID, 10)), http.StatusBadRequest, "Los datos no son válidos"},
		{"a long place", with("lugar", strings.Repeat("x", core.MaxShortText+1)), http.StatusBadRequest, "El lugar es demasiado largo"},
		{"a long comment", with("cita_comentario", strings.Repeat("x", core.MaxLongText+1)), http.StatusBadRequest, "demasiado largo"},
		{"invalid UTF-8", with("lugar", "\xff"), http.StatusBadRequest, "El formulario no es válido"},
	})
	a = b.post(edit, with("cita_fecha", "pronto"))
	wantBody(t, a, "a refused edit", `value="pronto"`, `value="Taller"`, "> Trae la documentación </textarea>")
	// a stale form: the appointment as it is now
	changed, err := st.svc.UpdateAppointment(st.admin(), ap.ID, core.AppointmentPatch{Version: ap.Version, Place: core.Value("Sala 2")})
	if err != nil {
		t.Fatal(err)
	}
	a = b.post(edit, ok)
	wantStatus(t, a, http.StatusConflict, "a stale edit")
	wantBody(t, a, "a stale edit", "La cita ha cambiado", `value="Sala 2"`, fmt.Sprintf(`name="version" value="%d"`, changed.Version),
		fmt.Sprintf(`value="%d-05-04T12:00"`, year))
	other := st.lead(t, st.fx.LeadIDs[11])
	otherPath := fmt.Sprintf("/app/leads/%s/citas/%d", other.PublicID, ap.ID)
	wantStatus(t, b.get(otherPath), http.StatusNotFound, "the appointment through another lead's path")
	wantStatus(t, b.post(otherPath, ok), http.StatusNotFound, "an edit through another lead's path")
	wantStatus(t, b.get(path+"/citas/99999999999"), http.StatusNotFound, "an appointment that is none")
	co := st.browser(t)
	co.login(demo.COAdminUsername, demo.AdminPassword)
	coCSRF := co.csrf()
	wantStatus(t, co.get(edit), http.StatusNotFound, "another dealer's appointment")
	wantStatus(t, co.post(edit, with("csrf", coCSRF)), http.StatusNotFound, "an edit of another dealer's appointment")
	wantStatus(t, co.get(edit+"/borrar"), http.StatusNotFound, "another dealer's deletion page")
	wantStatus(t, co.post(edit+"/borrar", url.Values{"csrf": {coCSRF}, "version": {v}}), http.StatusNotFound, "a deletion of another dealer's appointment")
	if got, err := st.svc.FindAppointment(st.admin(), ap.ID); err != nil || got.Version != changed.Version || got.Place != "Sala 2" {
		t.Fatalf("refused edits changed the appointment: %+v, %v", got, err)
	}

	// the reschedule, back to the agenda
	a = b.post(edit, with("version", strconv.Itoa(changed.Version)))
	wantStatus(t, a, http.StatusSeeOther, "the reschedule")
	if loc := a.Header.Get("Location"); loc != "/app/agenda?hecho=cita_editada" {
		t.Fatalf("after the reschedule: %q", loc)
	}
	got, err := st.svc.FindAppointment(st.admin(), ap.ID)
	if want := time.Date(year, 5, 6, 9, 45, 0, 0, madrid); err != nil || !got.StartAt.Equal(want) || got.Place != "Taller" ||
		got.Comments != "Trae la documentación" || got.UserID == nil || *got.UserID != st.fx.AdminID || got.Status != core.AppointmentPlanned {
		t.Fatalf("the appointment after the reschedule: %+v, %v", got, err)
	}
	wantBody(t, b.get("/app/agenda?hecho=cita_editada"), "the agenda", "Cita cambiada.", fmt.Sprintf("06/05/%d 09:45", year), "Taller",
		fmt.Sprintf(`href="%s?volver=agenda"`, edit))
	wantBody(t, b.get(path), "the lead's history", "Cita modificada</strong>")

	// deletion: a confirmation, then the post with its version
	a = b.get(edit + "/borrar")
	wantStatus(t, a, http.StatusOK, "the deletion's confirmation")
	wantBody(t, a, "the deletion's confirmation", "¿Eliminar la cita?", fmt.Sprintf("Visita del 06/05/%d 09:45", year),
		fmt.Sprintf(`name="version" value="%d"`, got.Version), `href="`+path+`"`)
	wantStatus(t, b.post(edit+"/borrar", url.Values{"version": {strconv.Itoa(got.Version)}}), http.StatusForbidden, "a deletion without CSRF")
	wantStatus(t, b.post(edit+"/borrar", url.Values{"csrf": {csrf}}), http.StatusBadRequest, "a deletion without a version")
	a = b.post(edit+"/borrar", url.Values{"csrf": {csrf}, "version": {v}})
	wantStatus(t, a, http.StatusConflict, "a stale deletion")
	wantBody(t, a, "a stale deletion", "La cita ha cambiado", fmt.Sprintf(`name="version" value="%d"`, got.Version))
	wantStatus(t, b.post(otherPath+"/borrar", url.Values{"csrf": {csrf}, "version": {strconv.Itoa(got.Version)}}), http.StatusNotFound,
		"a deletion through another lead's path")
	if _, err := st.svc.FindAppointment(st.admin(), ap.ID); err != nil {
		t.Fatalf("refused deletions deleted the appointment: %v", err)
	}
	a = b.post(edit+"/borrar", url.Values{"csrf": {csrf}, "version": {strconv.Itoa(got.Version)}})
	wantStatus(t, a, http.StatusSeeOther, "the deletion")
	if loc := a.Header.Get("Location"); loc != path+"?hecho=cita_borrada" {
		t.Fatalf("after the deletion: %q", loc)
	}
	if _, err := st.svc.FindAppointment(st.admin(), ap.ID); core.ErrorCode(err) != core.NotFound {
		t.Fatalf("the deleted appointment: %v", err)
	}
	wantBody(t, b.get(path+"?hecho=cita_borrada"), "after the deletion", "Cita eliminada.", "Cita borrada</strong>")

	// one no longer planned is neither changed nor deleted
	held, err := st.svc.CreateAppointment(st.admin(), core.Appointment{LeadID: l.ID, Type: core.AppointmentVisit, StartAt: time.Date(year, 7, 1, 10, 0, 0, 0, madrid)})
	if err != nil {
		t.Fatal(err)
	}
	if held, err = st.svc.UpdateAppointment(st.admin(), held.ID, core.AppointmentPatch{Version: held.Version, Status: core.Value(core.AppointmentDone)}); err != nil {
		t.Fatal(err)
	}
	heldPath := fmt.Sprintf("%s/citas/%d", path, held.ID)
	hv := strconv.Itoa(held.Version)
	wantStatus(t, b.get(heldPath), http.StatusBadRequest, "the edit page of a held appointment")
	wantStatus(t, b.post(heldPath, with("version", hv)), http.StatusBadRequest, "an edit of a held appointment")
	wantStatus(t, b.post(heldPath+"/borrar", url.Values{"csrf": {csrf}, "version": {hv}}), http.StatusBadRequest, "a deletion of a held appointment")
	if got, err := st.svc.FindAppointment(st.admin(), held.ID); err != nil || got.Version != held.Version {
		t.Fatalf("a held appointment changed: %+v, %v", got, err)
	}

	// a receiver deactivated since stays offered and chosen: an edit of the time keeps him
	gone, err := st.svc.CreateUser(t.Context(), core.User{Username: "baja@example.com", FirstName: "Rosa", LastName: "Baja", IsActive: true,
		Memberships: []core.Membership{{DealerID: st.fx.DealerID}}}, "secreto")
	if err != nil {
		t.Fatal(err)
	}
	his, err := st.svc.CreateAppointment(st.admin(), core.Appointment{LeadID: l.ID, Type: core.AppointmentVisit, StartAt: time.Date(year, 8, 1, 10, 0, 0, 0, madrid),
		UserID: &gone.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.svc.DeactivateUser(t.Context(), gone.ID); err != nil {
		t.Fatal(err)
	}
	hisPath := fmt.Sprintf("%s/citas/%d", path, his.ID)
	goneID := strconv.FormatInt(gone.ID, 10)
	wantBody(t, b.get(hisPath), "the edit page of a deactivated user's appointment", `<option value="`+goneID+`" selected>Rosa Baja</option>`)
	a = b.post(hisPath, url.Values{"csrf": {csrf}, "version": {strconv.Itoa(his.Version)}, "cita_fecha": {fmt.Sprintf("%d-08-01T11:00", year)}, "cita_recibe": {goneID}})
	wantStatus(t, a, http.StatusSeeOther, "rescheduling a deactivated user's appointment")
	if got, err := st.svc.FindAppointment(st.admin(), his.ID); err != nil || got.UserID == nil || *got.UserID != gone.ID || got.StartAt.In(madrid).Hour() != 11 {
		t.Fatalf("the deactivated user's appointment after the reschedule: %+v, %v", got, err)
	}
}
