package store

import "strconv"

// A search term of a lead list also finds the leads whose vehicle is
// linked to a stock car (vehicles.record_id, migration 0040), or for an
// after-sale lead to the client's own vehicle (0045), whose plate
// or VIN holds the term (a substring, case aside), as the car's own search
// finds it: resolved when the query is built, through the link, rather
// than copied into each lead's search text. A change of the car's plate
// or VIN, a relinked lead or a deleted car is then found (or not) at once
// and costs no rewrite of the car's leads; the price is this lookup, one
// arm of leadRefs' query per term, over the dealer's stock cars that some
// lead is linked to (docs/walcu.md, "WQL").
//
// The leads found are listed by id (the term's "id IN (…)" arm, which
// both engines read by the primary key, OR-ed with the trigram index's
// matches); past maxCarLeads of them, the arm is the lookup itself, read
// for each candidate lead (a term found in the plates of that many leads'
// cars says little: "zzz" of most European VINs).

// Only a word that could be part of a plate or VIN is looked up: 3
// characters or more (shorter ones are in most plates, and say nothing),
// ASCII letters, digits and '-' (a name with an accent, an e-mail, a
// phone written with '+' are not). The look-up costs ~0.4 ms of CPU per
// word on SQLite for a dealer with 2,000 stock cars
// (BenchmarkSearchWithStockCars).
func carWord(term string) bool {
	if len(term) < minTrigram {
		return false
	}
	for _, r := range term {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// maxCarLeads bounds the leads of a term's cars listed by id.
const maxCarLeads = 1000

// carRefsArm is leadRefs' arm of the leads whose stock car's plate or VIN
// holds the term: kind 'c', the lead's id, at most maxCarLeads + 1 of
// them (one more tells there are more). Its arguments: carRefsArgs.
func carRefsArm(pg bool, dealers int) string {
	return ` UNION ALL SELECT 'c', id FROM (SELECT l.id FROM ` + carLeadsFrom(pg, dealers) + ` LIMIT ` +
		strconv.Itoa(maxCarLeads+1) + `) car_leads`
}

// carLeadsFrom is the join of the dealers' leads to their linked stock
// cars whose plate or VIN holds a pattern; its arguments: carRefsArgs.
//
// On SQLite the plate and VIN are compared by LIKE itself, which folds
// ASCII letters' case, not through unicode_lower (lower()): that Go
// function called for each of the dealer's 2,000 stock cars, twice, cost
// ~3 ms of CPU per search word (BenchmarkSearchWithStockCars). Plates and
// VINs are ASCII (a VIN's letters are A–Z); a plate with other letters is
// found by them as written.
func carLeadsFrom(pg bool, dealers int) string {
	l := func(col string) string {
		if pg {
			return lower(pg, col) + ` LIKE ? ESCAPE '\'`
		}
		return col + ` LIKE ? ESCAPE '\'`
	}
	// CROSS JOIN: SQLite keeps this order (the dealer's stock cars first,
	// not every linked vehicle of the table); PostgreSQL plans it as a
	// join.
	return `vehicle_records r CROSS JOIN vehicles v CROSS JOIN leads l
		WHERE r.dealer_id IN ` + in(dealers) + ` AND r.kind IN ('stock', 'owned') AND (` + l("r.plate") + ` OR ` + l("r.vin") + `)
		AND v.record_id = r.id AND l.vehicle_id = v.id AND l.dealer_id IN ` + in(dealers)
}

func carRefsArgs(dealers []int64, pattern string) []any {
	return append(append(anys(dealers), pattern, pattern), anys(dealers)...)
}

// carArm is the condition on a lead's row that r's cars add to a term.
func (r leadTermRefs) carArm(pg bool, dealers []int64) (string, []any) {
	switch {
	case r.carPattern != "":
		return "id IN (SELECT l.id FROM " + carLeadsFrom(pg, len(dealers)) + ")", carRefsArgs(dealers, r.carPattern)
	case len(r.carLeads) > 0:
		return "id IN " + in(len(r.carLeads)), anys(r.carLeads)
	}
	return "", nil
}

// addCarLead records lead id found by term's cars (pattern its LIKE
// pattern); past maxCarLeads, the lookup itself.
func (r *leadTermRefs) addCarLead(id int64, pattern string) {
	if r.carPattern != "" {
		return
	}
	if len(r.carLeads) == maxCarLeads {
		r.carLeads, r.carPattern = nil, pattern
		return
	}
	r.carLeads = append(r.carLeads, id)
}
