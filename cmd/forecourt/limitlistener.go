package main

import (
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// defaultMaxConns is --max-conns' default: the HTTP connections one server
// holds at once. Each costs its goroutine's stack and its read and write
// buffers (~21 KiB idle, measured with 2,000 keep-alive connections) and
// up to 64 KiB more while its headers arrive, so 4,096 bound them to ~84
// MiB idle and ~350 MiB at worst, far below what a server is given, and
// below the open-file limit Go raises itself to on Linux (the hard limit,
// 524,288 under systemd); while far above what clients need, which reuse
// connections (a proxy in front holds a few per server).
const defaultMaxConns = 4096

// limitListener accepts at most cap(sem) connections at once: past them,
// Accept waits for one to close, and new connections wait in the kernel's
// accept queue (and past its backlog, are refused) instead of being
// served. It is golang.org/x/net/netutil.LimitListener, which the module
// does not otherwise need.
type limitListener struct {
	net.Listener
	sem       chan struct{}
	closeOnce sync.Once
	done      chan struct{}
	// full, when set, is called each time Accept finds every slot taken,
	// before it waits (serve logs it, at most once a minute).
	full func()
}

func newLimitListener(l net.Listener, n int) *limitListener {
	return &limitListener{Listener: l, sem: make(chan struct{}, n), done: make(chan struct{})}
}

// Accept waits for a free slot, then for a connection. A listener closed
// while Accept waits for a slot makes it return the listener's error.
func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.sem <- struct{}{}:
	default:
		if l.full != nil {
			l.full()
		}
		select {
		case l.sem <- struct{}{}:
		case <-l.done:
			return nil, net.ErrClosed
		}
	}

	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	return &limitConn{Conn: c, release: func() { <-l.sem }}, nil
}

func (l *limitListener) Close() error {
	err := l.Listener.Close()
	l.closeOnce.Do(func() { close(l.done) })
	return err
}

// limitConn gives its slot back when first closed.
type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// everyMinute returns a function that calls fn at most once a minute (by
// now), for a warning that a flood of events would otherwise repeat.
func everyMinute(now func() time.Time, fn func()) func() {
	var last atomic.Int64
	return func() {
		t := now().UnixNano()
		prev := last.Load()
		if prev != 0 && t-prev < int64(time.Minute) || !last.CompareAndSwap(prev, t) {
			return
		}
		fn()
	}
}
