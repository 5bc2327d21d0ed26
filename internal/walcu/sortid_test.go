package walcu_test

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"forecourt/internal/walcu"
)

// TestSortByID: every collection sorts by _id, in creation order, which
// for records created one after the other is the order of their _id
// strings (UUIDv7; a note's _id is its number); -_id is the reverse; an export sorted by _id, read in
// keyset pages of 2, answers what the list answers; _id filters with $eq,
// $in, $ne and $nin (docs/walcu.md, "sort=_id").
// byID orders _id strings: UUIDs as text, notes' numbers as numbers.
func byID(a, b string) int {
	return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b))
}

func TestSortByID(t *testing.T) {
	e := newEnv(t)
	first := e.everyCollection(t)
	// a client's phone is the dealer's once: the second client has another
	mustStatus(t, "PATCH the first client", e.es(http.MethodPatch, "clients/"+first["clients"], []any{
		map[string]any{"op": "replace", "path": "/primary_contact/phones", "value": []any{"699888000"}}}), 200)
	second := e.everyCollection(t)
	walcu.SetExportPage(t, 2, nil)
	ids := func(r resp) []string {
		var out []string
		for _, d := range r.arr() {
			out = append(out, d.(map[string]any)["_id"].(string))
		}
		return out
	}
	for coll := range first {
		limit := strconv.Itoa(walcu.LimitOf(coll))
		asc := e.list(coll, url.Values{"sort": {"_id"}, "limit": {limit}})
		mustStatus(t, coll+"?sort=_id", asc, 200)
		got := ids(asc)
		if len(got) < 2 || !slices.IsSortedFunc(got, byID) || len(slices.Compact(slices.Clone(got))) != len(got) {
			t.Errorf("%s?sort=_id: not in the order of the _id strings: %v", coll, got)
		}
		if i, j := slices.Index(got, first[coll]), slices.Index(got, second[coll]); i < 0 || j <= i {
			t.Errorf("%s?sort=_id: the first record made at %d, the second at %d", coll, i, j)
		}
		desc := e.list(coll, url.Values{"sort": {"-_id"}, "limit": {limit}})
		mustStatus(t, coll+"?sort=-_id", desc, 200)
		rev := slices.Clone(got)
		slices.Reverse(rev)
		if !slices.Equal(ids(desc), rev) {
			t.Errorf("%s?sort=-_id: %v, want %v", coll, ids(desc), rev)
		}
		// with another key first, _id breaks its ties
		if r := e.list(coll, url.Values{"sort": {"-created_at,_id"}, "limit": {"1"}}); r.code != 200 {
			t.Errorf("%s?sort=-created_at,_id: %d %s", coll, r.code, r.raw)
		}

		two := `"` + first[coll] + `", "` + second[coll] + `"`
		for q, want := range map[string][]string{
			`{"_id": "` + second[coll] + `"}`:                                                      {second[coll]},
			`{"_id": {"$eq": "` + first[coll] + `"}}`:                                              {first[coll]},
			`{"_id": {"$in": [` + two + `]}}`:                                                      {first[coll], second[coll]},
			`{"_id": {"$in": [` + two + `]}, "$nor": [{"_id": "` + first[coll] + `"}]}`:            {second[coll]},
			`{"$and": [{"_id": {"$nin": [` + two + `]}}, {"_id": {"$in": [` + two + `]}}]}`:        nil,
			`{"$and": [{"_id": {"$ne": "` + first[coll] + `"}}, {"_id": {"$in": [` + two + `]}}]}`: {second[coll]},
		} {
			r := e.list(coll, url.Values{"q": {q}, "sort": {"_id"}, "limit": {limit}})
			mustStatus(t, coll+" q="+q, r, 200)
			if !slices.Equal(ids(r), want) {
				t.Errorf("%s q=%s: %v, want %v", coll, q, ids(r), want)
			}
		}

		j := e.startExport(t, coll, url.Values{"sort": {"-_id"}})
		if n := e.runJobs(t); n != 1 {
			t.Fatalf("%s: ran %d jobs", coll, n)
		}
		e.exportEqualsList(t, coll, url.Values{"sort": {"-_id"}}, j)
	}
	// a sort by a field no index serves is still 400, naming sort
	if r := e.list("saleleads", url.Values{"sort": {"_id nosuch"}}); r.code != 400 || !strings.Contains(r.raw, `"sort`) {
		t.Errorf("sort=_id nosuch: %d %s", r.code, r.raw)
	}
}

// TestDatesByCreation: dates sort by created_at (ties by id), either way
// (migration 0041's index serves it).
func TestDatesByCreation(t *testing.T) {
	e := newEnv(t)
	lead := e.everyCollection(t)["saleleads"]
	for _, start := range []string{"2026-12-09T10:00:00Z", "2026-12-01T10:00:00Z", "2026-12-05T10:00:00Z"} {
		mustStatus(t, "POST dates", e.es(http.MethodPost, "dates", map[string]any{"lead_id": lead, "start_date": start}), 200)
	}
	var made []string
	for _, dir := range []string{"created_at", "-created_at"} {
		r := e.list("dates", url.Values{"sort": {dir}, "limit": {"1000"}})
		mustStatus(t, "dates?sort="+dir, r, 200)
		var at, ids []string
		for _, d := range r.arr() {
			m := d.(map[string]any)
			at, ids = append(at, m["created_at"].(string)), append(ids, m["_id"].(string))
		}
		if dir == "-created_at" {
			slices.Reverse(at)
			slices.Reverse(ids)
		}
		if len(at) < 4 || !slices.IsSorted(at) {
			t.Errorf("dates?sort=%s: created_at %v", dir, at)
		}
		if made == nil {
			made = ids
		} else if !slices.Equal(ids, made) {
			t.Errorf("dates?sort=-created_at is not the reverse of sort=created_at: %v, %v", ids, made)
		}
		// the three made last, whose start dates are out of order, in the order made
		if last := ids[len(ids)-3:]; !slices.IsSortedFunc(last, byID) {
			t.Errorf("dates?sort=%s: the last three made %v", dir, last)
		}
	}
}
