package store

import (
	"context"

	"forecourt/internal/core"
)

// Client implements core.ClientRecords.Client.
func (s *Store) Client(ctx context.Context, id int64) (core.Client, error) {
	var cl core.Client
	err := scanClient(s.reader(ctx).row(`SELECT `+clientCols+` FROM clients WHERE id = ?`, id), &cl)
	if err != nil {
		return core.Client{}, dbError(err, "client", "client", id)
	}
	return cl, nil
}
