package core_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/demo"
)

// ecCtx acts as the Ecuadorian demo dealer's API user.
func ecCtx(e env) context.Context {
	return core.WithPrincipal(context.Background(), core.Principal{UserID: e.f.EC.UserID, DealerIDs: []int64{e.f.EC.DealerID}})
}

func ecIntake(e env, ref, govID string) core.Intake {
	line := e.f.EC.BusinessLines["2"]
	in := core.Intake{
		Lead: core.Lead{DealerID: e.f.EC.DealerID, SourceID: e.f.EC.Medios["13"], Vehicle: &core.Vehicle{BrandModel: "Toyota Hilux"},
			Client: &core.Client{Name: "FREDDY ROBERTO RODRIGUEZ VARGAS", Phone: "0987519882", Email: "freddy@example.com", GovID: govID}},
		Profile:       core.LeadProfile{Kind: core.ProfileEnquiry, BusinessLineID: &line, Ext: map[string]string{"casabaca.datos_adicionales": `{"a":1}`}},
		SameOpen:      true,
		Communication: &core.Communication{Kind: core.CommCall, Direction: core.CommInbound, Subject: "Mantenimiento"},
	}
	if ref != "" {
		in.Ref = &core.LeadRef{System: "casabaca.inconcert", Ref: ref}
	}
	return in
}

// TestIntakeLead: a lead received from another system is stored with its
// profile, ref and communication, given in turn to the advisors of its
// source's agency who serve its business line, and recorded in its
// history; sent again (same ref, or an open lead of the same government
// id and business line) it creates nothing; once that lead has ended, the
// same client's new lead is a new one.
func TestIntakeLead(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		ctx := ecCtx(e)
		first, err := e.svc.IntakeLead(ctx, ecIntake(e, "inc-1", "1719932079"))
		if err != nil {
			t.Fatal(err)
		}
		l := first.Lead
		if first.Existing || l.ID == 0 || l.DealerID != e.f.EC.DealerID || l.UserID == nil || first.Profile.LeadID != l.ID ||
			first.Communication == nil || first.Communication.ID == 0 || first.Communication.LeadID != l.ID {
			t.Fatalf("intake: %+v", first)
		}
		// medio 13 feeds MATRIZ; its advisors of line 2 (NUEVOS): JP_SALAZAR
		// and admin (who has no lines, so serves all), in turn by id
		if *l.UserID != e.f.EC.Users["JP_SALAZAR"] {
			t.Fatalf("assigned to %d, want JP_SALAZAR %d", *l.UserID, e.f.EC.Users["JP_SALAZAR"])
		}
		if pr, err := e.svc.LeadProfile(ctx, l.ID); err != nil || pr.Kind != core.ProfileEnquiry || pr.AgencyID == nil ||
			*pr.AgencyID != e.f.EC.Agencies["MATRIZ"] || pr.Ext["casabaca.datos_adicionales"] != `{"a":1}` {
			t.Fatalf("profile: %+v, %v", pr, err)
		}
		h, _ := lastHistoryIn(t, e, ctx, l.ID)
		if h.Kind != core.KindCommunicationLogged || len(h.Changes) != 1 || h.Changes[0].Field != "communications" {
			t.Fatalf("last history: %+v", h)
		}

		again, err := e.svc.IntakeLead(ctx, ecIntake(e, "inc-1", "0000000000"))
		if err != nil || !again.Existing || again.Lead.ID != l.ID || again.Communication == nil || again.Communication.ID != first.Communication.ID {
			t.Fatalf("same ref: %+v, %v", again, err)
		}
		same, err := e.svc.IntakeLead(ctx, ecIntake(e, "inc-2", "1719932079"))
		if err != nil || !same.Existing || same.Lead.ID != l.ID {
			t.Fatalf("same open lead: %+v, %v", same, err)
		}
		cs, err := e.svc.LeadCommunications(ctx, l.ID)
		if err != nil || len(cs) != 1 {
			t.Fatalf("communications: %v, %v", cs, err)
		}

		// other dealers see none of it
		if _, err := e.svc.LeadProfile(e.admin, l.ID); core.ErrorCode(err) != core.NotFound {
			t.Fatalf("another dealer's profile: %v", err)
		}
		if _, err := e.svc.FindCommunication(e.admin, first.Communication.ID); core.ErrorCode(err) != core.NotFound {
			t.Fatalf("another dealer's communication: %v", err)
		}

		if _, err := e.svc.CloseLead(ctx, l.ID, core.OutcomeNoSale, "solo_informacion", 0); err != nil {
			t.Fatal(err)
		}
		ended, err := e.svc.FindLead(ctx, l.ID)
		if err != nil || ended.Stage != core.StageEnd || ended.Reason != "solo_informacion" || ended.Outcome != core.OutcomeNoSale {
			t.Fatalf("closed: %+v, %v", ended, err)
		}
		next, err := e.svc.IntakeLead(ctx, ecIntake(e, "inc-3", "1719932079"))
		if err != nil || next.Existing || next.Lead.ID == l.ID {
			t.Fatalf("after the first ended: %+v, %v", next, err)
		}
		// the same client, matched by the core's rule
		if next.Lead.Client.ID != l.Client.ID {
			t.Fatalf("client %d, want the first lead's %d", next.Lead.Client.ID, l.Client.ID)
		}
		// round-robin: the next of the pool
		if *next.Lead.UserID != e.f.EC.Users["admin"] {
			t.Fatalf("second assigned to %d", *next.Lead.UserID)
		}
	})
}

// TestIntakeTakesTurns: leads with no assignee go to the pool's advisors
// in turn.
func TestIntakeTakesTurns(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		ctx := ecCtx(e)
		var got []int64
		for i := range 4 {
			in := ecIntake(e, "", "")
			in.Profile.BusinessLineID = nil
			in.Lead.SourceID = e.f.EC.Medios["11"] // CUMBAYA: MA_PALACIOS, DF_ANDRADE, PM_MARTINEZ
			in.Lead.Client.Phone = "098751988" + string(rune('0'+i))
			in.Lead.Client.Email = ""
			r, err := e.svc.IntakeLead(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, *r.Lead.UserID)
		}
		u := e.f.EC.Users
		want := []int64{u["MA_PALACIOS"], u["DF_ANDRADE"], u["PM_MARTINEZ"]}
		slices.Sort(want)
		want = append(want, want[0])
		if !slices.Equal(got, want) {
			t.Fatalf("turns %v, want %v", got, want)
		}
	})
}

// TestConcurrentIntakes: the same lead sent many times at once makes one.
func TestConcurrentIntakes(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		ctx := ecCtx(e)
		var wg sync.WaitGroup
		ids := make([]int64, 8)
		errs := make([]error, 8)
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := e.svc.IntakeLead(ctx, ecIntake(e, "same", "1719932079"))
				ids[i], errs[i] = r.Lead.ID, err
			}()
		}
		wg.Wait()
		for i := range ids {
			if errs[i] != nil || ids[i] != ids[0] {
				t.Fatalf("intake %d: lead %d, %v; first %d", i, ids[i], errs[i], ids[0])
			}
		}
	})
}

// TestIntakeInvalid: a profile naming what the dealer does not have, or a
// bad communication, is Invalid and stores nothing.
func TestIntakeInvalid(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		ctx := ecCtx(e)
		in := ecIntake(e, "x", "")
		bad := int64(999999)
		in.Profile.BusinessLineID = &bad
		in.Communication.Status = "weird"
		_, err := e.svc.IntakeLead(ctx, in)
		wantCode(t, err, core.Invalid, "profile.business_line")
		wantCode(t, err, core.Invalid, "communication.status")
		if _, n, err := e.svc.FindLeads(ctx, core.Query{Limit: 1, Total: true}); err != nil || n != 0 {
			t.Fatalf("%d leads, %v", n, err)
		}
	})
}

// TestLogCommunication: a communication logged on a lead is the lead's
// dealer's and client's, recorded in its history without changing it.
func TestLogCommunication(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		l := e.lead(t, nil)
		start := time.Date(2021, 10, 2, 19, 59, 0, 0, time.UTC)
		c, err := e.svc.LogCommunication(e.admin, core.Communication{LeadID: l.ID, Direction: core.CommOutbound, Status: core.CommNotAnswered,
			StartAt: start, Duration: 10 * time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		if c.DealerID != l.DealerID || c.ClientID == nil || *c.ClientID != l.Client.ID || c.Kind != core.CommCall || c.PublicID == "" {
			t.Fatalf("communication: %+v", c)
		}
		h, _ := lastHistory(t, e, l.ID)
		if h.Kind != core.KindCommunicationLogged || h.Changes[0].New != "call outbound not_answered 2021-10-02T19:59:00Z" {
			t.Fatalf("history: %+v", h)
		}
		if got := mustFind(t, e, l.ID); got.Version != l.Version {
			t.Fatalf("the lead changed: v%d", got.Version)
		}
		if _, err := e.svc.LogCommunication(e.other, core.Communication{LeadID: l.ID}); core.ErrorCode(err) != core.NotFound {
			t.Fatalf("another dealer logs on the lead: %v", err)
		}
		if id, err := e.svc.ResolvePublicID(e.admin, core.RecordCommunication, c.PublicID); err != nil || id != c.ID {
			t.Fatalf("by public id: %d, %v", id, err)
		}
		_, err = e.svc.LogCommunication(e.admin, core.Communication{LeadID: l.ID, Duration: 25 * time.Hour})
		wantCode(t, err, core.Invalid, "duration")
	})
}

// TestAssignmentPool: the pool falls back from position to business line
// to agency to the dealer, among active advisors.
func TestAssignmentPool(t *testing.T) {
	a1, a2, l1, l2 := int64(1), int64(2), int64(10), int64(20)
	o := core.Organisation{DealerID: 7, Staff: []core.Staff{
		{UserID: 100, Role: core.RoleAdvisor, AgencyID: &a1, BusinessLineIDs: []int64{l1}, Position: "2", Active: true},
		{UserID: 101, Role: core.RoleAdvisor, AgencyID: &a1, BusinessLineIDs: []int64{l1}, Active: true},
		{UserID: 102, Role: core.RoleAdvisor, AgencyID: &a1, Active: true},
		{UserID: 103, Role: core.RoleCallCentre, AgencyID: &a1, Active: true},
		{UserID: 104, Role: core.RoleAdvisor, AgencyID: &a2, BusinessLineIDs: []int64{l2}, Active: true},
		{UserID: 105, Role: core.RoleAdvisor, AgencyID: &a1, Active: false},
	}}
	var users []core.User
	for id := int64(100); id <= 105; id++ {
		users = append(users, core.User{ID: id, IsActive: true, Memberships: []core.Membership{{DealerID: 7}}})
	}
	for _, tt := range []struct {
		agency, line *int64
		position     string
		want         []int64
	}{
		{&a1, &l1, "2", []int64{100}},
		{&a1, &l1, "9", []int64{100, 101, 102}},
		{&a1, &l2, "", []int64{102}}, // 102 serves every line
		{&a2, &l1, "", []int64{104}},
		{nil, &l2, "", []int64{102, 104}},
		{nil, nil, "", []int64{100, 101, 102, 104}},
	} {
		if got := core.AssignmentPool(o, users, tt.agency, tt.line, tt.position).Candidates; !slices.Equal(got, tt.want) {
			t.Errorf("pool(%v, %v, %q) = %v, want %v", tt.agency, tt.line, tt.position, got, tt.want)
		}
	}
	if got := core.NextInTurn([]int64{3, 5, 9}, 5); got != 9 {
		t.Errorf("after 5: %d", got)
	}
	if got := core.NextInTurn([]int64{3, 5, 9}, 9); got != 3 {
		t.Errorf("after 9: %d", got)
	}
	_ = demo.ECUser
}

func lastHistoryIn(t *testing.T, e env, ctx context.Context, id int64) (core.History, int) {
	t.Helper()
	hs, n, err := e.svc.LeadHistory(ctx, id, true, core.Page{Limit: 1})
	if err != nil || len(hs) != 1 {
		t.Fatalf("history of lead %d: %v, %v", id, hs, err)
	}
	return hs[0], n
}

// TestCreateSoleAppointment: a lead holds one planned appointment at a
// time through CreateSoleAppointment; a held one is always taken, and a
// cancelled one frees the place.
func TestCreateSoleAppointment(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		l := e.lead(t, nil)
		start := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		a, err := e.svc.CreateSoleAppointment(e.admin, core.Appointment{LeadID: l.ID, StartAt: start})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.CreateSoleAppointment(e.admin, core.Appointment{LeadID: l.ID, StartAt: start.Add(time.Hour)}); !errors.Is(err, core.ErrAppointmentPlanned) {
			t.Fatalf("a second planned: %v", err)
		}
		if _, err := e.svc.CreateSoleAppointment(e.admin, core.Appointment{LeadID: l.ID, StartAt: start, Status: core.AppointmentDone}); err != nil {
			t.Fatalf("a held one: %v", err)
		}
		if _, err := e.svc.UpdateAppointment(e.admin, a.ID, core.AppointmentPatch{Status: core.Value(core.AppointmentCancelled)}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.CreateSoleAppointment(e.admin, core.Appointment{LeadID: l.ID, StartAt: start}); err != nil {
			t.Fatalf("after the cancel: %v", err)
		}
	})
}

// TestDeleteParentLead: deleting an enquiry that an opportunity came from
// deletes the enquiry only; the opportunity stays, without its parent.
func TestDeleteParentLead(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		ctx := ecCtx(e)
		enquiry, err := e.svc.IntakeLead(ctx, ecIntake(e, "parent-1", "1719932079"))
		if err != nil {
			t.Fatal(err)
		}
		in := ecIntake(e, "child-1", "1719932079")
		in.SameOpen = false
		in.Profile.Kind, in.Profile.ParentID = core.ProfileOpportunity, &enquiry.Lead.ID
		opp, err := e.svc.IntakeLead(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if pr, err := e.svc.LeadProfile(ctx, opp.Lead.ID); err != nil || pr.ParentID == nil || *pr.ParentID != enquiry.Lead.ID {
			t.Fatalf("opportunity's profile: %+v, %v", pr, err)
		}
		if err := e.svc.DeleteLead(ctx, enquiry.Lead.ID, 0); err != nil {
			t.Fatalf("delete the enquiry: %v", err)
		}
		if _, err := e.svc.FindLead(ctx, enquiry.Lead.ID); core.ErrorCode(err) != core.NotFound {
			t.Fatalf("enquiry after delete: %v", err)
		}
		if pr, err := e.svc.LeadProfile(ctx, opp.Lead.ID); err != nil || pr.ParentID != nil || pr.Kind != core.ProfileOpportunity {
			t.Fatalf("opportunity's profile after delete: %+v, %v", pr, err)
		}
	})
}
