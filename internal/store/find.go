package store

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"forecourt/internal/core"
)

// leadSortColumns maps core.LeadSortFields to columns of leads. Every one
// has an index (dealer_id, column, id).
var leadSortColumns = map[string]string{
	core.SortID:         "id",
	core.SortCreated:    "created_at",
	core.SortUpdated:    "updated_at",
	core.SortStage:      "stage_rank", // lifecycle order, not alphabetical
	core.SortScore:      "score",
	core.SortUser:       "user_id",
	core.SortFinished:   "finished_at",
	core.SortDealer:     "dealer_id",
	core.SortSource:     "source_id",
	core.SortClientName: "client_name", // lower-cased
}

// nullableSort are the sort columns that may be NULL: both engines put NULL
// lowest (SQLite does by itself; PostgreSQL is told, matching its indexes).
var nullableSort = map[string]bool{"user_id": true, "finished_at": true}

// FindLeads implements core.Store.FindLeads.
//
// Search is split into terms on whitespace and commas (searchTerms), and
// every term must match, case aside, a substring of the client's name,
// phone (as given, E.164, or digits alone) or e-mail, of the vehicle's
// brand_model or of a tag, or the lead's id when it is a number.
// ClientPhoneContains matches the phone the same way, as one string.
//
// The hot path, one dealer in the default order with a text filter, reads
// only the covering index leads_dealer_created on SQLite (see
// TestExplainFindLeads): the page's ids walk it newest first and stop at the
// page's end; the count scans it once, and is skipped when the page came out
// short, since the page then tells the total. The page is then loaded with a
// constant number of queries (loadLeads).
func (s *Store) FindLeads(ctx context.Context, f core.LeadFilter) ([]core.Lead, int, error) {
	return s.findLeads(ctx, f, true)
}

// findLeads is FindLeads, with the walk of many matches (walkMatches)
// allowed or not: tests compare its pages with the trigram index's.
func (s *Store) findLeads(ctx context.Context, f core.LeadFilter, walk bool) ([]core.Lead, int, error) {
	if len(f.DealerIDs) == 0 {
		return nil, 0, nil
	}
	c := s.reader(ctx)
	where, args, matched := leadWhere(c, f)
	order, err := leadOrder(c.pg, f.Sort, false)
	if err != nil {
		return nil, 0, err
	}
	offset := max(f.Page.Offset, 0)
	var out []core.Lead
	var total int
	err = s.readTx(ctx, func(c conn) error {
		counted := false
		pageWhere := where
		if matched {
			// The trigram index counts matches at the cost of the matches,
			// and the count decides how to get the page.
			var err error
			if q, qargs, ok := leadCountByIndex(c, f); ok {
				total, err = c.count(q, qargs...)
			} else {
				total, err = c.count(`SELECT count(*) FROM leads WHERE `+where, args...)
			}
			if err != nil {
				return err
			}
			counted = true
			if total <= s.opt.manyMatches && !c.pg {
				// Few matches: sort them rather than walk an index of the
				// dealer's leads looking for them. "+col" keeps SQLite off
				// every index but the rowid (where starts with dealer_id).
				order, _ = leadOrder(c.pg, f.Sort, true)
				pageWhere = "+" + where
			}
		}
		var ids []int64
		walked := false
		if walk && counted && total > s.opt.manyMatches && f.Page.Limit > 0 && offset < total {
			var err error
			if ids, walked, err = s.walkMatches(c, f, order, total); err != nil {
				return err
			}
		}
		if !walked && f.Page.Limit != 0 && (!counted || offset < total) {
			limit, largs := c.page(f.Page)
			var err error
			if ids, err = queryIDs(c, `SELECT id FROM leads WHERE `+pageWhere+order+limit, append(slices.Clip(args), largs...)); err != nil {
				return err
			}
		}
		switch {
		case counted:
		case f.Page.Limit != 0 && (f.Page.Limit < 0 || len(ids) < f.Page.Limit) && (len(ids) > 0 || offset == 0):
			// A short page tells the total.
			total = offset + len(ids)
		default:
			var err error
			if total, err = c.count(`SELECT count(*) FROM leads WHERE `+where, args...); err != nil {
				return err
			}
		}
		leads, err := loadLeads(c, ids)
		if err != nil {
			return err
		}
		byID := make(map[int64]core.Lead, len(leads))
		for _, l := range leads {
			byID[l.ID] = l
		}
		out = make([]core.Lead, 0, len(ids))
		for _, id := range ids {
			if l, ok := byID[id]; ok {
				out = append(out, l)
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, dbError(err, "find leads", "lead", "")
	}
	return out, total, nil
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

// walkMatches gets the page of a filter with many matches (total, counted
// by the trigram index) in the default order, newest first, without the
// trigram index: the dealer's newest leads are read from the covering index
// leads_dealer_created and tested row by row, as many as the density of
// matches says the page needs, twice over. Looking the terms up in the
// index instead lists every match first, ~9 ms for 5,000 of 100,000 leads;
// this reads a few hundred entries. It reports false, and the caller
// pages by the index, for several dealers, another order, a client filter,
// a page too deep for the budget, or a walk that came out short.
func (s *Store) walkMatches(c conn, f core.LeadFilter, order string, total int) ([]int64, bool, error) {
	dealers := uniq(f.DealerIDs)
	if c.pg || len(dealers) != 1 || f.ClientID != nil || s.opt.walkBudget <= 0 {
		return nil, false, nil
	}
	if def, _ := leadOrder(false, nil, false); order != def {
		return nil, false, nil
	}
	// The dealer has at most max(id) - min(id) + 1 leads.
	var span int64
	if err := c.row(dealerSpanQuery, dealers[0], dealers[0]).Scan(&span); err != nil {
		return nil, false, err
	}
	offset, limit := max(f.Page.Offset, 0), f.Page.Limit
	budget := int64(offset+limit)*span*2/int64(total) + int64(limit)
	if budget > int64(s.opt.walkBudget) {
		return nil, false, nil
	}
	query, args := walkQuery(c, f, order, budget)
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

// walkQuery is walkMatches' page query: the dealer's first budget leads in
// order from leads_dealer_created, of f's stages, and of those the ones
// whose row matches every text term, f's page of them.
func walkQuery(c conn, f core.LeadFilter, order string, budget int64) (string, []any) {
	base := []string{"dealer_id = ?"}
	args := []any{uniq(f.DealerIDs)[0]}
	if len(f.Stages) > 0 {
		base = append(base, "stage_rank IN "+in(len(f.Stages)))
		args = append(args, stageRanks(f.Stages)...)
	}
	args = append(args, budget)
	var conds []string
	for _, tf := range leadTextFilters(f) {
		cs, a := c.rowTermFilters(tf.terms, tf.byID, tf.columns)
		conds, args = append(conds, cs...), append(args, a...)
	}
	args = append(args, f.Page.Limit, max(f.Page.Offset, 0))
	return `SELECT id FROM (SELECT id, created_at, client_name, client_phone, client_email, search_text FROM leads
		WHERE ` + strings.Join(base, " AND ") + order + ` LIMIT ?) WHERE ` + strings.Join(conds, " AND ") + order + ` LIMIT ? OFFSET ?`, args
}

// leadWhere returns the WHERE condition of f on table leads (unaliased),
// and whether it looks text up in the trigram index.
func leadWhere(c conn, f core.LeadFilter) (where string, args []any, matched bool) {
	dealers := uniq(f.DealerIDs)
	conds := []string{"dealer_id IN " + in(len(dealers))}
	args = anys(dealers)
	if len(f.Stages) > 0 {
		conds = append(conds, "stage_rank IN "+in(len(f.Stages)))
		args = append(args, stageRanks(f.Stages)...)
	}
	if f.ClientID != nil {
		conds = append(conds, "client_id = ?")
		args = append(args, *f.ClientID)
	}
	for _, tf := range leadTextFilters(f) {
		cond, a, m := c.textFilter(tf.terms, tf.byID, tf.columns...)
		conds, args, matched = append(conds, cond), append(args, a...), matched || m
	}
	return strings.Join(conds, " AND "), args, matched
}

// textSpec is one text filter of a LeadFilter: every one of terms
// (lower-cased) is a substring of one of columns, or when byID a number
// term the lead's id.
type textSpec struct {
	terms   []string
	byID    bool
	columns []string
}

// leadTextFilters returns the text filters of f.
func leadTextFilters(f core.LeadFilter) []textSpec {
	var out []textSpec
	if q := strings.ToLower(strings.TrimSpace(f.ClientPhoneContains)); q != "" {
		out = append(out, textSpec{terms: []string{q}, columns: []string{"client_phone"}})
	}
	if q := strings.ToLower(strings.TrimSpace(f.ClientEmailContains)); q != "" {
		out = append(out, textSpec{terms: []string{q}, columns: []string{"client_email"}})
	}
	if terms := searchTerms(strings.ToLower(f.Search)); len(terms) > 0 {
		out = append(out, textSpec{terms: terms, byID: true, columns: leadSearchColumns})
	}
	return out
}

// leadCountByIndex returns a query counting f's leads from the trigram
// index alone, when SQLite can: f filters by dealer and by one text filter
// whose terms all go to leads_fts (3 characters or more, no number that
// could be an id). The index holds every lead's dealer (migration 0007),
// so it counts the matches without reading the leads; the newest leads,
// not in it yet, are counted row by row.
func leadCountByIndex(c conn, f core.LeadFilter) (string, []any, bool) {
	tfs := leadTextFilters(f)
	if c.pg || len(f.Stages) > 0 || f.ClientID != nil || len(tfs) != 1 {
		return "", nil, false
	}
	tf := tfs[0]
	for _, q := range tf.terms {
		if utf8.RuneCountInString(q) < minTrigram {
			return "", nil, false
		}
		if _, err := strconv.ParseInt(q, 10, 64); err == nil && tf.byID {
			return "", nil, false
		}
	}
	dealers := uniq(f.DealerIDs)
	recent, rargs := c.unindexedFilter(tf.terms, tf.byID, tf.columns)
	args := append(append([]any{ftsMatch(tf.terms, tf.columns, dealers)}, anys(dealers)...), rargs...)
	return `SELECT (SELECT count(*) FROM leads_fts WHERE leads_fts MATCH ?) + (SELECT count(*) FROM leads WHERE dealer_id IN ` +
		in(len(dealers)) + ` AND ` + recent + `)`, args, true
}

// leadSearchColumns are the columns of leads Search looks terms up in.
var leadSearchColumns = []string{"client_name", "client_phone", "client_email", "search_text"}

// pgLeadSearch is the text PostgreSQL looks Search's terms up in: the
// columns joined by spaces, the expression its trigram index
// leads_search_trgm (migration 0005) indexes, written the same. A term
// holds no whitespace (searchTerms), so it cannot match across two columns.
const pgLeadSearch = "(client_name || ' ' || client_phone || ' ' || client_email || ' ' || search_text)"

// minTrigram is the length in characters from which a term is looked up in
// a trigram index rather than tested on each row.
const minTrigram = 3

// textFilter returns the condition that every one of terms (lower-cased)
// is a substring of one of columns or, when byID and the term is a number,
// the lead's id.
//
// On SQLite the terms of 3 characters or more are looked up together in the
// trigram index leads_fts (migration 0002), in one MATCH that ANDs them and
// whose column filter names the columns; a number among them also matches
// the lead of that id when the other long terms match its text. Shorter
// terms test each row.
//
// On PostgreSQL each term is one condition: a term of 3 characters or more
// is "col LIKE '%term%'", which the trigram indexes of migration 0005 serve
// (ANDed across terms; with the id, a BitmapOr with the primary key); a
// shorter term tests each row with strpos(). Search's columns are looked up
// as one text, pgLeadSearch.
func (c conn) textFilter(terms []string, byID bool, columns ...string) (cond string, args []any, matched bool) {
	if c.pg && slices.Equal(columns, leadSearchColumns) {
		columns = []string{pgLeadSearch}
	}
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
	var alts []string
	var args []any
	for _, col := range columns {
		if c.pg && utf8.RuneCountInString(q) >= minTrigram {
			// "\" is PostgreSQL's default LIKE escape.
			alts = append(alts, col+" LIKE ?")
			args = append(args, like(q))
		} else {
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
// positions by column at a cost): a term holds no comma (searchTerms), so it
// cannot match dealer_tag, the one other column. Only a count asks for the
// dealers (leadCountByIndex): walking the dealer's entries costs ~1 ms a
// query, which a list of matches checked against leads.dealer_id saves.
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

// leadOrder returns the ORDER BY clause of sorts, ending with id so that
// pages are stable. plus writes the columns as "+col", which keeps SQLite
// from reading them in an index's order.
func leadOrder(pg bool, sorts []core.Sort, plus bool) (string, error) {
	prefix := ""
	if plus && !pg {
		prefix = "+"
	}
	if len(sorts) == 0 {
		sorts = []core.Sort{{Field: core.SortCreated, Desc: true}}
	}
	var parts []string
	hasID := false
	for _, srt := range sorts {
		col, ok := leadSortColumns[srt.Field]
		if !ok {
			return "", &core.Error{Code: core.Invalid, Message: "invalid sort", Fields: map[string]string{"sort": core.MsgInvalidChoice}}
		}
		dir := " ASC"
		if srt.Desc {
			dir = " DESC"
		}
		if pg && nullableSort[col] {
			if srt.Desc {
				dir += " NULLS LAST"
			} else {
				dir += " NULLS FIRST"
			}
		}
		parts = append(parts, prefix+col+dir)
		if col == "id" {
			hasID = true
			break
		}
	}
	if !hasID {
		dir := " ASC"
		if sorts[len(sorts)-1].Desc {
			dir = " DESC"
		}
		parts = append(parts, prefix+"id"+dir)
	}
	return " ORDER BY " + strings.Join(parts, ", "), nil
}
