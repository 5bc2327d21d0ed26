package core_test

import (
	"testing"
	"time"

	"forecourt/internal/core"
)

// TestClientCommunications: a client's communications that took place
// are tallied by kind and direction with the latest start, and its latest
// one is read; planned ones are left out; another dealer gets nothing.
func TestClientCommunications(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		l := e.lead(t, nil)
		t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
		for _, c := range []core.Communication{
			{LeadID: l.ID, Kind: core.CommCall, Direction: core.CommInbound, StartAt: t0},
			{LeadID: l.ID, Kind: core.CommCall, Direction: core.CommInbound, Status: core.CommNotAnswered, StartAt: t0.Add(time.Hour)},
			{LeadID: l.ID, Kind: core.CommSMS, Direction: core.CommOutbound, StartAt: t0.Add(2 * time.Hour), Body: "último"},
			{LeadID: l.ID, Kind: core.CommCall, Direction: core.CommOutbound, Status: core.CommPlanned, StartAt: t0.Add(48 * time.Hour)},
		} {
			if _, err := e.svc.LogCommunication(e.admin, c); err != nil {
				t.Fatal(err)
			}
		}
		got, err := e.svc.ClientCommunications(e.admin, e.f.DealerID, []int64{l.Client.ID, l.Client.ID})
		if err != nil {
			t.Fatal(err)
		}
		tallies := map[string]core.CommTally{}
		for _, tl := range got.Tallies {
			if tl.ClientID == l.Client.ID {
				tallies[string(tl.Kind)+" "+string(tl.Direction)] = tl
			}
		}
		if len(tallies) != 2 || tallies["call inbound"].Count != 2 || !tallies["call inbound"].Last.Equal(t0.Add(time.Hour)) ||
			tallies["sms outbound"].Count != 1 {
			t.Fatalf("tallies: %+v", got.Tallies)
		}
		if last, ok := got.Latest[l.Client.ID]; !ok || last.Body != "último" {
			t.Fatalf("latest: %+v", got.Latest)
		}
		theirs, err := e.svc.ClientCommunications(e.other, e.f.DealerID, []int64{l.Client.ID})
		if err != nil || len(theirs.Tallies) != 0 || len(theirs.Latest) != 0 {
			t.Fatalf("another dealer: %+v %v", theirs, err)
		}
		many := make([]int64, core.MaxQueryValues+1)
		for i := range many {
			many[i] = int64(i + 1)
		}
		if _, err := e.svc.ClientCommunications(e.admin, e.f.DealerID, many); core.ErrorCode(err) != core.Invalid {
			t.Fatalf("too many clients: %v", err)
		}
	})
}
