package store

import (
	"context"

	"forecourt/internal/core"
)

// EnqueueWithCountry runs one write that creates country co and enqueues
// j, prepared by core.PrepareJob, through enqueueJob, the hook other writes
// enqueue their follow-up work with; it fails after both when fail is true.
func EnqueueWithCountry(s *Store, co *core.Country, j *core.Job, fail error) error {
	return s.write(context.Background(), func(c conn) error {
		if _, err := c.insert(`INSERT INTO countries (code, name) VALUES (?, ?)`, co.Code, co.Name); err != nil {
			return err
		}
		if err := enqueueJob(c, j); err != nil {
			return err
		}
		return fail
	})
}

// DeliveryStatesQuery returns the query deliveryTx.States runs for the
// leads ids of one consumer, bound for PostgreSQL, and its arguments.
func DeliveryStatesQuery(consumer int64, ids []int64) (string, []any) {
	return rebind(deliveryStatesQuery(1, len(ids))), append([]any{consumer}, anys(ids)...)
}
