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

// Sort orders a list by one field, ascending unless Desc.
type Sort struct {
	Field string
	Desc  bool
}

// The fields a lead list can be sorted by.
const (
	SortID         = "id"
	SortCreated    = "created"
	SortUpdated    = "updated"
	SortStage      = "stage"
	SortScore      = "score"
	SortUser       = "user"
	SortFinished   = "finished"
	SortDealer     = "dealer"
	SortSource     = "source"
	SortClientName = "client_name"
)

// LeadSortFields lists the fields LeadFilter.Sort accepts.
var LeadSortFields = []string{SortID, SortCreated, SortUpdated, SortStage, SortScore, SortUser, SortFinished, SortDealer, SortSource, SortClientName}

// LeadFilter selects leads. DealerIDs is required: the store returns only
// leads of those dealers, and nothing when it is empty.
type LeadFilter struct {
	DealerIDs           []int64
	Stages              []Stage
	ClientID            *int64
	ClientPhoneContains string // case-insensitive substring of the client's phone
	ClientEmailContains string // case-insensitive substring of the client's e-mail
	Search              string // as DRF's SearchFilter: split into terms on whitespace and commas; each term must be a case-insensitive substring of some text of the lead (see Store)
	Sort                []Sort // default: newest first (created desc, id desc)
	Page                Page
}

// DealerFilter selects dealers.
type DealerFilter struct {
	IDs    []int64 // required: only these dealers
	Search string
	Page   Page
}

// UserFilter selects users.
type UserFilter struct {
	DealerIDs   []int64 // required: only members of any of these dealers
	Online      *bool   // online: a session not ended and seen after OnlineSince
	OnlineSince time.Time
	IsActive    *bool
	Search      string
	Page        Page
}

// SourceFilter selects sources.
type SourceFilter struct {
	DealerIDs []int64 // required
	Search    string
	Page      Page
}

// ClientFilter selects clients.
type ClientFilter struct {
	DealerIDs     []int64 // required
	NameContains  string
	PhoneContains string
	EmailContains string
	Search        string
	Page          Page
}

// ProvinceFilter selects provinces.
type ProvinceFilter struct {
	Country string // ISO 3166-1 alpha-2; all countries when empty
	Search  string
	Page    Page
}

// LocalityFilter selects localities.
type LocalityFilter struct {
	ProvinceID *int64
	Search     string
	Page       Page
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
}

// Store persists the domain. Implementations must be safe for concurrent use.
//
// Lists return the page asked for and the total number of matching rows.
// Lookups by id answer an *Error with Code NotFound when there is no such
// row, never a zero value and nil. Lead and FindLeads return the whole lead:
// client, vehicle, tasks with their notes and appraisal, notes and tags, each
// note with its history.
type Store interface {
	Ping(ctx context.Context) error
	Close() error

	CreateDealer(ctx context.Context, d *Dealer) error
	UpdateDealer(ctx context.Context, d *Dealer) error
	DealersByID(ctx context.Context, ids []int64) ([]Dealer, error)
	FindDealers(ctx context.Context, f DealerFilter) ([]Dealer, int, error)
	// AllDealers lists every dealer, for operators.
	AllDealers(ctx context.Context) ([]Dealer, error)

	// CreateUser stores u with its memberships, assigning their ids.
	CreateUser(ctx context.Context, u *User) error
	AddMembership(ctx context.Context, m *Membership) error
	UserByID(ctx context.Context, id int64) (User, error)
	// UserByLogin finds a user by username or e-mail, case-insensitively.
	UserByLogin(ctx context.Context, login string) (User, error)
	UsersByID(ctx context.Context, ids []int64) ([]User, error)
	FindUsers(ctx context.Context, f UserFilter) ([]User, int, error)

	// StartSession opens a session for userID and stores the hash of its
	// token, in one transaction.
	StartSession(ctx context.Context, userID int64, tokenHash string, at time.Time) (Session, error)
	// EndSession revokes the token with this hash and ends its session.
	EndSession(ctx context.Context, tokenHash string, at time.Time) error
	// TouchSession records that the session was seen at at.
	TouchSession(ctx context.Context, sessionID int64, at time.Time) error
	CreateAPIKey(ctx context.Context, k *APIKey, keyHash string) error
	// Credential resolves the hash of a live token or API key.
	Credential(ctx context.Context, hash string) (Credential, error)

	CreateChannel(ctx context.Context, c *Channel) error
	Channels(ctx context.Context) ([]Channel, error)
	CreateOrigin(ctx context.Context, o *Origin) error
	OriginsByID(ctx context.Context, ids []int64) ([]Origin, error)
	CreateSource(ctx context.Context, s *Source) error
	SourcesByID(ctx context.Context, ids []int64) ([]Source, error)
	FindSources(ctx context.Context, f SourceFilter) ([]Source, int, error)
	CreateGasType(ctx context.Context, g *GasType) error
	GasTypes(ctx context.Context) ([]GasType, error)
	CreateCountry(ctx context.Context, c *Country) error
	CreateProvince(ctx context.Context, p *Province) error
	CreateLocality(ctx context.Context, l *Locality) error
	ProvincesByID(ctx context.Context, ids []int64) ([]Province, error)
	LocalitiesByID(ctx context.Context, ids []int64) ([]Locality, error)
	FindProvinces(ctx context.Context, f ProvinceFilter) ([]Province, int, error)
	FindLocalities(ctx context.Context, f LocalityFilter) ([]Locality, int, error)

	FindClients(ctx context.Context, f ClientFilter) ([]Client, int, error)

	// CreateLead stores l whole (client, vehicle, tasks, notes, tags) and
	// the history entry h, in one transaction, and sets every id it assigns
	// (l.ID, l.Client.ID, h.ID, …) on the values passed in.
	CreateLead(ctx context.Context, l *Lead, h *History) error
	Lead(ctx context.Context, id int64) (Lead, error)
	FindLeads(ctx context.Context, f LeadFilter) ([]Lead, int, error)
	// UpdateLead loads lead id inside a write transaction, lets fn change
	// it, and saves the result with the history entries fn returns. Saving
	// compares with what was loaded: a nested element (task, note, tag,
	// appraisal) with ID 0 is inserted, one with a known ID is updated, one
	// that disappeared is deleted; a client or vehicle whose ID changed to 0
	// is inserted anew. A note whose content changed gets a NoteVersion by
	// actor. Version is incremented. If fn returns an error nothing is
	// saved. The saved lead, with the ids assigned, is returned.
	UpdateLead(ctx context.Context, id int64, actor *int64, fn func(*Lead) ([]History, error)) (Lead, error)
	// LeadIDOfTask returns the lead a task belongs to.
	LeadIDOfTask(ctx context.Context, taskID int64) (int64, error)
	// LeadHistory lists the history of lead leadID by time and then id,
	// oldest first, or newest first when newestFirst, and the total number
	// of entries; p is a page of that order.
	LeadHistory(ctx context.Context, leadID int64, newestFirst bool, p Page) ([]History, int, error)
	CreateCallControl(ctx context.Context, c *CallControl, h *History) error
}
