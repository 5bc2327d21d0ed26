package core_test

import (
	"slices"
	"testing"
	"time"

	"forecourt/internal/core"
)

// TestClientCalls: ClientCommunications reads each client's calls that
// took place, oldest first, with their durations and notes; planned calls
// and other kinds are left out.
func TestClientCalls(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		l := e.lead(t, nil)
		t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
		for _, c := range []core.Communication{
			{LeadID: l.ID, Kind: core.CommCall, Direction: core.CommInbound, StartAt: t0.Add(time.Hour), Duration: 90 * time.Second, Body: "segunda"},
			{LeadID: l.ID, Kind: core.CommCall, Direction: core.CommOutbound, StartAt: t0, Duration: 30 * time.Second, Body: "primera"},
			{LeadID: l.ID, Kind: core.CommSMS, Direction: core.CommOutbound, StartAt: t0, Body: "sms"},
			{LeadID: l.ID, Kind: core.CommCall, Direction: core.CommOutbound, Status: core.CommPlanned, StartAt: t0.Add(48 * time.Hour), Body: "por hacer"},
		} {
			if _, err := e.svc.LogCommunication(e.admin, c); err != nil {
				t.Fatal(err)
			}
		}
		got, err := e.svc.ClientCommunications(e.admin, e.f.DealerID, []int64{l.Client.ID})
		if err != nil {
			t.Fatal(err)
		}
		want := []core.ClientCall{{Duration: 30 * time.Second, Notes: "primera"}, {Duration: 90 * time.Second, Notes: "segunda"}}
		if !slices.Equal(got.Calls[l.Client.ID], want) {
			t.Fatalf("calls: %+v", got.Calls)
		}
		if theirs, err := e.svc.ClientCommunications(e.other, e.f.DealerID, []int64{l.Client.ID}); err != nil || len(theirs.Calls) != 0 {
			t.Fatalf("another dealer: %+v %v", theirs, err)
		}
	})
}

// TestPreviousAssignees: a lead's previous assignees are the users its
// history shows it was taken from, oldest first, each once; another
// dealer's principal, or a lead of another dealer, gets none.
func TestPreviousAssignees(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		a, b := e.f.AdminID, e.f.AdvisorIDs[0]
		l := e.lead(t, func(l *core.Lead) { l.UserID = &a })
		untouched := e.lead(t, nil)
		for _, u := range []int64{b, a, b} {
			var err error
			if l, err = e.svc.AssignLead(e.admin, l.ID, u, 0); err != nil {
				t.Fatal(err)
			}
		}
		got, err := e.svc.PreviousAssignees(e.admin, e.f.DealerID, []int64{l.ID, untouched.ID})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got[l.ID], []int64{a, b}) || len(got[untouched.ID]) != 0 {
			t.Fatalf("previous assignees: %v", got)
		}
		if theirs, err := e.svc.PreviousAssignees(e.other, e.f.DealerID, []int64{l.ID}); err != nil || len(theirs) != 0 {
			t.Fatalf("another dealer's principal: %v %v", theirs, err)
		}
		if theirs, err := e.svc.PreviousAssignees(e.other, e.otherD.ID, []int64{l.ID}); err != nil || len(theirs) != 0 {
			t.Fatalf("a lead of another dealer: %v %v", theirs, err)
		}
	})
}

// TestClientActivity: a client's leads are counted by kind with the
// latest creation, and their tasks (done or not), own notes (not tags)
// and appointments (with their makers) summed; another dealer gets none.
func TestClientActivity(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		l := e.lead(t, nil)
		l2 := e.lead(t, func(x *core.Lead) { x.Client = &core.Client{ID: l.Client.ID} })
		if l2.Client == nil || l2.Client.ID != l.Client.ID {
			t.Fatalf("second lead's client: %+v", l2.Client)
		}
		tk, err := e.svc.CreateTask(e.admin, l.ID, core.Task{Type: core.TaskTypes[0], Description: "llamar"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.CreateTask(e.admin, l2.ID, core.Task{Type: core.TaskTypes[0], Description: "otra", Done: true}); err != nil {
			t.Fatal(err)
		}
		for _, n := range []core.Note{{LeadID: l.ID, Content: "uno"}, {LeadID: l2.ID, Content: "dos"}, {LeadID: l.ID, Content: "etiqueta", Tag: true},
			{LeadID: l.ID, TaskID: tk.ID, Content: "de la tarea"}} {
			if _, err := e.svc.CreateNote(e.admin, n); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.svc.CreateAppointment(e.admin, core.Appointment{LeadID: l2.ID, Type: core.AppointmentVisit, StartAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		got, err := e.svc.ClientActivity(e.admin, e.f.DealerID, []int64{l.Client.ID})
		if err != nil {
			t.Fatal(err)
		}
		c := l.Client.ID
		if len(got.Leads[c]) != 1 || got.Leads[c][0].Kind != core.LeadSale || got.Leads[c][0].Count != 2 || !got.Leads[c][0].Last.Equal(l2.CreatedAt) {
			t.Fatalf("leads: %+v (second created %v)", got.Leads[c], l2.CreatedAt)
		}
		if got.Tasks[c] != 2 || got.DoneTasks[c] != 1 {
			t.Fatalf("tasks: %d, done %d", got.Tasks[c], got.DoneTasks[c])
		}
		if !slices.Equal(got.Notes[c], []string{"uno", "dos"}) || got.NoteCount[c] != 2 {
			t.Fatalf("notes: %q (%d)", got.Notes[c], got.NoteCount[c])
		}
		if got.Appointments[c] != 1 || !slices.Equal(got.AppointmentCreators[c], []int64{e.f.AdminID}) {
			t.Fatalf("appointments: %d by %v", got.Appointments[c], got.AppointmentCreators[c])
		}
		if theirs, err := e.svc.ClientActivity(e.other, e.f.DealerID, []int64{c}); err != nil || len(theirs.Leads) != 0 {
			t.Fatalf("another dealer: %+v %v", theirs, err)
		}
	})
}
