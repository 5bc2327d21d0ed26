package store_test

import (
	"database/sql"
	"fmt"
	"slices"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// sample returns a value of spec's type, for conditions that only need to
// compile and run.
func sample(spec core.FieldSpec) any {
	switch spec.Type {
	case core.TypeText:
		return "x"
	case core.TypeEnum:
		return spec.Values[0]
	case core.TypeStage:
		return core.StageNew
	case core.TypeBool:
		return true
	case core.TypeTime:
		return testkit.Now
	case core.TypeFloat:
		return 1.5
	}
	return int64(1)
}

// TestQueryEveryField: every field of every schema compiles and runs on
// both engines, with every operator its type takes, as a sort and as a
// group where the schema allows them.
func TestQueryEveryField(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		f := testkit.NewFixture(t, s, "a")
		l := f.Lead(1)
		check(t, s.CreateLead(ctx, &l, nil), "create lead")
		edit(t, s, l.ID, func(tx core.LeadTx) error {
			end := testkit.Now.Add(time.Hour)
			return tx.AddAppointment(&core.Appointment{DealerID: f.Dealer.ID, LeadID: l.ID, ClientID: &l.Client.ID, UserID: &f.User.ID,
				Type: core.AppointmentVisit, Status: core.AppointmentPlanned, Title: "x", StartAt: testkit.Now, EndAt: &end,
				CreatedAt: testkit.Now, UpdatedAt: testkit.Now})
		})
		dealers := []int64{f.Dealer.ID}
		finds := map[string]func(core.Query) error{
			"lead": func(q core.Query) error {
				if q.GroupBy != "" {
					_, err := s.GroupLeads(ctx, dealers, q)
					return err
				}
				_, _, err := s.FindLeads(ctx, dealers, q)
				return err
			},
			"client":   func(q core.Query) error { _, _, err := s.FindClients(ctx, dealers, q); return err },
			"user":     func(q core.Query) error { _, _, err := s.FindUsers(ctx, dealers, q); return err },
			"dealer":   func(q core.Query) error { _, _, err := s.FindDealers(ctx, dealers, q); return err },
			"source":   func(q core.Query) error { _, _, err := s.FindSources(ctx, dealers, q); return err },
			"province": func(q core.Query) error { _, _, err := s.FindProvinces(ctx, q); return err },
			"locality": func(q core.Query) error { _, _, err := s.FindLocalities(ctx, q); return err },
			"appointment": func(q core.Query) error {
				if q.GroupBy != "" {
					_, err := s.GroupAppointments(ctx, dealers, q)
					return err
				}
				_, _, err := s.FindAppointments(ctx, dealers, q)
				return err
			},
		}
		for _, sc := range []core.Schema{core.LeadSchema, core.ClientSchema, core.UserSchema, core.DealerSchema, core.SourceSchema, core.ProvinceSchema,
			core.LocalitySchema, core.AppointmentSchema} {
			find := finds[sc.Entity]
			run := func(what string, q core.Query) {
				t.Helper()
				q.Limit, q.Total, q.At = 5, true, testkit.Now
				if err := sc.Check(&q); err != nil {
					return // an operator the field's type does not take
				}
				if err := find(q); err != nil {
					t.Errorf("%s %s: %v", sc.Entity, what, err)
				}
			}
			run("search", core.Query{Where: core.Match("x 12 ab")})
			for name, spec := range sc.Fields {
				v := sample(spec)
				for _, op := range []core.Op{core.OpEq, core.OpNe, core.OpLt, core.OpLte, core.OpGt, core.OpGte, core.OpContains} {
					run(fmt.Sprintf("%s %s", name, op), core.Query{Where: core.Cond{Op: op, Field: name, Value: v}})
				}
				run(name+" eq null", core.Query{Where: core.Eq(name, nil)})
				run(name+" in", core.Query{Where: core.Cond{Op: core.OpIn, Field: name, Values: []any{v, nil}}})
				run(name+" nin", core.Query{Where: core.Cond{Op: core.OpNin, Field: name, Values: []any{v}}})
				run(name+" exists", core.Query{Where: core.Not(core.Cond{Op: core.OpExists, Field: name, Value: false})})
				if spec.Sort {
					run(name+" sort", core.Query{Sort: []core.Sort{{Field: name, Desc: true}}})
				}
				if spec.Group {
					if sc.Entity != "lead" && sc.Entity != "appointment" {
						continue
					}
					run(name+" group", core.Query{GroupBy: name})
				}
			}
		}
	})
}

// TestLeadQueries: what each operator means on leads, on both engines.
func TestLeadQueries(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		f := testkit.NewFixture(t, s, "a")
		g := testkit.NewFixture(t, s, "b") // another dealer, whose records no lead of a refers to
		dealers := []int64{f.Dealer.ID}
		other := core.User{Username: "bea", FirstName: "Beatriz", LastName: "Zurbano", IsActive: true, CreatedAt: testkit.Now,
			Memberships: []core.Membership{{DealerID: f.Dealer.ID}}}
		check(t, s.CreateUser(ctx, &other), "create user")
		stranger := core.User{Username: "xio", FirstName: "Xiomara", LastName: "Quintanilla", IsActive: true, CreatedAt: testkit.Now,
			Memberships: []core.Membership{{DealerID: g.Dealer.ID}}}
		check(t, s.CreateUser(ctx, &stranger), "create user of b")

		// 0: assigned to the fixture's user, open, with a task, a note, a
		//    tag, a 2019 diesel car;
		// 1: unassigned, ended, no task, no note, a 2010 car of no fuel,
		//    created a day later;
		// 2: assigned to Beatriz, tracing, a task of another type.
		var leads []core.Lead
		for i := range 3 {
			l := f.Lead(i + 1)
			l.CreatedAt = testkit.Now.Add(time.Duration(i) * 24 * time.Hour)
			switch i {
			case 1:
				l.UserID, l.Stage, l.FinishedAt = nil, core.StageEnd, ptr(l.CreatedAt)
				l.Tasks, l.Notes, l.Tags = nil, nil, nil
				l.Vehicle.Year, l.Vehicle.GasID = ptr(2010), nil
			case 2:
				l.UserID, l.Stage = &other.ID, core.StageTracing
				l.Tasks[0].Type, l.Tasks[0].Description, l.Tasks[0].Appraisal = core.TaskDate, "Test drive", nil
				l.Notes[0].Content = "Wants a blue one"
			}
			check(t, s.CreateLead(ctx, &l, nil), "create lead")
			leads = append(leads, l)
		}
		ids := func(idx ...int) []int64 {
			out := []int64{}
			for _, i := range idx {
				out = append(out, leads[i].ID)
			}
			return out
		}
		for _, tc := range []struct {
			name  string
			where core.Cond
			want  []int64
		}{
			{"eq", core.Eq("user", f.User.ID), ids(0)},
			{"eq null", core.Eq("user", nil), ids(1)},
			{"ne holds where there is no value", core.Cond{Op: core.OpNe, Field: "user", Value: f.User.ID}, ids(1, 2)},
			{"nin holds where there is no value", core.Cond{Op: core.OpNin, Field: "user", Values: []any{other.ID}}, ids(0, 1)},
			{"in with null", core.Cond{Op: core.OpIn, Field: "user", Values: []any{other.ID, nil}}, ids(1, 2)},
			{"exists", core.Cond{Op: core.OpExists, Field: "finished_at", Value: true}, ids(1)},
			{"not exists", core.Cond{Op: core.OpExists, Field: "finished_at", Value: false}, ids(0, 2)},
			{"stages in lifecycle order", core.Cond{Op: core.OpGte, Field: "stage", Value: core.StageTracing}, ids(1, 2)},
			{"time", core.Cond{Op: core.OpGt, Field: "created_at", Value: testkit.Now}, ids(1, 2)},
			{"related record", core.Cond{Op: core.OpGt, Field: "vehicle.year", Value: 2015}, ids(0, 2)},
			{"related record without value", core.Eq("vehicle.gas", nil), ids(1)},
			{"any element of a list", core.Eq("tasks.type", string(core.TaskAppraisal)), ids(0)},
			{"no element of a list", core.Cond{Op: core.OpNe, Field: "tasks.type", Value: string(core.TaskAppraisal)}, ids(1, 2)},
			{"a list with elements", core.Cond{Op: core.OpExists, Field: "tasks.type", Value: true}, ids(0, 2)},
			{"text inside a list", core.Contains("notes.content", "BLUE"), ids(2)},
			{"phone in E.164", core.Eq("client.phone", "+34612000002"), ids(1)},
			{"phone as given", core.Eq("client.phone", "612 000 003"), ids(2)},
			{"e-mail any case", core.Eq("client.email", "CLIENT1@example.com"), ids(0)},
			{"or", core.Or(core.Eq("stage", core.StageEnd), core.Eq("user", other.ID)), ids(1, 2)},
			{"not", core.Not(core.Eq("stage", core.StageNew)), ids(1, 2)},
			{"search a note", core.Match("twice"), ids(0)},
			{"search a task's description", core.Match("drive"), ids(2)},
			{"search an appraised plate", core.Match("1234abc"), ids(0)},
			{"search the source's origin", core.Match("coches.net"), ids(0, 1, 2)},
			{"search the assigned user", core.Match("zurbano"), ids(2)},
			{"search the user and a text", core.Match("zurbano blue"), ids(2)},
			{"search the province", core.Match("madrid"), ids(0, 1, 2)},
			{"search the locality", core.Match("alcalá"), ids(0, 1, 2)},
			{"search the fuel", core.Match("diesel"), ids(0, 2)},
			{"search another dealer's users", core.Match("quintanilla"), ids()},
			{"search nothing", core.Match("zurbano ferrari"), ids()},
		} {
			q := core.Query{Where: tc.where, Sort: []core.Sort{{Field: "id"}}, Limit: -1, Total: true}
			if err := core.LeadSchema.Check(&q); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			got, total, err := s.FindLeads(ctx, dealers, q)
			check(t, err, tc.name)
			gotIDs := []int64{}
			for _, l := range got {
				gotIDs = append(gotIDs, l.ID)
			}
			if !slices.Equal(gotIDs, tc.want) || total != len(tc.want) {
				t.Errorf("%s: got %v (total %d), want %v", tc.name, gotIDs, total, tc.want)
			}
		}

		groups, err := s.GroupLeads(ctx, dealers, testkit.All(core.LeadSchema))
		if err == nil {
			t.Error("group without a field: no error")
		}
		q := testkit.All(core.LeadSchema)
		q.GroupBy = "user"
		groups, err = s.GroupLeads(ctx, dealers, q)
		check(t, err, "group by user")
		if fmt.Sprint(groups) != fmt.Sprintf("[{<nil> 1} {%d 1} {%d 1}]", f.User.ID, other.ID) {
			t.Errorf("groups by user: %v", groups)
		}
		q = testkit.All(core.LeadSchema, core.Cond{Op: core.OpNe, Field: "stage", Value: core.StageEnd})
		q.GroupBy = "stage"
		groups, err = s.GroupLeads(ctx, dealers, q)
		check(t, err, "group by stage")
		if fmt.Sprint(groups) != "[{new 1} {tracing 1}]" {
			t.Errorf("groups by stage: %v", groups)
		}

		q = testkit.All(core.LeadSchema, core.Eq("user", f.User.ID))
		q.Project = []string{"client", "stage"}
		got, _, err := s.FindLeads(ctx, dealers, q)
		check(t, err, "projected")
		if len(got) != 1 || got[0].Client == nil || got[0].Vehicle == nil || got[0].Tasks != nil || got[0].Notes != nil || got[0].Tags != nil {
			t.Errorf("projection of the client: %+v", got)
		}
		q.Project = []string{"tasks.type"}
		got, _, err = s.FindLeads(ctx, dealers, q)
		check(t, err, "projected")
		if len(got) != 1 || len(got[0].Tasks) != 1 || len(got[0].Tasks[0].Notes) != 1 {
			t.Errorf("projection of the tasks: %+v", got)
		}
	})
}

// TestSearchTextThroughMigration12: migration 0012 (Go) rewrites every
// lead's search_text to hold its notes, tasks' descriptions and appraised
// plates, and Down restores the vehicle and tags alone; the trigram index
// follows both ways.
func TestSearchTextThroughMigration12(t *testing.T) {
	for engine, dsn := range engineDSNs(t) {
		t.Run(engine, func(t *testing.T) {
			s := openAt(t, dsn)
			f := testkit.NewFixture(t, s, "a")
			l := f.Lead(1)
			check(t, s.CreateLead(ctx, &l, nil), "create")
			search := func(s *store.Store, term string) int {
				t.Helper()
				_, n, err := testkit.FindLeads(ctx, s, testkit.LeadFilter{DealerIDs: []int64{f.Dealer.ID}, Search: term, Page: core.All})
				check(t, err, "search "+term)
				return n
			}
			if search(s, "twice") != 1 || search(s, "trade-in") != 1 {
				t.Fatal("a note and a task's description are not found before the migration")
			}
			check(t, s.Close(), "close")

			db := migrateTo(t, engine, dsn, 11)
			var text string
			if err := db.QueryRow(`SELECT search_text FROM leads`).Scan(&text); err != nil {
				t.Fatal(err)
			}
			if text != "seat ibiza\nurgent" {
				t.Fatalf("search_text after migrating down: %q", text)
			}
			if engine == store.SQLite {
				if _, err := db.Exec(`INSERT INTO leads_fts (leads_fts) VALUES ('integrity-check')`); err != nil {
					t.Fatalf("trigram index after migrating down: %v", err)
				}
			}
			db.Close()

			s = openAt(t, dsn) // and up again
			defer s.Close()
			if search(s, "twice") != 1 || search(s, "1234abc") != 1 || search(s, "urgent seat") != 1 {
				t.Fatal("a note, a plate or the old texts are not found after migrating up")
			}
			if engine == store.SQLite {
				if err := store.ExecWrite(s, `INSERT INTO leads_fts (leads_fts) VALUES ('integrity-check')`); err != nil {
					t.Fatalf("trigram index after migrating up: %v", err)
				}
			}
		})
	}
}

// migrateTo moves the closed store's database at dsn down to version and
// returns it open.
func migrateTo(t *testing.T, engine, dsn string, version int64) *sql.DB {
	t.Helper()
	driver := "sqlite"
	if engine == store.Postgres {
		driver = "pgx"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	p, err := store.Migrator(engine, db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, version); err != nil {
		t.Fatalf("migrate down to %d: %v", version, err)
	}
	return db
}
