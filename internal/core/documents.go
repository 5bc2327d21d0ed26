package core

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Documents are the records the core has no meaning for (Walcu's chat
// providers, offers, repair orders…): a collection's JSON object kept as
// the API was given it, scoped to one dealer, linked to a client and a lead
// of that dealer, with the users who made and last changed it, a version
// and a public id. They are listed through the query model like any
// entity: the API describes each collection's fields with a Schema whose
// fields carry their JSON Path (DocumentSchema), and the store compiles
// conditions on them to SQL over JSON on both engines. A document may also
// extend a core record (Document.RecordID): the fields one API has for a
// lead that the lead has no place for. See docs/decisions.md, "Documents".

// Document is one JSON document of a collection.
type Document struct {
	ID       int64
	PublicID string // UUIDv7
	DealerID int64
	// Collection is "<api>.<collection>" ("walcu.offers"), lower-case.
	Collection string
	// Body is the document, a JSON object of at most MaxDocumentBody bytes.
	Body []byte
	// ClientID and LeadID link the document to a client and a lead of its
	// dealer (nil: none).
	ClientID *int64
	LeadID   *int64
	// RecordID, when not nil, is the core record the document extends
	// (its lead, client, task…): one document per collection and record.
	RecordID  *int64
	CreatedBy *int64
	UpdatedBy *int64
	CreatedAt time.Time
	UpdatedAt time.Time
	// Version is 1 when the document is created and grows by one with
	// every change of it.
	Version int
}

// Limits of documents.
const (
	// MaxDocumentBody bounds a document's JSON body (bytes).
	MaxDocumentBody = 1 << 20
	// maxCollection bounds a collection's name.
	maxCollection = 100
)

// DocumentTimeLayout is how times are written in documents' bodies, so
// that their text order is their time order: UTC, milliseconds, always
// the same width (MongoDB's ISO dates as Mongoose renders them).
const DocumentTimeLayout = "2006-01-02T15:04:05.000Z"

// RecordDocument is the kind of the documents' public ids.
const RecordDocument RecordKind = "document"

// DocumentPatch changes a document. Version is the version the caller read
// (0: none given; see ErrStaleVersion). Body, when set, replaces the body.
type DocumentPatch struct {
	Version  int
	Body     Field[[]byte]
	ClientID Field[*int64]
	LeadID   Field[*int64]
}

// DocumentStore keeps documents; every Store is one.
type DocumentStore interface {
	// CreateDocument stores d and sets its ID, Version (1) and, when
	// empty, its PublicID. A second document extending one record in one
	// collection is a Conflict.
	CreateDocument(ctx context.Context, d *Document) error
	// Document returns document id.
	Document(ctx context.Context, id int64) (Document, error)
	// RecordDocument returns the document of collection that extends
	// record recordID; NotFound when there is none.
	RecordDocument(ctx context.Context, collection string, recordID int64) (Document, error)
	// UpdateDocument saves d's body, links, UpdatedBy and UpdatedAt when
	// the stored document has version (then d.Version becomes the next
	// one); ErrStaleVersion when it has another; NotFound when there is
	// none.
	UpdateDocument(ctx context.Context, d *Document, version int) error
	// DeleteDocument deletes document id when it has version (0: any);
	// ErrStaleVersion when it has another.
	DeleteDocument(ctx context.Context, id int64, version int) error
	// FindDocuments lists the documents of collection of dealerIDs that q,
	// checked against sc, selects.
	FindDocuments(ctx context.Context, dealerIDs []int64, collection string, sc Schema, q Query) ([]Document, int, error)
	// GroupDocuments counts them per value of q.GroupBy, most first.
	GroupDocuments(ctx context.Context, dealerIDs []int64, collection string, sc Schema, q Query) ([]Group, error)
	// DealerOf returns the dealer of the client or lead id.
	DealerOf(ctx context.Context, kind RecordKind, id int64) (int64, error)
}

// documentFields are the fields every document has, besides those of its
// body.
var documentFields = map[string]FieldSpec{
	"id":         {Type: TypeInt, Sort: true},
	"public_id":  {Type: TypeText},
	"dealer":     {Type: TypeInt, Group: true},
	"client":     {Type: TypeInt, Group: true},
	"lead":       {Type: TypeInt, Group: true},
	"record":     {Type: TypeInt},
	"created_by": {Type: TypeInt, Group: true},
	"updated_by": {Type: TypeInt, Group: true},
	"created_at": {Type: TypeTime, Sort: true},
	"updated_at": {Type: TypeTime, Sort: true},
	"version":    {Type: TypeInt},
}

// pathSegment is one key of a document field's Path.
var pathSegment = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}(\[\])?$`)

// ValidPath reports whether p is a document field's Path: keys of letters,
// digits and underscores, separated by dots, each maybe followed by "[]".
func ValidPath(p string) bool {
	if p == "" {
		return false
	}
	for _, s := range strings.Split(p, ".") {
		if !pathSegment.MatchString(s) {
			return false
		}
	}
	return true
}

// DocumentSchema returns the schema of a collection's documents: the
// fields every document has (id, public_id, dealer, client, lead, record,
// created_by, updated_by, created_at, updated_at, version) and body, the
// fields of its body, each with its Path. Body fields may be filtered and
// grouped (not those inside an array, nor times); only the indexed fields
// (id, created_at, updated_at) sort. search describes what OpMatch finds:
// the body's text fields named by searchIn, which must be fields of body.
func DocumentSchema(collection string, body map[string]FieldSpec) Schema {
	sc := Schema{Entity: "document", Fields: map[string]FieldSpec{}, DefaultSort: []Sort{{Field: "id"}}}
	for k, v := range body {
		if !ValidPath(v.Path) {
			panic("core: document field " + k + " of " + collection + " has no valid path: " + v.Path)
		}
		v.Sort = false
		if strings.Contains(v.Path, "[]") || v.Type == TypeTime {
			v.Group = false
		}
		sc.Fields[k] = v
	}
	for k, v := range documentFields {
		sc.Fields[k] = v
	}
	sc.Search = "the texts of the document"
	return sc
}

// validCollection reports whether c names a collection: "<api>.<name>",
// lower-case letters, digits and underscores.
func validCollection(c string) bool {
	api, name, ok := strings.Cut(c, ".")
	return ok && len(c) <= maxCollection && ValidPath(api) && ValidPath(name) && !strings.Contains(c, "[") && strings.ToLower(c) == c
}

// validateDocument checks what needs no database.
func validateDocument(d *Document) FieldErrors {
	fe := FieldErrors{}
	if !validCollection(d.Collection) {
		fe.Add("collection", MsgInvalid)
	}
	body := bytes.TrimSpace(d.Body)
	switch {
	case len(body) > MaxDocumentBody:
		fe.Add("body", MsgTooLong)
	case len(body) == 0 || body[0] != '{' || !json.Valid(body):
		fe.Add("body", MsgInvalid)
	case bytes.Contains(body, []byte(`\u0000`)):
		fe.Add("body", MsgNullCharacter)
	}
	d.Body = body
	return fe
}

// checkDocumentLinks records on fe a client or lead that is not of dealer.
func (s *Service) checkDocumentLinks(ctx context.Context, fe FieldErrors, d Document, old *Document) error {
	for _, l := range []struct {
		field string
		kind  RecordKind
		id    *int64
		was   *int64
	}{{"client", RecordClient, d.ClientID, nil}, {"lead", RecordLead, d.LeadID, nil}} {
		if old != nil {
			if l.kind == RecordClient {
				l.was = old.ClientID
			} else {
				l.was = old.LeadID
			}
		}
		if err := s.checkLink(ctx, fe, l.field, l.kind, l.id, l.was, d.DealerID); err != nil {
			return err
		}
	}
	return nil
}

// checkLink records on fe, under field, a record of kind id that is not
// of dealer; nil, or the id the record already had (was), is not checked.
func (s *Service) checkLink(ctx context.Context, fe FieldErrors, field string, kind RecordKind, id, was *int64, dealer int64) error {
	if id == nil || sameID(id, was) {
		return nil
	}
	of, err := s.store.DealerOf(ctx, kind, *id)
	switch {
	case ErrorCode(err) == NotFound || (err == nil && of != dealer):
		fe.Add(field, MsgNotExist)
	case err != nil:
		return err
	}
	return nil
}

// CreateDocument stores a new document of one of the principal's dealers,
// made by the principal's user.
func (s *Service) CreateDocument(ctx context.Context, d Document) (Document, error) {
	normaliseTexts(&d) // text in NFC (text.go)
	p, err := mustPrincipal(ctx)
	if err != nil {
		return Document{}, err
	}
	if !p.CanSee(d.DealerID) {
		return Document{}, errNotFound("dealer")
	}
	now := s.Now()
	d.ID, d.Version, d.CreatedAt, d.UpdatedAt = 0, 0, now, now
	d.CreatedBy, d.UpdatedBy = p.UserRef(), p.UserRef()
	d.Body = slices.Clone(d.Body)
	fe := validateDocument(&d)
	if err := s.checkDocumentLinks(ctx, fe, d, nil); err != nil {
		return Document{}, err
	}
	if err := fe.Err(); err != nil {
		return Document{}, err
	}
	if err := s.store.CreateDocument(ctx, &d); err != nil {
		return Document{}, err
	}
	return d, nil
}

// FindDocument returns a document of the principal's dealers; another
// dealer's is NotFound, like one that does not exist.
func (s *Service) FindDocument(ctx context.Context, id int64) (Document, error) {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return Document{}, err
	}
	d, err := s.store.Document(ctx, id)
	if err != nil {
		return Document{}, err
	}
	if !p.CanSee(d.DealerID) {
		return Document{}, errNotFound("document")
	}
	return d, nil
}

// FindRecordDocument returns the document of collection that extends
// record recordID of dealerID, a dealer of the principal's.
func (s *Service) FindRecordDocument(ctx context.Context, dealerID int64, collection string, recordID int64) (Document, error) {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return Document{}, err
	}
	if !p.CanSee(dealerID) {
		return Document{}, errNotFound("document")
	}
	d, err := s.store.RecordDocument(ctx, collection, recordID)
	if err != nil {
		return Document{}, err
	}
	if d.DealerID != dealerID {
		return Document{}, errNotFound("document")
	}
	return d, nil
}

// UpdateDocument applies a patch to a document. A patch with a Version the
// document no longer has fails with ErrStaleVersion and changes nothing;
// so does one without, when the document changes between its read and its
// write. One that changes nothing writes nothing.
func (s *Service) UpdateDocument(ctx context.Context, id int64, patch DocumentPatch) (Document, error) {
	normaliseTexts(&patch) // text in NFC (text.go)
	p, err := mustPrincipal(ctx)
	if err != nil {
		return Document{}, err
	}
	cur, err := s.FindDocument(ctx, id)
	if err != nil {
		return Document{}, err
	}
	if err := checkVersion("", patch.Version, cur.Version); err != nil {
		return Document{}, err
	}
	d := cur
	d.Body = slices.Clone(cur.Body)
	if patch.Body.Set {
		d.Body = slices.Clone(patch.Body.V)
	}
	patch.ClientID.applyTo(&d.ClientID)
	patch.LeadID.applyTo(&d.LeadID)
	fe := validateDocument(&d)
	if err := s.checkDocumentLinks(ctx, fe, d, &cur); err != nil {
		return Document{}, err
	}
	if err := fe.Err(); err != nil {
		return Document{}, err
	}
	if bytes.Equal(d.Body, cur.Body) && sameID(d.ClientID, cur.ClientID) && sameID(d.LeadID, cur.LeadID) {
		return cur, nil
	}
	d.UpdatedBy, d.UpdatedAt = p.UserRef(), s.Now()
	if err := s.store.UpdateDocument(ctx, &d, cur.Version); err != nil {
		return Document{}, err
	}
	return d, nil
}

// DeleteDocument deletes a document; version, when not 0, is the version
// the caller read (see ErrStaleVersion).
func (s *Service) DeleteDocument(ctx context.Context, id int64, version int) error {
	cur, err := s.FindDocument(ctx, id)
	if err != nil {
		return err
	}
	if err := checkVersion("", version, cur.Version); err != nil {
		return err
	}
	return s.store.DeleteDocument(ctx, id, version)
}

// FindDocuments lists the documents of collection of the principal's
// dealers that q selects, q checked against sc (see DocumentSchema). A
// condition on "dealer" at the top of q.Where narrows the dealers.
func (s *Service) FindDocuments(ctx context.Context, collection string, sc Schema, q Query) ([]Document, int, error) {
	if !validCollection(collection) {
		return nil, 0, &Error{Code: Invalid, Message: "invalid collection", Fields: map[string]string{"collection": MsgInvalid}}
	}
	ids, err := s.prepare(ctx, &q, sc, "dealer")
	if err != nil || len(ids) == 0 {
		return nil, 0, err
	}
	return s.store.FindDocuments(ctx, ids, collection, sc, q)
}

// GroupDocuments counts the documents of collection that q selects per
// value of q.GroupBy, most first (at most MaxGroups).
func (s *Service) GroupDocuments(ctx context.Context, collection string, sc Schema, q Query) ([]Group, error) {
	if q.GroupBy == "" {
		return nil, &Error{Code: Invalid, Message: "nothing to group by", Fields: map[string]string{"group_by": MsgRequired}}
	}
	if !validCollection(collection) {
		return nil, &Error{Code: Invalid, Message: "invalid collection", Fields: map[string]string{"collection": MsgInvalid}}
	}
	ids, err := s.prepare(ctx, &q, sc, "dealer")
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	return s.store.GroupDocuments(ctx, ids, collection, sc, q)
}
