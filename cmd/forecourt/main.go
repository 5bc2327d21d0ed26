// Command forecourt is the lead-management server for car dealers and its
// operator commands.
//
//	forecourt serve --addr HOST:PORT --db PATH_OR_URL [--demo] [--db-max-conns N] [--db-max-idle-time D] [--db-timeout D]
//		[--public-url URL] [--token-idle-time D] [--token-max-age D] [--max-conns N]
//	forecourt migrate --db PATH_OR_URL
//	forecourt dealer list --db …
//	forecourt dealer add --db … --name NAME [--country ES] [--timezone Europe/Madrid]
//	forecourt user add --db … --username U --password P [--dealer ID] [--admin] …
//	forecourt user list --db … [--dealer ID]
//	forecourt user deactivate --db … ID
//	forecourt user activate --db … ID
//	forecourt user logout --db … ID
//	forecourt apikey create --db … --dealer ID [--user ID] [--name NAME]
//	forecourt apikey list --db … [--dealer ID]
//	forecourt apikey revoke --db … ID
//	forecourt source add --db … --dealer ID --channel SLUG --origin NAME [--data TEXT]
//	forecourt source list --db … [--dealer ID]
//	forecourt client merge --db … --dealer ID KEEP DROP
//
// Every flag can also come from the environment: FORECOURT_ADDR, FORECOURT_DB,
// FORECOURT_DEMO, FORECOURT_LOG_FORMAT, FORECOURT_LOG_LEVEL,
// FORECOURT_MAX_CONNS, FORECOURT_DB_MAX_CONNS, FORECOURT_DB_MAX_IDLE_TIME, FORECOURT_DB_TIMEOUT,
// FORECOURT_PUBLIC_URL, FORECOURT_TOKEN_IDLE_TIME, FORECOURT_TOKEN_MAX_AGE,
// FORECOURT_PASSWORD. 'forecourt <command> -h' prints a command's flags.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
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
  serve            run the HTTP server (--addr, --db, --demo)
  migrate          apply database migrations and exit (--db)
  dealer list      list dealers, one a line: id, name, country
  dealer add       create a dealer and print its id
  user add         create a user and print its id
  user list        list users, one a line: id, username, dealers
  user deactivate  deactivate a user: no login, sessions ended, tokens revoked
  user activate    activate a deactivated user again: he may log in
  user logout      end every session of a user and revoke his tokens
  apikey create    create an API key for a dealer and print it alone
  apikey list      list API keys, one a line: id, dealer, user, prefix, name, created, state
  apikey revoke    revoke an API key
  source add       add a source (channel and origin) to a dealer and print its id
  source list      list sources, one a line: id, dealer, channel, origin, data
  client merge     merge two clients of a dealer (one person) into one
  version          print the version
  help [command]   print this, or a command's flags (as 'forecourt <command> -h')

Run 'forecourt <command> -h' for a command's flags.`

// groups are the commands that only name a group of subcommands, with the
// subcommands each has.
var groups = map[string][]string{
	"dealer": {"list", "add"},
	"user":   {"add", "list", "deactivate", "activate", "logout"},
	"apikey": {"create", "list", "revoke"},
	"source": {"add", "list"},
	"client": {"merge"},
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "help":
		return true
	}
	return false
}

// run is the whole program: args without the program name, the environment
// through getenv, and its standard streams.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	err := dispatch(ctx, args, getenv, stdin, stdout, stderr)
	if errors.Is(err, errHelp) {
		return nil // the help was printed, and nothing else done
	}
	return err
}

func dispatch(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return usageError{"no command given"}
	}
	cmd, rest := args[0], args[1:]
	if cmd == "help" && len(rest) > 0 {
		// "forecourt help dealer add" is "forecourt dealer add -h"
		return dispatch(ctx, append(rest, "-h"), getenv, stdin, stdout, stderr)
	}
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
	case cmd == "user" && sub == "deactivate":
		return userDeactivate(ctx, rest[1:], getenv, stdout, stderr)
	case cmd == "user" && sub == "activate":
		return userActivate(ctx, rest[1:], getenv, stdout, stderr)
	case cmd == "user" && sub == "logout":
		return userLogout(ctx, rest[1:], getenv, stdout, stderr)
	case cmd == "apikey" && sub == "create":
		return apikeyCreate(ctx, rest[1:], getenv, stdout, stderr)
	case cmd == "apikey" && sub == "list":
		return apikeyList(ctx, rest[1:], getenv, stdout, stderr)
	case cmd == "apikey" && sub == "revoke":
		return apikeyRevoke(ctx, rest[1:], getenv, stdout, stderr)
	case cmd == "source" && sub == "add":
		return sourceAdd(ctx, rest[1:], getenv, stdout, stderr)
	case cmd == "source" && sub == "list":
		return sourceList(ctx, rest[1:], getenv, stdout, stderr)
	case cmd == "client" && sub == "merge":
		return clientMerge(ctx, rest[1:], getenv, stdout, stderr)
	case cmd == "version":
		fs := newFlags("version", stderr)
		if err := parse(fs, rest); err != nil {
			return err
		}
		fmt.Fprintln(stdout, version())
		return nil
	case isHelp(cmd):
		fmt.Fprintln(stdout, usage)
		return nil
	case groups[cmd] != nil && len(rest) > 0 && isHelp(rest[0]):
		// "forecourt dealer -h": the group's subcommands
		fmt.Fprintf(stdout, "usage: forecourt %s <%s> [flags]\n\nRun 'forecourt %s <subcommand> -h' for a subcommand's flags.\n",
			cmd, strings.Join(groups[cmd], "|"), cmd)
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
