package core_test

import (
	"errors"
	"testing"
	"time"

	"forecourt/internal/core"
)

// TestDeleteLead: a lead is deleted with what is part of it (tasks, notes,
// appointments, history, the documents that extend it); its client stays
// and another document that names it keeps no link; a stale version and
// another dealer's lead are refused and delete nothing.
func TestDeleteLead(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		l := e.lead(t, func(l *core.Lead) {
			l.Notes = []core.Note{{Content: "nota"}}
			l.Tasks = []core.Task{{Type: core.TaskOther, Media: core.MediaPhone, Description: "llamar"}}
		})
		when := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
		if _, err := e.svc.CreateAppointment(e.admin, core.Appointment{LeadID: l.ID, Type: core.AppointmentVisit, StartAt: when}); err != nil {
			t.Fatal(err)
		}
		ext, err := e.svc.CreateDocument(e.admin, core.Document{DealerID: l.DealerID, Collection: "walcu.test", Body: []byte(`{"a":1}`), LeadID: &l.ID, RecordID: &l.ID})
		if err != nil {
			t.Fatal(err)
		}
		other, err := e.svc.CreateDocument(e.admin, core.Document{DealerID: l.DealerID, Collection: "walcu.other", Body: []byte(`{}`), LeadID: &l.ID})
		if err != nil {
			t.Fatal(err)
		}
		cur := mustFind(t, e, l.ID)

		if err := e.svc.DeleteLead(e.other, l.ID, 0); core.ErrorCode(err) != core.NotFound {
			t.Fatalf("another dealer's admin deletes: %v", err)
		}
		if err := e.svc.DeleteLead(e.admin, l.ID, cur.Version+1); !errors.Is(err, core.ErrStaleVersion) {
			t.Fatalf("stale version: %v", err)
		}
		if _, err := e.svc.FindLead(e.admin, l.ID); err != nil {
			t.Fatalf("refused deletes deleted: %v", err)
		}
		if err := e.svc.DeleteLead(e.admin, l.ID, cur.Version); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.FindLead(e.admin, l.ID); core.ErrorCode(err) != core.NotFound {
			t.Fatalf("deleted lead found: %v", err)
		}
		if _, err := e.svc.FindDocument(e.admin, ext.ID); core.ErrorCode(err) != core.NotFound {
			t.Fatalf("the lead's extension survives: %v", err)
		}
		d, err := e.svc.FindDocument(e.admin, other.ID)
		if err != nil || d.LeadID != nil {
			t.Fatalf("a document about the lead: %+v, %v", d, err)
		}
		if _, err := e.svc.FindClient(e.admin, l.Client.ID); err != nil {
			t.Fatalf("the client went with the lead: %v", err)
		}
		if _, err := e.svc.FindTask(e.admin, cur.Tasks[0].ID); core.ErrorCode(err) != core.NotFound {
			t.Fatalf("the lead's task survives: %v", err)
		}
		if err := e.svc.DeleteLead(e.admin, l.ID, 0); core.ErrorCode(err) != core.NotFound {
			t.Fatalf("deleted twice: %v", err)
		}
	})
}

// TestCreateLeadForStoredClient: a lead given a client by its id is that
// stored client's, as stored; a client of another dealer, or none, is
// refused naming client.id.
func TestCreateLeadForStoredClient(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		first := e.lead(t, nil)
		second := e.lead(t, func(l *core.Lead) { l.Client = &core.Client{ID: first.Client.ID, Name: "ignored"} })
		if second.Client.ID != first.Client.ID || second.Client.Name != first.Client.Name {
			t.Fatalf("second lead's client: %+v", second.Client)
		}
		theirs, err := e.svc.CreateLead(e.other, core.Lead{SourceID: e.otherS.ID, Vehicle: &core.Vehicle{BrandModel: "Golf"}, Client: &core.Client{Name: "Otro", Phone: "611222333"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{theirs.Client.ID, 1 << 40} {
			_, err := e.svc.CreateLead(e.admin, core.Lead{SourceID: e.f.SourceIDs["phone"], Vehicle: &core.Vehicle{BrandModel: "Golf"}, Client: &core.Client{ID: id}})
			var ce *core.Error
			if !errors.As(err, &ce) || ce.Code != core.Invalid || ce.Fields["client.id"] == "" {
				t.Fatalf("client %d: %v", id, err)
			}
		}
	})
}
