package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"forecourt/internal/core"
)

// stageRank is the place of st in the lifecycle, -1 when unknown.
func stageRank(st core.Stage) int {
	return slices.Index(core.Stages, st)
}

// leadSearchText is the lower-cased text of a lead itself that a search
// finds besides its client's (migration 0012): the vehicle's make and
// model, the tags, the notes, and its tasks' descriptions and appraised
// plates, one a line.
func leadSearchText(l *core.Lead) string {
	var b searchLines
	if l.Vehicle != nil {
		b.add(l.Vehicle.BrandModel)
	}
	for _, n := range l.Tags {
		b.add(n.Content)
	}
	for _, n := range l.Notes {
		b.add(n.Content)
	}
	for _, t := range l.Tasks {
		b.add(t.Description)
		if t.Appraisal != nil {
			b.add(t.Appraisal.LicensePlate)
		}
	}
	return b.String()
}

// searchLines builds a lead's search_text: each text trimmed and
// lower-cased, one a line, the empty ones left out.
type searchLines struct{ b strings.Builder }

func (sl *searchLines) add(s string) {
	if s = strings.TrimSpace(s); s != "" {
		if sl.b.Len() > 0 {
			sl.b.WriteByte('\n')
		}
		sl.b.WriteString(strings.ToLower(s))
	}
}

func (sl *searchLines) String() string { return sl.b.String() }

// storedSearchText returns leadSearchText of lead id as stored, reading
// its texts alone, in leadSearchText's order, with one query: a change of
// one note or task keeps search_text right without loading the lead.
func storedSearchText(c conn, id int64) (string, error) {
	var b searchLines
	err := eachRow(c, `SELECT 0, 0, v.brand_model, '' FROM leads l JOIN vehicles v ON v.id = l.vehicle_id WHERE l.id = ?
		UNION ALL SELECT CASE WHEN kind = 'tag' THEN 1 ELSE 2 END, id, content, '' FROM notes WHERE lead_id = ? AND task_id IS NULL
		UNION ALL SELECT 3, t.id, t.description, coalesce(a.license_plate, '') FROM tasks t LEFT JOIN appraisals a ON a.task_id = t.id
			WHERE t.lead_id = ?
		ORDER BY 1, 2`, []any{id, id, id}, func(r *sql.Rows) error {
		var part, item int64
		var text, plate string
		if err := r.Scan(&part, &item, &text, &plate); err != nil {
			return err
		}
		b.add(text)
		b.add(plate)
		return nil
	})
	return b.String(), err
}

// CreateLead stores l whole and the history entry h (when not nil) in one
// transaction and sets every id it assigns on l and h. Empty public ids get
// a UUIDv7. A client with an ID is not inserted: that stored client of the
// same dealer is linked and copied into l.Client. Note ids given are
// ignored; every note gets its first version, by its author or else by
// l.CreatedBy.
func (s *Store) CreateLead(ctx context.Context, l *core.Lead, h *core.History) error {
	if l.PublicID == "" {
		l.PublicID = newPublicID()
	}
	for i := range l.Tasks {
		if l.Tasks[i].PublicID == "" {
			l.Tasks[i].PublicID = newPublicID()
		}
	}
	if l.Version == 0 {
		l.Version = 1
	}
	if l.Kind == "" {
		l.Kind = core.LeadSale
	}
	// The writer may run fn again after rolling it back: each run starts
	// from the client as given, the only input a run changes that decides
	// what the next one does (every id it sets is set anew).
	var client core.Client
	if l.Client != nil {
		client = *l.Client
	}
	// Encoded here, not on the writer, which every request waits for.
	search := leadSearchText(l)
	ext, err := encodeLeadExt(l.Ext)
	if err != nil {
		return err
	}
	var changes string
	if h != nil {
		var err error
		if changes, err = historyChanges(h); err != nil {
			return err
		}
	}
	if s.engine == Postgres {
		err := s.createLeadCombined(ctx, &leadCreation{l: l, h: h, client: client, search: search, ext: ext, changes: changes})
		return dbError(err, "create lead", "lead", l.PublicID)
	}
	err = s.writeWith(ctx, writeOpts{appendOnly: true, rerunnable: true}, func(c conn) error {
		return createLead(c, l, h, client, search, ext, changes)
	})
	return dbError(err, "create lead", "lead", l.PublicID)
}

// createLead is CreateLead's write on c: client is l's client as given
// (each run of a rerun write starts from it), search its search text, ext
// its extension fields and changes h's changes, encoded.
func createLead(c conn, l *core.Lead, h *core.History, client core.Client, search, ext, changes string) error {
	history, err := createLeadRows(c, l, h, client, search, ext, changes)
	if err != nil {
		return err
	}
	return c.insertRows(history)
}

// createLeadRows is createLead but for its history entries, which it
// returns for the caller to insert with its own (IntakeLead): the lead's
// creation h (when not nil) and, when the client matched a stored one,
// the match. A lead's notes and tags are inserted in one statement.
func createLeadRows(c conn, l *core.Lead, h *core.History, client core.Client, search, ext, changes string) ([]newRow, error) {
	var matched []core.Change
	if l.Client != nil {
		*l.Client = client
		if l.Client.ID != 0 {
			cl, err := existingClient(c, l.DealerID, l.Client.ID)
			if err != nil {
				return nil, err
			}
			*l.Client = cl
		} else {
			var err error
			if matched, err = matchOrInsertClient(c, l.DealerID, l.Client); err != nil {
				return nil, err
			}
		}
	}
	if l.Vehicle != nil {
		if err := insertVehicle(c, l.Vehicle); err != nil {
			return nil, err
		}
	}
	if err := c.insertRow(leadRow(l, search, ext)); err != nil {
		return nil, err
	}
	c.leadCreated(l.ID)
	if err := readyForConsumers(c, l.ID, l.DealerID, l.CreatedAt); err != nil {
		return nil, err
	}
	for i := range l.Tasks {
		if err := insertTask(c, l, &l.Tasks[i], l.CreatedBy); err != nil {
			return nil, err
		}
	}
	notes := make([]newRow, 0, len(l.Notes)+len(l.Tags))
	for i := range l.Notes {
		notes = append(notes, newNoteRow(noteOwner{leadID: l.ID}, kindNote, &l.Notes[i], l.CreatedBy))
	}
	for i := range l.Tags {
		notes = append(notes, newNoteRow(noteOwner{leadID: l.ID}, kindTag, &l.Tags[i], l.CreatedBy))
	}
	if err := c.insertRows(notes); err != nil {
		return nil, err
	}
	placeItems(l)
	return creationHistory(l, h, changes, matched)
}

// creationHistory returns the history rows of new lead l: its creation h
// (when not nil), whose changes are encoded, and the match of its client
// with a stored one when matched is not nil.
func creationHistory(l *core.Lead, h *core.History, changes string, matched []core.Change) ([]newRow, error) {
	var history []newRow
	if h != nil {
		h.LeadID = l.ID
		history = append(history, historyRow(h, changes))
	}
	if matched != nil {
		mh := matchedHistory(l, matched)
		if h != nil {
			mh.Via = h.Via // the client was matched by the creation's request
		}
		js, err := historyChanges(mh)
		if err != nil {
			return nil, err
		}
		history = append(history, historyRow(mh, js))
	}
	return history, nil
}

// leadRow is the row of new lead l, whose search_text is search and ext
// its extension fields encoded.
func leadRow(l *core.Lead, search, ext string) newRow {
	name, phone, email := clientSearch(l.Client)
	return newRow{table: "leads", cols: `public_id, dealer_id, source_id, client_id, vehicle_id, stage, stage_rank, outcome, reason,
		score, user_id, created_by, created_at, updated_at, finished_at, first_task_at, version,
		client_name, client_phone, client_email, search_text, mail_content, kind, ext`,
		args: []any{l.PublicID, l.DealerID, l.SourceID, clientID(l.Client), vehicleID(l.Vehicle), string(l.Stage), stageRank(l.Stage), string(l.Outcome), l.Reason,
			l.Score, ptrArg(l.UserID), ptrArg(l.CreatedBy), micros(l.CreatedAt), micros(l.UpdatedAt), microsPtr(l.FinishedAt), microsPtr(l.FirstTaskAt), l.Version,
			name, phone, email, search, l.MailContent, leadKind(l.Kind), ext},
		stored: func(id int64) { l.ID = id }}
}

// matchedHistory is the history entry of new lead l whose client matched
// a stored one with these changes.
func matchedHistory(l *core.Lead, matched []core.Change) *core.History {
	return &core.History{LeadID: l.ID, At: l.CreatedAt, UserID: l.CreatedBy, Type: core.HistoryChanged, Kind: core.KindClientMatched, Changes: matched}
}

// placeItems sets on the tasks and notes of l where they are: their lead
// and its dealer.
func placeItems(l *core.Lead) {
	place := func(ns []core.Note, taskID int64, tag bool) {
		for i := range ns {
			ns[i].DealerID, ns[i].LeadID, ns[i].TaskID, ns[i].Tag = l.DealerID, l.ID, taskID, tag
		}
	}
	for i := range l.Tasks {
		t := &l.Tasks[i]
		t.LeadID, t.DealerID = l.ID, l.DealerID
		place(t.Notes, t.ID, false)
	}
	place(l.Notes, 0, false)
	place(l.Tags, 0, true)
}

func clientID(cl *core.Client) any {
	if cl == nil {
		return nil
	}
	return cl.ID
}

func vehicleID(v *core.Vehicle) any {
	if v == nil {
		return nil
	}
	return v.ID
}

func insertVehicle(c conn, v *core.Vehicle) error { return c.insertRow(vehicleRow(c.pg, v)) }

// vehicleRow is the row of v, a new vehicle; on SQLite with its fold
// columns (vehicleFolds).
func vehicleRow(pg bool, v *core.Vehicle) newRow {
	v.SettleMakeModel() // whoever writes (core/vehiclename.go)
	cols := `brand_model, price, km, year, gas_id, sold, record_id, make, model, plate, vin`
	args := []any{v.BrandModel, v.Price, v.Km, ptrArg(v.Year), ptrArg(v.GasID), v.Sold, ptrArg(v.RecordID), v.Make, v.Model, v.Plate, v.VIN}
	if !pg {
		cols += ", " + vehicleFoldCols
		args = append(args, vehicleFolds(v)...)
	}
	return newRow{table: "vehicles", cols: cols, args: args, stored: func(id int64) { v.ID = id }}
}

func updateVehicle(c conn, v *core.Vehicle) error {
	v.SettleMakeModel()
	set := `brand_model = ?, price = ?, km = ?, year = ?, gas_id = ?, sold = ?, record_id = ?, make = ?, model = ?, plate = ?, vin = ?`
	args := []any{v.BrandModel, v.Price, v.Km, ptrArg(v.Year), ptrArg(v.GasID), v.Sold, ptrArg(v.RecordID), v.Make, v.Model, v.Plate, v.VIN}
	if !c.pg {
		set += vehicleFoldSet
		args = append(args, vehicleFolds(v)...)
	}
	_, err := c.exec(`UPDATE vehicles SET `+set+` WHERE id = ?`, append(args, v.ID)...)
	return err
}

// insertTask stores t on lead l with its appraisal and notes, and sets
// their ids and versions (1, the columns' default). The row carries its
// lead's dealer and assignee (migration 0056), whose triggers then leave
// it alone: they fill them only for a row inserted without (a lead's
// creation on PostgreSQL, pgcombine.go), at the cost of a second write.
func insertTask(c conn, l *core.Lead, t *core.Task, actor *int64) error {
	if err := c.insertRow(leadTaskRow(l, t)); err != nil {
		return err
	}
	if t.Appraisal != nil {
		if err := insertAppraisal(c, t.ID, t.Appraisal); err != nil {
			return err
		}
	}
	for i := range t.Notes {
		if err := insertNote(c, noteOwner{leadID: l.ID, taskID: t.ID}, kindNote, &t.Notes[i], actor); err != nil {
			return err
		}
	}
	return nil
}

// taskRowCols are the columns of taskRow; taskLeadCols those of
// insertTask, with the task's copies of its lead's dealer and assignee.
const (
	taskRowCols = `public_id, lead_id, type, subtype, description, media, planned_at, planned_tracking_at,
		done, done_at, tracked, tracked_at, is_click2call, author_id, created_at`
	taskLeadCols = taskRowCols + `, dealer_id, lead_user_id`
)

// leadTaskRow is taskRow with the task's copies of lead l's dealer and
// assignee (migration 0056). A lead's creation on PostgreSQL
// (pgcombine.go) still builds its tasks' rows with taskRow, whose columns
// the AFTER trigger of 0056 then writes, a second write of each task
// (docs/benchmarks.md, "Mis tareas on 100,000 tasks"): leadTaskRow(l, t)
// there would spare it.
func leadTaskRow(l *core.Lead, t *core.Task) newRow {
	r := taskRow(l.ID, t)
	r.cols, r.args = taskLeadCols, append(r.args, l.DealerID, ptrArg(l.UserID))
	return r
}

// taskRow is the row of t, a new task of lead leadID, without its
// appraisal and notes; it sets t's public id when empty, its lead and its
// version.
func taskRow(leadID int64, t *core.Task) newRow {
	if t.PublicID == "" {
		t.PublicID = newPublicID()
	}
	t.LeadID, t.Version = leadID, 1
	return newRow{table: "tasks", cols: taskRowCols,
		args: []any{t.PublicID, leadID, string(t.Type), t.Subtype, t.Description, string(t.Media), microsPtr(t.PlannedAt), microsPtr(t.PlannedTrackingAt),
			t.Done, microsPtr(t.DoneAt), t.Tracked, microsPtr(t.TrackedAt), t.IsClick2Call, ptrArg(t.AuthorID), micros(t.CreatedAt)},
		stored: func(id int64) { t.ID = id }}
}

func updateTask(c conn, t *core.Task) error {
	_, err := c.exec(`UPDATE tasks SET type = ?, subtype = ?, description = ?, media = ?, planned_at = ?, planned_tracking_at = ?,
		done = ?, done_at = ?, tracked = ?, tracked_at = ?, is_click2call = ?, author_id = ?, created_at = ?, version = ? WHERE id = ?`,
		string(t.Type), t.Subtype, t.Description, string(t.Media), microsPtr(t.PlannedAt), microsPtr(t.PlannedTrackingAt),
		t.Done, microsPtr(t.DoneAt), t.Tracked, microsPtr(t.TrackedAt), t.IsClick2Call, ptrArg(t.AuthorID), micros(t.CreatedAt), t.Version, t.ID)
	return err
}

// sameTaskRow reports whether the task's own columns are unchanged.
func sameTaskRow(a, b *core.Task) bool {
	return a.Type == b.Type && a.Subtype == b.Subtype && a.Description == b.Description && a.Media == b.Media &&
		equalTimePtr(a.PlannedAt, b.PlannedAt) && equalTimePtr(a.PlannedTrackingAt, b.PlannedTrackingAt) &&
		a.Done == b.Done && equalTimePtr(a.DoneAt, b.DoneAt) && a.Tracked == b.Tracked && equalTimePtr(a.TrackedAt, b.TrackedAt) &&
		a.IsClick2Call == b.IsClick2Call && equalPtr(a.AuthorID, b.AuthorID) && a.CreatedAt.Equal(b.CreatedAt)
}

func insertAppraisal(c conn, taskID int64, a *core.Appraisal) error {
	return c.insertRow(appraisalRow(taskID, a))
}

func appraisalRow(taskID int64, a *core.Appraisal) newRow {
	return newRow{table: "appraisals", cols: `task_id, brand_model, license_plate, km, year, gas_id, extras, origin`,
		args:   []any{taskID, a.BrandModel, a.LicensePlate, a.Km, ptrArg(a.Year), ptrArg(a.GasID), a.Extras, string(a.Origin)},
		stored: func(id int64) { a.ID = id }}
}

func updateAppraisal(c conn, a *core.Appraisal) error {
	_, err := c.exec(`UPDATE appraisals SET brand_model = ?, license_plate = ?, km = ?, year = ?, gas_id = ?, extras = ?, origin = ? WHERE id = ?`,
		a.BrandModel, a.LicensePlate, a.Km, ptrArg(a.Year), ptrArg(a.GasID), a.Extras, string(a.Origin), a.ID)
	return err
}

func sameAppraisal(a, b *core.Appraisal) bool {
	return a.BrandModel == b.BrandModel && a.LicensePlate == b.LicensePlate && a.Km == b.Km && equalPtr(a.Year, b.Year) &&
		equalPtr(a.GasID, b.GasID) && a.Extras == b.Extras && a.Origin == b.Origin
}

func sameClient(a, b *core.Client) bool {
	return a.Name == b.Name && a.Phone == b.Phone && a.PhoneE164 == b.PhoneE164 && a.Email == b.Email &&
		equalPtr(a.ProvinceID, b.ProvinceID) && equalPtr(a.LocalityID, b.LocalityID) &&
		a.GovID == b.GovID && a.BusinessName == b.BusinessName && a.Address == b.Address &&
		a.CreatedAt.Equal(b.CreatedAt) && a.UpdatedAt.Equal(b.UpdatedAt)
}

func sameVehicle(a, b *core.Vehicle) bool {
	return a.BrandModel == b.BrandModel && a.Price == b.Price && a.Km == b.Km && equalPtr(a.Year, b.Year) &&
		equalPtr(a.GasID, b.GasID) && a.Sold == b.Sold && equalPtr(a.RecordID, b.RecordID) &&
		a.Make == b.Make && a.Model == b.Model && a.Plate == b.Plate && a.VIN == b.VIN
}

// historyChange is how a core.Change is stored in lead_history.changes:
// encoding/json writes it compact, keys in this order (migration 0009
// relies on it).
type historyChange struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

func insertHistory(c conn, h *core.History) error {
	js, err := historyChanges(h)
	if err != nil {
		return err
	}
	return insertHistoryChanges(c, h, js)
}

// historyChanges encodes h's changes for lead_history.changes.
func historyChanges(h *core.History) (string, error) { return encodeChanges(h.Changes) }

// insertHistoryChanges inserts h with its changes encoded as js, and sets
// h.ID.
func insertHistoryChanges(c conn, h *core.History, js string) error {
	return c.insertRow(historyRow(h, js))
}

// historyRow is the row of h, whose changes are encoded as js.
func historyRow(h *core.History, js string) newRow {
	return newRow{table: "lead_history", cols: `lead_id, at, user_id, type, kind, changes, via`,
		args:   []any{h.LeadID, micros(h.At), ptrArg(h.UserID), string(h.Type), string(h.Kind), js, h.Via},
		stored: func(id int64) { h.ID = id }}
}

// Lead returns lead id whole.
func (s *Store) Lead(ctx context.Context, id int64) (core.Lead, error) {
	var out []core.Lead
	err := s.readTx(ctx, func(c conn) error {
		var err error
		out, err = loadLeads(c, []int64{id}, wholeLead)
		return err
	})
	if err == nil && len(out) == 0 {
		err = notFound("lead", id)
	}
	if err != nil {
		return core.Lead{}, dbError(err, "lead", "lead", id)
	}
	return out[0], nil
}

// UpdateLead implements core.Store.UpdateLead. fn runs inside the write
// transaction, on SQLite on the one writer connection while other writers
// wait: it must be quick and must not call the Store's write methods.
//
// Beyond the contract: DealerID cannot change (Invalid); a client whose ID
// changed to another stored client of the dealer is linked (and copied into
// the lead) without being written; the vehicle keeps its ID or gets ID 0;
// a nested ID that was not loaded with the lead is Invalid.
func (s *Store) UpdateLead(ctx context.Context, id int64, actor *int64, fn func(*core.Lead) ([]core.History, error)) (core.Lead, error) {
	var out core.Lead
	err := s.write(ctx, func(c conn) error {
		if err := lockLead(c, id, true); err != nil {
			return err
		}
		loaded, err := loadLeads(c, []int64{id}, wholeLead)
		if err != nil {
			return err
		}
		if len(loaded) == 0 {
			return notFound("lead", id)
		}
		old := loaded[0]
		cur := old.Clone()
		hs, err := fn(&cur)
		if err != nil {
			return err
		}
		matched, err := saveLead(c, &old, &cur, actor)
		if err != nil {
			return err
		}
		if matched != nil {
			via := ""
			if len(hs) > 0 {
				via = hs[0].Via // the client was matched by the change's request
			}
			hs = append(hs, core.History{At: cur.UpdatedAt, UserID: actor, Via: via, Type: core.HistoryChanged, Kind: core.KindClientMatched, Changes: matched})
		}
		for i := range hs {
			hs[i].LeadID = id
			if err := insertHistory(c, &hs[i]); err != nil {
				return err
			}
		}
		out = cur
		return nil
	})
	if err != nil {
		return core.Lead{}, dbError(err, "update lead", "lead", id)
	}
	return out, nil
}

// lockLead locks lead id's row for this write transaction and, with
// client, its client's row, so that what the transaction loads of them is
// what it changes: their versions included. On SQLite the writer runs one
// write transaction at a time. On PostgreSQL the lead is locked FOR UPDATE
// and the client FOR NO KEY UPDATE (its leads may still be created
// meanwhile), the client first: a change of the client also writes the
// copies of its name on its other leads, which another UpdateLead of one
// of them holds, and that one, waiting for the client before its lead,
// holds none of them yet. NotFound when there is no such lead.
func lockLead(c conn, id int64, client bool) error {
	if !c.pg {
		return nil
	}
	var before, after sql.NullInt64
	if client {
		if err := c.row(`SELECT client_id FROM leads WHERE id = ?`, id).Scan(&before); err != nil {
			return err
		}
		if err := lockClient(c, before); err != nil {
			return err
		}
	}
	if err := c.row(`SELECT client_id FROM leads WHERE id = ? FOR UPDATE`, id).Scan(&after); err != nil {
		return err
	}
	if client && after != before {
		// The lead's client changed in between; with the lead locked it
		// cannot change any more.
		return lockClient(c, after)
	}
	return nil
}

func lockClient(c conn, id sql.NullInt64) error {
	if !id.Valid {
		return nil
	}
	var locked int64
	return c.row(`SELECT id FROM clients WHERE id = ? FOR NO KEY UPDATE`, id.Int64).Scan(&locked)
}

// saveLead writes the differences from old to cur and sets the assigned ids
// on cur.
func saveLead(c conn, old, cur *core.Lead, actor *int64) (matched []core.Change, err error) {
	if cur.ID != old.ID || cur.DealerID != old.DealerID {
		return nil, core.Errorf(core.Invalid, "a lead cannot change its id or dealer")
	}
	cur.PublicID = old.PublicID

	switch {
	case cur.Client == nil:
	case cur.Client.ID == 0:
		if matched, err = matchOrInsertClient(c, cur.DealerID, cur.Client); err != nil {
			return nil, err
		}
	case old.Client != nil && cur.Client.ID == old.Client.ID:
		cur.Client.DealerID, cur.Client.PublicID, cur.Client.Version = old.Client.DealerID, old.Client.PublicID, old.Client.Version
		if !sameClient(old.Client, cur.Client) {
			if err := updateClient(c, cur.Client); err != nil {
				return nil, err
			}
		}
	default:
		cl, err := existingClient(c, cur.DealerID, cur.Client.ID)
		if err != nil {
			return nil, err
		}
		*cur.Client = cl
	}

	var dropVehicle int64
	switch {
	case cur.Vehicle == nil:
		if old.Vehicle != nil {
			dropVehicle = old.Vehicle.ID
		}
	case cur.Vehicle.ID == 0:
		if err := insertVehicle(c, cur.Vehicle); err != nil {
			return nil, err
		}
		if old.Vehicle != nil {
			dropVehicle = old.Vehicle.ID
		}
	case old.Vehicle != nil && cur.Vehicle.ID == old.Vehicle.ID:
		if !sameVehicle(old.Vehicle, cur.Vehicle) {
			if err := updateVehicle(c, cur.Vehicle); err != nil {
				return nil, err
			}
		}
	default:
		return nil, core.Errorf(core.Invalid, "vehicle %d does not belong to lead %d", cur.Vehicle.ID, cur.ID)
	}

	cur.Version = old.Version + 1
	cur.Kind = old.Kind // a lead's kind never changes
	ext, err := encodeLeadExt(cur.Ext)
	if err != nil {
		return nil, err
	}
	name, phone, email := clientSearch(cur.Client)
	res, err := c.exec(`UPDATE leads SET source_id = ?, client_id = ?, vehicle_id = ?, stage = ?, stage_rank = ?, outcome = ?, reason = ?,
		score = ?, user_id = ?, created_by = ?, created_at = ?, updated_at = ?, finished_at = ?, first_task_at = ?, version = ?,
		client_name = ?, client_phone = ?, client_email = ?, search_text = ?, mail_content = ?, ext = ? WHERE id = ?`,
		cur.SourceID, clientID(cur.Client), vehicleID(cur.Vehicle), string(cur.Stage), stageRank(cur.Stage), string(cur.Outcome), cur.Reason,
		cur.Score, ptrArg(cur.UserID), ptrArg(cur.CreatedBy), micros(cur.CreatedAt), micros(cur.UpdatedAt), microsPtr(cur.FinishedAt), microsPtr(cur.FirstTaskAt), cur.Version,
		name, phone, email, leadSearchText(cur), cur.MailContent, ext, cur.ID)
	if err != nil {
		return nil, err
	}
	if err := affected(res, "lead", cur.ID); err != nil {
		return nil, err
	}
	if dropVehicle != 0 {
		if _, err := c.exec(`DELETE FROM vehicles WHERE id = ?`, dropVehicle); err != nil {
			return nil, err
		}
	}

	if err := saveTasks(c, old, cur, actor); err != nil {
		return nil, err
	}
	if _, err := saveNotes(c, noteOwner{leadID: cur.ID}, kindNote, old.Notes, cur.Notes, actor); err != nil {
		return nil, err
	}
	if _, err := saveNotes(c, noteOwner{leadID: cur.ID}, kindTag, old.Tags, cur.Tags, actor); err != nil {
		return nil, err
	}
	placeItems(cur)
	return matched, nil
}

func saveTasks(c conn, old, cur *core.Lead, actor *int64) error {
	known := make(map[int64]*core.Task, len(old.Tasks))
	for i := range old.Tasks {
		known[old.Tasks[i].ID] = &old.Tasks[i]
	}
	kept := make(map[int64]bool, len(cur.Tasks))
	for i := range cur.Tasks {
		t := &cur.Tasks[i]
		if t.ID == 0 {
			if err := insertTask(c, cur, t, actor); err != nil {
				return err
			}
			continue
		}
		o, ok := known[t.ID]
		if !ok || kept[t.ID] {
			return core.Errorf(core.Invalid, "task %d does not belong to lead %d", t.ID, cur.ID)
		}
		kept[t.ID] = true
		if _, err := saveTask(c, o, t, actor); err != nil {
			return err
		}
	}
	var gone []int64
	for _, o := range old.Tasks {
		if !kept[o.ID] {
			gone = append(gone, o.ID)
		}
	}
	if len(gone) > 0 {
		if _, err := c.exec(`DELETE FROM tasks WHERE id IN `+in(len(gone)), anys(gone)...); err != nil {
			return err
		}
		// and their appraisals and notes (their versions by ON DELETE CASCADE)
		if err := deleteTaskRows(c, gone...); err != nil {
			return err
		}
	}
	return nil
}

// saveTask writes task t, stored as o, and its appraisal and notes: what
// differs. A change of any of them gives the task the next version. It
// sets the ids assigned, the notes' histories and the versions on t, and
// reports whether anything changed.
func saveTask(c conn, o, t *core.Task, actor *int64) (bool, error) {
	t.LeadID, t.PublicID, t.Version = o.LeadID, o.PublicID, o.Version
	changed := false
	switch {
	case t.Appraisal == nil:
		if o.Appraisal != nil {
			if _, err := c.exec(`DELETE FROM appraisals WHERE id = ?`, o.Appraisal.ID); err != nil {
				return false, err
			}
			changed = true
		}
	case t.Appraisal.ID == 0:
		if o.Appraisal != nil {
			if _, err := c.exec(`DELETE FROM appraisals WHERE id = ?`, o.Appraisal.ID); err != nil {
				return false, err
			}
		}
		if err := insertAppraisal(c, t.ID, t.Appraisal); err != nil {
			return false, err
		}
		changed = true
	case o.Appraisal != nil && t.Appraisal.ID == o.Appraisal.ID:
		if !sameAppraisal(o.Appraisal, t.Appraisal) {
			if err := updateAppraisal(c, t.Appraisal); err != nil {
				return false, err
			}
			changed = true
		}
	default:
		return false, core.Errorf(core.Invalid, "appraisal %d does not belong to task %d", t.Appraisal.ID, t.ID)
	}
	notes, err := saveNotes(c, noteOwner{leadID: t.LeadID, taskID: t.ID}, kindNote, o.Notes, t.Notes, actor)
	if err != nil {
		return false, err
	}
	changed = changed || notes
	if !changed && sameTaskRow(o, t) {
		return false, nil
	}
	t.Version++
	return true, updateTask(c, t)
}

// LeadHistory implements core.Store.LeadHistory. Both orders read the index
// lead_history_lead (lead_id, at, id), newest first backwards. The page is
// read first, of the lead only when it is one of dealers': a page that
// comes out short and not empty tells the total and that the lead is
// theirs, in one statement (LeanCore's lookup reads a lead's whole history
// this way); otherwise the lead is looked up, then its entries counted.
func (s *Store) LeadHistory(ctx context.Context, dealers []int64, leadID int64, newestFirst bool, p core.Page) ([]core.History, int, error) {
	dealers = core.DistinctIDs(dealers)
	if len(dealers) == 0 {
		return nil, 0, notFound("lead", leadID)
	}
	order := ` ORDER BY at, id`
	if newestFirst {
		order = ` ORDER BY at DESC, id DESC`
	}
	theirs := `SELECT id FROM leads WHERE id = ? AND dealer_id IN ` + in(len(dealers))
	args := append([]any{leadID}, anys(dealers)...)
	var out []core.History
	var total int
	err := s.readTx(ctx, func(c conn) error {
		limit, largs := c.page(p)
		var err error
		out, err = queryAll(c, `SELECT `+historyCols+` FROM lead_history WHERE lead_id = (`+theirs+`)`+order+limit,
			append(slices.Clip(args), largs...), scanHistory)
		if err != nil {
			return err
		}
		if len(out) > 0 && (p.Limit < 0 || len(out) < p.Limit) {
			total = max(p.Offset, 0) + len(out)
			return nil
		}
		var one int64
		if err := c.row(theirs, args...).Scan(&one); err != nil {
			return err
		}
		total, err = c.count(`SELECT count(*) FROM lead_history WHERE lead_id = ?`, leadID)
		return err
	})
	if err != nil {
		return nil, 0, dbError(err, "lead history", "lead", leadID)
	}
	return out, total, nil
}

func scanHistory(r *sql.Rows, h *core.History) error {
	var at int64
	var user sql.NullInt64
	var typ, kind, changes string
	if err := r.Scan(&h.ID, &h.LeadID, &at, &user, &typ, &kind, &changes, &h.Via); err != nil {
		return err
	}
	h.At, h.UserID, h.Type, h.Kind = fromMicros(at), int64Ptr(user), core.HistoryType(typ), core.HistoryKind(kind)
	var err error
	if h.Changes, err = decodeChanges(changes); err != nil {
		return fmt.Errorf("history %d: changes: %w", h.ID, err)
	}
	return nil
}

// CreateCallControl stores cc and the history entry h (when not nil) and
// sets their ids.
func (s *Store) CreateCallControl(ctx context.Context, cc *core.CallControl, h *core.History) error {
	err := s.write(ctx, func(c conn) error {
		id, err := c.insert(`INSERT INTO call_controls (lead_id, user_id, call_control, from_number, to_number, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			cc.LeadID, ptrArg(cc.UserID), cc.CallControl, cc.From, cc.To, micros(cc.CreatedAt))
		if err != nil {
			return err
		}
		cc.ID = id
		if h != nil {
			if h.LeadID == 0 {
				h.LeadID = cc.LeadID
			}
			return insertHistory(c, h)
		}
		return nil
	})
	return dbError(err, "create call control", "call control", cc.CallControl)
}

// loadLeads loads the leads with these ids, in id order, with a constant
// number of queries: leads with their clients and vehicles, then as parts
// says tasks with their appraisals, notes and tags with their versions.
func loadLeads(c conn, ids []int64, parts leadLoad) ([]core.Lead, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return loadLeadsWhere(c, `l.id IN `+in(len(ids)), anys(ids), parts)
}

// loadLeadsWhere is loadLeads of the leads that where, a condition on
// leads l with args, selects.
func loadLeadsWhere(c conn, where string, args []any, parts leadLoad) ([]core.Lead, error) {
	rows, err := c.query(`SELECT l.id, l.public_id, l.dealer_id, l.source_id, l.stage, l.outcome, l.reason, l.score, l.user_id,
		l.created_by, l.mail_content, l.created_at, l.updated_at, l.finished_at, l.first_task_at, l.version, l.kind, l.ext,
		c.id, c.public_id, c.dealer_id, c.name, c.phone, c.phone_e164, c.email, c.province_id, c.locality_id, c.created_at, c.updated_at, c.version,
		c.gov_id, c.business_name, c.address,
		v.id, v.brand_model, v.price, v.km, v.year, v.gas_id, v.sold, v.record_id, v.make, v.model, v.plate, v.vin
		FROM leads l LEFT JOIN clients c ON c.id = l.client_id LEFT JOIN vehicles v ON v.id = l.vehicle_id
		WHERE `+where+` ORDER BY l.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []core.Lead
	for rows.Next() {
		var l core.Lead
		var stage, outcome, kind, ext string
		var user, createdBy, finished, firstTask sql.NullInt64
		var created, updated int64
		var cID, cDealer, cProvince, cLocality, cCreated, cUpdated, cVersion sql.NullInt64
		var cPublic, cName, cPhone, cE164, cEmail, cGov, cBusiness, cAddress sql.NullString
		var vID, vYear, vGas, vRecord sql.NullInt64
		var vBrand, vPrice, vKm, vMake, vModel, vPlate, vVIN sql.NullString
		var vSold sql.NullBool
		if err := rows.Scan(&l.ID, &l.PublicID, &l.DealerID, &l.SourceID, &stage, &outcome, &l.Reason, &l.Score, &user,
			&createdBy, &l.MailContent, &created, &updated, &finished, &firstTask, &l.Version, &kind, &ext,
			&cID, &cPublic, &cDealer, &cName, &cPhone, &cE164, &cEmail, &cProvince, &cLocality, &cCreated, &cUpdated, &cVersion,
			&cGov, &cBusiness, &cAddress,
			&vID, &vBrand, &vPrice, &vKm, &vYear, &vGas, &vSold, &vRecord, &vMake, &vModel, &vPlate, &vVIN); err != nil {
			return nil, err
		}
		l.Stage, l.Outcome, l.Kind = core.Stage(stage), core.Outcome(outcome), core.LeadKind(kind)
		if l.Ext, err = decodeLeadExt(ext); err != nil {
			return nil, err
		}
		l.UserID, l.CreatedBy = int64Ptr(user), int64Ptr(createdBy)
		l.CreatedAt, l.UpdatedAt = fromMicros(created), fromMicros(updated)
		l.FinishedAt, l.FirstTaskAt = timePtr(finished), timePtr(firstTask)
		if cID.Valid {
			l.Client = &core.Client{ID: cID.Int64, PublicID: cPublic.String, DealerID: cDealer.Int64, Name: cName.String,
				Phone: cPhone.String, PhoneE164: cE164.String, Email: cEmail.String, ProvinceID: int64Ptr(cProvince),
				LocalityID: int64Ptr(cLocality), CreatedAt: fromMicros(cCreated.Int64), UpdatedAt: fromMicros(cUpdated.Int64),
				Version: int(cVersion.Int64), GovID: cGov.String, BusinessName: cBusiness.String, Address: cAddress.String}
		}
		if vID.Valid {
			l.Vehicle = &core.Vehicle{ID: vID.Int64, BrandModel: vBrand.String, Price: vPrice.String, Km: vKm.String,
				Year: intPtr(vYear), GasID: int64Ptr(vGas), Sold: vSold.Bool, RecordID: int64Ptr(vRecord),
				Make: vMake.String, Model: vModel.String, Plate: vPlate.String, VIN: vVIN.String}
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(out) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(out))
	at := make(map[int64]*core.Lead, len(out))
	for i := range out {
		ids[i] = out[i].ID
		at[out[i].ID] = &out[i]
	}

	if parts.tasks {
		err = eachRow(c, `SELECT `+taskCols+` FROM tasks t LEFT JOIN appraisals a ON a.task_id = t.id
			WHERE t.lead_id IN `+in(len(ids))+` ORDER BY t.id`, anys(ids), func(r *sql.Rows) error {
			var t core.Task
			if err := scanTask(r, &t); err != nil {
				return err
			}
			l := at[t.LeadID]
			t.DealerID = l.DealerID
			l.Tasks = append(l.Tasks, t)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}

	if !parts.notes {
		return out, nil
	}
	// without the tasks (a projection of the notes or tags alone), the
	// tasks' notes are read and left out
	tasks := make(map[int64]*core.Task)
	for i := range out {
		for j := range out[i].Tasks {
			tasks[out[i].Tasks[j].ID] = &out[i].Tasks[j]
		}
	}
	notes, err := loadNotes(c, "lead_id", ids)
	if err != nil {
		return nil, err
	}
	for _, n := range notes {
		n.note.DealerID = at[n.owner.leadID].DealerID
		switch {
		case n.owner.taskID != 0:
			if t := tasks[n.owner.taskID]; t != nil {
				t.Notes = append(t.Notes, n.note)
			}
		case n.kind == kindTag:
			at[n.owner.leadID].Tags = append(at[n.owner.leadID].Tags, n.note)
		default:
			at[n.owner.leadID].Notes = append(at[n.owner.leadID].Notes, n.note)
		}
	}
	return out, nil
}

// taskCols are the columns scanTask reads, of tasks t LEFT JOIN appraisals
// a.
const taskCols = `t.id, t.public_id, t.lead_id, t.type, t.subtype, t.description, t.media, t.planned_at, t.planned_tracking_at,
		t.done, t.done_at, t.tracked, t.tracked_at, t.is_click2call, t.author_id, t.created_at, t.version,
		a.id, a.brand_model, a.license_plate, a.km, a.year, a.gas_id, a.extras, a.origin`

// scanTask scans a task and its appraisal (taskCols), and into extra the
// columns the query selects after them.
func scanTask(r interface{ Scan(...any) error }, t *core.Task, extra ...any) error {
	var typ, media string
	var planned, plannedTracking, doneAt, trackedAt, author sql.NullInt64
	var created int64
	var aID, aYear, aGas sql.NullInt64
	var aBrand, aPlate, aKm, aExtras, aOrigin sql.NullString
	if err := r.Scan(append([]any{&t.ID, &t.PublicID, &t.LeadID, &typ, &t.Subtype, &t.Description, &media, &planned, &plannedTracking,
		&t.Done, &doneAt, &t.Tracked, &trackedAt, &t.IsClick2Call, &author, &created, &t.Version,
		&aID, &aBrand, &aPlate, &aKm, &aYear, &aGas, &aExtras, &aOrigin}, extra...)...); err != nil {
		return err
	}
	t.Type, t.Media = core.TaskType(typ), core.Media(media)
	t.PlannedAt, t.PlannedTrackingAt = timePtr(planned), timePtr(plannedTracking)
	t.DoneAt, t.TrackedAt, t.AuthorID = timePtr(doneAt), timePtr(trackedAt), int64Ptr(author)
	t.CreatedAt = fromMicros(created)
	if aID.Valid {
		t.Appraisal = &core.Appraisal{ID: aID.Int64, BrandModel: aBrand.String, LicensePlate: aPlate.String, Km: aKm.String,
			Year: intPtr(aYear), GasID: int64Ptr(aGas), Extras: aExtras.String, Origin: core.AppraisalOrigin(aOrigin.String)}
	}
	return nil
}

// leadKind is the kind stored for k: a sale when none is given.
func leadKind(k core.LeadKind) string {
	if k == "" {
		return string(core.LeadSale)
	}
	return string(k)
}
