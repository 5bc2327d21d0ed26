package core

import (
	"strconv"
	"unicode/utf8"
)

// What one lead may hold in all. MaxItems bounds each list of a lead (its
// tasks, its notes, its tags, each task's notes) and MaxLongText each text;
// alone they let one lead hold 200 tasks of 200 notes each, 40,000 notes
// whose answer is hundreds of times the request that wrote them. These
// totals bound the whole lead, on every path that makes it grow: a lead
// written whole (CreateLead, UpdateLead) and its tasks, notes and tags
// written one by one (CreateTask, UpdateTask, CreateNote, UpdateNote). A
// write that would take a total past its bound is Invalid and changes
// nothing; one that leaves a total as it was, or makes it smaller, passes
// even on a lead that holds more (written before the bounds existed). See
// docs/decisions.md, "What one lead holds".
const (
	// MaxLeadNotes bounds the lead's notes, tags and its tasks' notes
	// together.
	MaxLeadNotes = 500
	// MaxLeadNoteVersions bounds the versions kept of them together (a
	// note has one from its creation and one more with each change of its
	// text): every version is rendered with the note.
	MaxLeadNoteVersions = 1000
	// MaxLeadText bounds the characters of the lead's texts that repeat
	// with its elements, together with its mail content: its tasks'
	// texts (their appraisals' included) and every version of every note
	// and tag (see LeadSize.Text).
	MaxLeadText = 100000
	// MaxLeadAppointments bounds the appointments made on one lead.
	MaxLeadAppointments = 200
)

// A record's extension fields (Dealer.Ext, Appointment.Ext): an API names
// a few fields of its own, so at most MaxExtFields of them, each key at
// most MaxExtKey bytes (its value is a text of at most MaxLongText).
const (
	MaxExtFields = 32
	MaxExtKey    = 64
)

// MaxLeadsPerAnswer bounds the leads one answer of any API carries whole
// (with their tasks, notes and versions): a page of SML's lead list, a
// lead bank pull (MaxPullLimit). With the totals above, a lead renders in
// at most 1.6 MB in SML (0.5 MB when its text needs no escapes), so an
// answer of leads is at most some 80 MB however its leads were filled
// (docs/sml.md, "What one answer costs").
const MaxLeadsPerAnswer = 50

// The field messages of the totals, at the path of the element where a
// total passed its bound.
const (
	MsgLeadNotes        = "lead_notes"         // past MaxLeadNotes, at the list that passed it ("tasks.3.notes")
	MsgLeadNoteVersions = "lead_note_versions" // past MaxLeadNoteVersions, at the note's content
	MsgLeadText         = "lead_text"          // past MaxLeadText, at the text that passed it
	MsgLeadAppointments = "lead_appointments"  // past MaxLeadAppointments
)

// LeadSize is what a lead holds, as the bounds above count it.
type LeadSize struct {
	Tasks    int
	Notes    int // notes, tags and tasks' notes
	Versions int // versions of all of them
	// Text counts characters of: the mail content, every task's subtype
	// and description and its appraisal's brand and model, licence plate,
	// km and extras, and every version of every note and tag (a note's
	// content is its latest version). The lead's other texts (its
	// reason, client and vehicle) are few, each bounded by MaxShortText.
	Text int
}

// Sub returns s less o.
func (s LeadSize) Sub(o LeadSize) LeadSize {
	return LeadSize{Tasks: s.Tasks - o.Tasks, Notes: s.Notes - o.Notes, Versions: s.Versions - o.Versions, Text: s.Text - o.Text}
}

// MeasureLead returns what lead l holds. A note is counted with the
// versions it will have once stored: those of its History, and one more
// when it is new or its content is not its latest version's.
func MeasureLead(l *Lead) LeadSize {
	var m sizer
	m.lead(l)
	return m.size
}

// The modes of a sizer's walk.
const (
	walkAll    = iota // everything the walk meets
	walkFixed         // only what was there before the write
	walkGrowth        // only what the write adds
)

// sizer adds up a LeadSize over a walk of a lead or a part of it. To find
// where a write passes a bound, it walks twice: first what was there
// before the write (walkFixed), then what the write adds (walkGrowth),
// recording in fe, at the path of the element that added it, where each
// total that grows (grow > 0) passes its bound; so the path names what
// the write added, never an element it left alone.
type sizer struct {
	size     LeadSize
	mode     int
	fe       FieldErrors
	grow     LeadSize
	reported [3]bool
	was      map[int64]*Task // the tasks before the write, by id
	wasMail  string
}

// part returns what the walk counts of total, of which fixed was there
// before the write.
func (m *sizer) part(total, fixed int) int {
	switch m.mode {
	case walkFixed:
		return fixed
	case walkGrowth:
		return total - fixed
	}
	return total
}

func (m *sizer) lead(l *Lead) {
	m.text("mail_content", l.MailContent, m.wasMail)
	m.notes("notes", l.Notes)
	m.notes("tags", l.Tags)
	for i := range l.Tasks {
		m.task("tasks."+strconv.Itoa(i)+".", &l.Tasks[i])
	}
}

// task adds t, a task, its appraisal and notes; prefix starts its paths.
func (m *sizer) task(prefix string, t *Task) {
	var old Task
	isNew := 1
	if o, ok := m.was[t.ID]; ok && t.ID != 0 {
		old, isNew = *o, 0
	}
	m.size.Tasks += m.part(1, 1-isNew) // bounded by MaxItems, checked with the list
	m.text(prefix+"subtype", t.Subtype, old.Subtype)
	m.text(prefix+"description", t.Description, old.Description)
	if a := t.Appraisal; a != nil {
		var o Appraisal
		if old.Appraisal != nil {
			o = *old.Appraisal
		}
		m.text(prefix+"appraisal.brand_model", a.BrandModel, o.BrandModel)
		m.text(prefix+"appraisal.license_plate", a.LicensePlate, o.LicensePlate)
		m.text(prefix+"appraisal.km", a.Km, o.Km)
		m.text(prefix+"appraisal.extras", a.Extras, o.Extras)
	}
	m.notes(prefix+"notes", t.Notes)
}

func (m *sizer) notes(path string, ns []Note) {
	for i := range ns {
		m.note(path, path+"."+strconv.Itoa(i)+".content", &ns[i])
	}
}

// note adds n, a note of list; content is the path of its content.
func (m *sizer) note(list, content string, n *Note) {
	isNew := 0
	if n.ID == 0 {
		isNew = 1
	}
	m.size.Notes += m.part(1, 1-isNew)
	if m.size.Notes > MaxLeadNotes {
		m.report(0, list, MsgLeadNotes, m.grow.Notes)
	}
	versions, chars := len(n.History), 0
	for _, v := range n.History {
		chars += utf8.RuneCountInString(v.Content)
	}
	newVersion, newChars := 0, 0
	if n.ID == 0 || (len(n.History) > 0 && n.History[len(n.History)-1].Content != n.Content) {
		newVersion, newChars = 1, utf8.RuneCountInString(n.Content)
	}
	m.size.Versions += m.part(versions+newVersion, versions)
	if m.size.Versions > MaxLeadNoteVersions && !m.reported[0] { // too many notes says it already
		m.report(1, content, MsgLeadNoteVersions, m.grow.Versions)
	}
	m.add(content, m.part(chars+newChars, chars))
}

// text adds s, which was old before the write, at path.
func (m *sizer) text(path, s, old string) {
	n := utf8.RuneCountInString(s)
	m.add(path, m.part(n, min(n, utf8.RuneCountInString(old))))
}

func (m *sizer) add(path string, chars int) {
	m.size.Text += chars
	if m.size.Text > MaxLeadText {
		m.report(2, path, MsgLeadText, m.grow.Text)
	}
}

// report records msg at path for total i, which grows by grow, once, in
// the growth walk.
func (m *sizer) report(i int, path, msg string, grow int) {
	if m.mode != walkGrowth || grow <= 0 || m.reported[i] {
		return
	}
	m.reported[i] = true
	m.fe.Add(path, msg)
}

// checkLeadSize records in fe the totals that lead l, which held before
// (nil: a new lead), takes past their bounds, at the path in l of the
// element whose growth passed each.
func checkLeadSize(fe FieldErrors, before, l *Lead) {
	m := sizer{}
	if before != nil {
		m.wasMail = before.MailContent
		m.was = make(map[int64]*Task, len(before.Tasks))
		for i := range before.Tasks {
			m.was[before.Tasks[i].ID] = &before.Tasks[i]
		}
		m.lead(before)
	}
	was := m.size
	checkGrowth(fe, LeadSize{}, was, MeasureLead(l), m, func(m *sizer) { m.lead(l) })
}

// checkGrowth records in fe where the walk passes a bound, if the totals
// go from was to now and one that grows passes its bound. walk covers
// the part of the lead the write changed, base what the rest holds; m
// holds what the walk needs to know of the part before the write.
func checkGrowth(fe FieldErrors, base, was, now LeadSize, m sizer, walk func(*sizer)) {
	grow := now.Sub(was)
	if !(now.Notes > MaxLeadNotes && grow.Notes > 0) && !(now.Versions > MaxLeadNoteVersions && grow.Versions > 0) &&
		!(now.Text > MaxLeadText && grow.Text > 0) {
		return
	}
	m.size, m.fe, m.grow, m.mode = base, fe, grow, walkFixed
	walk(&m)
	m.mode = walkGrowth
	walk(&m)
}

// checkPartGrowth checks a write of one part of a lead (a task, a note)
// inside a transaction that reports the lead's size: the part held old
// (zero for a new part) and holds nw, walked by walk with paths relative
// to the part; wasTask is the task before the write, if it is one. It
// reads the lead's size only when the part grows.
func checkPartGrowth(tx LeadTx, old, nw LeadSize, wasTask *Task, walk func(*sizer)) error {
	if nw.Notes <= old.Notes && nw.Versions <= old.Versions && nw.Text <= old.Text {
		return nil
	}
	have, err := tx.Size()
	if err != nil {
		return err
	}
	base := have.Sub(old)
	now := LeadSize{Tasks: base.Tasks + nw.Tasks, Notes: base.Notes + nw.Notes, Versions: base.Versions + nw.Versions, Text: base.Text + nw.Text}
	var m sizer
	if wasTask != nil {
		m.was = map[int64]*Task{wasTask.ID: wasTask}
	}
	fe := FieldErrors{}
	checkGrowth(fe, base, have, now, m, walk)
	if len(fe) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: "the lead holds too much", Fields: fe}
}

// measureTask returns what task t adds to its lead.
func measureTask(t *Task) LeadSize {
	var m sizer
	m.task("", t)
	return m.size
}

// measureNote returns what note n adds to its lead.
func measureNote(n *Note) LeadSize {
	var m sizer
	m.note("", "", n)
	return m.size
}
