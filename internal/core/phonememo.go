package core

import (
	"strings"
	"sync"
)

// phoneMemo remembers what NormalisePhone answered for the numbers it
// read last, so that a number looked up again is not parsed again: parsing
// and validating a number with libphonenumber takes some 30 µs and 55
// allocations, about a tenth of a LeanCore lookup's CPU (docs/benchmarks.md,
// "LeanCore's lookup, the evening of 2026-11-30"). The answer is the
// parse's, always: the memo only spares the work (TestPhoneMemoIsTheParse).
//
// It keeps two generations of at most maxMemoPhones numbers each: when
// the newer fills up it becomes the older and the older is dropped, and a
// number found in the older moves to the newer. What is looked up again
// and again stays; a burst of new numbers (the clients of an import)
// pushes out only what was not used since.
type phoneMemo struct {
	size     int // of a generation
	mu       sync.RWMutex
	cur, old map[phoneKey]string
}

type phoneKey struct{ phone, region string }

// maxMemoPhones bounds each generation; maxMemoPhone the length of a
// number remembered (longer ones are parsed every time), so that the memo
// holds some megabyte at most.
const (
	maxMemoPhones = 8192
	maxMemoPhone  = 40
)

var phones = newPhoneMemo(maxMemoPhones)

func newPhoneMemo(size int) *phoneMemo {
	return &phoneMemo{size: size, cur: make(map[phoneKey]string, size)}
}

func (m *phoneMemo) normalise(phone, region string) string {
	if len(phone) > maxMemoPhone || len(region) > 3 {
		return parsePhone(phone, region)
	}
	k := phoneKey{phone, region}
	m.mu.RLock()
	v, ok := m.cur[k]
	if !ok {
		v, ok = m.old[k]
		if ok {
			m.mu.RUnlock()
			m.put(k, v)
			return v
		}
	}
	m.mu.RUnlock()
	if ok {
		return v
	}
	v = parsePhone(phone, region)
	// the key is copied: phone may be a slice of a larger text (a query
	// string, a request body) that the memo must not keep alive
	m.put(phoneKey{strings.Clone(phone), strings.Clone(region)}, v)
	return v
}

func (m *phoneMemo) put(k phoneKey, v string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.cur) >= m.size {
		m.old, m.cur = m.cur, make(map[phoneKey]string, m.size)
	}
	m.cur[k] = v
}
