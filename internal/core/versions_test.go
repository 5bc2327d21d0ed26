package core_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"forecourt/internal/core"
)

// rendezvous makes the first n callers of wait (after arm) wait for one
// another; later callers pass at once. A caller waits at most 10 seconds,
// so that one who never comes fails the test instead of hanging it.
type rendezvous struct {
	mu sync.Mutex
	n  int
	ch chan struct{}
}

func (r *rendezvous) arm(n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n, r.ch = n, make(chan struct{})
}

func (r *rendezvous) wait() {
	r.mu.Lock()
	if r.n == 0 {
		r.mu.Unlock()
		return
	}
	r.n--
	ch := r.ch
	if r.n == 0 {
		close(ch)
	}
	r.mu.Unlock()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
	}
}

// racing returns the Service options of a test that races two writers:
// the clock, which every change reads once between reading the record
// and writing it, makes both have read (and checked the version they
// were given) before either writes.
func racing() (*rendezvous, []core.Option) {
	r := &rendezvous{}
	return r, []core.Option{core.WithClock(func() time.Time { r.wait(); return time.Now() })}
}

// race runs a and b at once, each past its read before either writes,
// and returns their errors.
func race(r *rendezvous, a, b func() error) (errA, errB error) {
	r.arm(2)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); errA = a() }()
	go func() { defer wg.Done(); errB = b() }()
	wg.Wait()
	return errA, errB
}

// wantStale fails unless err is the stale-version conflict naming field.
func wantStale(t *testing.T, err error, field string) {
	t.Helper()
	var ce *core.Error
	if !errors.Is(err, core.ErrStaleVersion) || !errors.As(err, &ce) || ce.Code != core.Conflict || ce.Fields[field] != core.MsgStaleVersion {
		t.Fatalf("error = %v, want ErrStaleVersion naming %s", err, field)
	}
}

// historyLen returns how many history entries lead id has.
func historyLen(t *testing.T, e env, id int64) int {
	t.Helper()
	_, n, err := e.svc.LeadHistory(e.admin, id, false, core.All)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestStaleLeadVersion: a change that carries the lead's version it read
// fails with ErrStaleVersion once the lead has changed, and changes
// nothing; with the current version, or none, it is made.
func TestStaleLeadVersion(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		l := e.lead(t, nil)
		if l.Version != 1 {
			t.Fatalf("a new lead's version = %d, want 1", l.Version)
		}
		l2, err := e.svc.UpdateLead(e.admin, l.ID, core.LeadPatch{Version: 1, Score: core.Value(2)})
		if err != nil || l2.Version != 2 {
			t.Fatalf("update with the current version = v%d, %v", l2.Version, err)
		}
		entries := historyLen(t, e, l.ID)
		adv := e.f.AdvisorIDs[0]
		for name, change := range map[string]func() error{
			"UpdateLead": func() error {
				_, err := e.svc.UpdateLead(e.admin, l.ID, core.LeadPatch{Version: 1, Score: core.Value(4)})
				return err
			},
			"ChangeLeadStatus": func() error { _, err := e.svc.ChangeLeadStatus(e.admin, l.ID, core.StageTracing, 1); return err },
			"AssignLead":       func() error { _, err := e.svc.AssignLead(e.admin, l.ID, adv, 1); return err },
			"FinishLead":       func() error { _, err := e.svc.FinishLead(e.admin, l.ID, core.OutcomeSale, 1); return err },
		} {
			wantStale(t, change(), "version")
			got := mustFind(t, e, l.ID)
			if got.Version != 2 || got.Score != 2 || got.Stage != core.StageNew || *got.UserID != e.f.AdminID {
				t.Fatalf("%s with a stale version changed the lead: %+v", name, got)
			}
		}
		if n := historyLen(t, e, l.ID); n != entries {
			t.Fatalf("refused changes recorded history: %d entries, want %d", n, entries)
		}
		if _, err := e.svc.ChangeLeadStatus(e.admin, l.ID, core.StageTracing, 2); err != nil {
			t.Fatalf("ChangeLeadStatus with the current version: %v", err)
		}
		if _, err := e.svc.AssignLead(e.admin, l.ID, adv, 0); err != nil {
			t.Fatalf("AssignLead without a version: %v", err)
		}
	})
}

// TestConcurrentLeadWriters: two writers who read the same version of a
// lead change it at once; the version is checked against the lead's row
// inside the write transaction, so one of them gets ErrStaleVersion and
// the lead ends as the other wrote it.
func TestConcurrentLeadWriters(t *testing.T) {
	r, opts := racing()
	engines(t, func(t *testing.T, e env) {
		l := e.lead(t, nil)
		update := func(score int) func() error {
			return func() error {
				_, err := e.svc.UpdateLead(e.admin, l.ID, core.LeadPatch{Version: l.Version, Score: core.Value(score)})
				return err
			}
		}
		errA, errB := race(r, update(2), update(3))
		winner := 2
		switch {
		case errA == nil && errB != nil:
			wantStale(t, errB, "version")
		case errB == nil && errA != nil:
			wantStale(t, errA, "version")
			winner = 3
		default:
			t.Fatalf("both writers of version %d: %v, %v; want one stale", l.Version, errA, errB)
		}
		got := mustFind(t, e, l.ID)
		if got.Score != winner || got.Version != l.Version+1 {
			t.Fatalf("lead after the race: score %d v%d, want score %d v%d", got.Score, got.Version, winner, l.Version+1)
		}
		if n := historyLen(t, e, l.ID); n != 2 {
			t.Fatalf("history entries after the race: %d, want 2", n)
		}
	}, opts...)
}

// TestNestedVersions: the client, tasks and notes of a lead have versions
// of their own, grown by their own changes only; a nested patch naming an
// element by id with a stale version fails naming that element's version,
// recognised as ErrStaleVersion, and changes nothing.
func TestNestedVersions(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		l := e.lead(t, func(l *core.Lead) {
			l.Notes = []core.Note{{Content: "primera"}}
			l.Tags = []core.Note{{Content: "urgente"}}
			l.Tasks = []core.Task{{Type: core.TaskAppraisal, Appraisal: &core.Appraisal{BrandModel: "Clio"},
				Notes: []core.Note{{Content: "de la tarea"}}}}
		})
		task, note, tag, tnote := l.Tasks[0], l.Notes[0], l.Tags[0], l.Tasks[0].Notes[0]
		for what, v := range map[string]int{"client": l.Client.Version, "task": task.Version, "note": note.Version,
			"tag": tag.Version, "task note": tnote.Version} {
			if v != 1 {
				t.Fatalf("new %s's version = %d, want 1", what, v)
			}
		}
		cid, tid, nid, tnid := l.Client.ID, task.ID, note.ID, tnote.ID

		// the client (a client shared by leads: see the store's TestItemVersions)
		got, err := e.svc.UpdateLead(e.admin, l.ID, core.LeadPatch{Client: &core.ClientPatch{ID: &cid, Version: 1, Name: core.Value("Ana María")}})
		if err != nil || got.Client.Version != 2 || got.Version != 2 {
			t.Fatalf("client change = client v%d lead v%d, %v", got.Client.Version, got.Version, err)
		}
		_, err = e.svc.UpdateLead(e.admin, l.ID, core.LeadPatch{Client: &core.ClientPatch{ID: &cid, Version: 1, Name: core.Value("Ana")}})
		wantStale(t, err, "client.version")
		if got := mustFind(t, e, l.ID); got.Client.Name != "Ana María" {
			t.Fatalf("a stale client patch changed the client: %q", got.Client.Name)
		}

		// a task's note: the note and its task change version, not the lead's other notes
		tasks := []core.TaskPatch{{ID: &tid, Version: 1, Notes: &[]core.NotePatch{{ID: &tnid, Version: 1, Content: core.Value("de la tarea, leída")}}}}
		got, err = e.svc.UpdateLead(e.admin, l.ID, core.LeadPatch{Tasks: &tasks})
		if err != nil {
			t.Fatal(err)
		}
		if got.Tasks[0].Version != 2 || got.Tasks[0].Notes[0].Version != 2 || got.Notes[0].Version != 1 || got.Tags[0].Version != 1 || got.Version != 3 {
			t.Fatalf("after a task note's change: task v%d, its note v%d, note v%d, tag v%d, lead v%d",
				got.Tasks[0].Version, got.Tasks[0].Notes[0].Version, got.Notes[0].Version, got.Tags[0].Version, got.Version)
		}
		// the appraisal is the task's too
		aid := got.Tasks[0].Appraisal.ID
		tasks = []core.TaskPatch{{ID: &tid, Version: 2, Appraisal: &core.AppraisalPatch{ID: &aid, Km: core.Value("90000")}}}
		if got, err = e.svc.UpdateLead(e.admin, l.ID, core.LeadPatch{Tasks: &tasks}); err != nil || got.Tasks[0].Version != 3 {
			t.Fatalf("after an appraisal's change: task v%d, %v; want 3", got.Tasks[0].Version, err)
		}
		before := got

		for field, patch := range map[string]core.LeadPatch{
			"tasks.0.version": {Tasks: &[]core.TaskPatch{{ID: &tid, Version: 2, Done: core.Value(true)}}},
			"tasks.0.notes.0.version": {Tasks: &[]core.TaskPatch{{ID: &tid, Notes: &[]core.NotePatch{
				{ID: &tnid, Version: 1, Content: core.Value("otra")}}}}},
			"notes.0.version": {Score: core.Value(1), Notes: &[]core.NotePatch{{ID: &nid, Version: 2, Content: core.Value("segunda")}}},
		} {
			_, err := e.svc.UpdateLead(e.admin, l.ID, patch)
			wantStale(t, err, field)
			if got := mustFind(t, e, l.ID); got.Version != before.Version || got.Score != before.Score || got.Tasks[0].Done {
				t.Fatalf("a patch stale at %s changed the lead", field)
			}
		}
		got, err = e.svc.UpdateLead(e.admin, l.ID, core.LeadPatch{Notes: &[]core.NotePatch{{ID: &nid, Version: 1, Content: core.Value("segunda")}}})
		if err != nil || got.Notes[0].Version != 2 || got.Tasks[0].Version != 3 {
			t.Fatalf("a note's change with its version: note v%d, task v%d, %v", got.Notes[0].Version, got.Tasks[0].Version, err)
		}
	})
}
