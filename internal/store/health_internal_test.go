package store

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestOutageLoggedOnce: an outage is logged when it starts, at most every
// outageLogEvery while it lasts, and when it ends, however many
// operations it refuses; one that ends and starts again soon after is
// counted, not logged.
func TestOutageLoggedOnce(t *testing.T) {
	var buf bytes.Buffer
	h := newHealth(slog.New(slog.NewTextHandler(&buf, nil)))
	now := time.Unix(1_000_000, 0)
	h.now = func() time.Time { return now }
	down := errors.New("dial tcp: connection refused")
	lines := func() []string {
		s := strings.TrimSpace(buf.String())
		buf.Reset()
		if s == "" {
			return nil
		}
		return strings.Split(s, "\n")
	}
	// expect checks that one line was logged, holding each of want, or
	// none when want is empty.
	expect := func(what string, want ...string) {
		t.Helper()
		got := lines()
		if len(got) != min(len(want), 1) {
			t.Fatalf("%s: logged %q, want %d lines", what, got, min(len(want), 1))
		}
		for _, w := range want {
			if !strings.Contains(got[0], w) {
				t.Errorf("%s: line %q lacks %q", what, got[0], w)
			}
		}
	}

	h.ok()
	expect("while up")
	for range 1000 {
		h.failed(down)
		now = now.Add(time.Millisecond)
	}
	expect("1,000 refusals in a second", `level=ERROR msg="database unavailable`)
	now = now.Add(outageLogEvery)
	h.failed(down)
	h.failed(down)
	expect("ten seconds on", `level=ERROR msg="database still unavailable"`, "refused=1000")
	now = now.Add(time.Second)
	h.ok()
	h.ok()
	expect("back", `level=INFO msg="database available again"`, "refused=1002")
	// a flap right after: counted, not logged
	h.failed(down)
	h.ok()
	expect("a flap")
	now = now.Add(outageLogEvery)
	h.failed(down)
	expect("a new outage later", `msg="database unavailable`)
}

// TestUnavailability classifies the errors of a database that cannot
// answer apart from those of one that answered.
func TestUnavailability(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{io.ErrUnexpectedEOF, true},
		{errors.Join(errors.New("x"), io.EOF), true},
		{errors.New("syntax error"), false},
		{errOutcomeUnknown, false},
		{&SchemaError{Unknown: []int64{13}}, true},
	} {
		if _, got := unavailability(tt.err); got != tt.want {
			t.Errorf("unavailability(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
