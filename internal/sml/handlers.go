// Package sml serves the SML developer-kit API (the coches.net dealer CRM,
// a Django REST Framework API) over core.Service: every route of the
// document at its full path, DRF pages and error bodies in Spanish, token
// authentication. See docs/sml.md for the decisions the document leaves
// open.
package sml

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"forecourt/internal/core"
)

//go:embed swagger.json
var swaggerJSON []byte

// Option configures NewHandler.
type Option func(*handler)

// WithLogger sets the logger internal errors and panics are logged to.
func WithLogger(l *slog.Logger) Option {
	return func(h *handler) {
		if l != nil {
			h.log = l
		}
	}
}

type handler struct {
	svc *core.Service
	log *slog.Logger
}

// apiFunc is a handler that reports failure by returning an error, written
// once by serve.
type apiFunc func(w http.ResponseWriter, r *http.Request) error

// NewHandler returns the SML API over svc: every route of Routes, each with
// and without its trailing slash, 405 for other methods on those paths,
// OPTIONS as DRF's SimpleMetadata answers it, the paths' Allow header on
// every answer, and 404 for any other path.
func NewHandler(svc *core.Service, opts ...Option) http.Handler {
	h := &handler{svc: svc, log: slog.Default()}
	for _, o := range opts {
		o(h)
	}
	funcs := map[string]apiFunc{
		"login":               h.login,
		"logout":              h.logout,
		"concessionaire-list": h.concessionaireList,
		"lead-list":           h.leadList,
		"lead-create":         h.leadCreate,
		"lead-detail":         h.leadDetail,
		"lead-update":         h.leadUpdate,
		"lead-change-status":  h.leadChangeStatus,
		"source-list":         h.sourceList,
		"gas-type-list":       h.gasTypeList,
		"client-list":         h.clientList,
		"province-list":       h.provinceList,
		"locality-list":       h.localityList,
		"user-list":           h.userList,
		"task-create":         h.taskCreate,
		"task-detail":         h.taskDetail,
		"task-update":         h.taskUpdate,
		"task-delete":         h.taskDelete,
		"lead-history":        h.leadHistory,
		"click2call":          h.click2Call,
		"click2call-post":     h.click2Call,
		"swagger":             h.swagger,
	}
	allowed := map[string][]string{}
	var paths []string
	for _, rt := range routes {
		if _, ok := allowed[rt.Pattern]; !ok {
			paths = append(paths, rt.Pattern)
		}
		allowed[rt.Pattern] = append(allowed[rt.Pattern], rt.Method)
	}
	allow := map[string]string{} // each path's Allow header
	for p, methods := range allowed {
		allow[p] = allowHeader(methods)
	}
	mux := http.NewServeMux()
	for _, rt := range routes {
		f, ok := funcs[rt.Name]
		if !ok {
			panic("sml: no handler for route " + rt.Name)
		}
		if !public[rt.Name] {
			f = h.authenticated(f)
		}
		for _, p := range variants(rt.Pattern) {
			mux.Handle(rt.Method+" "+p, withAllow(allow[rt.Pattern], h.serve(f)))
		}
	}
	for _, p := range paths {
		v, ok := pathViews[p]
		if !ok {
			panic("sml: no view for path " + p)
		}
		f := withAllow(allow[p], h.serve(methodNotAllowed(v)))
		for _, pv := range variants(p) {
			mux.Handle(pv, f)
		}
	}
	mux.Handle("/", h.serve(func(http.ResponseWriter, *http.Request) error { return notFound() }))
	return h.recoverPanics(mux)
}

// variants returns the ServeMux patterns that match pattern exactly, with
// and without its trailing slash.
func variants(pattern string) []string {
	if !strings.HasSuffix(pattern, "/") {
		return []string{pattern}
	}
	return []string{pattern + "{$}", strings.TrimSuffix(pattern, "/")}
}

// methodNotAllowed answers a method the path does not serve as DRF does:
// 405; OPTIONS gets 200 and SimpleMetadata's description of the view (v).
// withAllow adds the Allow header.
func methodNotAllowed(v pathView) apiFunc {
	meta := v.optionsBody()
	return func(w http.ResponseWriter, r *http.Request) error {
		if r.Method == http.MethodOptions {
			return writeJSON(w, http.StatusOK, meta)
		}
		return detailError(http.StatusMethodNotAllowed, fmt.Sprintf("Método \"%s\" no permitido.", r.Method))
	}
}

// serve adapts f, writing the error it returns.
func (h *handler) serve(f apiFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := cleanQuery(r); err != nil {
			h.writeError(w, r, err)
			return
		}
		if err := f(w, r); err != nil {
			h.writeError(w, r, toAPIError(err, errContext{}))
		}
	})
}

// multiValued are the query parameters whose repeated values all count
// (OR), as their comma lists do.
var multiValued = map[string]bool{"status": true, "concessionaire__in": true}

// cleanQuery refuses query parameters no filter can take (a NUL, which no
// database accepts in text, or bytes that are not UTF-8) and keeps only the
// last value of a repeated one, as DRF's request.query_params.get reads it,
// so that ?search=a&search=b searches b. It reads the query once.
func cleanQuery(r *http.Request) *apiError {
	q := r.URL.Query()
	t := &errTree{}
	changed := false
	for k, vs := range q {
		for _, v := range vs {
			switch {
			case strings.ContainsRune(v, 0):
				t.add([]string{k}, msgNullChar)
			case !utf8.ValidString(v):
				t.add([]string{k}, msgBadEncoding)
			}
		}
		if len(vs) > 1 && !multiValued[k] {
			q[k] = vs[len(vs)-1:]
			changed = true
		}
	}
	if t.prune() {
		return treeError(t)
	}
	if changed {
		r.URL.RawQuery = q.Encode()
	}
	return nil
}

// statusClientClosed is what the access log and metrics record for a
// request whose client went away before the answer (nginx's 499): it is
// not a server error.
const statusClientClosed = 499

func (h *handler) writeError(w http.ResponseWriter, r *http.Request, e *apiError) {
	if e.status >= 500 && r.Context().Err() != nil {
		w.WriteHeader(statusClientClosed)
		return
	}
	switch {
	case e.status == http.StatusServiceUnavailable:
		h.log.WarnContext(r.Context(), "sml: unavailable", "method", r.Method, "path", r.URL.Path, "err", e.cause)
	case e.status >= 500:
		h.log.ErrorContext(r.Context(), "sml: internal error", "method", r.Method, "path", r.URL.Path, "err", e.cause)
	}
	if e.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", "Token")
	}
	if e.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.retryAfter))
	}
	if err := writeJSON(w, e.status, e.body); err != nil {
		h.log.ErrorContext(r.Context(), "sml: encode error body", "err", err)
	}
}

// recoverPanics answers a panic with a DRF 500 and logs it.
func (h *handler) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				h.log.ErrorContext(r.Context(), "sml: panic", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(p))
				h.writeError(w, r, &apiError{status: http.StatusInternalServerError, body: Detail{Detail: msgInternal}, cause: fmt.Errorf("panic: %v", p)})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// writeJSON encodes v before writing any header, so that an encoding error
// can still be answered 500.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	w.Header().Set("Content-Type", "application/json")
	// A length rather than chunks: one write of the whole body.
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
	return nil
}

// pathID reads the {id} of the path; anything but a positive integer is a
// path that does not exist.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		return 0, notFound()
	}
	return id, nil
}

// body reads the request body as one JSON object for a decoder.
func (h *handler) body(w http.ResponseWriter, r *http.Request, partial bool) (object, error) {
	m, err := readObject(w, r)
	if err != nil {
		return object{}, err
	}
	d := newDecoder(partial, h.zone(r.Context()))
	return d.root(m), nil
}

// zone returns the time zone naive date-times of the request are read in:
// that of the principal's first dealer, looked up on first use only.
func (h *handler) zone(ctx context.Context) func() *time.Location {
	var once sync.Once
	loc := time.UTC
	return func() *time.Location {
		once.Do(func() {
			p, ok := core.PrincipalFrom(ctx)
			if !ok || len(p.DealerIDs) == 0 {
				return
			}
			ds, err := h.svc.DealersByID(ctx, p.DealerIDs[:1])
			if err != nil {
				h.log.WarnContext(ctx, "sml: dealer time zone", "err", err)
				return
			}
			if len(ds) == 1 {
				loc = ds[0].Location()
			}
		})
		return loc
	}
}

// firstDealer returns the principal's first dealer, for RefsQuery.DealerIDs
// of responses whose times belong to no dealer of their own.
func firstDealer(p core.Principal) []int64 {
	if len(p.DealerIDs) == 0 {
		return nil
	}
	return p.DealerIDs[:1]
}

// renderer returns the renderer of a response to r.
func (h *handler) renderer(r *http.Request, refs refSet) renderer {
	p, _ := core.PrincipalFrom(r.Context())
	loc := time.UTC
	if len(p.DealerIDs) > 0 {
		if d, ok := refs.dealers[p.DealerIDs[0]]; ok {
			loc = d.Location()
		}
	}
	return renderer{refs: refs, now: h.svc.Now(), p: p, loc: loc, base: scheme(r) + "://" + r.Host}
}

// scheme is the scheme the client used: X-Forwarded-Proto from a proxy in
// front, else whether the connection is TLS.
func scheme(r *http.Request) string {
	if p := r.Header.Get("X-Forwarded-Proto"); p != "" {
		p = strings.ToLower(strings.TrimSpace(strings.Split(p, ",")[0]))
		if p == "http" || p == "https" {
			return p
		}
	}
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

// ---------------------------------------------------------------------------
// Pages.

const (
	defaultPageSize = 20
	maxPageSize     = 1000
	// maxAllPageSize bounds page_size=all: up to this many results it is one
	// page with no next link, as the document describes; beyond, it is
	// pages of this size whose next links keep page_size=all, so that a
	// dealer with 100,000 leads cannot make one request render them all and
	// a client that follows next still gets every result.
	maxAllPageSize = 5000
)

// pageQuery is DRF's page and page_size, page_size "all" being SML's.
type pageQuery struct {
	page int
	size int
}

// parsePage reads page and page_size. A page_size that is not a positive
// integer is ignored, one above the maximum is cut to it, as DRF does; a
// page that is not a positive integer is 404 "Página inválida.".
func parsePage(q url.Values) (pageQuery, error) {
	pq := pageQuery{page: 1, size: defaultPageSize}
	if s := strings.TrimSpace(q.Get("page_size")); s != "" {
		if strings.EqualFold(s, "all") {
			pq.size = maxAllPageSize
		} else if n, err := strconv.Atoi(s); err == nil && n > 0 {
			pq.size = min(n, maxPageSize)
		}
	}
	if s := strings.TrimSpace(q.Get("page")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n-1 > math.MaxInt32/pq.size {
			return pq, detailError(http.StatusNotFound, msgInvalidPage)
		}
		pq.page = n
	}
	return pq, nil
}

func (pq pageQuery) core() core.Page {
	return core.Page{Offset: (pq.page - 1) * pq.size, Limit: pq.size}
}

// query returns the core query of the page with where and sorts, counting
// the matches as DRF's count needs.
func (pq pageQuery) query(where core.Cond, sorts ...core.Sort) core.Query {
	return core.Query{Where: where, Sort: sorts, Offset: (pq.page - 1) * pq.size, Limit: pq.size, Total: true}
}

// search is the condition of DRF's ?search=: every term in some text of
// the record (core.OpMatch); none when the parameter is empty.
func search(v url.Values) core.Cond {
	if q := strings.TrimSpace(v.Get("search")); q != "" {
		return core.Match(q)
	}
	return core.Cond{}
}

// contains is the condition of a field__icontains filter; none when the
// parameter is empty.
func contains(v url.Values, param, field string) core.Cond {
	if q := strings.TrimSpace(v.Get(param)); q != "" {
		return core.Contains(field, q)
	}
	return core.Cond{}
}

// slice returns the page of items held in memory.
func (pq pageQuery) slice(n int) (lo, hi int) {
	lo = min((pq.page-1)*pq.size, n)
	return lo, min(lo+pq.size, n)
}

// pageOf builds the DRF page of items, count matching in all; a page past
// the last is 404.
func pageOf[T any](r *http.Request, pq pageQuery, count int, items []T) (Page[T], error) {
	if items == nil {
		items = []T{}
	}
	p := Page[T]{Count: count, Results: items}
	pages := max(1, (count+pq.size-1)/pq.size)
	if pq.page > pages {
		return p, detailError(http.StatusNotFound, msgInvalidPage)
	}
	if pq.page < pages {
		p.Next = pageURL(r, pq.page+1)
	}
	if pq.page > 1 {
		p.Previous = pageURL(r, pq.page-1)
	}
	return p, nil
}

// pageURL is the absolute URL of page n of the list r asked for, with r's
// other query parameters; page 1 has no page parameter, as in DRF.
func pageURL(r *http.Request, n int) *string {
	q := r.URL.Query()
	if n == 1 {
		q.Del("page")
	} else {
		q.Set("page", strconv.Itoa(n))
	}
	u := url.URL{Scheme: scheme(r), Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
	s := u.String()
	return &s
}

// ---------------------------------------------------------------------------
// Query filters.

// queryErrors collects errors of query parameters.
type queryErrors struct{ t errTree }

func (q *queryErrors) add(param, msg string) { q.t.add([]string{param}, msg) }

func (q *queryErrors) err() error {
	if q.t.empty() {
		return nil
	}
	return treeError(&q.t)
}

// ids reads a comma-separated list of ids.
func (q *queryErrors) ids(v url.Values, param string) []int64 {
	var out []int64
	for _, s := range v[param] {
		for _, part := range strings.Split(s, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			id, err := strconv.ParseInt(part, 10, 64)
			if err != nil {
				q.add(param, msgFilterInt)
				return nil
			}
			out = append(out, id)
		}
	}
	return out
}

// idsCond reads a comma-separated list of ids as the condition that field
// is one of them; none when the parameter is absent.
func (q *queryErrors) idsCond(v url.Values, param, field string) core.Cond {
	ids := q.ids(v, param)
	if ids == nil {
		return core.Cond{}
	}
	return core.In(field, ids...)
}

// id reads one optional id.
func (q *queryErrors) id(v url.Values, param string) *int64 {
	s := strings.TrimSpace(v.Get(param))
	if s == "" {
		return nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		q.add(param, msgFilterInt)
		return nil
	}
	return &id
}

// boolean reads an optional boolean filter (true/false, True/False, 1/0)
// as the condition that field is that value; none when it is absent.
func (q *queryErrors) boolean(v url.Values, param, field string) core.Cond {
	s := strings.TrimSpace(v.Get(param))
	var b bool
	switch s {
	case "":
		return core.Cond{}
	case "true", "True", "1":
		b = true
	case "false", "False", "0":
		b = false
	default:
		q.add(param, msgFilterChoice(s))
		return core.Cond{}
	}
	return core.Eq(field, b)
}

// leadOrdering maps the fields ?ordering= accepts to fields of
// core.LeadSchema.
var leadOrdering = map[string]string{
	"id": "id", "created": "created_at", "updated": "updated_at", "status": "stage",
	"score": "score", "user": "user", "finish_date": "finished_at", "end_date": "finished_at",
	"concessionaire": "dealer", "source": "source", "client__name": "client.name",
}

func (q *queryErrors) ordering(v url.Values) []core.Sort {
	var out []core.Sort
	for _, s := range strings.Split(v.Get("ordering"), ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		desc := strings.HasPrefix(s, "-")
		f, ok := leadOrdering[strings.TrimPrefix(s, "-")]
		if !ok {
			q.add("ordering", msgChoice(s))
			return nil
		}
		out = append(out, core.Sort{Field: f, Desc: desc})
	}
	return out
}

func (q *queryErrors) stages(v url.Values) core.Cond {
	var out []core.Stage
	for _, s := range v["status"] {
		for _, part := range strings.Split(s, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			if !slices.Contains(stageChoices, part) {
				q.add("status", msgFilterChoice(part))
				return core.Cond{}
			}
			out = append(out, core.Stage(part))
		}
	}
	if out == nil {
		return core.Cond{}
	}
	return core.In("stage", out...)
}

// ---------------------------------------------------------------------------
// Auth.

// login serves Login: POST /api/auth/login/.
func (h *handler) login(w http.ResponseWriter, r *http.Request) error {
	o, err := h.body(w, r, false)
	if err != nil {
		return err
	}
	b := decodeLogin(o)
	if err := o.d.err(); err != nil {
		return err
	}
	token, u, err := h.svc.Login(r.Context(), b.Username.V, b.Password.V)
	if err != nil {
		if errors.Is(err, core.ErrBadCredentials) {
			// the document shows this one message as a plain string
			return &apiError{status: http.StatusBadRequest, body: map[string]string{"non_field_errors": msgBadLogin}}
		}
		return err
	}
	return writeJSON(w, http.StatusOK, LoginResponse{Username: u.Username, Password: "********", Token: token})
}

// logout serves Logout: POST /api/auth/logout/; the token stops working.
func (h *handler) logout(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.Logout(r.Context()); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, Detail{Detail: msgLoggedOut})
}

func (h *handler) swagger(w http.ResponseWriter, _ *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(swaggerJSON)
	return nil
}

// ---------------------------------------------------------------------------
// Leads.

// renderLeads renders leads with the records they refer to.
func (h *handler) renderLeads(r *http.Request, leads []core.Lead) ([]LeadResponse, error) {
	out := make([]LeadResponse, 0, len(leads))
	if len(leads) == 0 {
		return out, nil
	}
	refs, err := loadRefs(r.Context(), h.svc, refsOfLeads(leads))
	if err != nil {
		return nil, err
	}
	rd := h.renderer(r, refs)
	rd.assignable = make(map[int64]bool, len(leads))
	for _, l := range leads {
		rd.assignable[l.ID] = h.svc.CanAssign(r.Context(), l)
	}
	for _, l := range leads {
		out = append(out, rd.lead(l))
	}
	return out, nil
}

func (h *handler) writeLead(w http.ResponseWriter, r *http.Request, status int, l core.Lead) error {
	out, err := h.renderLeads(r, []core.Lead{l})
	if err != nil {
		return err
	}
	return writeJSON(w, status, out[0])
}

// leadList serves Listar/Buscar Leads: GET /api/lead/.
func (h *handler) leadList(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	pq, err := parsePage(v)
	if err != nil {
		return err
	}
	var qe queryErrors
	where := core.And(
		qe.stages(v),
		qe.idsCond(v, "concessionaire__in", "dealer"),
		contains(v, "client__phone__icontains", "client.phone"),
		contains(v, "client__email__icontains", "client.email"),
		search(v),
	)
	q := pq.query(where, qe.ordering(v)...)
	if err := qe.err(); err != nil {
		return err
	}
	leads, count, err := h.svc.FindLeads(r.Context(), q)
	if err != nil {
		return toAPIError(err, errContext{})
	}
	out, err := h.renderLeads(r, leads)
	if err != nil {
		return err
	}
	return writePage(w, r, pq, count, out)
}

func writePage[T any](w http.ResponseWriter, r *http.Request, pq pageQuery, count int, items []T) error {
	p, err := pageOf(r, pq, count, items)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

// leadDetail serves Consultar Lead: GET /api/lead/{id}/.
func (h *handler) leadDetail(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	l, err := h.svc.FindLead(r.Context(), id)
	if err != nil {
		return err
	}
	return h.writeLead(w, r, http.StatusOK, l)
}

// leadCreate serves Crear Lead: POST /api/lead/.
func (h *handler) leadCreate(w http.ResponseWriter, r *http.Request) error {
	o, err := h.body(w, r, false)
	if err != nil {
		return err
	}
	b := decodeLead(o)
	if err := o.d.err(); err != nil {
		return err
	}
	l, err := h.svc.CreateLead(r.Context(), leadToCore(b))
	if err != nil {
		return toAPIError(err, errContext{values: o.d.values})
	}
	return h.writeLead(w, r, http.StatusCreated, l)
}

// leadUpdate serves Modificar, Asignar and Finalizar Lead: PATCH
// /api/lead/{id}/.
func (h *handler) leadUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	o, err := h.body(w, r, true)
	if err != nil {
		return err
	}
	b := decodeLead(o)
	if err := o.d.err(); err != nil {
		return err
	}
	l, err := h.svc.UpdateLead(r.Context(), id, leadPatchToCore(b))
	if err != nil {
		return toAPIError(err, errContext{values: o.d.values})
	}
	return h.writeLead(w, r, http.StatusOK, l)
}

// leadChangeStatus serves Cambiar el estado del Lead: PATCH
// /api/lead/{id}/change_status/.
func (h *handler) leadChangeStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	o, err := h.body(w, r, false)
	if err != nil {
		return err
	}
	b := decodeStatus(o)
	if err := o.d.err(); err != nil {
		return err
	}
	l, err := h.svc.ChangeLeadStatus(r.Context(), id, core.Stage(b.Status.V), 0)
	if err != nil {
		return toAPIError(err, errContext{values: o.d.values})
	}
	return h.writeLead(w, r, http.StatusOK, l)
}

// leadHistory serves Histórico de cambios en Lead: GET
// /api/lead_history/{id}/get_history/.
func (h *handler) leadHistory(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	pq, err := parsePage(r.URL.Query())
	if err != nil {
		return err
	}
	hs, count, err := h.svc.LeadHistory(r.Context(), id, true, pq.core())
	if err != nil {
		return err
	}
	p, _ := core.PrincipalFrom(r.Context())
	q := refsQuery{dealerIDs: firstDealer(p)}
	for _, e := range hs {
		if e.UserID != nil {
			q.userIDs = append(q.userIDs, *e.UserID)
		}
	}
	refs, err := loadRefs(r.Context(), h.svc, q)
	if err != nil {
		return err
	}
	rd := h.renderer(r, refs)
	out := make([]HistoryEntry, 0, len(hs))
	for _, e := range hs {
		out = append(out, rd.history(e))
	}
	return writePage(w, r, pq, count, out)
}

// ---------------------------------------------------------------------------
// Tasks.

// taskRefs loads what rendering task t needs.
func (h *handler) taskRefs(r *http.Request, t core.Task, dealerIDs []int64) (renderer, error) {
	q := refsQuery{dealerIDs: dealerIDs}
	if t.Appraisal != nil && t.Appraisal.GasID != nil {
		q.gasIDs = []int64{*t.Appraisal.GasID}
	}
	refs, err := loadRefs(r.Context(), h.svc, q)
	if err != nil {
		return renderer{}, err
	}
	rd := h.renderer(r, refs)
	if len(dealerIDs) > 0 {
		rd.loc = rd.dealerLoc(dealerIDs[0])
	}
	return rd, nil
}

// taskCreate serves Crear Solicitudes/Tareas: POST /api/lead_task_create/.
func (h *handler) taskCreate(w http.ResponseWriter, r *http.Request) error {
	o, err := h.body(w, r, false)
	if err != nil {
		return err
	}
	b := decodeTask(o, true)
	if err := o.d.err(); err != nil {
		return err
	}
	t, err := h.svc.CreateTask(r.Context(), b.Lead.V, taskToCore(b))
	if err != nil {
		return toAPIError(err, errContext{values: o.d.values, onTask: true, notFoundField: "lead"})
	}
	p, _ := core.PrincipalFrom(r.Context())
	rd, err := h.taskRefs(r, t, firstDealer(p))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, TaskCreated{TaskBase: rd.taskBase(t, rd.loc), Lead: t.LeadID})
}

// taskDetail serves GET /api/task/{id}/, which the document does not list:
// the task as Crear Solicitudes/Tareas answers it.
func (h *handler) taskDetail(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	t, err := h.svc.FindTask(r.Context(), id)
	if err != nil {
		return err
	}
	rd, err := h.taskRefs(r, t, []int64{t.DealerID})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, TaskCreated{TaskBase: rd.taskBase(t, rd.loc), Lead: t.LeadID})
}

// taskUpdate serves Modificar Solicitudes/Tareas: PATCH /api/task/{id}/.
func (h *handler) taskUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	o, err := h.body(w, r, true)
	if err != nil {
		return err
	}
	b := decodeTask(o, false)
	if err := o.d.err(); err != nil {
		return err
	}
	t, err := h.svc.UpdateTask(r.Context(), id, taskPatchToCore(b))
	if err != nil {
		return toAPIError(err, errContext{values: o.d.values, onTask: true})
	}
	p, _ := core.PrincipalFrom(r.Context())
	rd, err := h.taskRefs(r, t, firstDealer(p))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, TaskUpdated{TaskBase: rd.taskBase(t, rd.loc)})
}

// taskDelete serves Borrar Solicitudes/Tareas: DELETE /api/task/{id}/.
func (h *handler) taskDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteTask(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// click2Call serves Click2Call: PATCH (or POST)
// /api/netelip/call_control_lead/click2call/.
func (h *handler) click2Call(w http.ResponseWriter, r *http.Request) error {
	o, err := h.body(w, r, false)
	if err != nil {
		return err
	}
	b := decodeClick2Call(o)
	if err := o.d.err(); err != nil {
		return err
	}
	cc, err := h.svc.Click2Call(r.Context(), b.Lead.V)
	if err != nil {
		return toAPIError(err, errContext{values: o.d.values, notFoundField: "lead"})
	}
	return writeJSON(w, http.StatusOK, CallControl{ID: cc.ID, Lead: cc.LeadID, CallControl: cc.CallControl, User: cc.UserID})
}

// ---------------------------------------------------------------------------
// Reference lists.

// concessionaireList serves Listar concesionarios: GET /api/concessionaire/.
func (h *handler) concessionaireList(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	pq, err := parsePage(v)
	if err != nil {
		return err
	}
	ds, count, err := h.svc.FindDealers(r.Context(), pq.query(search(v)))
	if err != nil {
		return err
	}
	out := make([]Concessionaire, 0, len(ds))
	if len(ds) > 0 {
		q := refsQuery{dealerDetails: true}
		for _, d := range ds {
			q.dealerIDs = append(q.dealerIDs, d.ID)
		}
		refs, err := loadRefs(r.Context(), h.svc, q)
		if err != nil {
			return err
		}
		rd := h.renderer(r, refs)
		for _, d := range ds {
			out = append(out, rd.concessionaire(d))
		}
	}
	return writePage(w, r, pq, count, out)
}

// sourceList serves Consultar fuentes de concesionario: GET /api/source/.
func (h *handler) sourceList(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	pq, err := parsePage(v)
	if err != nil {
		return err
	}
	ss, count, err := h.svc.FindSources(r.Context(), pq.query(search(v)))
	if err != nil {
		return err
	}
	out := make([]SourceListItem, 0, len(ss))
	if len(ss) > 0 {
		var q refsQuery
		for _, s := range ss {
			q.dealerIDs = append(q.dealerIDs, s.DealerID)
			q.sourceIDs = append(q.sourceIDs, s.ID)
		}
		refs, err := loadRefs(r.Context(), h.svc, q)
		if err != nil {
			return err
		}
		rd := h.renderer(r, refs)
		for _, s := range ss {
			out = append(out, rd.sourceListItem(s))
		}
	}
	return writePage(w, r, pq, count, out)
}

// gasTypeList serves Consultar combustible: GET /api/gas_type/.
func (h *handler) gasTypeList(w http.ResponseWriter, r *http.Request) error {
	pq, err := parsePage(r.URL.Query())
	if err != nil {
		return err
	}
	gs, err := h.svc.GasTypes(r.Context())
	if err != nil {
		return err
	}
	lo, hi := pq.slice(len(gs))
	out := make([]GasType, 0, hi-lo)
	for _, g := range gs[lo:hi] {
		out = append(out, GasType{ID: g.ID, Name: g.Name})
	}
	return writePage(w, r, pq, len(gs), out)
}

// clientList serves Buscar clientes: GET /api/clients/.
func (h *handler) clientList(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	pq, err := parsePage(v)
	if err != nil {
		return err
	}
	cs, count, err := h.svc.FindClients(r.Context(), pq.query(core.And(
		contains(v, "name__icontains", "name"),
		contains(v, "phone__icontains", "phone"),
		contains(v, "email__icontains", "email"),
		search(v),
	)))
	if err != nil {
		return err
	}
	out := make([]Client, 0, len(cs))
	if len(cs) > 0 {
		var q refsQuery
		for _, c := range cs {
			if c.ProvinceID != nil {
				q.provinceIDs = append(q.provinceIDs, *c.ProvinceID)
			}
			if c.LocalityID != nil {
				q.localityIDs = append(q.localityIDs, *c.LocalityID)
			}
		}
		refs, err := loadRefs(r.Context(), h.svc, q)
		if err != nil {
			return err
		}
		rd := h.renderer(r, refs)
		for _, c := range cs {
			out = append(out, *rd.client(&c))
		}
	}
	return writePage(w, r, pq, count, out)
}

// provinceList serves Buscar Provincias: GET /api/provinces/?country=28.
func (h *handler) provinceList(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	pq, err := parsePage(v)
	if err != nil {
		return err
	}
	var qe queryErrors
	country := qe.id(v, "country")
	if country == nil && qe.t.empty() {
		qe.add("country", msgRequired) // "country [obligatorio]"
	}
	if err := qe.err(); err != nil {
		return err
	}
	code, ok := countryCode(*country)
	if !ok {
		// no country has this id: nothing matches, as a filter of an
		// unknown id matches nothing
		return writePage(w, r, pq, 0, []Province{})
	}
	ps, count, err := h.svc.FindProvinces(r.Context(), pq.query(core.And(core.Eq("country", code), search(v))))
	if err != nil {
		return err
	}
	out := make([]Province, 0, len(ps))
	for _, p := range ps {
		out = append(out, province(p))
	}
	return writePage(w, r, pq, count, out)
}

// localityList serves Buscar Localidades: GET /api/localities/.
func (h *handler) localityList(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	pq, err := parsePage(v)
	if err != nil {
		return err
	}
	var qe queryErrors
	prov := qe.id(v, "province")
	if err := qe.err(); err != nil {
		return err
	}
	where := search(v)
	if prov != nil {
		where = core.And(core.Eq("province", *prov), where)
	}
	ls, count, err := h.svc.FindLocalities(r.Context(), pq.query(where))
	if err != nil {
		return err
	}
	out := make([]Locality, 0, len(ls))
	for _, l := range ls {
		out = append(out, locality(l))
	}
	return writePage(w, r, pq, count, out)
}

// userList serves Buscar usuarios: GET /api/user/.
func (h *handler) userList(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	pq, err := parsePage(v)
	if err != nil {
		return err
	}
	var qe queryErrors
	where := core.And(qe.boolean(v, "online", "online"), qe.boolean(v, "is_active", "is_active"), search(v))
	if id := qe.id(v, "userconcession__concessionaire__id"); id != nil {
		where = core.And(core.Eq("dealer", *id), where)
	}
	if err := qe.err(); err != nil {
		return err
	}
	us, count, err := h.svc.FindUsers(r.Context(), pq.query(where))
	if err != nil {
		return err
	}
	p, _ := core.PrincipalFrom(r.Context())
	q := refsQuery{dealerIDs: firstDealer(p)}
	for i := range us {
		// memberships of dealers the principal cannot see are not shown
		us[i].Memberships = slices.DeleteFunc(us[i].Memberships, func(m core.Membership) bool { return !p.CanSee(m.DealerID) })
		for _, m := range us[i].Memberships {
			q.dealerIDs = append(q.dealerIDs, m.DealerID)
		}
	}
	refs, err := loadRefs(r.Context(), h.svc, q)
	if err != nil {
		return err
	}
	rd := h.renderer(r, refs)
	out := make([]UserListItem, 0, len(us))
	for _, u := range us {
		out = append(out, rd.userListItem(u))
	}
	return writePage(w, r, pq, count, out)
}
