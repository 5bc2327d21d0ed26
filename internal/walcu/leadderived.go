package walcu

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"

	"forecourt/internal/core"
)

// The computed fields of a lead that come from its history and its
// tasks' extensions, and its total price (docs/walcu.md, "Every computed
// field"): previous_assigned_to, tasks_assigned_to, tasks[].assigned_to,
// total_price_of_lead. Read with the page's context: one query for the
// page's previous assignees, one for its tasks' extensions (none when the
// page has no task).

// leadDerived is what a page's leads' history and tasks come to.
type leadDerived struct {
	previous map[int64][]int64 // by lead: the users it was assigned to before
	notifyTo map[int64][]any   // by task: notification.notify_to written here
}

// readLeadDerived reads the leadDerived of a page of leads.
func (b *leadBackend) readLeadDerived(r *request, ls []core.Lead) (leadDerived, error) {
	out := leadDerived{notifyTo: map[int64][]any{}}
	var leads, tasks []int64
	for _, l := range ls {
		leads = append(leads, l.ID)
		for _, t := range l.Tasks {
			tasks = append(tasks, t.ID)
		}
	}
	var err error
	if out.previous, err = r.svc.PreviousAssignees(r.ctx, r.dealer.ID, leads); err != nil {
		return out, err
	}
	x := itemExt{svc: b.svc, name: "walcu.tasks"}
	for part := range slices.Chunk(tasks, core.MaxQueryValues) {
		exts, err := x.many(r, part)
		if err != nil {
			return out, err
		}
		for id, d := range exts {
			body, err := extBody(&d)
			if err != nil {
				return out, err
			}
			for _, u := range asList(at(body, "notification", "notify_to")) {
				if s, ok := u.(string); ok && s != "" && !slices.Contains(out.notifyTo[id], any(s)) {
					out.notifyTo[id] = append(out.notifyTo[id], s)
				}
			}
		}
	}
	return out, nil
}

// users are the ids of the users the page's previous assignees are.
func (d leadDerived) users() []int64 {
	var out []int64
	for _, us := range d.previous {
		out = append(out, us...)
	}
	return out
}

// fill sets on lead l's computed c its previous assignees (its current
// one left out), the users its tasks are assigned to (each task's
// assigned_to; tasks_assigned_to: those of its pending tasks, each once).
func (d leadDerived) fill(c doc, l core.Lead, users map[int64]any) {
	prev := []any{}
	for _, id := range d.previous[l.ID] {
		if u := users[id]; u != nil && (l.UserID == nil || *l.UserID != id) {
			prev = append(prev, u)
		}
	}
	c["previous_assigned_to"] = prev
	pending := []any{}
	tasks, _ := c["tasks"].([]any)
	for i, t := range l.Tasks {
		to := slices.Clone(d.notifyTo[t.ID])
		if to == nil {
			to = []any{}
		}
		if i < len(tasks) {
			if e, ok := tasks[i].(doc); ok {
				e["assigned_to"] = to
			}
		}
		if !t.Done {
			for _, u := range to {
				if !slices.Contains(pending, u) {
					pending = append(pending, u)
				}
			}
		}
	}
	c["tasks_assigned_to"] = pending
}

// totalPrice is a lead document's total_price_of_lead: for a salelead
// the sum of its cars' prices (computed.car_list's, the stock car's
// current price where car_id names one) times their quantity (1 when not
// given); for an aftersalelead the sum of its investments' costs; null
// when none has a number.
func (b *leadBackend) totalPrice(d doc) any {
	var sum float64
	found := false
	add := func(v any, times float64) {
		if n, ok := v.(json.Number); ok {
			if f, err := n.Float64(); err == nil {
				sum += f * times
				found = true
			}
		}
	}
	switch b.kind {
	case core.LeadSale:
		cars := asList(d["car_list"])
		for i, e := range asList(at(d, "computed", "car_list")) {
			q := 1.0
			if i < len(cars) {
				if n, ok := at(cars[i], "car", "quantity").(json.Number); ok {
					if f, err := n.Float64(); err == nil && f > 0 {
						q = f
					}
				}
			}
			add(at(e, "price"), q)
		}
	case core.LeadAftersale:
		for _, e := range asList(d["investments"]) {
			add(at(e, "cost"), 1)
		}
	default:
		return nil
	}
	if !found || math.IsInf(sum, 0) || math.IsNaN(sum) { // prices times quantities past a double's range: no number
		return nil
	}
	return json.Number(strconv.FormatFloat(sum, 'f', -1, 64))
}
