package core

import (
	"strings"
	"sync"
	"time"

	"github.com/nyaruka/phonenumbers"
	"golang.org/x/text/language"
)

// Dealer is a tenant: one dealership (SML "concessionaire").
type Dealer struct {
	ID        int64
	PublicID  string // UUIDv7, the identity rendered by UUID-based APIs
	Name      string
	Country   string // ISO 3166-1 alpha-2, e.g. "ES": its clients' phones are read as of this country
	TimeZone  string // IANA name used to render local times, e.g. "Europe/Madrid"
	Address   string
	Latitude  *float64
	Longitude *float64
	Schedule  string
	Web       string
	Guidance  Guidance
	CallerID  string // the number a client sees when the dealer calls him through the telephony bridge
	Phone     string // the dealership's phone, bridged by click-to-call
	Calendar  *WorkCalendar
	Notes     []Note
	// Ext holds what only one API has, keyed "<api>.<field>" (e.g.
	// "sml.web_coches_net"). The API's package owns its keys; the core
	// stores them and never reads them.
	Ext       map[string]string
	CreatedAt time.Time
}

// Guidance is a dealer's instructions to his advisors on each topic of a
// client's interest: how visits and test drives are booked, how trade-ins
// are appraised, what financing, warranty and after-sales service offer.
type Guidance struct {
	Visit     string
	Appraisal string
	Financing string
	Warranty  string
	Service   string
}

// locations caches loaded time zones: time.LoadLocation parses the zone
// database on every call, and every rendered timestamp needs one.
var locations sync.Map // string → *time.Location

// Location returns the dealer's time zone, UTC when unset or unknown.
func (d Dealer) Location() *time.Location {
	if d.TimeZone == "" {
		return time.UTC
	}
	if loc, ok := locations.Load(d.TimeZone); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(d.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	locations.Store(d.TimeZone, loc)
	return loc
}

// WorkCalendar holds a dealer's opening hours, Monday first.
type WorkCalendar struct {
	ID   int64
	Days [7]WorkDay // index 0 is Monday, 6 is Sunday
}

// WorkDay is one weekday of a WorkCalendar. Hours are "HH:MM" in the
// dealer's time zone.
type WorkDay struct {
	ID      int64
	Start   string
	End     string
	Working bool
}

// OpenAt reports whether the calendar is open at t (already in the dealer's
// time zone).
func (c *WorkCalendar) OpenAt(t time.Time) bool {
	if c == nil {
		return false
	}
	idx := (int(t.Weekday()) + 6) % 7
	d := c.Days[idx]
	if !d.Working || d.Start == "" || d.End == "" {
		return false
	}
	hm := t.Format("15:04")
	return hm >= d.Start && hm < d.End
}

// User is a person who logs in: an advisor, a manager, an administrator.
type User struct {
	ID            int64
	PublicID      string
	Username      string
	Email         string
	FirstName     string
	LastName      string
	Phone         string
	MemberID      string
	Click2CallID  string // the user's extension on the telephony bridge
	PasswordHash  string
	IsAdmin       bool // the installation's administrator
	IsActive      bool
	ActivatedAt   *time.Time
	DeactivatedAt *time.Time
	Memberships   []Membership
	Session       *Session // the latest session, nil when the user never logged in
	CreatedAt     time.Time
}

// IsDealerAdmin reports whether the user administers any of his dealers.
func (u User) IsDealerAdmin() bool {
	for _, m := range u.Memberships {
		if m.IsAdmin {
			return true
		}
	}
	return false
}

// IsBusinessManager reports whether the user is business manager at any of
// his dealers.
func (u User) IsBusinessManager() bool {
	for _, m := range u.Memberships {
		if m.IsBusinessManager {
			return true
		}
	}
	return false
}

// DealerIDs lists the dealers the user belongs to.
func (u User) DealerIDs() []int64 {
	ids := make([]int64, 0, len(u.Memberships))
	for _, m := range u.Memberships {
		ids = append(ids, m.DealerID)
	}
	return ids
}

// Membership ties a user to a dealer with his role there.
type Membership struct {
	ID                int64
	UserID            int64
	DealerID          int64
	IsAdmin           bool
	IsBusinessManager bool
}

// Session is a user's working session, opened by login and closed by logout.
type Session struct {
	ID           int64
	StartWorking time.Time
	LastSeen     *time.Time
	EndedAt      *time.Time
}

// OnlineWindow is how long after his last request a user still counts as
// online.
const OnlineWindow = 15 * time.Minute

// Online reports whether the session counts as online at now.
func (s *Session) Online(now time.Time) bool {
	if s == nil || s.EndedAt != nil {
		return false
	}
	last := s.StartWorking
	if s.LastSeen != nil && s.LastSeen.After(last) {
		last = *s.LastSeen
	}
	return now.Sub(last) < OnlineWindow
}

// APIKey is a machine credential bound to one dealer.
type APIKey struct {
	ID        int64
	DealerID  int64
	UserID    *int64 // the user the key acts as, if any
	Name      string
	Prefix    string // the first characters of the key, for operators to recognise it
	CreatedAt time.Time
	RevokedAt *time.Time
}

// The slugs of the well-known channels, as the demo seeds them. An API
// whose documents name how a lead came in (a medium, a "medio") maps its
// words onto these; an installation may add channels of its own.
const (
	ChannelPhone    = "phone"
	ChannelEmail    = "email"
	ChannelWeb      = "web"
	ChannelChat     = "chat"
	ChannelWhatsapp = "whatsapp"
)

// Channel is how a client reached the dealer: phone, email, web, chat,
// WhatsApp… Slug identifies it (see ChannelPhone and the others).
type Channel struct {
	ID   int64
	Slug string
	Name string
}

// Origin is where the dealer's sources are offered to the client: a portal
// such as coches.net, the dealer's web site, the showroom.
type Origin struct {
	ID         int64
	Name       string
	Icon       string
	Phones     []OriginPhone
	Emails     []OriginEmail
	ChannelIDs []int64
}

// OriginPhone is a phone number published on an origin.
type OriginPhone struct {
	ID     int64
	Number string
}

// OriginEmail is an e-mail address published on an origin.
type OriginEmail struct {
	ID    int64
	Email string
}

// Source is one point of contact of one dealer: a channel on an origin, with
// its data (the phone number, the address, the form's name).
type Source struct {
	ID        int64
	DealerID  int64
	ChannelID int64
	OriginID  int64
	Data      string
}

// GasType is a fuel: petrol, diesel, hybrid, electric…
type GasType struct {
	ID   int64
	Name string
}

// Country is a country, identified by its ISO 3166-1 alpha-2 code ("ES").
// Each API renders its own identity for it (SML: a number, 28 for Spain).
type Country struct {
	Code string
	Name string
}

// ValidCountry reports whether code is the ISO 3166-1 alpha-2 code of a
// country in use, in upper case, with a telephone numbering plan (its
// clients' phones are read by it): "ES", not "es", "ESP", "EU", "UK" (GB),
// "YU" (gone), "AC" (a phone region, no ISO country) or "ZZ".
func ValidCountry(code string) bool {
	if len(code) != 2 || strings.ToUpper(code) != code {
		return false
	}
	r, err := language.ParseRegion(code)
	return err == nil && r.IsCountry() && r.Canonicalize().String() == code && r.M49() != 0 &&
		phonenumbers.GetCountryCodeForRegion(code) != 0
}

// Province is a first-level division of a country.
type Province struct {
	ID      int64
	Country string // the country's ISO 3166-1 alpha-2 code
	Name    string
	Active  bool
}

// Locality is a town of a province.
type Locality struct {
	ID         int64
	ProvinceID int64
	Name       string
	Active     bool
}

// Client is a person or business interested in a car, owned by one dealer.
type Client struct {
	ID         int64
	PublicID   string
	DealerID   int64
	Name       string
	Phone      string // as given
	PhoneE164  string // normalised for dedup and search; empty when not a number
	Email      string
	ProvinceID *int64
	LocalityID *int64
	// GovID is the person's or business's government id (a DNI or NIE,
	// a cédula, a passport, a RUC or NIT…), kept normalised
	// (NormaliseGovID): one of the keys a client is matched by.
	GovID        string
	BusinessName string // the business's name, for a client that is one
	Address      string // the postal address, as given
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// Version is 1 when the client is created and grows by one with every
	// change of the client, through any of its leads or on its own.
	Version int
	// Ext holds what only one API has for the client, as Lead.Ext does.
	// It is read and written on its own (ClientRecords), not through a
	// lead: a lead's client has none.
	Ext map[string]string
}

// Vehicle is the vehicle a lead is about.
type Vehicle struct {
	ID         int64
	BrandModel string
	Price      string
	Km         string
	Year       *int
	GasID      *int64
	Sold       bool
	// RecordID is the stock car of the lead's dealer (a VehicleRecord of
	// kind stock) this vehicle is, when an API names one (Walcu's
	// car_list[0].car_id), or for an after-sale lead the client's own
	// vehicle (kind owned: Walcu's vehicle_id); nil when none, or once
	// that record is deleted.
	// Its fields are the car's; BrandModel and the rest stay the lead's.
	RecordID *int64
	// Make and Model are BrandModel in two (vehiclename.go): as an API
	// wrote them when it names them apart (Walcu's make and model), else
	// BrandModel cut at its first space. Plate and VIN are the licence
	// plate and VIN an API gave (SML names none).
	Make, Model, Plate, VIN string
}

// Stage is where the work on a lead stands.
type Stage string

// The stages, in lifecycle order.
const (
	StageNew                  Stage = "new"
	StageCommercialManagement Stage = "commercial_management"
	StageTracing              Stage = "tracing"
	StageEnd                  Stage = "end"
)

// Stages lists every stage in lifecycle order.
var Stages = []Stage{StageNew, StageCommercialManagement, StageTracing, StageEnd}

// Valid reports whether s is a known stage.
func (s Stage) Valid() bool {
	for _, v := range Stages {
		if s == v {
			return true
		}
	}
	return false
}

// Outcome is how an ended lead ended.
type Outcome string

// The outcomes. See docs/decisions.md for how each API renders them.
const (
	OutcomeNone         Outcome = ""
	OutcomeSale         Outcome = "sale"          // the client bought
	OutcomeNoSale       Outcome = "no_sale"       // worked, the client did not buy
	OutcomeNotAvailable Outcome = "not_available" // the vehicle was sold before the lead was worked
	OutcomeUnreachable  Outcome = "unreachable"   // the client could not be reached
	OutcomeDuplicate    Outcome = "duplicate"     // the same interest is worked in another lead
	OutcomeInvalid      Outcome = "invalid"       // spam, test or wrong data
)

// Outcomes lists every outcome but OutcomeNone.
var Outcomes = []Outcome{OutcomeSale, OutcomeNoSale, OutcomeNotAvailable, OutcomeUnreachable, OutcomeDuplicate, OutcomeInvalid}

// Valid reports whether o is a known outcome (OutcomeNone included).
func (o Outcome) Valid() bool {
	if o == OutcomeNone {
		return true
	}
	for _, v := range Outcomes {
		if o == v {
			return true
		}
	}
	return false
}

// Lead is one interest of one client at one dealer.
type Lead struct {
	ID          int64
	PublicID    string
	DealerID    int64
	SourceID    int64
	Client      *Client // nil when the lead has no client yet
	Vehicle     *Vehicle
	Stage       Stage
	Outcome     Outcome
	Reason      string // why it ended, free text
	Score       int    // 1 (very low) … 4 (high); 0 when unset
	Tags        []Note
	Notes       []Note
	Tasks       []Task
	UserID      *int64 // the assigned user
	CreatedBy   *int64
	MailContent string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	FinishedAt  *time.Time // when it entered StageEnd; nil while open
	FirstTaskAt *time.Time // when its first task was planned; see NSA
	// Version is 1 when the lead is created and grows by one with every
	// write through the lead: of its own fields, its client, vehicle,
	// tasks (their appraisals and notes included), notes and tags.
	Version int
	// Kind is what the lead is about (see LeadKind): a sale unless an API
	// says otherwise; it never changes.
	Kind LeadKind
	// Ext holds what only one API has for the lead, keyed "<api>.<field>"
	// ("walcu.custom"), each value a JSON text (see leadkinds.go). The
	// API's package owns its keys; the core stores them, bounds them and
	// records their changes in the lead's history, and never reads them.
	Ext map[string]string
	// History is the lead's oldest history entries, oldest first, read
	// only by FindLeads when its Query asks for them (Query.History), in
	// the same snapshot as the lead; nil otherwise.
	History []History
}

// PendingTasks reports whether any task of the lead is not done yet.
func (l Lead) PendingTasks() bool {
	for _, t := range l.Tasks {
		if !t.Done {
			return true
		}
	}
	return false
}

// NSA is the lead's first-response time: from its creation to the planning of
// its first task. ok is false while the lead has had no task.
func (l Lead) NSA() (d Span, ok bool) {
	if l.FirstTaskAt == nil {
		return Span{}, false
	}
	return SpanBetween(l.CreatedAt, *l.FirstTaskAt), true
}

// TaskType classifies a task.
type TaskType string

// The task types.
const (
	TaskDate                    TaskType = "date" // a visit or test drive
	TaskAppraisal               TaskType = "appraisal"
	TaskBudget                  TaskType = "budget"
	TaskFinancing               TaskType = "financing"
	TaskWarranty                TaskType = "warranty"
	TaskVehicleInformation      TaskType = "vehicle_information"
	TaskResponseInformationMail TaskType = "response_information_mail"
	TaskPendingAssignment       TaskType = "pending_assignment"
	TaskOther                   TaskType = "other"
)

// TaskTypes lists every task type.
var TaskTypes = []TaskType{TaskDate, TaskAppraisal, TaskBudget, TaskFinancing, TaskWarranty, TaskVehicleInformation, TaskResponseInformationMail, TaskPendingAssignment, TaskOther}

// Valid reports whether t is a known task type.
func (t TaskType) Valid() bool {
	for _, v := range TaskTypes {
		if t == v {
			return true
		}
	}
	return false
}

// Media is how a task is carried out. Each API renders its own words for
// them (SML: "Phone", "E-mail", "SMS", "Whatsapp").
type Media string

// The media.
const (
	MediaPhone    Media = "phone"
	MediaEmail    Media = "email"
	MediaSMS      Media = "sms"
	MediaWhatsapp Media = "whatsapp"
)

// MediaValues lists every media.
var MediaValues = []Media{MediaPhone, MediaEmail, MediaSMS, MediaWhatsapp}

// Valid reports whether m is a known media.
func (m Media) Valid() bool {
	for _, v := range MediaValues {
		if m == v {
			return true
		}
	}
	return false
}

// Task is a piece of work planned on a lead: a call, a visit, an appraisal…
type Task struct {
	ID                int64
	PublicID          string
	LeadID            int64
	DealerID          int64 // its lead's dealer, set by the store
	Type              TaskType
	Subtype           string
	Description       string
	Media             Media
	PlannedAt         *time.Time // planified_realization_date
	PlannedTrackingAt *time.Time // planified_tracking_date
	Done              bool       // realization_date_check
	DoneAt            *time.Time // realization_date, set when Done becomes true
	Tracked           bool       // tracking_date_check
	TrackedAt         *time.Time // tracking_date, set when Tracked becomes true
	Notes             []Note
	Appraisal         *Appraisal
	IsClick2Call      bool
	AuthorID          *int64
	CreatedAt         time.Time
	// Version is 1 when the task is created and grows by one with every
	// change of the task, its appraisal or its notes.
	Version int
}

// AppraisalOrigin says where an appraised vehicle was first registered.
type AppraisalOrigin string

// The appraisal origins.
const (
	OriginNational AppraisalOrigin = "national"
	OriginForeign  AppraisalOrigin = "foreign"
)

// Valid reports whether o is a known appraisal origin (empty included).
func (o AppraisalOrigin) Valid() bool {
	return o == "" || o == OriginNational || o == OriginForeign
}

// Appraisal is the valuation of a client's vehicle offered as a trade-in.
type Appraisal struct {
	ID           int64
	BrandModel   string
	LicensePlate string
	Km           string
	Year         *int
	GasID        *int64
	Extras       string
	Origin       AppraisalOrigin
}

// Note is a piece of text attached to a dealer, a lead or a task; tags have
// the same shape. Every edit keeps the previous text in History.
type Note struct {
	ID       int64
	Content  string
	AuthorID *int64
	Created  time.Time
	Modified time.Time
	History  []NoteVersion
	// Where it is, set by the store: a dealer's note has DealerID alone; a
	// lead's note or tag (Tag) its LeadID and its lead's DealerID; a
	// task's note also its TaskID.
	DealerID int64
	LeadID   int64
	TaskID   int64
	Tag      bool
	// Version is 1 when the note is created and grows by one with every
	// change of the note.
	Version int
}

// NoteVersion is one recorded version of a note's content.
type NoteVersion struct {
	ID       int64
	Modified time.Time
	UserID   *int64
	Content  string
}

// HistoryType says what kind of change a History entry records.
type HistoryType string

// The history types.
const (
	HistoryCreated HistoryType = "created"
	HistoryChanged HistoryType = "changed"
	HistoryDeleted HistoryType = "deleted"
)

// HistoryKind says what act a History entry records. The core chooses it
// (never an API); each API words it in its own language.
type HistoryKind string

// The history kinds.
const (
	KindLeadCreated  HistoryKind = "lead_created"
	KindLeadUpdated  HistoryKind = "lead_updated"
	KindStageChanged HistoryKind = "stage_changed"
	KindLeadAssigned HistoryKind = "lead_assigned"
	KindLeadFinished HistoryKind = "lead_finished"
	KindTaskCreated  HistoryKind = "task_created"
	KindTaskUpdated  HistoryKind = "task_updated"
	KindTaskDeleted  HistoryKind = "task_deleted"
	KindCallPlaced   HistoryKind = "call_placed"
	// KindDeliveryEvent records a consumer's event on a lead it was handed
	// (RecordDeliveryEvents): Changes hold "delivery.event" and
	// "delivery.reason" with the consumer's codes as New.
	KindDeliveryEvent HistoryKind = "delivery_event"

	// KindClientMatched records that a lead's new client was the dealer's
	// stored client (MatchClient): Changes hold "client" (its id),
	// "client.matched_by" and the offered values that differed.
	KindClientMatched HistoryKind = "client_matched"
	// KindClientMerged records that an operator merged the lead's client
	// with another (MergeClients): "client" old → new.
	KindClientMerged HistoryKind = "client_merged"

	KindAppointmentCreated HistoryKind = "appointment_created"
	KindAppointmentUpdated HistoryKind = "appointment_updated"
	KindAppointmentDeleted HistoryKind = "appointment_deleted"
)

// HistoryKinds lists every history kind.
var HistoryKinds = []HistoryKind{KindLeadCreated, KindLeadUpdated, KindStageChanged, KindLeadAssigned, KindLeadFinished,
	KindTaskCreated, KindTaskUpdated, KindTaskDeleted, KindCallPlaced, KindDeliveryEvent, KindClientMatched, KindClientMerged,
	KindAppointmentCreated, KindAppointmentUpdated, KindAppointmentDeleted, KindCommunicationLogged, KindCommunicationUpdated,
	KindCommunicationDeleted}

// History is one append-only entry of a lead's history.
type History struct {
	ID      int64
	LeadID  int64
	At      time.Time
	UserID  *int64
	Type    HistoryType
	Kind    HistoryKind
	Changes []Change
	// Via is the API the change came through ("sml", "walcu", "web"…;
	// see WithVia); "" when unknown: an entry written before migration
	// 0043, or by a principal made outside a request.
	Via string
}

// Change is one field's change within a History entry. Field is a core
// name: stage, outcome, reason, score, user, source, vehicle.<field>,
// client (the client's id; "new" for a client that replaced another),
// client.<field>, notes, tags, mail_content, call (the number called),
// tasks (a task added, in New, or removed, in Old, as its TaskSummary) and
// tasks.<task id>.<field> (type, subtype, description, media, planned,
// planned_tracking, done, tracked, appraisal.<field>, notes), appointments
// (an appointment made, in New, or deleted, in Old, as its
// AppointmentSummary) and appointments.<id>.<field> (type, status, remote,
// title, place, comments, start, end, user, ext.<key>). Old and New
// are core values (a stage, an outcome, a media, an id, RFC 3339 times);
// empty when there was none.
type Change struct {
	Field string
	Old   string
	New   string
}

// CallControl records a click-to-call placed from a lead.
type CallControl struct {
	ID          int64
	LeadID      int64
	UserID      *int64
	CallControl int64 // the bridge's own id of the call
	From        string
	To          string
	CreatedAt   time.Time
}
