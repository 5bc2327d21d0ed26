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

// TestNormalPublicID: a UUID-shaped id is lowered, since a UUID's text is
// case-insensitive on input (RFC 9562); anything else is left as written.
func TestNormalPublicID(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"0190B5A4-ABCD-7EF0-8000-00000000000A", "0190b5a4-abcd-7ef0-8000-00000000000a"},
		{"0190b5a4-AbCd-7ef0-8000-00000000000a", "0190b5a4-abcd-7ef0-8000-00000000000a"},
		{"0190b5a4-abcd-7ef0-8000-00000000000a", "0190b5a4-abcd-7ef0-8000-00000000000a"},
		{"0190B5A4ABCD7EF0800000000000000A", "0190B5A4ABCD7EF0800000000000000A"},         // not the hyphenated form
		{"0190B5A4-ABCD-7EF0-8000-00000000000G", "0190B5A4-ABCD-7EF0-8000-00000000000G"}, // not hexadecimal
		{"0190B5A4-ABCD-7EF0-8000_00000000000A", "0190B5A4-ABCD-7EF0-8000_00000000000A"},
		{"RODRIGUEZ", "RODRIGUEZ"},
		{"", ""},
	} {
		if got := core.NormalPublicID(tc.in); got != tc.want {
			t.Errorf("NormalPublicID(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestResolvePublicIDCaseAside: a record is found by its public id in
// upper or mixed case, as by the lower case it is handed out in, on both
// engines; a principal of another dealer still finds nothing.
func TestResolvePublicIDCaseAside(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		l := e.lead(t, func(l *core.Lead) {
			l.Tasks = []core.Task{{Type: core.TaskDate, Description: "Prueba"}}
		})
		for _, tc := range []struct {
			kind     core.RecordKind
			publicID string
			id       int64
		}{
			{core.RecordLead, l.PublicID, l.ID},
			{core.RecordClient, l.Client.PublicID, l.Client.ID},
			{core.RecordTask, l.Tasks[0].PublicID, l.Tasks[0].ID},
		} {
			mixed := strings.ToUpper(tc.publicID[:18]) + tc.publicID[18:]
			for _, id := range []string{strings.ToUpper(tc.publicID), mixed} {
				got, err := e.svc.ResolvePublicID(e.admin, tc.kind, id)
				if err != nil || got != tc.id {
					t.Errorf("%s %s: %d %v, want %d", tc.kind, id, got, err, tc.id)
				}
				_, err = e.svc.ResolvePublicID(e.other, tc.kind, id)
				wantCode(t, err, core.NotFound, "")
			}
		}
		ls, _, err := e.svc.FindLeads(e.admin, core.Query{Where: core.In("public_id", strings.ToUpper(l.PublicID)), Limit: 1})
		if err != nil || len(ls) != 1 || ls[0].ID != l.ID {
			t.Errorf("leads whose public_id is %s: %v %v, want lead %d", strings.ToUpper(l.PublicID), ls, err, l.ID)
		}
	})
}
