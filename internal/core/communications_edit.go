package core

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"time"
)

// MaxCommExtFields bounds a communication's extension fields: an API that
// keeps a whole record of its own there (Walcu's conferences have some
// forty fields the core has no column for) needs more than a record's
// MaxExtFields; each value is still at most MaxLongText.
const MaxCommExtFields = 64

// CommunicationSchema is the registry of a communication's fields. Its
// lists are served by the index on the dealer, start and id.
var CommunicationSchema = Schema{
	Entity: "communication",
	Fields: map[string]FieldSpec{
		"id":         {Type: TypeInt, Sort: true},
		"public_id":  {Type: TypeText},
		"dealer":     {Type: TypeInt, Group: true},
		"lead":       {Type: TypeInt},
		"client":     {Type: TypeInt},
		"user":       {Type: TypeInt, Group: true},
		"created_by": {Type: TypeInt, Group: true},
		"kind":       {Type: TypeEnum, Values: enumValues(CommKinds), Group: true},
		"direction":  {Type: TypeEnum, Values: []string{string(CommInbound), string(CommOutbound)}, Group: true},
		"status":     {Type: TypeEnum, Values: enumValues(CommStatuses), Group: true},
		"start_at":   {Type: TypeTime, Sort: true},
		"duration":   {Type: TypeInt, Sort: true},
		"subject":    {Type: TypeText},
		"body":       {Type: TypeText},
		"created_at": {Type: TypeTime, Sort: true},
		"updated_at": {Type: TypeTime, Sort: true},
		"version":    {Type: TypeInt},
	},
	Search:      "the subject and the body",
	DefaultSort: []Sort{{Field: "start_at"}},
}

// CommunicationPatch changes a communication. Version is the version the
// caller read (0: none given; see ErrStaleVersion). Its kind, lead and
// client never change. Ext, when set, replaces every extension field.
type CommunicationPatch struct {
	Version   int
	UserID    Field[*int64]
	Direction Field[CommDirection]
	Status    Field[CommStatus]
	StartAt   Field[time.Time]
	Duration  Field[time.Duration]
	Subject   Field[string]
	Body      Field[string]
	Ext       Field[map[string]string]
}

func (p CommunicationPatch) applyTo(c *Communication) {
	p.UserID.applyTo(&c.UserID)
	p.Direction.applyTo(&c.Direction)
	p.Status.applyTo(&c.Status)
	p.StartAt.applyTo(&c.StartAt)
	p.Duration.applyTo(&c.Duration)
	p.Subject.applyTo(&c.Subject)
	p.Body.applyTo(&c.Body)
	if p.Ext.Set {
		c.Ext = maps.Clone(p.Ext.V)
	}
}

// The history kinds of a communication changed or deleted: Changes as
// an appointment's ("communications.<id>.<field>"; "communications" with
// the CommunicationSummary as Old).
const (
	KindCommunicationUpdated HistoryKind = "communication_updated"
	KindCommunicationDeleted HistoryKind = "communication_deleted"
)

// diffCommunication lists the fields changed from o to c
// ("communications.<id>.<field>").
func diffCommunication(o, c Communication) []Change {
	var cs []Change
	p := "communications." + strconv.FormatInt(o.ID, 10) + "."
	add := func(field, x, y string) {
		if x != y {
			cs = append(cs, Change{Field: p + field, Old: x, New: y})
		}
	}
	add("direction", string(o.Direction), string(c.Direction))
	add("status", string(o.Status), string(c.Status))
	add("start", timeString(&o.StartAt), timeString(&c.StartAt))
	add("duration", strconv.FormatInt(int64(o.Duration/time.Second), 10), strconv.FormatInt(int64(c.Duration/time.Second), 10))
	add("subject", o.Subject, c.Subject)
	add("body", o.Body, c.Body)
	add("user", idString(o.UserID), idString(c.UserID))
	keys := slices.Collect(maps.Keys(o.Ext))
	for k := range c.Ext {
		if _, ok := o.Ext[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		add("ext."+k, o.Ext[k], c.Ext[k])
	}
	return cs
}

// UpdateCommunication applies a patch to a communication. A patch with a
// Version the communication no longer has fails with ErrStaleVersion; one
// that changes nothing writes nothing. The lead's history records the
// change (communication_updated).
func (s *Service) UpdateCommunication(ctx context.Context, id int64, patch CommunicationPatch) (Communication, error) {
	normaliseTexts(&patch) // text in NFC (text.go)
	cur, err := s.FindCommunication(ctx, id)
	if err != nil {
		return Communication{}, err
	}
	if err := checkVersion("", patch.Version, cur.Version); err != nil {
		return Communication{}, err
	}
	var user *User
	if patch.UserID.Set {
		if user, err = s.assigneeOf(ctx, patch.UserID.V); err != nil {
			return Communication{}, err
		}
	}
	var out Communication
	err = s.editLeadItem(ctx, "communication", cur.LeadID, func(p Principal, tx LeadTx, l Lead, now time.Time) error {
		old, err := tx.Communication(id)
		if err != nil {
			return err
		}
		if err := checkVersion("", patch.Version, old.Version); err != nil {
			return err
		}
		c := old.Clone()
		patch.applyTo(&c)
		fe := validateCommunication(&c, now)
		if !sameID(old.UserID, c.UserID) {
			checkAssignee(fe, c.UserID, user, l.DealerID)
		}
		if err := fe.Err(); err != nil {
			return err
		}
		out = c
		changes := diffCommunication(old, c)
		if len(changes) == 0 {
			return nil
		}
		c.UpdatedAt = now
		if err := tx.SaveCommunication(&c); err != nil {
			return err
		}
		out = c
		return tx.AddHistory(&History{At: now, UserID: p.UserRef(), Via: p.Via, Type: HistoryChanged, Kind: KindCommunicationUpdated, Changes: changes})
	})
	if err != nil {
		return Communication{}, err
	}
	return out, nil
}

// DeleteCommunication deletes a communication. The lead's history records
// it (communication_deleted).
func (s *Service) DeleteCommunication(ctx context.Context, id int64) error {
	cur, err := s.FindCommunication(ctx, id)
	if err != nil {
		return err
	}
	return s.editLeadItem(ctx, "communication", cur.LeadID, func(p Principal, tx LeadTx, _ Lead, now time.Time) error {
		c, err := tx.Communication(id)
		if err != nil {
			return err
		}
		if err := tx.DeleteCommunication(id); err != nil {
			return err
		}
		return tx.AddHistory(&History{At: now, UserID: p.UserRef(), Via: p.Via, Type: HistoryChanged, Kind: KindCommunicationDeleted,
			Changes: []Change{{Field: "communications", Old: CommunicationSummary(c)}}})
	})
}

// FindCommunications lists the communications of the principal's dealers
// that q selects (CommunicationSchema). A condition on "dealer" at the
// top of q.Where narrows the dealers.
func (s *Service) FindCommunications(ctx context.Context, q Query) ([]Communication, int, error) {
	sc, err := CommunicationSchema.WithExt(q.Ext)
	if err != nil {
		return nil, 0, err
	}
	ids, err := s.prepare(ctx, &q, sc, "dealer")
	if err != nil || len(ids) == 0 {
		return nil, 0, err
	}
	return s.store.FindCommunications(ctx, ids, q)
}

// GroupCommunications counts the communications of the principal's
// dealers that q selects per value of q.GroupBy, most first (at most
// MaxGroups).
func (s *Service) GroupCommunications(ctx context.Context, q Query) ([]Group, error) {
	if q.GroupBy == "" {
		return nil, &Error{Code: Invalid, Message: "nothing to group by", Fields: map[string]string{"group_by": MsgRequired}}
	}
	sc, err := CommunicationSchema.WithExt(q.Ext)
	if err != nil {
		return nil, err
	}
	ids, err := s.prepare(ctx, &q, sc, "dealer")
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	return s.store.GroupCommunications(ctx, ids, q)
}
