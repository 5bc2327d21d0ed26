// Package server builds forecourt's root http.Handler: every API mounted at
// its documented paths, /healthz, /metrics, and the middleware they share
// (request ids, structured access logs, metrics, panic recovery).
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"forecourt/internal/casabaca"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"forecourt/internal/core"
	"forecourt/internal/web"
)

// Config wires a server.
type Config struct {
	Service  *core.Service
	Logger   *slog.Logger
	Registry *prometheus.Registry // metrics are registered here
	// Ready reports whether the server can take traffic; /healthz answers
	// 503 while it returns an error.
	Ready func(ctx context.Context) error
	// PublicURL, when set, is the scheme and host clients reach the server
	// at (see ParsePublicURL): absolute links in answers start with it, and
	// a request for another host is refused (allowedHost). Nil: links
	// follow each request's Host header, and any host is served.
	PublicURL *url.URL
	// Mailer sends Casabaca's avalúos by e-mail; nil: they are logged
	// (casabaca.LogMailer).
	Mailer casabaca.Mailer
}

// New returns the root handler: every API of apis mounted by the exact
// patterns of its routes, the server's own routes, and a neutral JSON 404
// for any path no API owns. It panics, as ServeMux.Handle does, when two
// APIs claim one route or path: the route tables are fixed when the binary
// is built, and TestAPIRoutesDoNotCollide checks them.
func New(cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return newRoot(cfg, apis(cfg))
}

// newRoot is New over the given APIs.
func newRoot(cfg Config, apis []API) http.Handler {
	m := newMetrics(cfg.Registry)
	mux := http.NewServeMux()
	mux.HandleFunc("/", foldCase(foldedPaths(apis), mux))
	mux.Handle("GET /static/", labelled("GET /static/", web.Static()))
	// the interface for the dealer's staff: its pages under /app/, one
	// label for them all (their ids would otherwise grow the metrics)
	mux.Handle(web.Prefix, labelled(web.Prefix, web.NewApp(cfg.Service, web.WithLogger(cfg.Logger), web.WithPublicURL(cfg.PublicURL))))
	mux.Handle("GET /healthz", labelled("GET /healthz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if cfg.Ready != nil {
			ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
			defer cancel()
			if err := cfg.Ready(ctx); err != nil {
				cfg.Logger.WarnContext(r.Context(), "health check failed", "err", err)
				w.WriteHeader(http.StatusServiceUnavailable)
				fmt.Fprintln(w, `{"status":"unavailable"}`)
				return
			}
		}
		fmt.Fprintln(w, `{"status":"ok"}`)
	})))
	if cfg.Registry != nil {
		mux.Handle("GET /metrics", labelled("GET /metrics", promhttp.HandlerFor(cfg.Registry, promhttp.HandlerOpts{Registry: cfg.Registry})))
	}
	if err := mountAPIs(mux, apis); err != nil {
		panic(err)
	}
	return observe(allowedHost(cfg.PublicURL, mux), m, cfg.Logger)
}

// ParsePublicURL reads a server's public URL: http or https, a host, and
// nothing else (no path, query, fragment or user), since the APIs are
// served at their documented paths from the root.
func ParsePublicURL(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	switch {
	case err != nil:
		return nil, fmt.Errorf("public URL %q: %v", s, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("public URL %q: the scheme must be http or https", s)
	case u.Host == "" || u.Hostname() == "":
		return nil, fmt.Errorf("public URL %q: no host", s)
	case u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "":
		return nil, fmt.Errorf("public URL %q: only a scheme and a host (and port) are allowed, the APIs are served from the root", s)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("public URL %q: bad port", s)
		}
	}
	return &url.URL{Scheme: u.Scheme, Host: strings.ToLower(u.Host)}, nil
}

// unguarded are the paths served whatever the Host: a load balancer's
// health check and a metrics scraper reach a server by its own address.
// Neither renders a link.
var unguarded = map[string]bool{"/healthz": true, "/metrics": true}

// allowedHost refuses, as Django's ALLOWED_HOSTS does, a request whose Host
// is not public's host (the port may be left out when it is the scheme's
// default, case and a final dot aside): 400 with a neutral body, since no
// API's shape applies before routing. With no public URL every host is
// served.
func allowedHost(public *url.URL, next http.Handler) http.Handler {
	if public == nil {
		return next
	}
	want := canonicalHost(public.Host, public.Scheme)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !unguarded[r.URL.Path] && canonicalHost(r.Host, public.Scheme) != want {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintln(w, `{"error":"host not allowed"}`)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// canonicalHost is host:port, lower-cased, without a final dot, with the
// scheme's default port when none is given.
func canonicalHost(hostport, scheme string) string {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host, port = hostport, ""
	}
	if port == "" {
		port = "80"
		if scheme == "https" {
			port = "443"
		}
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "" {
		return ""
	}
	return net.JoinHostPort(host, port)
}

// notFound answers a path no API owns. No API's error shape applies
// there, so the body is neutral: {"error":"not found"}.
func notFound(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprintln(w, `{"error":"not found"}`)
}

type ctxKey struct{}

// RequestID returns the id of the request ctx belongs to.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// statusWriter remembers the status code written.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe gives every request an id, recovers panics, and records one access
// log line and the request metrics, labelled by the route that served the
// request (see labelled) or "unmatched".
func observe(next http.Handler, m *metrics, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		// No answer is to be read as another type than it declares.
		w.Header().Set("X-Content-Type-Options", "nosniff")
		ctx, lbl := withLabel(context.WithValue(r.Context(), ctxKey{}, id))
		// The client's address keys rate limits (core's failed logins): the
		// connection's, never a header a client can write.
		if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
			ctx = core.WithClientAddr(ctx, host)
		}
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.ErrorContext(ctx, "panic", "request_id", id, "panic", fmt.Sprint(p))
				if sw.status == 0 {
					sw.Header().Set("Content-Type", "application/json")
					sw.WriteHeader(http.StatusInternalServerError)
					_, _ = sw.Write([]byte(`{"error":"internal server error"}`))
				}
			}
			route := lbl.route
			if route == "" {
				route = "unmatched"
			}
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			d := time.Since(start)
			m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
			m.latency.WithLabelValues(route, strconv.Itoa(status)).Observe(d.Seconds())
			level := slog.LevelInfo
			switch {
			case status == http.StatusServiceUnavailable:
				// The database's outage is logged by the store, once, not
				// by each request it refuses.
				level = slog.LevelWarn
			case status >= 500:
				level = slog.LevelError
			}
			log.LogAttrs(ctx, level, "request", slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.String("route", route), slog.Int("status", status), slog.Int("bytes", sw.bytes),
				slog.Duration("duration", d), slog.String("request_id", id), slog.String("remote", r.RemoteAddr))
		}()
		next.ServeHTTP(sw, r.WithContext(ctx))
	})
}
