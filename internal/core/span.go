package core

import "time"

// Span is a calendar difference between two instants, as SML's nsa shows it.
type Span struct {
	Years, Months, Days, Hours, Minutes, Seconds int
}

// SpanBetween returns the calendar difference from a to b, computed as
// Python's dateutil.relativedelta does: the most whole months that can be
// added to a (clamping to the month's last day) without passing b, then the
// rest in days, hours, minutes and whole seconds. b before a gives the zero
// Span.
func SpanBetween(a, b time.Time) Span {
	if !b.After(a) {
		return Span{}
	}
	b = b.In(a.Location())
	months := (b.Year()-a.Year())*12 + int(b.Month()-a.Month())
	mark := addMonthsClamped(a, months)
	for months > 0 && mark.After(b) {
		months--
		mark = addMonthsClamped(a, months)
	}
	rest := b.Sub(mark)
	s := Span{Years: months / 12, Months: months % 12}
	s.Days = int(rest / (24 * time.Hour))
	rest -= time.Duration(s.Days) * 24 * time.Hour
	s.Hours = int(rest / time.Hour)
	rest -= time.Duration(s.Hours) * time.Hour
	s.Minutes = int(rest / time.Minute)
	rest -= time.Duration(s.Minutes) * time.Minute
	s.Seconds = int(rest / time.Second)
	return s
}

// addMonthsClamped adds n months to t, keeping the day of the month unless
// the target month is shorter, in which case its last day is used.
func addMonthsClamped(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, t.Location())
	last := first.AddDate(0, 1, -1).Day()
	if d > last {
		d = last
	}
	hh, mm, ss := t.Clock()
	return time.Date(first.Year(), first.Month(), d, hh, mm, ss, t.Nanosecond(), t.Location())
}
