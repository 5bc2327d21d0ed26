package walcu_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// FuzzListQuery: any q and search, on the core's leads and on documents,
// answers 200 with an array or 400 in the error shape: never a 500, never
// a panic. Each input runs through the parsers, the core's query check
// and the store's SQL on SQLite (PostgreSQL when the tests run on it).
func FuzzListQuery(f *testing.F) {
	e := newEnv(f)
	for _, s := range []struct{ q, search string }{
		{`{"status.status": "new"}`, ""},
		{`{"status.status": {"$in": ["new", "tracing"]}, "created_at": {"$gte": "2026-01-01"}}`, "seat"},
		{`{"$or": [{"inquiry": {"$regex": "le"}}, {"client_id": {"$exists": true}}]}`, `status.status:new AND "León"`},
		{`{"$and": [{"$not": {"__v": {"$gt": 1}}}], "_id": {"$nin": ["a"]}}`, `-created_at:>=2026-01-01 OR (x y)`},
		{`{"make": "SEAT", "equipment.price": {"$lte": 100}}`, "make:~seat price:>10"},
		{`{"origin.medium": {"$ne": "fax"}, "car_list.car.license_plate": {"$in": ["1234ABC"]}, "cost": {"$gt": 1}}`,
			`notification.notify_at:<2026-12-01 custom:~vip`}, // fields kept in the lead's Ext
		{`{"status": "new"}`, `status:new AND car.make:seat`},                               // WQL's shorthands (q has none)
		{`{"car.make": "Seat"}`, `-status.substatus:sale,lost car.year:>2020 -car.x:1 -:x`}, // and a shorthand to no field
		{`{"a": {"$foo": 1}}`, `"unterminated`},
		{`[1]`, `((((`},
	} {
		f.Add(s.q, s.search, false)
		f.Add(s.q, s.search, true)
	}
	f.Fuzz(func(t *testing.T, q, search string, docs bool) {
		coll := "saleleads"
		if docs {
			coll = "cars"
		}
		v := url.Values{}
		if q != "" {
			v.Set("q", q)
		}
		if search != "" {
			v.Set("search", search)
		}
		r := httptest.NewRequest(http.MethodGet, "/dealers/"+e.dealer+"/"+coll+"?"+v.Encode(), nil)
		r.Header.Set("Authorization", "Bearer "+e.esKey)
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, r)
		var body any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("q %q search %q: %d, not JSON: %s", q, search, rec.Code, rec.Body)
		}
		switch rec.Code {
		case http.StatusOK:
			if _, ok := body.([]any); !ok {
				t.Fatalf("q %q search %q: 200 without an array: %s", q, search, rec.Body)
			}
		case http.StatusBadRequest:
			if m, _ := body.(map[string]any); m["error"] != "invalid" || m["message"] == "" {
				t.Fatalf("q %q search %q: 400 not in the error shape: %s", q, search, rec.Body)
			}
		default:
			t.Fatalf("q %q search %q: %d %s", q, search, rec.Code, rec.Body)
		}
	})
}

// FuzzQueryForms: any query string, with q and group_by in the forms an
// OpenAPI or Express client sends (queryform.go: q[…], group_by[…], a
// field's name), answers 200 with an array or 400 in the error shape,
// never a 500 or a panic.
func FuzzQueryForms(f *testing.F) {
	e := newEnv(f)
	for _, s := range []string{
		"q[status.status]=new", "status.status=new&limit=2", "q[status.status][$in][]=new&q[status.status][$in][]=end",
		"q[$or][0][status.status]=new&q[$or][1][inquiry][$regex]=a", "group_by[_id]=status.status", "group_by[k]=$origin.medium",
		"q[created_at][$gte]=2026-01-01&q[created_at][$lt]=x", "year=2020&q[make][$exists]=true", "q[a][0][1]=&q[]=x",
		"q[[x]]=1", "q]=1", "q[x]]=1&group_by[]=a", "published=true&q[price][$gt]=1e400",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, query string, docs bool) {
		coll := "saleleads"
		if docs {
			coll = "cars"
		}
		r, err := http.NewRequest(http.MethodGet, "/dealers/"+e.dealer+"/"+coll, nil)
		if err != nil {
			t.Skip()
		}
		r.URL.RawQuery = query
		r.Header.Set("Authorization", "Bearer "+e.esKey)
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, r)
		var body any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("%q: %d, not JSON: %s", query, rec.Code, rec.Body)
		}
		switch rec.Code {
		case http.StatusOK:
			if _, ok := body.([]any); !ok {
				t.Fatalf("%q: 200 without an array: %s", query, rec.Body)
			}
		case http.StatusBadRequest:
			if m, _ := body.(map[string]any); m["error"] != "invalid" || m["message"] == "" {
				t.Fatalf("%q: 400 not in the error shape: %s", query, rec.Body)
			}
		default:
			t.Fatalf("%q: %d %s", query, rec.Code, rec.Body)
		}
	})
}
