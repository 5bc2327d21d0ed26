package core

import (
	"context"
	"fmt"
	"strings"
)

// Click2Call connects the dealer's phone with the lead's client through the
// telephony bridge, records the call as a done phone task and in the lead's
// history, and returns the call record.
func (s *Service) Click2Call(ctx context.Context, leadID int64) (CallControl, error) {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return CallControl{}, err
	}
	l, err := s.FindLead(ctx, leadID)
	if err != nil {
		return CallControl{}, err
	}
	if l.Client == nil || strings.TrimSpace(l.Client.Phone) == "" {
		return CallControl{}, &Error{Code: Invalid, Message: "the lead's client has no phone", Fields: map[string]string{"lead": MsgNoPhone}}
	}
	if s.dialer == nil {
		return CallControl{}, ErrNoDialer
	}
	ds, err := s.store.DealersByID(ctx, []int64{l.DealerID})
	if err != nil || len(ds) == 0 {
		return CallControl{}, fmt.Errorf("dealer of lead %d: %v", leadID, err)
	}
	caller := p.UserRef()
	if caller == nil {
		caller = l.UserID
	}
	call := Call{LeadID: l.ID, DealerPhone: ds[0].Phone, CallerID: ds[0].CallerID, ClientPhone: l.Client.Phone}
	if caller != nil {
		if u, err := s.store.UserByID(ctx, *caller); err == nil {
			call.UserExtension = u.Click2CallID
		}
	}
	callID, err := s.dialer.Dial(ctx, call)
	if err != nil {
		s.log.WarnContext(ctx, "click2call: the bridge refused the call", "lead", l.ID, "err", err)
		return CallControl{}, ErrCallRefused
	}
	now := s.Now()
	cc := CallControl{LeadID: l.ID, UserID: caller, CallControl: callID, From: call.DealerPhone, To: call.ClientPhone, CreatedAt: now}
	h := History{LeadID: l.ID, At: now, UserID: p.UserRef(), Via: p.Via, Type: HistoryChanged, Kind: KindCallPlaced,
		Changes: []Change{{Field: "call", New: call.ClientPhone}}}
	if err := s.store.CreateCallControl(ctx, &cc, &h); err != nil {
		return CallControl{}, err
	}
	// The call is a done phone task of the lead, created as CreateTask
	// creates one.
	now = s.Now()
	err = s.store.EditLead(ctx, l.ID, func(tx LeadTx) error {
		l := tx.Lead()
		if !p.CanSee(l.DealerID) {
			return errNotFound("lead")
		}
		if err := checkTaskRoom(tx); err != nil {
			return err
		}
		t := Task{Type: TaskOther, Subtype: "click2call", Description: "Click2Call " + call.ClientPhone,
			Media: MediaPhone, PlannedAt: &now, Done: true, IsClick2Call: true, AuthorID: caller, CreatedAt: now}
		return addTask(tx, &l, &t, p, now)
	})
	if err != nil {
		return CallControl{}, err
	}
	return cc, nil
}
