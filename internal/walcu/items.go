package walcu

import (
	"bytes"
	"encoding/json"
	"maps"
	"strconv"
	"strings"
	"time"

	"forecourt/internal/core"
)

// Tasks and notes are the core's tasks and notes of a lead. Their fields
// the core has no place for are a core document that extends the task or
// note (core.Document.RecordID, collection "walcu.tasks" or "walcu.notes",
// linked to the lead), written after the task or note: a task or note has
// no extension fields of its own. A document's __v is the task's (note's)
// version minus one plus its extension's version minus one: each write
// makes it grow, and a PUT or PATCH is refused when either changed since
// the read. See docs/walcu.md.

// itemExt keeps the extension documents of one collection.
type itemExt struct {
	svc  *core.Service
	name string // "walcu.tasks"
}

// get returns the extension of record id (nil: none).
func (x itemExt) get(r *request, id int64) (*core.Document, error) {
	d, err := x.svc.FindRecordDocument(r.ctx, r.dealer.ID, x.name, id)
	if core.ErrorCode(err) == core.NotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// many returns the extensions of records ids.
func (x itemExt) many(r *request, ids []int64) (map[int64]core.Document, error) {
	out := map[int64]core.Document{}
	if len(ids) == 0 {
		return out, nil
	}
	vals := make([]any, len(ids))
	for i, id := range ids {
		vals[i] = id
	}
	sc := core.DocumentSchema(x.name, nil)
	ds, _, err := x.svc.FindDocuments(r.ctx, x.name, sc, core.Query{Where: core.And(core.Eq("dealer", r.dealer.ID), core.In("record", vals...)), Limit: len(ids)})
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		if d.RecordID != nil {
			out[*d.RecordID] = d
		}
	}
	return out, nil
}

// body decodes an extension's body (empty when none).
func extBody(d *core.Document) (doc, error) {
	out := doc{}
	if d == nil {
		return out, nil
	}
	dec := json.NewDecoder(bytes.NewReader(d.Body))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	return out, nil
}

// save writes body as the extension of record id (of lead l, linked to its
// client), on the condition of the version read (cur nil: there was none);
// an empty body deletes it.
func (x itemExt) save(r *request, cur *core.Document, id int64, l core.Lead, body doc) (*core.Document, error) {
	if len(body) == 0 {
		if cur != nil {
			return nil, x.svc.DeleteDocument(r.ctx, cur.ID, cur.Version)
		}
		return nil, nil
	}
	raw, err := encodeExt(body)
	if err != nil {
		return nil, err
	}
	if cur == nil {
		var client *int64
		if l.Client != nil {
			client = &l.Client.ID
		}
		d, err := x.svc.CreateDocument(r.ctx, core.Document{DealerID: r.dealer.ID, Collection: x.name, Body: []byte(raw),
			RecordID: &id, LeadID: &l.ID, ClientID: client})
		return &d, err
	}
	d, err := x.svc.UpdateDocument(r.ctx, cur.ID, core.DocumentPatch{Version: cur.Version, Body: core.Value([]byte(raw))})
	return &d, err
}

// saveChanged is save when body differs from cur's; otherwise cur.
func (x itemExt) saveChanged(r *request, cur *core.Document, id int64, l core.Lead, body doc) (*core.Document, error) {
	old, err := extBody(cur)
	if err != nil {
		return nil, err
	}
	if jsonEqual(body, old) {
		return cur, nil
	}
	return x.save(r, cur, id, l, body)
}

// drop deletes cur, the extension of a record just deleted (nil: none).
func (x itemExt) drop(r *request, cur *core.Document) error {
	if cur == nil {
		return nil
	}
	return x.svc.DeleteDocument(r.ctx, cur.ID, 0)
}

func docVersion(d *core.Document) int {
	if d == nil {
		return 0
	}
	return d.Version - 1
}

// leadsOf reads the leads ids of the dealer, for their public ids, kinds
// and clients.
func leadsOf(r *request, ids []int64) (map[int64]core.Lead, error) {
	out := map[int64]core.Lead{}
	ids = core.DistinctIDs(ids)
	if len(ids) == 0 {
		return out, nil
	}
	vals := make([]any, len(ids))
	for i, id := range ids {
		vals[i] = id
	}
	ls, _, err := r.svc.FindLeads(r.ctx, core.Query{Where: core.And(core.Eq("dealer", r.dealer.ID), core.In("id", vals...)), Limit: len(ids)})
	if err != nil {
		return nil, err
	}
	for _, l := range ls {
		out[l.ID] = l
	}
	return out, nil
}

// leadOf resolves a body's lead_id: a lead of the dealer.
func leadOf(r *request, body doc) (core.Lead, error) {
	s, _ := body["lead_id"].(string)
	if s == "" {
		return core.Lead{}, invalidField("lead_id", "required: the core's tasks and notes are of a lead")
	}
	n, err := r.svc.ResolvePublicID(r.ctx, core.RecordLead, s)
	if err != nil {
		return core.Lead{}, invalidField("lead_id", "no such lead of the dealer")
	}
	l, err := r.svc.FindLead(r.ctx, n)
	if err != nil || l.DealerID != r.dealer.ID {
		return core.Lead{}, invalidField("lead_id", "no such lead of the dealer")
	}
	return l, nil
}

// restOf returns body without keys and the server's fields.
func restOf(body doc, keys ...string) doc {
	out := doc{}
	for k, v := range body {
		if isEnvelope(k) || v == nil || k == "created_by" || k == "lead_id" || k == "lead_type" || k == "client_id" {
			continue
		}
		skip := false
		for _, x := range keys {
			if k == x {
				skip = true
			}
		}
		if !skip {
			out[k] = v
		}
	}
	return out
}

// itemEnvelope sets the fields every task and note document has.
func itemEnvelope(r *request, d doc, l core.Lead, users map[int64]any, author *int64, ext *core.Document) {
	d["dealer_id"] = dealerID(r.dealer)
	d["lead_id"] = l.PublicID
	d["lead_type"] = leadTypes[l.Kind]
	d["client_id"] = nil
	if l.Client != nil {
		d["client_id"] = l.Client.PublicID
	}
	d["created_by"] = nil
	if author != nil {
		d["created_by"] = users[*author]
	}
	d["updated_by"] = d["created_by"]
	if ext != nil && ext.UpdatedBy != nil {
		d["updated_by"] = users[*ext.UpdatedBy]
	}
}

func authorIDs(ext map[int64]core.Document, more ...*int64) []int64 {
	var ids []int64
	for _, d := range ext {
		if d.UpdatedBy != nil {
			ids = append(ids, *d.UpdatedBy)
		}
	}
	for _, m := range more {
		if m != nil {
			ids = append(ids, *m)
		}
	}
	return core.DistinctIDs(ids)
}

func laterOf(a time.Time, d *core.Document) time.Time {
	if d != nil && d.UpdatedAt.After(a) {
		return d.UpdatedAt
	}
	return a
}

// checkItemVersion compares the __v a PUT or PATCH read with the item's
// now (0: none given).
func checkItemVersion(version, itemVersion int, ext *core.Document) error {
	if version != 0 && version-1 != itemVersion-1+docVersion(ext) {
		return core.ErrStaleVersion
	}
	return nil
}

// ---- tasks

// taskBackend serves tasks as the core's tasks of a lead:
//
//	_id, __v, dealer_id      the task's public id, versions, its lead's dealer
//	created_at               its creation
//	updated_at               its creation or its extension's last write
//	created_by               its author (public id)
//	lead_id, lead_type       its lead (public id) and the lead's collection
//	client_id                its lead's client
//	description              its description
//	notification.notify_at   when it is planned (PlannedAt)
//	notification.done        whether it is done
//	notification.done_at     when it was done (the server's)
//
// A task made here is of type "other" by phone, the core's defaults: the
// document says nothing of a task's type or media.
type taskBackend struct {
	svc  *core.Service
	coll *collection
	ext  itemExt
}

func (b *taskBackend) one(r *request, id string) (core.Task, *core.Document, error) {
	n, err := b.svc.ResolvePublicID(r.ctx, core.RecordTask, id)
	if err != nil {
		return core.Task{}, nil, notFound("task")
	}
	t, err := b.svc.FindTask(r.ctx, n)
	if err != nil {
		return core.Task{}, nil, toAPIError(err, nil)
	}
	if t.DealerID != r.dealer.ID {
		return core.Task{}, nil, notFound("task")
	}
	ext, err := b.ext.get(r, t.ID)
	return t, ext, err
}

func (b *taskBackend) get(r *request, id string) (doc, error) {
	t, ext, err := b.one(r, id)
	if err != nil {
		return nil, err
	}
	ds, err := b.render(r, []core.Task{t}, map[int64]core.Document{t.ID: derefDoc(ext)}, ext != nil)
	if err != nil {
		return nil, err
	}
	return ds[0], nil
}

func derefDoc(d *core.Document) core.Document {
	if d == nil {
		return core.Document{}
	}
	return *d
}

// taskInput reads a body's core fields.
func taskInput(body doc) (desc string, planned *time.Time, done bool, err error) {
	desc, _ = body["description"].(string)
	if s, _ := at(body, "notification", "notify_at").(string); s != "" {
		t, _ := core.ParseTime(s)
		planned = &t
	}
	done, _ = at(body, "notification", "done").(bool)
	return desc, planned, done, nil
}

// taskRest is what the extension keeps of a task's body.
func taskRest(body doc) doc {
	rest := restOf(body, "description")
	if n, ok := rest["notification"].(map[string]any); ok {
		n = maps.Clone(n)
		delete(n, "notify_at")
		delete(n, "done")
		delete(n, "done_at")
		if len(n) == 0 {
			delete(rest, "notification")
		} else {
			rest["notification"] = n
		}
	}
	return rest
}

func (b *taskBackend) create(r *request, body doc) (doc, error) {
	l, err := leadOf(r, body)
	if err != nil {
		return nil, err
	}
	desc, planned, done, _ := taskInput(body)
	t, err := b.svc.CreateTask(r.ctx, l.ID, core.Task{Type: core.TaskOther, Media: core.MediaPhone, Description: desc, PlannedAt: planned, Done: done})
	if err != nil {
		return nil, toAPIError(err, taskFieldName)
	}
	ext, err := b.ext.save(r, nil, t.ID, l, taskRest(body))
	if err != nil {
		return nil, stored(err)
	}
	return storedDoc(b.getRendered(r, t, ext))
}

func (b *taskBackend) getRendered(r *request, t core.Task, ext *core.Document) (doc, error) {
	ds, err := b.render(r, []core.Task{t}, map[int64]core.Document{t.ID: derefDoc(ext)}, ext != nil)
	if err != nil {
		return nil, err
	}
	return ds[0], nil
}

func taskFieldName(k string) string {
	switch k {
	case "description":
		return "description"
	case "planned_at":
		return "notification.notify_at"
	}
	return k
}

func (b *taskBackend) replace(r *request, id string, body doc, version int) (doc, error) {
	t, ext, err := b.one(r, id)
	if err != nil {
		return nil, err
	}
	if err := checkItemVersion(version, t.Version, ext); err != nil {
		return nil, err
	}
	l, err := leadOf(r, body)
	if err != nil {
		return nil, err
	}
	if l.ID != t.LeadID {
		return nil, invalidField("lead_id", "a task cannot move to another lead")
	}
	desc, planned, done, _ := taskInput(body)
	p := core.TaskPatch{Version: t.Version}
	changed := false
	if desc != t.Description {
		p.Description, changed = core.Value(desc), true
	}
	if !sameTimePtr(planned, t.PlannedAt) {
		p.PlannedAt, changed = core.Value(planned), true
	}
	if done != t.Done {
		p.Done, changed = core.Value(done), true
	}
	if changed {
		if t, err = b.svc.UpdateTask(r.ctx, t.ID, p); err != nil {
			return nil, toAPIError(err, taskFieldName)
		}
	}
	next, err := b.ext.saveChanged(r, ext, t.ID, l, taskRest(body))
	if err != nil {
		return nil, storedIf(changed, err)
	}
	d, err := b.getRendered(r, t, next)
	return d, storedIf(changed || next != ext, err)
}

func (b *taskBackend) remove(r *request, id string) error {
	t, ext, err := b.one(r, id)
	if err != nil {
		return err
	}
	if err := b.svc.DeleteTask(r.ctx, t.ID); err != nil {
		return err
	}
	return stored(b.ext.drop(r, ext))
}

func (b *taskBackend) scoped(r *request, q core.Query) core.Query {
	q.Where = core.And(core.Eq("dealer", r.dealer.ID), q.Where)
	q.Ext = taskExt
	return q
}

func (b *taskBackend) find(r *request, q core.Query) ([]doc, error) {
	ts, _, err := b.svc.FindTasks(r.ctx, b.scoped(r, q))
	if err != nil {
		return nil, queryErrOf(err, taskFields)
	}
	ids := make([]int64, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	exts, err := b.ext.many(r, ids)
	if err != nil {
		return nil, err
	}
	return b.render(r, ts, exts, false)
}

func (b *taskBackend) group(r *request, q core.Query) ([]core.Group, error) {
	gs, err := b.svc.GroupTasks(r.ctx, b.scoped(r, q))
	if err != nil {
		return nil, queryErrOf(err, taskFields)
	}
	if q.GroupBy == "author" {
		q.GroupBy = "created_by"
	}
	return renderGroups(r, q.GroupBy, gs)
}

var taskFields = map[string]qfield{
	"lead_id":                {core: "lead", kind: kString, conv: idOf(core.RecordLead)},
	"created_by":             {core: "author", kind: kString, conv: idOf(core.RecordUser)},
	"description":            {core: "description", kind: kString},
	"notification.notify_at": {core: "planned_at", kind: kDate},
	"notification.done":      {core: "done", kind: kBool},
	"notification.done_at":   {core: "done_at", kind: kDate},
}

func (b *taskBackend) field(r *request, path string) (qfield, error) {
	return itemField(b.coll, path, taskFields, taskExt)
}

// itemField maps a query's path on tasks or notes.
func itemField(c *collection, path string, fields map[string]qfield, ext map[string]core.FieldSpec) (qfield, error) {
	switch path {
	case "_id", "dealer_id", "created_at":
		f, _ := envelopeField(path, false)
		if c.name == "notes" && path == "_id" {
			return qfield{core: "id", kind: kString, conv: noteIDValue}, nil
		}
		return f, nil
	}
	if f, ok := fields[path]; ok {
		return f, nil
	}
	if f, ok := extFieldOf(c, ext, path); ok {
		return f, nil
	}
	if _, ok := c.fields[path]; ok {
		return qfield{}, notQueryable(path, "the server's: not filterable")
	}
	return qfield{}, unknownField(c, path)
}

// noteIDValue reads a note's _id in a query: its id.
func noteIDValue(_ *request, v any) (any, error) {
	s, _ := v.(string)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return int64(-1), nil
	}
	return n, nil
}

func queryErrOf(err error, fields map[string]qfield) error {
	rev := map[string]string{}
	for p, f := range fields {
		rev[f.core] = p
	}
	return toAPIError(err, func(k string) string {
		if k == "sort" || k == "group_by" || k == "search" || k == "where" {
			return k
		}
		if p, ok := rev[k]; ok {
			return "q." + p
		}
		return "q." + strings.TrimPrefix(k, extQueryPrefix)
	})
}

// render answers tasks as this API shows them; known says exts is every
// extension (of one task read alone), else they are those found.
func (b *taskBackend) render(r *request, ts []core.Task, exts map[int64]core.Document, known bool) ([]doc, error) {
	var leadIDs []int64
	var authors []*int64
	for _, t := range ts {
		leadIDs = append(leadIDs, t.LeadID)
		authors = append(authors, t.AuthorID)
	}
	leads, err := leadsOf(r, leadIDs)
	if err != nil {
		return nil, err
	}
	users, err := usersByID(r, authorIDs(exts, authors...))
	if err != nil {
		return nil, err
	}
	out := make([]doc, 0, len(ts))
	for _, t := range ts {
		var ext *core.Document
		if d, ok := exts[t.ID]; ok && d.ID != 0 {
			ext = &d
		}
		d, err := extBody(ext)
		if err != nil {
			return nil, err
		}
		itemEnvelope(r, d, leads[t.LeadID], users, t.AuthorID, ext)
		d["_id"] = t.PublicID
		d["__v"] = t.Version - 1 + docVersion(ext)
		d["created_at"] = formatValue(t.CreatedAt)
		up := t.CreatedAt
		if t.DoneAt != nil && t.DoneAt.After(up) {
			up = *t.DoneAt
		}
		d["updated_at"] = formatValue(laterOf(up, ext))
		d["description"] = t.Description
		n, _ := d["notification"].(map[string]any)
		if n == nil {
			n = map[string]any{}
		}
		n["notify_at"] = formatValue(t.PlannedAt)
		n["done"] = t.Done
		n["done_at"] = formatValue(t.DoneAt)
		d["notification"] = n
		d["computed"] = doc{"_id": t.PublicID}
		out = append(out, d)
	}
	return out, nil
}

// ---- notes

// noteBackend serves notes as the core's notes of a lead (not its tags,
// not its tasks' notes):
//
//	_id                    the note's id, as text (notes have no public id)
//	__v                    its version minus one, plus its extension's
//	created_at, updated_at its creation and last change of its content
//	created_by             its author (public id)
//	lead_id, lead_type     its lead and the lead's collection
//	client_id              its lead's client
//	content                its content
//
// Every other field is its extension document.
type noteBackend struct {
	svc  *core.Service
	coll *collection
	ext  itemExt
}

func (b *noteBackend) one(r *request, id string) (core.Note, *core.Document, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return core.Note{}, nil, notFound("note")
	}
	note, err := b.svc.FindNote(r.ctx, n)
	if err != nil {
		return core.Note{}, nil, toAPIError(err, nil)
	}
	if note.DealerID != r.dealer.ID || note.LeadID == 0 || note.TaskID != 0 || note.Tag {
		return core.Note{}, nil, notFound("note")
	}
	ext, err := b.ext.get(r, note.ID)
	return note, ext, err
}

func (b *noteBackend) get(r *request, id string) (doc, error) {
	n, ext, err := b.one(r, id)
	if err != nil {
		return nil, err
	}
	return b.getRendered(r, n, ext)
}

func (b *noteBackend) getRendered(r *request, n core.Note, ext *core.Document) (doc, error) {
	ds, err := b.render(r, []core.Note{n}, map[int64]core.Document{n.ID: derefDoc(ext)})
	if err != nil {
		return nil, err
	}
	return ds[0], nil
}

func (b *noteBackend) create(r *request, body doc) (doc, error) {
	l, err := leadOf(r, body)
	if err != nil {
		return nil, err
	}
	content, _ := body["content"].(string)
	n, err := b.svc.CreateNote(r.ctx, core.Note{LeadID: l.ID, Content: content})
	if err != nil {
		return nil, toAPIError(err, nil)
	}
	ext, err := b.ext.save(r, nil, n.ID, l, restOf(body, "content"))
	if err != nil {
		return nil, stored(err)
	}
	return storedDoc(b.getRendered(r, n, ext))
}

func (b *noteBackend) replace(r *request, id string, body doc, version int) (doc, error) {
	n, ext, err := b.one(r, id)
	if err != nil {
		return nil, err
	}
	if err := checkItemVersion(version, n.Version, ext); err != nil {
		return nil, err
	}
	l, err := leadOf(r, body)
	if err != nil {
		return nil, err
	}
	if l.ID != n.LeadID {
		return nil, invalidField("lead_id", "a note cannot move to another lead")
	}
	changed := false
	if content, _ := body["content"].(string); content != n.Content {
		if n, err = b.svc.UpdateNote(r.ctx, n.ID, core.NotePatch{Version: n.Version, Content: core.Value(content)}); err != nil {
			return nil, toAPIError(err, nil)
		}
		changed = true
	}
	next, err := b.ext.saveChanged(r, ext, n.ID, l, restOf(body, "content"))
	if err != nil {
		return nil, storedIf(changed, err)
	}
	d, err := b.getRendered(r, n, next)
	return d, storedIf(changed || next != ext, err)
}

func (b *noteBackend) remove(r *request, id string) error {
	n, ext, err := b.one(r, id)
	if err != nil {
		return err
	}
	if err := b.svc.DeleteNote(r.ctx, n.ID); err != nil {
		return err
	}
	return stored(b.ext.drop(r, ext))
}

func (b *noteBackend) scoped(r *request, q core.Query) core.Query {
	q.Where = core.And(core.Eq("dealer", r.dealer.ID), q.Where)
	q.Ext = noteExt
	return q
}

var noteFields = map[string]qfield{
	"lead_id":    {core: "lead", kind: kString, conv: idOf(core.RecordLead)},
	"created_by": {core: "author", kind: kString, conv: idOf(core.RecordUser)},
	"content":    {core: "content", kind: kString},
	"updated_at": {core: "modified_at", kind: kDate},
}

func (b *noteBackend) field(r *request, path string) (qfield, error) {
	return itemField(b.coll, path, noteFields, noteExt)
}

func (b *noteBackend) find(r *request, q core.Query) ([]doc, error) {
	ns, _, err := b.svc.FindNotes(r.ctx, b.scoped(r, q))
	if err != nil {
		return nil, queryErrOf(err, noteFields)
	}
	ids := make([]int64, len(ns))
	for i, n := range ns {
		ids[i] = n.ID
	}
	exts, err := b.ext.many(r, ids)
	if err != nil {
		return nil, err
	}
	return b.render(r, ns, exts)
}

func (b *noteBackend) group(r *request, q core.Query) ([]core.Group, error) {
	gs, err := b.svc.GroupNotes(r.ctx, b.scoped(r, q))
	if err != nil {
		return nil, queryErrOf(err, noteFields)
	}
	if q.GroupBy == "author" {
		q.GroupBy = "created_by"
	}
	return renderGroups(r, q.GroupBy, gs)
}

func (b *noteBackend) render(r *request, ns []core.Note, exts map[int64]core.Document) ([]doc, error) {
	var leadIDs []int64
	var authors []*int64
	for _, n := range ns {
		leadIDs = append(leadIDs, n.LeadID)
		authors = append(authors, n.AuthorID)
	}
	leads, err := leadsOf(r, leadIDs)
	if err != nil {
		return nil, err
	}
	users, err := usersByID(r, authorIDs(exts, authors...))
	if err != nil {
		return nil, err
	}
	out := make([]doc, 0, len(ns))
	for _, n := range ns {
		var ext *core.Document
		if d, ok := exts[n.ID]; ok && d.ID != 0 {
			ext = &d
		}
		d, err := extBody(ext)
		if err != nil {
			return nil, err
		}
		itemEnvelope(r, d, leads[n.LeadID], users, n.AuthorID, ext)
		id := strconv.FormatInt(n.ID, 10)
		d["_id"] = id
		d["__v"] = n.Version - 1 + docVersion(ext)
		d["created_at"] = formatValue(n.Created)
		d["updated_at"] = formatValue(laterOf(n.Modified, ext))
		d["content"] = n.Content
		d["computed"] = doc{"_id": id}
		out = append(out, d)
	}
	return out, nil
}
