package store

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"time"

	"forecourt/internal/core"
)

// What the computed fields of a page of leads or clients derive from
// (core/derived.go): a constant number of queries per page, over the
// indexes on the lead (lead_history_lead, tasks_lead, notes_lead,
// appointments_lead) and on the client (leads_client,
// communications_client).

// clientCalls reads the latest core.MaxClientCalls calls of each client
// that took place, oldest first; where and args are
// ClientCommunications' selection of the page's communications.
func clientCalls(c conn, where string, args []any) (map[int64][]core.ClientCall, error) {
	out := map[int64][]core.ClientCall{}
	args = append(slices.Clip(args), string(core.CommCall), core.MaxClientCalls)
	err := eachRow(c, `SELECT client_id, duration, body FROM (SELECT client_id, duration, body, start_at, id,
		row_number() OVER (PARTITION BY client_id ORDER BY start_at DESC, id DESC) AS n FROM communications `+where+` AND kind = ?) AS t
		WHERE n <= ? ORDER BY client_id, start_at, id`, args, func(r *sql.Rows) error {
		var client, secs int64
		var call core.ClientCall
		if err := r.Scan(&client, &secs, &call.Notes); err != nil {
			return err
		}
		call.Duration = time.Duration(secs) * time.Second
		out[client] = append(out[client], call)
		return nil
	})
	return out, err
}

// PreviousAssignees implements core.Store.PreviousAssignees: one read of
// the leads' latest history entries that change the user.
func (s *Store) PreviousAssignees(ctx context.Context, dealerID int64, leadIDs []int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	args := append(anys(leadIDs), `%"field":"user"%`, dealerID, core.MaxPreviousAssignees)
	err := eachRow(s.reader(ctx), previousAssigneesQuery(len(leadIDs)), args, func(r *sql.Rows) error {
		var lead int64
		var changes string
		if err := r.Scan(&lead, &changes); err != nil {
			return err
		}
		chs, err := decodeChanges(changes)
		if err != nil {
			return err
		}
		for _, ch := range chs {
			if ch.Field != "user" || ch.Old == "" {
				continue
			}
			if id, err := strconv.ParseInt(ch.Old, 10, 64); err == nil && !slices.Contains(out[lead], id) {
				out[lead] = append(out[lead], id)
			}
		}
		return nil
	})
	if err != nil {
		return nil, dbError(err, "previous assignees", "dealer", dealerID)
	}
	return out, nil
}

// ClientActivity implements core.Store.ClientActivity: four grouped reads
// (leads, tasks, notes, appointments) in one read transaction.
func (s *Store) ClientActivity(ctx context.Context, dealerID int64, clientIDs []int64) (core.ClientActivity, error) {
	out := core.ClientActivity{Leads: map[int64][]core.LeadTally{}, Tasks: map[int64]int{}, DoneTasks: map[int64]int{},
		Notes: map[int64][]string{}, NoteCount: map[int64]int{}, Appointments: map[int64]int{}, AppointmentCreators: map[int64][]int64{}}
	ofLeads := ` JOIN leads l ON l.id = x.lead_id WHERE l.client_id IN ` + in(len(clientIDs)) + ` AND l.dealer_id = ?`
	args := append(anys(clientIDs), dealerID)
	err := s.readTx(ctx, func(c conn) error {
		err := eachRow(c, `SELECT client_id, kind, count(*), max(created_at) FROM leads WHERE client_id IN `+in(len(clientIDs))+`
			AND dealer_id = ? GROUP BY client_id, kind`, args, func(r *sql.Rows) error {
			var client, last int64
			var t core.LeadTally
			if err := r.Scan(&client, &t.Kind, &t.Count, &last); err != nil {
				return err
			}
			t.Last = fromMicros(last)
			out.Leads[client] = append(out.Leads[client], t)
			return nil
		})
		if err != nil {
			return err
		}
		err = eachRow(c, `SELECT l.client_id, count(*), sum(CASE WHEN x.done THEN 1 ELSE 0 END) FROM tasks x`+ofLeads+` GROUP BY l.client_id`,
			args, func(r *sql.Rows) error {
				var client int64
				var n, done int
				if err := r.Scan(&client, &n, &done); err != nil {
					return err
				}
				out.Tasks[client], out.DoneTasks[client] = n, done
				return nil
			})
		if err != nil {
			return err
		}
		err = eachRow(c, `SELECT client_id, content, total FROM (SELECT l.client_id, x.content, x.created_at, x.id,
			row_number() OVER (PARTITION BY l.client_id ORDER BY x.created_at DESC, x.id DESC) AS n,
			count(*) OVER (PARTITION BY l.client_id) AS total FROM notes x`+ofLeads+` AND x.task_id IS NULL AND x.kind = 'note') AS t
			WHERE n <= ? ORDER BY client_id, created_at, id`, append(slices.Clip(args), core.MaxClientNotes), func(r *sql.Rows) error {
			var client int64
			var content string
			var total int
			if err := r.Scan(&client, &content, &total); err != nil {
				return err
			}
			out.Notes[client] = append(out.Notes[client], content)
			out.NoteCount[client] = total
			return nil
		})
		if err != nil {
			return err
		}
		return eachRow(c, `SELECT l.client_id, x.created_by, count(*) FROM appointments x`+ofLeads+`
			GROUP BY l.client_id, x.created_by ORDER BY l.client_id, min(x.id)`, args, func(r *sql.Rows) error {
			var client int64
			var by sql.NullInt64
			var n int
			if err := r.Scan(&client, &by, &n); err != nil {
				return err
			}
			out.Appointments[client] += n
			if by.Valid {
				out.AppointmentCreators[client] = append(out.AppointmentCreators[client], by.Int64)
			}
			return nil
		})
	})
	if err != nil {
		return core.ClientActivity{}, dbError(err, "client activity", "dealer", dealerID)
	}
	return out, nil
}

// previousAssigneesQuery is PreviousAssignees' statement for n leads. A
// lead's creation names its first user, no previous one, and a logged
// communication changes no user: both are left out, as the partial index
// lead_history_changes does (migration 0036; on SQLite 0050 leaves out
// the logged communications too, so that a ticket's second entry is not
// written to it). The condition is written out for the planners to see
// that the index holds every row it asks for; PostgreSQL's index, which
// leaves out the creation only, is implied by it.
func previousAssigneesQuery(n int) string {
	return `SELECT h.lead_id, h.changes FROM (SELECT lead_id, changes, at, id,
		row_number() OVER (PARTITION BY lead_id ORDER BY at DESC, id DESC) AS n FROM lead_history
		WHERE lead_id IN ` + in(n) + ` AND kind NOT IN ('` + string(core.KindLeadCreated) + `', '` + string(core.KindCommunicationLogged) + `')
		AND changes LIKE ?) AS h JOIN leads l ON l.id = h.lead_id
		WHERE l.dealer_id = ? AND h.n <= ? ORDER BY h.lead_id, h.at, h.id`
}
