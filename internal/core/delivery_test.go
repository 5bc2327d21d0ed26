package core_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// deliveryEnv is a dealer with a user, a second dealer, and a Service, on
// one store.
type deliveryEnv struct {
	svc   *core.Service
	st    *store.Store
	f     testkit.Fixture // dealer 1
	g     testkit.Fixture // dealer 2
	admin context.Context // f's user, by token
}

func newDeliveryEnv(t *testing.T, st *store.Store) deliveryEnv {
	t.Helper()
	e := deliveryEnv{svc: core.NewService(st), st: st,
		f: testkit.NewFixture(t, st, "one"), g: testkit.NewFixture(t, st, "two")}
	e.admin = core.WithPrincipal(context.Background(), core.Principal{UserID: e.f.User.ID, DealerIDs: []int64{e.f.Dealer.ID}})
	return e
}

// key returns the context of a new API key of dealer f.
func (e deliveryEnv) key(t *testing.T, f testkit.Fixture) context.Context {
	t.Helper()
	_, k, err := e.svc.CreateAPIKey(context.Background(), f.Dealer.ID, nil, "puller")
	if err != nil {
		t.Fatal(err)
	}
	return core.WithPrincipal(context.Background(), core.Principal{APIKeyID: k.ID, DealerIDs: []int64{f.Dealer.ID}})
}

// create creates a lead of f's dealer as f's user and returns its id.
func (e deliveryEnv) create(t testing.TB, f testkit.Fixture) int64 {
	t.Helper()
	ctx := core.WithPrincipal(context.Background(), core.Principal{UserID: f.User.ID, DealerIDs: []int64{f.Dealer.ID}})
	l, err := e.svc.CreateLead(ctx, core.Lead{SourceID: f.Source.ID, Vehicle: &core.Vehicle{BrandModel: "Seat Ibiza"},
		Client: &core.Client{Name: "Ana", Phone: "666777888"}})
	if err != nil {
		t.Fatalf("create lead: %v", err)
	}
	return l.ID
}

func pull(t testing.TB, svc *core.Service, ctx context.Context, limit int) []int64 {
	t.Helper()
	ls, err := svc.PullLeads(ctx, limit)
	if err != nil {
		t.Fatalf("pull: %v", err)
	}
	ids := make([]int64, len(ls))
	for i, l := range ls {
		ids[i] = l.ID
	}
	return ids
}

func confirm(t testing.TB, svc *core.Service, ctx context.Context, ids ...int64) core.ConfirmResult {
	t.Helper()
	res, err := svc.ConfirmLeads(ctx, ids)
	if err != nil {
		t.Fatalf("confirm: %v", err)
	}
	return res
}

func wantIDs(t testing.TB, what string, got, want []int64) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("%s = %v, want %v", what, got, want)
	}
}

// TestPullAtLeastOnce walks the cycle of one consumer: a pull hands the
// oldest ready leads, the next pulls hand the same ones until they are
// confirmed, then the next ones.
func TestPullAtLeastOnce(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, st *store.Store) {
		e := newDeliveryEnv(t, st)
		var open []int64
		for range 5 {
			open = append(open, e.create(t, e.f))
		}
		ended := e.create(t, e.f)
		if _, err := e.svc.ChangeLeadStatus(e.admin, ended, core.StageEnd, 0); err != nil {
			t.Fatal(err)
		}
		k := e.key(t, e.f)

		// registration: every open lead is ready, the ended one is not
		wantIDs(t, "first pull", pull(t, e.svc, k, 3), open[:3])
		// the same leads, whatever the limit, until confirmed
		wantIDs(t, "second pull", pull(t, e.svc, k, 10), open[:3])
		later := e.create(t, e.f) // ready at once for the registered key
		wantIDs(t, "third pull", pull(t, e.svc, k, 10), open[:3])
		wantIDs(t, "pull of 2", pull(t, e.svc, k, 2), open[:2])

		res := confirm(t, e.svc, k, open[0], open[1], open[2], open[3], ended, 1<<40, open[0])
		wantIDs(t, "received", res.Received, open[:3])
		wantIDs(t, "not handed", res.NotHanded, open[3:4])
		wantIDs(t, "unknown", res.Unknown, []int64{ended, 1 << 40})
		wantIDs(t, "already received", res.AlreadyReceived, nil)
		res = confirm(t, e.svc, k, open[1])
		wantIDs(t, "received again", res.AlreadyReceived, open[1:2])

		// a lead ended after it became ready is still delivered
		if _, err := e.svc.ChangeLeadStatus(e.admin, open[4], core.StageEnd, 0); err != nil {
			t.Fatal(err)
		}
		next := []int64{open[3], open[4], later}
		wantIDs(t, "next pull", pull(t, e.svc, k, 10), next)
		wantIDs(t, "next pull again", pull(t, e.svc, k, 10), next)
		wantIDs(t, "received", confirm(t, e.svc, k, next...).Received, next)
		wantIDs(t, "pull when all received", pull(t, e.svc, k, 10), nil)
	})
}

// TestEveryConsumerGetsEveryLead: two consumers of one dealer (an API key
// and a user) each get every lead; one's confirmation is not the other's.
// A consumer of another dealer gets none of them, and its confirmations
// and events on them change nothing.
func TestEveryConsumerGetsEveryLead(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, st *store.Store) {
		e := newDeliveryEnv(t, st)
		a := e.create(t, e.f)
		k := e.key(t, e.f)
		other := e.key(t, e.g)
		wantIDs(t, "other dealer's pull", pull(t, e.svc, other, 10), nil)
		b := e.create(t, e.f)
		mine := e.create(t, e.g)

		wantIDs(t, "key's pull", pull(t, e.svc, k, 10), []int64{a, b})
		wantIDs(t, "key's confirmation", confirm(t, e.svc, k, a, b).Received, []int64{a, b})
		// the user registers after the key confirmed: both leads are open
		wantIDs(t, "user's pull", pull(t, e.svc, e.admin, 10), []int64{a, b})
		wantIDs(t, "user's pull again", pull(t, e.svc, e.admin, 10), []int64{a, b})

		wantIDs(t, "other dealer's pull", pull(t, e.svc, other, 10), []int64{mine})
		res := confirm(t, e.svc, other, a, b, mine)
		wantIDs(t, "other dealer confirms", res.Received, []int64{mine})
		wantIDs(t, "other dealer's unknown", res.Unknown, []int64{a, b})
		ev, err := e.svc.RecordDeliveryEvents(other, []core.DeliveryEvent{{LeadID: a, Code: "2", At: testkit.Now}})
		if err != nil {
			t.Fatal(err)
		}
		wantIDs(t, "other dealer's events", ev.Unknown, []int64{a})
		if len(ev.Recorded) != 0 {
			t.Fatalf("recorded %v", ev.Recorded)
		}
		// the user's leads are still in progress for him
		wantIDs(t, "user's confirmation", confirm(t, e.svc, e.admin, a, b).Received, []int64{a, b})

		// a user of both dealers is a consumer of each, in one pull
		both := core.WithPrincipal(context.Background(), core.Principal{UserID: e.g.User.ID, DealerIDs: []int64{e.f.Dealer.ID, e.g.Dealer.ID}})
		wantIDs(t, "pull of a user of two dealers", pull(t, e.svc, both, 10), []int64{a, b, mine})
		wantIDs(t, "its first two", pull(t, e.svc, both, 2), []int64{a, b})
	})
}

// TestDeliveryEvents: events are recorded for leads handed to the
// consumer, in progress or received, and refused for the others.
func TestDeliveryEvents(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, st *store.Store) {
		e := newDeliveryEnv(t, st)
		received := e.create(t, e.f)
		k := e.key(t, e.f)
		wantIDs(t, "pull", pull(t, e.svc, k, 1), []int64{received})
		confirm(t, e.svc, k, received)
		handed := e.create(t, e.f)
		ready := e.create(t, e.f)
		wantIDs(t, "pull", pull(t, e.svc, k, 1), []int64{handed})
		theirs := e.create(t, e.g)

		at := testkit.Now.Add(-time.Hour)
		res, err := e.svc.RecordDeliveryEvents(k, []core.DeliveryEvent{
			{LeadID: received, Code: "2", Reason: "1", At: at},
			{LeadID: handed, Code: "3", At: at.Add(time.Minute)},
			{LeadID: received, Code: "5", Reason: "7", At: at.Add(2 * time.Minute)},
			{LeadID: ready, Code: "2", At: at},
			{LeadID: theirs, Code: "2", At: at},
			{LeadID: 1 << 40, Code: "2", At: at},
		})
		if err != nil {
			t.Fatal(err)
		}
		wantIDs(t, "not handed", res.NotHanded, []int64{ready})
		wantIDs(t, "unknown", res.Unknown, []int64{theirs, 1 << 40})
		if len(res.Recorded) != 3 {
			t.Fatalf("recorded %d events, want 3: %+v", len(res.Recorded), res.Recorded)
		}
		for _, ev := range res.Recorded {
			if ev.ID == 0 || ev.RecordedAt.IsZero() {
				t.Errorf("recorded event %+v lacks its id or time", ev)
			}
		}
		got, err := e.svc.DeliveryEvents(e.admin, received)
		if err != nil {
			t.Fatal(err)
		}
		want := []core.DeliveryEvent{
			{ID: res.Recorded[0].ID, LeadID: received, Code: "2", Reason: "1", At: at, Consumer: got[0].Consumer, RecordedAt: res.Recorded[0].RecordedAt},
			{ID: res.Recorded[2].ID, LeadID: received, Code: "5", Reason: "7", At: at.Add(2 * time.Minute), Consumer: got[0].Consumer, RecordedAt: res.Recorded[2].RecordedAt},
		}
		if len(got) != 2 || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("events of the received lead:\n got %+v\nwant %+v", got, want)
		}
		if got[0].Consumer.APIKeyID == 0 {
			t.Errorf("event's consumer %+v, want the API key", got[0].Consumer)
		}
		if evs, _ := e.svc.DeliveryEvents(e.admin, ready); len(evs) != 0 {
			t.Errorf("events of the ready lead: %+v", evs)
		}
		if _, err := e.svc.DeliveryEvents(e.admin, theirs); core.ErrorCode(err) != core.NotFound {
			t.Errorf("events of another dealer's lead: %v, want not found", err)
		}

		// invalid events record nothing
		for _, bad := range []core.DeliveryEvent{
			{LeadID: handed, At: at},
			{LeadID: handed, Code: "2"},
			{LeadID: 0, Code: "2", At: at},
			{LeadID: handed, Code: strings.Repeat("x", core.MaxDeliveryCodeLen+1), At: at},
		} {
			_, err := e.svc.RecordDeliveryEvents(k, []core.DeliveryEvent{{LeadID: handed, Code: "9", At: at}, bad})
			if core.ErrorCode(err) != core.Invalid {
				t.Errorf("event %+v: %v, want invalid", bad, err)
			}
		}
		if evs, _ := e.svc.DeliveryEvents(e.admin, handed); len(evs) != 1 {
			t.Errorf("events of the handed lead: %+v, want the one valid call's", evs)
		}
	})
}

// TestDeliveryNeedsAConsumer: a pull needs a credential; too many ids are
// refused.
func TestDeliveryNeedsAConsumer(t *testing.T) {
	st := testkit.OpenStore(t)
	e := newDeliveryEnv(t, st)
	if _, err := e.svc.PullLeads(context.Background(), 10); core.ErrorCode(err) != core.Unauthorized {
		t.Errorf("pull without principal: %v", err)
	}
	nobody := core.WithPrincipal(context.Background(), core.Principal{DealerIDs: []int64{e.f.Dealer.ID}})
	if _, err := e.svc.PullLeads(nobody, 10); core.ErrorCode(err) != core.Unauthorized {
		t.Errorf("pull without credential identity: %v", err)
	}
	ids := make([]int64, core.MaxDeliveryIDs+1)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	if _, err := e.svc.ConfirmLeads(e.admin, ids); core.ErrorCode(err) != core.Invalid {
		t.Errorf("confirm of %d ids: %v", len(ids), err)
	}
}
