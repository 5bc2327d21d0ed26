package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"forecourt/internal/core"
)

// The changes and lists of communications (Walcu's conferences, sms, chat
// and WhatsApp messages): written inside EditLead's transaction on their
// lead, like appointments, and listed through core.CommunicationSchema.

// communicationTable maps core.CommunicationSchema onto communications.
var communicationTable = tableSQL{
	schema: &core.CommunicationSchema,
	table:  "communications",
	fields: map[string]fieldSQL{
		"id":         {col: "id"},
		"public_id":  {col: "public_id"},
		"dealer":     {col: "dealer_id"},
		"lead":       {col: "lead_id"},
		"client":     {col: "client_id"},
		"user":       {col: "user_id"},
		"created_by": {col: "created_by"},
		"kind":       {col: "kind"},
		"direction":  {col: "direction"},
		"status":     {col: "status"},
		"start_at":   {col: "start_at"},
		"duration":   {col: "duration"},
		"subject":    {col: "subject"},
		"body":       {col: "body"},
		"created_at": {col: "created_at"},
		"updated_at": {col: "updated_at"},
		"version":    {col: "version"},
	},
	search: func(c conn, term string) (string, []any) { return likeAny(c.pg, term, "subject", "body") },
}

// loadCommunications loads the communications a WHERE/ORDER BY/LIMIT tail
// selects.
func loadCommunications(c conn, tail string, args ...any) ([]core.Communication, error) {
	return queryAll(c, `SELECT `+communicationCols+` FROM communications `+tail, args, func(r *sql.Rows, cm *core.Communication) error {
		return scanCommunication(r, cm)
	})
}

// FindCommunications implements core.Store.FindCommunications.
func (s *Store) FindCommunications(ctx context.Context, dealers []int64, q core.Query) ([]core.Communication, int, error) {
	if dealers = core.DistinctIDs(dealers); len(dealers) == 0 {
		return nil, 0, nil
	}
	scope, args := inScope("dealer_id", dealers)
	t, err := communicationTable.withFlatExt(q.Ext, s.engine == Postgres)
	if err != nil {
		return nil, 0, err
	}
	return findPage(s, ctx, &t, scope, args, q, loadCommunications)
}

// GroupCommunications implements core.Store.GroupCommunications.
func (s *Store) GroupCommunications(ctx context.Context, dealers []int64, q core.Query) ([]core.Group, error) {
	if dealers = core.DistinctIDs(dealers); len(dealers) == 0 {
		return nil, nil
	}
	scope, args := inScope("dealer_id", dealers)
	t, err := communicationTable.withFlatExt(q.Ext, s.engine == Postgres)
	if err != nil {
		return nil, err
	}
	return groupPage(s, ctx, &t, scope, args, q)
}

// Communication implements core.LeadTx.Communication.
func (t *leadTx) Communication(id int64) (core.Communication, error) {
	var cm core.Communication
	err := scanCommunication(t.c.row(`SELECT `+communicationCols+` FROM communications WHERE id = ? AND lead_id = ?`, id, t.lead.ID), &cm)
	if errors.Is(err, sql.ErrNoRows) {
		return core.Communication{}, notFound("communication", id)
	}
	return cm, err
}

// SaveCommunication implements core.LeadTx.SaveCommunication: cm.Version
// is the version read in this transaction, under the lead's lock. Its
// dealer, lead, client, kind, creator and creation time are kept.
func (t *leadTx) SaveCommunication(cm *core.Communication) error {
	ext, err := encodeExt(cm.Ext)
	if err != nil {
		return err
	}
	res, err := t.c.exec(`UPDATE communications SET user_id = ?, direction = ?, status = ?, start_at = ?, duration = ?, subject = ?,
		body = ?, ext = ?, updated_at = ?, version = ? WHERE id = ? AND lead_id = ? AND version = ?`,
		ptrArg(cm.UserID), string(cm.Direction), string(cm.Status), micros(cm.StartAt), int64(cm.Duration/time.Second), cm.Subject,
		cm.Body, ext, micros(cm.UpdatedAt), cm.Version+1, cm.ID, t.lead.ID, cm.Version)
	if err != nil {
		return err
	}
	if err := affected(res, "communication", cm.ID); err != nil {
		return err
	}
	cm.Version++
	return nil
}

// DeleteCommunication implements core.LeadTx.DeleteCommunication.
func (t *leadTx) DeleteCommunication(id int64) error {
	res, err := t.c.exec(`DELETE FROM communications WHERE id = ? AND lead_id = ?`, id, t.lead.ID)
	if err != nil {
		return err
	}
	return affected(res, "communication", id)
}

// ClientCommunications implements core.Store.ClientCommunications: one
// grouped count, one read of the latest per client and one of the latest
// calls per client (clientCalls), over the index on the client.
func (s *Store) ClientCommunications(ctx context.Context, dealerID int64, clientIDs []int64) (core.ClientCommunications, error) {
	out := core.ClientCommunications{Latest: map[int64]core.Communication{}}
	c := s.reader(ctx)
	where := `WHERE client_id IN ` + in(len(clientIDs)) + ` AND dealer_id = ? AND status <> ?`
	args := append(anys(clientIDs), dealerID, string(core.CommPlanned))
	err := eachRow(c, `SELECT client_id, kind, direction, count(*), max(start_at) FROM communications `+where+`
		GROUP BY client_id, kind, direction`, args, func(r *sql.Rows) error {
		var t core.CommTally
		var kind, dir string
		var last int64
		if err := r.Scan(&t.ClientID, &kind, &dir, &t.Count, &last); err != nil {
			return err
		}
		t.Kind, t.Direction, t.Last = core.CommKind(kind), core.CommDirection(dir), fromMicros(last)
		out.Tallies = append(out.Tallies, t)
		return nil
	})
	if err != nil {
		return core.ClientCommunications{}, dbError(err, "client communications", "dealer", dealerID)
	}
	latest, err := queryAll(c, `SELECT `+communicationCols+` FROM (SELECT `+communicationCols+`,
		row_number() OVER (PARTITION BY client_id ORDER BY start_at DESC, id DESC) AS n FROM communications `+where+`) AS t WHERE n = 1`,
		args, func(r *sql.Rows, cm *core.Communication) error { return scanCommunication(r, cm) })
	if err != nil {
		return core.ClientCommunications{}, dbError(err, "client communications", "dealer", dealerID)
	}
	for _, cm := range latest {
		out.Latest[*cm.ClientID] = cm
	}
	if out.Calls, err = clientCalls(c, where, args); err != nil {
		return core.ClientCommunications{}, dbError(err, "client communications", "dealer", dealerID)
	}
	return out, nil
}
