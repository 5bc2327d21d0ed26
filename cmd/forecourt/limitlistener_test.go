package main

import (
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// TestLimitListener: with one slot, a second Accept waits while the first
// connection is open, even closed twice it frees one slot only, and
// closing the listener ends an Accept waiting for a slot (as http.Server's
// Shutdown needs).
func TestLimitListener(t *testing.T) {
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := newLimitListener(tcp, 1)
	var fulls atomic.Int32
	ln.full = func() { fulls.Add(1) }
	defer ln.Close()
	for i := 0; i < 3; i++ {
		c, err := net.Dial("tcp", tcp.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	first, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan net.Conn, 2)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
		}
	}()
	select {
	case <-accepted:
		t.Fatal("a second connection was accepted while the first was open")
	case <-time.After(200 * time.Millisecond):
	}
	if n := fulls.Load(); n != 1 {
		t.Errorf("the limit was reported full %d times while one Accept waited, want 1", n)
	}
	first.Close()
	first.Close()
	var second net.Conn
	select {
	case second = <-accepted:
	case <-time.After(30 * time.Second):
		t.Fatal("no second connection after the first closed")
	}
	select {
	case <-accepted:
		t.Fatal("closing a connection twice freed two slots")
	case <-time.After(200 * time.Millisecond):
	}
	ln.Close()
	select {
	case c, ok := <-accepted:
		if ok {
			t.Fatalf("accepted %v after the listener closed", c.RemoteAddr())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Accept still waits for a slot after the listener closed")
	}
	second.Close()
	if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("Accept after Close: %v, want net.ErrClosed", err)
	}
}

// TestEveryMinute: the connection limit's warning is written at most once
// a minute however often the limit is met.
func TestEveryMinute(t *testing.T) {
	now := time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)
	calls := 0
	warn := everyMinute(func() time.Time { return now }, func() { calls++ })
	for _, step := range []time.Duration{0, time.Second, 58 * time.Second, time.Second, 30 * time.Second, time.Minute} {
		now = now.Add(step)
		warn()
	}
	// at 0 s, then 60 s (59 s is within the minute of 0 s), then 150 s
	if calls != 3 {
		t.Errorf("warned %d times, want 3", calls)
	}
}
