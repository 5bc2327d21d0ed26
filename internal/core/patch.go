package core

import "time"

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
type LeadPatch struct {
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
}

// ClientPatch changes a lead's client; see LeadPatch.
type ClientPatch struct {
	ID         *int64
	Name       Field[string]
	Phone      Field[string]
	Email      Field[string]
	ProvinceID Field[*int64]
	LocalityID Field[*int64]
}

// TaskPatch changes a task; see LeadPatch.
type TaskPatch struct {
	ID                *int64
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
	Content Field[string]
}
