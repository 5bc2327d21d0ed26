package core

import (
	"context"
	"time"
)

// What the computed fields of an API's page of leads or clients derive
// from beyond the records themselves, read whatever the page's size in a
// constant number of queries, so that an API that shows such fields
// shows them current whatever API changed what they come from.

// Bounds of what is read for one client or lead of a page.
const (
	// MaxClientCalls is how many of a client's calls ClientCommunications
	// reads (Calls): its latest ones.
	MaxClientCalls = 100
	// MaxPreviousAssignees is how many of a lead's changes of assigned
	// user PreviousAssignees reads: its latest ones.
	MaxPreviousAssignees = 50
	// MaxClientNotes is how many of the notes of a client's leads
	// ClientActivity reads (ClientActivity.Notes): the latest ones.
	MaxClientNotes = 100
)

// ClientCall is one call with a client that took place (held or not
// answered): how long it lasted and the notes on it (its Body).
type ClientCall struct {
	Duration time.Duration
	Notes    string
}

// PreviousAssignees returns, for each of the dealer's leads leadIDs (at
// most MaxQueryValues), the users it was assigned to before, from its
// history (the old value of each change of its user, whatever API made
// it), oldest first, each once, of its latest MaxPreviousAssignees
// changes; a lead without any is left out. A dealer the principal may
// not see has none.
func (s *Service) PreviousAssignees(ctx context.Context, dealerID int64, leadIDs []int64) (map[int64][]int64, error) {
	ids, ok, err := derivedScope(ctx, dealerID, leadIDs, "lead")
	if !ok || err != nil {
		return map[int64][]int64{}, err
	}
	return s.store.PreviousAssignees(ctx, dealerID, ids)
}

// LeadTally counts a client's leads of one kind, with the creation of the
// latest.
type LeadTally struct {
	Kind  LeadKind
	Count int
	Last  time.Time
}

// ClientActivity is what the leads of each of a page's clients come to:
// the leads by kind, their tasks, notes and appointments.
type ClientActivity struct {
	Leads map[int64][]LeadTally // by client
	// Tasks and DoneTasks count the tasks of the client's leads.
	Tasks, DoneTasks map[int64]int
	// Notes are the contents of the notes of the client's leads (their
	// own notes: not tags, not a task's), oldest first, the latest
	// MaxClientNotes; NoteCount counts them all.
	Notes     map[int64][]string
	NoteCount map[int64]int
	// Appointments counts the appointments of the client's leads;
	// AppointmentCreators are the users who made them, each once.
	Appointments        map[int64]int
	AppointmentCreators map[int64][]int64
}

// ClientActivity sums up the leads of the dealer's clients clientIDs (at
// most MaxQueryValues): one query each for the leads, tasks, notes and
// appointments. A dealer the principal may not see has none.
func (s *Service) ClientActivity(ctx context.Context, dealerID int64, clientIDs []int64) (ClientActivity, error) {
	ids, ok, err := derivedScope(ctx, dealerID, clientIDs, "client")
	if !ok || err != nil {
		return ClientActivity{}, err
	}
	return s.store.ClientActivity(ctx, dealerID, ids)
}

// derivedScope checks a page's ids of dealerID: ok is false when there is
// nothing to read (no ids, or a dealer the principal may not see).
func derivedScope(ctx context.Context, dealerID int64, ids []int64, field string) ([]int64, bool, error) {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return nil, false, err
	}
	ids = DistinctIDs(ids)
	if !p.CanSee(dealerID) || len(ids) == 0 {
		return nil, false, nil
	}
	if len(ids) > MaxQueryValues {
		return nil, false, &Error{Code: Invalid, Message: "too many " + field + "s", Fields: map[string]string{field: MsgTooMany}}
	}
	return ids, true, nil
}
