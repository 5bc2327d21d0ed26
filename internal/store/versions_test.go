package store_test

import (
	"sync"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestItemVersions: tasks, notes, tags and clients start at version 1 and
// each grows by one with a change of its own (a task's with its
// appraisal's and notes'), through UpdateLead's nested saves; a client's
// through any of its leads. What UpdateLead returns is what is stored.
func TestItemVersions(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		f := testkit.NewFixture(t, s, "a")
		actor := ptr(f.User.ID)
		l := f.Lead(1)
		l.Tasks = append(l.Tasks, core.Task{Type: core.TaskOther, Media: core.MediaEmail, CreatedAt: testkit.Now})
		check(t, s.CreateLead(ctx, &l, nil), "create")
		other := f.Lead(2)
		other.Client = &core.Client{ID: l.Client.ID}
		check(t, s.CreateLead(ctx, &other, nil), "create another lead of the client")
		got, err := s.Lead(ctx, l.ID)
		check(t, err, "load")
		for what, v := range map[string]int{"client": got.Client.Version, "task": got.Tasks[0].Version, "task note": got.Tasks[0].Notes[0].Version,
			"note": got.Notes[0].Version, "tag": got.Tags[0].Version, "other task": got.Tasks[1].Version} {
			if v != 1 {
				t.Fatalf("stored %s's version = %d, want 1", what, v)
			}
		}

		update := func(id int64, fn func(*core.Lead)) core.Lead {
			t.Helper()
			out, err := s.UpdateLead(ctx, id, actor, func(x *core.Lead) ([]core.History, error) { fn(x); return nil, nil })
			check(t, err, "update")
			stored, err := s.Lead(ctx, id)
			check(t, err, "reload")
			same(t, "stored lead", stored, out)
			return out
		}
		versions := func(x core.Lead) []int {
			return []int{x.Client.Version, x.Tasks[0].Version, x.Tasks[0].Notes[0].Version, x.Notes[0].Version, x.Tags[0].Version, x.Tasks[1].Version}
		}
		for _, step := range []struct {
			name   string
			change func(*core.Lead)
			want   []int // client, task, task note, note, tag, other task
		}{
			{"nothing", func(*core.Lead) {}, []int{1, 1, 1, 1, 1, 1}},
			{"a task's field", func(x *core.Lead) { x.Tasks[0].Done = true }, []int{1, 2, 1, 1, 1, 1}},
			{"a task's appraisal", func(x *core.Lead) { x.Tasks[0].Appraisal.Km = "1" }, []int{1, 3, 1, 1, 1, 1}},
			{"a new appraisal", func(x *core.Lead) { x.Tasks[0].Appraisal = &core.Appraisal{BrandModel: "Kia"} }, []int{1, 4, 1, 1, 1, 1}},
			{"a task's note", func(x *core.Lead) { x.Tasks[0].Notes[0].Content = "Papers in" }, []int{1, 5, 2, 1, 1, 1}},
			{"a note added to a task", func(x *core.Lead) {
				x.Tasks[0].Notes = append(x.Tasks[0].Notes, core.Note{Content: "more", Created: testkit.Now, Modified: testkit.Now})
			}, []int{1, 6, 2, 1, 1, 1}},
			{"a note removed from a task", func(x *core.Lead) { x.Tasks[0].Notes = x.Tasks[0].Notes[:1] }, []int{1, 7, 2, 1, 1, 1}},
			{"a lead's note", func(x *core.Lead) { x.Notes[0].Content = "Called thrice" }, []int{1, 7, 2, 2, 1, 1}},
			{"a tag", func(x *core.Lead) { x.Tags[0].Content = "Very urgent" }, []int{1, 7, 2, 2, 2, 1}},
			{"the client", func(x *core.Lead) { x.Client.Name = "Renamed" }, []int{2, 7, 2, 2, 2, 1}},
		} {
			got := update(l.ID, step.change)
			if v := versions(got); !equalInts(v, step.want) {
				t.Fatalf("after %s: versions %v, want %v", step.name, v, step.want)
			}
		}
		// The client changes through the other lead too.
		o := update(other.ID, func(x *core.Lead) { x.Client.Email = "renamed@example.com" })
		if o.Client.Version != 3 {
			t.Fatalf("client changed through another lead: v%d, want 3", o.Client.Version)
		}
		if got, _ := s.Lead(ctx, l.ID); got.Client.Version != 3 || got.Client.Email != "renamed@example.com" {
			t.Fatalf("the first lead's client: v%d %q", got.Client.Version, got.Client.Email)
		}
		cs, _, err := s.FindClients(ctx, []int64{f.Dealer.ID}, testkit.List(core.ClientSchema, core.All))
		check(t, err, "clients")
		if len(cs) != 1 || cs[0].Version != 3 {
			t.Fatalf("listed client: %+v", cs)
		}
	})
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestClientLockedWithItsLead: UpdateLead holds the client's row with the
// lead's, so that two updates of one client through two of its leads
// never both write the version they loaded: the second loads the first's.
// The first holds its transaction open until the second has entered its
// own or a second has passed (the wait only bounds the test: on both
// engines the second cannot enter before the first commits).
func TestClientLockedWithItsLead(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		f := testkit.NewFixture(t, s, "a")
		a, b := f.Lead(1), f.Lead(2)
		check(t, s.CreateLead(ctx, &a, nil), "create")
		b.Client = &core.Client{ID: a.Client.ID}
		check(t, s.CreateLead(ctx, &b, nil), "create")

		loaded := make(chan struct{})
		secondIn := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(2)
		var errA, errB error
		go func() {
			defer wg.Done()
			_, errA = s.UpdateLead(ctx, a.ID, nil, func(x *core.Lead) ([]core.History, error) {
				close(loaded)
				select {
				case <-secondIn:
				case <-time.After(time.Second):
				}
				x.Client.Name = "First"
				return nil, nil
			})
		}()
		go func() {
			defer wg.Done()
			<-loaded
			_, errB = s.UpdateLead(ctx, b.ID, nil, func(x *core.Lead) ([]core.History, error) {
				select {
				case <-secondIn:
				default:
					close(secondIn)
				}
				x.Client.Email = "second@example.com"
				return nil, nil
			})
		}()
		wg.Wait()
		check(t, errA, "first update")
		check(t, errB, "second update")
		got, err := s.Lead(ctx, a.ID)
		check(t, err, "load")
		if got.Client.Version != 3 || got.Client.Name != "First" || got.Client.Email != "second@example.com" {
			t.Fatalf("client after two updates through two leads: v%d %q %q; want v3 with both changes", got.Client.Version, got.Client.Name, got.Client.Email)
		}
	})
}

// TestThroughMigration11: migration 0011 (the versions of tasks, notes
// and clients, and the appointments table) goes down and up on both
// engines: down drops them and leaves the leads as they were; up starts
// every version at 1 and appointments empty, ready for use.
func TestThroughMigration11(t *testing.T) {
	for engine, dsn := range engineDSNs(t) {
		t.Run(engine, func(t *testing.T) {
			s := openAt(t, dsn)
			f := testkit.NewFixture(t, s, "a")
			l := f.Lead(1)
			check(t, s.CreateLead(ctx, &l, nil), "create")
			_, err := s.UpdateLead(ctx, l.ID, nil, func(x *core.Lead) ([]core.History, error) {
				x.Tasks[0].Done, x.Notes[0].Content, x.Client.Name = true, "Called again", "Renamed"
				return nil, nil
			})
			check(t, err, "update")
			addAppointment := func(s *store.Store) core.Appointment {
				t.Helper()
				a := core.Appointment{DealerID: f.Dealer.ID, LeadID: l.ID, Type: core.AppointmentVisit, Status: core.AppointmentPlanned,
					StartAt: testkit.Now, CreatedAt: testkit.Now, UpdatedAt: testkit.Now}
				edit(t, s, l.ID, func(tx core.LeadTx) error { return tx.AddAppointment(&a) })
				return a
			}
			addAppointment(s)
			before, err := s.Lead(ctx, l.ID)
			check(t, err, "load")
			if before.Tasks[0].Version != 2 || before.Notes[0].Version != 2 || before.Client.Version != 2 {
				t.Fatalf("versions before migrating: %+v", before)
			}
			check(t, s.Close(), "close")

			db := migrateTo(t, engine, dsn, 10)
			for _, q := range []string{`SELECT version FROM tasks`, `SELECT version FROM notes`, `SELECT version FROM clients`, `SELECT count(*) FROM appointments`} {
				if rows, err := db.Query(q); err == nil {
					rows.Close()
					t.Errorf("after migrating down, %s still runs", q)
				}
			}
			if n := countRows(t, db, `SELECT count(*) FROM leads`); n != 1 {
				t.Fatalf("leads after migrating down: %d", n)
			}
			db.Close()

			s = openAt(t, dsn) // and up again
			defer s.Close()
			got, err := s.Lead(ctx, l.ID)
			check(t, err, "reload")
			same(t, "lead after migrating down and up", got, versionsFromOne(before))
			as, n, err := s.FindAppointments(ctx, []int64{f.Dealer.ID}, testkit.List(core.AppointmentSchema, core.All))
			check(t, err, "appointments")
			if n != 0 || len(as) != 0 {
				t.Fatalf("appointments after migrating down and up: %d", n)
			}
			a := addAppointment(s)
			if a.ID == 0 || a.Version != 1 {
				t.Fatalf("an appointment after migrating up: %+v", a)
			}
		})
	}
}
