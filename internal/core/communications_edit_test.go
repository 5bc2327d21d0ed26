package core_test

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"forecourt/internal/core"
)

// TestCommunicationEdits: a communication logged on a lead is changed with
// its version (kind, lead and client kept), listed and grouped through
// CommunicationSchema scoped to the principal's dealers, and deleted; the
// lead's history records each change; another dealer sees none of it.
func TestCommunicationEdits(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		l := e.lead(t, nil)
		start := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
		c, err := e.svc.LogCommunication(e.admin, core.Communication{LeadID: l.ID, Kind: core.CommCall, Direction: core.CommInbound,
			Status: core.CommNotAnswered, StartAt: start, Ext: map[string]string{"walcu.status": `"no-answer"`}})
		if err != nil {
			t.Fatal(err)
		}
		sms, err := e.svc.LogCommunication(e.admin, core.Communication{LeadID: l.ID, Kind: core.CommSMS, Direction: core.CommOutbound,
			Body: "Le esperamos", StartAt: start.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		upd, err := e.svc.UpdateCommunication(e.admin, c.ID, core.CommunicationPatch{Version: 1, Status: core.Value(core.CommHeld),
			Duration: core.Value(95 * time.Second), Ext: core.Value(map[string]string{"walcu.status": `"completed"`})})
		if err != nil || upd.Version != 2 || upd.Status != core.CommHeld || upd.Duration != 95*time.Second || upd.Kind != core.CommCall ||
			upd.ClientID == nil || *upd.ClientID != l.Client.ID {
			t.Fatalf("updated: %+v, %v", upd, err)
		}
		h, n := lastHistory(t, e, l.ID)
		p := "communications." + strconv.FormatInt(c.ID, 10) + "."
		want := []core.Change{{Field: p + "status", Old: "not_answered", New: "held"}, {Field: p + "duration", Old: "0", New: "95"},
			{Field: p + "ext.walcu.status", Old: `"no-answer"`, New: `"completed"`}}
		if h.Kind != core.KindCommunicationUpdated || !slices.Equal(h.Changes, want) {
			t.Fatalf("history of the change: %+v", h)
		}
		_, err = e.svc.UpdateCommunication(e.admin, c.ID, core.CommunicationPatch{Version: 1, Body: core.Value("x")})
		wantStale(t, err, "version")
		if same, err := e.svc.UpdateCommunication(e.admin, c.ID, core.CommunicationPatch{Status: core.Value(core.CommHeld)}); err != nil ||
			same.Version != 2 {
			t.Fatalf("a patch that changes nothing: %+v, %v", same, err)
		}
		if _, m := lastHistory(t, e, l.ID); m != n {
			t.Fatal("a patch that changes nothing recorded history")
		}
		for name, patch := range map[string]core.CommunicationPatch{
			"status":   {Status: core.Value(core.CommStatus("lost"))},
			"duration": {Duration: core.Value(25 * time.Hour)},
			"user":     {UserID: core.Value(&e.otherU)},
		} {
			if _, err := e.svc.UpdateCommunication(e.admin, c.ID, patch); core.ErrorCode(err) != core.Invalid {
				t.Errorf("patch of %s: %v", name, err)
			}
		}
		if _, err := e.svc.UpdateCommunication(e.other, c.ID, core.CommunicationPatch{Body: core.Value("x")}); core.ErrorCode(err) != core.NotFound {
			t.Fatalf("another dealer's patch: %v", err)
		}
		ext := map[string]string{}
		for i := range core.MaxCommExtFields + 1 {
			ext["walcu.f"+strconv.Itoa(i)] = "1"
		}
		if _, err := e.svc.UpdateCommunication(e.admin, c.ID, core.CommunicationPatch{Ext: core.Value(ext)}); core.ErrorCode(err) != core.Invalid {
			t.Fatalf("too many extension fields: %v", err)
		}

		calls, total, err := e.svc.FindCommunications(e.admin, core.Query{Where: core.And(core.Eq("lead", l.ID), core.Eq("kind", "call")),
			Sort: []core.Sort{{Field: "start_at", Desc: true}}, Limit: 10, Total: true})
		if err != nil || total != 1 || len(calls) != 1 || calls[0].ID != c.ID || calls[0].Version != 2 {
			t.Fatalf("calls of the lead: %+v %d %v", calls, total, err)
		}
		found, _, err := e.svc.FindCommunications(e.admin, core.Query{Where: core.And(core.Eq("lead", l.ID), core.Match("esperamos")), Limit: 10})
		if err != nil || len(found) != 1 || found[0].ID != sms.ID {
			t.Fatalf("search: %+v %v", found, err)
		}
		gs, err := e.svc.GroupCommunications(e.admin, core.Query{Where: core.Eq("lead", l.ID), GroupBy: "kind"})
		if err != nil || len(gs) != 2 {
			t.Fatalf("groups: %+v %v", gs, err)
		}
		if _, _, err := e.svc.FindCommunications(e.admin, core.Query{Where: core.Eq("nosuch", 1)}); core.ErrorCode(err) != core.Invalid {
			t.Fatalf("unknown field: %v", err)
		}
		if theirs, _, err := e.svc.FindCommunications(e.other, core.Query{Where: core.Eq("lead", l.ID), Limit: 10}); err != nil || len(theirs) != 0 {
			t.Fatalf("another dealer lists %+v %v", theirs, err)
		}

		if err := e.svc.DeleteCommunication(e.other, c.ID); core.ErrorCode(err) != core.NotFound {
			t.Fatalf("another dealer's delete: %v", err)
		}
		if err := e.svc.DeleteCommunication(e.admin, c.ID); err != nil {
			t.Fatal(err)
		}
		if h, _ := lastHistory(t, e, l.ID); h.Kind != core.KindCommunicationDeleted ||
			!slices.Equal(h.Changes, []core.Change{{Field: "communications", Old: "call inbound held 2026-11-02T09:30:00Z"}}) {
			t.Fatalf("history of the delete: %+v", h)
		}
		if _, err := e.svc.FindCommunication(e.admin, c.ID); core.ErrorCode(err) != core.NotFound {
			t.Fatalf("deleted communication found: %v", err)
		}
	})
}
