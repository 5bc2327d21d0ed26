package sml

import (
	"math/rand/v2"
	"regexp"
	"testing"
)

// dateTimeRe is Django's datetime_re as forecourt read it before
// scanDateTime (see there): the reference the scan is compared with.
var dateTimeRe = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,6})\d{0,6})?)?\s*(Z|[+-]\d{2}(?::\d{2}(?::\d{2})?|\d{2}(?:\d{2})?)?)?$`)

// sameScan fails t unless scanDateTime answers s as the regular
// expression does.
func sameScan(t *testing.T, s string) {
	t.Helper()
	want := dateTimeRe.FindStringSubmatch(s)
	got, ok := scanDateTime(s)
	if ok != (want != nil) {
		t.Fatalf("scanDateTime(%q) matched %v, the expression %v", s, ok, want != nil)
	}
	if ok && [9]string(want) != got {
		t.Fatalf("scanDateTime(%q) = %q, the expression %q", s, got, want)
	}
}

// dateTimeSeeds are texts at the edges of each part of the expression.
var dateTimeSeeds = []string{
	"2019-05-09T09:59:07.617Z", "2019-05-09 09:59", "2019-5-9T9:5", "2019-05-09T09:59:07", "2019-05-09T09:59:07,1",
	"2019-05-09T09:59:07.1234567890123", "2019-05-09T09:59:07.123456789012", "2019-05-09T09:59:07.", "2019-05-09T09:59:.5",
	"2019-05-09T09:59 Z", "2019-05-09T09:59\t\n\f\r+01", "2019-05-09T09:59\v+01", "2019-05-09T09:59+01:00", "2019-05-09T09:59-0130",
	"2019-05-09T09:59+01:00:30", "2019-05-09T09:59+013045", "2019-05-09T09:59+01:0030", "2019-05-09T09:59+0100:30", "2019-05-09T09:59+01:",
	"2019-05-09T09:59+01:0", "2019-05-09T09:59+1", "2019-05-09T09:59+010", "2019-05-09T09:59+01000", "2019-05-09T09:59+01:00:",
	"2019-05-09T09:59ZZ", "2019-05-09t09:59", "2019-05-09T09", "2019-05-09T09:", "2019-05-09T009:59", "20190-05-09T09:59", "201-05-09T09:59",
	"2019-005-09T09:59", "2019-05-009T09:59", "2019-05-09T09:599", "2019-05-09T09:59:599", "2019-05-09T09:59:", "٢٠١٩-05-09T09:59",
	"2019-05-09T09:59:07.617+02:00 ", "", "-", "2019-05-09T09:59:07.6é", "2019-05-09T09:59:07\xff",
}

// TestScanDateTimeAsTheExpression compares the scan with the expression on
// the seeds and on random texts made of the characters the expression
// reads, most of them one edit away from a date-time.
func TestScanDateTimeAsTheExpression(t *testing.T) {
	for _, s := range dateTimeSeeds {
		sameScan(t, s)
	}
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "0123456789-T :.,Z+-\t\n\v\f\rtz"
	for range 200000 {
		b := []byte(dateTimeSeeds[r.IntN(len(dateTimeSeeds))])
		for range 1 + r.IntN(3) {
			switch op := r.IntN(3); {
			case op == 0 && len(b) > 0: // replace
				b[r.IntN(len(b))] = alphabet[r.IntN(len(alphabet))]
			case op == 1: // insert
				i := r.IntN(len(b) + 1)
				b = append(b[:i], append([]byte{alphabet[r.IntN(len(alphabet))]}, b[i:]...)...)
			case len(b) > 0: // delete
				i := r.IntN(len(b))
				b = append(b[:i], b[i+1:]...)
			}
		}
		sameScan(t, string(b))
	}
}

func FuzzScanDateTime(f *testing.F) {
	for _, s := range dateTimeSeeds {
		f.Add(s)
	}
	f.Fuzz(sameScan)
}
