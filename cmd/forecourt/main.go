// Command forecourt is the lead-management server for car dealers and its
// operator commands.
//
//	forecourt serve --addr HOST:PORT --db PATH_OR_URL [--demo]
//	forecourt migrate --db PATH_OR_URL
//	forecourt dealer list --db …
//	forecourt dealer add --db … --name NAME [--country ES] [--timezone Europe/Madrid]
//	forecourt user add --db … --username U --password P [--dealer ID] [--admin] …
//	forecourt user list --db … [--dealer ID]
//	forecourt apikey create --db … --dealer ID [--user ID] [--name NAME]
//
// Every flag can also come from the environment: FORECOURT_ADDR, FORECOURT_DB,
// FORECOURT_DEMO, FORECOURT_LOG_FORMAT, FORECOURT_LOG_LEVEL, FORECOURT_PASSWORD.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // dealers' time zones work on machines without zoneinfo
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "forecourt:", err)
		os.Exit(exitCode(err))
	}
}

// usageError is an error in the command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func exitCode(err error) int {
	if _, ok := err.(usageError); ok {
		return 2
	}
	return 1
}

const usage = `usage: forecourt <command> [flags]

commands:
  serve          run the HTTP server (--addr, --db, --demo)
  migrate        apply database migrations and exit (--db)
  dealer list    list dealers, one a line: id, name, country
  dealer add     create a dealer and print its id
  user add       create a user and print its id
  user list      list users, one a line: id, username, dealers
  apikey create  create an API key for a dealer and print it alone
  version        print the version

Run 'forecourt <command> -h' for a command's flags.`

// run is the whole program: args without the program name, the environment
// through getenv, and its standard streams.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return usageError{"no command given"}
	}
	cmd, rest := args[0], args[1:]
	sub := ""
	if len(rest) > 0 && len(rest[0]) > 0 && rest[0][0] != '-' {
		sub = rest[0]
	}
	switch {
	case cmd == "serve":
		return serve(ctx, rest, getenv, stdout, stderr)
	case cmd == "migrate":
		return migrate(ctx, rest, getenv, stdout, stderr)
	case cmd == "dealer" && sub == "list":
		return dealerList(ctx, rest[1:], getenv, stdout, stderr)
	case cmd == "dealer" && sub == "add":
		return dealerAdd(ctx, rest[1:], getenv, stdout, stderr)
	case cmd == "user" && sub == "add":
		return userAdd(ctx, rest[1:], getenv, stdin, stdout, stderr)
	case cmd == "user" && sub == "list":
		return userList(ctx, rest[1:], getenv, stdout, stderr)
	case cmd == "apikey" && sub == "create":
		return apikeyCreate(ctx, rest[1:], getenv, stdout, stderr)
	case cmd == "version":
		fmt.Fprintln(stdout, version())
		return nil
	case cmd == "help" || cmd == "-h" || cmd == "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	fmt.Fprintln(stderr, usage)
	return usageError{fmt.Sprintf("unknown command %q", joinNonEmpty(cmd, sub))}
}

func joinNonEmpty(a, b string) string {
	if b == "" {
		return a
	}
	return a + " " + b
}
