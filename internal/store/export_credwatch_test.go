package store

// CredentialsListening reports whether s listens to the credentials'
// notifications, and so may serve remembered credentials (credwatch.go).
func CredentialsListening(s *Store) bool { return s.credWatch != nil && s.credWatch.live.Load() }

// CredentialListener returns the backend pid of s's listening connection
// and how many LISTENs s made so far.
func CredentialListener(s *Store) (pid, listens int64) {
	if s.credWatch == nil {
		return 0, 0
	}
	return s.credWatch.backend.Load(), s.credWatch.listens.Load()
}
