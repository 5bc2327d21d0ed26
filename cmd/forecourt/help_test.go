package main

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestHelpOnlyPrintsHelp asks every command and subcommand for its help, in
// every spelling, and checks that each prints it and succeeds without doing
// anything else. The context is already cancelled, and the folder the
// commands run in is empty with no FORECOURT_DB set: a command that went on
// past its help would open (and create) ./forecourt.db, or fail.
func TestHelpOnlyPrintsHelp(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	commands := [][]string{
		{"serve"}, {"migrate"}, {"dealer", "list"}, {"dealer", "add"}, {"user", "add"},
		{"user", "list"}, {"user", "deactivate"}, {"user", "logout"}, {"apikey", "create"}, {"apikey", "list"},
		{"apikey", "revoke"}, {"source", "add"}, {"source", "list"}, {"version"}, {"dealer"}, {"user"}, {"apikey"}, {"source"},
	}
	for _, cmd := range commands {
		name := strings.Join(cmd, " ")
		for _, args := range [][]string{
			append(slices.Clone(cmd), "-h"),
			append(slices.Clone(cmd), "--help"),
			append(slices.Clone(cmd), "-help"),
			append([]string{"help"}, cmd...),
		} {
			var out, errOut bytes.Buffer
			err := run(ctx, args, func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
			if err != nil {
				t.Errorf("%v: %v\n%s", args, err, errOut.String())
				continue
			}
			help := out.String() + errOut.String()
			if !strings.Contains(help, "usage: forecourt "+name) {
				t.Errorf("%v printed %q, want its usage", args, help)
			}
			if len(cmd) == 2 || cmd[0] == "serve" || cmd[0] == "migrate" {
				if !strings.Contains(help, "-db PATH") {
					t.Errorf("%v printed no flags: %q", args, help)
				}
			}
		}
	}
	for _, args := range [][]string{{"-h"}, {"--help"}, {"help"}} {
		var out bytes.Buffer
		if err := run(ctx, args, func(string) string { return "" }, strings.NewReader(""), &out, &out); err != nil || !strings.Contains(out.String(), "commands:") {
			t.Errorf("%v = %v, %q", args, err, out.String())
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("asking for help left %v in the folder", entries)
	}
}
