package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"forecourt/internal/core"
	"forecourt/internal/demo"
	"forecourt/internal/server"
	"forecourt/internal/store"
	"forecourt/internal/telephony"
)

const (
	defaultAddr = "127.0.0.1:8080"
	defaultDB   = "forecourt.db"
)

// envOr returns the environment's value for key, or def.
func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

func envBool(getenv func(string) string, key string) bool {
	b, _ := strconv.ParseBool(getenv(key))
	return b
}

func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n == 0 {
			fmt.Fprintf(fs.Output(), "usage: forecourt %s\n", name)
			return
		}
		fmt.Fprintf(fs.Output(), "usage: forecourt %s [flags]\n\nflags:\n", name)
		fs.PrintDefaults()
	}
	return fs
}

// errHelp is what a command returns when it was asked for its help (-h,
// --help): the flags were printed, and the command did nothing else. run
// answers it with success.
var errHelp = errors.New("help requested")

// parse parses a command's flags. After -h or --help it returns errHelp,
// which every command returns at once, so that asking for help never does
// anything else (before, `serve --help` went on to start a server).
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	return nil
}

func newLogger(getenv func(string) string, w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usageError{fmt.Sprintf("bad log level %q", level)}
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text", "":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, usageError{fmt.Sprintf("bad log format %q (text or json)", format)}
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return "forecourt " + s.Value
			}
		}
		if bi.Main.Version != "" {
			return "forecourt " + bi.Main.Version
		}
	}
	return "forecourt (devel)"
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", stderr)
	addr := fs.String("addr", envOr(getenv, "FORECOURT_ADDR", defaultAddr), "listen address `HOST:PORT` (env FORECOURT_ADDR)")
	dsn := fs.String("db", envOr(getenv, "FORECOURT_DB", defaultDB), "SQLite file `PATH` or postgres:// URL (env FORECOURT_DB)")
	withDemo := fs.Bool("demo", envBool(getenv, "FORECOURT_DEMO"), "load the demo data into an empty database (env FORECOURT_DEMO)")
	logFormat := fs.String("log-format", envOr(getenv, "FORECOURT_LOG_FORMAT", "text"), "log format: text or json (env FORECOURT_LOG_FORMAT)")
	debugAddr := fs.String("debug-addr", getenv("FORECOURT_DEBUG_ADDR"), "serve pprof on this `HOST:PORT` (env FORECOURT_DEBUG_ADDR; off when empty)")
	logLevel := fs.String("log-level", envOr(getenv, "FORECOURT_LOG_LEVEL", "info"), "log level: debug, info, warn, error (env FORECOURT_LOG_LEVEL)")
	if err := parse(fs, args); err != nil {
		return err
	}
	log, err := newLogger(getenv, stderr, *logFormat, *logLevel)
	if err != nil {
		return err
	}

	if getenv("GOGC") == "" {
		// The live heap is small (tens of MiB) and every request allocates
		// its JSON: collecting at 5× the live heap instead of 2× cuts the
		// collector's CPU from ~7 % to ~2 % under load. GOGC overrides it.
		debug.SetGCPercent(400)
	}
	st, err := store.Open(ctx, *dsn)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer func() {
		if err := st.Close(); err != nil {
			log.Error("close database", "err", err)
		}
	}()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reg.MustRegister(collectors.NewDBStatsCollector(st.DB(), "forecourt"))
	if _, ok := st.WriterStats(); ok {
		registerWriterMetrics(reg, st)
	}
	svc := core.NewService(st,
		core.WithLogger(log),
		core.WithDialer(telephony.LogDialer{Log: log}),
		core.WithObserver(server.NewLeadCounter(reg)),
	)

	if *withDemo {
		f, err := demo.Seed(ctx, svc, demo.Options{Leads: 50})
		switch {
		case errors.Is(err, demo.ErrNotEmpty):
			log.Info("demo data not loaded: the database already holds data")
		case err != nil:
			return fmt.Errorf("load demo data: %w", err)
		default:
			log.Info("demo data loaded", "dealer", f.DealerID, "user", demo.AdminUsername, "password", demo.AdminPassword, "leads", len(f.LeadIDs))
		}
	}

	if *debugAddr != "" {
		dbg := &http.Server{Addr: *debugAddr, Handler: debugMux(), ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := dbg.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("debug server", "err", err)
			}
		}()
		defer dbg.Close()
		log.Info("pprof", "addr", *debugAddr)
	}

	handler := server.New(server.Config{Service: svc, Logger: log, Registry: reg, Ready: st.Ping})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("listening", "addr", ln.Addr().String(), "db", redact(*dsn), "engine", st.Engine())

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// debugMux serves net/http/pprof, on its own listener so that it is never
// exposed with the APIs.
func debugMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// redact hides the password of a database URL in logs.
func redact(dsn string) string {
	if i := strings.Index(dsn, "://"); i >= 0 {
		if at := strings.LastIndex(dsn, "@"); at > i {
			cred := dsn[i+3 : at]
			if c := strings.Index(cred, ":"); c >= 0 {
				return dsn[:i+3] + cred[:c] + ":***" + dsn[at:]
			}
		}
	}
	return dsn
}

// registerWriterMetrics exports the counters of the SQLite write path: the
// writes per transaction tell how well concurrent requests are committed
// together, and the WAL's size whether checkpoints keep up.
func registerWriterMetrics(reg *prometheus.Registry, st *store.Store) {
	for _, m := range []struct {
		name, help string
		gauge      bool
		value      func(store.WriterStats) int64
	}{
		{"forecourt_sqlite_write_transactions_total", "Transactions of the SQLite writer: each commits a batch of concurrent writes, or indexes new leads for search.",
			false, func(w store.WriterStats) int64 { return w.Transactions }},
		{"forecourt_sqlite_writes_total", "Writes the SQLite writer committed in its transactions.",
			false, func(w store.WriterStats) int64 { return w.Writes }},
		{"forecourt_sqlite_checkpoints_total", "WAL checkpoints run beside the SQLite writer.",
			false, func(w store.WriterStats) int64 { return w.Checkpoints }},
		{"forecourt_sqlite_wal_frames", "Frames (pages) in the SQLite WAL at the last checkpoint.",
			true, func(w store.WriterStats) int64 { return w.WALFrames }},
	} {
		f := func() float64 { ws, _ := st.WriterStats(); return float64(m.value(ws)) }
		if m.gauge {
			reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: m.name, Help: m.help}, f))
		} else {
			reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: m.name, Help: m.help}, f))
		}
	}
}
