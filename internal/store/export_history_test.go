package store

// PreviousAssigneesQuery is previousAssigneesQuery as PostgreSQL runs it
// ($n placeholders), for its plan's test.
func PreviousAssigneesQuery(n int) string { return rebind(previousAssigneesQuery(n)) }
