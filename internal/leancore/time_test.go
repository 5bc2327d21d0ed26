package leancore

import (
	"testing"
	"time"
)

// TestRFC3339: an offset with seconds (Bogotá's −04:56:16 before 1914) is
// rounded to whole minutes, as RFC 3339 has them, and the local time
// follows it, so that the text names the instant.
func TestRFC3339(t *testing.T) {
	bogota, err := time.LoadLocation("America/Bogota")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2026, 11, 30, 15, 4, 5, 0, time.UTC), "2026-11-30T10:04:05-05:00"},
		{time.Date(1900, 3, 1, 12, 0, 0, 0, time.UTC), "1900-03-01T07:04:00-04:56"},
	} {
		got := rfc3339(tc.t, bogota)
		back, err := time.Parse(time.RFC3339, got)
		if got != tc.want || err != nil || !back.Equal(tc.t) {
			t.Errorf("rfc3339(%v) = %q (reads back as %v, %v), want %q", tc.t, got, back, err, tc.want)
		}
	}
}
