package core_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// notes returns n notes of content text.
func notesOf(n int, text string) []core.Note {
	out := make([]core.Note, n)
	for i := range out {
		out[i].Content = text
	}
	return out
}

// wantField fails unless err is Invalid with msg at field.
func wantField(t *testing.T, err error, field, msg string) {
	t.Helper()
	wantCode(t, err, core.Invalid, field)
	if got := err.(*core.Error).Fields[field]; got != msg {
		t.Fatalf("%s: %q, want %q (%v)", field, got, msg, err)
	}
}

// TestLeadTotalsCreate: a lead written whole may not hold more notes, or
// more text, than the lead's totals allow, however its lists share them:
// the 200 tasks of 200 notes each is refused at the list where
// the total passed, and nothing is stored.
func TestLeadTotalsCreate(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		before := countLeads(t, e)
		_, err := e.svc.CreateLead(e.admin, core.Lead{SourceID: e.f.SourceIDs["phone"], Vehicle: &core.Vehicle{BrandModel: "SEAT León"},
			Tasks: func() []core.Task {
				ts := make([]core.Task, core.MaxItems)
				for i := range ts {
					ts[i].Notes = notesOf(core.MaxItems, "x")
				}
				return ts
			}()})
		wantField(t, err, "tasks.2.notes", core.MsgLeadNotes) // 200 + 200 + the 101st of the third
		_, err = e.svc.CreateLead(e.admin, core.Lead{SourceID: e.f.SourceIDs["phone"], Vehicle: &core.Vehicle{BrandModel: "SEAT León"},
			Notes: notesOf(core.MaxLeadText/core.MaxLongText+1, strings.Repeat("ñ", core.MaxLongText))})
		wantField(t, err, "notes.10.content", core.MsgLeadText)
		_, err = e.svc.CreateLead(e.admin, core.Lead{SourceID: e.f.SourceIDs["phone"], Vehicle: &core.Vehicle{BrandModel: "SEAT León"},
			MailContent: strings.Repeat("m", core.MaxLongText),
			Tasks: []core.Task{{Description: strings.Repeat("d", core.MaxLongText), Appraisal: &core.Appraisal{BrandModel: "Ibiza", Extras: strings.Repeat("e", core.MaxLongText)},
				Type: core.TaskAppraisal, Notes: notesOf(7, strings.Repeat("n", core.MaxLongText))}}})
		wantField(t, err, "tasks.0.notes.6.content", core.MsgLeadText) // 30,005 before it
		if n := countLeads(t, e); n != before {
			t.Fatalf("refused leads were stored: %d leads, had %d", n, before)
		}

		// at the bounds exactly: accepted
		full := e.lead(t, func(l *core.Lead) {
			l.Notes = notesOf(core.MaxItems, "nota")
			l.Tags = notesOf(core.MaxItems, "etiqueta")
			l.Tasks = []core.Task{{Notes: notesOf(core.MaxLeadNotes-2*core.MaxItems, "tarea")}}
		})
		if got := core.MeasureLead(&full); got.Notes != core.MaxLeadNotes || got.Versions != core.MaxLeadNotes {
			t.Fatalf("full lead measures %+v", got)
		}
	})
}

// TestLeadTotalsOneByOne: a lead at a total refuses, through every path
// that writes a part of it (a note, a tag, a task's note, a task, the
// lead whole), what would take the total past its bound, and changes
// nothing; what does not make the total grow still passes, and room made
// by a deletion can be used again.
func TestLeadTotalsOneByOne(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		l := e.lead(t, func(l *core.Lead) {
			l.Notes = notesOf(core.MaxItems-1, "nota")
			l.Tags = notesOf(core.MaxItems, "etiqueta")
			l.Tasks = []core.Task{{Notes: notesOf(core.MaxLeadNotes-2*core.MaxItems, "tarea")}}
		})
		task := l.Tasks[0]
		// one note short of the bound: a task note fills it
		if _, err := e.svc.CreateNote(e.admin, core.Note{LeadID: l.ID, TaskID: task.ID, Content: "la última"}); err != nil {
			t.Fatal(err)
		}
		full := mustFind(t, e, l.ID)
		_, err := e.svc.CreateNote(e.admin, core.Note{LeadID: l.ID, TaskID: task.ID, Content: "una más"})
		wantField(t, err, "notes", core.MsgLeadNotes)
		_, err = e.svc.CreateNote(e.admin, core.Note{LeadID: l.ID, Content: "una más"})
		wantField(t, err, "notes", core.MsgLeadNotes)
		_, err = e.svc.CreateTask(e.admin, l.ID, core.Task{Notes: notesOf(1, "una más")})
		wantField(t, err, "notes", core.MsgLeadNotes)
		keep := make([]core.NotePatch, 0, len(full.Tasks[0].Notes)+1)
		for _, n := range full.Tasks[0].Notes {
			keep = append(keep, core.NotePatch{ID: &n.ID})
		}
		keep = append(keep, core.NotePatch{Content: core.Value("una más")})
		_, err = e.svc.UpdateTask(e.admin, task.ID, core.TaskPatch{Notes: &keep})
		wantField(t, err, "notes", core.MsgLeadNotes)
		_, err = e.svc.UpdateLead(e.admin, l.ID, core.LeadPatch{Tasks: &[]core.TaskPatch{{ID: &task.ID}, {Notes: &[]core.NotePatch{{Content: core.Value("una más")}}}}})
		wantField(t, err, "tasks.1.notes", core.MsgLeadNotes)
		if got := mustFind(t, e, l.ID); got.Version != full.Version || core.MeasureLead(&got) != core.MeasureLead(&full) {
			t.Fatalf("refused writes changed the lead: v%d %+v, was v%d %+v", got.Version, core.MeasureLead(&got), full.Version, core.MeasureLead(&full))
		}
		// what does not grow passes: a task without notes, a status
		if _, err := e.svc.CreateTask(e.admin, l.ID, core.Task{Description: "llamar"}); err != nil {
			t.Fatalf("a task without notes on a lead full of notes: %v", err)
		}
		if _, err := e.svc.ChangeLeadStatus(e.admin, l.ID, core.StageTracing, 0); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.DeleteNote(e.admin, full.Tags[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.CreateNote(e.admin, core.Note{LeadID: l.ID, Content: "cabe"}); err != nil {
			t.Fatalf("a note after one was deleted: %v", err)
		}
	})
}

// TestLeadTotalsVersionsAndText: every version of a note counts, in
// versions and in text, so that editing notes cannot grow a lead past its
// bounds either.
func TestLeadTotalsVersionsAndText(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		l := e.lead(t, func(l *core.Lead) {
			l.Notes = notesOf(core.MaxItems, "v1")
			l.Tags = notesOf(core.MaxItems, "v1")
			l.Tasks = []core.Task{{Notes: notesOf(core.MaxLeadNoteVersions/2-2*core.MaxItems, "v1")}}
		})
		// every note's second version: the bound exactly
		v2 := func(ns []core.Note) *[]core.NotePatch {
			ps := make([]core.NotePatch, len(ns))
			for i := range ns {
				ps[i] = core.NotePatch{ID: &ns[i].ID, Content: core.Value("v2")}
			}
			return &ps
		}
		ps := *v2(l.Notes)
		l, err := e.svc.UpdateLead(e.admin, l.ID, core.LeadPatch{Notes: &ps, Tags: v2(l.Tags),
			Tasks: &[]core.TaskPatch{{ID: &l.Tasks[0].ID, Notes: v2(l.Tasks[0].Notes)}}})
		if err != nil {
			t.Fatal(err)
		}
		if got := core.MeasureLead(&l); got.Versions != core.MaxLeadNoteVersions {
			t.Fatalf("measured %+v", got)
		}
		_, err = e.svc.UpdateNote(e.admin, l.Notes[3].ID, core.NotePatch{Content: core.Value("v3")})
		wantField(t, err, "content", core.MsgLeadNoteVersions)
		ps[7].Content = core.Value("v3")
		_, err = e.svc.UpdateLead(e.admin, l.ID, core.LeadPatch{Notes: &ps})
		wantField(t, err, "notes.7.content", core.MsgLeadNoteVersions)
		// the same content again is no version more
		if _, err := e.svc.UpdateNote(e.admin, l.Notes[3].ID, core.NotePatch{Content: core.Value("v2")}); err != nil {
			t.Fatalf("an edit that keeps the content: %v", err)
		}

		// text: 8 long notes, a short one and a long mail content (90,010
		// characters); a task's description may take 9,990 more; a note's
		// new version counts besides its old ones
		long := strings.Repeat("a", core.MaxLongText)
		m := e.lead(t, func(l *core.Lead) {
			l.Notes = append(notesOf(core.MaxLeadText/core.MaxLongText-2, long), core.Note{Content: strings.Repeat("c", 10)})
			l.MailContent = long
			l.Tasks = []core.Task{{Description: "corta"}}
		})
		when := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		_, err = e.svc.UpdateTask(e.admin, m.Tasks[0].ID, core.TaskPatch{Description: core.Value(long), PlannedAt: core.Value(&when)})
		wantField(t, err, "description", core.MsgLeadText)
		if _, err := e.svc.UpdateTask(e.admin, m.Tasks[0].ID, core.TaskPatch{Description: core.Value(long[:core.MaxLongText-10])}); err != nil {
			t.Fatalf("a description that fits: %v", err)
		}
		_, err = e.svc.UpdateNote(e.admin, m.Notes[0].ID, core.NotePatch{Content: core.Value("b")})
		wantField(t, err, "content", core.MsgLeadText)
		_, err = e.svc.CreateTask(e.admin, m.ID, core.Task{Appraisal: &core.Appraisal{BrandModel: "Ibiza", Extras: "climatizador"}, Type: core.TaskAppraisal})
		wantField(t, err, "appraisal.brand_model", core.MsgLeadText)
		_, err = e.svc.UpdateLead(e.admin, m.ID, core.LeadPatch{MailContent: core.Value(long + "")})
		if err != nil {
			t.Fatalf("the same mail content: %v", err)
		}
		_, err = e.svc.UpdateLead(e.admin, m.ID, core.LeadPatch{Reason: core.Value("x"), Tags: &[]core.NotePatch{{Content: core.Value("grande")}}})
		wantField(t, err, "tags.0.content", core.MsgLeadText)
	})
}

// TestLeadAppointmentsBound: a lead takes at most MaxLeadAppointments.
func TestLeadAppointmentsBound(t *testing.T) {
	engines(t, func(t *testing.T, e env) {
		l := e.lead(t, nil)
		start := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		for i := range core.MaxLeadAppointments {
			if _, err := e.svc.CreateAppointment(e.admin, core.Appointment{LeadID: l.ID, StartAt: start.Add(time.Duration(i) * time.Hour)}); err != nil {
				t.Fatal(err)
			}
		}
		_, err := e.svc.CreateAppointment(e.admin, core.Appointment{LeadID: l.ID, StartAt: start})
		wantField(t, err, "lead", core.MsgLeadAppointments)
		if _, n, err := e.svc.FindAppointments(e.admin, core.Query{Where: core.Eq("lead", l.ID), Limit: 1, Total: true}); err != nil || n != core.MaxLeadAppointments {
			t.Fatalf("appointments of the lead: %d, %v", n, err)
		}
	})
}

// TestLeadSizeStored: the store's count of what a lead holds (LeadTx.Size,
// which the one-by-one writes check against) is MeasureLead's of the
// lead loaded whole: tasks, appraisal extras, notes, tags and task notes
// with every version, in characters, not bytes.
func TestLeadSizeStored(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnvOn(t, st)
		l := e.lead(t, func(l *core.Lead) {
			l.MailContent = "correo ñandú"
			l.Notes = notesOf(2, "nota €")
			l.Tags = notesOf(1, "etiqueta")
			l.Tasks = []core.Task{{Type: core.TaskAppraisal, Description: "tasación", Appraisal: &core.Appraisal{BrandModel: "Ibiza", LicensePlate: "1234 BCD", Km: "90000", Extras: "techo 🚗"},
				Notes: notesOf(2, "tarea")}, {Subtype: "subtipo", Description: "llamar"}}
		})
		if _, err := e.svc.UpdateNote(e.admin, l.Notes[0].ID, core.NotePatch{Content: core.Value("nota editada")}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.UpdateNote(e.admin, l.Notes[0].ID, core.NotePatch{Content: core.Value("otra vez")}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.UpdateNote(e.admin, l.Tasks[0].Notes[1].ID, core.NotePatch{Content: core.Value("tarea editada")}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.CreateNote(e.admin, core.Note{LeadID: l.ID, TaskID: l.Tasks[1].ID, Content: "nueva"}); err != nil {
			t.Fatal(err)
		}
		got := mustFind(t, e, l.ID)
		want := core.MeasureLead(&got)
		var stored core.LeadSize
		if err := st.EditLead(e.admin, l.ID, func(tx core.LeadTx) (err error) {
			stored, err = tx.Size()
			return err
		}); err != nil {
			t.Fatal(err)
		}
		text := len([]rune("correo ñandú")) + len([]rune("nota €")) + len("nota editada") + len("otra vez") + len([]rune("nota €")) +
			len("etiqueta") + len([]rune("tasación")) + len("Ibiza") + len("1234 BCD") + len("90000") + len([]rune("techo 🚗")) +
			2*len("tarea") + len("tarea editada") + len("subtipo") + len("llamar") + len("nueva")
		if stored != want || want != (core.LeadSize{Tasks: 2, Notes: 6, Versions: 9, Text: text}) {
			t.Fatalf("stored size %+v, measured %+v, want %d characters", stored, want, text)
		}
	})
}

// TestExtBounded: an appointment takes at most MaxExtFields extension
// fields, each key at most MaxExtKey bytes.
func TestExtBounded(t *testing.T) {
	e := newEnv(t)
	l := e.lead(t, nil)
	start := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	ext := map[string]string{}
	for i := range core.MaxExtFields + 1 {
		ext["walcu.f"+strconv.Itoa(i)] = "x"
	}
	_, err := e.svc.CreateAppointment(e.admin, core.Appointment{LeadID: l.ID, StartAt: start, Ext: ext})
	wantField(t, err, "ext", core.MsgTooMany)
	long := "walcu." + strings.Repeat("a", core.MaxExtKey)
	_, err = e.svc.CreateAppointment(e.admin, core.Appointment{LeadID: l.ID, StartAt: start, Ext: map[string]string{long: "x"}})
	wantField(t, err, "ext."+long, core.MsgInvalid)
	delete(ext, "walcu.f0")
	if _, err := e.svc.CreateAppointment(e.admin, core.Appointment{LeadID: l.ID, StartAt: start, Ext: ext}); err != nil {
		t.Fatalf("%d extension fields: %v", len(ext), err)
	}
}
