package core

import (
	"testing"
	"time"
)

// TestSessionTouchesClaim: one claim a session a minute; a released claim
// (its write failed) is claimed again at once; the map stays bounded,
// forgetting the claims that no longer hold anything back first.
func TestSessionTouchesClaim(t *testing.T) {
	var ts sessionTouches
	t0 := time.Date(2026, 11, 30, 18, 0, 0, 0, time.UTC)
	steps := []struct {
		name string
		id   int64
		at   time.Time
		want bool
	}{
		{"first", 1, t0, true},
		{"same session, same instant", 1, t0, false},
		{"another session", 2, t0, true},
		{"a minute later", 1, t0.Add(touchEvery), false},
		{"past the minute", 1, t0.Add(touchEvery + time.Microsecond), true},
		{"the clock set back", 2, t0.Add(-time.Hour), true},
	}
	for _, s := range steps {
		if got := ts.claim(s.id, s.at); got != s.want {
			t.Fatalf("%s: claim %v, want %v", s.name, got, s.want)
		}
	}
	at := t0.Add(time.Hour)
	if !ts.claim(3, at) {
		t.Fatal("claim of session 3")
	}
	ts.release(3, at.Add(time.Second)) // another claim's release: kept
	if ts.claim(3, at) {
		t.Fatal("claimed again after another claim's release")
	}
	ts.release(3, at)
	if !ts.claim(3, at) {
		t.Fatal("not claimed again after its release")
	}

	// bounded: stale claims go first, then all
	ts = sessionTouches{}
	for id := range int64(maxTouches - 1) {
		ts.claim(id, t0)
	}
	ts.claim(-1, t0.Add(time.Hour))
	if !ts.claim(-2, t0.Add(time.Hour)) || len(ts.at) != 2 || ts.claim(-1, t0.Add(time.Hour)) {
		t.Fatalf("after pruning the stale claims: %d remembered, want 2 (the fresh ones)", len(ts.at))
	}
	for id := range int64(maxTouches) {
		ts.claim(id, t0.Add(time.Hour))
	}
	if len(ts.at) > maxTouches {
		t.Fatalf("%d claims remembered, more than %d", len(ts.at), maxTouches)
	}
}
