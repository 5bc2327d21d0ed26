// Package sml serves the SML developer-kit API (the coches.net dealer CRM,
// a Django REST Framework API) over core.Service: every route of the
// document at its full path, DRF pages and error bodies in Spanish, token
// authentication. See docs/sml.md for the decisions the document leaves
// open.
package sml

import (
	"context"
	_ "embed"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"forecourt/internal/core"
	"forecourt/internal/jsontext"
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

// WithPublicURL makes absolute links (DRF's next and previous, the
// origins' icons) start with u, the server's public URL (a scheme and a
// host), instead of the request's scheme and Host header, which any client
// writes. Nil keeps the request's.
func WithPublicURL(u *url.URL) Option {
	return func(h *handler) {
		if u != nil {
			h.public = u.Scheme + "://" + u.Host
		}
	}
}

type handler struct {
	svc    *core.Service
	log    *slog.Logger
	public string // scheme://host of absolute links; "" for the request's
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
		base := h.public
		if base == "" {
			base = scheme(r) + "://" + r.Host
		}
		r = r.WithContext(context.WithValue(r.Context(), baseKey{}, base))
		if err := f(w, r); err != nil {
			h.writeError(w, r, toAPIError(err, errContext{}))
		}
	})
}

// multiValued are the query parameters whose repeated values all count
// (OR), as their comma lists do.
var multiValued = map[string]bool{"status": true, "concessionaire__in": true}

// cleanQuery reads the query string (see parseQuery) and refuses
// parameters no filter can take: a malformed percent-escape, a NUL (which
// no database accepts in text), bytes that are not UTF-8. It keeps only the
// last value of a repeated parameter, as DRF's request.query_params.get
// reads it, so that ?search=a&search=b searches b, and writes the query
// back canonically, so that every later r.URL.Query() reads exactly these
// values. It reads the query once.
func cleanQuery(r *http.Request) *apiError {
	if r.URL.RawQuery == "" {
		return nil
	}
	q, t := parseQuery(r.URL.RawQuery)
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
		}
	}
	if t.prune() {
		return treeError(t)
	}
	r.URL.RawQuery = q.Encode()
	return nil
}

// parseQuery reads a query string as Django's QueryDict does: pairs split
// on "&" only (a ";" is text), "+" a space, a pair without "=" an empty
// value, empty pairs skipped. A malformed percent-escape ("%zz", "%4"),
// which Python leaves as it is and Go's url.ParseQuery drops with its pair
// (so that ?search=%zz listed every lead), is refused instead: the
// parameter is named in the errors, by its decoded name or, when the name
// is the malformed part, as written.
func parseQuery(raw string) (url.Values, *errTree) {
	q := url.Values{}
	t := &errTree{}
	for pair := range strings.SplitSeq(raw, "&") {
		if pair == "" {
			continue
		}
		rawKey, rawValue, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(rawKey)
		if err != nil {
			t.add([]string{rawKey}, msgBadEscape)
			continue
		}
		value, err := url.QueryUnescape(rawValue)
		if err != nil {
			t.add([]string{key}, msgBadEscape)
			continue
		}
		q[key] = append(q[key], value)
	}
	return q, t
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
	if e.status >= 500 && e.status != http.StatusServiceUnavailable {
		// A 503 is logged where its cause is (the store logs a database's
		// outage once), not for every request it refuses.
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
// can still be answered 500. A length rather than chunks: one write of the
// whole body.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	if err := jsontext.Respond(w, status, "application/json", false, v); err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
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
	return renderer{refs: refs, now: h.svc.Now(), p: p, loc: loc, base: baseURL(r)}
}

type baseKey struct{}

// baseURL is the scheme and host absolute links to r's answer start with:
// the public URL (WithPublicURL) or else the request's own.
func baseURL(r *http.Request) string {
	if b, ok := r.Context().Value(baseKey{}).(string); ok {
		return b
	}
	return scheme(r) + "://" + r.Host
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

func (h *handler) swagger(w http.ResponseWriter, _ *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(swaggerJSON)
	return nil
}
