package core

import "context"

// DeleteLead deletes a lead of the principal's dealers with everything that
// is part of it: its vehicle, tasks, notes and tags, appointments, history,
// delivery state, and the documents that extend it (Document.RecordID and
// LeadID both the lead's); other documents about it keep no link to it.
// Its client stays: a client may have other leads. version, when not 0,
// is the lead's version the caller read (see ErrStaleVersion). Walcu's
// DELETE of a lead is the one API that deletes leads.
func (s *Service) DeleteLead(ctx context.Context, id int64, version int) error {
	l, err := s.FindLead(ctx, id)
	if err != nil {
		return err
	}
	if err := checkVersion("", version, l.Version); err != nil {
		return err
	}
	return s.store.DeleteLead(ctx, id, version)
}

// LeadRemover deletes leads; every Store is one.
type LeadRemover interface {
	// DeleteLead deletes lead id as Service.DeleteLead says, when it has
	// version (0: any); ErrStaleVersion when it has another.
	DeleteLead(ctx context.Context, id int64, version int) error
}
