package adf_test

import (
	"context"
	"encoding/xml"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"forecourt/internal/adf"
	"forecourt/internal/core"
	"forecourt/internal/demo"
	"forecourt/internal/store"
	"forecourt/internal/testkit"

	"golang.org/x/crypto/bcrypt"
)

type env struct {
	t     *testing.T
	svc   *core.Service
	h     http.Handler
	fx    demo.Fixture
	esKey string // an API key of the demo dealer in Spain
	coKey string // an API key of the demo dealer in Colombia
}

func newEnvOn(t *testing.T, st core.Store) *env {
	t.Helper()
	ctx := context.Background()
	svc := core.NewService(st, core.WithPasswordCost(bcrypt.MinCost))
	fx, err := demo.Seed(ctx, svc, demo.Options{Leads: 2})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, svc: svc, h: adf.NewHandler(svc, adf.WithLogger(slog.New(slog.DiscardHandler))), fx: fx}
	if e.esKey, _, err = svc.CreateAPIKey(ctx, fx.DealerID, nil, "adf"); err != nil {
		t.Fatal(err)
	}
	if e.coKey, _, err = svc.CreateAPIKey(ctx, fx.CODealerID, nil, "adf"); err != nil {
		t.Fatal(err)
	}
	return e
}

type answer struct {
	XMLName   xml.Name `xml:"result"`
	Prospects []struct {
		ID     string `xml:"id,attr"`
		Status string `xml:"status,attr"`
	} `xml:"prospect"`
}

func (e *env) post(secret, body string) (int, string) {
	e.t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/adf", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/xml")
	if secret != "" {
		r.Header.Set("Authorization", "Bearer "+secret)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, r)
	return rec.Code, rec.Body.String()
}

func (e *env) result(secret, doc string, want int) answer {
	e.t.Helper()
	code, body := e.post(secret, doc)
	if code != want {
		e.t.Fatalf("status %d, want %d: %s", code, want, body)
	}
	var a answer
	if err := xml.Unmarshal([]byte(body), &a); err != nil {
		e.t.Fatalf("not a result: %v: %s", err, body)
	}
	return a
}

// leads counts the leads of dealer.
func (e *env) leads(dealer int64) int {
	e.t.Helper()
	ctx := core.WithPrincipal(context.Background(), core.Principal{UserID: e.fx.AdminID, DealerIDs: []int64{dealer}})
	ls, _, err := e.svc.FindLeads(ctx, core.Query{Limit: -1, Project: []string{"id"}})
	if err != nil {
		e.t.Fatal(err)
	}
	return len(ls)
}

// lead is the demo dealer's lead of public id.
func (e *env) lead(id string) core.Lead {
	e.t.Helper()
	ctx := core.WithPrincipal(context.Background(), core.Principal{UserID: e.fx.AdminID, DealerIDs: []int64{e.fx.DealerID}})
	ls, _, err := e.svc.FindLeads(ctx, core.Query{Where: core.Cond{Op: core.OpEq, Field: "public_id", Value: id}, Limit: 1})
	if err != nil || len(ls) != 1 {
		e.t.Fatalf("lead %s: %v %v", id, ls, err)
	}
	return ls[0]
}

const sample = `<?xml version="1.0" encoding="UTF-8"?>
<?adf version="1.0"?>
<adf>
 <prospect status="new">
  <id sequence="1" source="AutoPortal">ABC-123</id>
  <requestdate>2026-11-30T10:00:00-05:00</requestdate>
  <vehicle interest="buy" status="used">
   <year>2021</year><make>Toyota</make><model>Corolla</model><vin>JTDBR32E720123456</vin>
   <odometer units="km">42000</odometer><price type="asking" currency="EUR">18500</price>
  </vehicle>
  <vehicle interest="trade-in"><year>2012</year><make>Seat</make><model>Ibiza</model></vehicle>
  <customer>
   <contact><name part="first">Lucía</name><name part="last">Pérez Gómez</name>
    <email>lucia.adf@example.com</email><phone type="cellphone">+34 612 345 678</phone></contact>
   <comments>Is it still available?</comments>
  </customer>
  <vendor><vendorname>Some Other Dealer</vendorname></vendor>
  <provider><name part="full">AutoPortal</name><service>Used cars</service></provider>
 </prospect>
</adf>`

// TestIntake: a prospect creates a lead of the credential's dealer, with
// its client, vehicle and notes; sent again (a resend), it is that lead,
// and nothing more is stored; another dealer's credential cannot read it.
func TestIntake(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnvOn(t, st)
		before, beforeCO := e.leads(e.fx.DealerID), e.leads(e.fx.CODealerID)
		a := e.result(e.esKey, sample, http.StatusCreated)
		if len(a.Prospects) != 1 || a.Prospects[0].Status != "created" || a.Prospects[0].ID == "" {
			t.Fatalf("answer %+v", a)
		}
		id := a.Prospects[0].ID
		resend := strings.Replace(sample, `status="new"`, `status="resend"`, 1)
		a = e.result(e.esKey, resend, http.StatusOK)
		if len(a.Prospects) != 1 || a.Prospects[0].Status != "existing" || a.Prospects[0].ID != id {
			t.Fatalf("resend answered %+v, want existing %s", a, id)
		}
		if n := e.leads(e.fx.DealerID); n != before+1 {
			t.Fatalf("%d leads after a lead and its resend, want %d", n, before+1)
		}
		if n := e.leads(e.fx.CODealerID); n != beforeCO {
			t.Fatalf("the other dealer has %d leads, want %d (the vendor changes nothing)", n, beforeCO)
		}

		l := e.lead(id)
		if l.Client == nil || l.Client.Name != "Lucía Pérez Gómez" || l.Client.Email != "lucia.adf@example.com" {
			t.Fatalf("client %+v", l.Client)
		}
		if v := l.Vehicle; v == nil || v.BrandModel != "Toyota Corolla" || v.VIN != "JTDBR32E720123456" || v.Year == nil || *v.Year != 2021 ||
			v.Price != "18500" || v.Km != "42000" {
			t.Fatalf("vehicle %+v", l.Vehicle)
		}
		var notes []string
		for _, n := range l.Notes {
			notes = append(notes, n.Content)
		}
		joined := strings.Join(notes, "|")
		for _, want := range []string{"Is it still available?", "Trade-in: 2012 Seat Ibiza", "Provider: AutoPortal (Used cars)"} {
			if !strings.Contains(joined, want) {
				t.Errorf("notes %q lack %q", notes, want)
			}
		}

		// the other dealer's credential cannot see it
		coCtx := core.WithPrincipal(context.Background(), core.Principal{UserID: e.fx.COAdminID, DealerIDs: []int64{e.fx.CODealerID}})
		if _, err := e.svc.FindLead(coCtx, l.ID); core.ErrorCode(err) != core.NotFound {
			t.Fatalf("another dealer reads the lead: %v", err)
		}
		// and its same id is a lead of its own
		a = e.result(e.coKey, sample, http.StatusCreated)
		if a.Prospects[0].ID == id {
			t.Fatal("another dealer's intake of the same id answered the first dealer's lead")
		}
	})
}

// TestSeveralProspects: each prospect of a document is a lead, answered
// in order; one bad prospect refuses the document and stores nothing.
func TestSeveralProspects(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnvOn(t, st)
		before := e.leads(e.fx.DealerID)
		_, one, _ := strings.Cut(sample, "<adf>")
		one, _, _ = strings.Cut(one, "</adf>")
		two := strings.NewReplacer("ABC-123", "ABC-456", "lucia.adf", "other.adf", "+34 612 345 678", "+34 699 000 111").Replace(one)
		bad := strings.Replace(two, `interest="buy"`, `interest="rent"`, 1)
		code, body := e.post(e.esKey, "<adf>"+one+bad+"</adf>")
		if code != http.StatusBadRequest || !strings.Contains(body, "prospect 2: ") {
			t.Fatalf("a bad second prospect: %d %s", code, body)
		}
		if n := e.leads(e.fx.DealerID); n != before {
			t.Fatalf("%d leads after a refused document, want %d", n, before)
		}
		a := e.result(e.esKey, "<adf>"+one+two+"</adf>", http.StatusCreated)
		if len(a.Prospects) != 2 || a.Prospects[0].Status != "created" || a.Prospects[1].Status != "created" || a.Prospects[0].ID == a.Prospects[1].ID {
			t.Fatalf("answer %+v", a)
		}
		a = e.result(e.esKey, "<adf>"+two+one+"</adf>", http.StatusOK)
		if len(a.Prospects) != 2 || a.Prospects[0].Status != "existing" || a.Prospects[1].Status != "existing" {
			t.Fatalf("again: %+v", a)
		}
		if n := e.leads(e.fx.DealerID); n != before+2 {
			t.Fatalf("%d leads, want %d", n, before+2)
		}
	})
}
