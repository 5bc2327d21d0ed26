// Package walcu serves the Walcu CRM API (OpenAPI 0.0.2: Mongo-style
// documents under /dealers/{dealer_id}/…) over core.Service: twenty
// collections, each with GET one, DELETE, PATCH (JSON Patch), PUT, a list
// (q, search, skip, limit, sort, project, group_by), an export job (/all)
// and POST. Leads, clients, tasks, notes and appointments are the core's;
// the collections the core has no meaning for are core documents. See
// docs/walcu.md.
package walcu

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"forecourt/internal/bearer"
	"forecourt/internal/core"
)

// Route is one route of the Walcu API: a method and a net/http.ServeMux
// pattern.
type Route struct {
	Method  string
	Pattern string
	Name    string
}

// The operations of a collection, in the document's order.
const (
	opGet     = "get"
	opDelete  = "delete"
	opPatch   = "patch"
	opPut     = "put"
	opList    = "list"
	opCreate  = "create"
	opJob     = "job"
	opOpenAPI = "openapi"
)

// prefix is where the API is mounted: the document's server URL is
// https://api.crm.walcu.com/dealers/{dealer_id}.
const prefix = "/dealers/{dealer_id}/"

// routes lists every route: six per collection (GET /{collection}/all,
// the export, is the GET of one document whose id is "all": ServeMux
// cannot tell a literal from a wildcard on paths without a method, which
// the server mounts to answer their other methods), the export jobs' URL
// and the OpenAPI description.
var routes = func() []Route {
	var rs []Route
	for _, c := range collectionNames {
		one := prefix + c + "/{id}"
		rs = append(rs,
			Route{http.MethodGet, one, c + "." + opGet},
			Route{http.MethodDelete, one, c + "." + opDelete},
			Route{http.MethodPatch, one, c + "." + opPatch},
			Route{http.MethodPut, one, c + "." + opPut},
			Route{http.MethodGet, prefix + c, c + "." + opList},
			Route{http.MethodPost, prefix + c, c + "." + opCreate},
		)
	}
	return append(rs,
		Route{http.MethodGet, prefix + "jobs/{id}", opJob},
		Route{http.MethodGet, "/.well-known/service-desc", opOpenAPI},
	)
}()

// Routes returns every route the handler serves.
func Routes() []Route { return slices.Clone(routes) }

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

// WithPublicURL makes the URLs of answers (an export's job_url) start
// with u, the server's public URL (a scheme and a host), instead of the
// request's scheme and Host header. Nil keeps the request's.
func WithPublicURL(u *url.URL) Option {
	return func(h *handler) {
		if u != nil {
			h.public = u.Scheme + "://" + u.Host
		}
	}
}

type handler struct {
	svc      *core.Service
	log      *slog.Logger
	public   string // scheme://host of the URLs of answers; "" for the request's
	backends map[string]backend
}

func newHandler(svc *core.Service, opts ...Option) *handler {
	h := &handler{svc: svc, log: slog.Default()}
	for _, o := range opts {
		o(h)
	}
	h.backends = backendsFor(svc)
	return h
}

// NewHandler returns the Walcu API over svc: its routes, and 405 in its
// error shape for other methods on their paths.
func NewHandler(svc *core.Service, opts ...Option) http.Handler {
	h := newHandler(svc, opts...)
	mux := http.NewServeMux()
	allowed := map[string][]string{}
	for _, rt := range routes {
		allowed[rt.Pattern] = append(allowed[rt.Pattern], rt.Method)
		coll, op, _ := strings.Cut(rt.Name, ".")
		if op == "" {
			coll, op = "", coll
		}
		var f func(http.ResponseWriter, *http.Request, *request) error
		switch op {
		case opGet:
			f = h.get
		case opDelete:
			f = h.delete
		case opPatch:
			f = h.patch
		case opPut:
			f = h.put
		case opList:
			f = h.list
		case opCreate:
			f = h.create
		case opJob:
			f = h.job
		case opOpenAPI:
			mux.Handle(rt.Method+" "+rt.Pattern, h.serve(h.openAPI))
			continue
		}
		mux.Handle(rt.Method+" "+rt.Pattern, h.serve(h.authenticated(coll, f)))
	}
	for pattern, methods := range allowed {
		allow := strings.Join(append(slices.Clone(methods), http.MethodOptions), ", ")
		if slices.Contains(methods, http.MethodGet) {
			allow = "HEAD, " + allow
		}
		mux.Handle(pattern, h.serve(func(w http.ResponseWriter, r *http.Request) error {
			w.Header().Set("Allow", allow)
			if r.Method == http.MethodOptions {
				w.WriteHeader(http.StatusNoContent)
				return nil
			}
			return &apiError{Body: Body{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed",
				Message: fmt.Sprintf("method %s is not allowed here; allowed: %s", r.Method, allow)}}
		}))
	}
	return mux
}

// serve adapts f, writing the error it returns in the error shape, and
// recovers a panic as a 500.
func (h *handler) serve(f func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				h.writeError(w, r, &apiError{Body: Body{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error"},
					cause: fmt.Errorf("panic: %v\n%s", p, debug.Stack())})
			}
		}()
		if err := f(w, r); err != nil {
			h.writeError(w, r, toAPIError(err, nil))
		}
	})
}

// request is what every operation of a collection starts from: the
// principal's context, the dealer of the path and the collection.
type request struct {
	svc    *core.Service
	ctx    context.Context
	dealer core.Dealer
	coll   *collection
	b      backend
}

// authenticated runs f for the principal of the request's "Authorization:
// Bearer <secret>" (a user's login token or a dealer's API key) on the
// dealer of the path, which the principal must see: any other dealer, one
// that does not exist included, is 404.
func (h *handler) authenticated(coll string, f func(http.ResponseWriter, *http.Request, *request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		secret, ok := bearer.Secret(r)
		if !ok {
			return &apiError{Body: Body{Status: http.StatusUnauthorized, Code: "unauthorized",
				Message: "authentication required: send Authorization: Bearer <token or API key>"}}
		}
		p, err := h.svc.Authenticate(r.Context(), secret)
		if err != nil {
			if core.ErrorCode(err) == core.Unauthorized {
				return &apiError{Body: Body{Status: http.StatusUnauthorized, Code: "unauthorized", Message: "invalid credentials"}}
			}
			return err
		}
		if err := checkQuery(r.URL.RawQuery); err != nil {
			return err
		}
		if err := checkQueryText(r.URL.Query().Get("q")); err != nil {
			return err
		}
		ctx := core.WithPrincipal(r.Context(), p)
		d, err := h.dealer(ctx, r.PathValue("dealer_id"))
		if err != nil {
			return err
		}
		req := &request{svc: h.svc, ctx: ctx, dealer: d}
		if coll != "" {
			req.coll, req.b = collections[coll], h.backends[coll]
		}
		return f(w, r.WithContext(ctx), req)
	}
}

// dealer reads the dealer of the path: its id, as `forecourt dealer list`
// prints it, or its public id.
func (h *handler) dealer(ctx context.Context, ref string) (core.Dealer, error) {
	id, err := strconv.ParseInt(ref, 10, 64)
	if err != nil || id <= 0 {
		if id, err = h.svc.ResolvePublicID(ctx, core.RecordDealer, ref); err != nil {
			return core.Dealer{}, notFound("dealer")
		}
	}
	ds, err := h.svc.DealersByID(ctx, []int64{id})
	if err != nil {
		return core.Dealer{}, err
	}
	if len(ds) == 0 {
		return core.Dealer{}, notFound("dealer")
	}
	return ds[0], nil
}

// dealerID is how documents show their dealer: its id, as text.
func dealerID(d core.Dealer) string { return strconv.FormatInt(d.ID, 10) }
