package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"

	"forecourt/internal/core"
)

// IntakeLead implements core.Store.IntakeLead: in one write, the lead
// received before (by its ref, or as the same open lead) is looked up; if
// there is none, the assignment turn is taken and the lead is stored with
// its profile, ref and communication. On SQLite the one writer serialises
// intakes; on PostgreSQL a transaction lock on the ref and on the open
// lead's key (taken before the client's keys, always in that order) keeps
// two identical intakes from making two leads, and the turn's row lock
// hands each intake its own advisor.
func (s *Store) IntakeLead(ctx context.Context, w *core.IntakeWrite) (int64, error) {
	l := w.Lead
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
	var client core.Client
	if l.Client != nil {
		client = *l.Client
	}
	search := leadSearchText(l)
	ext, err := encodeLeadExt(l.Ext)
	if err != nil {
		return 0, err
	}
	changes, err := historyChanges(w.History)
	if err != nil {
		return 0, err
	}
	baseChanges := w.History.Changes
	profileExt, err := encodeExt(w.Profile.Ext)
	if err != nil {
		return 0, err
	}
	var existing int64
	err = s.writeWith(ctx, writeOpts{appendOnly: true, rerunnable: true}, func(c conn) error {
		existing = 0
		w.History.Changes = baseChanges
		var err error
		if existing, err = receivedBefore(c, l.DealerID, w.Ref, w.Same); err != nil || existing != 0 {
			return err
		}
		ch := changes
		if len(w.Pool.Candidates) > 0 {
			user, err := takeTurn(c, l.DealerID, w.Pool)
			if err != nil {
				return err
			}
			l.UserID = &user
			w.History.Changes = append(append([]core.Change(nil), baseChanges...), core.AssignChange(user))
			if ch, err = historyChanges(w.History); err != nil {
				return err
			}
		}
		history, err := createLeadRows(c, l, w.History, client, search, ext, ch)
		if err != nil {
			return err
		}
		p := w.Profile
		p.LeadID, p.DealerID = l.ID, l.DealerID
		if _, err := c.exec(`INSERT INTO lead_profiles (lead_id, dealer_id, kind, parent_id, business_line_id, campaign_id, agency_id, form_id, ext)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.LeadID, p.DealerID, string(p.Kind), ptrArg(p.ParentID), ptrArg(p.BusinessLineID),
			ptrArg(p.CampaignID), ptrArg(p.AgencyID), ptrArg(p.FormID), profileExt); err != nil {
			return err
		}
		if w.Ref != nil {
			if _, err := c.exec(`INSERT INTO lead_refs (dealer_id, system, ref, lead_id) VALUES (?, ?, ?, ?)`,
				l.DealerID, w.Ref.System, w.Ref.Ref, l.ID); err != nil {
				return err
			}
		}
		if cm := w.Communication; cm != nil {
			cm.ID, cm.LeadID, cm.DealerID, cm.ClientID = 0, l.ID, l.DealerID, nil
			if l.Client != nil {
				cm.ClientID = &l.Client.ID
			}
			if err := insertCommunication(c, cm); err != nil {
				return err
			}
			h := w.CommHistory
			h.LeadID, h.Changes = l.ID, []core.Change{core.CommunicationChange(*cm)}
			js, err := historyChanges(h)
			if err != nil {
				return err
			}
			history = append(history, historyRow(h, js))
		}
		// the lead's history in one statement: its creation, the client
		// matched, the communication logged
		return c.insertRows(history)
	})
	if err != nil {
		return 0, dbError(err, "intake lead", "lead", l.PublicID)
	}
	if existing == 0 {
		w.Profile.LeadID, w.Profile.DealerID = l.ID, l.DealerID
	}
	return existing, nil
}

// receivedBefore returns the lead of dealerID received before, 0 when
// there is none: the one with ref, else (same) the dealer's first open lead
// of the same kind and business line whose client has the government id.
// Both are looked up in one statement; on PostgreSQL the transaction locks
// of the ref and of the open lead's key are taken first, in that order.
func receivedBefore(c conn, dealerID int64, ref *core.LeadRef, same *core.OpenLeadKey) (int64, error) {
	if ref != nil {
		if err := intakeLock(c, dealerID, "ref", ref.System, ref.Ref); err != nil {
			return 0, err
		}
	}
	if same != nil {
		if err := intakeLock(c, dealerID, "open", same.GovID, string(same.Kind), fmt.Sprint(ptrArg(same.BusinessLineID))); err != nil {
			return 0, err
		}
	}
	query, args := receivedBeforeQuery(c.pg, dealerID, ref, same)
	if query == "" {
		return 0, nil
	}
	var id int64
	err := c.row(query, args...).Scan(&id)
	return id, err
}

// receivedBeforeQuery is receivedBefore's statement: the ref's lead, else
// the first open one, as scalar subqueries, so that SQLite sorts nothing (a
// UNION ALL in the order of its arms, each limited to one row, had it open
// two temporary b-trees per ticket). "" when there is nothing to look up.
func receivedBeforeQuery(pg bool, dealerID int64, ref *core.LeadRef, same *core.OpenLeadKey) (string, []any) {
	var arms []string
	var args []any
	if ref != nil {
		arms = append(arms, `(SELECT lead_id FROM lead_refs WHERE dealer_id = ? AND system = ? AND ref = ?)`)
		args = append(args, dealerID, ref.System, ref.Ref)
	}
	if same != nil {
		sameLine := `p.business_line_id IS ?`
		if pg {
			sameLine = `p.business_line_id IS NOT DISTINCT FROM ?::BIGINT`
		}
		arms = append(arms, `(SELECT min(l.id) FROM clients cl JOIN leads l ON l.client_id = cl.id JOIN lead_profiles p ON p.lead_id = l.id
			WHERE cl.dealer_id = ? AND cl.gov_id = ? AND l.stage <> ? AND p.kind = ? AND `+sameLine+`)`)
		args = append(args, dealerID, same.GovID, string(core.StageEnd), string(same.Kind), ptrArg(same.BusinessLineID))
	}
	if len(arms) == 0 {
		return "", nil
	}
	return `SELECT coalesce(` + strings.Join(append(arms, "0"), ", ") + `)`, args
}

// intakeLock takes, on PostgreSQL, the transaction lock of one key of a
// dealer's intakes.
func intakeLock(c conn, dealerID int64, parts ...string) error {
	if !c.pg {
		return nil
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "intake\x00%d", dealerID)
	for _, p := range parts {
		fmt.Fprintf(h, "\x00%s", p)
	}
	_, err := c.exec(`SELECT pg_advisory_xact_lock(?)`, int64(h.Sum64()))
	return err
}

// takeTurn gives the next candidate of pool its turn at dealerID and
// returns him. On SQLite, whose one writer runs one intake at a time, the
// turn is read and then written in one upsert; on PostgreSQL the turn's
// row is made first and read under its row lock, so that intakes at once
// each get their own advisor.
func takeTurn(c conn, dealerID int64, pool core.AssignPool) (int64, error) {
	var last int64
	if !c.pg {
		err := c.row(`SELECT last_user_id FROM assignment_turns WHERE dealer_id = ? AND pool = ?`, dealerID, pool.Key).Scan(&last)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
		next := core.NextInTurn(pool.Candidates, last)
		_, err = c.exec(`INSERT INTO assignment_turns (dealer_id, pool, last_user_id) VALUES (?, ?, ?)
			ON CONFLICT (dealer_id, pool) DO UPDATE SET last_user_id = excluded.last_user_id`, dealerID, pool.Key, next)
		return next, err
	}
	if _, err := c.exec(`INSERT INTO assignment_turns (dealer_id, pool, last_user_id) VALUES (?, ?, 0) ON CONFLICT (dealer_id, pool) DO NOTHING`,
		dealerID, pool.Key); err != nil {
		return 0, err
	}
	if err := c.row(`SELECT last_user_id FROM assignment_turns WHERE dealer_id = ? AND pool = ? FOR UPDATE`, dealerID, pool.Key).Scan(&last); err != nil {
		return 0, err
	}
	next := core.NextInTurn(pool.Candidates, last)
	_, err := c.exec(`UPDATE assignment_turns SET last_user_id = ? WHERE dealer_id = ? AND pool = ?`, next, dealerID, pool.Key)
	return next, err
}

// LeadProfiles implements core.Store.LeadProfiles.
func (s *Store) LeadProfiles(ctx context.Context, ids []int64) ([]core.LeadProfile, error) {
	ids = core.DistinctIDs(ids)
	if len(ids) == 0 {
		return nil, nil
	}
	out, err := queryAll(s.reader(ctx), `SELECT lead_id, dealer_id, kind, parent_id, business_line_id, campaign_id, agency_id, form_id, ext
		FROM lead_profiles WHERE lead_id IN `+in(len(ids))+` ORDER BY lead_id`, anys(ids), func(r *sql.Rows, p *core.LeadProfile) error {
		var parent, line, campaign, agency, form sql.NullInt64
		var kind, ext string
		if err := r.Scan(&p.LeadID, &p.DealerID, &kind, &parent, &line, &campaign, &agency, &form, &ext); err != nil {
			return err
		}
		p.Kind = core.ProfileKind(kind)
		p.ParentID, p.BusinessLineID, p.CampaignID, p.AgencyID, p.FormID = int64Ptr(parent), int64Ptr(line), int64Ptr(campaign), int64Ptr(agency), int64Ptr(form)
		var err error
		p.Ext, err = decodeExt(ext)
		return err
	})
	return out, dbError(err, "lead profiles", "lead", ids)
}

// LeadChildren implements core.Store.LeadChildren.
func (s *Store) LeadChildren(ctx context.Context, leadID int64) ([]int64, error) {
	ids, err := queryIDs(s.reader(ctx), `SELECT lead_id FROM lead_profiles WHERE parent_id = ? ORDER BY lead_id`, []any{leadID})
	return ids, dbError(err, "lead children", "lead", leadID)
}
