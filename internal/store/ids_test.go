package store_test

import (
	"fmt"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestIDsNeverReused deletes the newest task, note and appraisal of a lead
// and adds new ones: each gets a new, larger id, never the deleted one.
func TestIDsNeverReused(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		f := testkit.NewFixture(t, s, "a")
		l := f.Lead(1)
		check(t, s.CreateLead(ctx, &l, nil), "create")
		update := func(what string, fn func(x *core.Lead)) core.Lead {
			t.Helper()
			got, err := s.UpdateLead(ctx, l.ID, &f.User.ID, func(x *core.Lead) ([]core.History, error) {
				fn(x)
				return nil, nil
			})
			check(t, err, what)
			return got
		}
		task := l.Tasks[0].ID
		note := l.Notes[0].ID
		appraisal := l.Tasks[0].Appraisal.ID

		// The newest task, with the newest appraisal and task note, goes.
		update("delete task", func(x *core.Lead) { x.Tasks = nil })
		got := update("add task", func(x *core.Lead) {
			x.Tasks = []core.Task{{Type: core.TaskOther, Media: core.MediaPhone, CreatedAt: testkit.Now,
				Appraisal: &core.Appraisal{BrandModel: "Kia Ceed"}}}
		})
		if id := got.Tasks[0].ID; id <= task {
			t.Errorf("task after deleting task %d: id %d", task, id)
		}
		if id := got.Tasks[0].Appraisal.ID; id <= appraisal {
			t.Errorf("appraisal after deleting appraisal %d: id %d", appraisal, id)
		}
		task, appraisal = got.Tasks[0].ID, got.Tasks[0].Appraisal.ID

		// The newest note goes (the task's note went with its task).
		update("delete note", func(x *core.Lead) { x.Notes = nil; x.Tags = nil })
		got = update("add note", func(x *core.Lead) {
			x.Notes = []core.Note{{Content: "again", Created: testkit.Now, Modified: testkit.Now}}
		})
		if id := got.Notes[0].ID; id <= note || id <= l.Tags[0].ID || id <= l.Tasks[0].Notes[0].ID {
			t.Errorf("note after deleting notes up to %d: id %d", l.Tags[0].ID, id)
		}

		// The appraisal alone goes.
		update("delete appraisal", func(x *core.Lead) { x.Tasks[0].Appraisal = nil })
		got = update("add appraisal", func(x *core.Lead) { x.Tasks[0].Appraisal = &core.Appraisal{BrandModel: "Kia Rio"} })
		if id := got.Tasks[0].Appraisal.ID; id <= appraisal {
			t.Errorf("appraisal after deleting appraisal %d: id %d", appraisal, id)
		}
		if got.Tasks[0].ID != task {
			t.Errorf("task id changed: %d, want %d", got.Tasks[0].ID, task)
		}
	})
}

// TestAppraisalReplaced checks that an appraisal given without its id
// replaces the stored one with a new row and a new id, as a replaced client
// or vehicle does.
func TestAppraisalReplaced(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		f := testkit.NewFixture(t, s, "a")
		l := f.Lead(1)
		check(t, s.CreateLead(ctx, &l, nil), "create")
		old := *l.Tasks[0].Appraisal
		got, err := s.UpdateLead(ctx, l.ID, &f.User.ID, func(x *core.Lead) ([]core.History, error) {
			x.Tasks[0].Appraisal = &core.Appraisal{BrandModel: "x"}
			return nil, nil
		})
		check(t, err, "replace appraisal")
		a := got.Tasks[0].Appraisal
		if a == nil || a.ID == 0 || a.ID == old.ID || a.BrandModel != "x" || a.LicensePlate != "" {
			t.Fatalf("replaced appraisal = %+v, old %+v", a, old)
		}
		loaded, err := s.Lead(ctx, l.ID)
		check(t, err, "load")
		same(t, "appraisal as stored", loaded.Tasks[0].Appraisal, a)
		var n int
		check(t, s.DB().QueryRowContext(ctx, `SELECT count(*) FROM appraisals WHERE id = `+itoa(old.ID)).Scan(&n), "count old")
		if n != 0 {
			t.Errorf("the old appraisal %d is still stored", old.ID)
		}
	})
}

// TestLeadHistoryOrder lists a lead's history oldest and newest first, whole
// and by pages.
func TestLeadHistoryOrder(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		f := testkit.NewFixture(t, s, "a")
		l := f.Lead(1)
		h := core.History{At: testkit.Now, Type: core.HistoryCreated, Kind: "created"}
		check(t, s.CreateLead(ctx, &l, &h), "create")
		for i := 1; i <= 4; i++ {
			_, err := s.UpdateLead(ctx, l.ID, nil, func(x *core.Lead) ([]core.History, error) {
				x.Score = i
				// Two entries at the same instant: the id decides.
				at := testkit.Now.Add(time.Duration(i/2) * time.Minute)
				return []core.History{{At: at, Type: core.HistoryChanged, Kind: core.HistoryKind("score " + itoa(int64(i)))}}, nil
			})
			check(t, err, "update")
		}
		reasons := func(newestFirst bool, p core.Page) ([]string, int) {
			t.Helper()
			hs, total, err := s.LeadHistory(ctx, []int64{l.DealerID}, l.ID, newestFirst, p)
			check(t, err, "history")
			var out []string
			for _, h := range hs {
				out = append(out, string(h.Kind))
			}
			return out, total
		}
		oldest, total := reasons(false, core.All)
		same(t, "oldest first", oldest, []string{"created", "score 1", "score 2", "score 3", "score 4"})
		newest, _ := reasons(true, core.All)
		same(t, "newest first", newest, []string{"score 4", "score 3", "score 2", "score 1", "created"})
		page, n := reasons(true, core.Page{Limit: 2})
		same(t, "newest first, page 1", page, []string{"score 4", "score 3"})
		if n != total || total != 5 {
			t.Errorf("totals %d %d, want 5", n, total)
		}
		page, n = reasons(true, core.Page{Offset: 4, Limit: 2})
		same(t, "newest first, last page", page, []string{"created"})
		if n != 5 {
			t.Errorf("total with the last page %d, want 5", n)
		}
		page, n = reasons(false, core.Page{Offset: 7, Limit: 2})
		if len(page) != 0 || n != 5 {
			t.Errorf("a page past the end: %v, total %d, want none of 5", page, n)
		}
		if page, n = reasons(false, core.Page{Limit: 0}); len(page) != 0 || n != 5 {
			t.Errorf("an empty page: %v, total %d, want none of 5", page, n)
		}
	})
}

func itoa(n int64) string {
	return fmt.Sprint(n)
}
