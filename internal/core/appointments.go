package core

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// AppointmentType says what a client comes to the dealer for.
type AppointmentType string

// The appointment types.
const (
	AppointmentVisit     AppointmentType = "visit"      // a visit to the showroom
	AppointmentTestDrive AppointmentType = "test_drive" // a test drive
	AppointmentDelivery  AppointmentType = "delivery"   // the handover of a vehicle sold
	AppointmentAppraisal AppointmentType = "appraisal"  // the valuation of the client's vehicle
	AppointmentWorkshop  AppointmentType = "workshop"   // an after-sales service at the workshop
)

// AppointmentTypes lists every appointment type.
var AppointmentTypes = []AppointmentType{AppointmentVisit, AppointmentTestDrive, AppointmentDelivery, AppointmentAppraisal, AppointmentWorkshop}

// Valid reports whether t is a known appointment type.
func (t AppointmentType) Valid() bool { return slices.Contains(AppointmentTypes, t) }

// AppointmentStatus says how an appointment stands.
type AppointmentStatus string

// The appointment statuses.
const (
	AppointmentPlanned   AppointmentStatus = "planned"
	AppointmentDone      AppointmentStatus = "done" // the client came (Walcu's showed_up, Casabaca's Held)
	AppointmentCancelled AppointmentStatus = "cancelled"
	AppointmentNoShow    AppointmentStatus = "no_show" // the client did not come
)

// AppointmentStatuses lists every appointment status.
var AppointmentStatuses = []AppointmentStatus{AppointmentPlanned, AppointmentDone, AppointmentCancelled, AppointmentNoShow}

// Valid reports whether s is a known appointment status.
func (s AppointmentStatus) Valid() bool { return slices.Contains(AppointmentStatuses, s) }

// Appointment is a lead's client's appointment at the dealer: a visit, a
// test drive, a delivery, an appraisal or a workshop appointment (Walcu's
// dates, Casabaca's meetings). It belongs to a lead, and to its dealer;
// it is a record of its own, not part of the lead.
type Appointment struct {
	ID       int64
	PublicID string // UUIDv7
	DealerID int64  // the lead's dealer, set by the Service
	LeadID   int64
	ClientID *int64 // the lead's client when the appointment was made; set by the Service
	UserID   *int64 // the user who receives the client; the lead's assignee unless given
	Type     AppointmentType
	Status   AppointmentStatus
	Remote   bool // held by video or phone rather than at the dealer (Casabaca's "Virtual")
	Title    string
	Place    string // where at the dealer (a site, a showroom), free text
	Comments string
	StartAt  time.Time
	EndAt    *time.Time // nil when not said
	// Ext holds what only one API has, keyed "<api>.<field>" (Casabaca's
	// visit type and business line, say), as Dealer.Ext.
	Ext       map[string]string
	CreatedBy *int64
	CreatedAt time.Time
	UpdatedAt time.Time
	// Version is 1 when the appointment is made and grows by one with
	// every change of it.
	Version int
}

// AppointmentPatch changes an appointment. Version is the version the
// caller read (0: none given; see ErrStaleVersion). Ext, when set,
// replaces every extension field.
type AppointmentPatch struct {
	Version  int
	UserID   Field[*int64]
	Type     Field[AppointmentType]
	Status   Field[AppointmentStatus]
	Remote   Field[bool]
	Title    Field[string]
	Place    Field[string]
	Comments Field[string]
	StartAt  Field[time.Time]
	EndAt    Field[*time.Time]
	Ext      Field[map[string]string]
}

func (p AppointmentPatch) applyTo(a *Appointment) {
	p.UserID.applyTo(&a.UserID)
	p.Type.applyTo(&a.Type)
	p.Status.applyTo(&a.Status)
	p.Remote.applyTo(&a.Remote)
	p.Title.applyTo(&a.Title)
	p.Place.applyTo(&a.Place)
	p.Comments.applyTo(&a.Comments)
	p.StartAt.applyTo(&a.StartAt)
	p.EndAt.applyTo(&a.EndAt)
	if p.Ext.Set {
		a.Ext = maps.Clone(p.Ext.V)
	}
}

// Clone returns a deep copy of a.
func (a Appointment) Clone() Appointment {
	a.ClientID, a.UserID, a.CreatedBy, a.EndAt = clonePtr(a.ClientID), clonePtr(a.UserID), clonePtr(a.CreatedBy), clonePtr(a.EndAt)
	a.Ext = maps.Clone(a.Ext)
	return a
}

// validateAppointment checks what needs no database and fills in the
// defaults (a visit, planned); paths are the appointment's fields.
func validateAppointment(a *Appointment) FieldErrors {
	fe := FieldErrors{}
	if a.Type == "" {
		a.Type = AppointmentVisit
	}
	if a.Status == "" {
		a.Status = AppointmentPlanned
	}
	if !a.Type.Valid() {
		fe.Add("type", MsgInvalidChoice)
	}
	if !a.Status.Valid() {
		fe.Add("status", MsgInvalidChoice)
	}
	switch {
	case a.StartAt.IsZero():
		fe.Add("start_at", MsgRequired)
	case a.StartAt.Year() < 1 || a.StartAt.Year() > 9999:
		fe.Add("start_at", MsgOutOfRange)
	}
	if a.EndAt != nil && !a.StartAt.IsZero() && a.EndAt.Before(a.StartAt) {
		fe.Add("end_at", MsgOutOfRange)
	}
	a.StartAt = a.StartAt.UTC().Truncate(time.Microsecond)
	if a.EndAt != nil {
		end := a.EndAt.UTC().Truncate(time.Microsecond)
		a.EndAt = &end
	}
	a.Title, a.Place = strings.TrimSpace(a.Title), strings.TrimSpace(a.Place)
	checkLen(fe, "title", a.Title, MaxShortText)
	checkLen(fe, "place", a.Place, MaxShortText)
	checkLen(fe, "comments", a.Comments, MaxLongText)
	checkExt(fe, a.Ext, MaxExtFields)
	return fe
}

// AppointmentSummary describes an appointment made or deleted in a
// history entry: "<type> <status> <start> [title]", with the core's values
// of type and status (no spaces) and the start in RFC 3339:
// "test_drive planned 2026-12-01T10:00:00Z Prueba del León".
func AppointmentSummary(a Appointment) string {
	s := string(a.Type) + " " + string(a.Status) + " " + timeString(&a.StartAt)
	if a.Title != "" {
		s += " " + a.Title
	}
	return s
}

// diffAppointment lists the fields changed from o to a
// ("appointments.<id>.<field>").
func diffAppointment(o, a Appointment) []Change {
	var cs []Change
	p := "appointments." + strconv.FormatInt(o.ID, 10) + "."
	add := func(field, x, y string) {
		if x != y {
			cs = append(cs, Change{Field: p + field, Old: x, New: y})
		}
	}
	add("type", string(o.Type), string(a.Type))
	add("status", string(o.Status), string(a.Status))
	add("remote", strconv.FormatBool(o.Remote), strconv.FormatBool(a.Remote))
	add("title", o.Title, a.Title)
	add("place", o.Place, a.Place)
	add("comments", o.Comments, a.Comments)
	add("start", timeString(&o.StartAt), timeString(&a.StartAt))
	add("end", timeString(o.EndAt), timeString(a.EndAt))
	add("user", idString(o.UserID), idString(a.UserID))
	keys := slices.Sorted(maps.Keys(o.Ext))
	for k := range a.Ext {
		if _, ok := o.Ext[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		add("ext."+k, o.Ext[k], a.Ext[k])
	}
	return cs
}

// sameAppointment reports whether a and b hold the same values (what a
// patch can change).
func sameAppointment(a, b Appointment) bool {
	return a.Type == b.Type && a.Status == b.Status && a.Remote == b.Remote && a.Title == b.Title && a.Place == b.Place &&
		a.Comments == b.Comments && a.StartAt.Equal(b.StartAt) && sameTime(a.EndAt, b.EndAt) && sameID(a.UserID, b.UserID) &&
		maps.Equal(a.Ext, b.Ext)
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// assigneeOf reads the user an appointment is given to, before a write
// transaction (which may not read the store): nil when id is nil.
func (s *Service) assigneeOf(ctx context.Context, id *int64) (*User, error) {
	if id == nil {
		return nil, nil
	}
	us, err := s.store.UsersByID(ctx, []int64{*id})
	if err != nil || len(us) == 0 {
		return nil, err
	}
	return &us[0], nil
}

// checkAssignee records on fe that user (read by assigneeOf for id) is no
// active user of dealerID.
func checkAssignee(fe FieldErrors, id *int64, user *User, dealerID int64) {
	if id != nil && (user == nil || !user.IsActive || !user.hasDealer(dealerID)) {
		fe.Add("user", MsgNotExist)
	}
}

// CreateAppointment makes an appointment for lead a.LeadID's client: of
// the lead's dealer and client, received by a.UserID or else by the
// lead's assignee, made by the principal's user. The lead's history
// records it (appointment_created); the lead itself, its version
// included, does not change.
func (s *Service) CreateAppointment(ctx context.Context, a Appointment) (Appointment, error) {
	normaliseTexts(&a) // text in NFC (text.go)
	return s.createAppointment(ctx, a, false)
}

// createAppointment is CreateAppointment; with sole, a planned
// appointment is refused (ErrAppointmentPlanned) when the lead has one
// planned already (see CreateSoleAppointment).
func (s *Service) createAppointment(ctx context.Context, a Appointment, sole bool) (Appointment, error) {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return Appointment{}, err
	}
	user, err := s.assigneeOf(ctx, a.UserID)
	if err != nil {
		return Appointment{}, err
	}
	now := s.Now()
	na := a.Clone()
	na.ID, na.Version, na.CreatedBy, na.CreatedAt, na.UpdatedAt = 0, 0, p.UserRef(), now, now
	err = s.store.EditLead(ctx, a.LeadID, func(tx LeadTx) error {
		l := tx.Lead()
		if !p.CanSee(l.DealerID) {
			return errNotFound("lead")
		}
		na.DealerID, na.ClientID = l.DealerID, nil
		if l.Client != nil {
			na.ClientID = &l.Client.ID
		}
		n, err := tx.CountAppointments("")
		if err != nil {
			return err
		}
		if n >= MaxLeadAppointments {
			return &Error{Code: Invalid, Message: "too many appointments on the lead", Fields: map[string]string{"lead": MsgLeadAppointments}}
		}
		fe := validateAppointment(&na)
		checkAssignee(fe, na.UserID, user, l.DealerID)
		if na.UserID == nil {
			na.UserID = clonePtr(l.UserID)
		}
		if err := fe.Err(); err != nil {
			return err
		}
		if sole && na.Status == AppointmentPlanned {
			if n, err := tx.CountAppointments(AppointmentPlanned); err != nil {
				return err
			} else if n > 0 {
				return ErrAppointmentPlanned
			}
		}
		if err := tx.AddAppointment(&na); err != nil {
			return err
		}
		return tx.AddHistory(&History{At: now, UserID: p.UserRef(), Via: p.Via, Type: HistoryChanged, Kind: KindAppointmentCreated,
			Changes: []Change{{Field: "appointments", New: AppointmentSummary(na)}}})
	})
	if err != nil {
		return Appointment{}, err
	}
	return na, nil
}

// FindAppointment returns an appointment of the principal's dealers;
// another dealer's is NotFound, like one that does not exist.
func (s *Service) FindAppointment(ctx context.Context, id int64) (Appointment, error) {
	return findOfDealer(ctx, "appointment", func() (Appointment, error) { return s.store.Appointment(ctx, id) },
		func(a Appointment) int64 { return a.DealerID })
}

// UpdateAppointment applies a patch to an appointment. A patch with a
// Version the appointment no longer has fails with ErrStaleVersion; one
// that changes nothing writes nothing. The lead's history records the
// change (appointment_updated).
func (s *Service) UpdateAppointment(ctx context.Context, id int64, patch AppointmentPatch) (Appointment, error) {
	normaliseTexts(&patch) // text in NFC (text.go)
	cur, err := s.FindAppointment(ctx, id)
	if err != nil {
		return Appointment{}, err
	}
	if err := checkVersion("", patch.Version, cur.Version); err != nil {
		return Appointment{}, err
	}
	var user *User
	if patch.UserID.Set {
		if user, err = s.assigneeOf(ctx, patch.UserID.V); err != nil {
			return Appointment{}, err
		}
	}
	var out Appointment
	err = s.editLeadItem(ctx, "appointment", cur.LeadID, func(p Principal, tx LeadTx, l Lead, now time.Time) error {
		old, err := tx.Appointment(id)
		if err != nil {
			return err
		}
		if err := checkVersion("", patch.Version, old.Version); err != nil {
			return err
		}
		a := old.Clone()
		patch.applyTo(&a)
		fe := validateAppointment(&a)
		if !sameID(old.UserID, a.UserID) {
			checkAssignee(fe, a.UserID, user, l.DealerID)
		}
		if err := fe.Err(); err != nil {
			return err
		}
		out = a
		if sameAppointment(old, a) {
			return nil
		}
		a.UpdatedAt = now
		if err := tx.SaveAppointment(&a); err != nil {
			return err
		}
		out = a
		changes := diffAppointment(old, a)
		if len(changes) == 0 {
			return nil // a change history does not show (less than a second of a time)
		}
		return tx.AddHistory(&History{At: now, UserID: p.UserRef(), Via: p.Via, Type: HistoryChanged, Kind: KindAppointmentUpdated, Changes: changes})
	})
	if err != nil {
		return Appointment{}, err
	}
	return out, nil
}

// DeleteAppointment deletes an appointment. The lead's history records it
// (appointment_deleted).
func (s *Service) DeleteAppointment(ctx context.Context, id int64) error {
	return s.DeleteAppointmentVersion(ctx, id, 0)
}

// DeleteAppointmentVersion is DeleteAppointment of the appointment as it
// was at version: one changed since is ErrStaleVersion (version 0: as it
// is, unchecked).
func (s *Service) DeleteAppointmentVersion(ctx context.Context, id int64, version int) error {
	cur, err := s.FindAppointment(ctx, id)
	if err != nil {
		return err
	}
	if err := checkVersion("", version, cur.Version); err != nil {
		return err
	}
	return s.editLeadItem(ctx, "appointment", cur.LeadID, func(p Principal, tx LeadTx, l Lead, now time.Time) error {
		a, err := tx.Appointment(id)
		if err != nil {
			return err
		}
		if err := checkVersion("", version, a.Version); err != nil {
			return err
		}
		if err := tx.DeleteAppointment(id); err != nil {
			return err
		}
		return tx.AddHistory(&History{At: now, UserID: p.UserRef(), Via: p.Via, Type: HistoryChanged, Kind: KindAppointmentDeleted,
			Changes: []Change{{Field: "appointments", Old: AppointmentSummary(a)}}})
	})
}

// FindAppointments lists the appointments of the principal's dealers that
// q selects (AppointmentSchema). A condition on "dealer" at the top of
// q.Where narrows the dealers.
func (s *Service) FindAppointments(ctx context.Context, q Query) ([]Appointment, int, error) {
	sc, err := AppointmentSchema.WithExt(q.Ext)
	if err != nil {
		return nil, 0, err
	}
	ids, err := s.prepare(ctx, &q, sc, "dealer")
	if err != nil || len(ids) == 0 {
		return nil, 0, err
	}
	return s.store.FindAppointments(ctx, ids, q)
}

// GroupAppointments counts the appointments of the principal's dealers
// that q selects per value of q.GroupBy, most first (at most MaxGroups).
func (s *Service) GroupAppointments(ctx context.Context, q Query) ([]Group, error) {
	if q.GroupBy == "" {
		return nil, &Error{Code: Invalid, Message: "nothing to group by", Fields: map[string]string{"group_by": MsgRequired}}
	}
	sc, err := AppointmentSchema.WithExt(q.Ext)
	if err != nil {
		return nil, err
	}
	ids, err := s.prepare(ctx, &q, sc, "dealer")
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	return s.store.GroupAppointments(ctx, ids, q)
}
