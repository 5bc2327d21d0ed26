// Package casabaca serves Casabaca's SugarCRM middleware API (tickets,
// prospecting, calls, appraisals; bodies under "datosSugarCRM", answers
// under "data", 422 {"errors": …} in Spanish, UUID ids, Bearer tokens from
// /api/login) over core.Service. See docs/casabaca.md for how it maps onto
// the core and what was decided where the document is vague.
package casabaca

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"forecourt/internal/bearer"
	"forecourt/internal/core"
	"forecourt/internal/jsontext"
)

// Route is one route of the API: a method and a net/http.ServeMux pattern.
type Route struct {
	Method  string
	Pattern string
	Name    string
}

// routes lists every route: the document's, in its order, then the two
// records forecourt adds for the *_url fields to point at.
var routes = []Route{
	{http.MethodGet, "/api/asesores", "asesores"},
	{http.MethodPost, "/api/register", "register"},
	{http.MethodPost, "/api/login", "login"},
	{http.MethodGet, "/api/logout", "logout"},
	{http.MethodPost, "/api/tickets", "tickets"},
	{http.MethodPost, "/api/call_ticket", "call-ticket"},
	{http.MethodPost, "/api/landing_ticket", "landing-ticket"},
	{http.MethodPost, "/api/not_answer_ticket/{id}", "not-answer-ticket"},
	{http.MethodPost, "/api/close_ticket/{id}", "close-ticket"},
	{http.MethodPost, "/api/ticket/addNotes/{id}", "add-notes"},
	{http.MethodGet, "/api/tickets/{id}", "ticket"},
	{http.MethodPost, "/api/calls", "calls"},
	{http.MethodPost, "/api/not_answer_call", "not-answer-call"},
	{http.MethodPost, "/api/create_landing_page", "landing-page"},
	{http.MethodPost, "/api/quotation", "quotation"},
	{http.MethodPost, "/api/call_quotation", "call-quotation"},
	{http.MethodPost, "/api/calls_prospeccion", "calls-prospeccion"},
	{http.MethodPost, "/api/close_prospeccion/{id}", "close-prospeccion"},
	{http.MethodPost, "/api/forms_prospeccion", "forms-prospeccion"},
	{http.MethodGet, "/api/prospecciones/{id}", "prospeccion"},
	{http.MethodGet, "/api/getAvaluos", "avaluos"},
	{http.MethodGet, "/api/getAvaluo/{id}", "avaluo"},
	{http.MethodPost, "/api/createUpdateAvaluo", "save-avaluo"},
	{http.MethodGet, "/api/pdf/{id}", "pdf"},
	{http.MethodGet, "/api/correo/{id}", "correo"},
}

// Routes returns every route the handler serves.
func Routes() []Route { return slices.Clone(routes) }

// maxBody bounds a request body; datos_adicionales, the largest part, is
// bounded again when stored (core.MaxLongText).
const maxBody = 1 << 20

// Option configures NewHandler.
type Option func(*handler)

// WithLogger sets the logger internal errors are logged to.
func WithLogger(l *slog.Logger) Option {
	return func(h *handler) {
		if l != nil {
			h.log = l
		}
	}
}

// WithMailer sets the mailer avalúos are sent through (default: a
// LogMailer on the handler's logger).
func WithMailer(m Mailer) Option {
	return func(h *handler) {
		if m != nil {
			h.mailer = m
		}
	}
}

// WithPublicURL sets the scheme and host the *_url fields start with
// (nil: each request's own).
func WithPublicURL(u *url.URL) Option {
	return func(h *handler) { h.public = u }
}

type handler struct {
	svc    *core.Service
	log    *slog.Logger
	mailer Mailer
	public *url.URL
}

// NewHandler returns the Casabaca API over svc: its routes, and 405 for
// other methods on their paths.
func NewHandler(svc *core.Service, opts ...Option) http.Handler {
	h := &handler{svc: svc, log: slog.Default()}
	for _, o := range opts {
		o(h)
	}
	if h.mailer == nil {
		h.mailer = LogMailer{Log: h.log}
	}
	funcs := map[string]func(http.ResponseWriter, *http.Request, *call) error{
		"asesores": h.asesores, "register": h.register, "logout": h.logout,
		"tickets": h.tickets, "call-ticket": h.callTicket, "landing-ticket": h.landingTicket,
		"not-answer-ticket": h.notAnswerTicket, "close-ticket": h.closeTicket,
		"add-notes": h.addNotes, "ticket": h.ticket,
		"calls": h.calls, "not-answer-call": h.notAnswerCall,
		"landing-page": h.landingPage, "quotation": h.quotation, "call-quotation": h.callQuotation,
		"calls-prospeccion": h.callsProspeccion, "close-prospeccion": h.closeProspeccion, "forms-prospeccion": h.formsProspeccion,
		"prospeccion": h.prospeccion,
		"avaluos":     h.avaluos, "avaluo": h.avaluo, "save-avaluo": h.saveAvaluo, "pdf": h.pdf, "correo": h.correo,
	}
	mux := http.NewServeMux()
	paths := map[string][]string{}
	for _, rt := range routes {
		paths[rt.Pattern] = append(paths[rt.Pattern], rt.Method)
		if rt.Name == "login" {
			mux.Handle(rt.Method+" "+rt.Pattern, h.serve(h.login))
			continue
		}
		mux.Handle(rt.Method+" "+rt.Pattern, h.serve(h.authenticated(funcs[rt.Name])))
	}
	for p, methods := range paths {
		allow := strings.Join(methods, ", ")
		if slices.Contains(methods, http.MethodGet) {
			allow += ", HEAD"
		}
		mux.Handle(p, h.serve(func(w http.ResponseWriter, r *http.Request) error {
			w.Header().Set("Allow", allow)
			return &apiError{status: http.StatusMethodNotAllowed, body: map[string]any{"message": "Método no permitido.", "status_code": http.StatusMethodNotAllowed}}
		}))
	}
	return mux
}

// call is what an authenticated request knows: its principal and the
// dealer it acts for.
type call struct {
	ctx    context.Context
	p      core.Principal
	dealer int64
}

// unauthenticated is the document's answer to a missing or bad token, with
// 401 instead of the document's 500 (docs/casabaca.md, "Errors").
func unauthenticated() *apiError {
	return &apiError{status: http.StatusUnauthorized, body: map[string]any{"message": "Unauthenticated.", "status_code": http.StatusUnauthorized}}
}

// authenticated resolves the Bearer token and runs fn for the principal's
// dealer (his first, when he has several).
func (h *handler) authenticated(fn func(http.ResponseWriter, *http.Request, *call) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		secret, ok := bearer.Secret(r)
		if !ok || len(secret) > 512 {
			return unauthenticated()
		}
		p, err := h.svc.Authenticate(r.Context(), secret)
		if err != nil {
			if core.ErrorCode(err) == core.Unauthorized {
				return unauthenticated()
			}
			return err
		}
		if len(p.DealerIDs) == 0 {
			return unauthenticated()
		}
		dealers := slices.Clone(p.DealerIDs)
		slices.Sort(dealers)
		ctx := core.WithPrincipal(r.Context(), p)
		return fn(w, r.WithContext(ctx), &call{ctx: ctx, p: p, dealer: dealers[0]})
	}
}

// apiError is an answer other than 2xx, in the body the document shows.
type apiError struct {
	status int
	body   any
	header map[string]string
}

func (e *apiError) Error() string { return "casabaca: " + strconv.Itoa(e.status) }

// notFound is the document's 404: {"error": msg}.
func notFound(msg string) *apiError {
	return &apiError{status: http.StatusNotFound, body: map[string]string{"error": msg}}
}

// serve runs fn and answers its error in the document's shapes.
func (h *handler) serve(fn func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				h.log.ErrorContext(r.Context(), "casabaca: panic", "panic", p, "path", r.URL.Path)
				writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "Error interno del servidor"})
			}
		}()
		if h.public != nil {
			r = r.WithContext(context.WithValue(r.Context(), publicBaseKey{}, h.public.Scheme+"://"+h.public.Host))
		}
		if err := fn(w, r); err != nil {
			h.fail(w, r, err)
		}
	})
}

// fail answers err: an apiError as it is; a core error by its code.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	if errors.As(err, &ae) {
		for k, v := range ae.header {
			w.Header().Set(k, v)
		}
		writeJSON(w, ae.status, ae.body)
		return
	}
	var ce *core.Error
	errors.As(err, &ce)
	switch {
	case ce != nil && ce.Code == core.Unauthorized:
		writeJSON(w, http.StatusUnauthorized, unauthenticated().body)
	case ce != nil && ce.Code == core.Invalid:
		errs := fieldErrors{}
		for f, m := range ce.Fields {
			errs.add(f, coreMessage(m))
		}
		if len(errs) == 0 {
			errs.add("datosSugarCRM", "Revise que sus datos sean correctos")
		}
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"errors": errs})
	case ce != nil && ce.Code == core.NotFound:
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "Registro no existe, id inválido"})
	case ce != nil && ce.Code == core.Forbidden:
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "No tiene permiso para esta operación"})
	case ce != nil && ce.Code == core.Conflict:
		writeJSON(w, http.StatusConflict, map[string]string{"error": "El registro cambió mientras se procesaba; inténtelo de nuevo"})
	case ce != nil && (ce.Code == core.Unavailable || ce.Code == core.Throttled):
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(ce.RetryAfter/time.Second))))
		status := http.StatusServiceUnavailable
		msg := "Servicio no disponible; inténtelo de nuevo"
		if ce.Code == core.Throttled {
			status, msg = http.StatusTooManyRequests, "Demasiados intentos; espere e inténtelo de nuevo"
		}
		writeJSON(w, status, map[string]any{"message": msg, "status_code": status})
	case r.Context().Err() != nil:
		w.WriteHeader(499)
	default:
		h.log.ErrorContext(r.Context(), "casabaca: internal error", "err", err, "path", r.URL.Path)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "Error interno del servidor"})
	}
}

// stored answers err, met after a write was stored (rendering its
// answer, or a later write of the same request): never 503 with
// Retry-After, which tells a client to send the write again and would
// store it twice (a note, a call, an avalúo…); 500, as for a COMMIT whose
// outcome is unknown (README, "When the database cannot answer"). Any
// other error is answered as it is; nil stays nil.
func stored(err error) error {
	var ce *core.Error
	if !errors.As(err, &ce) || ce.Code != core.Unavailable {
		return err
	}
	// not wrapped: fail answers it as an internal error, and logs it
	return fmt.Errorf("the write was stored but its answer could not be rendered: %v", err)
}

// storedIf is stored(err) when written, else err.
func storedIf(written bool, err error) error {
	if written {
		return stored(err)
	}
	return err
}

// coreMessage words a core field message.
func coreMessage(m string) string {
	switch m {
	case core.MsgRequired:
		return "Es requerido"
	case core.MsgTooLong:
		return "Es demasiado largo"
	case core.MsgNotExist:
		return "No existe"
	case core.MsgTaken:
		return "Ya ha sido registrado"
	case core.MsgNullCharacter:
		return "Contiene caracteres no permitidos"
	case core.MsgLeadNotes:
		return fmt.Sprintf("El registro no puede tener más de %d notas en total", core.MaxLeadNotes)
	case core.MsgLeadNoteVersions:
		return fmt.Sprintf("El registro no puede guardar más de %d versiones de sus notas en total", core.MaxLeadNoteVersions)
	case core.MsgLeadText:
		return fmt.Sprintf("El registro no puede tener más de %d caracteres de texto en total", core.MaxLeadText)
	case core.MsgLeadAppointments:
		return fmt.Sprintf("El registro no puede tener más de %d citas", core.MaxLeadAppointments)
	}
	return "No contiene un valor válido"
}

// writeJSON encodes v, then writes the header and the body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	if err := jsontext.Respond(w, status, "application/json", true, v); err != nil {
		w.WriteHeader(http.StatusInternalServerError)
	}
}

// data answers 200 {"data": v}.
func data(w http.ResponseWriter, v any) error {
	writeJSON(w, http.StatusOK, map[string]any{"data": v})
	return nil
}

// publicBase is the public URL's scheme and host, put in each request's
// context by serve when the handler has one.
type publicBaseKey struct{}

// baseURL is this server's URL, for the *_url fields: the public URL when
// the server has one, else as the client reached it.
func baseURL(r *http.Request) string {
	if u, ok := r.Context().Value(publicBaseKey{}).(string); ok {
		return u
	}
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	host := r.Host
	if host == "" || strings.ContainsAny(host, " /\\\"<>") {
		host = "localhost"
	}
	return scheme + "://" + host
}
