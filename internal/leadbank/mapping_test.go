package leadbank

import (
	"testing"
	"time"
)

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestDotnetTime: ASP.NET's DateTimeOffset, whose offset is whole minutes;
// a zone's offset with seconds is rounded, and the local time is the
// instant's at the rounded offset, so that the text names the instant.
func TestDotnetTime(t *testing.T) {
	madrid, bogota := mustLoad(t, "Europe/Madrid"), mustLoad(t, "America/Bogota")
	for _, tc := range []struct {
		t    time.Time
		loc  *time.Location
		want string
	}{
		{time.Date(2024, 10, 15, 3, 29, 19, 513941400, time.UTC), madrid, "2024-10-15T05:29:19.5139414+02:00"},
		{time.Date(2024, 1, 15, 3, 29, 19, 0, time.UTC), bogota, "2024-01-14T22:29:19.0000000-05:00"},
		// Madrid before 1901: −00:14:44, rounded to −00:15
		{time.Date(1890, 3, 1, 12, 0, 0, 0, time.UTC), madrid, "1890-03-01T11:45:00.0000000-00:15"},
		// Bogotá before 1914: −04:56:16, rounded to −04:56
		{time.Date(1900, 3, 1, 12, 0, 0, 0, time.UTC), bogota, "1900-03-01T07:04:00.0000000-04:56"},
	} {
		got := dotnetTime(tc.t, tc.loc)
		if got != tc.want {
			t.Errorf("dotnetTime(%v) = %q, want %q", tc.t, got, tc.want)
		}
		back, err := time.Parse(time.RFC3339Nano, got)
		if err != nil || !back.Equal(tc.t) {
			t.Errorf("%q reads back as %v, %v; want %v", got, back, err, tc.t)
		}
	}
}

// TestParseDotnetTime: a DateAction outside the years 1–9999, as written,
// in UTC or in the dealer's time zone, is refused.
func TestParseDotnetTime(t *testing.T) {
	madrid := mustLoad(t, "Europe/Madrid")
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"2026-11-30T10:00:00.1234567+01:00", true},
		{"2026-11-30T10:00:00", true},
		{"2026-11-30", true},
		{"9999-12-31T22:00:00Z", true},
		{"9999-12-31T23:59:59", true},        // naive: Madrid's, 22:59:59 in UTC
		{"9999-12-31T23:59:59Z", false},      // year 10000 in Madrid
		{"9999-12-31T23:30:00-01:00", false}, // year 10000 in UTC
		{"0001-01-01T00:00:00+01:00", false}, // year 0 in UTC
		{"0000-12-31T23:00:00-02:00", false}, // year 0 as written
		{"0001-01-01T00:00:00", true},        // naive: Madrid's −00:14:44
		{"yesterday", false},
		{"2026-12-01T10:00:00+14:00", true},
		{"2026-12-01T10:00:00-14:00", true},
		{"2026-12-01T10:00:00+14:01", false}, // beyond .NET's ±14:00
		{"2026-12-01T10:00:00+24:00", false},
		{"2026-12-01T10:00:00-23:59", false},
	} {
		if _, ok := parseDotnetTime(tc.in, madrid); ok != tc.ok {
			t.Errorf("parseDotnetTime(%q) ok = %v, want %v", tc.in, ok, tc.ok)
		}
	}
}
