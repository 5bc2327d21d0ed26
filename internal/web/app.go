package web

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"forecourt/internal/core"
)

// The interface's pages live under Prefix; no API serves a path there.
const Prefix = "/app/"

// Bounds of what a page accepts; each is worded on the page when passed.
const (
	maxForm     = 16 << 10 // bytes of a form's body (a note is at most core.MaxLongText characters)
	maxSearch   = 200      // characters of the search box
	pageSize    = 25       // leads a page shows
	maxPage     = 400      // pages of a list: offset at most 10,000 leads
	maxIDLen    = 64       // characters of a lead's id in a path (a UUID has 36)
	historySize = 100      // history entries a lead's page shows, newest first
)

//go:embed templates
var templateFS embed.FS

// pages are the page templates, each parsed with the layout and the labels
// (templates/layout.html, templates/labels.html), which hold every word
// the interface shows.
var pages = parsePages("login.html", "leads.html", "lead.html", "message.html", "newlead.html", "clients.html", "client.html",
	"task.html", "mytasks.html", "agenda.html", "clientedit.html",
	"appt.html", "confirm.html", "team.html", "memberoff.html", "memberedit.html")

func parsePages(names ...string) map[string]*template.Template {
	out := make(map[string]*template.Template, len(names))
	for _, n := range names {
		out[n] = template.Must(template.New(n).Funcs(funcs).ParseFS(templateFS,
			"templates/layout.html", "templates/labels.html", "templates/leadtable.html", "templates/"+n))
	}
	return out
}

var funcs = template.FuncMap{
	"add1":  func(n int) int { return n + 1 },
	"label": label,
	"sub1":  func(n int) int { return n - 1 },
	"pageURL": func(path string, base url.Values, page int) string {
		v := url.Values{}
		for k, vs := range base {
			v[k] = vs
		}
		v.Set("pagina", strconv.Itoa(page))
		return path + "?" + v.Encode()
	},
}

// App serves the web interface for the dealer's staff: login, the leads
// list and each lead's page with its actions, rendered on the server with
// html/template. Every read and write goes through core.Service acting for
// the logged-in user's Principal, so the interface follows the same rules
// as the APIs.
type App struct {
	svc    *core.Service
	log    *slog.Logger
	secure bool // cookies are Secure: the public URL is https
	mux    *http.ServeMux
	origin *http.CrossOriginProtection
}

// Option configures NewApp.
type Option func(*App)

// WithLogger sets the logger internal errors are logged to.
func WithLogger(l *slog.Logger) Option {
	return func(a *App) {
		if l != nil {
			a.log = l
		}
	}
}

// WithPublicURL tells the interface where clients reach it: with an https
// URL its session cookie is Secure, sent over TLS only.
func WithPublicURL(u *url.URL) Option {
	return func(a *App) { a.secure = u != nil && u.Scheme == "https" }
}

// NewApp returns the interface's handler for the paths under Prefix.
func NewApp(svc *core.Service, opts ...Option) *App {
	a := &App{svc: svc, log: slog.Default(), mux: http.NewServeMux(), origin: http.NewCrossOriginProtection()}
	for _, o := range opts {
		o(a)
	}
	a.mux.HandleFunc("GET /app/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/app/leads", http.StatusSeeOther)
	})
	a.mux.HandleFunc("GET /app/login", a.loginPage)
	a.mux.HandleFunc("POST /app/login", a.login)
	a.mux.HandleFunc("POST /app/logout", a.authed(a.logout))
	a.mux.HandleFunc("GET /app/leads", a.authed(a.leads))
	a.mux.HandleFunc("GET /app/leads/{id}", a.authed(a.lead))
	a.mux.HandleFunc("GET /app/leads/nuevo", a.authed(a.newLeadPage))
	a.mux.HandleFunc("POST /app/leads/nuevo", a.authed(a.createLead))
	a.mux.HandleFunc("GET /app/clientes", a.authed(a.clients))
	a.mux.HandleFunc("GET /app/clientes/{id}", a.authed(a.client))
	a.mux.HandleFunc("POST /app/leads/{id}/notas", a.authed(a.addNote))
	a.mux.HandleFunc("POST /app/leads/{id}/estado", a.authed(a.changeStatus))
	a.mux.HandleFunc("POST /app/leads/{id}/asignar", a.authed(a.assign))
	a.mux.HandleFunc("POST /app/leads/{id}/tareas", a.authed(a.createTask))
	a.mux.HandleFunc("POST /app/leads/{id}/tareas/{tarea}/hecha", a.authed(a.finishTask))
	a.mux.HandleFunc("GET /app/leads/{id}/tareas/{tarea}", a.authed(a.taskPage))
	a.mux.HandleFunc("POST /app/leads/{id}/tareas/{tarea}", a.authed(a.editTask))
	a.mux.HandleFunc("POST /app/leads/{id}/tareas/{tarea}/reabrir", a.authed(a.reopenTask))
	a.mux.HandleFunc("GET /app/leads/{id}/tareas/{tarea}/borrar", a.authed(a.taskDeletePage))
	a.mux.HandleFunc("POST /app/leads/{id}/tareas/{tarea}/borrar", a.authed(a.deleteTask))
	a.mux.HandleFunc("GET /app/tareas", a.authed(a.myTasks))
	a.mux.HandleFunc("POST /app/leads/{id}/citas", a.authed(a.createAppointment))
	a.mux.HandleFunc("POST /app/leads/{id}/citas/{cita}/estado", a.authed(a.markAppointment))
	a.mux.HandleFunc("GET /app/leads/{id}/citas/{cita}", a.authed(a.apptPage))
	a.mux.HandleFunc("POST /app/leads/{id}/citas/{cita}", a.authed(a.editAppointment))
	a.mux.HandleFunc("GET /app/leads/{id}/citas/{cita}/borrar", a.authed(a.apptDeletePage))
	a.mux.HandleFunc("POST /app/leads/{id}/citas/{cita}/borrar", a.authed(a.deleteAppointment))
	a.mux.HandleFunc("GET /app/agenda", a.authed(a.agenda))
	a.mux.HandleFunc("GET /app/equipo", a.authed(a.team))
	a.mux.HandleFunc("POST /app/equipo", a.authed(a.addMember))
	a.mux.HandleFunc("GET /app/equipo/{id}/desactivar", a.authed(a.memberOffPage))
	a.mux.HandleFunc("POST /app/equipo/{id}/desactivar", a.authed(a.deactivateMember))
	a.mux.HandleFunc("POST /app/equipo/{id}/activar", a.authed(a.activateMember))
	a.mux.HandleFunc("GET /app/equipo/{id}/editar", a.authed(a.memberEditPage))
	a.mux.HandleFunc("POST /app/equipo/{id}/editar", a.authed(a.editMember))
	a.mux.HandleFunc("GET /app/clientes/{id}/editar", a.authed(a.clientEditPage))
	a.mux.HandleFunc("POST /app/clientes/{id}/editar", a.authed(a.editClient))
	a.mux.HandleFunc("/app/", func(w http.ResponseWriter, r *http.Request) {
		a.message(w, r, nil, http.StatusNotFound, "not_found")
	})
	return a
}

// ServeHTTP serves a request under Prefix with the interface's security
// headers: no script at all, no framing, no sniffing, no caching (every
// page but the login holds a dealer's data, and the login a form).
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	a.mux.ServeHTTP(w, r)
}

// page is what every page's layout reads.
type page struct {
	Session *session // nil before login
	Status  int
	Msg     string // a message code the labels word (templates/labels.html)
	Detail  string // the core's own words about Msg, when it has some
	Done    string // a success code, after a redirect
	Data    any
}

// render writes the page name with status, executed into a buffer first so
// that a template error is a clean 500, never half a page.
func (a *App) render(w http.ResponseWriter, r *http.Request, name string, status int, p page) {
	p.Status = status
	var buf bytes.Buffer
	if err := pages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		a.log.ErrorContext(r.Context(), "web: render", "page", name, "err", err)
		http.Error(w, "Error interno", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// message renders a page that only says msg.
func (a *App) message(w http.ResponseWriter, r *http.Request, s *session, status int, msg string) {
	a.render(w, r, "message.html", status, page{Session: s, Msg: msg})
}

// failure renders the page for an error of the core that is not the
// caller's to fix on a form: not found, unavailable, or internal (logged,
// never shown).
func (a *App) failure(w http.ResponseWriter, r *http.Request, s *session, err error) {
	status, msg := statusOf(err)
	if status >= 500 {
		a.log.ErrorContext(r.Context(), "web: request failed", "path", r.URL.Path, "err", err)
	}
	if status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests {
		var ce *core.Error
		if errors.As(err, &ce) && ce.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int((ce.RetryAfter+time.Second-1)/time.Second)))
		}
	}
	a.message(w, r, s, status, msg)
}

// statusOf maps a core error to the page's status and message code.
func statusOf(err error) (int, string) {
	switch core.ErrorCode(err) {
	case core.Invalid:
		return http.StatusBadRequest, "invalid"
	case core.NotFound:
		return http.StatusNotFound, "not_found"
	case core.Conflict:
		return http.StatusConflict, "stale"
	case core.Forbidden:
		return http.StatusForbidden, "forbidden"
	case core.Unauthorized:
		return http.StatusUnauthorized, "login_required"
	case core.Throttled:
		return http.StatusTooManyRequests, "throttled"
	case core.Unavailable:
		return http.StatusServiceUnavailable, "unavailable"
	}
	return http.StatusInternalServerError, "internal"
}

// coreMessage is the core's user-safe message of err, with its fields'.
func coreMessage(err error) string {
	var ce *core.Error
	if !errors.As(err, &ce) || core.ErrorCode(err) == core.Internal {
		return ""
	}
	msg := ce.Message
	for _, f := range slices.Sorted(maps.Keys(ce.Fields)) {
		msg += "; " + f + ": " + ce.Fields[f]
	}
	return msg
}
