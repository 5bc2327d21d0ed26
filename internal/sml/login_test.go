package sml

import (
	"bytes"
	"net/http"
	"runtime"
	"strconv"
	"testing"
	"time"

	"forecourt/internal/core"
)

// TestHugeUsernamesKeepNoMemory: failed logins with huge, ever new
// usernames (1 MB each, as much as a body may hold) are refused as bad
// credentials and leave nothing behind: after 1,000 of them and a GC the
// heap is within a few MiB of where it was. Under the race detector, which
// makes parsing a 1 MB body ~20 times slower, 30 of them: before the fix
// each kept its username, 1 MB. Not parallel: other tests would move the
// heap.
func TestHugeUsernamesKeepNoMemory(t *testing.T) {
	// The address limit would refuse most of them before the username is
	// looked at: here it lets all of them through.
	e := newEnv(t, 0, core.WithAddressLoginThrottle(2000, time.Hour))
	pad := bytes.Repeat([]byte("a"), 1_000_000)
	body := func(i int) []byte {
		b := make([]byte, 0, len(pad)+64)
		b = append(b, `{"username":"`...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, pad...)
		return append(b, `@example.com","password":"guess"}`...)
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	e.req("", http.MethodPost, "/api/auth/login/", body(-1)) // warm up
	n := 1000
	if raceEnabled {
		n = 30
	}
	before := heap()
	for i := range n {
		r := e.req("", http.MethodPost, "/api/auth/login/", body(i))
		if r.status != http.StatusBadRequest || !bytes.Contains(r.body, []byte(msgBadLogin)) {
			t.Fatalf("login %d: %s", i, r)
		}
	}
	if after := heap(); after > before+4<<20 {
		t.Fatalf("heap grew from %d to %d MiB", before>>20, after>>20)
	}
	runtime.KeepAlive(e) // the service, with its limits of failed logins
}
