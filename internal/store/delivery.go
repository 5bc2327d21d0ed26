package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"forecourt/internal/core"
)

// Delivery of leads to consumers (migration 0010, core/delivery.go).
//
// A consumer must never miss a lead, whatever the order in which a lead's
// creation and the consumer's registration commit. On SQLite the writer
// runs them one after the other. On PostgreSQL they would not see each
// other's uncommitted rows (the lead's INSERT … SELECT finds no consumer
// yet, the registration's finds no lead yet), so they are serialised on the
// dealer's row: CreateLead's INSERT INTO leads checks its foreign key to
// dealers, which takes a KEY SHARE lock on the dealer's row until commit,
// and RegisterConsumer takes that row FOR UPDATE, which conflicts with it.
// A creation that inserted its lead before the registration's lock commits
// before the registration reads the dealer's leads; one that comes after
// waits for the registration's commit, and its next statement,
// readyForConsumers, sees the new consumer (READ COMMITTED takes a snapshot
// per statement). TestRegistrationWaitsForCreationInFlight checks it.

// readyForConsumers makes lead leadID of dealer dealerID ready for every
// registered consumer of the dealer: CreateLead's one statement for
// delivery, after its INSERT INTO leads and in its transaction. With no
// consumer it is one probe of delivery_consumers_dealer and writes nothing.
func readyForConsumers(c conn, leadID, dealerID int64, at time.Time) error {
	_, err := c.exec(readyForConsumersSQL, leadID, micros(at), dealerID)
	return err
}

// readyForConsumersSQL is readyForConsumers' statement; its arguments are
// the lead's id, the time and the dealer's id.
const readyForConsumersSQL = `INSERT INTO lead_deliveries (consumer_id, lead_id, state, ready_at)
		SELECT id, ?, 'ready', ? FROM delivery_consumers WHERE dealer_id = ?`

// consumerCond returns the condition on delivery_consumers that selects
// who's rows, and its argument.
func consumerCond(who core.Consumer) (string, any) {
	if who.APIKeyID != 0 {
		return "api_key_id = ?", who.APIKeyID
	}
	return "user_id = ?", who.UserID
}

// RegisterConsumer implements core.Store.RegisterConsumer. Consumers that
// are registered already (every pull after the first) cost one read.
func (s *Store) RegisterConsumer(ctx context.Context, who core.Consumer, dealerIDs []int64, at time.Time) error {
	if (who.APIKeyID == 0) == (who.UserID == 0) {
		return core.Errorf(core.Invalid, "a consumer is an API key or a user")
	}
	dealerIDs = core.DistinctIDs(dealerIDs)
	if len(dealerIDs) == 0 {
		return nil
	}
	cond, arg := consumerCond(who)
	have, err := queryIDs(s.reader(ctx), `SELECT dealer_id FROM delivery_consumers WHERE `+cond+` AND dealer_id IN `+in(len(dealerIDs)),
		append([]any{arg}, anys(dealerIDs)...))
	if err != nil {
		return dbError(err, "register consumer", "consumer", who)
	}
	missing := slices.DeleteFunc(slices.Clone(dealerIDs), func(id int64) bool { return slices.Contains(have, id) })
	if len(missing) == 0 {
		return nil
	}
	slices.Sort(missing) // the dealers' rows are locked in one order
	var readied int64
	err = s.writeWith(ctx, writeOpts{appendOnly: true, rerunnable: true}, func(c conn) error {
		readied = 0
		lock := ""
		if c.pg {
			lock = " FOR UPDATE" // see the comment at the top of this file
		}
		for _, dealerID := range missing {
			var id int64
			err := c.row(`SELECT id FROM dealers WHERE id = ?`+lock, dealerID).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			n, err := c.count(`SELECT count(*) FROM delivery_consumers WHERE `+cond+` AND dealer_id = ?`, arg, dealerID)
			if err != nil {
				return err
			}
			if n > 0 {
				continue // registered by a pull that ran meanwhile
			}
			consumer, err := c.insert(`INSERT INTO delivery_consumers (dealer_id, api_key_id, user_id, created_at) VALUES (?, ?, ?, ?)`,
				dealerID, nullID(who.APIKeyID), nullID(who.UserID), micros(at))
			if err != nil {
				return err
			}
			res, err := c.exec(`INSERT INTO lead_deliveries (consumer_id, lead_id, state, ready_at)
				SELECT ?, id, 'ready', ? FROM leads WHERE dealer_id = ? AND stage <> ?`,
				consumer, micros(at), dealerID, string(core.StageEnd))
			if err != nil {
				return err
			}
			affected, err := res.RowsAffected()
			if err != nil {
				return err
			}
			readied += affected
		}
		return nil
	})
	if err != nil {
		return dbError(err, "register consumer", "consumer", who)
	}
	if s.engine == Postgres && readied >= analyzeAfter {
		// Until autovacuum samples the table again, PostgreSQL's planner
		// takes the new consumer for one with a few rows and looks up the
		// leads a confirmation names by reading all of the consumer's rows
		// (a pull and confirmation of 100 leads took 130 ms instead of 7
		// right after a consumer got 75,000 leads ready;
		// TestConfirmPlanAfterRegistration). Failing only costs that, so
		// the error is ignored.
		s.db.ExecContext(ctx, `ANALYZE lead_deliveries`)
	}
	return nil
}

// analyzeAfter is how many ready rows a registration inserts before the
// statistics of lead_deliveries are refreshed on PostgreSQL.
const analyzeAfter = 1000

// Deliver implements core.Store.Deliver. On PostgreSQL the consumers' rows
// are locked FOR NO KEY UPDATE, which serialises Delivers for the same
// consumer across servers but not CreateLead's inserts of ready rows (whose
// foreign key checks take KEY SHARE locks on them).
func (s *Store) Deliver(ctx context.Context, who core.Consumer, dealerIDs []int64, at time.Time, fn func(core.DeliveryTx) error) error {
	if (who.APIKeyID == 0) == (who.UserID == 0) {
		return core.Errorf(core.Invalid, "a consumer is an API key or a user")
	}
	dealerIDs = core.DistinctIDs(dealerIDs)
	cond, arg := consumerCond(who)
	err := s.writeWith(ctx, writeOpts{appendOnly: true, rerunnable: true}, func(c conn) error {
		var consumers []int64
		if len(dealerIDs) > 0 {
			lock := ""
			if c.pg {
				lock = " FOR NO KEY UPDATE"
			}
			var err error
			consumers, err = queryIDs(c, `SELECT id FROM delivery_consumers WHERE `+cond+` AND dealer_id IN `+in(len(dealerIDs))+` ORDER BY id`+lock,
				append([]any{arg}, anys(dealerIDs)...))
			if err != nil {
				return err
			}
		}
		return fn(&deliveryTx{c: c, consumers: consumers, at: at})
	})
	return dbError(err, "deliver", "consumer", who)
}

// deliveryTx is core.DeliveryTx on one write transaction.
type deliveryTx struct {
	c         conn
	consumers []int64 // locked, in id order
	at        time.Time
}

// deliveryChunk bounds the lead ids of one statement.
const deliveryChunk = 500

// Oldest implements core.DeliveryTx.Oldest: the oldest of each consumer,
// merged, so that each query reads its consumer's index in order.
func (t *deliveryTx) Oldest(st core.DeliveryState, limit int) ([]int64, error) {
	if limit <= 0 {
		return nil, nil
	}
	var out []int64
	for _, consumer := range t.consumers {
		ids, err := queryIDs(t.c, `SELECT lead_id FROM lead_deliveries WHERE consumer_id = ? AND state = ? ORDER BY lead_id LIMIT ?`,
			[]any{consumer, string(st), limit})
		if err != nil {
			return nil, err
		}
		out = append(out, ids...)
	}
	slices.Sort(out)
	return out[:min(limit, len(out))], nil
}

// States implements core.DeliveryTx.States.
func (t *deliveryTx) States(leadIDs []int64) (map[int64]core.DeliveryState, error) {
	out := make(map[int64]core.DeliveryState, len(leadIDs))
	if len(t.consumers) == 0 {
		return out, nil
	}
	for chunk := range slices.Chunk(core.DistinctIDs(leadIDs), deliveryChunk) {
		err := eachRow(t.c, deliveryStatesQuery(len(t.consumers), len(chunk)),
			append(anys(t.consumers), anys(chunk)...), func(r *sql.Rows) error {
				var id int64
				var st string
				if err := r.Scan(&id, &st); err != nil {
					return err
				}
				out[id] = core.DeliveryState(st)
				return nil
			})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// deliveryStatesQuery is the query of States for consumers consumers and
// leads leads.
func deliveryStatesQuery(consumers, leads int) string {
	return `SELECT lead_id, state FROM lead_deliveries WHERE consumer_id IN ` + in(consumers) + ` AND lead_id IN ` + in(leads)
}

// Move implements core.DeliveryTx.Move. A move records its time:
// handed_at when a lead is handed out, received_at when it is confirmed.
func (t *deliveryTx) Move(leadIDs []int64, from, to core.DeliveryState) ([]int64, error) {
	var column string
	switch {
	case from == core.DeliveryReady && to == core.DeliveryInProgress:
		column = "handed_at"
	case from == core.DeliveryInProgress && to == core.DeliveryReceived:
		column = "received_at"
	default:
		return nil, fmt.Errorf("store: a delivery does not move from %s to %s", from, to)
	}
	if len(t.consumers) == 0 {
		return nil, nil
	}
	var moved []int64
	for chunk := range slices.Chunk(core.DistinctIDs(leadIDs), deliveryChunk) {
		ids, err := queryIDs(t.c, `UPDATE lead_deliveries SET state = ?, `+column+` = ?
			WHERE consumer_id IN `+in(len(t.consumers))+` AND lead_id IN `+in(len(chunk))+` AND state = ? RETURNING lead_id`,
			append(append([]any{string(to), micros(t.at)}, anys(t.consumers)...), append(anys(chunk), string(from))...))
		if err != nil {
			return nil, err
		}
		moved = append(moved, ids...)
	}
	slices.Sort(moved)
	return moved, nil
}

// AddEvents implements core.DeliveryTx.AddEvents. An event is stored for
// the consumer its lead was delivered to; an event on a lead delivered to
// none of them fails the transaction.
func (t *deliveryTx) AddEvents(evs []core.DeliveryEvent) error {
	for i := range evs {
		e := &evs[i]
		if len(t.consumers) == 0 {
			return fmt.Errorf("store: event on lead %d: no consumer", e.LeadID)
		}
		query := `INSERT INTO delivery_events (consumer_id, lead_id, code, reason, happened_at, recorded_at)
			SELECT consumer_id, lead_id, ?, ?, ?, ? FROM lead_deliveries WHERE consumer_id IN ` + in(len(t.consumers)) + ` AND lead_id = ?`
		args := append(append([]any{e.Code, e.Reason, micros(e.At), micros(t.at)}, anys(t.consumers)...), e.LeadID)
		if t.c.pg {
			err := t.c.row(query+" RETURNING id", args...).Scan(&e.ID)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("store: event on lead %d: not delivered to the consumer", e.LeadID)
			}
			if err != nil {
				return err
			}
		} else {
			res, err := t.c.exec(query, args...)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				return fmt.Errorf("store: event on lead %d: not delivered to the consumer (%d rows, %v)", e.LeadID, n, err)
			}
			if e.ID, err = res.LastInsertId(); err != nil {
				return err
			}
		}
		e.RecordedAt = t.at
	}
	return nil
}

// LeadsByID implements core.Store.LeadsByID, on one snapshot.
func (s *Store) LeadsByID(ctx context.Context, ids []int64) ([]core.Lead, error) {
	var out []core.Lead
	err := s.readTx(ctx, func(c conn) error {
		out = nil
		for chunk := range slices.Chunk(core.DistinctIDs(ids), deliveryChunk) {
			ls, err := loadLeads(c, chunk, wholeLead)
			if err != nil {
				return err
			}
			out = append(out, ls...)
		}
		return nil
	})
	if err != nil {
		return nil, dbError(err, "leads by id", "lead", "")
	}
	slices.SortFunc(out, func(a, b core.Lead) int { return compareInt64(a.ID, b.ID) })
	return out, nil
}

// DeliveryEvents implements core.Store.DeliveryEvents.
func (s *Store) DeliveryEvents(ctx context.Context, leadID int64) ([]core.DeliveryEvent, error) {
	out, err := queryAll(s.reader(ctx), `SELECT e.id, e.lead_id, e.code, e.reason, e.happened_at, e.recorded_at, c.api_key_id, c.user_id
		FROM delivery_events e JOIN delivery_consumers c ON c.id = e.consumer_id WHERE e.lead_id = ? ORDER BY e.id`, []any{leadID},
		func(r *sql.Rows, e *core.DeliveryEvent) error {
			var at, recorded int64
			var key, user sql.NullInt64
			if err := r.Scan(&e.ID, &e.LeadID, &e.Code, &e.Reason, &at, &recorded, &key, &user); err != nil {
				return err
			}
			e.At, e.RecordedAt = fromMicros(at), fromMicros(recorded)
			e.Consumer = core.Consumer{APIKeyID: key.Int64, UserID: user.Int64}
			return nil
		})
	if err != nil {
		return nil, dbError(err, "delivery events", "lead", leadID)
	}
	return out, nil
}

// AddHistory implements core.DeliveryTx.AddHistory.
func (t *deliveryTx) AddHistory(hs []core.History) error {
	for i := range hs {
		if err := insertHistory(t.c, &hs[i]); err != nil {
			return err
		}
	}
	return nil
}
