package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

var ctx = context.Background()

func ptr[T any](v T) *T { return &v }

// same fails the test when got and want differ, showing both as JSON.
func same(t *testing.T, what string, got, want any) {
	t.Helper()
	g, _ := json.MarshalIndent(got, "", "  ")
	w, _ := json.MarshalIndent(want, "", "  ")
	if string(g) != string(w) {
		gl, wl := strings.Split(string(g), "\n"), strings.Split(string(w), "\n")
		for i := 0; i < len(gl) || i < len(wl); i++ {
			var a, b string
			if i < len(gl) {
				a = gl[i]
			}
			if i < len(wl) {
				b = wl[i]
			}
			if a != b {
				t.Fatalf("%s differs at line %d:\n got: %s\nwant: %s\n\ngot:\n%s", what, i+1, a, b, g)
			}
		}
	}
}

func check(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func wantCode(t *testing.T, err error, code core.Code, what string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: got no error, want %s", what, code)
	}
	var ce *core.Error
	if !errors.As(err, &ce) || ce.Code != code {
		t.Fatalf("%s: got %v (code %s), want %s", what, err, core.ErrorCode(err), code)
	}
}

func TestDealers(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		author := testkit.NewFixture(t, s, "a").User.ID
		cal := &core.WorkCalendar{}
		for i := range 5 {
			cal.Days[i] = core.WorkDay{Start: "09:00", End: "20:00", Working: true}
		}
		d := core.Dealer{Name: "Motor Sur", Country: "ES", TimeZone: "Europe/Madrid", Latitude: ptr(40.4), Longitude: ptr(-3.7),
			Phone: "+34910000000", CallerID: "+34910000001", Calendar: cal, CreatedAt: testkit.Now,
			Guidance: core.Guidance{Visit: "By appointment", Appraisal: "Free", Financing: "96 months", Warranty: "12 months", Service: "Own garage"},
			Ext:      map[string]string{"sml.web_coches_net": "https://www.coches.net/motor-sur/", "walcu.note": `"quoted" \ ü`},
			Notes:    []core.Note{{Content: "Closed in August", AuthorID: &author, Created: testkit.Now, Modified: testkit.Now}}}
		check(t, s.CreateDealer(ctx, &d), "create")
		if d.ID == 0 || d.PublicID == "" || d.Calendar.ID == 0 || d.Calendar.Days[6].ID == 0 || d.Notes[0].ID == 0 || len(d.Notes[0].History) != 1 {
			t.Fatalf("ids not set: %+v", d)
		}
		got, err := s.DealersByID(ctx, []int64{d.ID, 9999})
		check(t, err, "by id")
		if len(got) != 1 {
			t.Fatalf("got %d dealers, want 1", len(got))
		}
		same(t, "dealer", got[0], d)

		// Update: fields, a calendar day, a note edited, one added, the calendar kept.
		d.Name, d.Guidance.Visit, d.Ext = "Motor Sur Madrid", "", map[string]string{"sml.web_coches_net": "https://x.example/"}
		d.Calendar.Days[5] = core.WorkDay{Start: "10:00", End: "14:00", Working: true}
		later := testkit.Now.Add(time.Hour)
		d.Notes[0].Content, d.Notes[0].Modified = "Closed in August and at Easter", later
		d.Notes = append(d.Notes, core.Note{Content: "Ask for Luis", AuthorID: &author, Created: later, Modified: later})
		check(t, s.UpdateDealer(ctx, &d), "update")
		got, err = s.DealersByID(ctx, []int64{d.ID})
		check(t, err, "by id")
		if h := got[0].Notes[0].History; len(h) != 2 || h[1].Content != "Closed in August and at Easter" || *h[1].UserID != author {
			t.Fatalf("history after edit: %+v", h)
		}
		same(t, "updated dealer", got[0], d)

		// Drop a note, the calendar and the extension fields.
		d.Notes, d.Calendar, d.Ext = d.Notes[1:], nil, nil
		check(t, s.UpdateDealer(ctx, &d), "update")
		got, err = s.DealersByID(ctx, []int64{d.ID})
		check(t, err, "by id")
		same(t, "dealer without calendar", got[0], d)

		wantCode(t, s.UpdateDealer(ctx, &core.Dealer{ID: 9999, Name: "x"}), core.NotFound, "update unknown")

		list, total, err := s.FindDealers(ctx, []int64{d.ID}, testkit.List(core.DealerSchema, core.All, core.Match("SUR")))
		check(t, err, "find")
		if total != 1 || len(list) != 1 || list[0].ID != d.ID {
			t.Fatalf("find by search: %d %v", total, list)
		}
		list, total, err = s.FindDealers(ctx, nil, testkit.List(core.DealerSchema, core.All, core.Match("sur")))
		check(t, err, "find")
		if total != 0 || len(list) != 0 {
			t.Fatalf("find without ids returned %d", total)
		}
		all, err := s.AllDealers(ctx)
		check(t, err, "all")
		if len(all) != 2 {
			t.Fatalf("all dealers: %d, want 2", len(all))
		}

		dup := core.Dealer{Name: "dup", PublicID: d.PublicID, CreatedAt: testkit.Now}
		wantCode(t, s.CreateDealer(ctx, &dup), core.Conflict, "duplicate public id")
	})
}

func TestUsersAndSessions(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		a := testkit.NewFixture(t, s, "a")
		b := testkit.NewFixture(t, s, "b")

		u := core.User{Username: "Marta", Email: "Marta@Example.com", FirstName: "Marta", LastName: "Gil", PasswordHash: "h",
			IsActive: true, ActivatedAt: ptr(testkit.Now), CreatedAt: testkit.Now,
			Memberships: []core.Membership{{DealerID: a.Dealer.ID, IsBusinessManager: true}}}
		check(t, s.CreateUser(ctx, &u), "create")
		if u.ID == 0 || u.PublicID == "" || u.Memberships[0].ID == 0 || u.Memberships[0].UserID != u.ID {
			t.Fatalf("ids not set: %+v", u)
		}
		got, err := s.UserByID(ctx, u.ID)
		check(t, err, "by id")
		same(t, "user", got, u)
		for _, login := range []string{"marta", "MARTA", "marta@example.com"} {
			got, err := s.UserByLogin(ctx, login)
			check(t, err, "by login "+login)
			if got.ID != u.ID {
				t.Fatalf("login %q found user %d", login, got.ID)
			}
		}
		_, err = s.UserByLogin(ctx, "nobody")
		wantCode(t, err, core.NotFound, "unknown login")
		_, err = s.UserByID(ctx, 9999)
		wantCode(t, err, core.NotFound, "unknown id")
		wantCode(t, s.CreateUser(ctx, &core.User{Username: "MARTA", CreatedAt: testkit.Now}), core.Conflict, "same username")

		m := core.Membership{UserID: u.ID, DealerID: b.Dealer.ID, IsAdmin: true}
		check(t, s.AddMembership(ctx, &m), "add membership")
		wantCode(t, s.AddMembership(ctx, &core.Membership{UserID: u.ID, DealerID: b.Dealer.ID}), core.Conflict, "membership twice")

		users, err := s.UsersByID(ctx, []int64{u.ID, a.User.ID, 9999})
		check(t, err, "users by id")
		if len(users) != 2 || users[0].ID != a.User.ID || len(users[1].Memberships) != 2 {
			t.Fatalf("users by id: %+v", users)
		}

		// Sessions and credentials.
		sess, err := s.StartSession(ctx, u.ID, "tokenhash", testkit.Now)
		check(t, err, "start session")
		cred, err := s.Credential(ctx, "tokenhash")
		check(t, err, "credential")
		same(t, "token credential", cred, core.Credential{Kind: core.CredentialToken, UserID: u.ID, SessionID: sess.ID, CreatedAt: testkit.Now})
		seen := testkit.Now.Add(5 * time.Minute)
		check(t, s.TouchSession(ctx, sess.ID, seen), "touch")
		cred, err = s.Credential(ctx, "tokenhash")
		check(t, err, "credential after touch")
		same(t, "touched token credential", cred, core.Credential{Kind: core.CredentialToken, UserID: u.ID, SessionID: sess.ID, CreatedAt: testkit.Now, LastSeen: seen})
		wantCode(t, s.TouchSession(ctx, 9999, seen), core.NotFound, "touch unknown")
		got, err = s.UserByID(ctx, u.ID)
		check(t, err, "by id")
		same(t, "session", got.Session, &core.Session{ID: sess.ID, StartWorking: testkit.Now, LastSeen: &seen})

		// Online: a session not ended, seen since.
		online, total, err := s.FindUsers(ctx, []int64{a.Dealer.ID}, onlineAt(testkit.List(core.UserSchema, core.All, core.Eq("online", true))))
		check(t, err, "find online")
		if total != 1 || online[0].ID != u.ID {
			t.Fatalf("online: %d %+v", total, online)
		}
		offline, total, err := s.FindUsers(ctx, []int64{a.Dealer.ID}, onlineAt(testkit.List(core.UserSchema, core.All, core.Eq("online", false))))
		check(t, err, "find offline")
		if total != 1 || offline[0].ID != a.User.ID {
			t.Fatalf("offline: %d %+v", total, offline)
		}

		ended := seen.Add(time.Minute)
		check(t, s.EndSession(ctx, "tokenhash", ended), "end session")
		check(t, s.EndSession(ctx, "tokenhash", ended), "end session twice")
		wantCode(t, s.EndSession(ctx, "nope", ended), core.NotFound, "end unknown")
		_, err = s.Credential(ctx, "tokenhash")
		wantCode(t, err, core.NotFound, "revoked token")
		got, err = s.UserByID(ctx, u.ID)
		check(t, err, "by id")
		if got.Session == nil || got.Session.EndedAt == nil || !got.Session.EndedAt.Equal(ended) {
			t.Fatalf("session not ended: %+v", got.Session)
		}

		k := core.APIKey{DealerID: a.Dealer.ID, UserID: &u.ID, Name: "crm", Prefix: "fc_ab", CreatedAt: testkit.Now}
		check(t, s.CreateAPIKey(ctx, &k, "keyhash"), "create api key")
		cred, err = s.Credential(ctx, "keyhash")
		check(t, err, "api key credential")
		same(t, "api key credential", cred, core.Credential{Kind: core.CredentialAPIKey, UserID: u.ID, APIKeyID: k.ID, DealerID: a.Dealer.ID, UserActive: u.IsActive})
		wantCode(t, s.CreateAPIKey(ctx, &core.APIKey{DealerID: a.Dealer.ID, CreatedAt: testkit.Now}, "keyhash"), core.Conflict, "same key hash")
		_, err = s.Credential(ctx, "unknown")
		wantCode(t, err, core.NotFound, "unknown credential")

		// Lists: dealer isolation, search, activity, pages.
		list, total, err := s.FindUsers(ctx, []int64{b.Dealer.ID}, testkit.List(core.UserSchema, core.All))
		check(t, err, "find b")
		if total != 2 || len(list) != 2 {
			t.Fatalf("members of b: %d", total)
		}
		list, total, err = s.FindUsers(ctx, []int64{a.Dealer.ID, b.Dealer.ID}, testkit.List(core.UserSchema, core.Page{Limit: 10}, core.Match("gil")))
		check(t, err, "find search")
		if total != 1 || list[0].ID != u.ID {
			t.Fatalf("search gil: %d", total)
		}
		list, total, err = s.FindUsers(ctx, []int64{a.Dealer.ID, b.Dealer.ID}, testkit.List(core.UserSchema, core.Page{Offset: 1, Limit: 1}))
		check(t, err, "find page")
		if total != 3 || len(list) != 1 || list[0].ID != b.User.ID {
			t.Fatalf("page 2 of 3: %d %+v", total, list)
		}
		_, total, err = s.FindUsers(ctx, []int64{a.Dealer.ID}, testkit.List(core.UserSchema, core.All, core.Eq("is_active", *ptr(false))))
		check(t, err, "find inactive")
		if total != 0 {
			t.Fatalf("inactive: %d", total)
		}
		list, total, err = s.FindUsers(ctx, nil, testkit.List(core.UserSchema, core.All))
		check(t, err, "find no dealers")
		if total != 0 || len(list) != 0 {
			t.Fatalf("no dealers gave %d users", total)
		}
	})
}

func TestReferenceData(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		f := testkit.NewFixture(t, s, "a")
		g := testkit.NewFixture(t, s, "b")

		chs, err := s.Channels(ctx)
		check(t, err, "channels")
		if len(chs) != 2 || chs[0] != f.Channel {
			t.Fatalf("channels: %+v", chs)
		}
		wantCode(t, s.CreateChannel(ctx, &core.Channel{Slug: f.Channel.Slug}), core.Conflict, "same slug")

		o := core.Origin{Name: "Web", Icon: "web.svg", Phones: []core.OriginPhone{{Number: "900"}}, Emails: []core.OriginEmail{{Email: "web@example.com"}},
			ChannelIDs: []int64{f.Channel.ID, g.Channel.ID}}
		check(t, s.CreateOrigin(ctx, &o), "create origin")
		origins, err := s.OriginsByID(ctx, []int64{o.ID})
		check(t, err, "origins")
		same(t, "origin", origins, []core.Origin{o})

		sources, err := s.SourcesByID(ctx, []int64{f.Source.ID, g.Source.ID})
		check(t, err, "sources")
		same(t, "sources", sources, []core.Source{f.Source, g.Source})
		list, total, err := s.FindSources(ctx, []int64{f.Dealer.ID}, testkit.List(core.SourceSchema, core.All))
		check(t, err, "find sources")
		if total != 1 || list[0] != f.Source {
			t.Fatalf("sources of a: %+v", list)
		}
		_, total, err = s.FindSources(ctx, []int64{f.Dealer.ID, g.Dealer.ID}, testkit.List(core.SourceSchema, core.All, core.Match("COCHES.NET B")))
		check(t, err, "find sources by origin")
		if total != 1 {
			t.Fatalf("search by origin name: %d", total)
		}

		gas, err := s.GasTypes(ctx)
		check(t, err, "gas types")
		if len(gas) != 2 || gas[0] != f.GasType {
			t.Fatalf("gas types: %+v", gas)
		}

		// A country is known by its code, one row per code.
		portugal := core.Country{Code: "PT", Name: "Portugal"}
		check(t, s.CreateCountry(ctx, &portugal), "country")
		wantCode(t, s.CreateCountry(ctx, &core.Country{Code: "PT", Name: "Portugal again"}), core.Conflict, "country of a taken code")
		wantCode(t, s.CreateProvince(ctx, &core.Province{Country: "FR", Name: "Gironde"}), core.Invalid, "province of an unknown country")
		porto := core.Province{Country: "PT", Name: "Porto", Active: true}
		check(t, s.CreateProvince(ctx, &porto), "province of PT")

		// Reference data keeps the ids it is given; later rows get new ones.
		p := core.Province{ID: 1000, Country: "ES", Name: "Sevilla", Active: true}
		check(t, s.CreateProvince(ctx, &p), "province")
		l := core.Locality{ProvinceID: p.ID, Name: "Dos Hermanas", Active: true}
		check(t, s.CreateLocality(ctx, &l), "locality")
		if porto.ID == 0 || p.ID != 1000 {
			t.Fatalf("province ids: %d %d", porto.ID, p.ID)
		}

		provinces, total, err := s.FindProvinces(ctx, testkit.List(core.ProvinceSchema, core.All, core.Eq("country", "PT")))
		check(t, err, "find provinces")
		same(t, "provinces of PT", provinces, []core.Province{porto})
		pbyID, err := s.ProvincesByID(ctx, []int64{p.ID, porto.ID})
		check(t, err, "provinces by id")
		same(t, "provinces by id", pbyID, []core.Province{porto, p})
		_, total, err = s.FindProvinces(ctx, testkit.List(core.ProvinceSchema, core.All, core.Eq("country", "FR")))
		check(t, err, "find provinces")
		if total != 0 {
			t.Fatalf("provinces of a country not stored: %d", total)
		}
		_, total, err = s.FindProvinces(ctx, testkit.List(core.ProvinceSchema, core.Page{Limit: 1}, core.Match("madrid")))
		check(t, err, "search provinces")
		if total != 2 {
			t.Fatalf("provinces named madrid: %d", total)
		}
		localities, total, err := s.FindLocalities(ctx, testkit.List(core.LocalitySchema, core.All, core.Eq("province", p.ID), core.Match("herm")))
		check(t, err, "find localities")
		if total != 1 {
			t.Fatalf("localities: %d", total)
		}
		same(t, "locality", localities, []core.Locality{l})
		byID, err := s.ProvincesByID(ctx, []int64{p.ID})
		check(t, err, "provinces by id")
		same(t, "province by id", byID, []core.Province{p})
		lbyID, err := s.LocalitiesByID(ctx, []int64{l.ID, f.Locality.ID})
		check(t, err, "localities by id")
		if len(lbyID) != 2 {
			t.Fatalf("localities by id: %d", len(lbyID))
		}
	})
}

func TestLeadRoundTrip(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		f := testkit.NewFixture(t, s, "a")
		l := f.Lead(1)
		h := core.History{At: testkit.Now, UserID: &f.User.ID, Type: core.HistoryCreated, Kind: core.KindLeadCreated,
			Changes: []core.Change{{Field: "stage", New: "new"}}}
		check(t, s.CreateLead(ctx, &l, &h), "create lead")
		switch {
		case l.ID == 0, l.PublicID == "", l.Client.ID == 0, l.Client.DealerID != f.Dealer.ID, l.Vehicle.ID == 0,
			l.Tasks[0].ID == 0, l.Tasks[0].LeadID != l.ID, l.Tasks[0].Appraisal.ID == 0, l.Tasks[0].Notes[0].ID == 0,
			l.Notes[0].ID == 0, l.Tags[0].ID == 0, h.ID == 0, h.LeadID != l.ID, l.Version != 1:
			t.Fatalf("ids not set: %+v", l)
		}
		if v := l.Notes[0].History; len(v) != 1 || v[0].Content != "Called twice" || v[0].ID == 0 {
			t.Fatalf("first note version: %+v", v)
		}
		got, err := s.Lead(ctx, l.ID)
		check(t, err, "lead")
		same(t, "lead", got, l)

		hist, total, err := s.LeadHistory(ctx, []int64{l.DealerID}, l.ID, false, core.All)
		check(t, err, "history")
		if total != 1 {
			t.Fatalf("history total %d", total)
		}
		same(t, "history", hist, []core.History{h})
		_, _, err = s.LeadHistory(ctx, []int64{l.DealerID + 1000}, l.ID, false, core.All)
		wantCode(t, err, core.NotFound, "history of another dealer's lead")
		_, _, err = s.LeadHistory(ctx, []int64{l.DealerID + 1000}, l.ID, false, core.Page{Offset: 5, Limit: 5})
		wantCode(t, err, core.NotFound, "history of another dealer's lead, past its end")
		_, _, err = s.LeadHistory(ctx, nil, l.ID, false, core.All)
		wantCode(t, err, core.NotFound, "history for no dealer")

		task, err := s.Task(ctx, l.Tasks[0].ID)
		check(t, err, "task")
		same(t, "task", task, l.Tasks[0])
		if task.LeadID != l.ID || task.DealerID != f.Dealer.ID {
			t.Fatalf("lead of task: %d", task.LeadID)
		}

		cc := core.CallControl{LeadID: l.ID, UserID: &f.User.ID, CallControl: 77, From: "100", To: "612000001", CreatedAt: testkit.Now}
		ch := core.History{At: testkit.Now, UserID: &f.User.ID, Type: core.HistoryChanged, Kind: core.KindCallPlaced}
		check(t, s.CreateCallControl(ctx, &cc, &ch), "call control")
		if cc.ID == 0 || ch.ID == 0 || ch.LeadID != l.ID {
			t.Fatalf("call control ids: %+v %+v", cc, ch)
		}
		hist, total, err = s.LeadHistory(ctx, []int64{l.DealerID}, l.ID, false, core.Page{Offset: 1, Limit: 5})
		check(t, err, "history page")
		if total != 2 || len(hist) != 1 || hist[0].ID != ch.ID {
			t.Fatalf("history page: %d %+v", total, hist)
		}

		// A lead without client, vehicle or anything nested.
		bare := core.Lead{DealerID: f.Dealer.ID, SourceID: f.Source.ID, Stage: core.StageNew, CreatedAt: testkit.Now, UpdatedAt: testkit.Now}
		check(t, s.CreateLead(ctx, &bare, nil), "bare lead")
		got, err = s.Lead(ctx, bare.ID)
		check(t, err, "bare")
		same(t, "bare lead", got, bare)

		// A known client is reused, not inserted; another dealer's is not found.
		again := f.Lead(2)
		again.Client = &core.Client{ID: l.Client.ID}
		check(t, s.CreateLead(ctx, &again, nil), "lead of the same client")
		same(t, "reused client", again.Client, l.Client)
		_, total, err = s.FindClients(ctx, []int64{f.Dealer.ID}, testkit.List(core.ClientSchema, core.All))
		check(t, err, "clients")
		if total != 1 {
			t.Fatalf("clients after reuse: %d", total)
		}
		g := testkit.NewFixture(t, s, "b")
		other := g.Lead(3)
		other.Client = &core.Client{ID: l.Client.ID}
		wantCode(t, s.CreateLead(ctx, &other, nil), core.NotFound, "client of another dealer")
	})
}

func TestNotFound(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		_, err := s.Lead(ctx, 42)
		wantCode(t, err, core.NotFound, "lead")
		_, err = s.UpdateLead(ctx, 42, nil, func(*core.Lead) ([]core.History, error) { return nil, nil })
		wantCode(t, err, core.NotFound, "update lead")
		_, err = s.Task(ctx, 42)
		wantCode(t, err, core.NotFound, "task")
		wantCode(t, s.EditLead(ctx, 42, func(core.LeadTx) error { return nil }), core.NotFound, "edit lead")
		_, _, err = s.LeadHistory(ctx, []int64{1}, 42, false, core.All)
		wantCode(t, err, core.NotFound, "lead history")
		_, err = s.UserByID(ctx, 42)
		wantCode(t, err, core.NotFound, "user")
		wantCode(t, s.UpdateDealer(ctx, &core.Dealer{ID: 42}), core.NotFound, "dealer")
		wantCode(t, s.TouchSession(ctx, 42, testkit.Now), core.NotFound, "session")
		_, err = s.Credential(ctx, "x")
		wantCode(t, err, core.NotFound, "credential")
		for _, err := range []error{
			func() error { _, err := s.DealersByID(ctx, []int64{42}); return err }(),
			func() error { _, err := s.UsersByID(ctx, nil); return err }(),
		} {
			check(t, err, "by id of nothing")
		}
	})
}

func TestUpdateLead(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		f := testkit.NewFixture(t, s, "a")
		l := f.Lead(1)
		l.Tasks = append(l.Tasks, core.Task{Type: core.TaskOther, Media: core.MediaEmail, Description: "to delete", CreatedAt: testkit.Now,
			Notes: []core.Note{{Content: "gone with its task", Created: testkit.Now, Modified: testkit.Now}}})
		l.Tags = append(l.Tags, core.Note{Content: "Leasing", Created: testkit.Now, Modified: testkit.Now})
		check(t, s.CreateLead(ctx, &l, nil), "create")
		other := f.Lead(2)
		other.Client = &core.Client{ID: l.Client.ID}
		check(t, s.CreateLead(ctx, &other, nil), "create other lead of the client")

		actor := ptr(f.User.ID)
		later := testkit.Now.Add(time.Hour)
		oldVehicle := l.Vehicle.ID
		var returned core.Lead
		returned, err := s.UpdateLead(ctx, l.ID, actor, func(x *core.Lead) ([]core.History, error) {
			if x.ID != l.ID || x.Version != 1 {
				return nil, fmt.Errorf("loaded %d v%d", x.ID, x.Version)
			}
			x.Stage, x.Score, x.UpdatedAt = core.StageTracing, 4, later
			x.Client.Name = "Renamed Client"                                      // update the known client
			x.Vehicle = &core.Vehicle{BrandModel: "Cupra Born", Price: "35000"}   // a new vehicle
			x.Notes[0].Content, x.Notes[0].Modified = "Called three times", later // a new version
			x.Notes = append(x.Notes, core.Note{Content: "Wants financing", AuthorID: actor, Created: later, Modified: later})
			x.Tags = x.Tags[1:] // delete "Urgent"
			x.Tasks[0].Done, x.Tasks[0].DoneAt = true, &later
			x.Tasks[0].Appraisal.Km = "95000"
			x.Tasks[0].Notes[0].Content = "Papers received" // no Modified given: the store stamps one
			x.Tasks = x.Tasks[:1]                           // delete the second task
			x.Tasks = append(x.Tasks, core.Task{Type: core.TaskDate, Media: core.MediaPhone, PlannedAt: &later, CreatedAt: later,
				Appraisal: &core.Appraisal{BrandModel: "VW Golf"},
				Notes:     []core.Note{{Content: "Test drive", Created: later, Modified: later}}})
			return []core.History{{At: later, UserID: actor, Type: core.HistoryChanged, Changes: []core.Change{{Field: "stage", Old: "new", New: "tracing"}}}}, nil
		})
		check(t, err, "update")
		if returned.Version != 2 || returned.Vehicle.ID == 0 || returned.Vehicle.ID == oldVehicle || returned.Notes[1].ID == 0 ||
			returned.Tasks[1].ID == 0 || returned.Tasks[1].Appraisal.ID == 0 || returned.Tasks[1].Notes[0].ID == 0 || len(returned.Tags) != 1 {
			t.Fatalf("returned lead: %+v", returned)
		}
		if v := returned.Notes[0].History; len(v) != 2 || v[1].Content != "Called three times" || *v[1].UserID != f.User.ID || !v[1].Modified.Equal(later) {
			t.Fatalf("note versions: %+v", v)
		}
		if v := returned.Tasks[0].Notes[0].History; len(v) != 2 || v[1].Modified.IsZero() || !returned.Tasks[0].Notes[0].Modified.Equal(v[1].Modified) {
			t.Fatalf("task note versions: %+v", v)
		}
		got, err := s.Lead(ctx, l.ID)
		check(t, err, "reload")
		same(t, "stored lead", got, returned)

		// The other lead of the client sees its new name, in lists too.
		o, err := s.Lead(ctx, other.ID)
		check(t, err, "other")
		if o.Client.Name != "Renamed Client" {
			t.Fatalf("other lead's client: %q", o.Client.Name)
		}
		_, total, err := testkit.FindLeads(ctx, s, testkit.LeadFilter{DealerIDs: []int64{f.Dealer.ID}, Search: "renamed", Page: core.All})
		check(t, err, "find renamed")
		if total != 2 {
			t.Fatalf("leads of the renamed client: %d", total)
		}
		_, total, err = testkit.FindLeads(ctx, s, testkit.LeadFilter{DealerIDs: []int64{f.Dealer.ID}, Search: "urgent", Page: core.All})
		check(t, err, "find tag")
		if total != 1 { // only the other lead still has the tag
			t.Fatalf("leads tagged urgent: %d", total)
		}
		_, total, err = testkit.FindLeads(ctx, s, testkit.LeadFilter{DealerIDs: []int64{f.Dealer.ID}, Search: "cupra", Page: core.All})
		check(t, err, "find vehicle")
		if total != 1 {
			t.Fatalf("leads with a cupra: %d", total)
		}
		hist, _, err := s.LeadHistory(ctx, []int64{l.DealerID}, l.ID, false, core.All)
		check(t, err, "history")
		if len(hist) != 1 || hist[0].LeadID != l.ID {
			t.Fatalf("history: %+v", hist)
		}

		// fn failing saves nothing.
		boom := errors.New("boom")
		_, err = s.UpdateLead(ctx, l.ID, actor, func(x *core.Lead) ([]core.History, error) {
			x.Stage = core.StageEnd
			return nil, boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("fn error: got %v", err)
		}
		got, err = s.Lead(ctx, l.ID)
		check(t, err, "reload")
		same(t, "lead after failed fn", got, returned)

		// Remove the client and vehicle, then link a new client.
		returned, err = s.UpdateLead(ctx, l.ID, actor, func(x *core.Lead) ([]core.History, error) {
			x.Client, x.Vehicle, x.Tasks, x.Notes, x.Tags = nil, nil, nil, nil, nil
			return nil, nil
		})
		check(t, err, "strip")
		got, err = s.Lead(ctx, l.ID)
		check(t, err, "reload")
		same(t, "stripped lead", got, returned)
		if got.Version != 3 || got.Client != nil || got.Vehicle != nil || got.Tasks != nil {
			t.Fatalf("stripped: %+v", got)
		}
		returned, err = s.UpdateLead(ctx, l.ID, actor, func(x *core.Lead) ([]core.History, error) {
			x.Client = &core.Client{Name: "New Client", Phone: "699 000 111", CreatedAt: later, UpdatedAt: later}
			return nil, nil
		})
		check(t, err, "new client")
		if returned.Client.ID == 0 || returned.Client.ID == l.Client.ID || returned.Client.DealerID != f.Dealer.ID {
			t.Fatalf("new client: %+v", returned.Client)
		}

		// Ids that were not loaded with the lead are refused.
		_, err = s.UpdateLead(ctx, l.ID, actor, func(x *core.Lead) ([]core.History, error) {
			x.Tasks = []core.Task{{ID: 99999, Type: core.TaskOther}}
			return nil, nil
		})
		wantCode(t, err, core.Invalid, "foreign task id")
	})
}

func TestFindLeads(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		a := testkit.NewFixture(t, s, "a")
		b := testkit.NewFixture(t, s, "b")
		var ids []int64
		for i := range 6 {
			l := a.Lead(i)
			l.CreatedAt = testkit.Now.Add(time.Duration(i) * time.Minute)
			l.Stage = core.Stages[i%4]
			l.Score = i % 3
			if i == 4 {
				l.Client.Email = "MARIA.Lopez@Mail.example"
				l.Client.Name = "Zoe"
			}
			if i == 5 {
				l.UserID = nil
			}
			check(t, s.CreateLead(ctx, &l, nil), "create")
			ids = append(ids, l.ID)
		}
		lb := b.Lead(100)
		lb.Client.Email = "maria.lopez@mail.example"
		check(t, s.CreateLead(ctx, &lb, nil), "create b")

		find := func(f testkit.LeadFilter) ([]int64, int) {
			t.Helper()
			if f.DealerIDs == nil {
				f.DealerIDs = []int64{a.Dealer.ID}
			}
			leads, total, err := testkit.FindLeads(ctx, s, f)
			check(t, err, "find")
			var got []int64
			for _, l := range leads {
				if l.DealerID != a.Dealer.ID && l.DealerID != b.Dealer.ID {
					t.Fatalf("lead of dealer %d", l.DealerID)
				}
				got = append(got, l.ID)
			}
			return got, total
		}
		expect := func(what string, f testkit.LeadFilter, want []int64, wantTotal int) {
			t.Helper()
			got, total := find(f)
			if fmt.Sprint(got) != fmt.Sprint(want) || total != wantTotal {
				t.Fatalf("%s: got %v (total %d), want %v (total %d)", what, got, total, want, wantTotal)
			}
		}
		r := func(xs ...int) []int64 {
			var out []int64
			for _, x := range xs {
				out = append(out, ids[x])
			}
			return out
		}

		expect("default order", testkit.LeadFilter{Page: core.All}, r(5, 4, 3, 2, 1, 0), 6)
		expect("first page", testkit.LeadFilter{Page: core.Page{Limit: 2}}, r(5, 4), 6)
		expect("last page", testkit.LeadFilter{Page: core.Page{Offset: 4, Limit: 4}}, r(1, 0), 6)
		expect("past the end", testkit.LeadFilter{Page: core.Page{Offset: 10, Limit: 4}}, nil, 6)
		expect("all from offset", testkit.LeadFilter{Page: core.Page{Offset: 5, Limit: -1}}, r(0), 6)
		expect("count only", testkit.LeadFilter{Page: core.Page{Limit: 0}}, nil, 6)
		expect("no dealers", testkit.LeadFilter{DealerIDs: []int64{}, Page: core.All}, nil, 0)
		expect("dealer b only", testkit.LeadFilter{DealerIDs: []int64{b.Dealer.ID}, Page: core.All}, []int64{lb.ID}, 1)
		expect("unknown dealer", testkit.LeadFilter{DealerIDs: []int64{9999}, Page: core.All}, nil, 0)

		expect("phone digits", testkit.LeadFilter{ClientPhoneContains: "612000003", Page: core.All}, r(3), 1)
		expect("phone e164", testkit.LeadFilter{ClientPhoneContains: "+34612000002", Page: core.All}, r(2), 1)
		expect("phone as given", testkit.LeadFilter{ClientPhoneContains: "000 001", Page: core.All}, r(1), 1)
		expect("email any case", testkit.LeadFilter{ClientEmailContains: "maria.LOPEZ", Page: core.All}, r(4), 1)
		expect("email both dealers", testkit.LeadFilter{DealerIDs: []int64{a.Dealer.ID, b.Dealer.ID}, ClientEmailContains: "lopez", Page: core.All}, []int64{ids[4], lb.ID}, 2)
		expect("search name", testkit.LeadFilter{Search: "zoe", Page: core.All}, r(4), 1)
		expect("search email", testkit.LeadFilter{Search: "client3@", Page: core.All}, r(3), 1)
		expect("search vehicle", testkit.LeadFilter{Search: "IBIZA", Page: core.Page{Limit: 2}}, r(5, 4), 6)
		bare := core.Lead{DealerID: b.Dealer.ID, SourceID: b.Source.ID, Stage: core.StageNew, CreatedAt: testkit.Now, UpdatedAt: testkit.Now}
		check(t, s.CreateLead(ctx, &bare, nil), "create bare")
		if id := fmt.Sprint(bare.ID); !strings.Contains(fmt.Sprint(lb.Client, lb.ID), id) {
			expect("search id", testkit.LeadFilter{DealerIDs: []int64{b.Dealer.ID}, Search: id, Page: core.All}, []int64{bare.ID}, 1)
		}
		expect("search nothing", testkit.LeadFilter{Search: "ferrari", Page: core.Page{Limit: 20}}, nil, 0)
		expect("search with like chars", testkit.LeadFilter{Search: "%", Page: core.All}, nil, 0)
		expect("stages", testkit.LeadFilter{Stages: []core.Stage{core.StageNew, core.StageEnd}, Page: core.All}, r(4, 3, 0), 3)
		expect("client", testkit.LeadFilter{ClientID: &lb.Client.ID, DealerIDs: []int64{b.Dealer.ID}, Page: core.All}, []int64{lb.ID}, 1)
		expect("client of another dealer", testkit.LeadFilter{ClientID: &lb.Client.ID, Page: core.All}, nil, 0)

		expect("id asc", testkit.LeadFilter{Sort: []core.Sort{{Field: "id"}}, Page: core.All}, r(0, 1, 2, 3, 4, 5), 6)
		expect("score desc", testkit.LeadFilter{Sort: []core.Sort{{Field: "score", Desc: true}}, Page: core.All}, r(5, 2, 4, 1, 3, 0), 6)
		expect("stage then created", testkit.LeadFilter{Sort: []core.Sort{{Field: "stage"}, {Field: "created_at", Desc: true}}, Page: core.All}, r(4, 0, 5, 1, 2, 3), 6)
		expect("user nulls first", testkit.LeadFilter{Sort: []core.Sort{{Field: "user"}}, Page: core.Page{Limit: 1}}, r(5), 6)
		expect("user desc nulls last", testkit.LeadFilter{Sort: []core.Sort{{Field: "user", Desc: true}}, Page: core.All}, r(4, 3, 2, 1, 0, 5), 6)
		expect("client name", testkit.LeadFilter{Sort: []core.Sort{{Field: "client.name", Desc: true}}, Page: core.Page{Limit: 2}}, r(4, 5), 6)
		for field, spec := range core.LeadSchema.Fields {
			if !spec.Sort {
				continue
			}
			for _, desc := range []bool{false, true} {
				_, total := find(testkit.LeadFilter{Sort: []core.Sort{{Field: field, Desc: desc}}, Page: core.Page{Limit: 3}})
				if total != 6 {
					t.Fatalf("sort %s: total %d", field, total)
				}
			}
		}
		unsortable := core.Query{Sort: []core.Sort{{Field: "mail_content"}}}
		wantCode(t, core.LeadSchema.Check(&unsortable), core.Invalid, "unknown sort")

		// Pages hold whole leads.
		leads, _, err := testkit.FindLeads(ctx, s, testkit.LeadFilter{DealerIDs: []int64{a.Dealer.ID}, Page: core.Page{Limit: 3}})
		check(t, err, "find")
		for _, l := range leads {
			one, err := s.Lead(ctx, l.ID)
			check(t, err, "lead")
			same(t, "listed lead", l, one)
		}

		clients, total, err := s.FindClients(ctx, []int64{a.Dealer.ID}, testkit.List(core.ClientSchema, core.Page{Limit: 2}, core.Contains("phone", "+3461200000")))
		check(t, err, "find clients")
		if total != 6 || len(clients) != 2 {
			t.Fatalf("clients by phone: %d %d", total, len(clients))
		}
		_, total, err = s.FindClients(ctx, []int64{a.Dealer.ID}, testkit.List(core.ClientSchema, core.All, core.Contains("email", "LOPEZ"), core.Contains("name", "zo")))
		check(t, err, "find clients")
		if total != 1 {
			t.Fatalf("clients by email and name: %d", total)
		}
		_, total, err = s.FindClients(ctx, nil, testkit.List(core.ClientSchema, core.All, core.Match("client")))
		check(t, err, "find clients")
		if total != 0 {
			t.Fatalf("clients without dealers: %d", total)
		}
	})
}

// TestGroupCommitIsolation writes leads concurrently, one of which fails
// half way (its client is inserted, its lead refers to a missing dealer,
// which the lead's foreign key to dealers refuses; a missing source is
// the core's to refuse since migration 0031): the others commit, the
// failed one leaves no row.
func TestGroupCommitIsolation(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		f := testkit.NewFixture(t, s, "a")
		const n = 40
		const bad = 17
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				l := f.Lead(i)
				if i == bad {
					l.Client.Name = "Failing Client"
					l.DealerID = 99999
				}
				errs[i] = s.CreateLead(ctx, &l, nil)
			})
		}
		wg.Wait()
		for i, err := range errs {
			if i == bad {
				if err == nil {
					t.Fatalf("lead with a missing dealer was stored")
				}
				continue
			}
			check(t, err, fmt.Sprintf("lead %d", i))
		}
		_, total, err := testkit.FindLeads(ctx, s, testkit.LeadFilter{DealerIDs: []int64{f.Dealer.ID}, Page: core.Page{Limit: 0}})
		check(t, err, "count")
		if total != n-1 {
			t.Fatalf("leads: %d, want %d", total, n-1)
		}
		_, total, err = s.FindClients(ctx, []int64{f.Dealer.ID, 99999}, testkit.List(core.ClientSchema, core.All, core.Contains("name", "failing")))
		check(t, err, "clients")
		if total != 0 {
			t.Fatalf("the failed lead left its client")
		}
	})
}

func TestCanceledWrite(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		c, cancel := context.WithCancel(ctx)
		cancel()
		d := core.Dealer{Name: "never", CreatedAt: testkit.Now}
		if err := s.CreateDealer(c, &d); !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
		all, err := s.AllDealers(ctx)
		check(t, err, "all")
		if len(all) != 0 {
			t.Fatalf("a canceled write was stored")
		}
	})
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	for _, dsn := range []string{"file:" + dir + "/a.db", "sqlite:" + dir + "/b.db?sync=full&readers=2", dir + "/c.db?sync=normal"} {
		s, err := store.Open(ctx, dsn)
		check(t, err, dsn)
		if s.Engine() != store.SQLite {
			t.Fatalf("engine %q", s.Engine())
		}
		check(t, s.Ping(ctx), "ping")
		if st := s.Stats(); st.MaxOpenConnections < 2 {
			t.Fatalf("stats: %+v", st)
		}
		check(t, s.Close(), "close")
		check(t, s.Close(), "close twice")
		if err := s.CreateDealer(ctx, &core.Dealer{Name: "late"}); err == nil {
			t.Fatalf("write after close succeeded")
		}
	}
	// Reopening applies no migration twice.
	s, err := store.Open(ctx, dir+"/a.db")
	check(t, err, "reopen")
	s.Close()
	for _, dsn := range []string{":memory:", dir + "/d.db?sync=sometimes", dir + "/e.db?readers=0"} {
		if s, err := store.Open(ctx, dsn); err == nil {
			s.Close()
			t.Fatalf("%s opened", dsn)
		}
	}
}

// onlineAt sets q's instant so that a session seen at testkit.Now or later
// counts as online.
func onlineAt(q core.Query) core.Query {
	q.At = testkit.Now.Add(core.OnlineWindow)
	return q
}
