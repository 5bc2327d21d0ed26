package core

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Op is the operator of a leaf Cond.
type Op string

// The operators. Comparisons follow the field's type: numbers as numbers,
// times as times, text as text (byte order), stages in lifecycle order.
const (
	OpEq  Op = "eq"
	OpNe  Op = "ne" // also true where the field has no value, as MongoDB's $ne
	OpLt  Op = "lt"
	OpLte Op = "lte"
	OpGt  Op = "gt"
	OpGte Op = "gte"
	OpIn  Op = "in"  // Values
	OpNin Op = "nin" // Values; also true where the field has no value
	// OpExists tests whether the field has a value (Value true) or not
	// (false): not null, and for text not empty; for a list, whether it
	// has an element.
	OpExists Op = "exists"
	// OpContains: the field's text holds Value as a substring, case aside.
	OpContains Op = "contains"
	// OpMatch is a text search over the record (Field empty): Value is
	// split into terms on whitespace and commas (SearchTerms), and every
	// term must be, case aside, a substring of one of the texts the
	// entity's Schema.Search describes.
	OpMatch Op = "match"
)

// Cond is a condition of a Query. A leaf has an Op, a Field of the
// entity's Schema (a dotted path such as "client.phone"; a field inside a
// list, such as "tasks.type", holds when any element of the list holds it)
// and a Value, or Values for OpIn and OpNin. Otherwise a Cond combines
// others: all of And, any of Or, or the negation of Not. The zero Cond
// matches everything.
type Cond struct {
	Op     Op
	Field  string
	Value  any // string, int, int64, float64, bool, time.Time or nil
	Values []any
	And    []Cond
	Or     []Cond
	Not    *Cond
	// Fold, on OpEq, OpNe, OpIn and OpNin of a text field, compares the
	// text case aside: both sides lower-cased as the engines' lower()
	// does (Unicode, simple), accents kept (Walcu's WQL, docs/walcu.md).
	Fold bool
}

// IsZero reports whether c is the zero Cond, which matches everything.
func (c Cond) IsZero() bool {
	return c.Op == "" && c.Field == "" && c.Value == nil && c.Values == nil && c.And == nil && c.Or == nil && c.Not == nil
}

// Eq is the Cond field = v.
func Eq(field string, v any) Cond { return Cond{Op: OpEq, Field: field, Value: v} }

// In is the Cond that field is one of vs.
func In[T any](field string, vs ...T) Cond {
	values := make([]any, len(vs))
	for i, v := range vs {
		values[i] = v
	}
	return Cond{Op: OpIn, Field: field, Values: values}
}

// Contains is the Cond that field's text holds s, case aside.
func Contains(field, s string) Cond { return Cond{Op: OpContains, Field: field, Value: s} }

// Match is the text search of the record for the terms of s.
func Match(s string) Cond { return Cond{Op: OpMatch, Value: s} }

// And is the Cond that all of cs hold. Zero Conds are dropped; one left is
// returned as it is.
func And(cs ...Cond) Cond {
	var out []Cond
	for _, c := range cs {
		if !c.IsZero() {
			out = append(out, c)
		}
	}
	switch len(out) {
	case 0:
		return Cond{}
	case 1:
		return out[0]
	}
	return Cond{And: out}
}

// Or is the Cond that any of cs holds.
func Or(cs ...Cond) Cond { return Cond{Or: cs} }

// Not is the Cond that c does not hold.
func Not(c Cond) Cond { return Cond{Not: &c} }

// Query asks a store for records of one entity: those matching Where, in
// the order of Sort (the Schema's default when empty; ties are broken by
// id), the page Offset and Limit of them (Limit < 0: all, which adapters
// must bound), and the total number of matches when Total. GroupBy, when
// set, asks instead for the number of matches per value of that field
// (see Group). Project names the fields the caller will read (empty: all);
// a store may leave the others out.
type Query struct {
	Where   Cond
	Sort    []Sort
	Offset  int
	Limit   int
	Total   bool
	GroupBy string
	Project []string
	// Ext declares the extension fields (see WithExt) that Where, Sort
	// and GroupBy may name besides the Schema's, for the entities that
	// have an Ext (leads, clients); the others ignore it.
	Ext map[string]FieldSpec
	// At is the instant that fields relative to now (a user's "online")
	// are evaluated at. The Service sets it.
	At time.Time
	// Keyset, when set, asks for the page after a position instead of
	// Offset (keyset.go); the store sets its Next.
	Keyset *Keyset
	// History, for leads, asks for each lead's oldest History entries, at
	// most this many (up to MaxLeadHistory), read with the leads in one
	// snapshot (Lead.History); 0 reads none. The others ignore it.
	History int
}

// Group is one value of a Query's GroupBy field and the number of matching
// records holding it. Value is nil for the records without a value.
type Group struct {
	Value any
	Count int
}

// Bounds of a Query: they keep one request from costing the database
// unbounded work. Adapters word them in their own errors.
const (
	MaxQueryConds  = 100  // leaf conditions
	MaxQueryDepth  = 8    // nesting of And, Or and Not
	MaxQueryValues = 1000 // values of one In or Nin
	MaxSorts       = 8    // fields of Sort
	MaxSearchTerms = 20   // terms of one OpMatch
	MaxTermLength  = 255  // characters of one text value or search term
	MaxGroups      = 1000 // groups a GroupBy answers
	// MaxLeadHistory bounds Query.History, the history entries read with
	// each lead, and MaxHistoryLeads the Limit of a query that reads them.
	MaxLeadHistory  = 200
	MaxHistoryLeads = 50
)

// FieldType is the type of a Schema field.
type FieldType int

// The field types.
const (
	TypeText  FieldType = iota + 1
	TypeInt             // an integer, or an id
	TypeFloat           // a decimal number
	TypeBool
	TypeTime
	TypeEnum  // text from FieldSpec.Values
	TypeStage // a Stage, ordered by the lifecycle
)

// FieldSpec describes one field of a Schema: its type and what a Query may
// do with it. Every field may be filtered; Sort and Group say whether it may
// order or group a list.
type FieldSpec struct {
	Type   FieldType
	Values []string // TypeEnum: the accepted values
	Sort   bool
	Group  bool
	// Path, for a field of a Document, is where the field is in its JSON
	// body: keys separated by dots, "[]" after a key whose value is an
	// array whose elements the rest of the path reads ("car_list[].car.make",
	// "foreign_ids[]"); the field holds when any element holds it. Text,
	// enumerations and times are JSON strings there (times in
	// DocumentTimeLayout), numbers JSON numbers, booleans JSON booleans.
	Path string
	// Of, for an extension field of a client, is RecordContact when Path
	// is in the Ext of each of the client's contacts rather than in the
	// client's: the field holds when one of its contacts holds it, and it
	// neither sorts nor groups (WithExt).
	Of RecordKind
	// Further, for a Path through an array, says that the array's first
	// element never holds the field: a core field holds that one's
	// (Walcu's car_list[0].car.make is the lead's vehicle's make,
	// vehiclename.go). A store may then read only the records whose array
	// has more than one element.
	Further bool
}

// Schema is the registry of one entity's fields that a Query may name: an
// allowlist, so an unknown field is an error that names it.
type Schema struct {
	Entity string
	Fields map[string]FieldSpec
	// Search describes, for people and for stores, what OpMatch looks at.
	Search string
	// DefaultSort orders lists that ask for no order.
	DefaultSort []Sort
}

// Field-level messages of query errors; see FieldErrors. The key of a
// query error is the field named ("client.phone"), "search" for an
// OpMatch, "sort", "group_by" or "project".
const (
	MsgUnknownField    = "unknown_field"    // not a field of the entity
	MsgInvalidOperator = "invalid_operator" // the operator does not apply to the field's type
	MsgNotSortable     = "not_sortable"     // the field cannot order a list
	MsgNotGroupable    = "not_groupable"    // the field cannot group a list
	MsgTooMany         = "too_many"         // past one of the query bounds
)

// Check validates q against the schema and puts its values in their
// canonical types (int64, float64, bool, time.Time, string; stages as
// Stage), so that stores compare like with like. Every problem is
// reported, keyed by the field it concerns.
func (sc Schema) Check(q *Query) error {
	fe := FieldErrors{}
	leaves := 0
	sc.checkCond(fe, &q.Where, 0, &leaves)
	if leaves > MaxQueryConds {
		fe.Add("where", MsgTooMany)
	}
	if len(q.Sort) > MaxSorts {
		fe.Add("sort", MsgTooMany)
	}
	for _, s := range q.Sort {
		spec, ok := sc.Fields[s.Field]
		switch {
		case !ok:
			fe.Add("sort", MsgUnknownField)
		case !spec.Sort:
			fe.Add("sort", MsgNotSortable)
		}
	}
	if q.GroupBy != "" {
		spec, ok := sc.Fields[q.GroupBy]
		switch {
		case !ok:
			fe.Add("group_by", MsgUnknownField)
		case !spec.Group:
			fe.Add("group_by", MsgNotGroupable)
		}
	}
	for _, p := range q.Project {
		if !sc.projectable(p) {
			fe.Add("project", MsgUnknownField)
		}
	}
	if q.Offset < 0 {
		q.Offset = 0
	}
	if q.Keyset != nil && (q.Offset != 0 || len(q.Keyset.After) > MaxSorts+1) {
		fe.Add("keyset", MsgInvalid) // a key is a page's: see Keyset
	}
	return fe.Err()
}

// projectable reports whether p is a field of the schema or the root of
// some ("client" of "client.name").
func (sc Schema) projectable(p string) bool {
	if _, ok := sc.Fields[p]; ok {
		return true
	}
	for name := range sc.Fields {
		if strings.HasPrefix(name, p+".") {
			return true
		}
	}
	return false
}

func (sc Schema) checkCond(fe FieldErrors, c *Cond, depth int, leaves *int) {
	if depth > MaxQueryDepth {
		fe.Add("where", MsgTooMany)
		return
	}
	if c.Not != nil {
		sc.checkCond(fe, c.Not, depth+1, leaves)
	}
	for i := range c.And {
		sc.checkCond(fe, &c.And[i], depth+1, leaves)
	}
	for i := range c.Or {
		sc.checkCond(fe, &c.Or[i], depth+1, leaves)
	}
	if c.Op == "" {
		if c.Field != "" || c.Value != nil || c.Values != nil {
			fe.Add(keyOf(c), MsgInvalidOperator)
		}
		return
	}
	*leaves++
	if *leaves > MaxQueryConds {
		return
	}
	if c.Op == OpMatch {
		s, ok := c.Value.(string)
		terms := SearchTerms(s)
		switch {
		case c.Field != "" || !ok:
			fe.Add(keyOf(c), MsgInvalid)
		case sc.Search == "":
			fe.Add("search", MsgInvalidOperator)
		case len(terms) > MaxSearchTerms:
			fe.Add("search", MsgTooMany)
		default:
			for _, t := range terms {
				checkLen(fe, "search", t, MaxTermLength)
			}
		}
		return
	}
	spec, ok := sc.Fields[c.Field]
	if !ok {
		fe.Add(keyOf(c), MsgUnknownField)
		return
	}
	if c.Fold && (spec.Type != TypeText || (c.Op != OpEq && c.Op != OpNe && c.Op != OpIn && c.Op != OpNin)) {
		fe.Add(c.Field, MsgInvalidOperator)
		return
	}
	switch c.Op {
	case OpEq, OpNe:
		if c.Value != nil {
			c.Value = checkValue(fe, c.Field, spec, c.Value)
		}
	case OpLt, OpLte, OpGt, OpGte:
		if spec.Type == TypeBool || c.Value == nil {
			fe.Add(c.Field, MsgInvalidOperator)
			return
		}
		c.Value = checkValue(fe, c.Field, spec, c.Value)
	case OpIn, OpNin:
		if len(c.Values) > MaxQueryValues {
			fe.Add(c.Field, MsgTooMany)
			return
		}
		for i, v := range c.Values {
			if v != nil {
				c.Values[i] = checkValue(fe, c.Field, spec, v)
			}
		}
	case OpExists:
		if _, ok := c.Value.(bool); !ok {
			fe.Add(c.Field, MsgInvalid)
		}
	case OpContains:
		s, ok := c.Value.(string)
		switch {
		case spec.Type != TypeText:
			fe.Add(c.Field, MsgInvalidOperator)
		case !ok:
			fe.Add(c.Field, MsgInvalid)
		default:
			checkLen(fe, c.Field, s, MaxTermLength)
		}
	default:
		fe.Add(c.Field, MsgInvalidOperator)
	}
}

func keyOf(c *Cond) string {
	if c.Field != "" {
		return c.Field
	}
	if c.Op == OpMatch {
		return "search"
	}
	return "where"
}

// checkValue returns v in the canonical type of spec, or records why it
// cannot be.
func checkValue(fe FieldErrors, field string, spec FieldSpec, v any) any {
	bad := func(msg string) any {
		fe.Add(field, msg)
		return v
	}
	switch spec.Type {
	case TypeText:
		s, ok := v.(string)
		if !ok {
			return bad(MsgInvalid)
		}
		checkLen(fe, field, s, MaxTermLength)
		if field == "public_id" {
			return NormalPublicID(s) // a UUID's text is case-insensitive
		}
		return s
	case TypeEnum:
		s, ok := v.(string)
		if !ok {
			return bad(MsgInvalidChoice)
		}
		for _, a := range spec.Values {
			if s == a {
				return s
			}
		}
		return bad(MsgInvalidChoice)
	case TypeStage:
		s, ok := v.(string)
		if st, isStage := v.(Stage); isStage {
			s, ok = string(st), true
		}
		if !ok || !Stage(s).Valid() {
			return bad(MsgInvalidChoice)
		}
		return Stage(s)
	case TypeInt:
		switch n := v.(type) {
		case int:
			return int64(n)
		case int64:
			return n
		case float64:
			if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
				return int64(n)
			}
		case string:
			if i, err := strconv.ParseInt(n, 10, 64); err == nil {
				return i
			}
		}
		return bad(MsgInvalid)
	case TypeFloat:
		switch n := v.(type) {
		case int:
			return float64(n)
		case int64:
			return float64(n)
		case float64:
			if !math.IsNaN(n) && !math.IsInf(n, 0) {
				return n
			}
		}
		return bad(MsgInvalid)
	case TypeBool:
		if b, ok := v.(bool); ok {
			return b
		}
		return bad(MsgInvalid)
	case TypeTime:
		switch t := v.(type) {
		case time.Time:
			return t.UTC()
		case string:
			if p, ok := ParseTime(t); ok {
				return p
			}
		}
		return bad(MsgInvalid)
	}
	return bad(MsgInvalid)
}

// ParseTime reads an RFC 3339 date-time, or a date (YYYY-MM-DD, midnight
// UTC), as every API's query texts give them. Years outside 0001–9999 are
// refused.
func ParseTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			if t.Year() < 1 || t.Year() > 9999 {
				return time.Time{}, false
			}
			return t, true
		}
	}
	return time.Time{}, false
}

// SearchTerms splits a text search into its terms, as DRF's SearchFilter
// does: on whitespace and commas, dropping empty terms. Terms are
// lower-cased.
func SearchTerms(search string) []string {
	return strings.FieldsFunc(strings.ToLower(search), func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
}

// Leaves returns the conditions that must all hold for c to hold and that
// are leaves: c itself, or the leaves of its And, recursively. rest is
// false when c also holds an Or or a Not at that level, which Leaves does
// not look into.
func (c Cond) Leaves() (leaves []Cond, rest bool) {
	switch {
	case c.Op != "":
		return []Cond{c}, false
	case c.Or != nil || c.Not != nil:
		return nil, true
	}
	for _, a := range c.And {
		ls, r := a.Leaves()
		leaves = append(leaves, ls...)
		rest = rest || r
	}
	return leaves, rest
}
