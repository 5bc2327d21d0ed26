package web_test

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"forecourt/internal/core"
	"forecourt/internal/demo"
)

// requireBrowserEnv, when set, makes a missing chromium a failure: CI sets
// it, so the browser test cannot pass there by being skipped.
const requireBrowserEnv = "FORECOURT_REQUIRE_BROWSER"

// chromium returns the path of Debian's chromium, skipping the test when
// there is none and requireBrowserEnv is unset.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv(requireBrowserEnv) != "" {
		t.Fatalf("no chromium on PATH and %s is set: install it (apt-get install chromium)", requireBrowserEnv)
	}
	t.Skipf("no chromium on PATH (set %s to make this a failure)", requireBrowserEnv)
	return ""
}

// testBrowser drives a real browser through the interface: log in, search
// a lead, open it, add a note, change its status, and see both in its
// history, create a task, make an appointment and find it in the agenda,
// reschedule it from there and see it moved; register a user from the
// team page, set her a new password and log in as her with it;
// the stylesheet applies under the page's Content-Security-Policy.
func testBrowser(t *testing.T, st site) {
	path := chromium(t)
	target := st.lead(t, st.fx.LeadIDs[4])

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("disable-gpu", true))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 120*time.Second) // a bound for a hung browser, not a speed check: a loaded machine needs more than a minute
	defer cancel()

	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(id string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID(id)))
		if err != nil {
			t.Fatalf("text of #%s: %v", id, err)
		}
		return s
	}
	do("log in",
		chromedp.Navigate(st.srv.URL+"/app/leads"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), demo.AdminUsername),
		chromedp.SendKeys(chromedp.ID("password"), demo.AdminPassword),
		chromedp.Click(chromedp.ID("entrar")),
		chromedp.WaitVisible(chromedp.ID("total")))
	bg, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.body).backgroundColor`))
	if err != nil {
		t.Fatal(err)
	}
	do("search",
		chromedp.SetValue(chromedp.ID("q"), target.Client.Phone),
		chromedp.Click(chromedp.ID("buscar")),
		chromedp.WaitVisible(chromedp.CSS(`input[value="`+target.Client.Phone+`"]`)))
	total := text("total")
	do("open the lead",
		chromedp.Click(chromedp.CSS("a.client")),
		chromedp.WaitVisible(chromedp.ID("titulo")))
	title := text("titulo")
	do("add a note",
		chromedp.SendKeys(chromedp.ID("nota"), "Nota desde el navegador"),
		chromedp.Click(chromedp.ID("anadir-nota")),
		chromedp.WaitVisible(chromedp.ID("hecho")))
	do("change the status",
		chromedp.SetValue(chromedp.ID("nuevo-estado"), string(core.StageTracing)),
		chromedp.Click(chromedp.ID("cambiar-estado")),
		chromedp.WaitVisible(chromedp.CSS("#estado-actual .stage-tracing")))
	done, state, history := text("hecho"), text("estado-actual"), text("historial")
	do("create a task",
		chromedp.SetValue(chromedp.ID("tarea-tipo"), string(core.TaskBudget)),
		chromedp.SendKeys(chromedp.ID("tarea-comentario"), "Tarea desde el navegador"),
		chromedp.Click(chromedp.ID("crear-tarea")),
		chromedp.WaitVisible(chromedp.CSS("#tareas .task")))
	if got := text("hecho"); got != "Tarea creada." || !strings.Contains(text("tareas"), "Tarea desde el navegador") {
		t.Errorf("after creating a task: %q, tasks %q", got, text("tareas"))
	}
	year := strconv.Itoa(time.Now().Year() + 1)
	do("create an appointment",
		chromedp.SetValue(chromedp.ID("cita-tipo"), string(core.AppointmentVisit)),
		chromedp.SetValue(chromedp.ID("cita-fecha"), year+"-03-10T17:45"),
		chromedp.SendKeys(chromedp.ID("cita-lugar"), "Mesa del navegador"),
		chromedp.Click(chromedp.ID("crear-cita")),
		chromedp.WaitVisible(chromedp.CSS("#citas .appointment")))
	if got, appts := text("hecho"), text("citas"); got != "Cita creada." || !strings.Contains(appts, "10/03/"+year+" 17:45 · Visita · prevista") {
		t.Errorf("after creating an appointment: %q, appointments %q", got, appts)
	}
	// the lead's assignee receives it, who may be another advisor: the
	// admin finds it among the dealer's
	do("open the agenda",
		chromedp.Click(chromedp.ID("nav-agenda")),
		chromedp.WaitVisible(chromedp.ID("agenda-todas")),
		chromedp.Click(chromedp.ID("agenda-todas")),
		chromedp.WaitVisible(chromedp.ID("agenda")))
	if agenda := text("agenda"); !strings.Contains(agenda, "10/03/"+year+" 17:45") || !strings.Contains(agenda, "Mesa del navegador") ||
		!strings.Contains(agenda, target.Client.Name) {
		t.Errorf("the agenda lacks the appointment:\n%s", agenda)
	}
	// reschedule it from the agenda, received by the admin: his own agenda shows it moved
	appts, _, err := st.svc.FindAppointments(st.admin(), core.Query{Where: core.Eq("lead", target.ID), Sort: []core.Sort{{Field: "id", Desc: true}}, Limit: 1})
	if err != nil || len(appts) != 1 {
		t.Fatalf("the browser's appointment: %v", err)
	}
	do("reschedule the appointment",
		chromedp.Click(chromedp.ID("cambiar-cita-"+strconv.FormatInt(appts[0].ID, 10))),
		chromedp.WaitVisible(chromedp.ID("guardar-cita")),
		chromedp.SetValue(chromedp.ID("cita-fecha"), year+"-03-11T18:15"),
		chromedp.SetValue(chromedp.ID("cita-recibe"), strconv.FormatInt(st.fx.AdminID, 10)),
		chromedp.Click(chromedp.ID("guardar-cita")),
		chromedp.WaitVisible(chromedp.ID("agenda")))
	if got, agenda := text("hecho"), text("agenda"); got != "Cita cambiada." || !strings.Contains(agenda, "11/03/"+year+" 18:15") ||
		!strings.Contains(agenda, "Mesa del navegador") {
		t.Errorf("after the reschedule: %q, the agenda:\n%s", got, agenda)
	}
	// the team: the admin registers an advisor from the header's link
	do("register a user",
		chromedp.Click(chromedp.ID("nav-equipo")),
		chromedp.WaitVisible(chromedp.ID("form-usuario")),
		chromedp.SendKeys(chromedp.ID("usuario-nombre"), "Irene"),
		chromedp.SendKeys(chromedp.ID("usuario-apellidos"), "Navegador"),
		chromedp.SendKeys(chromedp.ID("usuario-email"), "irene@example.com"),
		chromedp.SetValue(chromedp.ID("usuario-rol"), string(core.RoleCallCentre)),
		chromedp.SendKeys(chromedp.ID("usuario-clave"), "clave-del-navegador"),
		chromedp.Click(chromedp.ID("crear-usuario")),
		chromedp.WaitVisible(chromedp.ID("hecho")))
	if got, team := text("hecho"), text("concesionario-"+strconv.FormatInt(st.fx.DealerID, 10)); got != "Usuario dado de alta." ||
		!strings.Contains(team, "Irene Navegador") || !strings.Contains(team, "Call center") {
		t.Errorf("after registering a user: %q, the team:\n%s", got, team)
	}
	if _, _, err := st.svc.Login(context.Background(), "irene@example.com", "clave-del-navegador"); err != nil {
		t.Errorf("the user registered in the browser logs in: %v", err)
	}
	// and sets her a new password from her edit form; she logs in with it
	irene, err := st.svc.UserByLogin(st.admin(), "irene@example.com")
	if err != nil {
		t.Fatal(err)
	}
	do("set a user's password",
		chromedp.Click(chromedp.ID("editar-"+strconv.FormatInt(st.fx.DealerID, 10)+"-"+strconv.FormatInt(irene.ID, 10))),
		chromedp.WaitVisible(chromedp.ID("form-editar-usuario")),
		chromedp.SendKeys(chromedp.ID("editar-clave"), "otra-clave-del-navegador"),
		chromedp.Click(chromedp.ID("guardar-usuario")),
		chromedp.WaitVisible(chromedp.ID("cambiado")))
	changed := text("cambiado")
	do("log in with the new password",
		chromedp.Click(chromedp.ID("salir")),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "irene@example.com"),
		chromedp.SendKeys(chromedp.ID("password"), "otra-clave-del-navegador"),
		chromedp.Click(chromedp.ID("entrar")),
		chromedp.WaitVisible(chromedp.ID("total")))
	if !strings.HasPrefix(changed, "Contraseña cambiada") {
		t.Errorf("after setting a user's password: %q", changed)
	}
	if bg != "rgb(244, 245, 247)" {
		t.Errorf("the stylesheet does not apply (body background %q)", bg)
	}
	if strings.TrimSpace(total) != "1 lead" {
		t.Errorf("search for %s: %q", target.Client.Phone, total)
	}
	if strings.TrimSpace(title) != target.Client.Name {
		t.Errorf("opened %q, want %q", title, target.Client.Name)
	}
	if done != "Estado cambiado." || !strings.Contains(state, "Seguimiento") {
		t.Errorf("after the status change: %q, state %q", done, state)
	}
	for _, want := range []string{"Nota desde el navegador", "Cambio de estado", "Seguimiento"} {
		if !strings.Contains(history, want) {
			t.Errorf("the history lacks %q:\n%s", want, history)
		}
	}
	if l := st.lead(t, target.ID); l.Stage != core.StageTracing || l.Notes[len(l.Notes)-1].Content != "Nota desde el navegador" {
		t.Errorf("the lead after the browser's changes: %s, %+v", l.Stage, l.Notes)
	}
}
