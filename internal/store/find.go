package store

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"forecourt/internal/core"
)

// FindLeads implements core.Store.FindLeads: the leads of dealers that q
// selects, compiled to SQL (query.go, tables.go).
//
// OpMatch (SML's search) finds a term, case aside, in the client's name,
// phone (as given, E.164, or digits alone) or e-mail, the vehicle's make and
// model and fuel, the tags, notes, tasks' descriptions and appraised plates
// (all kept in search_text), the lead's id when the term is a number, and
// the names of the source, the assigned user, and the client's province and
// locality (looked up first: leadRefs).
//
// On SQLite the text filters read the trigram index (search.go). The hot
// path, one dealer in the default order with a text filter, reads only the
// covering index leads_dealer_created (see TestExplainFindLeads): the page's
// ids walk it newest first and stop at the page's end; the count scans it
// once, and is skipped when the page came out short, since the page then
// tells the total. The page is then loaded with a constant number of
// queries (loadLeads).
func (s *Store) FindLeads(ctx context.Context, dealers []int64, q core.Query) ([]core.Lead, int, error) {
	return s.findLeads(ctx, dealers, q, true)
}

// findLeads is FindLeads, with the walk of many matches (walkMatches)
// allowed or not: tests compare its pages with the trigram index's.
func (s *Store) findLeads(ctx context.Context, dealers []int64, q core.Query, walk bool) ([]core.Lead, int, error) {
	dealers = core.DistinctIDs(dealers)
	if len(dealers) == 0 {
		return nil, 0, nil
	}
	offset := max(q.Offset, 0)
	var out []core.Lead
	total := -1
	err := s.readTx(ctx, func(c conn) error {
		p, err := planLeads(c, dealers, q)
		if err != nil {
			return err
		}
		if q.Keyset != nil {
			var ids []int64
			if q.Limit != 0 {
				var next []any
				if ids, next, err = c.keysetIDs(&p.table, p.where, p.args, q.Sort, q.Keyset.After, q.Limit); err != nil {
					return err
				}
				if len(ids) > 0 {
					q.Keyset.Next = next
				}
			}
			if q.Total {
				if total, err = c.count(`SELECT count(*) FROM leads WHERE `+p.where, p.args...); err != nil {
					return err
				}
			}
			out, err = loadPage(c, ids, q)
			return err
		}
		order := c.orderBy(&p.table, q.Sort, false)
		counted := false
		pageWhere := p.where
		if p.matched {
			// The trigram index counts matches at the cost of the matches,
			// and the count decides how to get the page.
			if cq, cargs, ok := p.countByIndex(c); ok {
				total, err = c.count(cq, cargs...)
			} else {
				total, err = c.count(`SELECT count(*) FROM leads WHERE `+p.where, p.args...)
			}
			if err != nil {
				return err
			}
			counted = true
			if total <= s.opt.manyMatches && !c.pg {
				// Few matches: sort them rather than walk an index of the
				// dealer's leads looking for them. "+col" keeps SQLite off
				// every index but the rowid (where starts with dealer_id).
				order = c.orderBy(&p.table, q.Sort, true)
				pageWhere = "+" + p.where
			}
		}
		var ids []int64
		walked := false
		if walk && counted && total > s.opt.manyMatches && q.Limit > 0 && offset < total {
			if ids, walked, err = s.walkMatches(c, p, q, order, total); err != nil {
				return err
			}
		}
		var leads []core.Lead
		loaded := false
		if !walked && q.Limit != 0 && (!counted || offset < total) {
			limit, largs := c.page(core.Page{Offset: q.Offset, Limit: q.Limit})
			page, args := `SELECT id FROM `+p.from(c, pageWhere)+order+limit, append(slices.Clip(p.args), largs...)
			if q.Limit == 1 {
				// One lead (LeanCore's lookup): chosen by the statement
				// that loads it, one statement less.
				if leads, err = loadLeadsWhere(c, `l.id = (`+page+`)`, args, leadParts(q.Project)); err != nil {
					return err
				}
				for _, l := range leads {
					ids = append(ids, l.ID)
				}
				loaded = true
			} else if ids, err = queryIDs(c, page, args); err != nil {
				return err
			}
		}
		switch {
		case counted:
		case q.Limit != 0 && (q.Limit < 0 || len(ids) < q.Limit) && (len(ids) > 0 || offset == 0):
			// A short page tells the total.
			total = offset + len(ids)
		case q.Total:
			if total, err = c.count(`SELECT count(*) FROM leads WHERE `+p.where, p.args...); err != nil {
				return err
			}
		}
		if loaded {
			out = leads
			return loadHistories(c, out, q.History)
		}
		out, err = loadPage(c, ids, q)
		return err
	})
	if err != nil {
		return nil, 0, dbError(err, "find leads", "lead", "")
	}
	return out, total, nil
}

// loadPage loads the leads ids, in their order, with the parts and
// history q asks for.
func loadPage(c conn, ids []int64, q core.Query) ([]core.Lead, error) {
	leads, err := loadLeads(c, ids, leadParts(q.Project))
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]core.Lead, len(leads))
	for _, l := range leads {
		byID[l.ID] = l
	}
	out := make([]core.Lead, 0, len(ids))
	for _, id := range ids {
		if l, ok := byID[id]; ok {
			out = append(out, l)
		}
	}
	return out, loadHistories(c, out, q.History)
}

// GroupLeads implements core.Store.GroupLeads: the number of the leads of
// dealers that q selects per value of q.GroupBy, most first, at most
// core.MaxGroups.
func (s *Store) GroupLeads(ctx context.Context, dealers []int64, q core.Query) ([]core.Group, error) {
	dealers = core.DistinctIDs(dealers)
	if len(dealers) == 0 {
		return nil, nil
	}
	var out []core.Group
	err := s.readTx(ctx, func(c conn) error {
		p, err := planLeads(c, dealers, q)
		if err != nil {
			return err
		}
		out, err = groupRows(c, &p.table, q.GroupBy, `leads WHERE `+p.where, p.args)
		return err
	})
	return out, dbError(err, "group leads", "lead", "")
}

// groupRows counts the rows of from (a table and its WHERE) per value of
// field, most first, then by value, no value first.
func groupRows(c conn, t *tableSQL, field, from string, args []any) ([]core.Group, error) {
	expr := t.groupExpr(field)
	spec := t.schema.Fields[field]
	order := expr
	if c.pg {
		order += " NULLS FIRST" // as SQLite: no value first
	}
	var out []core.Group
	err := eachRow(c, `SELECT `+expr+`, count(*) FROM `+from+` GROUP BY `+expr+` ORDER BY count(*) DESC, `+order+` LIMIT ?`,
		append(slices.Clip(args), core.MaxGroups), func(r *sql.Rows) error {
			var g core.Group
			v, err := scanGroupValue(r, spec, &g.Count)
			if err != nil {
				return err
			}
			g.Value = v
			out = append(out, g)
			return nil
		})
	return out, err
}

// leadPlan is a lead query compiled for one engine: its WHERE (starting
// with dealer_id, which the page query's "+" relies on) and, when its
// conditions are only those the trigram index's shortcuts understand, their
// shape.
type leadPlan struct {
	dealers []int64
	table   tableSQL // leadTable with q's extension fields
	where   string
	args    []any
	matched bool // the WHERE looks text up in the trigram index
	few     bool // the WHERE holds on few leads that indexes find (compiled.few)
	shape   *leadShape
}

// leadShape is a lead query made only of stages, a client and text filters
// on the lead's own text columns (and the users and sources a search term
// names), ANDed: the shape walkMatches and countByIndex handle.
type leadShape struct {
	stages []core.Stage
	client *int64
	texts  []textSpec
}

// planLeads compiles q for the leads of dealers.
func planLeads(c conn, dealers []int64, q core.Query) (leadPlan, error) {
	p := leadPlan{dealers: dealers}
	leaves, rest := q.Where.Leaves()
	var terms []string
	for _, l := range leaves {
		if l.Op == core.OpMatch {
			s, _ := l.Value.(string)
			terms = append(terms, core.SearchTerms(s)...)
		}
	}
	var refs map[string]leadTermRefs
	if len(terms) > 0 {
		var err error
		if refs, err = leadRefs(c, dealers, terms); err != nil {
			return p, err
		}
	}
	t, err := leadTable.withClients(dealers).withExt("leads", q.Ext, c.pg)
	if err != nil {
		return p, err
	}
	p.table = t
	t.matchAll = func(c conn, terms []string) (string, []any, bool) { return c.leadMatch(dealers, terms, refs) }
	b, err := c.compile(&t, q.Where, q.At)
	if err != nil {
		return p, err
	}
	cond, args := b.sql.String(), b.args
	p.matched, p.few = b.matched, b.few
	p.where = "dealer_id IN " + in(len(dealers))
	p.args = anys(dealers)
	if !q.Where.IsZero() {
		p.where += " AND " + cond
		p.args = append(p.args, args...)
	}
	if !rest {
		p.shape = shapeOf(leaves, refs)
	}
	return p, nil
}

// shapeOf returns the leadShape of leaves, or nil when one of them is not
// of it (or a search term also finds a fuel or place by name: a term that
// finds a source or user keeps it, searchrefs.go).
func shapeOf(leaves []core.Cond, refs map[string]leadTermRefs) *leadShape {
	var sh leadShape
	for _, l := range leaves {
		switch {
		case l.Field == "stage" && (l.Op == core.OpEq || l.Op == core.OpIn):
			vs := l.Values
			if l.Op == core.OpEq {
				vs = []any{l.Value}
			}
			if sh.stages != nil {
				return nil // two stage conditions intersect: leave it to SQL
			}
			sh.stages = []core.Stage{}
			for _, v := range vs {
				st, ok := v.(core.Stage)
				if !ok {
					return nil
				}
				sh.stages = append(sh.stages, st)
			}
		case l.Field == "client" && l.Op == core.OpEq && sh.client == nil:
			id, ok := l.Value.(int64)
			if !ok {
				return nil
			}
			sh.client = &id
		case l.Op == core.OpContains && leadTable.fields[l.Field].text != nil:
			q := strings.ToLower(strings.TrimSpace(l.Value.(string)))
			if q != "" {
				sh.texts = append(sh.texts, textSpec{terms: []string{q}, columns: leadTable.fields[l.Field].text})
			}
		case l.Op == core.OpMatch:
			terms := core.SearchTerms(l.Value.(string))
			var termRefs []leadTermRefs
			for i, t := range terms {
				if refs[t].empty() {
					continue
				}
				if !refs[t].byIndexes() {
					return nil
				}
				if termRefs == nil {
					termRefs = make([]leadTermRefs, len(terms))
				}
				termRefs[i] = refs[t]
			}
			if len(terms) > 0 {
				sh.texts = append(sh.texts, textSpec{terms: terms, byID: true, columns: leadSearchColumns, refs: termRefs})
			}
		default:
			return nil
		}
	}
	return &sh
}

// leadParts says which parts of a lead a projection needs loaded besides
// its row, client and vehicle: its tasks, and its notes and tags.
type leadLoad struct{ tasks, notes bool }

// wholeLead loads every part of a lead.
var wholeLead = leadLoad{tasks: true, notes: true}

func leadParts(project []string) leadLoad {
	if len(project) == 0 {
		return wholeLead
	}
	var l leadLoad
	for _, p := range project {
		root, _, _ := strings.Cut(p, ".")
		switch root {
		case "tasks":
			l.tasks, l.notes = true, true // task notes are loaded with the notes
		case "notes", "tags":
			l.notes = true
		}
	}
	return l
}

// from is the page's "leads WHERE where". On PostgreSQL, when the WHERE
// holds on few leads that indexes find (a rare make or plate), they are
// read in a subquery that the list's order cannot reach (OFFSET 0), then
// sorted: the planner otherwise weighs walking an index in the list's
// order, stopping at the page's end, on its estimate of the matches,
// which for a prepared statement's generic plan is no count (0.5 % of the
// leads for any make), and walks every lead of the kind when the value
// has none (TestExplainLeadKindNewestPostgres).
func (p leadPlan) from(c conn, where string) string {
	if c.pg && p.few {
		return "(SELECT * FROM leads WHERE " + where + " OFFSET 0) leads"
	}
	return "leads WHERE " + where
}
