package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"forecourt/internal/core"
)

const dealerCols = `id, public_id, name, country, time_zone, address, latitude, longitude, schedule, web,
	guidance_visit, guidance_appraisal, guidance_financing, guidance_warranty, guidance_service, caller_id, phone, ext, created_at`

const dealerWriteCols = `name, country, time_zone, address, latitude, longitude, schedule, web,
	guidance_visit, guidance_appraisal, guidance_financing, guidance_warranty, guidance_service, caller_id, phone, ext`

func dealerArgs(d *core.Dealer) ([]any, error) {
	ext, err := encodeExt(d.Ext)
	if err != nil {
		return nil, err
	}
	g := d.Guidance
	return []any{d.Name, d.Country, d.TimeZone, d.Address, ptrArg(d.Latitude), ptrArg(d.Longitude), d.Schedule, d.Web,
		g.Visit, g.Appraisal, g.Financing, g.Warranty, g.Service, d.CallerID, d.Phone, ext}, nil
}

// encodeExt encodes a record's extension fields for its ext column (of
// dealers or appointments), a JSON object of strings ("{}" when there is
// none).
func encodeExt(ext map[string]string) (string, error) {
	if len(ext) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(ext)
	return string(b), err
}

// decodeExt is encodeExt's inverse; an empty object is nil.
func decodeExt(s string) (map[string]string, error) {
	var ext map[string]string
	if err := json.Unmarshal([]byte(s), &ext); err != nil {
		return nil, fmt.Errorf("ext: %w", err)
	}
	if len(ext) == 0 {
		return nil, nil
	}
	return ext, nil
}

// CreateDealer stores d with its calendar and notes and sets their ids. A
// non-zero d.ID is kept; an empty PublicID gets a UUIDv7.
func (s *Store) CreateDealer(ctx context.Context, d *core.Dealer) error {
	defer s.cache.dealers.clear()
	if d.PublicID == "" {
		d.PublicID = newPublicID()
	}
	args, err := dealerArgs(d)
	if err != nil {
		return err
	}
	err = s.write(ctx, func(c conn) error {
		args := append([]any{d.PublicID, micros(d.CreatedAt)}, args...)
		id, err := c.insertWithID("dealers", d.ID, "public_id, created_at, "+dealerWriteCols, args...)
		if err != nil {
			return err
		}
		d.ID = id
		if err := saveCalendar(c, id, d.Calendar); err != nil {
			return err
		}
		for i := range d.Notes {
			d.Notes[i].ID = 0
			if err := insertNote(c, noteOwner{dealerID: id}, kindNote, &d.Notes[i], nil); err != nil {
				return err
			}
		}
		return nil
	})
	return dbError(err, "create dealer", "dealer", d.PublicID)
}

// UpdateDealer saves d's fields, calendar and notes (PublicID and CreatedAt
// are kept). Notes are compared with the stored ones like UpdateLead does;
// a changed content is versioned under the note's author, since no actor is
// given.
func (s *Store) UpdateDealer(ctx context.Context, d *core.Dealer) error {
	defer s.cache.dealers.clear()
	args, err := dealerArgs(d)
	if err != nil {
		return err
	}
	err = s.write(ctx, func(c conn) error {
		res, err := c.exec(`UPDATE dealers SET name = ?, country = ?, time_zone = ?, address = ?, latitude = ?, longitude = ?,
			schedule = ?, web = ?, guidance_visit = ?, guidance_appraisal = ?, guidance_financing = ?,
			guidance_warranty = ?, guidance_service = ?, caller_id = ?, phone = ?, ext = ? WHERE id = ?`, append(args, d.ID)...)
		if err != nil {
			return err
		}
		if err := affected(res, "dealer", d.ID); err != nil {
			return err
		}
		if err := saveCalendar(c, d.ID, d.Calendar); err != nil {
			return err
		}
		old, err := loadNotes(c, "dealer_id", []int64{d.ID})
		if err != nil {
			return err
		}
		var oldNotes []core.Note
		for _, r := range old {
			oldNotes = append(oldNotes, r.note)
		}
		return saveNotesAuthored(c, noteOwner{dealerID: d.ID}, oldNotes, d.Notes)
	})
	return dbError(err, "update dealer", "dealer", d.ID)
}

// saveNotesAuthored is saveNotes where each changed note is versioned by its
// own author.
func saveNotesAuthored(c conn, owner noteOwner, old, cur []core.Note) error {
	// saveNotes takes one actor: run it on each note alone, deletions last.
	known := make(map[int64]core.Note, len(old))
	for _, o := range old {
		known[o.ID] = o
	}
	kept := make(map[int64]bool)
	for i := range cur {
		n := &cur[i]
		var prev []core.Note
		if n.ID != 0 {
			o, ok := known[n.ID]
			if !ok || kept[n.ID] {
				return core.Errorf(core.Invalid, "note %d does not belong to this dealer", n.ID)
			}
			kept[n.ID] = true
			prev = []core.Note{o}
		}
		if _, err := saveNotes(c, owner, kindNote, prev, cur[i:i+1], n.AuthorID); err != nil {
			return err
		}
	}
	var gone []core.Note
	for _, o := range old {
		if !kept[o.ID] {
			gone = append(gone, o)
		}
	}
	_, err := saveNotes(c, owner, kindNote, gone, nil, nil)
	return err
}

// saveCalendar replaces the calendar of dealer id by cal (none when nil) and
// sets cal's ids. Days keep their rows, so their ids are stable.
func saveCalendar(c conn, dealerID int64, cal *core.WorkCalendar) error {
	if cal == nil {
		_, err := c.exec(`DELETE FROM work_calendars WHERE dealer_id = ?`, dealerID)
		return err
	}
	id, err := c.insert(`INSERT INTO work_calendars (dealer_id) VALUES (?)
		ON CONFLICT (dealer_id) DO UPDATE SET dealer_id = excluded.dealer_id`, dealerID)
	if err != nil {
		return err
	}
	cal.ID = id
	for i := range cal.Days {
		d := &cal.Days[i]
		d.ID, err = c.insert(`INSERT INTO work_days (calendar_id, weekday, start_time, end_time, working) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (calendar_id, weekday) DO UPDATE SET start_time = excluded.start_time, end_time = excluded.end_time, working = excluded.working`,
			id, i, d.Start, d.End, d.Working)
		if err != nil {
			return err
		}
	}
	return nil
}

// AllDealers lists every dealer in id order.
func (s *Store) AllDealers(ctx context.Context) ([]core.Dealer, error) {
	var out []core.Dealer
	err := s.readTx(ctx, func(c conn) error {
		var err error
		out, err = loadDealers(c, `ORDER BY id`)
		return err
	})
	return out, dbError(err, "all dealers", "dealer", "")
}

// loadDealers loads the dealers a WHERE/ORDER BY/LIMIT tail selects, with
// their calendars and notes.
func loadDealers(c conn, tail string, args ...any) ([]core.Dealer, error) {
	rows, err := c.query(`SELECT `+dealerCols+` FROM dealers `+tail, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []core.Dealer
	for rows.Next() {
		var d core.Dealer
		var lat, lng sql.NullFloat64
		var created int64
		var ext string
		g := &d.Guidance
		if err := rows.Scan(&d.ID, &d.PublicID, &d.Name, &d.Country, &d.TimeZone, &d.Address, &lat, &lng, &d.Schedule, &d.Web,
			&g.Visit, &g.Appraisal, &g.Financing, &g.Warranty, &g.Service, &d.CallerID, &d.Phone, &ext, &created); err != nil {
			return nil, err
		}
		if d.Ext, err = decodeExt(ext); err != nil {
			return nil, err
		}
		d.Latitude, d.Longitude = floatPtr(lat), floatPtr(lng)
		d.CreatedAt = fromMicros(created)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(out) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(out))
	at := make(map[int64]int, len(out))
	for i, d := range out {
		ids[i] = d.ID
		at[d.ID] = i
	}

	crows, err := c.query(`SELECT c.dealer_id, c.id, d.id, d.weekday, d.start_time, d.end_time, d.working
		FROM work_calendars c LEFT JOIN work_days d ON d.calendar_id = c.id
		WHERE c.dealer_id IN `+in(len(ids)), anys(ids)...)
	if err != nil {
		return nil, err
	}
	defer crows.Close()
	for crows.Next() {
		var dealerID, calID int64
		var dayID, weekday sql.NullInt64
		var start, end sql.NullString
		var working sql.NullBool
		if err := crows.Scan(&dealerID, &calID, &dayID, &weekday, &start, &end, &working); err != nil {
			return nil, err
		}
		d := &out[at[dealerID]]
		if d.Calendar == nil {
			d.Calendar = &core.WorkCalendar{ID: calID}
		}
		if dayID.Valid && weekday.Int64 >= 0 && weekday.Int64 < 7 {
			d.Calendar.Days[weekday.Int64] = core.WorkDay{ID: dayID.Int64, Start: start.String, End: end.String, Working: working.Bool}
		}
	}
	if err := crows.Err(); err != nil {
		return nil, err
	}
	crows.Close()

	notes, err := loadNotes(c, "dealer_id", ids)
	if err != nil {
		return nil, err
	}
	for _, n := range notes {
		d := &out[at[n.owner.dealerID]]
		d.Notes = append(d.Notes, n.note)
	}
	return out, nil
}
