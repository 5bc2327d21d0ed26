package core

import (
	"context"
	"time"
)

// Page asks for one slice of a sorted result. Limit < 0 asks for everything
// from Offset on.
type Page struct {
	Offset int
	Limit  int
}

// All is the Page that asks for every row.
var All = Page{Limit: -1}

// Sort orders a list by one field of its Schema, ascending unless Desc.
type Sort struct {
	Field string
	Desc  bool
}

// CredentialKind says what kind of secret a Credential is.
type CredentialKind string

// The credential kinds.
const (
	CredentialToken  CredentialKind = "token"   // a user's login token
	CredentialAPIKey CredentialKind = "api_key" // a dealer's API key
)

// Credential is what a bearer secret resolves to.
type Credential struct {
	Kind      CredentialKind
	UserID    int64 // 0 for an API key acting as no user
	APIKeyID  int64
	DealerID  int64 // API keys only
	SessionID int64 // tokens only
	// CreatedAt is when a token was issued (its login); LastSeen the last
	// request its session recorded (Session.LastSeen, written at most once
	// a minute), zero before the first. Tokens only.
	CreatedAt, LastSeen time.Time
	// UserActive says, for an API key acting as a user, whether that user
	// is active: read with the key, not from the users' cache, so that a
	// deactivated user's keys stop acting as him as soon as the key is
	// read again.
	UserActive bool
}

// Store persists the domain. Implementations must be safe for concurrent use.
//
// Lists (Find…) take a Query that passed the entity's Schema.Check, and
// the ids that scope it (the principal's dealers), and return the page
// asked for and, when Query.Total, the number of matching rows (-1 when
// not asked for and not known).
// Lookups by id answer an *Error with Code NotFound when there is no such
// row, never a zero value and nil. Lead and FindLeads return the whole lead:
// client, vehicle, tasks with their notes and appraisal, notes and tags, each
// note with its history.
type Store interface {
	Ping(ctx context.Context) error
	Close() error

	// ResolvePublicID returns the id of the record of kind whose public id
	// is publicID, and the dealers it belongs to (a user's memberships, a
	// task's lead's dealer).
	ResolvePublicID(ctx context.Context, kind RecordKind, publicID string) (id int64, dealerIDs []int64, err error)

	CreateDealer(ctx context.Context, d *Dealer) error
	UpdateDealer(ctx context.Context, d *Dealer) error
	DealersByID(ctx context.Context, ids []int64) ([]Dealer, error)
	FindDealers(ctx context.Context, ids []int64, q Query) ([]Dealer, int, error)
	// AllDealers lists every dealer, for operators.
	AllDealers(ctx context.Context) ([]Dealer, error)

	// CreateUser stores u with its memberships, assigning their ids.
	CreateUser(ctx context.Context, u *User) error
	AddMembership(ctx context.Context, m *Membership) error
	UserByID(ctx context.Context, id int64) (User, error)
	// UserByLogin finds a user by username or e-mail, case-insensitively.
	UserByLogin(ctx context.Context, login string) (User, error)
	UsersByID(ctx context.Context, ids []int64) ([]User, error)
	// FindUsers lists the members of dealerIDs that q selects.
	FindUsers(ctx context.Context, dealerIDs []int64, q Query) ([]User, int, error)

	// StartSession opens a session for userID and stores the hash of its
	// token, in one transaction.
	StartSession(ctx context.Context, userID int64, tokenHash string, at time.Time) (Session, error)
	// EndSession revokes the token with this hash and ends its session.
	EndSession(ctx context.Context, tokenHash string, at time.Time) error
	// TouchSession records that the session was seen at at.
	TouchSession(ctx context.Context, sessionID int64, at time.Time) error
	// EndUserSessions revokes every token of user userID and ends his open
	// sessions at at, in one transaction, and returns how many sessions it
	// ended; an unknown user is NotFound.
	EndUserSessions(ctx context.Context, userID int64, at time.Time) (int, error)
	// DeactivateUser makes user userID inactive (recording at as his
	// deactivation, unless he was inactive already) and ends his sessions
	// as EndUserSessions does, in one transaction.
	DeactivateUser(ctx context.Context, userID int64, at time.Time) (int, error)
	// ActivateUser makes inactive user userID active again from at, his
	// deactivation forgotten, and reports whether he was inactive; an
	// active user is left as he is. An unknown user is NotFound.
	ActivateUser(ctx context.Context, userID int64, at time.Time) (bool, error)
	// UpdateUser changes user userID as c says, in one transaction, and
	// returns how many sessions a new password ended; an unknown user is
	// NotFound.
	UpdateUser(ctx context.Context, userID int64, c UserChange, at time.Time) (int, error)
	CreateAPIKey(ctx context.Context, k *APIKey, keyHash string) error
	// APIKeys lists the API keys of dealerIDs (of every dealer when none is
	// given), revoked ones included, in id order.
	APIKeys(ctx context.Context, dealerIDs []int64) ([]APIKey, error)
	// RevokeAPIKey revokes API key id at at, unless it is revoked already,
	// and returns it; an unknown key is NotFound.
	RevokeAPIKey(ctx context.Context, id int64, at time.Time) (APIKey, error)
	// Credential resolves the hash of a live token or API key.
	Credential(ctx context.Context, hash string) (Credential, error)

	CreateChannel(ctx context.Context, c *Channel) error
	Channels(ctx context.Context) ([]Channel, error)
	CreateOrigin(ctx context.Context, o *Origin) error
	OriginsByID(ctx context.Context, ids []int64) ([]Origin, error)
	// Origins lists every origin in id order.
	Origins(ctx context.Context) ([]Origin, error)
	// AddOriginChannel makes the origin offer the channel; offering it
	// already changes nothing.
	AddOriginChannel(ctx context.Context, originID, channelID int64) error
	CreateSource(ctx context.Context, s *Source) error
	SourcesByID(ctx context.Context, ids []int64) ([]Source, error)
	FindSources(ctx context.Context, dealerIDs []int64, q Query) ([]Source, int, error)
	CreateGasType(ctx context.Context, g *GasType) error
	GasTypes(ctx context.Context) ([]GasType, error)
	CreateCountry(ctx context.Context, c *Country) error
	CreateProvince(ctx context.Context, p *Province) error
	CreateLocality(ctx context.Context, l *Locality) error
	ProvincesByID(ctx context.Context, ids []int64) ([]Province, error)
	LocalitiesByID(ctx context.Context, ids []int64) ([]Locality, error)
	FindProvinces(ctx context.Context, q Query) ([]Province, int, error)
	FindLocalities(ctx context.Context, q Query) ([]Locality, int, error)

	FindClients(ctx context.Context, dealerIDs []int64, q Query) ([]Client, int, error)
	// GroupClients counts the clients of dealerIDs that q selects per
	// value of q.GroupBy, most first.
	GroupClients(ctx context.Context, dealerIDs []int64, q Query) ([]Group, error)
	// MergeClients merges client drop into client keep, both of dealerID,
	// in one transaction: merge gives keep's new values and the changes
	// each lead's history records; drop's leads and appointments become
	// keep's, the leads' copies of the client are refreshed, drop is
	// deleted, and every lead of both gets a KindClientMerged entry at at.
	// A client of another dealer, or none, is NotFound.
	MergeClients(ctx context.Context, dealerID, keep, drop int64, merge func(keep, drop Client) (Client, []Change), at time.Time) (Client, error)

	// CreateLead stores l whole (client, vehicle, tasks, notes, tags) and
	// the history entry h, in one transaction, and sets every id it assigns
	// (l.ID, l.Client.ID, h.ID, …) on the values passed in. In the same
	// transaction the lead becomes ready for every registered consumer of
	// its dealer (see RegisterConsumer).
	CreateLead(ctx context.Context, l *Lead, h *History) error
	Lead(ctx context.Context, id int64) (Lead, error)
	// FindLeads lists the leads of dealerIDs that q selects.
	FindLeads(ctx context.Context, dealerIDs []int64, q Query) ([]Lead, int, error)
	// GroupLeads counts the leads of dealerIDs that q selects per value of
	// q.GroupBy, most first.
	GroupLeads(ctx context.Context, dealerIDs []int64, q Query) ([]Group, error)
	// UpdateLead loads lead id inside a write transaction, lets fn change
	// it, and saves the result with the history entries fn returns. Saving
	// compares with what was loaded: a nested element (task, note, tag,
	// appraisal) with ID 0 is inserted, one with a known ID is updated, one
	// that disappeared is deleted; a client or vehicle whose ID changed to 0
	// is inserted anew. A note whose content changed gets a NoteVersion by
	// actor. Version is incremented. If fn returns an error nothing is
	// saved. The saved lead, with the ids assigned, is returned.
	UpdateLead(ctx context.Context, id int64, actor *int64, fn func(*Lead) ([]History, error)) (Lead, error)
	// EditLead runs fn in one write transaction on lead leadID, whose row
	// it locks (and no other: not its client's), with the lead as it is
	// then, without loading it whole: fn reads and writes its tasks and
	// notes one by one through the LeadTx. NotFound when there is no such
	// lead. If fn returns an error nothing is saved. fn must be quick and
	// must not call the Store.
	EditLead(ctx context.Context, leadID int64, fn func(LeadTx) error) error
	// Task returns task id with its appraisal and notes, its LeadID and
	// DealerID set.
	Task(ctx context.Context, id int64) (Task, error)
	// Appointment returns appointment id.
	Appointment(ctx context.Context, id int64) (Appointment, error)
	// FindAppointments lists the appointments of dealerIDs that q selects.
	FindAppointments(ctx context.Context, dealerIDs []int64, q Query) ([]Appointment, int, error)
	// GroupAppointments counts the appointments of dealerIDs that q
	// selects per value of q.GroupBy, most first.
	GroupAppointments(ctx context.Context, dealerIDs []int64, q Query) ([]Group, error)
	// Note returns note id (of a dealer, a lead or a task) with its
	// history, where it is set (its DealerID: its lead's, for a lead's or
	// a task's).
	Note(ctx context.Context, id int64) (Note, error)
	// LeadHistory lists the history of lead leadID, a lead of one of
	// dealerIDs (NotFound otherwise), by time and then id, oldest first, or
	// newest first when newestFirst, and the total number of entries; p is
	// a page of that order.
	LeadHistory(ctx context.Context, dealerIDs []int64, leadID int64, newestFirst bool, p Page) ([]History, int, error)
	CreateCallControl(ctx context.Context, c *CallControl, h *History) error

	// RegisterConsumer makes who a consumer of each of dealerIDs it is not
	// one of yet and, in the same transaction, makes every open lead of
	// that dealer ready for it. Registration and CreateLead are
	// serialised per dealer, also across servers: a lead whose creation
	// runs at the same time is made ready for the new consumer by one or
	// the other, whatever the order of their commits.
	RegisterConsumer(ctx context.Context, who Consumer, dealerIDs []int64, at time.Time) error
	// Deliver runs fn in one write transaction on the delivery state of
	// who's registered consumers of dealerIDs, at time at, serialised with
	// every other Deliver for any of them, also across servers. If fn
	// returns an error nothing is saved. fn must be quick and must not call
	// the Store; it may run again if the transaction has to be retried.
	Deliver(ctx context.Context, who Consumer, dealerIDs []int64, at time.Time, fn func(DeliveryTx) error) error
	// LeadsByID returns the leads with these ids whole, in id order; ids
	// of no lead are left out.
	LeadsByID(ctx context.Context, ids []int64) ([]Lead, error)
	// DeliveryEvents lists the events consumers recorded on lead leadID,
	// in the order they were recorded.
	DeliveryEvents(ctx context.Context, leadID int64) ([]DeliveryEvent, error)

	// A dealer's organisation (see Organisation): each Create stores one
	// record and sets its id (and an empty PublicID to a UUIDv7); a name
	// or code taken at the dealer is a Conflict.
	CreateAgency(ctx context.Context, a *Agency) error
	CreateBusinessLine(ctx context.Context, b *BusinessLine) error
	CreateCampaign(ctx context.Context, c *Campaign) error
	CreateSourceCode(ctx context.Context, c *SourceCode) error
	CreateLeadForm(ctx context.Context, f *LeadForm) error
	// UpdateLeadForm stores f, a form of its dealer stored before (by ID):
	// all but its dealer, public id, creator and creation time.
	UpdateLeadForm(ctx context.Context, f *LeadForm) error
	// PlaceStaff stores where st.UserID works at st.DealerID, replacing
	// what was stored.
	PlaceStaff(ctx context.Context, st *Staff) error
	// RegisterUser stores u with its memberships and where it works (st),
	// in one transaction, and sets their ids.
	RegisterUser(ctx context.Context, u *User, st *Staff) error
	// Organisation returns dealerID's organisation whole (it may come from
	// a cache of a few seconds, which the store's own writes refresh).
	Organisation(ctx context.Context, dealerID int64) (Organisation, error)

	// IntakeLead writes w in one transaction (see Service.IntakeLead): when
	// the dealer has a lead with w.Ref, or an open lead w.Same names, it
	// writes nothing and returns that lead's id; otherwise it gives the
	// lead to the next of w.Pool in turn (when w.Pool has candidates,
	// recording the user in w.History), stores the lead as CreateLead
	// does, its profile, ref and communication (with w.CommHistory), sets
	// their ids and returns 0.
	IntakeLead(ctx context.Context, w *IntakeWrite) (existing int64, err error)
	// LeadProfiles returns the profiles of the leads with these ids that
	// have one.
	LeadProfiles(ctx context.Context, leadIDs []int64) ([]LeadProfile, error)
	// LeadChildren lists the leads whose profile's parent is leadID, by id.
	LeadChildren(ctx context.Context, leadID int64) ([]int64, error)
	// Communication returns communication id.
	Communication(ctx context.Context, id int64) (Communication, error)
	// LeadCommunications lists lead leadID's communications in the order
	// they were logged (by id), at most limit.
	LeadCommunications(ctx context.Context, leadID int64, limit int) ([]Communication, error)
	// FindCommunications lists the communications of dealerIDs that q
	// selects.
	FindCommunications(ctx context.Context, dealerIDs []int64, q Query) ([]Communication, int, error)
	// GroupCommunications counts the communications of dealerIDs that q
	// selects per value of q.GroupBy.
	GroupCommunications(ctx context.Context, dealerIDs []int64, q Query) ([]Group, error)
	// ClientCommunications tallies dealerID's communications with the
	// clients clientIDs by client, kind and direction and reads each
	// client's latest, those planned left out (see
	// Service.ClientCommunications).
	ClientCommunications(ctx context.Context, dealerID int64, clientIDs []int64) (ClientCommunications, error)
	// PreviousAssignees and ClientActivity read what the computed fields
	// of a page of leads or clients derive from (see derived.go).
	PreviousAssignees(ctx context.Context, dealerID int64, leadIDs []int64) (map[int64][]int64, error)
	ClientActivity(ctx context.Context, dealerID int64, clientIDs []int64) (ClientActivity, error)
	// ClientLeadTallies counts the leads of dealerID's clients clientIDs
	// by client and kind (ClientActivity's Leads alone, in one read).
	ClientLeadTallies(ctx context.Context, dealerID int64, clientIDs []int64) (map[int64][]LeadTally, error)

	// EnqueueJob stores j, prepared by PrepareJob, and sets its ID.
	EnqueueJob(ctx context.Context, j *Job) error
	// HasDueJobs reports whether a job of one of kinds is due at at:
	// queued with RunAt at or before it, or running with a lease that
	// expired by then. It only reads.
	HasDueJobs(ctx context.Context, kinds []string, at time.Time) (bool, error)
	// ClaimJobs claims up to limit due jobs of kinds for owner, those whose
	// lease expired first and then the queued ones by RunAt: each becomes
	// running, leased to owner until at+lease, with one more attempt. A job
	// is claimed by one runner at a time, also across servers.
	ClaimJobs(ctx context.Context, kinds []string, owner string, at time.Time, lease time.Duration, limit int) ([]Job, error)
	// FinishJob stores the outcome of owner's run attempt of job j: its
	// State, Attempts, RunAt, LastError, Result, UpdatedAt and FinishedAt,
	// and ends the lease. When owner no longer holds that run's lease it
	// changes nothing and answers ErrLeaseLost.
	FinishJob(ctx context.Context, j Job, owner string, attempt int) error
	// Job returns job id.
	Job(ctx context.Context, id int64) (Job, error)

	// JobOutputStore keeps what jobs write for clients (joboutputs.go).
	JobOutputStore
	// DocumentStore keeps documents (documents.go).
	DocumentStore
	// LeadRemover deletes leads (leaddelete.go).
	LeadRemover
	// ClientRecords reads and writes clients on their own (clientrecords.go).
	ClientRecords
	// ContactRecords reads and writes clients' contacts (contacts.go).
	ContactRecords
	// VehicleRecords reads and writes stock and owned vehicles (vehicles.go).
	VehicleRecords
	// VehicleLinks reads the leads linked to vehicle records (vehiclelinks.go).
	VehicleLinks
	// ItemLister lists tasks and notes on their own (itemlists.go).
	ItemLister
}

// LeadTx is one lead inside one write transaction of Store.EditLead, its
// row locked: nothing else changes the lead, its tasks or its notes until
// the transaction ends. Items of other leads are never read or changed:
// an id that is not the lead's is NotFound.
type LeadTx interface {
	// Lead returns the lead as the transaction found it: its own fields,
	// its client and vehicle, without tasks, notes or tags.
	Lead() Lead
	// CountTasks returns how many tasks the lead has.
	CountTasks() (int, error)
	// Size returns what the lead holds, as MeasureLead counts it on the
	// lead loaded whole.
	Size() (LeadSize, error)
	// CountAppointments counts the lead's appointments of status st, or
	// all of them when st is "".
	CountAppointments(st AppointmentStatus) (int, error)
	// Task returns the lead's task id with its appraisal and notes.
	Task(id int64) (Task, error)
	// AddTask stores t on the lead with its appraisal and notes (their
	// first versions by their authors, or else by actor), and sets their
	// ids, versions and places.
	AddTask(t *Task, actor *int64) error
	// SaveTask writes what differs from old (as Task returned it) in t,
	// its appraisal and its notes (a note's new content is a new version
	// by actor); any change gives the task its next version. It sets the
	// ids, histories and versions on t and reports whether anything
	// changed.
	SaveTask(old, t *Task, actor *int64) (bool, error)
	// DeleteTask deletes the lead's task id with its appraisal and notes.
	DeleteTask(id int64) error
	// CountNotes returns how many notes the lead's task taskID has, or
	// with taskID 0 the lead itself, or its tags with tag.
	CountNotes(taskID int64, tag bool) (int, error)
	// Note returns the lead's note or tag id, or its task's note, with
	// its history.
	Note(id int64) (Note, error)
	// AddNote stores n on the lead, among its tags with n.Tag, or on its
	// task n.TaskID, with its first version by its author or else by
	// actor, and sets its id, history, version and place. A task's note
	// gives the task its next version.
	AddNote(n *Note, actor *int64) error
	// SaveNote writes n, stored as old (as Note returned it): a new
	// content is a new version by actor, and any change gives the note
	// (and a task's note its task) the next version. It sets n's history
	// and version and reports whether anything changed.
	SaveNote(old, n *Note, actor *int64) (bool, error)
	// DeleteNote deletes the lead's note or tag id, or its task's note
	// (which gives the task its next version), with its versions.
	DeleteNote(id int64) error
	// Appointment returns the lead's appointment id.
	Appointment(id int64) (Appointment, error)
	// AddAppointment stores a, an appointment of the lead, and sets its
	// ID, Version (1) and, when empty, its PublicID.
	AddAppointment(a *Appointment) error
	// SaveAppointment saves the lead's appointment a, whose Version is the
	// one Appointment read, with its next version, which it sets on a.
	SaveAppointment(a *Appointment) error
	// DeleteAppointment deletes the lead's appointment id.
	DeleteAppointment(id int64) error
	// AddCommunication stores c, a communication of the lead, and sets its
	// ID, Version (1) and, when empty, its PublicID.
	AddCommunication(c *Communication) error
	// Communication returns the lead's communication id.
	Communication(id int64) (Communication, error)
	// SaveCommunication saves the lead's communication c, whose Version is
	// the one Communication read, with its next version, which it sets on
	// c.
	SaveCommunication(c *Communication) error
	// DeleteCommunication deletes the lead's communication id.
	DeleteCommunication(id int64) error
	// SaveLead saves l's UpdatedAt and FirstTaskAt with the lead's next
	// version, which it sets on l; with texts, also what a lead search
	// finds of the lead's texts (its notes, tags, tasks' descriptions and
	// appraised plates), as they are now in the transaction.
	SaveLead(l *Lead, texts bool) error
	// AddHistory appends h to the lead's history and sets h.ID and
	// h.LeadID.
	AddHistory(h *History) error
}
