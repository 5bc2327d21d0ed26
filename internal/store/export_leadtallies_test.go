package store

// ClientLeadTalliesSQL is clientLeadTallies' statement for n clients, as
// s's engine runs it.
func ClientLeadTalliesSQL(s *Store, n int) string {
	return conn{pg: s.engine == Postgres}.bind(clientLeadTalliesSQL(n))
}
