package store

// CombinedWrites returns how many writes of lead creations s began on
// PostgreSQL (pgcombine.go), combined or alone.
func CombinedWrites(s *Store) int64 { return s.combiner.writes.Load() }

// CombinedDeadlocks returns how many writes of lead creations of s
// PostgreSQL refused for a deadlock.
func CombinedDeadlocks(s *Store) int64 { return s.combiner.deadlocks.Load() }

// CombineState returns how many lead creations wait in s's queue and how
// many combined writes run.
func CombineState(s *Store) (queued, writers int) {
	s.combiner.mu.Lock()
	defer s.combiner.mu.Unlock()
	return len(s.combiner.queue), s.combiner.writers
}

// ClientKeyLock is the advisory lock of a dealer's clients' key (core.MatchPhone…).
func ClientKeyLock(dealerID int64, key, value string) int64 {
	return clientKeyLock(dealerID, key, value)
}

// CombineQueue and CombineMax are pgcombine.go's bounds.
const (
	CombineQueue = combineQueue
	CombineMax   = combineMax
)
