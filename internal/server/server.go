// Package server builds forecourt's root http.Handler: every API mounted at
// its documented paths, /healthz, /metrics, and the middleware they share
// (request ids, structured access logs, metrics, panic recovery).
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"forecourt/internal/core"
	"forecourt/internal/sml"
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
}

// api is one mounted API: its handler and the patterns of its routes, for
// metric labels.
type api struct {
	handler  http.Handler
	patterns []string
}

// New returns the root handler.
func New(cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	m := newMetrics(cfg.Registry)
	smlAPI := api{handler: sml.NewHandler(cfg.Service, sml.WithLogger(cfg.Logger))}
	for _, r := range sml.Routes() {
		smlAPI.patterns = append(smlAPI.patterns, r.Method+" "+r.Pattern)
	}

	mux := http.NewServeMux()
	labels := http.NewServeMux() // resolves a request to its route pattern, for metrics
	mount := func(a api, prefixes ...string) {
		for _, p := range prefixes {
			mux.Handle(p, a.handler)
		}
		for _, p := range a.patterns {
			labels.Handle(p, http.NotFoundHandler())
		}
	}
	mount(smlAPI, "/api/", "/swagger.json")

	mux.Handle("GET /static/", web.Static())
	labels.Handle("GET /static/", http.NotFoundHandler())
	// Anything else is a JSON 404, in the shape the APIs use.
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprintln(w, `{"detail":"No encontrado."}`)
	})

	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
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
	})
	labels.Handle("GET /healthz", http.NotFoundHandler())
	if cfg.Registry != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(cfg.Registry, promhttp.HandlerOpts{Registry: cfg.Registry}))
		labels.Handle("GET /metrics", http.NotFoundHandler())
	}
	return observe(mux, labels, m, cfg.Logger)
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
// log line and the request metrics.
func observe(next http.Handler, labels *http.ServeMux, m *metrics, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		ctx := context.WithValue(r.Context(), ctxKey{}, id)
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
					_, _ = sw.Write([]byte(`{"detail":"Error interno del servidor."}`))
				}
			}
			_, route := labels.Handler(r)
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
			if status >= 500 {
				level = slog.LevelError
			}
			log.LogAttrs(ctx, level, "request", slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.String("route", route), slog.Int("status", status), slog.Int("bytes", sw.bytes),
				slog.Duration("duration", d), slog.String("request_id", id), slog.String("remote", r.RemoteAddr))
		}()
		next.ServeHTTP(sw, r.WithContext(ctx))
	})
}
