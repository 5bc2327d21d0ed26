package store

import (
	"database/sql"
	"slices"
	"strings"

	"forecourt/internal/core"
)

// Keyset pages (core.Keyset): the page after a key of a list's order is
// read with a condition on the order's expressions, "after (v1, …, id)",
// so that the database starts where the last page ended (an index on the
// first expression serves it as a range) instead of skipping every row
// before it as OFFSET does.
//
// Both engines put NULL lowest (orderBy), so after a value v an ascending
// term holds the rows above v, and a descending one the rows below v and
// then those without a value. A condition "x > v OR x IS NULL" would keep
// the database from reading the first term's index as one range, so the
// page is read in phases, one range each, in the order's order: for a
// descending first term with a value, first the rows at or below v (and
// after the key among those equal to v), then the rows without a value;
// for an ascending one without a value, first the rows without one after
// the key, then those with one. The later terms are conditions on the
// rows equal in the earlier ones, with the same meaning of NULL.

// keysetIDs returns the ids of the rows of t's table that where (with
// args) selects, in the order of sorts, after the key after (none: from
// the first), at most limit of them (limit < 0: all), and the key of the
// last one (after, when there is none).
func (c conn) keysetIDs(t *tableSQL, where string, args []any, sorts []core.Sort, after []any, limit int) ([]int64, []any, error) {
	terms := orderTerms(t, sorts)
	if after != nil && len(after) != len(terms) {
		return nil, nil, &core.Error{Code: core.Invalid, Message: "invalid query", Fields: map[string]string{"keyset": core.MsgInvalid}}
	}
	cols := make([]string, len(terms))
	for i, o := range terms {
		cols[i] = o.expr
	}
	head := `SELECT id, ` + strings.Join(cols, ", ") + ` FROM ` + t.table + ` WHERE ` + where
	order := c.orderBy(t, sorts, false)
	phases := []keyCond{{}}
	if after != nil {
		phases = keysetPhases(terms, after)
	}
	var ids []int64
	next := after
	for _, ph := range phases {
		q, qargs := head, slices.Clip(args)
		if ph.sql != "" {
			q, qargs = q+" AND "+ph.sql, append(qargs, ph.args...)
		}
		q += order
		if limit >= 0 {
			q, qargs = q+" LIMIT ?", append(qargs, limit-len(ids))
		}
		err := eachRow(c, q, qargs, func(r *sql.Rows) error {
			var id int64
			key := make([]any, len(terms))
			dest := make([]any, len(terms)+1)
			dest[0] = &id
			for i := range key {
				dest[i+1] = &key[i]
			}
			if err := r.Scan(dest...); err != nil {
				return err
			}
			for i, v := range key {
				if b, ok := v.([]byte); ok {
					key[i] = string(b) // text: as a blob SQLite would order it after every text
				}
			}
			ids, next = append(ids, id), key
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
		if limit >= 0 && len(ids) >= limit {
			break
		}
	}
	return ids, next, nil
}

// keyCond is a condition and its arguments.
type keyCond struct {
	sql  string
	args []any
}

// keysetPhases returns the conditions, one per phase read in turn, that
// together select the rows after key in the order of terms (see above).
func keysetPhases(terms []orderTerm, key []any) []keyCond {
	if len(terms) == 1 { // the id alone
		return []keyCond{afterKey(terms, key)}
	}
	x, v := terms[0].expr, key[0]
	rest := afterKey(terms[1:], key[1:])
	and := func(c string, args []any, r keyCond) keyCond {
		return keyCond{sql: "(" + c + " AND " + r.sql + ")", args: append(args, r.args...)}
	}
	switch {
	case v == nil && terms[0].desc:
		return []keyCond{and(x+" IS NULL", nil, rest)}
	case v == nil:
		return []keyCond{and(x+" IS NULL", nil, rest), {sql: x + " IS NOT NULL"}}
	case terms[0].desc:
		return []keyCond{
			and(x+" <= ?", []any{v}, keyCond{sql: "(" + x + " < ? OR " + rest.sql + ")", args: append([]any{v}, rest.args...)}),
			{sql: x + " IS NULL"},
		}
	}
	return []keyCond{and(x+" >= ?", []any{v}, keyCond{sql: "(" + x + " > ? OR " + rest.sql + ")", args: append([]any{v}, rest.args...)})}
}

// afterKey is the condition that a row equal to key in the terms before
// these comes after it: after it in the first of these terms, or equal in
// it and after it in the rest. The last term is the id, never NULL.
func afterKey(terms []orderTerm, key []any) keyCond {
	x, v, desc := terms[0].expr, key[0], terms[0].desc
	if len(terms) == 1 {
		if desc {
			return keyCond{sql: x + " < ?", args: []any{v}}
		}
		return keyCond{sql: x + " > ?", args: []any{v}}
	}
	rest := afterKey(terms[1:], key[1:])
	var after, equal keyCond
	switch {
	case v == nil && desc:
		return keyCond{sql: "(" + x + " IS NULL AND " + rest.sql + ")", args: rest.args}
	case v == nil:
		after, equal = keyCond{sql: x + " IS NOT NULL"}, keyCond{sql: x + " IS NULL"}
	case desc:
		after, equal = keyCond{sql: "(" + x + " < ? OR " + x + " IS NULL)", args: []any{v}}, keyCond{sql: x + " = ?", args: []any{v}}
	default:
		after, equal = keyCond{sql: x + " > ?", args: []any{v}}, keyCond{sql: x + " = ?", args: []any{v}}
	}
	args := append(append(append([]any{}, after.args...), equal.args...), rest.args...)
	return keyCond{sql: "(" + after.sql + " OR (" + equal.sql + " AND " + rest.sql + "))", args: args}
}
