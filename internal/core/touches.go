package core

import (
	"sync"
	"time"
)

// sessionTouches coalesces the writes of a session's last request
// (Store.TouchSession). Every request of a token whose recorded last_seen
// is more than touchEvery old would record it; under load, the 16 requests
// in flight of one client all cross that minute together and queued 16
// writes behind the one writer (and each dropped the cached credential and
// user the others were about to read). The first request to cross it
// claims the touch, the others of this Service skip it: one write a
// session a minute, as touchEvery means. A failed write gives the claim
// back, so that the next request records it.
//
// Only when a session is touched matters here: how long a token lives is
// still computed from the last_seen stored (tokenLifetime.expiry), which a
// skipped touch leaves at most touchEvery behind, as before.
type sessionTouches struct {
	mu sync.Mutex
	at map[int64]time.Time // session id → when this Service claimed its last touch
}

// maxTouches bounds the sessions remembered. A claim older than
// touchEvery no longer holds anything back, so such entries go first.
const maxTouches = 10_000

// claim reports whether the caller is to record that session id was seen
// at now: no touch of it was claimed in the touchEvery before now.
func (t *sessionTouches) claim(id int64, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if last, ok := t.at[id]; ok && now.Sub(last) <= touchEvery && !now.Before(last) {
		return false
	}
	if t.at == nil {
		t.at = map[int64]time.Time{}
	}
	if len(t.at) >= maxTouches {
		for k, last := range t.at {
			if now.Sub(last) > touchEvery || now.Before(last) {
				delete(t.at, k)
			}
		}
		if len(t.at) >= maxTouches {
			// that many sessions touched within a minute: forgetting them
			// costs a write each at most
			clear(t.at)
		}
	}
	t.at[id] = now
	return true
}

// release gives back the claim made at now on session id, whose touch
// failed.
func (t *sessionTouches) release(id int64, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if last, ok := t.at[id]; ok && last.Equal(now) {
		delete(t.at, id)
	}
}
