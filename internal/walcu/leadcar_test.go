package walcu_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/demo"
	"forecourt/internal/sml"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// smlDo sends body to the SML API as the demo's admin and decodes the
// answer into out, failing unless its status is want.
func smlDo(t *testing.T, h http.Handler, token, method, target string, body any, want int, out any) {
	t.Helper()
	raw, _ := json.Marshal(body)
	r := httptest.NewRequest(method, target, strings.NewReader(string(raw)))
	r.Header.Set("Content-Type", "application/json")
	if token != "" {
		r.Header.Set("Authorization", "Token "+token)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != want {
		t.Fatalf("SML %s %s = %d %s, want %d", method, target, w.Code, w.Body, want)
	}
	if out != nil {
		if err := json.Unmarshal(w.Body.Bytes(), out); err != nil {
			t.Fatalf("SML %s %s: %v", method, target, err)
		}
	}
}

// smlLead is an SML client of e's store: create a lead, rename its
// vehicle.
type smlLead struct {
	t     *testing.T
	e     *env
	h     http.Handler
	token string
}

func newSMLLead(t *testing.T, e *env) smlLead {
	c := smlLead{t: t, e: e, h: sml.NewHandler(e.svc, sml.WithLogger(slog.New(slog.DiscardHandler)))}
	var login struct{ Token string }
	smlDo(t, c.h, "", http.MethodPost, "/api/auth/login/", map[string]any{"username": demo.AdminUsername, "password": demo.AdminPassword}, http.StatusOK, &login)
	c.token = login.Token
	return c
}

// create makes a lead of brandModel through SML and returns its Walcu _id.
func (c smlLead) create(brandModel string) string {
	c.t.Helper()
	var l struct{ ID int64 }
	smlDo(c.t, c.h, c.token, http.MethodPost, "/api/lead/", map[string]any{"source": c.e.fx.SourceIDs[core.ChannelPhone],
		"vehicle": map[string]any{"brand_model": brandModel}, "client": map[string]any{"name": "Cliente " + brandModel}}, http.StatusCreated, &l)
	return c.publicID(l.ID)
}

func (c smlLead) publicID(id int64) string {
	c.t.Helper()
	ctx, _ := c.e.admin(c.t)
	l, err := c.e.svc.FindLead(ctx, id)
	if err != nil {
		c.t.Fatal(err)
	}
	return l.PublicID
}

// rename changes the brand_model of the lead of Walcu _id through SML.
func (c smlLead) rename(walcuID, brandModel string) {
	c.t.Helper()
	ctx, _ := c.e.admin(c.t)
	l, err := c.e.coreLead(c.t, ctx, walcuID)
	if err != nil {
		c.t.Fatal(err)
	}
	smlDo(c.t, c.h, c.token, http.MethodPatch, "/api/lead/"+strconv.FormatInt(l.ID, 10)+"/",
		map[string]any{"vehicle": map[string]any{"id": l.Vehicle.ID, "brand_model": brandModel}}, http.StatusOK, nil)
}

// carValues are the values of a car's field in a document as GET shows
// it: of each car of car_list (a salelead), of car (an appraisallead).
func carValues(d map[string]any, field string) []any {
	var cars []any
	if list, ok := d["car_list"].([]any); ok {
		for _, c := range list {
			cars = append(cars, at(c, "car"))
		}
	} else if c, ok := d["car"]; ok {
		cars = append(cars, c)
	}
	var out []any
	for _, c := range cars {
		if m, ok := c.(map[string]any); ok {
			if v, ok := m[field]; ok {
				out = append(out, v)
			}
		}
	}
	return out
}

// carCond is a condition on a car's field and what it means on the
// values a document shows (MongoDB's: a condition on an array holds when
// an element holds it; $ne, $nin and $exists false when none does).
type carCond struct {
	q     string // the condition as q's JSON, on the field
	holds func(vs []any) bool
}

func carConds(values ...string) []carCond {
	has := func(vs []any, v string) bool { return slices.Contains(vs, any(v)) }
	var out []carCond
	for _, v := range values {
		out = append(out,
			carCond{fmt.Sprintf("%q", v), func(vs []any) bool { return has(vs, v) }},
			carCond{fmt.Sprintf(`{"$ne": %q}`, v), func(vs []any) bool { return !has(vs, v) }},
			carCond{fmt.Sprintf(`{"$not": {"$eq": %q}}`, v), func(vs []any) bool { return !has(vs, v) }},
			carCond{fmt.Sprintf(`{"$regex": %q}`, strings.ToLower(v[1:])), func(vs []any) bool {
				return slices.ContainsFunc(vs, func(x any) bool {
					s, _ := x.(string)
					return strings.Contains(strings.ToLower(s), strings.ToLower(v[1:]))
				})
			}})
	}
	a, b := values[0], values[len(values)-1]
	return append(out,
		carCond{fmt.Sprintf(`{"$in": [%q, %q]}`, a, b), func(vs []any) bool { return has(vs, a) || has(vs, b) }},
		carCond{fmt.Sprintf(`{"$nin": [%q, %q]}`, a, b), func(vs []any) bool { return !has(vs, a) && !has(vs, b) }},
		carCond{fmt.Sprintf(`{"$in": [%q, null]}`, a), func(vs []any) bool { return has(vs, a) || len(vs) == 0 }},
		carCond{`{"$exists": true}`, func(vs []any) bool { return len(vs) > 0 }},
		carCond{`{"$exists": false}`, func(vs []any) bool { return len(vs) == 0 }},
		carCond{`null`, func(vs []any) bool { return len(vs) == 0 }},
	)
}

// TestLeadCarQueriesAsShown: a q or WQL condition on a lead's car's make,
// model, plate and VIN finds exactly the leads whose document, as GET
// shows it, holds it, on both engines: leads made through SML, leads made
// here (one car, several cars), leads whose vehicle SML renamed after a
// write here, appraisal leads renamed through the core.
func TestLeadCarQueriesAsShown(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		e := newEnvOn(t, s)
		c := newSMLLead(t, e)
		post := e.postID
		car := func(make, model, plate, vin string) map[string]any {
			m := map[string]any{"make": make, "model": model}
			if plate != "" {
				m["license_plate"] = plate
			}
			if vin != "" {
				m["vin"] = vin
			}
			return m
		}
		sale := func(cars ...map[string]any) string {
			var list []any
			for _, c := range cars {
				list = append(list, map[string]any{"car": c})
			}
			return post("saleleads", map[string]any{"car_list": list})
		}

		ibiza := c.create("SEAT Ibiza Style")
		oneWord := c.create("Cupra")
		defender := sale(car("Land Rover", "Defender", "1234ABC", "SALLDHMV7GA000001"), car("SEAT", "León", "9999ZZZ", ""), car("Kia", "Ceed", "", "KNA000000000000C1"))
		renamed := sale(car("Kia", "Ceed", "5555KKK", "KNA000000000000C2"))
		c.rename(renamed, "Toyota Yaris Cross")
		walcuOne := sale(car("Renault", "Clio", "", ""))

		// cross-API, as the brief names them
		ids := func(params url.Values) []string { t.Helper(); return listIDs(t, e, "saleleads", params) }
		if got := ids(url.Values{"q": {`{"car_list.car.make": "SEAT", "car_list.car.model": "Ibiza Style"}`}}); !slices.Equal(got, []string{ibiza}) {
			t.Errorf("SML's lead by make and model: %v, want %v", got, []string{ibiza})
		}
		if got := ids(url.Values{"q": {`{"car_list.car.make": "Kia"}`}}); !slices.Equal(got, []string{defender}) {
			t.Errorf("by the old make, after SML renamed the car: %v, want only the lead whose third car is a Kia", got)
		}
		if got := ids(url.Values{"q": {`{"car_list.car.make": "Toyota", "car_list.car.license_plate": "5555KKK"}`}}); !slices.Equal(got, []string{renamed}) {
			t.Errorf("by the new make and the plate, after SML renamed the car: %v, want %v", got, []string{renamed})
		}
		r := e.es(http.MethodGet, "saleleads/"+renamed, nil)
		if got := at(r.arr()[0], "car_list", "0", "car"); at(got, "make") != "Toyota" || at(got, "model") != "Yaris Cross" || at(got, "license_plate") != "5555KKK" {
			t.Errorf("the renamed lead shows %v", got)
		}

		// bad input is still 400, naming the field or operator
		for q, field := range map[string]string{
			`{"car_list.car.make": 5}`:                    "q.car_list.car.make",
			`{"car_list.car.make": {"$bogus": "x"}}`:      "q.car_list.car.make.$bogus",
			`{"car_list.car.vin": {"$regex": "a.*"}}`:     "q.car_list.car.vin.$regex",
			`{"car_list.car.model": {"$in": "SEAT"}}`:     "q.car_list.car.model.$in",
			`{"car_list.car.license_plate": ["1234ABC"]}`: "q.car_list.car.license_plate",
		} {
			r := e.list("saleleads", url.Values{"q": {q}})
			if r.code != 400 || at(r.obj(), "fields", field) == nil {
				t.Errorf("q=%s: %d %s, want 400 naming %s", q, r.code, r.raw, field)
			}
		}

		// every condition, against what GET shows
		all := e.list("saleleads", url.Values{"limit": {"50"}})
		mustStatus(t, "all", all, 200)
		docs := all.arr()
		check := func(coll string, docs []any, field, path string, conds []carCond) {
			t.Helper()
			for _, cd := range conds {
				var want []string
				for _, d := range docs {
					if cd.holds(carValues(d.(map[string]any), field)) {
						want = append(want, d.(map[string]any)["_id"].(string))
					}
				}
				slices.Sort(want)
				q := fmt.Sprintf(`{%q: %s}`, path, cd.q)
				r := e.list(coll, url.Values{"q": {q}, "limit": {"50"}})
				mustStatus(t, q, r, 200)
				var got []string
				for _, d := range r.arr() {
					got = append(got, d.(map[string]any)["_id"].(string))
				}
				slices.Sort(got)
				if !slices.Equal(got, want) {
					t.Errorf("%s q=%s: got %v, want %v", coll, q, got, want)
				}
			}
		}
		check("saleleads", docs, "make", "car_list.car.make", carConds("SEAT", "Kia", "Toyota", "Cupra"))
		check("saleleads", docs, "model", "car_list.car.model", carConds("Ibiza Style", "León", "Ceed", "Clio"))
		check("saleleads", docs, "license_plate", "car_list.car.license_plate", carConds("1234ABC", "9999ZZZ", "5555KKK"))
		check("saleleads", docs, "vin", "car_list.car.vin", carConds("SALLDHMV7GA000001", "KNA000000000000C1", "KNA000000000000C2"))

		// WQL reads the same as q
		for search, q := range map[string]string{
			"car.make:SEAT":                   `{"car_list.car.make": "SEAT"}`,
			"car.make:Toyota":                 `{"car_list.car.make": "Toyota"}`,
			"car.make:!Kia":                   `{"car_list.car.make": {"$ne": "Kia"}}`,
			"car.license_plate:9999ZZZ":       `{"car_list.car.license_plate": "9999ZZZ"}`,
			"car.vin:KNA000000000000C2":       `{"car_list.car.vin": "KNA000000000000C2"}`,
			"car.make:Renault car.model:Clio": `{"car_list.car.make": "Renault", "car_list.car.model": "Clio"}`,
		} {
			got, want := ids(url.Values{"search": {search}}), ids(url.Values{"q": {q}})
			if !slices.Equal(got, want) || len(want) == 0 {
				t.Errorf("search=%s: got %v, want %v (q=%s)", search, got, want, q)
			}
		}
		_, _ = oneWord, walcuOne

		// an appraisal lead: its one car, renamed through the core
		golf := post("appraisalleads", map[string]any{"car": car("Volkswagen", "Golf", "7777GGG", "WVW00000000000001")})
		polo := post("appraisalleads", map[string]any{"car": car("Volkswagen", "Polo", "", "")})
		ctx, _ := e.admin(t)
		l, err := e.coreLead(t, ctx, polo)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.UpdateLead(ctx, l.ID, core.LeadPatch{Vehicle: &core.VehiclePatch{ID: &l.Vehicle.ID, BrandModel: core.Value("Skoda Fabia")}}); err != nil {
			t.Fatal(err)
		}
		all = e.list("appraisalleads", url.Values{"limit": {"50"}})
		mustStatus(t, "all appraisals", all, 200)
		check("appraisalleads", all.arr(), "make", "car.make", carConds("Volkswagen", "Skoda"))
		check("appraisalleads", all.arr(), "license_plate", "car.license_plate", carConds("7777GGG", "4821LKM"))
		if got := e.list("appraisalleads", url.Values{"search": {"car.make:Volkswagen"}}); len(got.arr()) != 1 || at(got.arr()[0], "_id") != golf {
			t.Errorf("appraisals by WQL make: %s", got.raw)
		}
	})
}
