package core

import "time"

// Span is a calendar difference between two instants, as SML's nsa shows it.
type Span struct {
	Years, Months, Days, Hours, Minutes, Seconds int
}

// SpanBetween returns the calendar difference from a to b (b >= a; a
// negative interval gives the zero Span). Both are taken in a's location.
func SpanBetween(a, b time.Time) Span {
	if !b.After(a) {
		return Span{}
	}
	b = b.In(a.Location())
	y1, M1, d1 := a.Date()
	y2, M2, d2 := b.Date()
	h1, m1, s1 := a.Clock()
	h2, m2, s2 := b.Clock()
	s := Span{
		Years:   y2 - y1,
		Months:  int(M2 - M1),
		Days:    d2 - d1,
		Hours:   h2 - h1,
		Minutes: m2 - m1,
		Seconds: s2 - s1,
	}
	if b.Nanosecond() < a.Nanosecond() {
		s.Seconds--
	}
	if s.Seconds < 0 {
		s.Seconds += 60
		s.Minutes--
	}
	if s.Minutes < 0 {
		s.Minutes += 60
		s.Hours--
	}
	if s.Hours < 0 {
		s.Hours += 24
		s.Days--
	}
	if s.Days < 0 {
		// borrow the length of the month before b's month
		s.Days += time.Date(y2, M2, 0, 0, 0, 0, 0, a.Location()).Day()
		s.Months--
	}
	if s.Months < 0 {
		s.Months += 12
		s.Years--
	}
	return s
}
