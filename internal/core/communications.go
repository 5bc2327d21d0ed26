package core

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"
)

// CommKind is how a communication with a client was carried.
type CommKind string

// The communication kinds.
const (
	CommCall     CommKind = "call"
	CommSMS      CommKind = "sms"
	CommChat     CommKind = "chat"
	CommWhatsapp CommKind = "whatsapp"
	CommEmail    CommKind = "email"
	CommForm     CommKind = "form" // a web form the client sent
)

// CommKinds lists every communication kind.
var CommKinds = []CommKind{CommCall, CommSMS, CommChat, CommWhatsapp, CommEmail, CommForm}

// Valid reports whether k is a known communication kind.
func (k CommKind) Valid() bool { return slices.Contains(CommKinds, k) }

// CommDirection says who started a communication.
type CommDirection string

// The directions.
const (
	CommInbound  CommDirection = "inbound"  // the client reached the dealer
	CommOutbound CommDirection = "outbound" // the dealer reached the client
)

// Valid reports whether d is a known direction.
func (d CommDirection) Valid() bool { return d == CommInbound || d == CommOutbound }

// CommStatus says how a communication stands.
type CommStatus string

// The communication statuses.
const (
	CommPlanned     CommStatus = "planned"      // to be made (a call back)
	CommHeld        CommStatus = "held"         // it took place
	CommNotAnswered CommStatus = "not_answered" // attempted, nobody answered
)

// CommStatuses lists every status.
var CommStatuses = []CommStatus{CommPlanned, CommHeld, CommNotAnswered}

// Valid reports whether s is a known status.
func (s CommStatus) Valid() bool { return slices.Contains(CommStatuses, s) }

// MaxCommDuration bounds a communication's duration.
const MaxCommDuration = 24 * time.Hour

// Communication is one exchange with a lead's client: a call, an SMS, a
// chat, a WhatsApp conversation, an e-mail or a web form (Casabaca's calls
// and interactions, Walcu's conferences and SMS). It belongs to a lead and
// its dealer, and to the lead's client when it was made; it is a record of
// its own, not part of the lead (like an appointment).
type Communication struct {
	ID        int64
	PublicID  string // UUIDv7
	DealerID  int64  // the lead's dealer, set by the Service
	LeadID    int64
	ClientID  *int64 // the lead's client when it was logged; set by the Service
	UserID    *int64 // the dealer's user who took or made it
	Kind      CommKind
	Direction CommDirection
	Status    CommStatus
	StartAt   time.Time
	Duration  time.Duration // whole seconds
	Subject   string
	Body      string // what was said or written, or notes on it
	// Ext holds what only one API has, keyed "<api>.<field>".
	Ext       map[string]string
	CreatedBy *int64
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int
}

// Clone returns a deep copy of c.
func (c Communication) Clone() Communication {
	c.ClientID, c.UserID, c.CreatedBy = clonePtr(c.ClientID), clonePtr(c.UserID), clonePtr(c.CreatedBy)
	c.Ext = maps.Clone(c.Ext)
	return c
}

// CommunicationSummary describes a communication in a history entry:
// "<kind> <direction> <status> <start> [subject]", core values without
// spaces and the start in RFC 3339: "call inbound held
// 2021-10-02T19:59:00Z".
func CommunicationSummary(c Communication) string {
	s := string(c.Kind) + " " + string(c.Direction) + " " + string(c.Status) + " " + timeString(&c.StartAt)
	if c.Subject != "" {
		s += " " + c.Subject
	}
	return s
}

// validateCommunication checks what needs no database and fills in the
// defaults (a held inbound call, now); paths are the communication's
// fields.
func validateCommunication(c *Communication, now time.Time) FieldErrors {
	fe := FieldErrors{}
	if c.Kind == "" {
		c.Kind = CommCall
	}
	if c.Direction == "" {
		c.Direction = CommInbound
	}
	if c.Status == "" {
		c.Status = CommHeld
	}
	if c.StartAt.IsZero() {
		c.StartAt = now
	}
	if !c.Kind.Valid() {
		fe.Add("kind", MsgInvalidChoice)
	}
	if !c.Direction.Valid() {
		fe.Add("direction", MsgInvalidChoice)
	}
	if !c.Status.Valid() {
		fe.Add("status", MsgInvalidChoice)
	}
	if c.StartAt.Year() < 1 || c.StartAt.Year() > 9999 {
		fe.Add("start_at", MsgOutOfRange)
	}
	if c.Duration < 0 || c.Duration > MaxCommDuration {
		fe.Add("duration", MsgOutOfRange)
	}
	c.Duration = c.Duration.Truncate(time.Second)
	c.StartAt = c.StartAt.UTC().Truncate(time.Microsecond)
	c.Subject = strings.TrimSpace(c.Subject)
	checkLen(fe, "subject", c.Subject, MaxShortText)
	checkLen(fe, "body", c.Body, MaxLongText)
	checkExt(fe, c.Ext, MaxCommExtFields)
	return fe
}

// LogCommunication records a communication with lead c.LeadID's client:
// of the lead's dealer and client, taken or made by c.UserID (an active
// user of the dealer) or else by the principal's user, logged by the
// principal. The lead's history records it (communication_logged); the
// lead itself does not change.
func (s *Service) LogCommunication(ctx context.Context, c Communication) (Communication, error) {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return Communication{}, err
	}
	if c.UserID == nil {
		c.UserID = p.UserRef()
	}
	user, err := s.assigneeOf(ctx, c.UserID)
	if err != nil {
		return Communication{}, err
	}
	now := s.Now()
	nc := c.Clone()
	err = s.store.EditLead(ctx, c.LeadID, func(tx LeadTx) error {
		l := tx.Lead()
		if !p.CanSee(l.DealerID) {
			return errNotFound("lead")
		}
		fe := prepareCommunication(&nc, &l, p, now)
		checkAssignee(fe, nc.UserID, user, l.DealerID)
		if err := fe.Err(); err != nil {
			return err
		}
		return addCommunication(tx, &nc, p, now)
	})
	if err != nil {
		return Communication{}, err
	}
	return nc, nil
}

// prepareCommunication validates c, a new communication of lead l logged
// by p at now, and sets what the Service sets.
func prepareCommunication(c *Communication, l *Lead, p Principal, now time.Time) FieldErrors {
	c.ID, c.Version, c.CreatedBy, c.CreatedAt, c.UpdatedAt = 0, 0, p.UserRef(), now, now
	c.LeadID, c.DealerID, c.ClientID = l.ID, l.DealerID, nil
	if l.Client != nil && l.Client.ID != 0 {
		c.ClientID = &l.Client.ID
	}
	if c.UserID == nil {
		c.UserID = p.UserRef()
	}
	return validateCommunication(c, now)
}

// addCommunication stores c on tx's lead with its history entry.
func addCommunication(tx LeadTx, c *Communication, p Principal, now time.Time) error {
	if err := tx.AddCommunication(c); err != nil {
		return err
	}
	return tx.AddHistory(&History{At: now, UserID: p.UserRef(), Via: p.Via, Type: HistoryChanged, Kind: KindCommunicationLogged,
		Changes: []Change{{Field: "communications", New: CommunicationSummary(*c)}}})
}

// KindCommunicationLogged records a communication logged on a lead:
// "communications" with its CommunicationSummary as New.
const KindCommunicationLogged HistoryKind = "communication_logged"

// FindCommunication returns a communication of the principal's dealers;
// another dealer's is NotFound, like one that does not exist.
func (s *Service) FindCommunication(ctx context.Context, id int64) (Communication, error) {
	return findOfDealer(ctx, "communication", func() (Communication, error) { return s.store.Communication(ctx, id) },
		func(c Communication) int64 { return c.DealerID })
}

// LeadCommunications lists the communications of a lead of the
// principal's dealers in the order they were logged (at most MaxItems×5,
// the first).
func (s *Service) LeadCommunications(ctx context.Context, leadID int64) ([]Communication, error) {
	if _, err := s.leadDealer(ctx, leadID); err != nil {
		return nil, err
	}
	return s.store.LeadCommunications(ctx, leadID, MaxItems*5)
}
