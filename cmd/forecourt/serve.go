package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"forecourt/internal/casabaca"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"golang.org/x/crypto/bcrypt"

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

// envInt returns the environment's integer for key, or def; a value that
// is not one is a usage error.
func envInt(getenv func(string) string, key string, def int) (int, error) {
	v := getenv(key)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, usageError{fmt.Sprintf("%s=%q: not a number", key, v)}
	}
	return n, nil
}

// envDuration returns the environment's duration for key (as "30s",
// "5m"), or def; a value that is not one is a usage error.
func envDuration(getenv func(string) string, key string, def time.Duration) (time.Duration, error) {
	v := getenv(key)
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, usageError{fmt.Sprintf("%s=%q: not a duration (e.g. 10s, 5m)", key, v)}
	}
	return d, nil
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

// parseArgs parses args as parse does, but returns the arguments that are
// not flags, which may come before, between or after them.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errHelp
			}
			return nil, usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos, args = append(pos, fs.Arg(0)), fs.Args()[1:]
	}
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
	defConns, err := envInt(getenv, "FORECOURT_DB_MAX_CONNS", store.DefaultMaxConns)
	if err != nil {
		return err
	}
	defIdle, err := envDuration(getenv, "FORECOURT_DB_MAX_IDLE_TIME", store.DefaultMaxIdleTime)
	if err != nil {
		return err
	}
	defTimeout, err := envDuration(getenv, "FORECOURT_DB_TIMEOUT", store.DefaultTimeout)
	if err != nil {
		return err
	}
	defHTTPConns, err := envInt(getenv, "FORECOURT_MAX_CONNS", defaultMaxConns)
	if err != nil {
		return err
	}
	httpConns := fs.Int("max-conns", defHTTPConns, "HTTP connections to serve at once at most, `N`; more wait in the kernel's accept queue until one closes\n"+
		"(env FORECOURT_MAX_CONNS)")
	maxConns := fs.Int("db-max-conns", defConns, "PostgreSQL: connections to open at most `N` (env FORECOURT_DB_MAX_CONNS)")
	maxIdle := fs.Duration("db-max-idle-time", defIdle, "PostgreSQL: close a connection idle for `DURATION`; 0 keeps them (env FORECOURT_DB_MAX_IDLE_TIME)")
	timeout := fs.Duration("db-timeout", defTimeout, "the longest one database operation may take, a `DURATION`: the wait for a connection and its statements\n"+
		"(PostgreSQL statement_timeout too), or SQLite's wait for another process's lock; past it a request answers 503;\n0 for no limit (env FORECOURT_DB_TIMEOUT)")
	defTokenIdle, err := envDuration(getenv, "FORECOURT_TOKEN_IDLE_TIME", core.DefaultTokenIdle)
	if err != nil {
		return err
	}
	defTokenAge, err := envDuration(getenv, "FORECOURT_TOKEN_MAX_AGE", core.DefaultTokenMaxAge)
	if err != nil {
		return err
	}
	tokenIdle := fs.Duration("token-idle-time", defTokenIdle, "a login token expires after `DURATION` without a request; 0: never (env FORECOURT_TOKEN_IDLE_TIME)")
	tokenAge := fs.Duration("token-max-age", defTokenAge, "a login token expires `DURATION` after its login, however used; 0: never (env FORECOURT_TOKEN_MAX_AGE)")
	publicURL := fs.String("public-url", getenv("FORECOURT_PUBLIC_URL"), "the `URL` clients reach the server at (scheme and host, e.g. https://crm.example.com): absolute links\n"+
		"start with it, and a request for another host is refused but for /healthz and /metrics; empty: links follow each\nrequest's Host header (env FORECOURT_PUBLIC_URL)")
	smtpHost := fs.String("smtp-host", getenv("FORECOURT_SMTP_HOST"), "send Casabaca's avalúos by e-mail through the SMTP server at `HOST`; empty: log them instead\n"+
		"(env FORECOURT_SMTP_HOST; the password is read from FORECOURT_SMTP_PASSWORD only)")
	defSMTPPort, err := envInt(getenv, "FORECOURT_SMTP_PORT", 587)
	if err != nil {
		return err
	}
	smtpPort := fs.Int("smtp-port", defSMTPPort, "the SMTP server's `PORT` (env FORECOURT_SMTP_PORT)")
	smtpUser := fs.String("smtp-username", getenv("FORECOURT_SMTP_USERNAME"), "log in to the SMTP server as `USER`; empty: no login (env FORECOURT_SMTP_USERNAME)")
	smtpFrom := fs.String("smtp-from", getenv("FORECOURT_SMTP_FROM"), "the sender `ADDRESS` of the e-mails (env FORECOURT_SMTP_FROM)")
	smtpTLS := fs.String("smtp-tls", envOr(getenv, "FORECOURT_SMTP_TLS", "mandatory"), "TLS to the SMTP server: mandatory (STARTTLS), opportunistic, tls (implicit) or none (env FORECOURT_SMTP_TLS)")
	if err := parse(fs, args); err != nil {
		return err
	}
	var mailer casabaca.Mailer
	if *smtpHost != "" {
		m, err := casabaca.NewSMTPMailer(casabaca.SMTPConfig{Host: *smtpHost, Port: *smtpPort, Username: *smtpUser,
			Password: getenv("FORECOURT_SMTP_PASSWORD"), From: *smtpFrom, TLS: *smtpTLS})
		if err != nil {
			return usageError{"--smtp-*: " + err.Error()}
		}
		mailer = m
	}
	if *maxConns < 1 || *maxIdle < 0 || *timeout < 0 {
		return usageError{"--db-max-conns must be positive, --db-max-idle-time and --db-timeout not negative"}
	}
	if *httpConns < 1 {
		return usageError{"--max-conns must be positive"}
	}
	if *tokenIdle < 0 || *tokenAge < 0 {
		return usageError{"--token-idle-time and --token-max-age must not be negative"}
	}
	var public *url.URL
	if *publicURL != "" {
		if public, err = server.ParsePublicURL(*publicURL); err != nil {
			return usageError{err.Error()}
		}
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
	if warn := plaintextRisk(*dsn, getenv); warn != "" {
		log.Warn(warn, "db", redact(*dsn))
	}
	st, err := store.Open(ctx, *dsn, store.AsServer(), store.WithLogger(log),
		store.WithMaxConns(*maxConns), store.WithMaxIdleTime(*maxIdle), store.WithTimeout(*timeout))
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
	svcOpts := []core.Option{
		core.WithLogger(log),
		core.WithDialer(telephony.LogDialer{Log: log}),
		core.WithObserver(server.NewLeadCounter(reg)),
		core.WithTokenLifetime(*tokenIdle, *tokenAge),
	}
	svc := core.NewService(st, svcOpts...)

	if *withDemo {
		// Under a lock of the database: of servers started together on an
		// empty database, one loads the demo and the others find it loaded.
		// The demo's users have passwords published in its source (and
		// logged below): a costly hash of them protects nothing, so they are
		// hashed at bcrypt's minimum (a quarter of the CPU of the tests that
		// start demo servers went to them under the race detector).
		// Passwords set later go through svc, at its cost.
		seeder := core.NewService(st, append(svcOpts, core.WithPasswordCost(bcrypt.MinCost))...)
		var f demo.Fixture
		err := st.Exclusively(ctx, func() (err error) {
			f, err = demo.Seed(ctx, seeder, demo.Options{Leads: 50, WalcuKinds: true})
			return err
		})
		switch {
		case errors.Is(err, demo.ErrNotEmpty):
			log.Info("demo data not loaded: the database already holds data")
		case err != nil:
			return fmt.Errorf("load demo data: %w", err)
		default:
			log.Info("demo data loaded", "dealer", f.DealerID, "user", demo.AdminUsername, "password", demo.AdminPassword, "leads", len(f.LeadIDs)+len(f.WalcuLeadIDs))
		}
	}

	if *debugAddr != "" {
		dbgLn, err := net.Listen("tcp", *debugAddr)
		if err != nil {
			return fmt.Errorf("debug server: %w", err)
		}
		// an operator's profiler needs a few connections, never thousands
		dbg := &http.Server{Handler: debugMux(), ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: 64 << 10}
		go func() {
			if err := dbg.Serve(newLimitListener(dbgLn, debugMaxConns)); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("debug server", "err", err)
			}
		}()
		defer dbg.Close()
		log.Info("pprof", "addr", dbgLn.Addr().String())
	}

	handler := server.New(server.Config{Service: svc, Logger: log, Registry: reg, Ready: st.Ping, PublicURL: public, Mailer: mailer})
	tcp, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	ln := newLimitListener(tcp, *httpConns)
	ln.full = everyMinute(time.Now, func() {
		log.Warn("connection limit reached: new connections wait for one to close (at most one such warning a minute)", "max_conns", *httpConns)
	})
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
	// Stopped after the HTTP server drained, before the store closes
	// (stopping twice is harmless).
	stopJobs := startJobs(ctx, st, svc, log)
	defer stopJobs()
	attrs := []any{"addr", ln.Addr().String(), "db", redact(*dsn), "engine", st.Engine()}
	if public != nil {
		attrs = append(attrs, "public_url", public.String())
	}
	log.Info("listening", attrs...)

	var failed error
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	case <-st.Done():
		// Another forecourt changed the schema: serve nothing more on it.
		failed = fmt.Errorf("database: %w", st.Err())
		log.Error("stopping: the database can no longer be served", "err", st.Err())
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	stopJobs()
	log.Info("stopped")
	return failed
}

// debugMaxConns bounds the connections of the debug (pprof) listener.
const debugMaxConns = 8

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

// secretParams are the query parameters of a database URL that hold a
// secret (libpq's and pgx's names, compared lower-cased).
var secretParams = []string{"password", "sslpassword", "pass", "pwd", "secret", "token", "key"}

// redact hides every secret of a database URL, for logs: the password of
// its user information and the value of any query parameter whose name
// holds a secret's (password, sslpassword…). A URL it cannot parse is
// hidden after its scheme, since where its secrets lie cannot be told.
func redact(dsn string) string {
	i := strings.Index(dsn, "://")
	if i < 0 {
		return dsn // a SQLite path
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn[:i+3] + "***"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "***")
	}
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		for j, p := range parts {
			k, _, ok := strings.Cut(p, "=")
			name, err := url.QueryUnescape(k)
			if err != nil {
				name = k
			}
			name = strings.ToLower(name)
			for _, s := range secretParams {
				if strings.Contains(name, s) {
					if ok {
						parts[j] = k + "=***"
					}
					break
				}
			}
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	out := u.String()
	// url.URL escapes the asterisks of a redacted password
	return strings.Replace(out, ":%2A%2A%2A@", ":***@", 1)
}

// plaintextRisk returns a warning when a PostgreSQL URL lets the
// connection go unencrypted or unauthenticated to a host that is not this
// machine: pgx's default sslmode, prefer, falls back to plaintext, and no
// mode below verify-full checks whose certificate it is.
func plaintextRisk(dsn string, getenv func(string) string) string {
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return ""
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return ""
	}
	mode := u.Query().Get("sslmode")
	if mode == "" {
		mode = getenv("PGSSLMODE")
	}
	if mode == "verify-full" {
		return ""
	}
	hosts := u.Query().Get("host")
	if hosts == "" {
		hosts = u.Hostname()
	}
	remote := false
	for _, h := range strings.Split(hosts, ",") {
		h = strings.TrimSpace(h)
		if hp, _, err := net.SplitHostPort(h); err == nil {
			h = hp
		}
		ip := net.ParseIP(h)
		if h != "" && !strings.HasPrefix(h, "/") && h != "localhost" && (ip == nil || !ip.IsLoopback()) {
			remote = true
		}
	}
	if !remote {
		return ""
	}
	if mode == "" {
		mode = "prefer (the default)"
	}
	return "database connection: sslmode=" + mode + " may fall back to plaintext or accept any certificate; use sslmode=verify-full"
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
