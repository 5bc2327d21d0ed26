package core

import (
	"context"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// CreateLead validates l, applies the lifecycle rules and stores it with its
// first history entry. The lead belongs to the dealer of its source; its
// assigned user defaults to the creator.
func (s *Service) CreateLead(ctx context.Context, l Lead) (Lead, error) {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return Lead{}, err
	}
	now := s.Now()
	l.ID, l.DealerID, l.Version = 0, 0, 0
	if l.Stage == "" {
		l.Stage = StageNew
	}
	if l.UserID == nil {
		l.UserID = p.UserRef()
	}
	l.CreatedBy = p.UserRef()
	l.CreatedAt, l.UpdatedAt = now, now
	l.FinishedAt, l.FirstTaskAt = nil, nil
	if l.Client != nil {
		l.Client.ID = 0
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

	fe := validateLead(&l)
	if err := s.checkLeadRefs(ctx, p, nil, &l, fe); err != nil {
		return Lead{}, err
	}
	if err := fe.Err(); err != nil {
		return Lead{}, err
	}
	settle(nil, &l, now)
	h := History{At: now, UserID: p.UserRef(), Type: HistoryCreated, Kind: KindLeadCreated, Changes: diffLead(nil, &l)}
	if err := s.store.CreateLead(ctx, &l, &h); err != nil {
		return Lead{}, err
	}
	if s.observer != nil {
		s.observer.LeadCreated(l.DealerID)
	}
	return l, nil
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
// history entry's kind follows from the patch (see PatchKind).
func (s *Service) UpdateLead(ctx context.Context, id int64, patch LeadPatch) (Lead, error) {
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
		p.Notes == nil && p.Tags == nil && !p.Stage.Set && !p.Outcome.Set && !p.Reason.Set && !p.Score.Set && !p.MailContent.Set:
		return KindLeadAssigned
	}
	return KindLeadUpdated
}

// ChangeLeadStatus moves a lead to another stage.
func (s *Service) ChangeLeadStatus(ctx context.Context, id int64, st Stage) (Lead, error) {
	return s.patchLead(ctx, id, KindStageChanged, LeadPatch{Stage: Value(st)})
}

// AssignLead gives a lead to a user of its dealer.
func (s *Service) AssignLead(ctx context.Context, id int64, userID int64) (Lead, error) {
	return s.patchLead(ctx, id, KindLeadAssigned, LeadPatch{UserID: Value(&userID)})
}

// FinishLead ends a lead, with an optional outcome.
func (s *Service) FinishLead(ctx context.Context, id int64, o Outcome) (Lead, error) {
	patch := LeadPatch{Stage: Value(StageEnd)}
	if o != OutcomeNone {
		patch.Outcome = Value(o)
	}
	return s.patchLead(ctx, id, KindLeadFinished, patch)
}

// patchLead applies patch, recording kind in the lead's history.
func (s *Service) patchLead(ctx context.Context, id int64, kind HistoryKind, patch LeadPatch) (Lead, error) {
	return s.updateLead(ctx, id, kind, func(l *Lead, now time.Time, p Principal) error {
		return applyLeadPatch(l, patch, now, p)
	})
}

// updateLead runs change twice: once on a copy read beforehand, to validate
// the result and check its references against the database outside the
// write transaction, and once inside the store's transaction on the lead as
// it is then, where only the checks that need no reads run again. A change
// of the assigned user is checked both times against the reassignment rule
// (CanAssign), whatever path made it.
func (s *Service) updateLead(ctx context.Context, id int64, kind HistoryKind, change func(*Lead, time.Time, Principal) error) (Lead, error) {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return Lead{}, err
	}
	before, err := s.FindLead(ctx, id)
	if err != nil {
		return Lead{}, err
	}
	a, err := s.assignerOf(ctx, p)
	if err != nil {
		return Lead{}, err
	}
	now := s.Now()
	draft := cloneLead(before)
	if err := change(&draft, now, p); err != nil {
		return Lead{}, err
	}
	if err := a.checkAssign(&before, &draft); err != nil {
		return Lead{}, err
	}
	fe := validateLead(&draft)
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
		old := cloneLead(*l)
		if err := change(l, now, p); err != nil {
			return nil, err
		}
		// again on the lead as it is now: its assignee may have changed
		if err := a.checkAssign(&old, l); err != nil {
			return nil, err
		}
		if err := validateLead(l).Err(); err != nil {
			return nil, err
		}
		settle(&old, l, now)
		changes := diffLead(&old, l)
		l.UpdatedAt = now
		if len(changes) == 0 {
			return nil, nil
		}
		return []History{{LeadID: l.ID, At: now, UserID: p.UserRef(), Type: HistoryChanged, Kind: kind, Changes: changes}}, nil
	})
}

// CreateTask adds a task to a lead and returns it.
func (s *Service) CreateTask(ctx context.Context, leadID int64, t Task) (Task, error) {
	var known []int64
	l, err := s.updateLead(ctx, leadID, KindTaskCreated, func(l *Lead, now time.Time, p Principal) error {
		known = known[:0]
		for _, old := range l.Tasks {
			known = append(known, old.ID)
		}
		if len(l.Tasks) >= MaxItems {
			return &Error{Code: Invalid, Message: "too many tasks", Fields: map[string]string{"tasks": MsgOutOfRange}}
		}
		nt := t
		nt.ID, nt.LeadID, nt.AuthorID, nt.CreatedAt = 0, l.ID, p.UserRef(), now
		if nt.Appraisal != nil {
			a := *nt.Appraisal
			a.ID = 0
			nt.Appraisal = &a
		}
		nt.Notes = slices.Clone(t.Notes)
		resetNotes(nt.Notes, p, now)
		l.Tasks = append(l.Tasks, nt)
		return nil
	})
	if err != nil {
		return Task{}, taskPaths(err, len(known))
	}
	for _, t := range l.Tasks {
		if !slices.Contains(known, t.ID) {
			return t, nil
		}
	}
	return Task{}, fmt.Errorf("created task not found in lead %d", leadID)
}

// taskPaths turns the field paths of errors about the task at index i of a
// lead ("tasks.3.type") into paths of a lone task ("type").
func taskPaths(err error, i int) error {
	e, ok := err.(*Error)
	if !ok || len(e.Fields) == 0 {
		return err
	}
	prefix := "tasks." + strconv.Itoa(i)
	out := &Error{Code: e.Code, Message: e.Message, Fields: map[string]string{}}
	for k, v := range e.Fields {
		switch {
		case k == prefix:
			out.Fields["task"] = v
		case strings.HasPrefix(k, prefix+"."):
			out.Fields[strings.TrimPrefix(k, prefix+".")] = v
		default:
			out.Fields[k] = v
		}
	}
	return out
}

// FindTask returns a task of the principal's dealers with its lead.
func (s *Service) FindTask(ctx context.Context, taskID int64) (Task, Lead, error) {
	leadID, err := s.store.LeadIDOfTask(ctx, taskID)
	if err != nil {
		return Task{}, Lead{}, err
	}
	l, err := s.FindLead(ctx, leadID)
	if err != nil {
		return Task{}, Lead{}, errNotFound("task")
	}
	for _, t := range l.Tasks {
		if t.ID == taskID {
			return t, l, nil
		}
	}
	return Task{}, Lead{}, errNotFound("task")
}

// UpdateTask applies a patch to one task.
func (s *Service) UpdateTask(ctx context.Context, taskID int64, patch TaskPatch) (Task, error) {
	_, lead, err := s.FindTask(ctx, taskID)
	if err != nil {
		return Task{}, err
	}
	idx := -1
	l, err := s.updateLead(ctx, lead.ID, KindTaskUpdated, func(l *Lead, now time.Time, p Principal) error {
		idx = slices.IndexFunc(l.Tasks, func(t Task) bool { return t.ID == taskID })
		if idx < 0 {
			return errNotFound("task")
		}
		patch.ID = &taskID
		return applyTaskPatch(&l.Tasks[idx], patch, "", now, p)
	})
	if err != nil {
		return Task{}, taskPaths(err, idx)
	}
	for _, t := range l.Tasks {
		if t.ID == taskID {
			return t, nil
		}
	}
	return Task{}, errNotFound("task")
}

// DeleteTask removes a task from its lead.
func (s *Service) DeleteTask(ctx context.Context, taskID int64) error {
	_, lead, err := s.FindTask(ctx, taskID)
	if err != nil {
		return err
	}
	_, err = s.updateLead(ctx, lead.ID, KindTaskDeleted, func(l *Lead, now time.Time, p Principal) error {
		idx := slices.IndexFunc(l.Tasks, func(t Task) bool { return t.ID == taskID })
		if idx < 0 {
			return errNotFound("task")
		}
		l.Tasks = slices.Delete(l.Tasks, idx, idx+1)
		return nil
	})
	return err
}

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
	h := History{LeadID: l.ID, At: now, UserID: p.UserRef(), Type: HistoryChanged, Kind: KindCallPlaced,
		Changes: []Change{{Field: "call", New: call.ClientPhone}}}
	if err := s.store.CreateCallControl(ctx, &cc, &h); err != nil {
		return CallControl{}, err
	}
	_, err = s.updateLead(ctx, l.ID, KindTaskCreated, func(l *Lead, now time.Time, p Principal) error {
		l.Tasks = append(l.Tasks, Task{
			LeadID: l.ID, Type: TaskOther, Subtype: "click2call", Description: "Click2Call " + call.ClientPhone,
			Media: MediaPhone, PlannedAt: &now, Done: true, IsClick2Call: true, AuthorID: caller, CreatedAt: now,
		})
		return nil
	})
	if err != nil {
		return CallControl{}, err
	}
	return cc, nil
}

// validateLead checks what needs no database: required fields, enumerations,
// ranges and lengths. Paths are core paths ("vehicle.brand_model",
// "tasks.0.appraisal").
func validateLead(l *Lead) FieldErrors {
	fe := FieldErrors{}
	if l.SourceID == 0 {
		fe.Add("source", MsgRequired)
	}
	if l.Vehicle == nil {
		fe.Add("vehicle", MsgRequired)
	} else {
		v := l.Vehicle
		v.BrandModel = strings.TrimSpace(v.BrandModel)
		if v.BrandModel == "" {
			fe.Add("vehicle.brand_model", MsgRequired)
		}
		checkLen(fe, "vehicle.brand_model", v.BrandModel, MaxShortText)
		checkLen(fe, "vehicle.price", v.Price, MaxShortText)
		checkLen(fe, "vehicle.km", v.Km, MaxShortText)
		checkYear(fe, "vehicle.year", v.Year)
	}
	if c := l.Client; c != nil {
		c.Name = strings.TrimSpace(c.Name)
		c.Email = strings.TrimSpace(c.Email)
		c.Phone = strings.TrimSpace(c.Phone)
		if c.Name == "" {
			fe.Add("client.name", MsgRequired)
		}
		checkLen(fe, "client.name", c.Name, MaxShortText)
		checkLen(fe, "client.phone", c.Phone, MaxPhone)
		checkLen(fe, "client.email", c.Email, MaxShortText)
		if c.Email != "" {
			if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email {
				fe.Add("client.email", MsgInvalid)
			}
		}
	}
	if !l.Stage.Valid() {
		fe.Add("stage", MsgInvalidChoice)
	}
	if !l.Outcome.Valid() {
		fe.Add("outcome", MsgInvalidChoice)
	}
	if l.Score < 0 || l.Score > 4 {
		fe.Add("score", MsgInvalidChoice)
	}
	checkLen(fe, "reason", l.Reason, MaxShortText)
	checkLen(fe, "mail_content", l.MailContent, MaxLongText)
	if len(l.Tasks) > MaxItems {
		fe.Add("tasks", MsgOutOfRange)
	}
	for i := range l.Tasks {
		validateTask(fe, "tasks."+strconv.Itoa(i), &l.Tasks[i])
	}
	validateNotes(fe, "notes", l.Notes)
	validateNotes(fe, "tags", l.Tags)
	return fe
}

func validateTask(fe FieldErrors, path string, t *Task) {
	if t.Type == "" {
		t.Type = TaskOther
	}
	if t.Media == "" {
		t.Media = MediaPhone
	}
	if !t.Type.Valid() {
		fe.Add(path+".type", MsgInvalidChoice)
	}
	if !t.Media.Valid() {
		fe.Add(path+".media", MsgInvalidChoice)
	}
	checkLen(fe, path+".subtype", t.Subtype, MaxShortText)
	checkLen(fe, path+".description", t.Description, MaxLongText)
	if t.Type == TaskAppraisal && t.Appraisal == nil {
		fe.Add(path+".appraisal", MsgRequired)
	}
	if a := t.Appraisal; a != nil {
		a.BrandModel = strings.TrimSpace(a.BrandModel)
		if a.BrandModel == "" {
			fe.Add(path+".appraisal.brand_model", MsgRequired)
		}
		checkLen(fe, path+".appraisal.brand_model", a.BrandModel, MaxShortText)
		checkLen(fe, path+".appraisal.license_plate", a.LicensePlate, MaxPlate)
		checkLen(fe, path+".appraisal.km", a.Km, MaxShortText)
		checkLen(fe, path+".appraisal.extras", a.Extras, MaxLongText)
		if a.Year == nil || *a.Year != 0 { // 0: unknown, as SML's templates send it
			checkYear(fe, path+".appraisal.year", a.Year)
		}
		if !a.Origin.Valid() {
			fe.Add(path+".appraisal.origin", MsgInvalidChoice)
		}
	}
	validateNotes(fe, path+".notes", t.Notes)
}

func validateNotes(fe FieldErrors, path string, ns []Note) {
	if len(ns) > MaxItems {
		fe.Add(path, MsgOutOfRange)
	}
	for i := range ns {
		ns[i].Content = strings.TrimSpace(ns[i].Content)
		p := path + "." + strconv.Itoa(i) + ".content"
		if ns[i].Content == "" {
			fe.Add(p, MsgRequired)
		}
		checkLen(fe, p, ns[i].Content, MaxLongText)
	}
}

// checkLen checks that s holds at most max characters (not bytes: Spanish
// text is mostly two-byte letters) and no NUL, which no database stores.
func checkLen(fe FieldErrors, path, s string, max int) {
	switch {
	case strings.ContainsRune(s, 0):
		fe.Add(path, MsgNullCharacter)
	case utf8.RuneCountInString(s) > max:
		fe.Add(path, MsgTooLong)
	}
}

func checkYear(fe FieldErrors, path string, y *int) {
	if y != nil && (*y < MinYear || *y > MaxYear) {
		fe.Add(path, MsgOutOfRange)
	}
}

// checkLeadRefs checks the ids a lead refers to against the database: only
// those that differ from old (nil on create), so that a reference that went
// stale does not block unrelated changes. It also derives the lead's dealer
// from its source and normalises the client's phone.
func (s *Service) checkLeadRefs(ctx context.Context, p Principal, old, l *Lead, fe FieldErrors) error {
	if old != nil {
		l.DealerID = old.DealerID
	}
	if l.SourceID != 0 && (old == nil || old.SourceID != l.SourceID) {
		srcs, err := s.store.SourcesByID(ctx, []int64{l.SourceID})
		if err != nil {
			return err
		}
		switch {
		case len(srcs) == 0 || !p.CanSee(srcs[0].DealerID):
			fe.Add("source", MsgNotExist)
		case old != nil && srcs[0].DealerID != old.DealerID:
			// a lead never moves to another dealer through its source
			fe.Add("source", MsgNotExist)
		default:
			l.DealerID = srcs[0].DealerID
		}
	}
	if l.UserID != nil && (old == nil || old.UserID == nil || *old.UserID != *l.UserID) && l.DealerID != 0 {
		us, err := s.store.UsersByID(ctx, []int64{*l.UserID})
		if err != nil {
			return err
		}
		if len(us) == 0 || !us[0].IsActive || !us[0].hasDealer(l.DealerID) {
			fe.Add("user", MsgNotExist)
		}
	}
	// fuels
	gas := map[string]int64{}
	if l.Vehicle != nil && l.Vehicle.GasID != nil && (old == nil || old.Vehicle == nil || !sameID(old.Vehicle.GasID, l.Vehicle.GasID)) {
		gas["vehicle.gas"] = *l.Vehicle.GasID
	}
	for i, t := range l.Tasks {
		if t.Appraisal == nil || t.Appraisal.GasID == nil {
			continue
		}
		if oa := oldAppraisal(old, t.ID); oa != nil && sameID(oa.GasID, t.Appraisal.GasID) {
			continue
		}
		gas["tasks."+strconv.Itoa(i)+".appraisal.gas"] = *t.Appraisal.GasID
	}
	if len(gas) > 0 {
		gs, err := s.store.GasTypes(ctx)
		if err != nil {
			return err
		}
		for path, id := range gas {
			if !slices.ContainsFunc(gs, func(g GasType) bool { return g.ID == id }) {
				fe.Add(path, MsgNotExist)
			}
		}
	}
	if c := l.Client; c != nil {
		var oc *Client
		if old != nil && old.Client != nil && old.Client.ID == c.ID {
			oc = old.Client
		}
		if c.ProvinceID != nil && (oc == nil || !sameID(oc.ProvinceID, c.ProvinceID)) {
			ps, err := s.store.ProvincesByID(ctx, []int64{*c.ProvinceID})
			if err != nil {
				return err
			}
			if len(ps) == 0 {
				fe.Add("client.province", MsgNotExist)
			}
		}
		if c.LocalityID != nil && (oc == nil || !sameID(oc.LocalityID, c.LocalityID) || !sameID(oc.ProvinceID, c.ProvinceID)) {
			ls, err := s.store.LocalitiesByID(ctx, []int64{*c.LocalityID})
			if err != nil {
				return err
			}
			switch {
			case len(ls) == 0:
				fe.Add("client.locality", MsgNotExist)
			case c.ProvinceID != nil && ls[0].ProvinceID != *c.ProvinceID:
				fe.Add("client.locality", MsgNotInProvince)
			case c.ProvinceID == nil:
				// a locality implies its province
				pid := ls[0].ProvinceID
				c.ProvinceID = &pid
			}
		}
		if l.DealerID != 0 {
			c.DealerID = l.DealerID
		}
		c.PhoneE164 = s.normalisePhone(ctx, c.Phone, l.DealerID)
	}
	return nil
}

func oldAppraisal(old *Lead, taskID int64) *Appraisal {
	if old == nil || taskID == 0 {
		return nil
	}
	for _, t := range old.Tasks {
		if t.ID == taskID {
			return t.Appraisal
		}
	}
	return nil
}

func sameID(a, b *int64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// normalisePhone returns phone in E.164, read as a number of the dealer's
// country when it has no country code; empty when it is not a number. With
// no dealer (or one without a country) only a number with its country code
// is read.
func (s *Service) normalisePhone(ctx context.Context, phone string, dealerID int64) string {
	if strings.TrimSpace(phone) == "" {
		return ""
	}
	region := ""
	if dealerID != 0 {
		if ds, err := s.store.DealersByID(ctx, []int64{dealerID}); err == nil && len(ds) == 1 {
			region = ds[0].Country
		}
	}
	return NormalisePhone(phone, region)
}

// NormalisePhone returns phone in E.164, read as a number of region (ISO
// 3166-1 alpha-2) when it has no country code; empty when it is not a valid
// number. With region empty, only a number written with its country code
// ("+34 666…") is read.
func NormalisePhone(phone, region string) string {
	if region == "" {
		region = "ZZ" // phonenumbers' unknown region: a country code is needed
	}
	n, err := phonenumbers.Parse(phone, region)
	if err != nil || !phonenumbers.IsPossibleNumber(n) {
		return ""
	}
	return phonenumbers.Format(n, phonenumbers.E164)
}

// settle applies the lifecycle rules to l, which was old before (nil on
// create):
//   - a vehicle marked sold ends the lead with outcome not_available;
//   - giving an outcome ends the lead;
//   - entering the end stage records when; leaving it reopens the lead and
//     clears its outcome;
//   - a task marked done or tracked records when, and loses it when unmarked;
//   - the first task a lead ever gets records its first-response time.
func settle(old, l *Lead, now time.Time) {
	wasSold := old != nil && old.Vehicle != nil && old.Vehicle.Sold && l.Vehicle != nil && old.Vehicle.ID == l.Vehicle.ID
	if l.Vehicle != nil && l.Vehicle.Sold && !wasSold {
		l.Stage, l.Outcome = StageEnd, OutcomeNotAvailable
	}
	oldStage, oldOutcome := Stage(""), OutcomeNone
	if old != nil {
		oldStage, oldOutcome = old.Stage, old.Outcome
	}
	if l.Outcome != OutcomeNone && l.Outcome != oldOutcome {
		l.Stage = StageEnd
	}
	switch {
	case l.Stage == StageEnd && (oldStage != StageEnd || l.FinishedAt == nil):
		l.FinishedAt = &now
	case l.Stage != StageEnd && oldStage == StageEnd:
		l.FinishedAt, l.Outcome, l.Reason = nil, OutcomeNone, ""
	case l.Stage != StageEnd:
		l.FinishedAt = nil
		if l.Outcome != OutcomeNone {
			l.Outcome = OutcomeNone
		}
	}
	for i := range l.Tasks {
		t := &l.Tasks[i]
		switch {
		case t.Done && t.DoneAt == nil:
			t.DoneAt = &now
		case !t.Done:
			t.DoneAt = nil
		}
		switch {
		case t.Tracked && t.TrackedAt == nil:
			t.TrackedAt = &now
		case !t.Tracked:
			t.TrackedAt = nil
		}
	}
	if l.FirstTaskAt == nil && len(l.Tasks) > 0 {
		l.FirstTaskAt = &now
	}
}

// applyLeadPatch applies p to l. It reports nested ids that are not l's.
func applyLeadPatch(l *Lead, p LeadPatch, now time.Time, pr Principal) error {
	fe := FieldErrors{}
	p.SourceID.applyTo(&l.SourceID)
	p.UserID.applyTo(&l.UserID)
	p.Stage.applyTo(&l.Stage)
	p.Outcome.applyTo(&l.Outcome)
	p.Reason.applyTo(&l.Reason)
	p.Score.applyTo(&l.Score)
	p.MailContent.applyTo(&l.MailContent)
	if vp := p.Vehicle; vp != nil {
		switch {
		case vp.ID == nil:
			l.Vehicle = &Vehicle{}
		case l.Vehicle == nil || l.Vehicle.ID != *vp.ID:
			fe.Add("vehicle.id", MsgNotExist)
		}
		if l.Vehicle != nil {
			v := l.Vehicle
			vp.BrandModel.applyTo(&v.BrandModel)
			vp.Price.applyTo(&v.Price)
			vp.Km.applyTo(&v.Km)
			vp.Year.applyTo(&v.Year)
			vp.GasID.applyTo(&v.GasID)
			vp.Sold.applyTo(&v.Sold)
		}
	}
	if p.ClearClient {
		l.Client = nil
	}
	if cp := p.Client; cp != nil {
		switch {
		case cp.ID == nil:
			l.Client = &Client{DealerID: l.DealerID}
		case l.Client == nil || l.Client.ID != *cp.ID:
			fe.Add("client.id", MsgNotExist)
		}
		if c := l.Client; c != nil {
			cp.Name.applyTo(&c.Name)
			cp.Phone.applyTo(&c.Phone)
			cp.Email.applyTo(&c.Email)
			cp.ProvinceID.applyTo(&c.ProvinceID)
			cp.LocalityID.applyTo(&c.LocalityID)
		}
	}
	if p.Tasks != nil {
		tasks := make([]Task, 0, len(*p.Tasks))
		for i, tp := range *p.Tasks {
			path := "tasks." + strconv.Itoa(i)
			var t Task
			if tp.ID != nil {
				idx := slices.IndexFunc(l.Tasks, func(t Task) bool { return t.ID == *tp.ID })
				if idx < 0 {
					fe.Add(path+".id", MsgNotExist)
					continue
				}
				t = l.Tasks[idx]
			} else {
				t = Task{LeadID: l.ID, AuthorID: pr.UserRef(), CreatedAt: now}
			}
			if err := applyTaskPatch(&t, tp, path, now, pr); err != nil {
				mergeFields(fe, err)
			}
			tasks = append(tasks, t)
		}
		l.Tasks = tasks
	}
	if p.Notes != nil {
		l.Notes = applyNotePatches(fe, "notes", l.Notes, *p.Notes, now, pr)
	}
	if p.Tags != nil {
		l.Tags = applyNotePatches(fe, "tags", l.Tags, *p.Tags, now, pr)
	}
	return fe.Err()
}

func applyTaskPatch(t *Task, p TaskPatch, path string, now time.Time, pr Principal) error {
	fe := FieldErrors{}
	prefix := path
	if prefix != "" {
		prefix += "."
	}
	p.Type.applyTo(&t.Type)
	p.Subtype.applyTo(&t.Subtype)
	p.Description.applyTo(&t.Description)
	p.Media.applyTo(&t.Media)
	p.PlannedAt.applyTo(&t.PlannedAt)
	p.PlannedTrackingAt.applyTo(&t.PlannedTrackingAt)
	p.Done.applyTo(&t.Done)
	p.Tracked.applyTo(&t.Tracked)
	if p.ClearAppraisal {
		t.Appraisal = nil
	}
	if ap := p.Appraisal; ap != nil {
		switch {
		case ap.ID == nil:
			t.Appraisal = &Appraisal{}
		case t.Appraisal == nil || t.Appraisal.ID != *ap.ID:
			fe.Add(prefix+"appraisal.id", MsgNotExist)
		}
		if a := t.Appraisal; a != nil {
			ap.BrandModel.applyTo(&a.BrandModel)
			ap.LicensePlate.applyTo(&a.LicensePlate)
			ap.Km.applyTo(&a.Km)
			ap.Year.applyTo(&a.Year)
			ap.GasID.applyTo(&a.GasID)
			ap.Extras.applyTo(&a.Extras)
			ap.Origin.applyTo(&a.Origin)
		}
	}
	if p.Notes != nil {
		t.Notes = applyNotePatches(fe, prefix+"notes", t.Notes, *p.Notes, now, pr)
	}
	return fe.Err()
}

func applyNotePatches(fe FieldErrors, path string, have []Note, ps []NotePatch, now time.Time, pr Principal) []Note {
	out := make([]Note, 0, len(ps))
	for i, np := range ps {
		var n Note
		if np.ID != nil {
			idx := slices.IndexFunc(have, func(n Note) bool { return n.ID == *np.ID })
			if idx < 0 {
				fe.Add(path+"."+strconv.Itoa(i)+".id", MsgNotExist)
				continue
			}
			n = have[idx]
			if np.Content.Set && np.Content.V != n.Content {
				n.Modified = now
			}
		} else {
			n = Note{AuthorID: pr.UserRef(), Created: now, Modified: now}
		}
		np.Content.applyTo(&n.Content)
		out = append(out, n)
	}
	return out
}

func mergeFields(fe FieldErrors, err error) {
	if e, ok := err.(*Error); ok {
		for k, v := range e.Fields {
			fe.Add(k, v)
		}
	}
}

func cloneLead(l Lead) Lead {
	c := l
	if l.Client != nil {
		cl := *l.Client
		c.Client = &cl
	}
	if l.Vehicle != nil {
		v := *l.Vehicle
		c.Vehicle = &v
	}
	c.Tasks = make([]Task, len(l.Tasks))
	for i, t := range l.Tasks {
		ct := t
		if t.Appraisal != nil {
			a := *t.Appraisal
			ct.Appraisal = &a
		}
		ct.Notes = slices.Clone(t.Notes)
		c.Tasks[i] = ct
	}
	c.Notes = slices.Clone(l.Notes)
	c.Tags = slices.Clone(l.Tags)
	return c
}

// diffLead lists what changed from old (nil on create) to l, for history.
func diffLead(old, l *Lead) []Change {
	var cs []Change
	add := func(field, a, b string) {
		if a != b {
			cs = append(cs, Change{Field: field, Old: a, New: b})
		}
	}
	o := old
	if o == nil {
		o = &Lead{}
	}
	add("stage", string(o.Stage), string(l.Stage))
	add("outcome", string(o.Outcome), string(l.Outcome))
	add("reason", o.Reason, l.Reason)
	add("score", itoaOrEmpty(o.Score), itoaOrEmpty(l.Score))
	add("user", idString(o.UserID), idString(l.UserID))
	add("source", itoaOrEmpty(int(o.SourceID)), itoaOrEmpty(int(l.SourceID)))
	ov, nv := vehicleOrZero(o.Vehicle), vehicleOrZero(l.Vehicle)
	add("vehicle.brand_model", ov.BrandModel, nv.BrandModel)
	add("vehicle.price", ov.Price, nv.Price)
	add("vehicle.km", ov.Km, nv.Km)
	add("vehicle.year", intPtrString(ov.Year), intPtrString(nv.Year))
	add("vehicle.gas", idString(ov.GasID), idString(nv.GasID))
	add("vehicle.sold", strconv.FormatBool(ov.Sold), strconv.FormatBool(nv.Sold))
	oc, nc := clientOrZero(o.Client), clientOrZero(l.Client)
	if l.Client != nil && nc.ID == 0 && oc.ID != 0 {
		cs = append(cs, Change{Field: "client", Old: itoaOrEmpty(int(oc.ID)), New: "new"})
	} else {
		add("client", itoaOrEmpty(int(oc.ID)), itoaOrEmpty(int(nc.ID)))
	}
	add("client.name", oc.Name, nc.Name)
	add("client.phone", oc.Phone, nc.Phone)
	add("client.email", oc.Email, nc.Email)
	add("client.province", idString(oc.ProvinceID), idString(nc.ProvinceID))
	add("client.locality", idString(oc.LocalityID), idString(nc.LocalityID))
	cs = append(cs, diffTasks(o.Tasks, l.Tasks)...)
	cs = append(cs, diffNotes("notes", o.Notes, l.Notes)...)
	cs = append(cs, diffNotes("tags", o.Tags, l.Tags)...)
	add("mail_content", o.MailContent, l.MailContent)
	return cs
}

func vehicleOrZero(v *Vehicle) Vehicle {
	if v == nil {
		return Vehicle{}
	}
	return *v
}

func clientOrZero(c *Client) Client {
	if c == nil {
		return Client{}
	}
	return *c
}

// diffTasks lists tasks added ("tasks" with New), removed ("tasks" with
// Old) and the fields changed on kept ones ("tasks.ID.field").
func diffTasks(old, cur []Task) []Change {
	var cs []Change
	kept := map[int64]Task{}
	for _, t := range cur {
		if t.ID != 0 {
			kept[t.ID] = t
		}
	}
	for _, t := range old {
		n, ok := kept[t.ID]
		if !ok {
			cs = append(cs, Change{Field: "tasks", Old: TaskSummary(t)})
			continue
		}
		p := "tasks." + strconv.FormatInt(t.ID, 10) + "."
		add := func(field, a, b string) {
			if a != b {
				cs = append(cs, Change{Field: p + field, Old: a, New: b})
			}
		}
		add("type", string(t.Type), string(n.Type))
		add("subtype", t.Subtype, n.Subtype)
		add("description", t.Description, n.Description)
		add("media", string(t.Media), string(n.Media))
		add("planned", timeString(t.PlannedAt), timeString(n.PlannedAt))
		add("planned_tracking", timeString(t.PlannedTrackingAt), timeString(n.PlannedTrackingAt))
		add("done", strconv.FormatBool(t.Done), strconv.FormatBool(n.Done))
		add("tracked", strconv.FormatBool(t.Tracked), strconv.FormatBool(n.Tracked))
		oa, na := appraisalOrZero(t.Appraisal), appraisalOrZero(n.Appraisal)
		add("appraisal.brand_model", oa.BrandModel, na.BrandModel)
		add("appraisal.license_plate", oa.LicensePlate, na.LicensePlate)
		add("appraisal.km", oa.Km, na.Km)
		add("appraisal.year", intPtrString(oa.Year), intPtrString(na.Year))
		add("appraisal.gas", idString(oa.GasID), idString(na.GasID))
		add("appraisal.extras", oa.Extras, na.Extras)
		add("appraisal.origin", string(oa.Origin), string(na.Origin))
		cs = append(cs, diffNotes(p+"notes", t.Notes, n.Notes)...)
	}
	for _, t := range cur {
		if t.ID == 0 {
			cs = append(cs, Change{Field: "tasks", New: TaskSummary(t)})
		}
	}
	return cs
}

// diffNotes lists notes added, removed and edited under field.
func diffNotes(field string, old, cur []Note) []Change {
	var cs []Change
	kept := map[int64]Note{}
	for _, n := range cur {
		if n.ID != 0 {
			kept[n.ID] = n
		}
	}
	for _, o := range old {
		n, ok := kept[o.ID]
		switch {
		case !ok:
			cs = append(cs, Change{Field: field, Old: o.Content})
		case n.Content != o.Content:
			cs = append(cs, Change{Field: field, Old: o.Content, New: n.Content})
		}
	}
	for _, n := range cur {
		if n.ID == 0 {
			cs = append(cs, Change{Field: field, New: n.Content})
		}
	}
	return cs
}

// TaskSummary describes a task added or removed in a history entry:
// "<type> <media> [subtype] [description] [done]", words separated by one
// space, with the core's values of type and media (which hold no space),
// the subtype and description only when not empty, and "done" when the
// task is done: "date phone Prueba de conducción Cita el sábado". An API
// that words media differently finds the media as the second word.
func TaskSummary(t Task) string {
	parts := []string{string(t.Type), string(t.Media)}
	for _, s := range []string{t.Subtype, t.Description} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if t.Done {
		parts = append(parts, "done")
	}
	return strings.Join(parts, " ")
}

func appraisalOrZero(a *Appraisal) Appraisal {
	if a == nil {
		return Appraisal{}
	}
	return *a
}

func timeString(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func itoaOrEmpty(i int) string {
	if i == 0 {
		return ""
	}
	return strconv.Itoa(i)
}

func idString(p *int64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatInt(*p, 10)
}

func intPtrString(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}
