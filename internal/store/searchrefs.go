package store

import "strings"

// A search term that names one of the dealers' users or sources also
// matches the leads assigned to that user or from that source (leadRefs).
// Such a term keeps the trigram index's shortcuts (countByIndex,
// walkMatches): the leads its records add are listed by leads_dealer_user
// and leads_dealer_source, once per statement, and a lead matches the term
// by its text or by being in that list. A term that names a fuel or a
// place leaves the query to plain SQL: the leads of a fuel or a province
// have no index to list them by.
//
// Why: the demo's and a dealer's advisors bear common surnames, so 6 of the
// 20 surnames fcload searches for named a user of the demo dealer and each
// took the plain path, sorting all ~5,000 matches for a page and counting
// them by probing leads_dealer_id (60–190 ms a search on 100,000 leads,
// against ~5 ms for the others): those searches made SML's p99.

// byIndexes reports whether r's records are only sources and users, whose
// leads the indexes leads_dealer_source and leads_dealer_user list.
func (r leadTermRefs) byIndexes() bool {
	return len(r.provinces) == 0 && len(r.localities) == 0 && len(r.fuels) == 0 && len(r.carLeads) == 0 && r.carPattern == ""
}

// plus returns the records of r and o together.
func (r leadTermRefs) plus(o leadTermRefs) leadTermRefs {
	return leadTermRefs{sources: append(r.sources[:len(r.sources):len(r.sources)], o.sources...),
		users: append(r.users[:len(r.users):len(r.users)], o.users...)}
}

// refLeads returns the condition that a lead of dealers is one that r's
// sources and users add to a term: an "id IN (…)" list read by their
// indexes; "" when r is empty.
func (r leadTermRefs) refLeads(pg bool, dealers []int64) (string, []any) {
	arms, args := r.arms(pg, dealers)
	if len(arms) == 0 {
		return "", nil
	}
	return "id IN (SELECT id FROM leads WHERE dealer_id IN " + in(len(dealers)) + " AND (" + strings.Join(arms, " OR ") + "))",
		append(anys(dealers), args...)
}

// rowFilters returns, for each term of tf, the condition that a lead of
// dealers matches it, tested on the lead's row: its text (termFilter) or,
// when the term names users or sources, its being one of theirs.
func (c conn) rowFilters(tf textSpec, dealers []int64) (conds []string, args []any) {
	for i, q := range tf.terms {
		cond, a := c.termFilter(q, tf.byID, tf.columns)
		if i < len(tf.refs) {
			if ref, ra := tf.refs[i].refLeads(c.pg, dealers); ref != "" {
				cond, a = "("+cond+" OR "+ref+")", append(a, ra...)
			}
		}
		conds, args = append(conds, cond), append(args, a...)
	}
	return conds, args
}

// refsOnly returns the count of countByIndex's leads that the trigram
// index does not count, the leads of dealers that match tf only through a
// term's users or sources: indexed (up to the mark of migration 0006), in
// one of the terms' lists, not holding every term in their text, and
// matching every term by its text or its list. "" when no term names a
// record.
func (c conn) refsOnly(tf textSpec, dealers []int64) (string, []any) {
	var all leadTermRefs
	for _, r := range tf.refs {
		all = all.plus(r)
	}
	list, args := all.refLeads(c.pg, dealers)
	if list == "" {
		return "", nil
	}
	text, targs := c.rowTermFilters(tf.terms, tf.byID, tf.columns)
	match, margs := c.rowFilters(tf, dealers)
	args = append(append(args, targs...), margs...)
	return `SELECT count(*) FROM leads WHERE ` + list + ` AND id <= (SELECT indexed_upto FROM lead_search_state) AND NOT (` +
		strings.Join(text, " AND ") + `) AND ` + strings.Join(match, " AND "), args
}
