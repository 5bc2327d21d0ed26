package store_test

import (
	"fmt"
	"slices"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestFiltersFoldUnicode checks that the case-insensitive filters outside
// the lead list fold accented capitals on both engines (SQLite's lower()
// folds ASCII alone).
func TestFiltersFoldUnicode(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		f := testkit.NewFixture(t, s, "a")
		l := f.Lead(1)
		l.Client.Name, l.Client.Email = "Íñigo Álvarez", "ÍÑIGO@EXAMPLE.COM"
		check(t, s.CreateLead(ctx, &l, nil), "create lead")
		u := core.User{Username: "émile", FirstName: "Émile", LastName: "Ólafsson", IsActive: true, CreatedAt: testkit.Now,
			Memberships: []core.Membership{{DealerID: f.Dealer.ID}}}
		check(t, s.CreateUser(ctx, &u), "create user")
		p := core.Province{Country: f.Country.Code, Name: "Ávila", Active: true}
		check(t, s.CreateProvince(ctx, &p), "create province")
		loc := core.Locality{ProvinceID: p.ID, Name: "Éjica", Active: true}
		check(t, s.CreateLocality(ctx, &loc), "create locality")
		d := core.Dealer{Name: "Ósmosis Motor", CreatedAt: testkit.Now}
		check(t, s.CreateDealer(ctx, &d), "create dealer")

		dealers := []int64{f.Dealer.ID}
		for _, q := range []string{"álvarez", "ÁLVAREZ", "Álvarez"} {
			for what, cond := range map[string]core.Cond{
				"name":   core.Contains("name", q),
				"search": core.Match(q),
			} {
				got, total, err := s.FindClients(ctx, dealers, testkit.All(core.ClientSchema, cond))
				check(t, err, "find clients")
				if total != 1 || len(got) != 1 || got[0].ID != l.Client.ID {
					t.Errorf("clients by %s %q: %d %+v", what, q, total, got)
				}
			}
		}
		for _, q := range []string{"íñigo@", "ÍÑIGO@"} {
			_, total, err := s.FindClients(ctx, dealers, testkit.List(core.ClientSchema, core.All, core.Contains("email", q)))
			check(t, err, "find clients by e-mail")
			if total != 1 {
				t.Errorf("clients by e-mail %q: %d", q, total)
			}
		}
		for _, q := range []string{"émile", "ÉMILE", "ólafsson", "ÓLAFSSON"} {
			got, total, err := s.FindUsers(ctx, dealers, testkit.List(core.UserSchema, core.All, core.Match(q)))
			check(t, err, "find users")
			if total != 1 || got[0].ID != u.ID {
				t.Errorf("users by %q: %d %+v", q, total, got)
			}
		}
		for _, q := range []string{"ávila", "ÁVILA"} {
			got, total, err := s.FindProvinces(ctx, testkit.List(core.ProvinceSchema, core.All, core.Match(q)))
			check(t, err, "find provinces")
			if total != 1 || got[0].ID != p.ID {
				t.Errorf("provinces by %q: %d %+v", q, total, got)
			}
		}
		for _, q := range []string{"éjica", "ÉJICA"} {
			_, total, err := s.FindLocalities(ctx, testkit.List(core.LocalitySchema, core.All, core.Match(q)))
			check(t, err, "find localities")
			if total != 1 {
				t.Errorf("localities by %q: %d", q, total)
			}
		}
		for _, q := range []string{"ósmosis", "ÓSMOSIS"} {
			_, total, err := s.FindDealers(ctx, []int64{d.ID, f.Dealer.ID}, testkit.List(core.DealerSchema, core.All, core.Match(q)))
			check(t, err, "find dealers")
			if total != 1 {
				t.Errorf("dealers by %q: %d", q, total)
			}
		}
		o := core.Origin{Name: "Ámbito Web", ChannelIDs: []int64{f.Channel.ID}}
		check(t, s.CreateOrigin(ctx, &o), "create origin")
		src := core.Source{DealerID: f.Dealer.ID, ChannelID: f.Channel.ID, OriginID: o.ID}
		check(t, s.CreateSource(ctx, &src), "create source")
		for _, q := range []string{"ámbito", "ÁMBITO"} {
			got, total, err := s.FindSources(ctx, dealers, testkit.List(core.SourceSchema, core.All, core.Match(q)))
			check(t, err, "find sources")
			if total != 1 || got[0].ID != src.ID {
				t.Errorf("sources by %q: %d %+v", q, total, got)
			}
		}
	})
}

// TestSearchTerms checks DRF SearchFilter's rule: Search is split on
// whitespace and commas, and a row matches when every term matches one of
// the searched fields.
func TestSearchTerms(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		f := testkit.NewFixture(t, s, "a")
		// Lead ids of 4 digits, long enough for the trigram index.
		bump := `INSERT OR REPLACE INTO sqlite_sequence (name, seq) VALUES ('leads', 1000)`
		if s.Engine() == store.Postgres {
			bump = `SELECT setval(pg_get_serial_sequence('leads', 'id'), 1000)`
		}
		if _, err := s.DB().ExecContext(ctx, bump); err != nil {
			t.Fatal(err)
		}
		names := []string{"Cliente yo Ejemplo", "Cliente Nuevo", "Ejemplo Aparte", "Zoe Li"}
		var leads []core.Lead
		for i, name := range names {
			l := f.Lead(i + 1)
			l.Client.Name = name
			check(t, s.CreateLead(ctx, &l, nil), "create lead")
			leads = append(leads, l)
		}
		dealers := []int64{f.Dealer.ID}
		lead := func(q string) []int64 {
			t.Helper()
			got, total, err := testkit.FindLeads(ctx, s, testkit.LeadFilter{DealerIDs: dealers, Search: q, Sort: []core.Sort{{Field: "id"}}, Page: core.All})
			check(t, err, "find leads "+q)
			var ids []int64
			for _, l := range got {
				ids = append(ids, l.ID)
			}
			if total != len(ids) {
				t.Errorf("search %q: total %d, %d leads", q, total, len(ids))
			}
			return ids
		}
		client := func(q string) []int64 {
			t.Helper()
			got, _, err := s.FindClients(ctx, dealers, testkit.List(core.ClientSchema, core.All, core.Match(q)))
			check(t, err, "find clients "+q)
			var ids []int64
			for _, c := range got {
				ids = append(ids, c.ID)
			}
			return ids
		}
		ids := func(idx ...int) (lids, cids []int64) {
			for _, i := range idx {
				lids, cids = append(lids, leads[i].ID), append(cids, leads[i].Client.ID)
			}
			return
		}
		for _, tc := range []struct {
			q    string
			want []int
		}{
			{"Cliente Ejemplo", []int{0}},
			{"ejemplo, CLIENTE", []int{0}},
			{"  cliente   ", []int{0, 1}},
			{"ejemplo", []int{0, 2}},
			{"yo ejemplo", []int{0}},       // a short term scans (one no text of the fixture holds)
			{"li zoe", []int{3}},           // two short terms
			{"cliente ferrari", nil},       // one term matching nothing
			{"Cliente 612", []int{0, 1}},   // a phone digit term with a name term
			{"client1@ Cliente", []int{0}}, // e-mail and name
			{"cliente, ,,", []int{0, 1}},   // empty terms are ignored
		} {
			wl, wc := ids(tc.want...)
			if got := lead(tc.q); !slices.Equal(got, wl) {
				t.Errorf("leads %q = %v, want %v", tc.q, got, wl)
			}
			if got := client(tc.q); !slices.Equal(got, wc) {
				t.Errorf("clients %q = %v, want %v", tc.q, got, wc)
			}
		}
		if got, want := lead("Cliente ejemplo seat"), []int64{leads[0].ID}; !slices.Equal(got, want) {
			t.Errorf("leads by name and brand_model = %v, want %v", got, want)
		}
		// A number term matches the lead's id, and the other terms the text.
		id := fmt.Sprint(leads[2].ID)
		if got := lead("ejemplo " + id); !slices.Contains(got, leads[2].ID) {
			t.Errorf("leads %q = %v, want lead %d among them", "ejemplo "+id, got, leads[2].ID)
		}
		if got := lead("nuevo " + id); slices.Contains(got, leads[2].ID) {
			t.Errorf("leads %q = %v: lead %d is not nuevo", "nuevo "+id, got, leads[2].ID)
		}
		// Users, dealers, sources, provinces and localities split alike.
		_, total, err := s.FindUsers(ctx, dealers, testkit.List(core.UserSchema, core.All, core.Match("ana A")))
		check(t, err, "find users")
		if total != 1 {
			t.Errorf("users %q: %d", "ana a", total)
		}
		_, total, err = s.FindProvinces(ctx, testkit.List(core.ProvinceSchema, core.All, core.Match("a, madrid")))
		check(t, err, "find provinces")
		if total != 1 {
			t.Errorf("provinces: %d", total)
		}
		_, total, err = s.FindDealers(ctx, dealers, testkit.List(core.DealerSchema, core.All, core.Match("a dealer")))
		check(t, err, "find dealers")
		if total != 1 {
			t.Errorf("dealers: %d", total)
		}
	})
}

// TestNULRefused checks that a NUL character in a query's text is Invalid,
// not an internal error of the database.
func TestNULRefused(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		f := testkit.NewFixture(t, s, "a")
		dealers := []int64{f.Dealer.ID}
		// Queries built past core.Schema.Check, which refuses them first
		// (TestCheckQuery), so that the store's own guard is what answers.
		for _, where := range []core.Cond{core.Match("a\x00b"), core.Match("ab\x00cd"), core.Contains("client.phone", "6\x0012"), core.Contains("client.email", "x\x00")} {
			_, _, err := s.FindLeads(ctx, dealers, core.Query{Where: where, Limit: -1, Total: true})
			wantCode(t, err, core.Invalid, fmt.Sprintf("find leads %+q", where.Value))
		}
		_, _, err := s.FindClients(ctx, dealers, core.Query{Where: core.Contains("name", "a\x00"), Limit: -1, Total: true})
		wantCode(t, err, core.Invalid, "find clients")
		_, _, err = s.FindUsers(ctx, dealers, core.Query{Where: core.Match("\x00"), Limit: -1, Total: true})
		wantCode(t, err, core.Invalid, "find users")
		_, err = s.UserByLogin(ctx, "a\x00")
		wantCode(t, err, core.Invalid, "user by login")
		l := f.Lead(1)
		l.Client.Name = "nul\x00name"
		wantCode(t, s.CreateLead(ctx, &l, nil), core.Invalid, "create lead")
	})
}
