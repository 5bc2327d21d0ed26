package core_test

import (
	"strings"
	"testing"

	"forecourt/internal/core"
)

// TestResolvePublicID: every record with a public id is found by it, by a
// principal that may see it, and by no other.
func TestResolvePublicID(t *testing.T) {
	e := newEnv(t)
	l := e.lead(t, func(l *core.Lead) {
		l.Tasks = []core.Task{{Type: core.TaskDate, Description: "Prueba"}}
	})
	ds, _, err := e.svc.FindDealers(e.admin, core.Query{Limit: -1})
	if err != nil || len(ds) != 1 {
		t.Fatalf("dealers: %v %v", ds, err)
	}
	us, _, err := e.svc.FindUsers(e.admin, core.Query{Where: core.Eq("id", e.f.AdminID), Limit: 1})
	if err != nil || len(us) != 1 {
		t.Fatalf("users: %v %v", us, err)
	}
	for _, tc := range []struct {
		kind     core.RecordKind
		publicID string
		id       int64
	}{
		{core.RecordDealer, ds[0].PublicID, ds[0].ID},
		{core.RecordUser, us[0].PublicID, us[0].ID},
		{core.RecordClient, l.Client.PublicID, l.Client.ID},
		{core.RecordLead, l.PublicID, l.ID},
		{core.RecordTask, l.Tasks[0].PublicID, l.Tasks[0].ID},
	} {
		if tc.publicID == "" {
			t.Fatalf("%s has no public id", tc.kind)
		}
		got, err := e.svc.ResolvePublicID(e.admin, tc.kind, tc.publicID)
		if err != nil || got != tc.id {
			t.Errorf("%s %s: %d %v, want %d", tc.kind, tc.publicID, got, err, tc.id)
		}
		_, err = e.svc.ResolvePublicID(e.other, tc.kind, tc.publicID)
		wantCode(t, err, core.NotFound, "")
		if tc.kind != core.RecordLead {
			_, err = e.svc.ResolvePublicID(e.admin, core.RecordLead, tc.publicID) // another kind's id
			wantCode(t, err, core.NotFound, "")
		}
	}
	for _, bad := range []string{"", "0190b5a4-0000-7000-8000-000000000000", strings.Repeat("a", 1<<20)} {
		_, err := e.svc.ResolvePublicID(e.admin, core.RecordLead, bad)
		wantCode(t, err, core.NotFound, "")
	}
}

// TestResolvePublicIDNotText: an id that is no UTF-8 text, or holds a NUL
// (a URL path's %ff or %00), is no record's: NotFound on both engines,
// where PostgreSQL refused it as text and the APIs answered 500.
func TestResolvePublicIDNotText(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		l := e.lead(t, nil)
		for _, bad := range []string{"\xff\xfe", l.PublicID[:8] + "\xed\xa0\x80", "abc\xc3", "\x00", l.PublicID + "\x00"} {
			for _, kind := range []core.RecordKind{core.RecordLead, core.RecordTask, core.RecordCommunication, core.RecordAppointment} {
				_, err := e.svc.ResolvePublicID(e.admin, kind, bad)
				wantCode(t, err, core.NotFound, "")
			}
		}
	})
}
