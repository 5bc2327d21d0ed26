package server

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"forecourt/internal/core"

	"forecourt/internal/adf"
	"forecourt/internal/casabaca"
	"forecourt/internal/leadbank"
	"forecourt/internal/leancore"
	"forecourt/internal/sml"
	"forecourt/internal/walcu"
)

// Route is one route of an API: a method and a net/http.ServeMux path
// pattern. A pattern that ends in "/" is served with and without its
// trailing slash (SML's clients send either); any other is served exactly.
type Route struct {
	Method  string
	Pattern string
	Name    string
}

// API is one API the server mounts by the exact patterns of its routes.
// Its handler answers every request to those paths: the routes, and the
// other methods on their paths (its own 405 and OPTIONS, with Allow), so
// that each API's error shape applies on its own paths only.
type API struct {
	Name    string
	Handler http.Handler
	Routes  []Route
	// FoldCase serves its routes' paths (those without wildcards) in any
	// case too, as ASP.NET's routes match: /API/Leads/validategetleads is
	// /api/leads/ValidateGetLeads (docs/decisions.md, "Public ids case
	// aside").
	FoldCase bool
}

// apis lists the APIs the server mounts. Adding an API is one entry here.
func apis(cfg Config) []API {
	return []API{
		{Name: "sml", Handler: sml.NewHandler(cfg.Service, sml.WithLogger(cfg.Logger), sml.WithPublicURL(cfg.PublicURL)), Routes: routesOf(sml.Routes())},
		{Name: "leadbank", Handler: leadbank.NewHandler(cfg.Service, leadbank.WithLogger(cfg.Logger)), Routes: routesOf(leadbank.Routes()), FoldCase: true},
		{Name: "leancore", Handler: leancore.NewHandler(cfg.Service, leancore.WithLogger(cfg.Logger)), Routes: routesOf(leancore.Routes())},
		{Name: "casabaca", Handler: casabaca.NewHandler(cfg.Service, casabaca.WithLogger(cfg.Logger), casabaca.WithMailer(cfg.Mailer), casabaca.WithPublicURL(cfg.PublicURL)), Routes: routesOf(casabaca.Routes())},

		{Name: "walcu", Handler: walcu.NewHandler(cfg.Service, walcu.WithLogger(cfg.Logger), walcu.WithPublicURL(cfg.PublicURL)), Routes: routesOf(walcu.Routes())},
		{Name: "adf", Handler: adf.NewHandler(cfg.Service, adf.WithLogger(cfg.Logger)), Routes: routesOf(adf.Routes())},
	}
}

// routesOf reads an API package's route table. Every API package's Route
// has the shape of ours (method, pattern, name), so one conversion serves
// them all without the packages importing one another.
func routesOf[R ~struct{ Method, Pattern, Name string }](rs []R) []Route {
	out := make([]Route, len(rs))
	for i, r := range rs {
		out[i] = Route(r)
	}
	return out
}

// mountAPIs registers the routes of apis on mux, each labelled for the
// metrics by its method and pattern, and each of their paths, for the
// other methods, to the API that owns it (labelled by the pattern alone).
// Two routes of one method and path (whatever their wildcards are named),
// or one path claimed by two APIs, is an error naming them: requests to it
// would have no one answer, nor one error shape.
func mountAPIs(mux *http.ServeMux, apis []API) error {
	type claim struct{ api, route string }
	byMethod := map[string]claim{} // "METHOD shape"
	byPath := map[string]claim{}   // shape
	for _, a := range apis {
		a.Handler = noStore(via(a.Name, a.Handler))
		for _, rt := range a.Routes {
			route := rt.Method + " " + rt.Pattern
			this := claim{a.Name, route}
			for _, v := range variants(rt.Pattern) {
				shape := shapeOf(v)
				methods := []string{rt.Method}
				if rt.Method == http.MethodGet {
					methods = append(methods, http.MethodHead) // ServeMux serves HEAD by GET
				}
				for _, m := range methods {
					if c, ok := byMethod[m+" "+shape]; ok {
						return fmt.Errorf("server: route %s of %s collides with route %s of %s", route, a.Name, c.route, c.api)
					}
					byMethod[m+" "+shape] = this
				}
				if err := handle(mux, rt.Method+" "+v, labelled(route, a.Handler)); err != nil {
					return fmt.Errorf("server: route %s of %s: %w", route, a.Name, err)
				}
				c, ok := byPath[shape]
				switch {
				case ok && c.api != a.Name:
					return fmt.Errorf("server: path %s of %s (%s) is also a path of %s (%s): a path belongs to one API", rt.Pattern, a.Name, route, c.api, c.route)
				case !ok:
					byPath[shape] = this
					if err := handle(mux, v, labelled(rt.Pattern, a.Handler)); err != nil {
						return fmt.Errorf("server: path %s of %s: %w", rt.Pattern, a.Name, err)
					}
				}
			}
		}
	}
	return nil
}

// handle registers h for pattern on mux, returning ServeMux's panic about a
// conflicting pattern as an error.
func handle(mux *http.ServeMux, pattern string, h http.Handler) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%v", p)
		}
	}()
	mux.Handle(pattern, h)
	return nil
}

// variants returns the ServeMux patterns that serve pattern: exactly, and
// for one that ends in "/", without its trailing slash too.
func variants(pattern string) []string {
	if !strings.HasSuffix(pattern, "/") {
		return []string{pattern}
	}
	return []string{pattern + "{$}", strings.TrimSuffix(pattern, "/")}
}

// shapeOf is a path pattern with its wildcards unnamed ("/a/{id}/{$}" is
// "/a/{}/{$}"): two patterns of one shape match the same requests.
func shapeOf(pattern string) string {
	segs := strings.Split(pattern, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") && s != "{$}" {
			if strings.HasSuffix(s, "...}") {
				segs[i] = "{...}"
			} else {
				segs[i] = "{}"
			}
		}
	}
	return strings.Join(segs, "/")
}

// label is where a request's route label is written, for the metrics and
// the access log; observe puts one in every request's context.
type label struct{ route string }

type labelKey struct{}

// labelled records route as the label of the requests h serves.
func labelled(route string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if l, ok := r.Context().Value(labelKey{}).(*label); ok {
			l.route = route
		}
		h.ServeHTTP(w, r)
	})
}

// withLabel returns ctx with an empty label for the request's route.
func withLabel(ctx context.Context) (context.Context, *label) {
	l := &label{}
	return context.WithValue(ctx, labelKey{}, l), l
}

// noStore marks every answer of an API as one no cache may keep: they hold
// a dealer's data, tokens and keys (a login's answer is a token). An API's
// handler may set another Cache-Control for an answer of its own.
func noStore(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

// via names the API a request came through (core.WithVia), which the
// history entries of the changes it makes record.
func via(api string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(core.WithVia(r.Context(), api)))
	})
}

// foldedPaths maps the lower-case form of every path of an API that
// folds case (API.FoldCase), wildcards aside, to the path as its route
// writes it.
func foldedPaths(apis []API) map[string]string {
	out := map[string]string{}
	for _, a := range apis {
		if !a.FoldCase {
			continue
		}
		for _, rt := range a.Routes {
			if !strings.Contains(rt.Pattern, "{") {
				out[strings.ToLower(rt.Pattern)] = rt.Pattern
			}
		}
	}
	return out
}

// foldCase serves a request to a path that no route matched but that is,
// case aside, a path of an API that folds case, as that path; any other
// is the neutral 404.
func foldCase(paths map[string]string, mux http.Handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, ok := paths[strings.ToLower(r.URL.Path)]
		if !ok || p == r.URL.Path {
			notFound(w, r)
			return
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path, r2.URL.RawPath = p, ""
		mux.ServeHTTP(w, r2)
	}
}
