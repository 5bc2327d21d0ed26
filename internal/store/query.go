package store

import (
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"forecourt/internal/core"
)

// This file compiles core Queries to SQL, the same way on both engines:
// each entity's table maps every field of its core.Schema to SQL
// (TestTablesCoverSchemas), and a Cond becomes a WHERE condition with its
// arguments. Nothing is evaluated in memory.

// fieldSQL is how one field of a core.Schema reads in SQL.
type fieldSQL struct {
	// col is an expression on the entity's row or, with from, on the
	// related rows: a condition on it holds when some related row holds
	// it, EXISTS (SELECT 1 FROM <from> AND <condition>).
	col  string
	from string
	// e164, for a phone, is the column holding it in E.164: equality and
	// membership compare a value written in E.164 ("+34612345678") with
	// it and any other value with col (the phone as given), so that both
	// are index lookups; a substring is looked up in both.
	e164 string
	// key, for a field of a record the entity refers to (from), is the
	// entity's column holding that record's id: a condition then reads
	// the related records that hold it, "key IN (SELECT id FROM <from>
	// AND …)", rather than testing each row (see leadTable.withClients).
	key string
	// keyArray: on PostgreSQL, key's condition is "key = ANY(ARRAY(SELECT
	// id …))", evaluated once, which an index of key serves even inside an
	// OR (a bitmap OR of indexes); "key IN (SELECT …)" there is a filter
	// of each row in an OR.
	keyArray bool
	// rare: a value is held by few rows (a car's plate, its make among a
	// dealer's leads). On SQLite the condition is marked so
	// (likelihood()), so that the planner reads the rows an index finds
	// for it, rather than walking the list's order until a page of rows
	// holds it: inside an OR each branch's index is read (MULTI-INDEX OR).
	rare bool
	// each, with key and rare, is the related record of each row (from
	// for one row, "vehicles v WHERE v.id = leads.vehicle_id"): when many
	// records hold the value (commonAt, a make most cars are of), the
	// condition tests each row's record instead, as the list walks its
	// order and stops at a page's end, rather than reading every row that
	// holds it and sorting them.
	each string
	// within, when set, is a condition on the entity's row that every row
	// holding the field holds (an array with a further element, see
	// core.FieldSpec.Further): the condition reads the rows of
	// "id IN (SELECT id FROM <table> WHERE <within> AND …)", which a
	// partial index of within serves.
	within string
	// fromArgs are the arguments of the placeholders in from.
	fromArgs []any
	// lowered: col holds lower-cased text; values are lower-cased too, so
	// equality ignores case.
	lowered bool
	// fold: compare col lower-cased (as Go lower-cases, on both engines)
	// with the lower-cased value, so that equality ignores case (e-mails;
	// any text field for a core.Cond with Fold).
	fold bool
	// lowerIndex: col's index is of its lower-cased text (lower(),
	// migration 0053; on SQLite col's fold column, 0055), so equality
	// compares lower(col) with the lower-cased value, which the index serves, and,
	// unless the condition folds case, col with the value as well.
	lowerIndex bool
	// partial, with lowerIndex, is the condition of col's partial index
	// (only the rows with a value), written beside equality on a value so
	// that PostgreSQL's generic plans read the index too.
	partial string
	// text, when set, are lower-cased columns of the entity's row that
	// OpContains looks the value up in (through conn.textFilter, the
	// trigram index of leads on SQLite).
	text []string
	// order is the expression a sort or group uses, when it is not col.
	order string
	// at, for a boolean field computed at an instant (a user's online),
	// returns the condition that it is true at that instant.
	at func(at time.Time) (string, []any)
	// docTime: col holds times as text in core.DocumentTimeLayout (a
	// document's body), which orders like the times.
	docTime bool
	// pgFrom, when set, is from on PostgreSQL (the elements of a JSON
	// array are read by functions of other names there).
	pgFrom string
	// contains, on PostgreSQL, is the JSONB column a field of an extension
	// lives in and the path to it (queryext.go): equality and membership
	// are compiled as containment in it, which its GIN index serves.
	contains *jsonContains
}

// tableSQL maps an entity's Schema onto its table.
type tableSQL struct {
	schema *core.Schema
	table  string
	fields map[string]fieldSQL
	// clientDealers, when set, reads the client's fields through these
	// dealers' clients (see withClients); read fields with field.
	clientDealers []int64
	// search returns the condition that term (lower-cased) is found in the
	// record, for OpMatch; terms are ANDed.
	search func(c conn, term string) (string, []any)
	// matchAll, when set, compiles a whole OpMatch at once (the leads'
	// trigram index looks every term up in one query), and says whether
	// it reads the trigram index.
	matchAll func(c conn, terms []string) (string, []any, bool)
}

// compiled is a condition being built: SQL text and its arguments, and
// whether it looks text up in the trigram index (conn.textFilter).
type compiled struct {
	sql     strings.Builder
	args    []any
	matched bool
	// few: the whole condition holds on few rows, which indexes find (a
	// rare value of a related record, the further cars; see fewLeaf)
	few bool
}

// where returns the condition of cd on t's table, with its arguments, and
// whether it reads the trigram index. The Cond must have passed
// t.schema.Check (values are in canonical types).
func (c conn) where(t *tableSQL, cd core.Cond, at time.Time) (string, []any, bool, error) {
	b, err := c.compile(t, cd, at)
	return b.sql.String(), b.args, b.matched, err
}

// compile compiles cd on t's table (see where).
func (c conn) compile(t *tableSQL, cd core.Cond, at time.Time) (*compiled, error) {
	b := &compiled{}
	few, err := c.cond(b, t, cd, at)
	b.few = few
	return b, err
}

// cond writes cd into b, and says whether it holds on few rows that
// indexes find (compiled.few): a leaf fewLeaf says so, an AND of which one
// part does, an OR of which every part does.
func (c conn) cond(b *compiled, t *tableSQL, cd core.Cond, at time.Time) (bool, error) {
	switch {
	case cd.Op != "":
		s, args, matched, err := c.leaf(t, cd, at)
		if err != nil {
			return false, err
		}
		b.sql.WriteString(s)
		b.args = append(b.args, args...)
		b.matched = b.matched || matched
		return c.fewLeaf(t, cd, s), nil
	case cd.Not != nil:
		// IS NOT TRUE: a condition that is NULL on a row (a comparison
		// with a missing value) does not hold there, so its negation does
		b.sql.WriteString("((")
		if _, err := c.cond(b, t, *cd.Not, at); err != nil {
			return false, err
		}
		b.sql.WriteString(") IS NOT TRUE)")
		return false, nil
	}
	parts, sep, empty := cd.And, " AND ", "1 = 1"
	if cd.Or != nil {
		parts, sep, empty = cd.Or, " OR ", "1 = 0"
	}
	if len(parts) == 0 {
		b.sql.WriteString(empty)
		return cd.Or != nil, nil
	}
	b.sql.WriteString("(")
	few := cd.Or != nil
	for i, p := range parts {
		if i > 0 {
			b.sql.WriteString(sep)
		}
		f, err := c.cond(b, t, p, at)
		if err != nil {
			return false, err
		}
		if cd.Or != nil {
			few = few && f
		} else {
			few = few || f
		}
	}
	b.sql.WriteString(")")
	return few, nil
}

// fewLeaf reports whether leaf cd, compiled as sql, holds on few rows
// that indexes find: equality or membership on a related record's field
// marked rare, read through its key (not tested on each row's record: a
// common value, fieldSQL.each), or on a field held by the rows of a
// partial index alone (fieldSQL.within: the further cars).
func (c conn) fewLeaf(t *tableSQL, cd core.Cond, sql string) bool {
	if cd.Op != core.OpEq && cd.Op != core.OpIn || cd.Value == nil && cd.Op == core.OpEq {
		return false
	}
	f, ok := t.field(cd.Field)
	switch {
	case !ok:
		return false
	case f.key != "" && f.rare:
		return strings.HasPrefix(sql, f.key+" ") || strings.HasPrefix(sql, "likelihood("+f.key+" ")
	case f.within != "":
		return true
	}
	return false
}

// leaf compiles one leaf condition, and says whether it reads the trigram
// index.
func (c conn) leaf(t *tableSQL, cd core.Cond, at time.Time) (string, []any, bool, error) {
	if cd.Op == core.OpMatch {
		s, _ := cd.Value.(string)
		terms := core.SearchTerms(s)
		if len(terms) == 0 {
			return "1 = 1", nil, false, nil
		}
		if t.matchAll != nil {
			q, args, matched := t.matchAll(c, terms)
			return q, args, matched, nil
		}
		var parts []string
		var args []any
		for _, term := range terms {
			q, a := t.search(c, term)
			parts, args = append(parts, q), append(args, a...)
		}
		return "(" + strings.Join(parts, " AND ") + ")", args, false, nil
	}
	f, ok := t.field(cd.Field)
	spec := t.schema.Fields[cd.Field]
	if !ok {
		return "", nil, false, fmt.Errorf("store: %s field %q has no SQL", t.schema.Entity, cd.Field)
	}
	if c.pg && f.pgFrom != "" {
		f.from = f.pgFrom
	}
	if f.at != nil {
		q, args, err := c.computedLeaf(f, cd, at)
		return q, args, false, err
	}
	if cd.Op == core.OpContains && f.text != nil {
		s, _ := cd.Value.(string)
		q := strings.ToLower(strings.TrimSpace(s))
		if q == "" {
			return "1 = 1", nil, false, nil
		}
		cond, args, matched := c.textFilter([]string{q}, false, f.text...)
		return cond, args, matched, nil
	}
	if cd.Fold {
		f.fold = true
	} else if q, args, ok := f.contains.leaf(f, cd); ok {
		return q, args, false, nil
	}
	// pos is a condition that holds for a row (the entity's, or a related
	// one) holding the value; neg says the leaf holds where no row does.
	pos, args, neg := c.positive(f, spec, cd)
	if f.from == "" {
		if neg && pos == f.col+" IS NOT NULL" {
			// exists false, eq null on a column with no empty value: the
			// same rows as the NOT below, in a form an index of col finds
			// (the undated tasks of "Mis tareas" read tasks_dealer_user
			// rather than every task in id order)
			return f.col + " IS NULL", args, false, nil
		}
		if neg {
			// IS TRUE: a NULL comparison counts as not holding, so that
			// ne and nin also hold where the field has no value.
			return "NOT ((" + pos + ") IS TRUE)", args, false, nil
		}
		return pos, args, false, nil
	}
	if f.key != "" && f.each != "" && !neg && c.common(f, pos, args) {
		// a scalar subquery: PostgreSQL would hash an EXISTS, reading
		// every record that holds the value before the first row
		return "(SELECT 1 FROM " + f.each + " AND " + pos + ") = 1", args, false, nil
	}
	if f.key != "" {
		sub := f.key + " IN (SELECT id FROM " + f.from + " AND " + pos + ")"
		if c.pg && f.keyArray {
			sub = f.key + " = ANY(ARRAY(SELECT id FROM " + f.from + " AND " + pos + "))"
		}
		if !c.pg && f.rare && !neg {
			sub = rare(sub)
		}
		args = append(slices.Clip(f.fromArgs), args...)
		if neg {
			// no related record, or one that does not hold it
			return "(" + f.key + " IS NULL OR NOT " + sub + ")", args, false, nil
		}
		return sub, args, false, nil
	}
	exists := "EXISTS (SELECT 1 FROM " + f.from + " AND " + pos + ")"
	if f.within != "" {
		if c.pg { // evaluated once, an index of id inside an OR (keyArray)
			exists = t.table + ".id = ANY(ARRAY(SELECT " + t.table + ".id FROM " + t.table + " WHERE " + f.within + " AND " + exists + "))"
		} else {
			exists = t.table + ".id IN (SELECT " + t.table + ".id FROM " + t.table + " WHERE " + f.within + " AND " + exists + ")"
			if !neg {
				exists = rare(exists)
			}
		}
	}
	if neg {
		exists = "NOT " + exists
	}
	return exists, append(slices.Clip(f.fromArgs), args...), false, nil
}

// positive returns the condition on one row for cd, and whether the leaf
// is its negation (ne, nin, exists false, eq null), so that a field of a
// list holds when no element holds pos, and a nullable field when it has
// no value.
func (c conn) positive(f fieldSQL, spec core.FieldSpec, cd core.Cond) (cond string, args []any, neg bool) {
	col := f.col
	if f.fold && !f.lowerIndex {
		col = lower(c.pg, col)
	}
	eqAny := func(vs []any) (string, []any) {
		byCol := map[string][]any{}
		var cols []string
		for _, v := range vs {
			at := col
			if s, ok := v.(string); ok && f.e164 != "" && e164.MatchString(s) {
				at = f.e164
			}
			if byCol[at] == nil {
				cols = append(cols, at)
			}
			byCol[at] = append(byCol[at], sqlValue(f, v))
		}
		var parts []string
		var out []any
		for _, at := range cols {
			vs := byCol[at]
			if f.lowerIndex {
				parts, out = append(parts, lowerIndexed(c.pg, f, at, vs)), append(out, lowerIndexArgs(f, vs)...)
				continue
			}
			if len(vs) == 1 {
				parts = append(parts, at+" = ?")
			} else {
				parts = append(parts, at+" IN "+in(len(vs)))
			}
			out = append(out, vs...)
		}
		return "(" + strings.Join(parts, " OR ") + ")", out
	}
	switch cd.Op {
	case core.OpEq, core.OpNe:
		neg = cd.Op == core.OpNe
		if cd.Value == nil {
			return hasValue(f.col, spec), nil, !neg
		}
		cond, args = eqAny([]any{cd.Value})
		return cond, args, neg
	case core.OpIn, core.OpNin:
		neg = cd.Op == core.OpNin
		var vs []any
		null := false
		for _, v := range cd.Values {
			if v == nil {
				null = true
			} else {
				vs = append(vs, v)
			}
		}
		var parts []string
		if len(vs) > 0 {
			q, a := eqAny(vs)
			parts, args = append(parts, q), a
		}
		if null {
			parts = append(parts, "NOT "+hasValue(f.col, spec))
		}
		if len(parts) == 0 {
			return "1 = 0", nil, neg
		}
		return "(" + strings.Join(parts, " OR ") + ")", args, neg
	case core.OpExists:
		want, _ := cd.Value.(bool)
		return hasValue(f.col, spec), nil, !want
	case core.OpContains:
		s, _ := cd.Value.(string)
		var parts []string
		cols := []string{f.col}
		if f.e164 != "" {
			cols = append(cols, f.e164)
		}
		for _, col := range cols {
			if f.lowered {
				parts, args = append(parts, c.contains(col)), append(args, strings.ToLower(s))
			} else {
				parts, args = append(parts, lower(c.pg, col)+` LIKE ? ESCAPE '\'`), append(args, like(s))
			}
		}
		return "(" + strings.Join(parts, " OR ") + ")", args, false
	}
	op := map[core.Op]string{core.OpLt: " < ?", core.OpLte: " <= ?", core.OpGt: " > ?", core.OpGte: " >= ?"}[cd.Op]
	return f.col + op, []any{sqlValue(f, cd.Value)}, false
}

// computedLeaf compiles a condition on a boolean computed at an instant.
func (c conn) computedLeaf(f fieldSQL, cd core.Cond, at time.Time) (string, []any, error) {
	expr, args := f.at(at)
	var holds []bool // the values of the field the condition holds for
	switch cd.Op {
	case core.OpEq, core.OpNe, core.OpIn, core.OpNin:
		vs := cd.Values
		if cd.Op == core.OpEq || cd.Op == core.OpNe {
			vs = []any{cd.Value}
		}
		for _, b := range []bool{true, false} {
			in := slices.Contains(vs, any(b))
			if in == (cd.Op == core.OpEq || cd.Op == core.OpIn) {
				holds = append(holds, b)
			}
		}
	case core.OpExists:
		if b, _ := cd.Value.(bool); b {
			holds = []bool{true, false}
		}
	default:
		return "", nil, &core.Error{Code: core.Invalid, Message: "invalid operator", Fields: map[string]string{cd.Field: core.MsgInvalidOperator}}
	}
	switch len(holds) {
	case 0:
		return "1 = 0", nil, nil
	case 2:
		return "1 = 1", nil, nil
	}
	if !holds[0] {
		expr = "NOT " + expr
	}
	return expr, args, nil
}

// e164 matches a phone number written in E.164.
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{5,14}$`)

// hasValue is the condition that col has a value: not null and, for
// text, not empty.
func hasValue(col string, spec core.FieldSpec) string {
	if spec.Type == core.TypeText || spec.Type == core.TypeEnum {
		return "(" + col + " IS NOT NULL AND " + col + " <> '')"
	}
	return col + " IS NOT NULL"
}

// sqlValue turns a canonical query value into the argument f's column
// compares with: times as unix microseconds, stages as their rank.
func sqlValue(f fieldSQL, v any) any {
	switch x := v.(type) {
	case time.Time:
		if f.docTime {
			return x.UTC().Format(core.DocumentTimeLayout)
		}
		return micros(x)
	case core.Stage:
		return stageRank(x)
	case string:
		if f.lowered || f.fold {
			return strings.ToLower(x)
		}
	}
	return v
}

// orderBy returns the ORDER BY clause of sorts on t (the schema's default
// when empty), ending with the id so that pages are stable; plus writes
// the columns as "+col", which keeps SQLite from reading them in an
// index's order. Both engines put NULL lowest.
func (c conn) orderBy(t *tableSQL, sorts []core.Sort, plus bool) string {
	prefix := ""
	if plus && !c.pg {
		prefix = "+"
	}
	var parts []string
	for _, o := range orderTerms(t, sorts) {
		dir := " ASC"
		if o.desc {
			dir = " DESC"
		}
		if c.pg && !o.tie {
			if o.desc {
				dir += " NULLS LAST"
			} else {
				dir += " NULLS FIRST"
			}
		}
		parts = append(parts, prefix+o.expr+dir)
	}
	return " ORDER BY " + strings.Join(parts, ", ")
}

// orderTerm is one expression of a list's order and its direction.
type orderTerm struct {
	expr string
	desc bool
	// tie: the id added to break ties, never NULL, written without NULLS
	// FIRST/LAST so that PostgreSQL reads it in an index's order (an
	// index's DESC is NULLS FIRST)
	tie bool
}

// orderTerms is the order of sorts on t (the schema's default when
// empty), ending with the id, in the direction of the last sort.
func orderTerms(t *tableSQL, sorts []core.Sort) []orderTerm {
	if len(sorts) == 0 {
		sorts = t.schema.DefaultSort
	}
	var out []orderTerm
	for _, s := range sorts {
		f, _ := t.field(s.Field)
		col := f.order
		if col == "" {
			col = f.col
		}
		if s.Field == "id" { // never NULL: the tie itself (Walcu's sort=_id)
			return append(out, orderTerm{expr: col, desc: s.Desc, tie: true})
		}
		out = append(out, orderTerm{expr: col, desc: s.Desc})
	}
	return append(out, orderTerm{expr: "id", desc: len(sorts) > 0 && sorts[len(sorts)-1].Desc, tie: true})
}

// groupExpr returns the expression field groups by.
func (t *tableSQL) groupExpr(field string) string {
	f, _ := t.field(field)
	if f.order != "" {
		return f.order
	}
	return f.col
}

// relatedValue is the scalar subquery reading col of the one related row
// from names (a to-one relation), for sorts and groups.
func relatedValue(col, from string) string {
	return "(SELECT " + col + " FROM " + from + ")"
}

// scanGroupValue scans a row of groupRows: the group's value, as the
// field's type reads it (nil for no value), and its count.
func scanGroupValue(r *sql.Rows, spec core.FieldSpec, count *int) (any, error) {
	switch spec.Type {
	case core.TypeInt, core.TypeStage:
		var v sql.NullInt64
		if err := r.Scan(&v, count); err != nil || !v.Valid {
			return nil, err
		}
		if spec.Type == core.TypeStage {
			if v.Int64 < 0 || int(v.Int64) >= len(core.Stages) {
				return nil, fmt.Errorf("store: stage rank %d", v.Int64)
			}
			return core.Stages[v.Int64], nil
		}
		return v.Int64, nil
	case core.TypeBool:
		var v sql.NullBool
		if err := r.Scan(&v, count); err != nil || !v.Valid {
			return nil, err
		}
		return v.Bool, nil
	case core.TypeFloat:
		var v sql.NullFloat64
		if err := r.Scan(&v, count); err != nil || !v.Valid {
			return nil, err
		}
		return v.Float64, nil
	case core.TypeTime:
		var v sql.NullInt64
		if err := r.Scan(&v, count); err != nil || !v.Valid {
			return nil, err
		}
		return fromMicros(v.Int64), nil
	}
	var v sql.NullString
	if err := r.Scan(&v, count); err != nil || !v.Valid {
		return nil, err
	}
	return v.String, nil
}

// rare marks a condition on SQLite as one few rows hold (fieldSQL.rare).
func rare(cond string) string { return "likelihood(" + cond + ", 0.001)" }

// commonAt is how many related records holding a value make it common
// (fieldSQL.each).
var commonAt = 500

// common reports whether at least commonAt of f's related records hold
// pos (with args): a count that stops there, read from pos's index.
func (c conn) common(f fieldSQL, pos string, args []any) bool {
	if c.q == nil {
		return false
	}
	rows, err := c.query("SELECT count(*) FROM (SELECT 1 FROM "+f.from+" AND "+pos+" LIMIT "+fmt.Sprint(commonAt)+") x",
		append(slices.Clip(f.fromArgs), args...)...)
	if err != nil {
		return false
	}
	defer rows.Close()
	n := 0
	if rows.Next() && rows.Scan(&n) != nil {
		return false
	}
	return n >= commonAt
}

// lowerIndexed is equality of col (a field with lowerIndex) with vs (as
// sqlValue gives them): lower(col) (on SQLite its fold column) with the
// values lower-cased, which col's index serves, and col with the values themselves unless f folds
// case; with the index's partial condition when it has one (and no value
// is empty text, which the index leaves out).
func lowerIndexed(pg bool, f fieldSQL, col string, vs []any) string {
	eq := func(expr string) string {
		if len(vs) == 1 {
			return expr + " = ?"
		}
		return expr + " IN " + in(len(vs))
	}
	folded := lower(pg, col)
	if !pg {
		folded = foldColumn(col) // 0055: the indexed copy (vehiclefold.go)
	}
	parts := []string{eq(folded)}
	if !f.fold {
		parts = append(parts, eq(col))
	}
	if f.partial != "" && !slices.Contains(vs, any("")) {
		parts = append(parts, f.partial)
	}
	return "(" + strings.Join(parts, " AND ") + ")"
}

// lowerIndexArgs are the arguments of lowerIndexed.
func lowerIndexArgs(f fieldSQL, vs []any) []any {
	out := make([]any, 0, 2*len(vs))
	for _, v := range vs {
		if s, ok := v.(string); ok {
			v = foldText(s)
		}
		out = append(out, v)
	}
	if !f.fold {
		out = append(out, vs...)
	}
	return out
}
