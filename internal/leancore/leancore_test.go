package leancore_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/demo"
	"forecourt/internal/leancore"
	"forecourt/internal/store"
	"forecourt/internal/testkit"

	"golang.org/x/crypto/bcrypt"
)

type env struct {
	t     *testing.T
	svc   *core.Service
	h     http.Handler
	fx    demo.Fixture
	coKey string // an API key of the demo dealer in Colombia
	esKey string // an API key of the demo dealer in Spain
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvOn(t, testkit.OpenStore(t))
}

// newEnvOn is newEnv over st.
func newEnvOn(t *testing.T, st core.Store) *env {
	t.Helper()
	ctx := context.Background()
	svc := core.NewService(st, core.WithPasswordCost(bcrypt.MinCost))
	fx, err := demo.Seed(ctx, svc, demo.Options{Leads: 5})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, svc: svc, h: leancore.NewHandler(svc, leancore.WithLogger(slog.New(slog.DiscardHandler))), fx: fx}
	if e.coKey, _, err = svc.CreateAPIKey(ctx, fx.CODealerID, nil, "leancore"); err != nil {
		t.Fatal(err)
	}
	if e.esKey, _, err = svc.CreateAPIKey(ctx, fx.DealerID, nil, "leancore"); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) get(secret, rawQuery string) (int, map[string]any) {
	e.t.Helper()
	r := httptest.NewRequest(http.MethodGet, "/lead?"+rawQuery, nil)
	if secret != "" {
		r.Header.Set("Authorization", "Bearer "+secret)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, r)
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		e.t.Fatalf("%s: not a JSON object: %s", rawQuery, rec.Body)
	}
	return rec.Code, m
}

// TestDocumentExample: the document's Python example, as written, finds
// the demo lead in Colombia, with every field of the document.
func TestDocumentExample(t *testing.T) {
	e := newEnv(t)
	code, lead := e.get(e.coKey, url.Values{"phone": {demo.COLeadPhone}}.Encode())
	if code != 200 {
		t.Fatalf("status %d: %v", code, lead)
	}
	want := []string{"id", "image", "name", "lastname", "business_name", "quota", "status", "phone", "email", "nit", "address",
		"history", "score", "payment_data", "apn_token", "ecosystem", "business_entity", "additional_data"}
	var got []string
	for k := range lead {
		got = append(got, k)
	}
	sort.Strings(got)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Fatalf("fields %v, want the document's %v", got, want)
	}
	if lead["name"] != "Juan" || lead["lastname"] != "Pérez Gómez" || lead["phone"] != demo.COLeadPhone || lead["email"] != "juan.perez@example.com" ||
		lead["nit"] != "1020304050" || lead["address"] != "Calle 93 # 11-26, Bogotá" || lead["status"] != "new" || lead["score"] != 3.0 || lead["business_entity"] != demo.CODealerName {
		t.Errorf("lead = %v", lead)
	}
	if h, _ := lead["history"].([]any); len(h) != 1 || h[0].(map[string]any)["kind"] != "lead_created" {
		t.Errorf("history = %v", lead["history"])
	}
	// the numbers as the document writes them: "quota": 0, "score": 0.0
	r := httptest.NewRequest(http.MethodGet, "/lead?phone="+demo.COLeadPhone, nil)
	r.Header.Set("Authorization", "Bearer "+e.coKey)
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, r)
	if b := rec.Body.String(); !strings.Contains(b, `"quota":0,`) || !strings.Contains(b, `"score":3.0,`) {
		t.Errorf("quota and score as written: %s", b)
	}
	ctx := core.WithPrincipal(context.Background(), core.Principal{UserID: e.fx.COAdminID, DealerIDs: []int64{e.fx.CODealerID}})
	l, err := e.svc.FindLead(ctx, e.fx.COLeadID)
	if err != nil || lead["id"] != l.PublicID {
		t.Errorf("id %v, want the lead's public id %q (%v)", lead["id"], l.PublicID, err)
	}
}

// TestPhonesAsWritten: one number, written as people write it, finds the
// same lead; a lead of another dealer is never found.
func TestPhonesAsWritten(t *testing.T) {
	e := newEnv(t)
	for _, p := range []string{"573136434030", "+57 313 643 4030", "+573136434030", "3136434030", "313 643 4030",
		"313-643-4030", "(313) 643-4030", "313.643.4030", "tel:+57-313-643-4030",
		"0057 313 643 4030", "00573136434030", "\u202a+57 313 643 4030\u202c"} { // as a Colombian integrator sends it (docs/leancore.md)
		if code, lead := e.get(e.coKey, url.Values{"phone": {p}}.Encode()); code != 200 || lead["phone"] != demo.COLeadPhone {
			t.Errorf("%q: %d %v", p, code, lead)
		}
	}
	// the Spanish dealer's key: the lead is another dealer's
	if code, body := e.get(e.esKey, url.Values{"phone": {demo.COLeadPhone}}.Encode()); code != 404 || body["message"] != "Lead no encontrado." {
		t.Errorf("another dealer's lead: %d %v", code, body)
	}
	if code, _ := e.get(e.coKey, url.Values{"phone": {"3000000000"}}.Encode()); code != 404 {
		t.Errorf("an unknown number: %d", code)
	}
}

// TestNewestOpenLead: of a client's several leads, the newest open one;
// when all have ended, the newest.
func TestNewestOpenLead(t *testing.T) {
	e := newEnv(t)
	ctx := core.WithPrincipal(context.Background(), core.Principal{UserID: e.fx.COAdminID, DealerIDs: []int64{e.fx.CODealerID}})
	first, err := e.svc.FindLead(ctx, e.fx.COLeadID)
	if err != nil {
		t.Fatal(err)
	}
	mk := func() core.Lead {
		l, err := e.svc.CreateLead(ctx, core.Lead{SourceID: first.SourceID, Vehicle: &core.Vehicle{BrandModel: "Otro"},
			Client: &core.Client{Name: "Juan Pérez", Phone: "3136434030"}})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	second, third := mk(), mk()
	if _, err := e.svc.FinishLead(ctx, third.ID, core.OutcomeNoSale, 0); err != nil {
		t.Fatal(err)
	}
	find := func() string {
		_, lead := e.get(e.coKey, "phone="+demo.COLeadPhone)
		return lead["id"].(string)
	}
	if got := find(); got != second.PublicID {
		t.Fatalf("newest open: %s, want %s", got, second.PublicID)
	}
	for _, l := range []core.Lead{first, second} {
		if _, err := e.svc.FinishLead(ctx, l.ID, core.OutcomeNoSale, 0); err != nil {
			t.Fatal(err)
		}
	}
	if got := find(); got != third.PublicID {
		t.Fatalf("all ended: %s, want the newest %s", got, third.PublicID)
	}
}

// TestErrors: credentials and the phone parameter are checked; every
// answer is JSON with a message.
func TestErrors(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		secret, query string
		code          int
	}{
		{"", "phone=573136434030", 401},
		{"fc_nope", "phone=573136434030", 401},
		{e.coKey, "", 400},
		{e.coKey, "phone=", 400},
		{e.coKey, "phone=%zz", 400},
		{e.coKey, "phone=1&phone=2", 400},
		{e.coKey, "phone=" + strings.Repeat("1", 41), 400},
		{e.coKey, "phone=a%00b", 400},
		{e.coKey, "phone=not-a-phone", 404},
	} {
		code, body := e.get(tc.secret, tc.query)
		if code != tc.code || body["message"] == "" {
			t.Errorf("%q %q: %d %v, want %d", tc.secret, tc.query, code, body, tc.code)
		}
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/lead", nil))
	if rec.Code != 405 || rec.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d %s", rec.Code, rec.Body)
	}
}

// TestPhoneNotText: a phone whose escapes are no UTF-8 text is 400 on
// both engines, like a NUL, before any lookup: PostgreSQL refused it as
// text and the answer was 500 (found checking from outside).
func TestPhoneNotText(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnvOn(t, st)
		for _, q := range []string{"phone=%ff%fe", "phone=%ed%a0%80", "phone=3136434030%c3", "phone=%c0%af"} {
			code, body := e.get(e.coKey, q)
			if code != 400 || body["message"] != "El parámetro phone no es un número de teléfono." {
				t.Errorf("%s: %d %v, want 400", q, code, body)
			}
		}
		if code, _ := e.get(e.coKey, "phone=573136434030"); code != 200 {
			t.Errorf("the document's phone after them: %d", code)
		}
	})
}

// TestHistoryBounded: a history entry carries at most 50 changes, each
// value cut to 200 characters, and counts the others, so that a lead
// rewritten whole again and again cannot make its answer grow without end.
func TestHistoryBounded(t *testing.T) {
	e := newEnv(t)
	ctx := core.WithPrincipal(context.Background(), core.Principal{UserID: e.fx.COAdminID, DealerIDs: []int64{e.fx.CODealerID}})
	lead, err := e.svc.FindLead(ctx, e.fx.COLeadID)
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("ñ", 1000)
	notes := make([]core.NotePatch, 60)
	for i := range notes {
		notes[i] = core.NotePatch{Content: core.Value(long)}
	}
	if _, err := e.svc.UpdateLead(ctx, lead.ID, core.LeadPatch{Notes: &notes}); err != nil {
		t.Fatal(err)
	}
	_, got := e.get(e.coKey, "phone="+demo.COLeadPhone)
	hs := got["history"].([]any)
	last := hs[len(hs)-1].(map[string]any)
	changes := last["changes"].([]any)
	if len(changes) != 50 || last["more_changes"] != float64(10+len(lead.Notes)) {
		t.Fatalf("the rewrite's entry: %d changes, more_changes %v", len(changes), last["more_changes"])
	}
	v := changes[len(changes)-1].(map[string]any)["new"].(string)
	if n := len([]rune(v)); n != 200 || !strings.HasSuffix(v, "…") {
		t.Fatalf("a long value is %d characters: %.20q…", n, v)
	}
	if first := hs[0].(map[string]any); first["more_changes"] != nil {
		t.Fatalf("a short entry says more_changes: %v", first)
	}
}

// TestAdditionalData: additional_data carries the lead's vehicle, notes,
// tags, source, channel and assigned user, all of which the lookup reads
// with the lead (a projection that left one out would empty it).
func TestAdditionalData(t *testing.T) {
	e := newEnv(t)
	ctx := core.WithPrincipal(context.Background(), core.Principal{UserID: e.fx.COAdminID, DealerIDs: []int64{e.fx.CODealerID}})
	tags := []core.NotePatch{{Content: core.Value("financiación")}}
	if _, err := e.svc.UpdateLead(ctx, e.fx.COLeadID, core.LeadPatch{Tags: &tags}); err != nil {
		t.Fatal(err)
	}
	code, lead := e.get(e.coKey, "phone="+demo.COLeadPhone)
	if code != 200 {
		t.Fatalf("status %d: %v", code, lead)
	}
	ad := lead["additional_data"].(map[string]any)
	want := map[string]any{"lead_id": float64(e.fx.COLeadID), "vehicle": "Renault Duster 1.3 TCe Intens", "channel": "whatsapp",
		"source": "Web del concesionario", "assigned_user": demo.COAdminUsername, "outcome": "",
		"notes": []any{"Escribió por WhatsApp: quiere cotizar con financiación."}, "tags": []any{"financiación"}}
	for k, v := range want {
		if got, _ := json.Marshal(ad[k]); string(got) != mustJSON(t, v) {
			t.Errorf("additional_data.%s = %s, want %s", k, got, mustJSON(t, v))
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
