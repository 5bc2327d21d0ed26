package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/store"
)

// withService opens the database named by --db and runs fn with a Service
// over it.
func withService(ctx context.Context, dsn string, fn func(*core.Service) error) error {
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	svc := core.NewService(st, core.WithLogger(slog.New(slog.DiscardHandler)))
	err = fn(svc)
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	return err
}

func dbFlag(fs *flag.FlagSet, getenv func(string) string) *string {
	return fs.String("db", envOr(getenv, "FORECOURT_DB", defaultDB), "SQLite file `PATH` or postgres:// URL (env FORECOURT_DB)")
}

// describe turns a core error into a message for the operator.
func describe(err error) error {
	if e, ok := err.(*core.Error); ok && len(e.Fields) > 0 {
		var parts []string
		for k, v := range e.Fields {
			parts = append(parts, k+": "+v)
		}
		return fmt.Errorf("%s (%s)", e.Message, strings.Join(parts, ", "))
	}
	return err
}

func migrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("migrate", stderr)
	dsn := dbFlag(fs, getenv)
	if err := parse(fs, args); err != nil {
		return err
	}
	return withService(ctx, *dsn, func(*core.Service) error {
		fmt.Fprintln(stdout, "database is up to date")
		return nil
	})
}

func dealerList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("dealer list", stderr)
	dsn := dbFlag(fs, getenv)
	if err := parse(fs, args); err != nil {
		return err
	}
	return withService(ctx, *dsn, func(svc *core.Service) error {
		ds, err := svc.AllDealers(ctx)
		if err != nil {
			return err
		}
		w := bufio.NewWriter(stdout)
		for _, d := range ds {
			fmt.Fprintf(w, "%d\t%s\t%s\n", d.ID, d.Name, d.Country)
		}
		return w.Flush()
	})
}

func dealerAdd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("dealer add", stderr)
	dsn := dbFlag(fs, getenv)
	name := fs.String("name", "", "the dealer's `NAME` (required)")
	country := fs.String("country", "ES", "ISO 3166-1 alpha-2 `CODE`")
	tz := fs.String("timezone", "", "IANA time `ZONE` (default: the country's)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *name == "" {
		return usageError{"dealer add: --name is required"}
	}
	return withService(ctx, *dsn, func(svc *core.Service) error {
		d, err := svc.CreateDealer(ctx, core.Dealer{Name: *name, Country: *country, TimeZone: *tz})
		if err != nil {
			return describe(err)
		}
		fmt.Fprintln(stdout, d.ID)
		return nil
	})
}

// idList is a repeatable or comma-separated flag of ids.
type idList []int64

func (l *idList) String() string {
	parts := make([]string, len(*l))
	for i, id := range *l {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

func (l *idList) Set(s string) error {
	for _, p := range strings.Split(s, ",") {
		id, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64)
		if err != nil || id <= 0 {
			return fmt.Errorf("not an id: %q", p)
		}
		*l = append(*l, id)
	}
	return nil
}

func userAdd(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("user add", stderr)
	dsn := dbFlag(fs, getenv)
	username := fs.String("username", "", "login `NAME` (default: the e-mail)")
	email := fs.String("email", "", "e-mail `ADDRESS`")
	password := fs.String("password", getenv("FORECOURT_PASSWORD"), "`PASSWORD` (env FORECOURT_PASSWORD)")
	passwordStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	first := fs.String("first-name", "", "first `NAME`")
	last := fs.String("last-name", "", "last `NAME`")
	phone := fs.String("phone", "", "`PHONE` number")
	ext := fs.String("extension", "", "click-to-call `EXTENSION`")
	admin := fs.Bool("admin", false, "make the user an administrator of his dealers")
	manager := fs.Bool("business-manager", false, "make the user business manager of his dealers")
	var dealers idList
	fs.Var(&dealers, "dealer", "dealer `ID` the user belongs to (repeat or comma-separate for several)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *passwordStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("read password: %w", err)
		}
		*password = strings.TrimRight(line, "\r\n")
	}
	if *username == "" && *email == "" {
		return usageError{"user add: --username or --email is required"}
	}
	if *password == "" {
		return usageError{"user add: a password is required (--password, --password-stdin or FORECOURT_PASSWORD)"}
	}
	u := core.User{Username: *username, Email: *email, FirstName: *first, LastName: *last, Phone: *phone,
		Click2CallID: *ext, IsActive: true, IsAdmin: *admin}
	for _, id := range dealers {
		u.Memberships = append(u.Memberships, core.Membership{DealerID: id, IsAdmin: *admin, IsBusinessManager: *manager})
	}
	return withService(ctx, *dsn, func(svc *core.Service) error {
		created, err := svc.CreateUser(ctx, u, *password)
		if err != nil {
			return describe(err)
		}
		fmt.Fprintln(stdout, created.ID)
		return nil
	})
}

func userList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("user list", stderr)
	dsn := dbFlag(fs, getenv)
	var dealers idList
	fs.Var(&dealers, "dealer", "only members of dealer `ID`")
	if err := parse(fs, args); err != nil {
		return err
	}
	return withService(ctx, *dsn, func(svc *core.Service) error {
		ids := []int64(dealers)
		if len(ids) == 0 {
			ds, err := svc.AllDealers(ctx)
			if err != nil {
				return err
			}
			for _, d := range ds {
				ids = append(ids, d.ID)
			}
		}
		if len(ids) == 0 {
			return nil
		}
		us, err := svc.UsersOfDealers(ctx, ids)
		if err != nil {
			return err
		}
		w := bufio.NewWriter(stdout)
		for _, u := range us {
			fmt.Fprintf(w, "%d\t%s\t%s\n", u.ID, u.Username, (*idList)(ptr(u.DealerIDs())).String())
		}
		return w.Flush()
	})
}

func ptr[T any](v T) *T { return &v }

func apikeyCreate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("apikey create", stderr)
	dsn := dbFlag(fs, getenv)
	dealer := fs.Int64("dealer", 0, "dealer `ID` the key belongs to (required)")
	user := fs.Int64("user", 0, "user `ID` the key acts as (optional; a member of the dealer)")
	name := fs.String("name", "", "a `NAME` to recognise the key by")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *dealer <= 0 {
		return usageError{"apikey create: --dealer is required"}
	}
	var uid *int64
	if *user > 0 {
		uid = user
	}
	return withService(ctx, *dsn, func(svc *core.Service) error {
		key, _, err := svc.CreateAPIKey(ctx, *dealer, uid, *name)
		if err != nil {
			return describe(err)
		}
		fmt.Fprintln(stdout, key)
		return nil
	})
}

func clientMerge(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("client merge", stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: forecourt client merge --dealer ID [flags] KEEP DROP\n\n"+
			"Merges client DROP into client KEEP, both of the dealer: DROP's leads become KEEP's,\n"+
			"KEEP's empty fields take DROP's values, DROP is deleted, and the leads' histories say so.\n"+
			"Prints the kept client: id, name, phone, e-mail.\n\n")
		fs.PrintDefaults()
	}
	dsn := dbFlag(fs, getenv)
	dealer := fs.Int64("dealer", 0, "dealer `ID` both clients belong to (required)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if *dealer <= 0 {
		return usageError{"client merge: --dealer is required"}
	}
	if len(pos) != 2 {
		return usageError{"client merge: give the client to keep and the client to drop: KEEP DROP"}
	}
	var ids [2]int64
	for i, a := range pos {
		if ids[i], err = strconv.ParseInt(a, 10, 64); err != nil || ids[i] <= 0 {
			return usageError{fmt.Sprintf("client merge: bad client id %q", a)}
		}
	}
	return withService(ctx, *dsn, func(svc *core.Service) error {
		c, err := svc.MergeClients(ctx, *dealer, ids[0], ids[1])
		if err != nil {
			return describe(err)
		}
		fmt.Fprintf(stdout, "%d\t%s\t%s\t%s\n", c.ID, c.Name, c.Phone, c.Email)
		return nil
	})
}

// parseID parses a command's flags around its one argument, a positive id
// (flags may come before or after it), and returns the id.
func parseID(fs *flag.FlagSet, args []string, what string) (int64, error) {
	rest, err := parseArgs(fs, args)
	if err != nil {
		return 0, err
	}
	if len(rest) != 1 {
		return 0, usageError{fmt.Sprintf("%s: give one %s ID", fs.Name(), what)}
	}
	id, err := strconv.ParseInt(rest[0], 10, 64)
	if err != nil || id <= 0 {
		return 0, usageError{fmt.Sprintf("%s: not an id: %q", fs.Name(), rest[0])}
	}
	return id, nil
}

// sessions says how many sessions: "1 session", "2 sessions".
func sessions(n int) string {
	if n == 1 {
		return "1 session"
	}
	return strconv.Itoa(n) + " sessions"
}

// stamp renders a time for an operator: UTC, to the second.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func apikeyList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("apikey list", stderr)
	dsn := dbFlag(fs, getenv)
	var dealers idList
	fs.Var(&dealers, "dealer", "only the keys of dealer `ID` (repeat or comma-separate for several)")
	if err := parse(fs, args); err != nil {
		return err
	}
	return withService(ctx, *dsn, func(svc *core.Service) error {
		keys, err := svc.APIKeys(ctx, dealers)
		if err != nil {
			return err
		}
		w := bufio.NewWriter(stdout)
		for _, k := range keys {
			user, state := "-", "active"
			if k.UserID != nil {
				user = strconv.FormatInt(*k.UserID, 10)
			}
			if k.RevokedAt != nil {
				state = "revoked " + stamp(*k.RevokedAt)
			}
			name := k.Name
			if name == "" {
				name = "-"
			}
			fmt.Fprintf(w, "%d\t%d\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.DealerID, user, k.Prefix, name, stamp(k.CreatedAt), state)
		}
		return w.Flush()
	})
}

func apikeyRevoke(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("apikey revoke", stderr)
	fs.Usage = idUsage(fs, "apikey revoke", "ID", "revoke API key ID (see 'forecourt apikey list'): a running server refuses it at once on PostgreSQL,\nwithin 2 s on SQLite (its cache of credentials)")
	dsn := dbFlag(fs, getenv)
	id, err := parseID(fs, args, "API key")
	if err != nil {
		return err
	}
	return withService(ctx, *dsn, func(svc *core.Service) error {
		k, err := svc.RevokeAPIKey(ctx, id)
		if err != nil {
			return describe(err)
		}
		fmt.Fprintf(stdout, "API key %d (%s) of dealer %d revoked at %s\n", k.ID, k.Prefix, k.DealerID, stamp(*k.RevokedAt))
		return nil
	})
}

// idUsage is the usage of a command that takes one ID argument.
func idUsage(fs *flag.FlagSet, name, arg, what string) func() {
	return func() {
		fmt.Fprintf(fs.Output(), "usage: forecourt %s [flags] %s\n\n%s\n\nflags:\n", name, arg, what)
		fs.PrintDefaults()
	}
}

func userDeactivate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("user deactivate", stderr)
	fs.Usage = idUsage(fs, "user deactivate", "ID", "deactivate user ID: he can no longer log in, his sessions end and his tokens are revoked;\nAPI keys bound to him go on working for their dealer as no user (revoke them to stop them)")
	dsn := dbFlag(fs, getenv)
	id, err := parseID(fs, args, "user")
	if err != nil {
		return err
	}
	return withService(ctx, *dsn, func(svc *core.Service) error {
		d, err := svc.DeactivateUser(ctx, id)
		if err != nil {
			return describe(err)
		}
		fmt.Fprintf(stdout, "user %d deactivated; %s ended\n", id, sessions(d.Sessions))
		for _, k := range d.APIKeys {
			fmt.Fprintf(stdout, "API key %d (%s) of dealer %d now acts as no user; 'forecourt apikey revoke %d' stops it\n", k.ID, k.Prefix, k.DealerID, k.ID)
		}
		return nil
	})
}

func userActivate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("user activate", stderr)
	fs.Usage = idUsage(fs, "user activate", "ID", "activate deactivated user ID again: he may log in (his old tokens stay revoked)")
	dsn := dbFlag(fs, getenv)
	id, err := parseID(fs, args, "user")
	if err != nil {
		return err
	}
	return withService(ctx, *dsn, func(svc *core.Service) error {
		was, err := svc.ActivateUser(ctx, id)
		if err != nil {
			return describe(err)
		}
		if was {
			fmt.Fprintf(stdout, "user %d activated\n", id)
		} else {
			fmt.Fprintf(stdout, "user %d was active already\n", id)
		}
		return nil
	})
}

func userLogout(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("user logout", stderr)
	fs.Usage = idUsage(fs, "user logout", "ID", "end every session of user ID and revoke his tokens; he may log in again")
	dsn := dbFlag(fs, getenv)
	id, err := parseID(fs, args, "user")
	if err != nil {
		return err
	}
	return withService(ctx, *dsn, func(svc *core.Service) error {
		n, err := svc.EndUserSessions(ctx, id)
		if err != nil {
			return describe(err)
		}
		fmt.Fprintf(stdout, "%s of user %d ended\n", sessions(n), id)
		return nil
	})
}

func sourceAdd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("source add", stderr)
	dsn := dbFlag(fs, getenv)
	dealer := fs.Int64("dealer", 0, "dealer `ID` the source belongs to (required)")
	slugs := make([]string, len(core.WellKnownChannels))
	for i, c := range core.WellKnownChannels {
		slugs[i] = c.Slug
	}
	channel := fs.String("channel", "", "the channel's `SLUG`: "+strings.Join(slugs, ", ")+" (required)")
	origin := fs.String("origin", "", "the origin's `NAME` (coches.net, the dealer's web…), created when none has it (required)")
	data := fs.String("data", "", "the number, address or form leads come in on, as `TEXT`")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *dealer <= 0 || *channel == "" || *origin == "" {
		return usageError{"source add: --dealer, --channel and --origin are required"}
	}
	return withService(ctx, *dsn, func(svc *core.Service) error {
		src, err := svc.AddSource(ctx, core.SourceSpec{DealerID: *dealer, Channel: *channel, Origin: *origin, Data: *data})
		if err != nil {
			return describe(err)
		}
		fmt.Fprintln(stdout, src.ID)
		return nil
	})
}

func sourceList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("source list", stderr)
	dsn := dbFlag(fs, getenv)
	var dealers idList
	fs.Var(&dealers, "dealer", "only the sources of dealer `ID` (repeat or comma-separate for several)")
	if err := parse(fs, args); err != nil {
		return err
	}
	return withService(ctx, *dsn, func(svc *core.Service) error {
		srcs, err := svc.SourcesOfDealers(ctx, dealers)
		if err != nil {
			return err
		}
		cs, err := svc.AllChannels(ctx)
		if err != nil {
			return err
		}
		os, err := svc.AllOrigins(ctx)
		if err != nil {
			return err
		}
		slug := map[int64]string{}
		for _, c := range cs {
			slug[c.ID] = c.Slug
		}
		name := map[int64]string{}
		for _, o := range os {
			name[o.ID] = o.Name
		}
		w := bufio.NewWriter(stdout)
		for _, s := range srcs {
			fmt.Fprintf(w, "%d\t%d\t%s\t%s\t%s\n", s.ID, s.DealerID, slug[s.ChannelID], name[s.OriginID], s.Data)
		}
		return w.Flush()
	})
}
