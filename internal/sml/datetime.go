package sml

// scanDateTime matches s against Django's datetime_re as forecourt reads
// it (dateTimeRe in datetime_test.go, the regular expression this scan
// replaces: it was 2 % of the server's CPU per created lead, two dates a
// task):
//
//	^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:[.,](\d{1,6})\d{0,6})?)?\s*(Z|[+-]\d{2}(?::\d{2}(?::\d{2})?|\d{2}(?:\d{2})?)?)?$
//
// YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]; the offset may also
// carry seconds (+HH:MM:SS or +HHMMSS), as Python's fromisoformat, which
// Django tries first, reads them and as djangoTime writes an offset that
// has them. It answers what regexp's FindStringSubmatch answers: m[0] the
// whole text, m[1]–m[8] the groups ("" where one did not match), or
// false. Every repetition is followed by what a digit cannot be, so the
// greedy scan finds the expression's only match (FuzzScanDateTime
// compares the two).
func scanDateTime(s string) (m [9]string, ok bool) {
	i := 0
	// digits reads at least lo and at most hi ASCII digits from i.
	digits := func(lo, hi int) (string, bool) {
		j := i
		for j < len(s) && j-i < hi && '0' <= s[j] && s[j] <= '9' {
			j++
		}
		if j-i < lo {
			return "", false
		}
		d := s[i:j]
		i = j
		return d, true
	}
	// lit reads the byte c.
	lit := func(c byte) bool {
		if i < len(s) && s[i] == c {
			i++
			return true
		}
		return false
	}
	var okd bool
	if m[1], okd = digits(4, 4); !okd || !lit('-') {
		return m, false
	}
	if m[2], okd = digits(1, 2); !okd || !lit('-') {
		return m, false
	}
	if m[3], okd = digits(1, 2); !okd || !lit('T') && !lit(' ') {
		return m, false
	}
	if m[4], okd = digits(1, 2); !okd || !lit(':') {
		return m, false
	}
	if m[5], okd = digits(1, 2); !okd {
		return m, false
	}
	if lit(':') {
		if m[6], okd = digits(1, 2); !okd {
			return m, false
		}
		if i < len(s) && (s[i] == '.' || s[i] == ',') && i+1 < len(s) && '0' <= s[i+1] && s[i+1] <= '9' {
			i++
			frac, _ := digits(1, 12)
			m[7] = frac[:min(len(frac), 6)]
		}
	}
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\f' || s[i] == '\r') {
		i++
	}
	if tz := i; lit('Z') {
		m[8] = "Z"
	} else if lit('+') || lit('-') {
		if _, okd = digits(2, 2); !okd {
			return m, false
		}
		// the optional rest: :MM[:SS] or MM[SS], two digits at a time
		two := func() bool {
			if i+1 < len(s) && '0' <= s[i] && s[i] <= '9' && '0' <= s[i+1] && s[i+1] <= '9' {
				i += 2
				return true
			}
			return false
		}
		if i+2 < len(s) && s[i] == ':' {
			i++
			if !two() {
				return m, false
			}
			if i < len(s) && s[i] == ':' {
				i++
				if !two() {
					return m, false
				}
			}
		} else if two() {
			two()
		}
		m[8] = s[tz:i]
	}
	if i != len(s) {
		return m, false
	}
	m[0] = s
	return m, true
}
