package store

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"forecourt/internal/core"
)

// This file holds the lead list's text filters and the shortcuts the
// trigram index allows on SQLite. They are optimisations chosen when a
// query's shape matches (leadPlan.shape), each compared with the plain
// path in tests (TestWalkMatches, TestSearchCountsByDealer): the leads a
// query selects are those of its SQL conditions either way.

// textSpec is one text filter of a lead list: every one of terms
// (lower-cased) is a substring of one of columns, or when byID a number
// term the lead's id.
type textSpec struct {
	terms   []string
	byID    bool
	columns []string
	refs    []leadTermRefs // per term, the users and sources it names (searchrefs.go)
}

// leadSearchColumns are the columns of leads a search looks terms up in.
var leadSearchColumns = []string{"client_name", "client_phone", "client_email", "search_text"}

// pgLeadSearch is the text PostgreSQL looks a search's terms up in: the
// columns joined by spaces, the expression its trigram index
// leads_search_trgm (migration 0005) indexes, written the same. A term
// holds no whitespace (core.SearchTerms), so it cannot match across two
// columns.
const pgLeadSearch = "(client_name || ' ' || client_phone || ' ' || client_email || ' ' || search_text)"

// pgSearchHolds says whether col is one of the columns pgLeadSearch joins
// other than the whole: a term of col is then also a term of the search
// text, whose trigram index (leads_search_trgm) serves it. Migration 0033
// dropped the trigram indexes of client_phone and client_email, which
// cost PostgreSQL about one sixth of its CPU per new lead
// (docs/benchmarks.md, "Fewer indexes and statements per lead").
func pgSearchHolds(col string) bool {
	return col != pgLeadSearch && slices.Contains(leadSearchColumns, col)
}

// minTrigram is the length in characters from which a term is looked up in
// a trigram index rather than tested on each row.
const minTrigram = 3

// leadMatch compiles a search of the leads of dealers for terms. A term
// that names a source, user or place (refs) also matches the leads that
// refer to it: the term is then its own "id IN (…)" list of the trigram
// index's matches, the leads referring to those records (read by the
// indexes on dealer_id and source_id or user_id) and the unindexed leads
// matching it. Otherwise every term goes to textFilter at once.
func (c conn) leadMatch(dealers []int64, terms []string, refs map[string]leadTermRefs) (string, []any, bool) {
	plain := true
	for _, t := range terms {
		plain = plain && refs[t].empty()
	}
	if plain {
		return c.textFilter(terms, true, leadSearchColumns...)
	}
	var conds []string
	var args []any
	matched := false
	for _, t := range terms {
		arms, aargs := refs[t].arms(c.pg, dealers)
		if len(arms) == 0 {
			cond, a, m := c.textFilter([]string{t}, true, leadSearchColumns...)
			conds, args, matched = append(conds, cond), append(args, a...), matched || m
			continue
		}
		refCond := "(" + strings.Join(arms, " OR ") + ")"
		if c.pg || utf8.RuneCountInString(t) < minTrigram {
			cond, a := c.termFilter(t, true, leadSearchColumns)
			conds = append(conds, "("+cond+" OR "+refCond+")")
			args = append(append(args, a...), aargs...)
			continue
		}
		cond, a := ftsIndexed([]string{t}, true, leadSearchColumns)
		recent, ra := c.unindexedFilter([]string{t}, true, leadSearchColumns)
		conds = append(conds, cond+" UNION ALL SELECT id FROM leads WHERE dealer_id IN "+in(len(dealers))+" AND "+refCond+
			" UNION ALL SELECT id FROM leads WHERE "+recent+")")
		args = append(append(append(append(args, a...), anys(dealers)...), aargs...), ra...)
		matched = true
	}
	return strings.Join(conds, " AND "), args, matched
}

// textFilter returns the condition that every one of terms (lower-cased)
// is a substring of one of columns or, when byID and the term is a number,
// the lead's id, and whether it reads the trigram index.
//
// On SQLite the terms of 3 characters or more are looked up together in the
// trigram index leads_fts (migration 0002), in one MATCH that ANDs them and
// whose column filter names the columns; a number among them also matches
// the lead of that id when the other long terms match its text. Shorter
// terms test each row.
//
// On PostgreSQL each term is one condition: a term of 3 characters or more
// is "col LIKE '%term%'", which the trigram index of migration 0005 serves
// (ANDed across terms; with the id, a BitmapOr with the primary key); a
// shorter term tests each row with strpos(). Search's columns are looked up
// as one text, pgLeadSearch; one of them alone (the client's phone or
// e-mail) as that text and the column (pgSearchHolds).
func (c conn) textFilter(terms []string, byID bool, columns ...string) (cond string, args []any, matched bool) {
	var conds []string
	var long []string
	for _, q := range terms {
		if utf8.RuneCountInString(q) >= minTrigram && !c.pg {
			long = append(long, q)
			continue
		}
		cond, a := c.termFilter(q, byID, columns)
		conds, args = append(conds, cond), append(args, a...)
	}
	if len(long) > 0 {
		// The index condition comes first: SQLite drives by it.
		ftsCond, ftsArgs := c.ftsFilter(long, byID, columns)
		conds, args = append([]string{ftsCond}, conds...), append(ftsArgs, args...)
		matched = true
	}
	return strings.Join(conds, " AND "), args, matched
}

// termFilter returns the condition that term q is a substring of one of
// columns or, when byID and q is a number, the lead's id, tested on each
// row (on PostgreSQL, by its trigram indexes when q is long enough).
func (c conn) termFilter(q string, byID bool, columns []string) (string, []any) {
	if c.pg && slices.Equal(columns, leadSearchColumns) {
		columns = []string{pgLeadSearch}
	}
	var alts []string
	var args []any
	for _, col := range columns {
		switch {
		case c.pg && utf8.RuneCountInString(q) >= minTrigram && pgSearchHolds(col):
			// The search text holds col: the index of the search text
			// finds the candidates, col's own condition keeps exactly
			// the rows it held before (migration 0033).
			alts = append(alts, "("+pgLeadSearch+" LIKE ? AND "+col+" LIKE ?)")
			args = append(args, like(q), like(q))
		case c.pg && utf8.RuneCountInString(q) >= minTrigram:
			// "\" is PostgreSQL's default LIKE escape.
			alts = append(alts, col+" LIKE ?")
			args = append(args, like(q))
		default:
			alts = append(alts, c.contains(col))
			args = append(args, q)
		}
	}
	if id, err := strconv.ParseInt(q, 10, 64); err == nil && byID {
		alts = append(alts, "id = ?")
		args = append(args, id)
	}
	return "(" + strings.Join(alts, " OR ") + ")", args
}

// ftsFilter returns the condition that every one of terms (of 3 characters
// or more) is in one of columns by leads_fts, or when byID and a term is a
// number, that the lead has that id and the other terms in its text. The
// leads leads_fts does not hold yet, those above the mark of migration
// 0006, are tested row by row: at most a few hundred of the newest.
//
// It is one "id IN (…)" list, the arms of a UNION ALL, so that SQLite
// keeps driving by it (an OR of the two would walk the dealer's leads).
func (c conn) ftsFilter(terms []string, byID bool, columns []string) (string, []any) {
	cond, args := ftsIndexed(terms, byID, columns)
	recent, rargs := c.unindexedFilter(terms, byID, columns)
	return cond + " UNION ALL SELECT id FROM leads WHERE " + recent + ")", append(args, rargs...)
}

// unindexedFilter returns the condition that a lead is not in leads_fts
// yet (above the mark of migration 0006) and matches every one of terms,
// tested on its row by termFilter.
func (c conn) unindexedFilter(terms []string, byID bool, columns []string) (string, []any) {
	conds, args := c.rowTermFilters(terms, byID, columns)
	return strings.Join(append([]string{"id > (SELECT indexed_upto FROM lead_search_state)"}, conds...), " AND "), args
}

// rowTermFilters returns termFilter's condition for each of terms, to AND:
// the terms tested on each row, as the leads not in leads_fts yet and the
// walk of many matches (walkMatches) test them.
func (c conn) rowTermFilters(terms []string, byID bool, columns []string) (conds []string, args []any) {
	for _, q := range terms {
		cond, a := c.termFilter(q, byID, columns)
		conds, args = append(conds, cond), append(args, a...)
	}
	return conds, args
}

// ftsIndexed is the start of ftsFilter's condition, on the leads in
// leads_fts, without its closing parenthesis.
func ftsIndexed(terms []string, byID bool, columns []string) (string, []any) {
	cond := "id IN (SELECT rowid FROM leads_fts WHERE leads_fts MATCH ?"
	args := []any{ftsMatch(terms, columns, nil)}
	if byID {
		for i, q := range terms {
			id, err := strconv.ParseInt(q, 10, 64)
			if err != nil {
				continue
			}
			others := slices.Concat(terms[:i], terms[i+1:])
			if len(others) == 0 {
				cond += " UNION ALL SELECT ?"
				args = append(args, id)
				continue
			}
			cond += " UNION ALL SELECT rowid FROM leads_fts WHERE rowid = ? AND leads_fts MATCH ?"
			args = append(args, id, ftsMatch(others, columns, nil))
		}
	}
	return cond, args
}

// ftsMatch returns the FTS5 query matching the leads that hold every one
// of terms, each in one of columns, {columns} : ("a" AND "b"), and when
// dealers are given that belong to one of them:
// {dealer_tag} : (",1," OR ",2,") AND {columns} : ("a" AND "b").
// With every search column the column filter is left out (FTS5 filters
// positions by column at a cost): a term holds no comma (core.SearchTerms),
// so it cannot match dealer_tag, the one other column. Only a count asks
// for the dealers (countByIndex): walking the dealer's entries costs ~1 ms
// a query, which a list of matches checked against leads.dealer_id saves.
func ftsMatch(terms []string, columns []string, dealers []int64) string {
	phrases := make([]string, len(terms))
	for i, q := range terms {
		phrases[i] = `"` + strings.ReplaceAll(q, `"`, `""`) + `"`
	}
	match := strings.Join(phrases, " AND ")
	if len(terms) > 1 {
		match = "(" + match + ")"
	}
	if len(columns) < len(leadSearchColumns) {
		match = "{" + strings.Join(columns, " ") + "} : " + match
	}
	if len(dealers) == 0 {
		return match
	}
	tags := make([]string, len(dealers))
	for i, d := range dealers {
		tags[i] = `",` + strconv.FormatInt(d, 10) + `,"`
	}
	return "{dealer_tag} : (" + strings.Join(tags, " OR ") + ") AND " + match
}

// countByIndex returns a query counting the plan's leads from the trigram
// index alone, when SQLite can: a shape of one text filter whose terms
// all go to leads_fts (3 characters or more, no number that could be an
// id), with no stage or client. The index holds every lead's dealer
// (migration 0007), so it counts the matches without reading the leads;
// the newest leads, not in it yet, are counted row by row.
func (p leadPlan) countByIndex(c conn) (string, []any, bool) {
	sh := p.shape
	if c.pg || sh == nil || sh.stages != nil || sh.client != nil || len(sh.texts) != 1 {
		return "", nil, false
	}
	tf := sh.texts[0]
	for _, q := range tf.terms {
		if utf8.RuneCountInString(q) < minTrigram {
			return "", nil, false
		}
		if _, err := strconv.ParseInt(q, 10, 64); err == nil && tf.byID {
			return "", nil, false
		}
	}
	recent, rargs := c.rowFilters(tf, p.dealers)
	args := append(append([]any{ftsMatch(tf.terms, tf.columns, p.dealers)}, anys(p.dealers)...), rargs...)
	q := `SELECT (SELECT count(*) FROM leads_fts WHERE leads_fts MATCH ?) + (SELECT count(*) FROM leads WHERE dealer_id IN ` +
		in(len(p.dealers)) + ` AND ` + strings.Join(append([]string{"id > (SELECT indexed_upto FROM lead_search_state)"}, recent...), " AND ") + `)`
	if refs, refArgs := c.refsOnly(tf, p.dealers); refs != "" {
		q, args = q+` + (`+refs+`)`, append(args, refArgs...)
	}
	return q, args, true
}

// defaultManyMatches is the number of matches of the trigram index up to
// which FindLeads sorts the matching leads instead of walking the order's
// index: past it matches are dense enough that the walk stops early
// (WithManyMatches changes it, so that tests reach past it with fewer
// leads).
const defaultManyMatches = 2000

// defaultWalkBudget bounds the leads walkMatches tests row by row for one
// page (WithWalkBudget).
const defaultWalkBudget = 4000

// walkMatches gets the page of a query with many matches (total, counted by the
// trigram index) in the default order, newest first, without the trigram
// index: the dealer's newest leads are read from the covering index
// leads_dealer_created and tested row by row, as many as the density of
// matches says the page needs, twice over. Looking the terms up in the
// index instead lists every match first, ~9 ms for 5,000 of 100,000 leads;
// this reads a few hundred entries. It reports false, and the caller pages
// by the index, for another shape, several dealers, another order, a
// client filter, a page too deep for the budget, or a walk that came out
// short.
func (s *Store) walkMatches(c conn, p leadPlan, q core.Query, order string, total int) ([]int64, bool, error) {
	sh := p.shape
	if c.pg || sh == nil || len(p.dealers) != 1 || sh.client != nil || s.opt.walkBudget <= 0 {
		return nil, false, nil
	}
	if order != c.orderBy(&leadTable, nil, false) {
		return nil, false, nil
	}
	// The dealer has at most max(id) - min(id) + 1 leads.
	var span int64
	if err := c.row(dealerSpanQuery, p.dealers[0], p.dealers[0]).Scan(&span); err != nil {
		return nil, false, err
	}
	offset, limit := max(q.Offset, 0), q.Limit
	budget := int64(offset+limit)*span*2/int64(total) + int64(limit)
	if budget > int64(s.opt.walkBudget) {
		return nil, false, nil
	}
	query, args := p.walkQuery(c, order, budget, offset, limit)
	ids, err := queryIDs(c, query, args)
	if err != nil {
		return nil, false, err
	}
	// A full page, or the last one with every match counted: the walk read
	// all the matches up to it.
	if len(ids) == limit || offset+len(ids) == total {
		s.walkedPages.Add(1)
		return ids, true, nil
	}
	return nil, false, nil
}

// stageRanks returns the stage_rank values of stages.
func stageRanks(stages []core.Stage) []any {
	ranks := make([]any, 0, len(stages))
	for _, st := range stages {
		ranks = append(ranks, stageRank(st))
	}
	return ranks
}

// dealerSpanQuery returns max(id) - min(id) + 1 of a dealer's leads (the
// dealer id twice): two probes of leads_dealer_id. In one SELECT, min and
// max would scan the dealer's leads (TestExplainFindLeads).
const dealerSpanQuery = `SELECT coalesce((SELECT max(id) FROM leads WHERE dealer_id = ?) - (SELECT min(id) FROM leads WHERE dealer_id = ?) + 1, 0)`

// walkQuery is walkMatches' page query: the dealer's first budget leads in order
// from leads_dealer_created, of the shape's stages, and of those the ones
// whose row matches every text term, the page of them.
func (p leadPlan) walkQuery(c conn, order string, budget int64, offset, limit int) (string, []any) {
	base := []string{"dealer_id = ?"}
	args := []any{p.dealers[0]}
	if sh := p.shape; len(sh.stages) > 0 {
		base = append(base, "stage_rank IN "+in(len(sh.stages)))
		args = append(args, stageRanks(sh.stages)...)
	}
	args = append(args, budget)
	conds := []string{"1 = 1"}
	for _, tf := range p.shape.texts {
		cs, a := c.rowFilters(tf, p.dealers)
		conds, args = append(conds, cs...), append(args, a...)
	}
	args = append(args, limit, offset)
	return `SELECT id FROM (SELECT id, created_at, client_name, client_phone, client_email, search_text FROM leads
		WHERE ` + strings.Join(base, " AND ") + order + ` LIMIT ?) WHERE ` + strings.Join(conds, " AND ") + order + ` LIMIT ? OFFSET ?`, args
}
