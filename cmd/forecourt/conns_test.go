package main

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMaxConns holds the two connections --max-conns 2 allows, each after
// a request answered (so both are accepted, idle between requests), and
// checks that a third client's request is not answered while both are
// held, then is once one closes. Without the limit the third is answered
// at once.
func TestMaxConns(t *testing.T) {
	base, _, logs := startServerLogged(t, "--db", filepath.Join(t.TempDir(), "conns.db"), "--max-conns", "2")
	addr := strings.TrimPrefix(base, "http://")
	var held []net.Conn
	for i := 0; i < 2; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Write([]byte("GET /healthz HTTP/1.1\r\nHost: " + addr + "\r\n\r\n")); err != nil {
			t.Fatal(err)
		}
		c.SetReadDeadline(time.Now().Add(30 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("held connection %d: %v", i, err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Close {
			t.Fatalf("held connection %d: %d, close %v", i, resp.StatusCode, resp.Close)
		}
		held = append(held, c)
	}

	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	answered := make(chan error, 1)
	go func() {
		resp, err := client.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != 200 {
				err = &statusError{resp.StatusCode}
			}
		}
		answered <- err
	}()
	// Not answered yet: the deadline only detects it, however fast the
	// server would otherwise have been (it answers /healthz in well under
	// a millisecond).
	select {
	case err := <-answered:
		t.Fatalf("a third request was answered while two connections were held (err %v)", err)
	case <-time.After(500 * time.Millisecond):
	}
	held[0].Close()
	select {
	case err := <-answered:
		if err != nil {
			t.Fatalf("the third request, after a held connection closed: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the third request was not answered after a held connection closed")
	}
	// the operator is told, once
	warned := 0
	for _, l := range logs.Lines() {
		if strings.Contains(l, "connection limit reached") && strings.Contains(l, "max_conns=2") {
			warned++
		}
	}
	if warned != 1 {
		t.Errorf("the limit was logged %d times, want once: %q", warned, logs.Lines())
	}
}

type statusError struct{ code int }

func (e *statusError) Error() string { return "status " + http.StatusText(e.code) }

// TestMaxConnsFlag checks --max-conns' and FORECOURT_MAX_CONNS's
// validation: below 1, or not a number, the server refuses to start with
// a usage error.
func TestMaxConnsFlag(t *testing.T) {
	db := filepath.Join(t.TempDir(), "flag.db")
	for _, c := range []struct {
		env  map[string]string
		args []string
	}{
		{nil, []string{"--max-conns", "0"}},
		{nil, []string{"--max-conns", "-1"}},
		{nil, []string{"--max-conns", "many"}},
		{map[string]string{"FORECOURT_MAX_CONNS": "0"}, nil},
		{map[string]string{"FORECOURT_MAX_CONNS": "many"}, nil},
	} {
		err := serveOnce(c.env, append([]string{"--db", db}, c.args...)...)
		if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), "max-conns") && !strings.Contains(err.Error(), "MAX_CONNS") {
			t.Errorf("%v %v: %v, want a usage error naming it", c.env, c.args, err)
		}
	}
	// The environment's value is applied: with 1, a held connection keeps a
	// second client's request waiting.
	base, stop, _, err := launchServer(map[string]string{"FORECOURT_MAX_CONNS": "1"}, "--db", db)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	c, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"))
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	if resp, err := http.ReadResponse(bufio.NewReader(c), nil); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 300 * time.Millisecond}
	if resp, err := client.Get(base + "/healthz"); err == nil {
		resp.Body.Close()
		t.Errorf("FORECOURT_MAX_CONNS=1 not applied: a second client was answered %d while a connection was held", resp.StatusCode)
	}
}

// TestMaxConnsHelp: `serve -h` lists --max-conns, its environment variable
// and its default.
func TestMaxConnsHelp(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"serve", "-h"}, func(string) string { return "" }, strings.NewReader(""), &out, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"-max-conns N", "FORECOURT_MAX_CONNS", "(default 4096)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("serve -h lacks %q:\n%s", want, out.String())
		}
	}
}

// TestDebugMaxConns: the pprof listener (--debug-addr) holds at most
// debugMaxConns connections; past them a request waits.
func TestDebugMaxConns(t *testing.T) {
	_, _, logs := startServerLogged(t, "--db", filepath.Join(t.TempDir(), "debug.db"), "--debug-addr", "127.0.0.1:0")
	var addr string
	for _, l := range logs.Lines() {
		if _, a, ok := strings.Cut(l, "msg=pprof addr="); ok {
			addr = a
		}
	}
	if addr == "" {
		t.Fatalf("no pprof address logged: %q", logs.Lines())
	}
	get := func(c net.Conn) error {
		if _, err := c.Write([]byte("GET /debug/pprof/cmdline HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
			return err
		}
		c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			return err
		}
		return resp.Body.Close()
	}
	for i := 0; i <= debugMaxConns; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		err = get(c)
		if i < debugMaxConns && err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
		if i == debugMaxConns && err == nil {
			t.Fatalf("connection %d answered while %d were held", i, debugMaxConns)
		}
	}
}
