package leadbank_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/demo"
	"forecourt/internal/leadbank"
	"forecourt/internal/testkit"

	"golang.org/x/crypto/bcrypt"
)

// env is the lead bank API over a real Service on a real store with the
// demo data (its dealer's leads), and a second dealer with a lead of its
// own.
type env struct {
	t        *testing.T
	svc      *core.Service
	h        http.Handler
	fx       demo.Fixture
	key      string // an API key of the demo dealer
	token    string // the demo admin's login token
	otherKey string // an API key of the second dealer
	otherID  int64  // the second dealer's lead
}

func newEnv(t *testing.T, leads int) *env {
	t.Helper()
	ctx := context.Background()
	svc := core.NewService(testkit.OpenStore(t), core.WithPasswordCost(bcrypt.MinCost))
	fx, err := demo.Seed(ctx, svc, demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// open leads, which a new consumer gets all of (the demo's own are of
	// every stage, and ended ones are not handed out)
	actx := core.WithPrincipal(ctx, core.Principal{UserID: fx.AdminID, DealerIDs: []int64{fx.DealerID}})
	for i := range leads {
		l, err := svc.CreateLead(actx, core.Lead{SourceID: fx.SourceIDs["web"], Vehicle: &core.Vehicle{BrandModel: fmt.Sprintf("Coche %d", i)},
			Client: &core.Client{Name: fmt.Sprintf("Cliente %d", i), Phone: fmt.Sprintf("6000000%02d", i)}})
		if err != nil {
			t.Fatal(err)
		}
		fx.LeadIDs = append(fx.LeadIDs, l.ID)
	}
	e := &env{t: t, svc: svc, h: leadbank.NewHandler(svc, leadbank.WithLogger(slog.New(slog.DiscardHandler))), fx: fx}
	if e.key, _, err = svc.CreateAPIKey(ctx, fx.DealerID, nil, "bank"); err != nil {
		t.Fatal(err)
	}
	if e.token, _, err = svc.Login(ctx, fx.AdminUsername, fx.AdminPassword); err != nil {
		t.Fatal(err)
	}
	d, err := svc.CreateDealer(ctx, core.Dealer{Name: "Otro", Country: "ES"})
	if err != nil {
		t.Fatal(err)
	}
	src, err := svc.CreateSource(ctx, core.Source{DealerID: d.ID, ChannelID: 1, OriginID: 1})
	if err != nil {
		t.Fatal(err)
	}
	if e.otherKey, _, err = svc.CreateAPIKey(ctx, d.ID, nil, "bank"); err != nil {
		t.Fatal(err)
	}
	p, err := svc.Authenticate(ctx, e.otherKey)
	if err != nil {
		t.Fatal(err)
	}
	l, err := svc.CreateLead(core.WithPrincipal(ctx, p), core.Lead{SourceID: src.ID, Vehicle: &core.Vehicle{BrandModel: "Otro coche"}})
	if err != nil {
		t.Fatal(err)
	}
	e.otherID = l.ID
	return e
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) env(t *testing.T) leadbank.Response {
	t.Helper()
	var r leadbank.Response
	if err := json.Unmarshal(a.body, &r); err != nil {
		t.Fatalf("not the envelope: %v: %s", err, a.body)
	}
	return r
}

// post sends body (a string as is, anything else as JSON) with the bearer
// secret (none when empty).
func (e *env) post(secret, path string, body any, contentType ...string) answer {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = strings.NewReader(string(j))
	}
	r := httptest.NewRequest(http.MethodPost, path, rd)
	r.Header.Set("Content-Type", "application/json")
	if len(contentType) > 0 {
		r.Header.Set("Content-Type", contentType[0])
	}
	if secret != "" {
		r.Header.Set("Authorization", "Bearer "+secret)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, r)
	return answer{rec.Code, rec.Header(), rec.Body.Bytes()}
}

func (e *env) pull(secret string, body any) leadbank.Response {
	e.t.Helper()
	a := e.post(secret, "/api/leads", body)
	if a.status != http.StatusOK {
		e.t.Fatalf("pull: %d %s", a.status, a.body)
	}
	return a.env(e.t)
}

func ids(r leadbank.Response) []int64 {
	var out []int64
	for _, l := range r.Leads {
		out = append(out, l.IDLeadBank)
	}
	return out
}

// TestPullCycle: a pull hands out the oldest ready leads, again until they
// are confirmed, then the next ones; confirmations take ids, the leads as
// answered, or the whole answer.
func TestPullCycle(t *testing.T) {
	e := newEnv(t, 12)
	first := e.pull(e.key, 5)
	if len(first.Leads) != 5 || first.Status != leadbank.StatusOK || !slices.IsSorted(ids(first)) {
		t.Fatalf("first pull: %+v", first)
	}
	if again := e.pull(e.key, 5); !slices.Equal(ids(again), ids(first)) {
		t.Fatalf("a second pull before confirming: %v, want %v", ids(again), ids(first))
	}
	// confirm three by id: the two left come again
	a := e.post(e.key, "/api/leads/ValidateGetLeads", ids(first)[:3])
	res := a.env(t)
	if a.status != 200 || res.Status != leadbank.StatusOK || !slices.Equal(res.Results.Confirmed, ids(first)[:3]) {
		t.Fatalf("validate: %d %s", a.status, a.body)
	}
	if again := e.pull(e.key, 5); !slices.Equal(ids(again), ids(first)[3:]) {
		t.Fatalf("after confirming 3: %v, want %v", ids(again), ids(first)[3:])
	}
	// confirm the rest as the pull answered them
	if res := e.post(e.key, "/api/leads/ValidateGetLeads", first.Leads[3:]).env(t); res.Status != leadbank.StatusOK || len(res.Results.Confirmed) != 2 {
		t.Fatalf("validate leads: %+v", res)
	}
	next := e.pull(e.key, 100)
	if len(next.Leads) != 7 || next.Leads[0].IDLeadBank <= ids(first)[4] {
		t.Fatalf("next pull: %v", ids(next))
	}
	// the whole answer, with one already confirmed
	whole := map[string]any{"Status": 1, "Message": "x", "Leads": append(next.Leads, first.Leads[0])}
	res = e.post(e.key, "/api/leads/ValidateGetLeads", whole).env(t)
	if res.Status != leadbank.StatusOK || len(res.Results.Confirmed) != 7 || !slices.Equal(res.Results.AlreadyConfirmed, ids(first)[:1]) {
		t.Fatalf("validate the answer: %+v", res)
	}
	if last := e.pull(e.key, 0); len(last.Leads) != 0 || last.Message != "No leads are ready to be sent." {
		t.Fatalf("nothing left: %+v", last)
	}
	// a new lead is ready at once
	ctx := core.WithPrincipal(context.Background(), core.Principal{UserID: e.fx.AdminID, DealerIDs: []int64{e.fx.DealerID}})
	l, err := e.svc.CreateLead(ctx, core.Lead{SourceID: e.fx.SourceIDs["web"], Vehicle: &core.Vehicle{BrandModel: "Nuevo"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.pull(e.key, 0); !slices.Equal(ids(got), []int64{l.ID}) {
		t.Fatalf("after a new lead: %v", ids(got))
	}
}

// TestEveryConsumerAndDealer: each consumer of a dealer gets every lead;
// another dealer's consumer none of them, and confirming or acknowledging
// another dealer's leads does nothing and says so.
func TestEveryConsumerAndDealer(t *testing.T) {
	e := newEnv(t, 4)
	byKey, byToken := e.pull(e.key, 0), e.pull(e.token, 0)
	if len(byKey.Leads) != 4 || !slices.Equal(ids(byKey), ids(byToken)) {
		t.Fatalf("key %v, token %v", ids(byKey), ids(byToken))
	}
	other := e.pull(e.otherKey, 0)
	if !slices.Equal(ids(other), []int64{e.otherID}) {
		t.Fatalf("other dealer: %v", ids(other))
	}
	res := e.post(e.otherKey, "/api/leads/ValidateGetLeads", append(ids(byKey), e.otherID, 999999)).env(t)
	if res.Status != leadbank.StatusPartial || !slices.Equal(res.Results.Confirmed, []int64{e.otherID}) ||
		!slices.Equal(res.Results.Unknown, append(ids(byKey), 999999)) || !strings.Contains(res.Message, "unknown, nothing done") {
		t.Fatalf("confirm another dealer's: %+v", res)
	}
	// the demo dealer's consumers still have them in progress
	if got := e.pull(e.key, 0); !slices.Equal(ids(got), ids(byKey)) {
		t.Fatalf("after the other dealer's confirmation: %v", ids(got))
	}
	acks := []map[string]any{{"IDLeadBank": ids(byKey)[0], "LeadEvents": []map[string]any{{"IDstatus": 5, "IDreason": 1, "DateAction": "2026-11-30T10:00:00"}}}}
	if res := e.post(e.otherKey, "/api/leads/SendAcknos", acks).env(t); res.Status != leadbank.StatusPartial || len(res.Results.Unknown) != 1 {
		t.Fatalf("acks on another dealer's lead: %+v", res)
	}
}

// TestAnswerShape: the pull's answer has the document's fields, names and
// formats.
func TestAnswerShape(t *testing.T) {
	e := newEnv(t, 3)
	a := e.post(e.key, "/api/leads", "1")
	var got map[string]any
	if err := json.Unmarshal(a.body, &got); err != nil {
		t.Fatal(err)
	}
	// The document's sample, key for key.
	doc := map[string]any{}
	if err := json.Unmarshal([]byte(docSample), &doc); err != nil {
		t.Fatal(err)
	}
	if d := keys(got, doc); d != "" {
		t.Fatalf("answer keys differ from the document's: %s\n%.500s", d, a.body)
	}
	l := got["Leads"].([]any)[0].(map[string]any)
	dotnet := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}[+-]\d\d:\d\d$`)
	for _, k := range []string{"QualificationDate", "CreateDate"} {
		if s, _ := l[k].(string); !dotnet.MatchString(s) {
			t.Errorf("%s = %q, not .NET's format", k, s)
		}
	}
	if l["State"] != float64(leadbank.StateInProgress) || l["BandDealerID"] != fmt.Sprint(e.fx.DealerID) || l["ExternalLeadID"] == "" {
		t.Errorf("lead = %v", l)
	}
	contents := l["Contents"].([]any)
	byKey := map[string]map[string]any{}
	for i, c := range contents {
		c := c.(map[string]any)
		if c["ID"] != float64(i+1) {
			t.Errorf("content %d has ID %v", i, c["ID"])
		}
		byKey[c["Key"].(string)] = c
	}
	for key, typ := range map[string]int{"ClientName": leadbank.TypeClient, "ClientPhone": leadbank.TypeClient, "VehicleBrandModel": leadbank.TypeVehicle, "Stage": leadbank.TypeLead} {
		if c, ok := byKey[key]; !ok || c["Type"] != float64(typ) || c["Value"] == "" {
			t.Errorf("content %s = %v", key, c)
		}
	}
	if !strings.HasPrefix(a.header.Get("Content-Type"), "application/json") {
		t.Errorf("Content-Type %q", a.header.Get("Content-Type"))
	}
}

// TestClientIdentityRows: a client's government id, business name and
// address travel as Contents rows of the client.
func TestClientIdentityRows(t *testing.T) {
	e := newEnv(t, 0)
	key, _, err := e.svc.CreateAPIKey(context.Background(), e.fx.CODealerID, nil, "bank")
	if err != nil {
		t.Fatal(err)
	}
	r := e.pull(key, 0)
	if len(r.Leads) != 1 {
		t.Fatalf("the Colombian demo dealer's leads: %+v", r)
	}
	got := map[string]leadbank.Content{}
	for _, c := range r.Leads[0].Contents {
		got[c.Key] = c
	}
	for k, v := range map[string]string{"ClientGovID": "1020304050", "ClientAddress": "Calle 93 # 11-26, Bogotá"} {
		if got[k].Value != v || got[k].Type != leadbank.TypeClient {
			t.Errorf("%s = %+v, want %q", k, got[k], v)
		}
	}
	if _, ok := got["ClientBusinessName"]; ok {
		t.Error("an empty business name has a row")
	}
}

// keys says how the keys of got differ from doc's, recursively ("" when
// they do not).
func keys(got, doc any) string {
	switch d := doc.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%v is not an object", got)
		}
		var gk, dk []string
		for k := range g {
			gk = append(gk, k)
		}
		for k := range d {
			dk = append(dk, k)
		}
		sort.Strings(gk)
		sort.Strings(dk)
		if !slices.Equal(gk, dk) {
			return fmt.Sprintf("keys %v, the document's %v", gk, dk)
		}
		for k := range d {
			if s := keys(g[k], d[k]); s != "" {
				return k + ": " + s
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) == 0 {
			return fmt.Sprintf("%v is not a list with elements", got)
		}
		return keys(g[0], d[0])
	}
	return ""
}

// docSample is the answer sample of the document, as written.
const docSample = `{
  "Status": 1,
  "Message": "sample string 2",
  "Leads": [
    {
      "IDLeadBank": 1,
      "IDprovider": 2,
      "NameProvider": "sample string 3",
      "IDService": 4,
      "NameService": "sample string 5",
      "State": 0,
      "IDCampaign": "sample string 6",
      "NameCampaign": "sample string 7",
      "BandDealerID": "sample string 8",
      "ExternalLeadID": "sample string 9",
      "QualificationDate": "2024-10-15T05:29:19.5139414+02:00",
      "CreateDate": "2024-10-15T05:29:19.5139414+02:00",
      "Contents": [
        {
          "ID": 1,
          "Key": "sample string 2",
          "Value": "sample string 3",
          "Type": 4
        }
      ]
    }
  ]
}`

// TestPullBody: the body is the most leads to hand out, in each form an
// ASP.NET client sends an integer.
func TestPullBody(t *testing.T) {
	e := newEnv(t, 7)
	for _, tc := range []struct {
		body, contentType string
		status, n         int
	}{
		{"2", "application/json", 200, 2},
		{`"3"`, "text/json", 200, 3},
		{"=4", "application/x-www-form-urlencoded", 200, 4},
		{"", "application/json", 200, 7}, // the default, 100
		{"0", "application/json", 200, 7},
		{"-3", "application/json", 200, 7},
		{"100000", "application/json", 200, 7},               // lowered to the maximum, 100
		{"99999999999999999999", "application/json", 200, 7}, // past 64 bits: still an integer, lowered
		{"-99999999999999999999", "application/json", 200, 7},
		{"abc", "application/json", 400, 0},
		{"2.5", "application/json", 400, 0},
		{`{"limit": 2}`, "application/json", 400, 0},
		{"[1]", "application/json", 400, 0},
	} {
		// a fresh consumer each time: its first pull
		key, _, err := e.svc.CreateAPIKey(context.Background(), e.fx.DealerID, nil, "k")
		if err != nil {
			t.Fatal(err)
		}
		a := e.post(key, "/api/leads", tc.body, tc.contentType)
		res := a.env(t)
		if a.status != tc.status || len(res.Leads) != tc.n || (tc.status != 200) != (res.Status == leadbank.StatusError) {
			t.Errorf("body %q: %d, %d leads: %.300s", tc.body, a.status, len(res.Leads), a.body)
		}
	}
}

// TestAuthAndErrors: a missing or bad credential is 401, other methods
// 405, an oversized body 413, all in the envelope.
func TestAuthAndErrors(t *testing.T) {
	e := newEnv(t, 1)
	for _, secret := range []string{"", "fc_nope"} {
		a := e.post(secret, "/api/leads", "1")
		if res := a.env(t); a.status != 401 || res.Status != leadbank.StatusError || res.Message != "Authorization has been denied for this request." ||
			a.header.Get("WWW-Authenticate") != "Bearer" {
			t.Errorf("secret %q: %d %s", secret, a.status, a.body)
		}
	}
	r := httptest.NewRequest(http.MethodPost, "/api/leads", strings.NewReader("1"))
	r.Header.Set("Authorization", "Token "+e.key)
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, r)
	if rec.Code != 401 {
		t.Errorf("Token scheme: %d", rec.Code)
	}
	rec = httptest.NewRecorder()
	e.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/leads/SendAcknos", nil))
	if rec.Code != 405 || rec.Header().Get("Allow") != "POST" || !strings.Contains(rec.Body.String(), `"Status":0`) {
		t.Errorf("GET: %d %s", rec.Code, rec.Body)
	}
	big := "[" + strings.Repeat("1,", 3<<20) + "1]"
	if a := e.post(e.key, "/api/leads/ValidateGetLeads", big); a.status != 413 || a.env(t).Status != leadbank.StatusError {
		t.Errorf("oversized: %d %.200s", a.status, a.body)
	}
	for _, body := range []string{"", "{}", `["x"]`, `[{"Other": 1}]`, "nope"} {
		if a := e.post(e.key, "/api/leads/ValidateGetLeads", body); a.status != 400 || a.env(t).Status != leadbank.StatusError {
			t.Errorf("validate %q: %d %s", body, a.status, a.body)
		}
	}
	many := make([]int64, core.MaxDeliveryIDs+1)
	if a := e.post(e.key, "/api/leads/ValidateGetLeads", many); a.status != 400 {
		t.Errorf("too many: %d %s", a.status, a.body)
	}
}

// TestSendAcknos: events on leads handed to the caller are recorded, and
// shown in the lead's history; events on others are not, and are named.
func TestSendAcknos(t *testing.T) {
	e := newEnv(t, 3)
	ctx := core.WithPrincipal(context.Background(), core.Principal{UserID: e.fx.AdminID, DealerIDs: []int64{e.fx.DealerID}})
	handed := e.pull(e.key, 1).Leads[0].IDLeadBank
	ready := e.fx.LeadIDs[len(e.fx.LeadIDs)-1]
	acks := []map[string]any{
		{"IDLeadBank": handed, "LeadEvents": []map[string]any{
			{"IDstatus": 1, "IDreason": 0, "DateAction": "2026-11-29T10:00:00.1234567+01:00"},
			{"IDstatus": 5, "IDreason": 2, "DateAction": "2026-11-30T12:30:00"},
			{"IDstatus": 42, "IDreason": 7, "DateAction": "2026-11-30"},
		}},
		{"IDLeadBank": ready, "LeadEvents": []map[string]any{{"IDstatus": 1, "DateAction": "2026-11-30"}}},
		{"IDLeadBank": 999999, "LeadEvents": []map[string]any{{"IDstatus": 1, "DateAction": "2026-11-30"}}},
	}
	a := e.post(e.key, "/api/leads/SendAcknos", acks)
	res := a.env(t)
	if a.status != 200 || res.Status != leadbank.StatusPartial || !slices.Equal(res.Results.Recorded, []int64{handed}) ||
		!slices.Equal(res.Results.NotHanded, []int64{ready}) || !slices.Equal(res.Results.Unknown, []int64{999999}) {
		t.Fatalf("acks: %d %s", a.status, a.body)
	}
	evs, err := e.svc.DeliveryEvents(ctx, handed)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ev := range evs {
		got = append(got, ev.Code+"/"+ev.Reason+"/"+ev.At.UTC().Format("2006-01-02T15:04:05.0000000Z"))
	}
	want := []string{"1 contacted//2026-11-29T09:00:00.1234560Z", "5 sold/2/2026-11-30T11:30:00.0000000Z", "42/7/2026-11-29T23:00:00.0000000Z"}
	if !slices.Equal(got, want) {
		t.Fatalf("events: %v, want %v", got, want)
	}
	hs, _, err := e.svc.LeadHistory(ctx, handed, true, core.Page{Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != 3 || hs[0].Kind != core.KindDeliveryEvent || fmt.Sprint(hs[0].Changes) != "[{delivery.event  42} {delivery.reason  7}]" {
		t.Fatalf("history: %+v", hs)
	}
	if evs, _ := e.svc.DeliveryEvents(ctx, ready); len(evs) != 0 {
		t.Fatalf("an event on a lead never handed was recorded: %v", evs)
	}
	for _, body := range []string{`{}`, `[{"IDLeadBank": 1, "LeadEvents": [{"IDstatus": 1, "DateAction": "yesterday"}]}]`,
		`[{"IDLeadBank": "x"}]`} {
		if a := e.post(e.key, "/api/leads/SendAcknos", body); a.status != 400 || a.env(t).Status != leadbank.StatusError {
			t.Errorf("acks %s: %d %s", body, a.status, a.body)
		}
	}
}

// TestInvalidText: a body whose text encoding/json would read as another
// text (a lone UTF-16 surrogate, bytes that are not UTF-8) is refused,
// naming where it is, and nothing is done.
func TestInvalidText(t *testing.T) {
	e := newEnv(t, 2)
	handed := e.pull(e.key, 2).Leads
	for _, tc := range []struct{ path, body, want string }{
		{"/api/leads/SendAcknos", fmt.Sprintf(`[{"IDLeadBank": %d, "LeadEvents": [{"IDstatus": 1, "DateAction": "2026-11-30\ud800"}]}]`, handed[0].IDLeadBank),
			`[0].LeadEvents[0].DateAction: the text holds a lone UTF-16 surrogate (\ud800), which is not a character.`},
		{"/api/leads/ValidateGetLeads", fmt.Sprintf(`[{"IDLeadBank": %d, "NameProvider": "x"}, {"IDLeadBank": %d, "NameProvider": "coches\udc00"}]`,
			handed[0].IDLeadBank, handed[1].IDLeadBank),
			`[1].NameProvider: the text holds a lone UTF-16 surrogate (\udc00), which is not a character.`},
		{"/api/leads", `"\ud83d5"`, `the body: the text holds a lone UTF-16 surrogate (\ud83d), which is not a character.`},
		{"/api/leads/ValidateGetLeads", "[{\"IDLeadBank\": 1, \"NameProvider\": \"\xff\"}]", "The request body is not valid UTF-8 text."},
	} {
		a := e.post(e.key, tc.path, tc.body)
		if res := a.env(t); a.status != 400 || res.Status != leadbank.StatusError || res.Message != tc.want {
			t.Errorf("%s %s: %d %s, want 400 %q", tc.path, tc.body, a.status, a.body, tc.want)
		}
	}
	if res := e.pull(e.key, 2); len(res.Leads) != 2 {
		t.Errorf("a refused confirmation confirmed leads: %d in progress", len(res.Leads))
	}
}
