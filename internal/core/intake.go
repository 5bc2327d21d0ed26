package core

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Intake: a lead arriving from another system (a call centre, a chat, a
// landing page) with what it is to the dealer's organisation (its
// profile), the id its sender gave it, and the communication that brought
// it, stored in one write; sending the same lead again creates nothing.
// Without an assignee, the assignment rule gives it to an advisor. See
// docs/decisions.md, "Intake, organisation and communications".

// ProfileKind says what a lead is in the dealer's sales process (not
// LeadKind, what it is about).
type ProfileKind string

// The lead kinds of a profile.
const (
	ProfileEnquiry     ProfileKind = "enquiry"     // a contact to answer (Casabaca's ticket)
	ProfileOpportunity ProfileKind = "opportunity" // a sale being worked (Casabaca's prospección)
)

// Valid reports whether k is a known lead kind.
func (k ProfileKind) Valid() bool { return k == ProfileEnquiry || k == ProfileOpportunity }

// LeadProfile is what a lead is to its dealer's organisation: its kind,
// the lead it came from (an opportunity's enquiry), its business line,
// campaign, agency and form, and what only one API has (Ext, keyed
// "<api>.<field>").
type LeadProfile struct {
	LeadID         int64
	DealerID       int64
	Kind           ProfileKind
	ParentID       *int64
	BusinessLineID *int64
	CampaignID     *int64
	AgencyID       *int64
	FormID         *int64
	Ext            map[string]string
}

// LeadRef is the id another system gave a lead (Casabaca's
// id_interaccion_inconcert): one lead per dealer, system and id.
type LeadRef struct {
	System string // "<api>.<system>", e.g. "casabaca.inconcert"
	Ref    string
}

// MaxRef bounds a LeadRef's id.
const MaxRef = 255

// Intake is a lead arriving with what comes with it.
type Intake struct {
	Lead    Lead
	Profile LeadProfile
	// Ref, when given, names the lead: a lead of the dealer with it already
	// is the same lead, and nothing is created.
	Ref *LeadRef
	// SameOpen: an open lead of the dealer of the same kind and business
	// line whose client has the government id of this one's is the same
	// lead, and nothing is created.
	SameOpen bool
	// Communication, when given, is the communication that brought the
	// lead, logged on it.
	Communication *Communication
	// AssignPosition: when the assignment rule gives the lead, it prefers
	// the advisors of this position (see AssignmentPool).
	AssignPosition string
}

// IntakeResult is what IntakeLead stored, or found.
type IntakeResult struct {
	Lead          Lead
	Profile       LeadProfile
	Communication *Communication // the one logged now, or the lead's first when Existing
	// Existing: the lead had been received before (by its Ref or as the
	// same open lead); nothing was created or changed.
	Existing bool
}

// AssignPool is who the assignment rule may give a lead to: the
// candidates in turn, and the key of the pool the turn is kept for.
type AssignPool struct {
	Key        string
	Candidates []int64 // user ids, ascending
}

// AssignmentPool returns who the assignment rule may give a new lead of
// agency agency (the lead's profile's: by default the one its source
// feeds, see SourceCode) and business line line to at the dealer of o,
// from its active users (users: the dealer's members, with their state):
//
//  1. the active advisors of the agency who serve the business line (an
//     advisor with no lines serves all) and, when position is given, hold
//     that position;
//  2. failing any, the same without the position;
//  3. failing any, the same without the business line;
//  4. with no agency, or failing any there, the same steps over the
//     dealer's active advisors of every agency.
//
// An empty pool leaves the lead unassigned. The key names the pool, so
// that each pool keeps its own turn.
func AssignmentPool(o Organisation, users []User, agency *int64, line *int64, position string) AssignPool {
	active := map[int64]bool{}
	for _, u := range users {
		if u.IsActive && u.hasDealer(o.DealerID) {
			active[u.ID] = true
		}
	}
	pick := func(agency *int64, line *int64, position string) []int64 {
		var ids []int64
		for _, st := range o.Staff {
			if st.Role != RoleAdvisor || !st.Active || !active[st.UserID] {
				continue
			}
			if agency != nil && !sameID(st.AgencyID, agency) {
				continue
			}
			if !st.Serves(line) || (position != "" && st.Position != position) {
				continue
			}
			ids = append(ids, st.UserID)
		}
		slices.Sort(ids)
		return slices.Compact(ids)
	}
	agencies := []*int64{agency}
	if agency != nil {
		agencies = append(agencies, nil)
	}
	for _, a := range agencies {
		steps := []struct {
			line     *int64
			position string
		}{{line, position}, {line, ""}, {nil, ""}}
		for _, st := range steps {
			if ids := pick(a, st.line, st.position); len(ids) > 0 {
				key := "agency:" + idString(a) + "/line:" + idString(st.line) + "/position:" + st.position
				return AssignPool{Key: key, Candidates: ids}
			}
		}
	}
	return AssignPool{}
}

// NextInTurn returns the candidate after last in ascending order, the
// first when last is the highest or none: round-robin that survives
// candidates coming and going. 0 when there is no candidate.
func NextInTurn(candidates []int64, last int64) int64 {
	if len(candidates) == 0 {
		return 0
	}
	for _, id := range candidates {
		if id > last {
			return id
		}
	}
	return candidates[0]
}

// validateProfile checks pr, the profile of a new lead of dealer o, and
// the ref.
func validateProfile(fe FieldErrors, o Organisation, pr *LeadProfile, ref *LeadRef) {
	if pr.Kind == "" {
		pr.Kind = ProfileEnquiry
	}
	if !pr.Kind.Valid() {
		fe.Add("profile.kind", MsgInvalidChoice)
	}
	if pr.BusinessLineID != nil {
		if _, ok := o.BusinessLine(*pr.BusinessLineID); !ok {
			fe.Add("profile.business_line", MsgNotExist)
		}
	}
	if pr.CampaignID != nil {
		if _, ok := o.Campaign(*pr.CampaignID); !ok {
			fe.Add("profile.campaign", MsgNotExist)
		}
	}
	if pr.AgencyID != nil {
		if _, ok := o.Agency(*pr.AgencyID); !ok {
			fe.Add("profile.agency", MsgNotExist)
		}
	}
	if pr.FormID != nil && !slices.ContainsFunc(o.Forms, func(f LeadForm) bool { return f.ID == *pr.FormID }) {
		fe.Add("profile.form", MsgNotExist)
	}
	for k, v := range pr.Ext {
		if !validExtKey(k) {
			fe.Add("profile.ext."+k, MsgInvalid)
		}
		checkLen(fe, "profile.ext."+k, v, MaxLongText)
	}
	pr.Ext = maps.Clone(pr.Ext)
	if ref != nil {
		ref.System, ref.Ref = strings.TrimSpace(ref.System), strings.TrimSpace(ref.Ref)
		if !validExtKey(ref.System) {
			fe.Add("ref.system", MsgInvalid)
		}
		requiredText(fe, "ref.ref", ref.Ref, MaxRef)
	}
}

// IntakeLead stores a lead arriving from another system, with its profile,
// its sender's id and the communication that brought it, in one write:
//
//   - a lead with in.Ref at the dealer already, or (in.SameOpen) an open
//     lead of the dealer of the same kind and business line whose client
//     has this client's government id, is the same lead: nothing is
//     stored, and the result is that lead (Existing);
//   - the client is matched to the dealer's as for any new lead;
//   - without an assigned user, the assignment rule gives the lead to the
//     next advisor in turn of AssignmentPool (none: unassigned);
//   - the lead's history records its creation, the client matched and the
//     communication.
//
// The profile's parent, when given, must be a lead of the same dealer the
// principal may see. The checks against the dealer's organisation run
// before the write; the ref, the open lead and the turn are looked up
// inside it, so two identical intakes at once make one lead.
func (s *Service) IntakeLead(ctx context.Context, in Intake) (IntakeResult, error) {
	normaliseTexts(&in) // text in NFC (text.go)
	p, err := mustPrincipal(ctx)
	if err != nil {
		return IntakeResult{}, err
	}
	assign := in.Lead.UserID == nil
	h, err := s.prepareNewLead(ctx, p, &in.Lead)
	if err != nil {
		return IntakeResult{}, err
	}
	l := &in.Lead
	if assign {
		l.UserID = nil
	}
	o, err := s.store.Organisation(ctx, l.DealerID)
	if err != nil {
		return IntakeResult{}, err
	}
	fe := FieldErrors{}
	in.Profile.LeadID, in.Profile.DealerID = 0, l.DealerID
	if sc, ok := o.SourceCode(l.SourceID); ok && in.Profile.AgencyID == nil {
		in.Profile.AgencyID = clonePtr(sc.AgencyID)
	}
	validateProfile(fe, o, &in.Profile, in.Ref)
	if in.Profile.ParentID != nil {
		parent, err := s.FindLead(ctx, *in.Profile.ParentID)
		switch {
		case ErrorCode(err) == NotFound || (err == nil && parent.DealerID != l.DealerID):
			fe.Add("profile.parent", MsgNotExist)
		case err != nil:
			return IntakeResult{}, err
		}
	}
	var comm *Communication
	if in.Communication != nil {
		c := in.Communication.Clone()
		if c.UserID == nil {
			c.UserID = p.UserRef()
		}
		user, err := s.assigneeOf(ctx, c.UserID)
		if err != nil {
			return IntakeResult{}, err
		}
		cfe := prepareCommunication(&c, l, p, l.CreatedAt)
		checkAssignee(cfe, c.UserID, user, l.DealerID)
		for k, v := range cfe {
			fe.Add("communication."+k, v)
		}
		comm = &c
	}
	if err := fe.Err(); err != nil {
		return IntakeResult{}, err
	}
	var pool AssignPool
	if assign {
		users, err := s.store.UsersByID(ctx, staffIDs(o))
		if err != nil {
			return IntakeResult{}, err
		}
		pool = AssignmentPool(o, users, in.Profile.AgencyID, in.Profile.BusinessLineID, in.AssignPosition)
	}
	var same *OpenLeadKey
	if in.SameOpen && l.Client != nil && NormaliseGovID(l.Client.GovID) != "" {
		same = &OpenLeadKey{GovID: NormaliseGovID(l.Client.GovID), Kind: in.Profile.Kind, BusinessLineID: in.Profile.BusinessLineID}
	}
	w := IntakeWrite{Lead: l, History: &h, Profile: &in.Profile, Ref: in.Ref, Same: same, Communication: comm, Pool: pool}
	if comm != nil {
		w.CommHistory = &History{At: l.CreatedAt, UserID: p.UserRef(), Via: p.Via, Type: HistoryChanged, Kind: KindCommunicationLogged}
	}
	existing, err := s.store.IntakeLead(ctx, &w)
	if err != nil {
		return IntakeResult{}, err
	}
	if existing != 0 {
		return s.existingIntake(ctx, existing)
	}
	if s.observer != nil {
		s.observer.LeadCreated(l.DealerID)
	}
	return IntakeResult{Lead: *l, Profile: in.Profile, Communication: comm}, nil
}

// existingIntake answers an intake of a lead received before: lead id
// with its profile and first communication.
func (s *Service) existingIntake(ctx context.Context, id int64) (IntakeResult, error) {
	l, err := s.FindLead(ctx, id)
	if err != nil {
		return IntakeResult{}, err
	}
	out := IntakeResult{Lead: l, Existing: true}
	prs, err := s.store.LeadProfiles(ctx, []int64{id})
	if err != nil {
		return IntakeResult{}, err
	}
	if len(prs) == 1 {
		out.Profile = prs[0]
	}
	cs, err := s.store.LeadCommunications(ctx, id, 1)
	if err != nil {
		return IntakeResult{}, err
	}
	if len(cs) > 0 {
		out.Communication = &cs[0]
	}
	return out, nil
}

func staffIDs(o Organisation) []int64 {
	ids := make([]int64, 0, len(o.Staff))
	for _, st := range o.Staff {
		ids = append(ids, st.UserID)
	}
	return DistinctIDs(ids)
}

// OpenLeadKey names the open leads an intake with SameOpen counts as the
// same lead.
type OpenLeadKey struct {
	GovID          string // normalised
	Kind           ProfileKind
	BusinessLineID *int64
}

// IntakeWrite is what Store.IntakeLead writes: the lead prepared by the
// Service with its first history entry, its profile, ref and
// communication (with its history entry, whose change the store fills in
// once the communication has its ids), and the assignment pool (empty:
// the lead keeps its UserID).
type IntakeWrite struct {
	Lead          *Lead
	History       *History
	Profile       *LeadProfile
	Ref           *LeadRef
	Same          *OpenLeadKey
	Communication *Communication
	CommHistory   *History
	Pool          AssignPool
}

// CommunicationChange is the history change of communication c logged:
// what IntakeWrite.CommHistory records once c is stored.
func CommunicationChange(c Communication) Change {
	return Change{Field: "communications", New: CommunicationSummary(c)}
}

// AssignChange is the history change of a lead given to user id by the
// assignment rule, at its creation.
func AssignChange(id int64) Change {
	return Change{Field: "user", New: strconv.FormatInt(id, 10)}
}

// LeadProfile returns the profile of a lead of the principal's dealers
// (Kind empty when it has none); another dealer's lead is NotFound.
func (s *Service) LeadProfile(ctx context.Context, leadID int64) (LeadProfile, error) {
	if _, err := s.leadDealer(ctx, leadID); err != nil {
		return LeadProfile{}, err
	}
	prs, err := s.store.LeadProfiles(ctx, []int64{leadID})
	if err != nil || len(prs) == 0 {
		return LeadProfile{LeadID: leadID}, err
	}
	return prs[0], nil
}

// LeadChildren lists the ids of the leads that came from lead leadID (an
// enquiry's opportunities), oldest first.
func (s *Service) LeadChildren(ctx context.Context, leadID int64) ([]int64, error) {
	if _, err := s.leadDealer(ctx, leadID); err != nil {
		return nil, err
	}
	return s.store.LeadChildren(ctx, leadID)
}

// leadDealer returns the dealer of lead id when the principal may see it.
func (s *Service) leadDealer(ctx context.Context, id int64) (int64, error) {
	l, err := s.FindLead(ctx, id)
	if err != nil {
		return 0, err
	}
	return l.DealerID, nil
}

// CloseLead ends a lead with an outcome and the reason it ended (free
// text: an API's own closing reason, Casabaca's motivo_cierre), recorded
// as lead_finished like FinishLead. version is the lead's version the
// caller read (0: none given).
func (s *Service) CloseLead(ctx context.Context, id int64, o Outcome, reason string, version int) (Lead, error) {
	patch := LeadPatch{Version: version, Stage: Value(StageEnd), Reason: Value(strings.TrimSpace(reason))}
	if o != OutcomeNone {
		patch.Outcome = Value(o)
	}
	return s.patchLead(ctx, id, KindLeadFinished, patch)
}
