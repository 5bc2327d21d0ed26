package core

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Delivery of leads to the machines and users that pull them (the lead
// bank's consumers): each lead has, for each consumer of its dealer, a
// DeliveryState, and a consumer's later events on the leads it was handed
// are kept as DeliveryEvents. This is not the lead's Stage: a lead may be
// received by one consumer, in progress for another and ended by an
// advisor. See docs/decisions.md, "Delivery of leads to consumers".

// DeliveryState is where one lead stands for one consumer.
type DeliveryState string

// The delivery states, in order. A lead moves from ready to in progress
// when a pull hands it out, and from in progress to received when the
// consumer confirms it; never back.
const (
	DeliveryReady      DeliveryState = "ready"       // to be sent
	DeliveryInProgress DeliveryState = "in_progress" // handed out, not confirmed
	DeliveryReceived   DeliveryState = "received"    // confirmed by the consumer
)

// Consumer is who pulls a dealer's leads: the credential identity a
// request authenticates with. A request with an API key is that key's
// consumer (even when the key acts as a user); a request with a user's
// token is that user's. A consumer exists once per dealer: a user of two
// dealers is one consumer of each.
type Consumer struct {
	APIKeyID int64 // the API key, or 0
	UserID   int64 // the user, when APIKeyID is 0
}

// consumerOf returns the consumer p pulls as.
func consumerOf(p Principal) (Consumer, error) {
	switch {
	case p.APIKeyID != 0:
		return Consumer{APIKeyID: p.APIKeyID}, nil
	case p.UserID != 0:
		return Consumer{UserID: p.UserID}, nil
	}
	return Consumer{}, Errorf(Unauthorized, "authentication required")
}

// Limits of the delivery calls.
const (
	// DefaultPullLimit is how many leads a pull hands out when it asks for
	// none (a limit of zero or less).
	DefaultPullLimit = MaxPullLimit
	// MaxPullLimit is the most leads one pull hands out; a larger limit
	// is lowered to it. A pull renders of each lead its client, vehicle
	// and latest texts, never its tasks or the versions of its notes, so
	// a lead at its totals answers at most MaxLeadText characters: twice
	// MaxLeadsPerAnswer, the bound of whole leads, costs no more than a
	// page of those (docs/leadbank.md).
	MaxPullLimit = 2 * MaxLeadsPerAnswer
	// MaxDeliveryIDs is the most leads one confirmation, and the most
	// events one call, may name.
	MaxDeliveryIDs = 1000
	// MaxDeliveryCodeLen bounds an event's code and reason.
	MaxDeliveryCodeLen = 64
)

// DeliveryEvent is something a consumer did with a lead it was handed
// (the lead bank's LeadEvents: contacted, sold, discarded …), in the
// consumer's own codes.
type DeliveryEvent struct {
	ID         int64 // set when stored
	LeadID     int64
	Code       string    // the consumer's event code, required
	Reason     string    // the consumer's reason code, "" when none
	At         time.Time // when it happened, as the consumer says
	Consumer   Consumer  // who recorded it; set by the store when read
	RecordedAt time.Time // when it was stored
}

// ConfirmResult says what a confirmation did with each lead it named.
// Every id named (once, in the order named) is in exactly one list.
type ConfirmResult struct {
	Received        []int64 // were in progress for the consumer: now received
	AlreadyReceived []int64 // had been confirmed before: nothing changed
	NotHanded       []int64 // ready for the consumer but never handed out: nothing changed
	Unknown         []int64 // not a lead of the consumer: no such lead, another dealer's, or never ready for it
}

// EventResult says which events a call recorded. Every event is either
// recorded or its lead is named in NotHanded or Unknown.
type EventResult struct {
	Recorded  []DeliveryEvent // with their ids
	NotHanded []int64         // leads ready for the consumer but never handed out
	Unknown   []int64         // not leads of the consumer, as in ConfirmResult
}

// DeliveryTx is the delivery state of one principal's consumers inside one
// write transaction of Store.Deliver: no other Deliver for any of them runs
// meanwhile. Lead ids name leads of any of those consumers (a lead belongs
// to one dealer, so to at most one of them); leads of other consumers are
// never read or changed. Lists come oldest (lowest lead id) first.
type DeliveryTx interface {
	// Oldest lists up to limit leads in state st.
	Oldest(st DeliveryState, limit int) ([]int64, error)
	// States returns the state of each of leadIDs that has one; a lead
	// missing from the map is not the consumers'.
	States(leadIDs []int64) (map[int64]DeliveryState, error)
	// Move moves those of leadIDs that are in state from to state to, and
	// returns them. Only ready → in progress and in progress → received
	// are moves.
	Move(leadIDs []int64, from, to DeliveryState) ([]int64, error)
	// AddEvents stores events on leads of the consumers and sets their ID
	// and RecordedAt.
	AddEvents(evs []DeliveryEvent) error
	// AddHistory appends entries to the histories of leads of the
	// consumers and sets their IDs.
	AddHistory(hs []History) error
}

// PullLeads hands the principal its dealers' leads: the leads in progress
// for it (handed out before and not confirmed) if it has any, the same
// leads again, at least once until confirmed; only when none is in
// progress, the oldest ready ones, which move to in progress. At most
// limit leads (DefaultPullLimit when limit ≤ 0, at most MaxPullLimit),
// oldest first.
//
// The principal's first pull registers it as a consumer of each of its
// dealers (see Store.RegisterConsumer): every open lead of the dealer
// becomes ready for it, and from then on every new lead.
func (s *Service) PullLeads(ctx context.Context, limit int) ([]Lead, error) {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return nil, err
	}
	who, err := consumerOf(p)
	if err != nil {
		return nil, err
	}
	if len(p.DealerIDs) == 0 {
		return nil, nil
	}
	if limit <= 0 {
		limit = DefaultPullLimit
	}
	limit = min(limit, MaxPullLimit)
	now := s.Now()
	if err := s.store.RegisterConsumer(ctx, who, p.DealerIDs, now); err != nil {
		return nil, err
	}
	var ids []int64
	err = s.store.Deliver(ctx, who, p.DealerIDs, now, func(tx DeliveryTx) error {
		var err error
		if ids, err = tx.Oldest(DeliveryInProgress, limit); err != nil || len(ids) > 0 {
			return err
		}
		ready, err := tx.Oldest(DeliveryReady, limit)
		if err != nil || len(ready) == 0 {
			return err
		}
		// Only what this pull moved is answered: the consumer's other
		// pulls wait for this one (Deliver), so it is all of ready.
		ids, err = tx.Move(ready, DeliveryReady, DeliveryInProgress)
		return err
	})
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	leads, err := s.store.LeadsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	// Deliveries are only ever made for leads of the consumer's dealer;
	// checked again, as every read is.
	return slices.DeleteFunc(leads, func(l Lead) bool { return !p.CanSee(l.DealerID) }), nil
}

// ConfirmLeads confirms that the principal received the leads ids names:
// those in progress for it move to received and are never handed to it
// again. The others change nothing and are reported as such; an id of
// another dealer's lead is Unknown, exactly like one that does not exist.
func (s *Service) ConfirmLeads(ctx context.Context, ids []int64) (ConfirmResult, error) {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return ConfirmResult{}, err
	}
	who, err := consumerOf(p)
	if err != nil {
		return ConfirmResult{}, err
	}
	ids = DistinctIDs(ids)
	if len(ids) > MaxDeliveryIDs {
		return ConfirmResult{}, &Error{Code: Invalid, Message: "too many leads in one confirmation", Fields: map[string]string{"leads": MsgOutOfRange}}
	}
	var res ConfirmResult
	if len(ids) == 0 {
		return res, nil
	}
	err = s.store.Deliver(ctx, who, p.DealerIDs, s.Now(), func(tx DeliveryTx) error {
		res = ConfirmResult{}
		states, err := tx.States(ids)
		if err != nil {
			return err
		}
		var handed []int64
		for _, id := range ids {
			switch states[id] {
			case DeliveryInProgress:
				handed = append(handed, id)
			case DeliveryReceived:
				res.AlreadyReceived = append(res.AlreadyReceived, id)
			case DeliveryReady:
				res.NotHanded = append(res.NotHanded, id)
			default:
				res.Unknown = append(res.Unknown, id)
			}
		}
		if len(handed) == 0 {
			return nil
		}
		moved, err := tx.Move(handed, DeliveryInProgress, DeliveryReceived)
		if err != nil {
			return err
		}
		if len(moved) != len(handed) {
			return Errorf(Internal, "confirm: %d of %d leads moved", len(moved), len(handed))
		}
		res.Received = handed
		return nil
	})
	if err != nil {
		return ConfirmResult{}, err
	}
	return res, nil
}

// RecordDeliveryEvents records the principal's events on leads it was
// handed (in progress or received). Events on other leads are not
// recorded, and their leads are reported back.
func (s *Service) RecordDeliveryEvents(ctx context.Context, evs []DeliveryEvent) (EventResult, error) {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return EventResult{}, err
	}
	who, err := consumerOf(p)
	if err != nil {
		return EventResult{}, err
	}
	if err := validateDeliveryEvents(evs); err != nil {
		return EventResult{}, err
	}
	var res EventResult
	if len(evs) == 0 {
		return res, nil
	}
	ids := make([]int64, len(evs))
	for i, e := range evs {
		ids[i] = e.LeadID
	}
	ids = DistinctIDs(ids)
	now := s.Now()
	err = s.store.Deliver(ctx, who, p.DealerIDs, now, func(tx DeliveryTx) error {
		res = EventResult{}
		states, err := tx.States(ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			switch states[id] {
			case DeliveryReady:
				res.NotHanded = append(res.NotHanded, id)
			case DeliveryInProgress, DeliveryReceived:
			default:
				res.Unknown = append(res.Unknown, id)
			}
		}
		for _, e := range evs {
			if st := states[e.LeadID]; st == DeliveryInProgress || st == DeliveryReceived {
				e.ID, e.Consumer, e.RecordedAt = 0, who, time.Time{}
				e.At = e.At.UTC().Truncate(time.Microsecond)
				res.Recorded = append(res.Recorded, e)
			}
		}
		if err := tx.AddEvents(res.Recorded); err != nil {
			return err
		}
		// Each event is in its lead's history too, where every API shows it.
		hs := make([]History, 0, len(res.Recorded))
		for _, e := range res.Recorded {
			changes := []Change{{Field: "delivery.event", New: e.Code}}
			if e.Reason != "" {
				changes = append(changes, Change{Field: "delivery.reason", New: e.Reason})
			}
			hs = append(hs, History{LeadID: e.LeadID, At: now, UserID: p.UserRef(), Via: p.Via, Type: HistoryChanged,
				Kind: KindDeliveryEvent, Changes: changes})
		}
		return tx.AddHistory(hs)
	})
	if err != nil {
		return EventResult{}, err
	}
	return res, nil
}

func validateDeliveryEvents(evs []DeliveryEvent) error {
	if len(evs) > MaxDeliveryIDs {
		return &Error{Code: Invalid, Message: "too many events in one call", Fields: map[string]string{"events": MsgOutOfRange}}
	}
	fe := FieldErrors{}
	for i, e := range evs {
		path := "events." + strconv.Itoa(i)
		if e.LeadID <= 0 {
			fe.Add(path+".lead", MsgInvalid)
		}
		if strings.TrimSpace(e.Code) == "" {
			fe.Add(path+".code", MsgRequired)
		}
		checkCode(fe, path+".code", e.Code)
		checkCode(fe, path+".reason", e.Reason)
		if e.At.IsZero() {
			fe.Add(path+".at", MsgRequired)
		}
	}
	return fe.Err()
}

// checkCode checks an event's code or reason.
func checkCode(fe FieldErrors, path, s string) {
	switch {
	case !utf8.ValidString(s):
		fe.Add(path, MsgInvalid)
	case strings.ContainsRune(s, 0):
		fe.Add(path, MsgNullCharacter)
	case utf8.RuneCountInString(s) > MaxDeliveryCodeLen:
		fe.Add(path, MsgTooLong)
	}
}

// DeliveryEvents lists the events consumers recorded on a lead of the
// principal's dealers, in the order they were recorded.
func (s *Service) DeliveryEvents(ctx context.Context, leadID int64) ([]DeliveryEvent, error) {
	if _, err := s.FindLead(ctx, leadID); err != nil {
		return nil, err
	}
	return s.store.DeliveryEvents(ctx, leadID)
}
