package core

import (
	"context"
	"time"
)

// The records that belong to a lead (its appointments, tasks, notes and
// communications) are read and changed the same way: read for the
// principal, another dealer's NotFound like one that does not exist, and
// changed inside the lead's transaction (Store.EditLead), where the lead's
// dealer is checked again.

// findOfDealer returns what load reads when the principal may see the
// dealer dealerOf names; otherwise NotFound, named what.
func findOfDealer[T any](ctx context.Context, what string, load func() (T, error), dealerOf func(T) int64) (T, error) {
	var zero T
	p, err := mustPrincipal(ctx)
	if err != nil {
		return zero, err
	}
	v, err := load()
	if err != nil {
		return zero, err
	}
	if !p.CanSee(dealerOf(v)) {
		return zero, errNotFound(what)
	}
	return v, nil
}

// editLeadItem runs fn in the transaction of the lead leadID for the
// principal, with the lead as the transaction read it and the time of the
// change; a lead the principal may not see is NotFound, named what.
func (s *Service) editLeadItem(ctx context.Context, what string, leadID int64, fn func(p Principal, tx LeadTx, l Lead, now time.Time) error) error {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return err
	}
	now := s.Now()
	return s.store.EditLead(ctx, leadID, func(tx LeadTx) error {
		l := tx.Lead()
		if !p.CanSee(l.DealerID) {
			return errNotFound(what)
		}
		return fn(p, tx, l, now)
	})
}
