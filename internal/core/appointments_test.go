package core_test

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/testkit"
)

// TestAppointments: an appointment is made for a lead's client (its
// dealer and client, received by the lead's assignee unless another user
// of the dealer is given), read, changed with its version, and deleted;
// the lead's history records each act and the lead does not change.
func TestAppointments(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		l := e.lead(t, nil)
		start := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		end := start.Add(time.Hour)
		a, err := e.svc.CreateAppointment(e.admin, core.Appointment{LeadID: l.ID, Type: core.AppointmentTestDrive, Title: " Prueba del León ",
			StartAt: start, EndAt: &end, Place: "Exposición", Ext: map[string]string{"casabaca.visit_type": "1"}})
		if err != nil {
			t.Fatal(err)
		}
		if a.ID == 0 || a.PublicID == "" || a.Version != 1 || a.DealerID != e.f.DealerID || a.ClientID == nil || *a.ClientID != l.Client.ID ||
			a.UserID == nil || *a.UserID != *l.UserID || a.CreatedBy == nil || *a.CreatedBy != e.f.AdminID || a.Status != core.AppointmentPlanned ||
			a.Title != "Prueba del León" || a.CreatedAt.IsZero() {
			t.Fatalf("created appointment: %+v", a)
		}
		found, err := e.svc.FindAppointment(e.admin, a.ID)
		if err != nil || !found.StartAt.Equal(start) || !found.EndAt.Equal(end) || found.Ext["casabaca.visit_type"] != "1" || found.Version != 1 {
			t.Fatalf("found appointment: %+v, %v", found, err)
		}
		if got := mustFind(t, e, l.ID); got.Version != l.Version || !got.UpdatedAt.Equal(l.UpdatedAt) {
			t.Fatalf("an appointment changed its lead: v%d", got.Version)
		}
		h, _ := lastHistory(t, e, l.ID)
		if h.Kind != core.KindAppointmentCreated ||
			!slices.Equal(h.Changes, []core.Change{{Field: "appointments", New: "test_drive planned 2026-12-01T10:00:00Z Prueba del León"}}) {
			t.Fatalf("history of the creation: %+v", h)
		}
		if id, err := e.svc.ResolvePublicID(e.admin, core.RecordAppointment, a.PublicID); err != nil || id != a.ID {
			t.Fatalf("by public id: %d, %v", id, err)
		}

		// another user of the dealer receives the client, the client did not come
		adv := e.f.AdvisorIDs[0]
		later := start.Add(24 * time.Hour)
		upd, err := e.svc.UpdateAppointment(e.admin, a.ID, core.AppointmentPatch{Version: 1, UserID: core.Value(&adv),
			Status: core.Value(core.AppointmentNoShow), StartAt: core.Value(later), EndAt: core.Value[*time.Time](nil)})
		if err != nil || upd.Version != 2 || *upd.UserID != adv || upd.EndAt != nil || !upd.UpdatedAt.After(a.UpdatedAt) {
			t.Fatalf("updated appointment: %+v, %v", upd, err)
		}
		h, entries := lastHistory(t, e, l.ID)
		p := "appointments." + strconv.FormatInt(a.ID, 10) + "."
		want := []core.Change{{Field: p + "status", Old: "planned", New: "no_show"}, {Field: p + "start", Old: "2026-12-01T10:00:00Z", New: "2026-12-02T10:00:00Z"},
			{Field: p + "end", Old: "2026-12-01T11:00:00Z"}, {Field: p + "user", Old: strconv.FormatInt(*l.UserID, 10), New: strconv.FormatInt(adv, 10)}}
		if h.Kind != core.KindAppointmentUpdated || !slices.Equal(h.Changes, want) {
			t.Fatalf("history of the change: %+v", h)
		}
		_, err = e.svc.UpdateAppointment(e.admin, a.ID, core.AppointmentPatch{Version: 1, Status: core.Value(core.AppointmentDone)})
		wantStale(t, err, "version")
		if same, err := e.svc.UpdateAppointment(e.admin, a.ID, core.AppointmentPatch{Status: core.Value(core.AppointmentNoShow)}); err != nil || same.Version != 2 {
			t.Fatalf("a patch that changes nothing: v%d, %v", same.Version, err)
		}
		if _, n := lastHistory(t, e, l.ID); n != entries {
			t.Fatal("a patch that changes nothing recorded history")
		}
		if got, _ := e.svc.FindAppointment(e.admin, a.ID); got.Status != core.AppointmentNoShow || got.Version != 2 {
			t.Fatalf("appointment after refused patches: %+v", got)
		}

		// invalid appointments and changes
		otherUser := e.otherU
		for name, tt := range map[string]struct {
			a     core.Appointment
			field string
		}{
			"no start":         {core.Appointment{LeadID: l.ID}, "start_at"},
			"end before start": {core.Appointment{LeadID: l.ID, StartAt: start, EndAt: &start, Title: "x"}, ""},
			"type":             {core.Appointment{LeadID: l.ID, StartAt: start, Type: "party"}, "type"},
			"status":           {core.Appointment{LeadID: l.ID, StartAt: start, Status: "maybe"}, "status"},
			"another's user":   {core.Appointment{LeadID: l.ID, StartAt: start, UserID: &otherUser}, "user"},
			"unknown user":     {core.Appointment{LeadID: l.ID, StartAt: start, UserID: new(int64(999999))}, "user"},
			"ext key":          {core.Appointment{LeadID: l.ID, StartAt: start, Ext: map[string]string{"nokey": "1"}}, "ext.nokey"},
		} {
			if tt.field == "" {
				before := start.Add(-time.Minute)
				tt.a.EndAt, tt.field = &before, "end_at"
			}
			_, err := e.svc.CreateAppointment(e.admin, tt.a)
			if ce, ok := err.(*core.Error); !ok || ce.Code != core.Invalid || ce.Fields[tt.field] == "" {
				t.Errorf("%s: %v, want Invalid at %s", name, err, tt.field)
			}
		}
		_, err = e.svc.UpdateAppointment(e.admin, a.ID, core.AppointmentPatch{UserID: core.Value(&otherUser)})
		wantCode(t, err, core.Invalid, "user")

		// lists: the dealer's agenda, a user's, by status; groups
		b, err := e.svc.CreateAppointment(e.admin, core.Appointment{LeadID: l.ID, Type: core.AppointmentDelivery, StartAt: start, Title: "Entrega"})
		if err != nil {
			t.Fatal(err)
		}
		list := func(q core.Query) []int64 {
			t.Helper()
			q.Limit, q.Total = -1, true
			as, n, err := e.svc.FindAppointments(e.admin, q)
			if err != nil || n != len(as) {
				t.Fatalf("find appointments: %d of %d, %v", len(as), n, err)
			}
			var ids []int64
			for _, a := range as {
				ids = append(ids, a.ID)
			}
			return ids
		}
		if got := list(core.Query{}); !slices.Equal(got, []int64{b.ID, a.ID}) {
			t.Fatalf("agenda by start: %v", got)
		}
		if got := list(core.Query{Where: core.Eq("user", adv)}); !slices.Equal(got, []int64{a.ID}) {
			t.Fatalf("an advisor's agenda: %v", got)
		}
		if got := list(core.Query{Where: core.And(core.Eq("lead", l.ID), core.Eq("status", "planned"))}); !slices.Equal(got, []int64{b.ID}) {
			t.Fatalf("planned appointments of the lead: %v", got)
		}
		if got := list(core.Query{Where: core.Match("entrega")}); !slices.Equal(got, []int64{b.ID}) {
			t.Fatalf("search: %v", got)
		}
		if got := list(core.Query{Where: core.Cond{Op: core.OpGte, Field: "start_at", Value: "2026-12-02"}, Sort: []core.Sort{{Field: "start_at", Desc: true}}}); !slices.Equal(got, []int64{a.ID}) {
			t.Fatalf("from a date: %v", got)
		}
		gs, err := e.svc.GroupAppointments(e.admin, core.Query{GroupBy: "type"})
		if err != nil || len(gs) != 2 || gs[0].Count != 1 {
			t.Fatalf("groups by type: %+v, %v", gs, err)
		}
		_, _, err = e.svc.FindAppointments(e.admin, core.Query{Where: core.Eq("colour", "red")})
		wantCode(t, err, core.Invalid, "colour")

		// another dealer sees none of them
		if as, n, err := e.svc.FindAppointments(e.other, core.Query{Limit: -1, Total: true}); err != nil || n != 0 || len(as) != 0 {
			t.Fatalf("another dealer's list: %d, %v", n, err)
		}
		if as, _, _ := e.svc.FindAppointments(e.other, core.Query{Where: core.Eq("dealer", e.f.DealerID), Limit: -1}); len(as) != 0 {
			t.Fatal("another dealer lists a dealer's appointments by naming it")
		}
		for name, err := range map[string]error{
			"find": func() error { _, err := e.svc.FindAppointment(e.other, a.ID); return err }(),
			"update": func() error {
				_, err := e.svc.UpdateAppointment(e.other, a.ID, core.AppointmentPatch{Title: core.Value("x")})
				return err
			}(),
			"delete": e.svc.DeleteAppointment(e.other, a.ID),
			"create": func() error {
				_, err := e.svc.CreateAppointment(e.other, core.Appointment{LeadID: l.ID, StartAt: start})
				return err
			}(),
			"public": func() error { _, err := e.svc.ResolvePublicID(e.other, core.RecordAppointment, a.PublicID); return err }(),
		} {
			if core.ErrorCode(err) != core.NotFound {
				t.Errorf("%s another dealer's appointment: %v", name, err)
			}
		}

		// a deletion of the appointment as it was at a version it no longer has
		cur, err := e.svc.FindAppointment(e.admin, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.DeleteAppointmentVersion(e.admin, a.ID, cur.Version+1); core.ErrorCode(err) != core.Conflict {
			t.Fatalf("a stale deletion: %v", err)
		}
		if err := e.svc.DeleteAppointmentVersion(e.admin, a.ID, cur.Version); err != nil {
			t.Fatal(err)
		}
		if h, _ := lastHistory(t, e, l.ID); h.Kind != core.KindAppointmentDeleted ||
			!slices.Equal(h.Changes, []core.Change{{Field: "appointments", Old: "test_drive no_show 2026-12-02T10:00:00Z Prueba del León"}}) {
			t.Fatalf("history of the deletion: %+v", h)
		}
		if _, err := e.svc.FindAppointment(e.admin, a.ID); core.ErrorCode(err) != core.NotFound {
			t.Fatalf("deleted appointment: %v", err)
		}
		if got := mustFind(t, e, l.ID); got.Version != l.Version {
			t.Fatalf("appointments changed the lead's version to %d", got.Version)
		}
	})
}

// TestAppointmentOfLeadWithoutClient: an appointment of a lead without a
// client has none; one made by an API key acting as no user has no
// creator, and is received by the lead's assignee.
func TestAppointmentOfLeadWithoutClient(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		l := e.lead(t, func(l *core.Lead) { l.Client = nil })
		key := core.WithPrincipal(e.admin, core.Principal{APIKeyID: 1, DealerIDs: []int64{e.f.DealerID}})
		a, err := e.svc.CreateAppointment(key, core.Appointment{LeadID: l.ID, StartAt: testkit.Now})
		if err != nil || a.ClientID != nil || a.CreatedBy != nil || a.UserID == nil {
			t.Fatalf("appointment: %+v, %v", a, err)
		}
	})
}

// TestConcurrentAppointmentWriters: two writers who read the same version
// of an appointment change it at once; one gets ErrStaleVersion.
func TestConcurrentAppointmentWriters(t *testing.T) {
	r, opts := racing()
	engines(t, func(t *testing.T, e env) {
		l := e.lead(t, nil)
		a, err := e.svc.CreateAppointment(e.admin, core.Appointment{LeadID: l.ID, StartAt: testkit.Now})
		if err != nil {
			t.Fatal(err)
		}
		update := func(title string) func() error {
			return func() error {
				_, err := e.svc.UpdateAppointment(e.admin, a.ID, core.AppointmentPatch{Version: a.Version, Title: core.Value(title)})
				return err
			}
		}
		errA, errB := race(r, update("a"), update("b"))
		winner := "a"
		switch {
		case errA == nil && errB != nil:
			wantStale(t, errB, "version")
		case errB == nil && errA != nil:
			wantStale(t, errA, "version")
			winner = "b"
		default:
			t.Fatalf("both writers of version %d: %v, %v; want one stale", a.Version, errA, errB)
		}
		got, err := e.svc.FindAppointment(e.admin, a.ID)
		if err != nil || got.Title != winner || got.Version != a.Version+1 {
			t.Fatalf("appointment after the race: %q v%d, %v; want %q v%d", got.Title, got.Version, err, winner, a.Version+1)
		}
	}, opts...)
}
