package core

import (
	"context"
	"time"
)

// CreateLead validates l, applies the lifecycle rules and stores it with its
// first history entry. The lead belongs to the dealer of its source; its
// assigned user defaults to the creator.
func (s *Service) CreateLead(ctx context.Context, l Lead) (Lead, error) {
	normaliseTexts(&l) // text in NFC (text.go)
	p, err := mustPrincipal(ctx)
	if err != nil {
		return Lead{}, err
	}
	h, err := s.prepareNewLead(ctx, p, &l)
	if err != nil {
		return Lead{}, err
	}
	if err := s.store.CreateLead(ctx, &l, &h); err != nil {
		return Lead{}, err
	}
	if s.observer != nil {
		s.observer.LeadCreated(l.DealerID)
	}
	return l, nil
}

// prepareNewLead validates l, a new lead p creates, applies the lifecycle
// rules and returns its first history entry: what CreateLead (and
// IntakeLead) does before storing it.
func (s *Service) prepareNewLead(ctx context.Context, p Principal, l *Lead) (History, error) {
	now := s.Now()
	l.ID, l.DealerID, l.Version = 0, 0, 0
	if l.Stage == "" {
		l.Stage = StageNew
	}
	if l.Kind == "" {
		l.Kind = LeadSale
	}
	if l.UserID == nil {
		l.UserID = p.UserRef()
	}
	l.CreatedBy = p.UserRef()
	l.CreatedAt, l.UpdatedAt = now, now
	l.FinishedAt, l.FirstTaskAt = nil, nil
	var givenClient int64
	switch {
	case l.Client != nil && l.Client.ID != 0:
		// a client given by its id is that stored client of the lead's
		// dealer, as it is (see clientrecords.go)
		givenClient = l.Client.ID
		cl, err := s.store.Client(ctx, givenClient)
		if err != nil && ErrorCode(err) != NotFound {
			return History{}, err
		}
		if err != nil || !p.CanSee(cl.DealerID) {
			return History{}, &Error{Code: Invalid, Message: "invalid input", Fields: map[string]string{"client.id": MsgNotExist}}
		}
		l.Client = &cl
	case l.Client != nil:
		l.Client.CreatedAt, l.Client.UpdatedAt = now, now
	}
	if l.Vehicle != nil {
		l.Vehicle.ID = 0
	}
	for i := range l.Tasks {
		l.Tasks[i].ID = 0
		l.Tasks[i].AuthorID = p.UserRef()
		l.Tasks[i].CreatedAt = now
		if l.Tasks[i].Appraisal != nil {
			l.Tasks[i].Appraisal.ID = 0
		}
		resetNotes(l.Tasks[i].Notes, p, now)
	}
	resetNotes(l.Notes, p, now)
	resetNotes(l.Tags, p, now)

	if v := l.Vehicle; v != nil && (v.Make != "" || v.Model != "") {
		v.BrandModel = JoinMakeModel(v.Make, v.Model) // a writer naming them apart
	}
	fe := validateLead(l)
	checkLeadSize(fe, nil, l)
	checkVehicleAmounts(fe, nil, l)
	if err := s.checkLeadRefs(ctx, p, nil, l, fe); err != nil {
		return History{}, err
	}
	if givenClient != 0 && l.DealerID != 0 && l.Client.DealerID != l.DealerID {
		fe.Add("client.id", MsgNotExist)
	}
	if err := fe.Err(); err != nil {
		return History{}, err
	}
	settle(nil, l, now)
	return History{At: now, UserID: p.UserRef(), Via: p.Via, Type: HistoryCreated, Kind: KindLeadCreated, Changes: diffLead(nil, l)}, nil
}

func resetNotes(ns []Note, p Principal, now time.Time) {
	for i := range ns {
		ns[i].ID = 0
		ns[i].AuthorID = p.UserRef()
		ns[i].Created, ns[i].Modified = now, now
		ns[i].History = nil
	}
}

// UpdateLead applies a patch to a lead of the principal's dealers. Its
// history entry's kind follows from the patch (see PatchKind). A patch
// with a Version the lead no longer has fails with ErrStaleVersion.
func (s *Service) UpdateLead(ctx context.Context, id int64, patch LeadPatch) (Lead, error) {
	normaliseTexts(&patch) // text in NFC (text.go)
	return s.patchLead(ctx, id, PatchKind(patch), patch)
}

// PatchKind is the kind of the history entry UpdateLead records for p: a
// patch that ends the lead (stage end, or an outcome) finishes it; one that
// sets only the assigned user assigns it; anything else updates it. The
// SML API, which changes, assigns and finishes leads with the same PATCH,
// relies on it.
func PatchKind(p LeadPatch) HistoryKind {
	switch {
	case (p.Stage.Set && p.Stage.V == StageEnd) || (p.Outcome.Set && p.Outcome.V != OutcomeNone):
		return KindLeadFinished
	case p.UserID.Set && !p.SourceID.Set && p.Vehicle == nil && p.Client == nil && !p.ClearClient && p.Tasks == nil &&
		p.Notes == nil && p.Tags == nil && !p.Stage.Set && !p.Outcome.Set && !p.Reason.Set && !p.Score.Set && !p.MailContent.Set && p.Ext == nil:
		return KindLeadAssigned
	}
	return KindLeadUpdated
}

// ChangeLeadStatus moves a lead to another stage. version is the lead's
// version the caller read (0: none given; see ErrStaleVersion).
func (s *Service) ChangeLeadStatus(ctx context.Context, id int64, st Stage, version int) (Lead, error) {
	return s.patchLead(ctx, id, KindStageChanged, LeadPatch{Version: version, Stage: Value(st)})
}

// AssignLead gives a lead to a user of its dealer. version is the lead's
// version the caller read (0: none given; see ErrStaleVersion).
func (s *Service) AssignLead(ctx context.Context, id int64, userID int64, version int) (Lead, error) {
	return s.patchLead(ctx, id, KindLeadAssigned, LeadPatch{Version: version, UserID: Value(&userID)})
}

// FinishLead ends a lead, with an optional outcome. version is the lead's
// version the caller read (0: none given; see ErrStaleVersion).
func (s *Service) FinishLead(ctx context.Context, id int64, o Outcome, version int) (Lead, error) {
	patch := LeadPatch{Version: version, Stage: Value(StageEnd)}
	if o != OutcomeNone {
		patch.Outcome = Value(o)
	}
	return s.patchLead(ctx, id, KindLeadFinished, patch)
}

// patchLead applies patch, recording kind in the lead's history.
func (s *Service) patchLead(ctx context.Context, id int64, kind HistoryKind, patch LeadPatch) (Lead, error) {
	return s.updateLead(ctx, id, kind, patch.Version, func(l *Lead, now time.Time, p Principal) error {
		return applyLeadPatch(l, patch, now, p)
	})
}

// updateLead runs change twice: once on a copy read beforehand, to validate
// the result and check its references against the database outside the
// write transaction, and once inside the store's transaction on the lead as
// it is then, where only the checks that need no reads run again. A change
// of the assigned user is checked both times against the reassignment rule
// (CanAssign), whatever path made it, and so is version (the lead's version
// the caller read; 0: none given), the second time against the lead's row
// as the transaction holds it, so that of two writers who read the same
// version one gets ErrStaleVersion.
func (s *Service) updateLead(ctx context.Context, id int64, kind HistoryKind, version int, change func(*Lead, time.Time, Principal) error) (Lead, error) {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return Lead{}, err
	}
	before, err := s.FindLead(ctx, id)
	if err != nil {
		return Lead{}, err
	}
	if err := checkVersion("", version, before.Version); err != nil {
		return Lead{}, err
	}
	a, err := s.assignerOf(ctx, p)
	if err != nil {
		return Lead{}, err
	}
	now := s.Now()
	draft := before.Clone()
	if err := change(&draft, now, p); err != nil {
		return Lead{}, err
	}
	if err := a.checkAssign(&before, &draft); err != nil {
		return Lead{}, err
	}
	fe := validateLead(&draft)
	checkLeadSize(fe, &before, &draft)
	checkVehicleAmounts(fe, &before, &draft)
	if err := s.checkLeadRefs(ctx, p, &before, &draft, fe); err != nil {
		return Lead{}, err
	}
	if err := fe.Err(); err != nil {
		return Lead{}, err
	}
	return s.store.UpdateLead(ctx, id, p.UserRef(), func(l *Lead) ([]History, error) {
		if !p.CanSee(l.DealerID) {
			return nil, errNotFound("lead")
		}
		if err := checkVersion("", version, l.Version); err != nil {
			return nil, err
		}
		old := l.Clone()
		if err := change(l, now, p); err != nil {
			return nil, err
		}
		carryDerived(&draft, l)
		// again on the lead as it is now: its assignee may have changed
		if err := a.checkAssign(&old, l); err != nil {
			return nil, err
		}
		fe := validateLead(l)
		checkLeadSize(fe, &old, l)
		checkVehicleAmounts(fe, &old, l)
		if err := fe.Err(); err != nil {
			return nil, err
		}
		settle(&old, l, now)
		changes := diffLead(&old, l)
		l.UpdatedAt = now
		if len(changes) == 0 {
			return nil, nil
		}
		return []History{{LeadID: l.ID, At: now, UserID: p.UserRef(), Via: p.Via, Type: HistoryChanged, Kind: kind, Changes: changes}}, nil
	})
}
