package store_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// edit runs fn in s.EditLead on lead id and fails the test on its error.
func edit(t *testing.T, s *store.Store, id int64, fn func(tx core.LeadTx) error) {
	t.Helper()
	check(t, s.EditLead(ctx, id, fn), "edit lead")
}

// wantSearchText fails unless lead id's stored search_text is the one
// leadSearchText makes of the whole lead.
func wantSearchText(t *testing.T, s *store.Store, id int64, what string) string {
	t.Helper()
	stored, whole, err := store.SearchTexts(s, id)
	check(t, err, "search texts")
	if stored != whole {
		t.Fatalf("after %s: search_text %q, want %q", what, stored, whole)
	}
	return stored
}

// TestEditLeadTasks: EditLead's LeadTx reads and writes one task of the
// lead at a time, with its appraisal and notes, keeps the lead's
// search_text what leadSearchText makes of the whole lead, saves the
// lead's row with its next version, and saves nothing when fn fails.
func TestEditLeadTasks(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		f := testkit.NewFixture(t, s, "a")
		actor := ptr(f.User.ID)
		l := f.Lead(1)
		check(t, s.CreateLead(ctx, &l, nil), "create")
		other := f.Lead(2)
		check(t, s.CreateLead(ctx, &other, nil), "create")
		later := testkit.Now.Add(time.Hour)
		search := func(term string) int {
			t.Helper()
			_, n, err := testkit.FindLeads(ctx, s, testkit.LeadFilter{DealerIDs: []int64{f.Dealer.ID}, Search: term, Page: core.All})
			check(t, err, "search "+term)
			return n
		}

		var added core.Task
		edit(t, s, l.ID, func(tx core.LeadTx) error {
			head := tx.Lead()
			if head.ID != l.ID || head.Version != 1 || head.Client == nil || head.Vehicle == nil || head.Tasks != nil || head.Notes != nil {
				return fmt.Errorf("the lead as the transaction holds it: %+v", head)
			}
			if n, err := tx.CountTasks(); err != nil || n != 1 {
				return fmt.Errorf("count tasks = %d, %v", n, err)
			}
			added = core.Task{Type: core.TaskDate, Media: core.MediaPhone, Description: "Test drive of the León", CreatedAt: later,
				Appraisal: &core.Appraisal{BrandModel: "Seat León", LicensePlate: "9999XYZ"},
				Notes:     []core.Note{{Content: "Bring the licence", Created: later, Modified: later}}}
			if err := tx.AddTask(&added, actor); err != nil {
				return err
			}
			head.UpdatedAt = later
			if err := tx.SaveLead(&head, true); err != nil {
				return err
			}
			if head.Version != 2 {
				return fmt.Errorf("saved lead's version = %d, want 2", head.Version)
			}
			return tx.AddHistory(&core.History{At: later, UserID: actor, Type: core.HistoryChanged, Kind: core.KindTaskCreated,
				Changes: []core.Change{{Field: "tasks", New: core.TaskSummary(added)}}})
		})
		if added.ID == 0 || added.Version != 1 || added.LeadID != l.ID || added.DealerID != f.Dealer.ID || added.Appraisal.ID == 0 ||
			added.Notes[0].ID == 0 || added.Notes[0].TaskID != added.ID || len(added.Notes[0].History) != 1 {
			t.Fatalf("added task: %+v", added)
		}
		got, err := s.Task(ctx, added.ID)
		check(t, err, "task")
		same(t, "stored task", got, added)
		lead, err := s.Lead(ctx, l.ID)
		check(t, err, "lead")
		if lead.Version != 2 || !lead.UpdatedAt.Equal(later) || len(lead.Tasks) != 2 {
			t.Fatalf("lead after a task was added: v%d %v, %d tasks", lead.Version, lead.UpdatedAt, len(lead.Tasks))
		}
		same(t, "task in the lead", lead.Tasks[1], added)
		wantSearchText(t, s, l.ID, "a task added")
		if search("9999xyz") != 1 || search("león") != 1 {
			t.Fatal("the added task's plate or description is not found")
		}
		if hs, _, _ := s.LeadHistory(ctx, []int64{l.DealerID}, l.ID, false, core.All); len(hs) != 1 || hs[0].Kind != core.KindTaskCreated {
			t.Fatalf("history: %+v", hs)
		}

		// Change it: its description, appraisal and note.
		edit(t, s, l.ID, func(tx core.LeadTx) error {
			old, err := tx.Task(added.ID)
			if err != nil {
				return err
			}
			cur := old.Clone()
			cur.Description, cur.Appraisal.LicensePlate, cur.Notes[0].Content = "Delivery", "1111AAA", "Licence seen"
			changed, err := tx.SaveTask(&old, &cur, actor)
			if err != nil || !changed {
				return fmt.Errorf("save task: %v, %v", changed, err)
			}
			added = cur
			head := tx.Lead()
			return tx.SaveLead(&head, true)
		})
		if added.Version != 2 || added.Notes[0].Version != 2 || len(added.Notes[0].History) != 2 {
			t.Fatalf("saved task: v%d, note v%d %+v", added.Version, added.Notes[0].Version, added.Notes[0].History)
		}
		got, err = s.Task(ctx, added.ID)
		check(t, err, "task")
		same(t, "stored task after its change", got, added)
		wantSearchText(t, s, l.ID, "a task changed")
		if search("9999xyz") != 0 || search("1111aaa") != 1 || search("delivery") != 1 {
			t.Fatal("the search does not follow the task's change")
		}
		// Saving it unchanged changes nothing.
		edit(t, s, l.ID, func(tx core.LeadTx) error {
			old, err := tx.Task(added.ID)
			if err != nil {
				return err
			}
			cur := old.Clone()
			if changed, err := tx.SaveTask(&old, &cur, actor); err != nil || changed || cur.Version != 2 {
				return fmt.Errorf("unchanged task saved: %v v%d, %v", changed, cur.Version, err)
			}
			return nil
		})

		// Another lead's task is none of this lead's.
		edit(t, s, l.ID, func(tx core.LeadTx) error {
			if _, err := tx.Task(other.Tasks[0].ID); core.ErrorCode(err) != core.NotFound {
				return fmt.Errorf("another lead's task = %v, want NotFound", err)
			}
			if err := tx.DeleteTask(other.Tasks[0].ID); core.ErrorCode(err) != core.NotFound {
				return fmt.Errorf("deleting another lead's task = %v, want NotFound", err)
			}
			return nil
		})
		if _, err := s.Task(ctx, other.Tasks[0].ID); err != nil {
			t.Fatalf("the other lead's task: %v", err)
		}

		// A failing fn saves nothing.
		boom := errors.New("boom")
		err = s.EditLead(ctx, l.ID, func(tx core.LeadTx) error {
			if err := tx.DeleteTask(added.ID); err != nil {
				return err
			}
			head := tx.Lead()
			if err := tx.SaveLead(&head, true); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("fn's error: %v", err)
		}
		if got, err := s.Lead(ctx, l.ID); err != nil || len(got.Tasks) != 2 || got.Version != lead.Version+1 {
			t.Fatalf("after a failed edit: %d tasks v%d, %v", len(got.Tasks), got.Version, err)
		}

		// Delete it: its notes go with it, the search forgets it.
		edit(t, s, l.ID, func(tx core.LeadTx) error {
			if err := tx.DeleteTask(added.ID); err != nil {
				return err
			}
			head := tx.Lead()
			return tx.SaveLead(&head, true)
		})
		wantSearchText(t, s, l.ID, "a task deleted")
		if _, err := s.Task(ctx, added.ID); core.ErrorCode(err) != core.NotFound {
			t.Fatalf("deleted task: %v", err)
		}
		if search("1111aaa") != 0 || search("delivery") != 0 {
			t.Fatal("the deleted task is still found")
		}
	})
}

// TestEditLeadLocksTheLead: EditLead holds the lead's row, so that of two
// edits of one lead the second sees what the first wrote: each adds a
// task named by the number of tasks it counted. The first holds its
// transaction open until the second has counted or a second has passed (the wait only bounds the test: on both engines the second
// cannot enter before the first commits).
func TestEditLeadLocksTheLead(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		f := testkit.NewFixture(t, s, "a")
		l := f.Lead(1)
		l.Tasks = nil
		check(t, s.CreateLead(ctx, &l, nil), "create")
		addCounted := func(tx core.LeadTx, counted func()) error {
			n, err := tx.CountTasks()
			if err != nil {
				return err
			}
			counted()
			return tx.AddTask(&core.Task{Type: core.TaskOther, Media: core.MediaPhone, Description: fmt.Sprint(n), CreatedAt: testkit.Now}, nil)
		}
		inFirst := make(chan struct{})
		inSecond := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(2)
		var errA, errB error
		go func() {
			defer wg.Done()
			errA = s.EditLead(ctx, l.ID, func(tx core.LeadTx) error {
				if err := addCounted(tx, func() {}); err != nil {
					return err
				}
				close(inFirst)
				select {
				case <-inSecond:
				case <-time.After(time.Second):
				}
				return nil
			})
		}()
		go func() {
			defer wg.Done()
			<-inFirst
			errB = s.EditLead(ctx, l.ID, func(tx core.LeadTx) error {
				return addCounted(tx, func() {
					select {
					case <-inSecond:
					default:
						close(inSecond)
					}
				})
			})
		}()
		wg.Wait()
		check(t, errA, "first edit")
		check(t, errB, "second edit")
		got, err := s.Lead(ctx, l.ID)
		check(t, err, "lead")
		if len(got.Tasks) != 2 || got.Tasks[0].Description != "0" || got.Tasks[1].Description != "1" {
			t.Fatalf("tasks after two edits: %+v", got.Tasks)
		}
	})
}

// TestEditLeadNotes: EditLead's LeadTx reads and writes one note, tag or
// task's note at a time: a new content is a new version of it (as
// UpdateLead keeps them), any change its next version and its task's,
// and the lead's search_text stays what leadSearchText makes of the whole
// lead.
func TestEditLeadNotes(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, s *store.Store) {
		f := testkit.NewFixture(t, s, "a")
		actor := ptr(f.User.ID)
		l, other := f.Lead(1), f.Lead(2)
		check(t, s.CreateLead(ctx, &l, nil), "create")
		check(t, s.CreateLead(ctx, &other, nil), "create")
		later := testkit.Now.Add(time.Hour)
		saveLead := func(tx core.LeadTx) error { head := tx.Lead(); return tx.SaveLead(&head, true) }

		var note, tag, tnote core.Note
		edit(t, s, l.ID, func(tx core.LeadTx) error {
			if n, err := tx.CountNotes(0, false); err != nil || n != 1 {
				return fmt.Errorf("lead notes: %d, %v", n, err)
			}
			if n, err := tx.CountNotes(l.Tasks[0].ID, false); err != nil || n != 1 {
				return fmt.Errorf("task notes: %d, %v", n, err)
			}
			note = core.Note{Content: "Wants leasing", Created: later, Modified: later}
			tag = core.Note{Content: "Fleet", Tag: true, Created: later, Modified: later}
			tnote = core.Note{Content: "Second visit", TaskID: l.Tasks[0].ID, Created: later, Modified: later}
			for _, n := range []*core.Note{&note, &tag, &tnote} {
				if err := tx.AddNote(n, actor); err != nil {
					return err
				}
			}
			if err := tx.AddNote(&core.Note{Content: "x", TaskID: other.Tasks[0].ID}, actor); core.ErrorCode(err) != core.NotFound {
				return fmt.Errorf("a note on another lead's task: %v", err)
			}
			return saveLead(tx)
		})
		got, err := s.Lead(ctx, l.ID)
		check(t, err, "lead")
		same(t, "added note", got.Notes[1], note)
		same(t, "added tag", got.Tags[1], tag)
		same(t, "added task note", got.Tasks[0].Notes[1], tnote)
		if got.Tasks[0].Version != 2 || note.Version != 1 || note.DealerID != f.Dealer.ID || note.LeadID != l.ID {
			t.Fatalf("after adding notes: task v%d, note %+v", got.Tasks[0].Version, note)
		}
		wantSearchText(t, s, l.ID, "notes added")
		stored, err := s.Note(ctx, tnote.ID)
		check(t, err, "note")
		same(t, "stored task note", stored, tnote)

		edit(t, s, l.ID, func(tx core.LeadTx) error {
			for _, n := range []*core.Note{&note, &tnote} {
				old, err := tx.Note(n.ID)
				if err != nil {
					return err
				}
				cur := old
				cur.Content, cur.Modified = old.Content+", edited", later.Add(time.Minute)
				if changed, err := tx.SaveNote(&old, &cur, actor); err != nil || !changed {
					return fmt.Errorf("save note: %v, %v", changed, err)
				}
				*n = cur
			}
			if _, err := tx.Note(other.Notes[0].ID); core.ErrorCode(err) != core.NotFound {
				return fmt.Errorf("another lead's note: %v", err)
			}
			return saveLead(tx)
		})
		if note.Version != 2 || len(note.History) != 2 || note.History[1].Content != "Wants leasing, edited" || *note.History[1].UserID != *actor {
			t.Fatalf("edited note: %+v", note)
		}
		for _, n := range []core.Note{note, tnote} {
			stored, err := s.Note(ctx, n.ID)
			check(t, err, "note")
			same(t, "stored edited note", stored, n)
		}
		if task, _ := s.Task(ctx, l.Tasks[0].ID); task.Version != 3 {
			t.Fatalf("task after its note's edit: v%d", task.Version)
		}
		wantSearchText(t, s, l.ID, "a note edited")

		edit(t, s, l.ID, func(tx core.LeadTx) error {
			for _, id := range []int64{tag.ID, tnote.ID} {
				if err := tx.DeleteNote(id); err != nil {
					return err
				}
			}
			if err := tx.DeleteNote(other.Tags[0].ID); core.ErrorCode(err) != core.NotFound {
				return fmt.Errorf("deleting another lead's tag: %v", err)
			}
			return saveLead(tx)
		})
		got, err = s.Lead(ctx, l.ID)
		check(t, err, "lead")
		if len(got.Tags) != 1 || len(got.Tasks[0].Notes) != 1 || got.Tasks[0].Version != 4 {
			t.Fatalf("after deleting notes: %d tags, %d task notes, task v%d", len(got.Tags), len(got.Tasks[0].Notes), got.Tasks[0].Version)
		}
		wantSearchText(t, s, l.ID, "notes deleted")
		if _, err := s.Note(ctx, tag.ID); core.ErrorCode(err) != core.NotFound {
			t.Fatalf("deleted tag: %v", err)
		}
		if o, err := s.Lead(ctx, other.ID); err != nil || len(o.Tags) != 1 || len(o.Notes) != 1 {
			t.Fatalf("the other lead's notes: %v", err)
		}

		// A dealer's note is read with its dealer.
		d := core.Dealer{Name: "With notes", Country: "ES", CreatedAt: testkit.Now, Notes: []core.Note{{Content: "Closed in August", Created: testkit.Now, Modified: testkit.Now}}}
		check(t, s.CreateDealer(ctx, &d), "dealer")
		dn, err := s.Note(ctx, d.Notes[0].ID)
		check(t, err, "dealer's note")
		if dn.DealerID != d.ID || dn.LeadID != 0 || dn.Content != "Closed in August" {
			t.Fatalf("dealer's note: %+v", dn)
		}
	})
}
