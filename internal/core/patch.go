package core

import (
	"slices"
	"strconv"
	"time"
)

// Field is one field of a patch: Set says whether the caller gave it at all,
// V is the value given (a nil pointer for an explicit null).
type Field[T any] struct {
	Set bool
	V   T
}

// Value returns a set Field holding v.
func Value[T any](v T) Field[T] { return Field[T]{Set: true, V: v} }

func (f Field[T]) applyTo(dst *T) {
	if f.Set {
		*dst = f.V
	}
}

// LeadPatch is a partial change to a lead. Nested objects follow the SML
// "nested update" rule, which every API shares: a nested object given with
// its ID is updated field by field; given without an ID it replaces the old
// one whole; a list given replaces the old list, keeping (and updating) the
// elements named by ID and deleting the rest.
//
// Version, and the Version of a nested patch naming its element by ID, is
// the version the caller read (0: none given): when the lead (or that
// element) has another now, the patch fails with ErrStaleVersion and
// changes nothing. A list sent with the lead's version never deletes an
// element someone added since the caller read the lead.
type LeadPatch struct {
	Version  int
	SourceID Field[int64]
	Vehicle  *VehiclePatch
	Client   *ClientPatch
	// ClearClient detaches the client from the lead (the client remains).
	ClearClient bool
	Tasks       *[]TaskPatch
	Notes       *[]NotePatch
	Tags        *[]NotePatch
	UserID      Field[*int64]
	Stage       Field[Stage]
	Outcome     Field[Outcome]
	Reason      Field[string]
	Score       Field[int] // 0 clears the score
	MailContent Field[string]
	// Ext sets (a value) or removes (nil) keys of the lead's Ext.
	Ext map[string]*string
}

// VehiclePatch changes a lead's vehicle; see LeadPatch.
type VehiclePatch struct {
	ID         *int64
	BrandModel Field[string]
	Price      Field[string]
	Km         Field[string]
	Year       Field[*int]
	GasID      Field[*int64]
	Sold       Field[bool]
	RecordID   Field[*int64] // the stock car the vehicle is (Vehicle.RecordID)
	// Make and Model, when either is set, set BrandModel too
	// (vehiclename.go).
	Make, Model, Plate, VIN Field[string]
}

// ClientPatch changes a lead's client; see LeadPatch.
type ClientPatch struct {
	ID         *int64
	Version    int // the client's version the caller read; 0: none given
	Name       Field[string]
	Phone      Field[string]
	Email      Field[string]
	ProvinceID Field[*int64]
	LocalityID Field[*int64]
	// GovID, BusinessName and Address are fields no SML client has.
	GovID        Field[string]
	BusinessName Field[string]
	Address      Field[string]
	// Ext sets (a value) or removes (nil) keys of the client's Ext; only
	// UpdateClient reads it.
	Ext map[string]*string
}

// TaskPatch changes a task; see LeadPatch.
type TaskPatch struct {
	ID                *int64
	Version           int // the task's version the caller read; 0: none given
	Type              Field[TaskType]
	Subtype           Field[string]
	Description       Field[string]
	Media             Field[Media]
	PlannedAt         Field[*time.Time]
	PlannedTrackingAt Field[*time.Time]
	Done              Field[bool]
	Tracked           Field[bool]
	Notes             *[]NotePatch
	Appraisal         *AppraisalPatch
	ClearAppraisal    bool
}

// AppraisalPatch changes a task's appraisal; see LeadPatch.
type AppraisalPatch struct {
	ID           *int64
	BrandModel   Field[string]
	LicensePlate Field[string]
	Km           Field[string]
	Year         Field[*int]
	GasID        Field[*int64]
	Extras       Field[string]
	Origin       Field[AppraisalOrigin]
}

// NotePatch changes a note or tag; see LeadPatch.
type NotePatch struct {
	ID      *int64
	Version int // the note's version the caller read; 0: none given
	Content Field[string]
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
	applyExtPatch(&l.Ext, p.Ext)
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
			vp.RecordID.applyTo(&v.RecordID)
			vp.Plate.applyTo(&v.Plate)
			vp.VIN.applyTo(&v.VIN)
			if vp.Make.Set || vp.Model.Set {
				vp.Make.applyTo(&v.Make)
				vp.Model.applyTo(&v.Model)
				v.BrandModel = JoinMakeModel(v.Make, v.Model)
			}
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
		default:
			if err := checkVersion("client", cp.Version, l.Client.Version); err != nil {
				return err
			}
		}
		if c := l.Client; c != nil {
			was := *c
			cp.Name.applyTo(&c.Name)
			cp.Phone.applyTo(&c.Phone)
			cp.Email.applyTo(&c.Email)
			cp.ProvinceID.applyTo(&c.ProvinceID)
			cp.LocalityID.applyTo(&c.LocalityID)
			cp.GovID.applyTo(&c.GovID)
			cp.BusinessName.applyTo(&c.BusinessName)
			cp.Address.applyTo(&c.Address)
			if c.ID == 0 {
				c.CreatedAt = now
			}
			if c.ID == 0 || !sameClientFields(&was, c) {
				c.UpdatedAt = now
			}
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
				if err := checkVersion(path, tp.Version, t.Version); err != nil {
					return err
				}
			} else {
				t = Task{LeadID: l.ID, AuthorID: pr.UserRef(), CreatedAt: now}
			}
			if err := applyTaskPatch(&t, tp, path, now, pr); err != nil {
				if ErrorCode(err) != Invalid {
					return err // a stale version of one of its notes
				}
				mergeFields(fe, err)
			}
			tasks = append(tasks, t)
		}
		l.Tasks = tasks
	}
	var err error
	if p.Notes != nil {
		if l.Notes, err = applyNotePatches(fe, "notes", l.Notes, *p.Notes, now, pr); err != nil {
			return err
		}
	}
	if p.Tags != nil {
		if l.Tags, err = applyNotePatches(fe, "tags", l.Tags, *p.Tags, now, pr); err != nil {
			return err
		}
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
		var err error
		if t.Notes, err = applyNotePatches(fe, prefix+"notes", t.Notes, *p.Notes, now, pr); err != nil {
			return err
		}
	}
	return fe.Err()
}

// applyNotePatches returns the list of notes ps makes of have, recording
// unknown ids in fe; an error when a note's version is stale.
func applyNotePatches(fe FieldErrors, path string, have []Note, ps []NotePatch, now time.Time, pr Principal) ([]Note, error) {
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
			if err := checkVersion(path+"."+strconv.Itoa(i), np.Version, n.Version); err != nil {
				return nil, err
			}
			applyNotePatch(&n, np, now)
		} else {
			n = Note{AuthorID: pr.UserRef(), Created: now, Modified: now}
			np.Content.applyTo(&n.Content)
		}
		out = append(out, n)
	}
	return out, nil
}

// applyNotePatch changes the content of the existing note n as p says; a
// new content is modified now.
func applyNotePatch(n *Note, p NotePatch, now time.Time) {
	if p.Content.Set && p.Content.V != n.Content {
		n.Modified = now
	}
	p.Content.applyTo(&n.Content)
}

func mergeFields(fe FieldErrors, err error) {
	if e, ok := err.(*Error); ok {
		for k, v := range e.Fields {
			fe.Add(k, v)
		}
	}
}
