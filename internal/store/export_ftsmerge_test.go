package store

// FTSMerges returns the steps of merging the trigram index the writer
// committed (ftsmerge.go).
func FTSMerges(s *Store) int64 { return s.ftsMerges.Load() }
