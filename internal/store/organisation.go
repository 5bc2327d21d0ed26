package store

import (
	"context"
	"database/sql"
	"encoding/json"

	"forecourt/internal/core"
)

// A dealer's organisation (migration 0015): agencies, business lines,
// campaigns, source codes, staff and lead forms, read whole per dealer and
// cached like the reference data (cache.go); every write here drops the
// cached organisations after it commits.

// CreateAgency implements core.Store.CreateAgency.
func (s *Store) CreateAgency(ctx context.Context, a *core.Agency) error {
	defer s.cache.organisations.clear()
	if a.PublicID == "" {
		a.PublicID = newPublicID()
	}
	err := s.write(ctx, func(c conn) (err error) {
		a.ID, err = c.insert(`INSERT INTO agencies (public_id, dealer_id, code, name, active) VALUES (?, ?, ?, ?, ?)`,
			a.PublicID, a.DealerID, a.Code, a.Name, a.Active)
		return err
	})
	return dbError(err, "create agency", "agency", a.Name)
}

// CreateBusinessLine implements core.Store.CreateBusinessLine.
func (s *Store) CreateBusinessLine(ctx context.Context, b *core.BusinessLine) error {
	defer s.cache.organisations.clear()
	if b.PublicID == "" {
		b.PublicID = newPublicID()
	}
	err := s.write(ctx, func(c conn) (err error) {
		b.ID, err = c.insert(`INSERT INTO business_lines (public_id, dealer_id, code, name, active) VALUES (?, ?, ?, ?, ?)`,
			b.PublicID, b.DealerID, b.Code, b.Name, b.Active)
		return err
	})
	return dbError(err, "create business line", "business line", b.Code)
}

// CreateCampaign implements core.Store.CreateCampaign.
func (s *Store) CreateCampaign(ctx context.Context, cp *core.Campaign) error {
	defer s.cache.organisations.clear()
	if cp.PublicID == "" {
		cp.PublicID = newPublicID()
	}
	err := s.write(ctx, func(c conn) (err error) {
		cp.ID, err = c.insert(`INSERT INTO campaigns (public_id, dealer_id, code, name, business_line_id, active) VALUES (?, ?, ?, ?, ?, ?)`,
			cp.PublicID, cp.DealerID, cp.Code, cp.Name, ptrArg(cp.BusinessLineID), cp.Active)
		return err
	})
	return dbError(err, "create campaign", "campaign", cp.Name)
}

// CreateSourceCode implements core.Store.CreateSourceCode.
func (s *Store) CreateSourceCode(ctx context.Context, sc *core.SourceCode) error {
	defer s.cache.organisations.clear()
	err := s.write(ctx, func(c conn) error {
		_, err := c.exec(`INSERT INTO source_codes (source_id, dealer_id, code, name, agency_id) VALUES (?, ?, ?, ?, ?)`,
			sc.SourceID, sc.DealerID, sc.Code, sc.Name, ptrArg(sc.AgencyID))
		return err
	})
	return dbError(err, "create source code", "source code", sc.Code)
}

// CreateLeadForm implements core.Store.CreateLeadForm.
func (s *Store) CreateLeadForm(ctx context.Context, f *core.LeadForm) error {
	defer s.cache.organisations.clear()
	if f.PublicID == "" {
		f.PublicID = newPublicID()
	}
	ext, err := encodeExt(f.Ext)
	if err != nil {
		return err
	}
	err = s.write(ctx, func(c conn) (err error) {
		f.ID, err = c.insert(`INSERT INTO lead_forms (public_id, dealer_id, name, source_id, campaign_id, business_line_id, assign_position,
			properties, ext, authorised_by, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			f.PublicID, f.DealerID, f.Name, f.SourceID, ptrArg(f.CampaignID), ptrArg(f.BusinessLineID), f.AssignPosition,
			f.Properties, ext, ptrArg(f.AuthorisedBy), ptrArg(f.CreatedBy), micros(f.CreatedAt))
		return err
	})
	return dbError(err, "create lead form", "lead form", f.Name)
}

// UpdateLeadForm implements core.Store.UpdateLeadForm.
func (s *Store) UpdateLeadForm(ctx context.Context, f *core.LeadForm) error {
	defer s.cache.organisations.clear()
	ext, err := encodeExt(f.Ext)
	if err != nil {
		return err
	}
	err = s.write(ctx, func(c conn) error {
		res, err := c.exec(`UPDATE lead_forms SET name = ?, source_id = ?, campaign_id = ?, business_line_id = ?, assign_position = ?,
			properties = ?, ext = ?, authorised_by = ? WHERE id = ? AND dealer_id = ?`,
			f.Name, f.SourceID, ptrArg(f.CampaignID), ptrArg(f.BusinessLineID), f.AssignPosition, f.Properties, ext, ptrArg(f.AuthorisedBy),
			f.ID, f.DealerID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return notFound("lead form", f.ID)
		}
		return nil
	})
	return dbError(err, "update lead form", "lead form", f.Name)
}

// placeStaff writes st, replacing what was stored for its user and dealer.
func placeStaff(c conn, st *core.Staff) error {
	lines, err := json.Marshal(nonNil(st.BusinessLineIDs))
	if err != nil {
		return err
	}
	srcs, err := json.Marshal(nonNil(st.SourceIDs))
	if err != nil {
		return err
	}
	ext, err := encodeExt(st.Ext)
	if err != nil {
		return err
	}
	if _, err := c.exec(`DELETE FROM staff WHERE user_id = ? AND dealer_id = ?`, st.UserID, st.DealerID); err != nil {
		return err
	}
	_, err = c.exec(`INSERT INTO staff (user_id, dealer_id, role, agency_id, business_lines, sources, position, active, ext)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		st.UserID, st.DealerID, string(st.Role), ptrArg(st.AgencyID), string(lines), string(srcs), st.Position, st.Active, ext)
	return err
}

func nonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// PlaceStaff implements core.Store.PlaceStaff.
func (s *Store) PlaceStaff(ctx context.Context, st *core.Staff) error {
	defer s.cache.organisations.clear()
	err := s.write(ctx, func(c conn) error { return placeStaff(c, st) })
	return dbError(err, "place staff", "staff", st.UserID)
}

// RegisterUser implements core.Store.RegisterUser.
func (s *Store) RegisterUser(ctx context.Context, u *core.User, st *core.Staff) error {
	defer s.cache.usersChanged()
	defer s.cache.organisations.clear()
	if u.PublicID == "" {
		u.PublicID = newPublicID()
	}
	err := s.write(ctx, func(c conn) error {
		id, err := c.insert(`INSERT INTO users (public_id, username, email, first_name, last_name, phone, member_id, click2call_id,
			password_hash, is_admin, is_active, activated_at, deactivated_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			u.PublicID, u.Username, u.Email, u.FirstName, u.LastName, u.Phone, u.MemberID, u.Click2CallID,
			u.PasswordHash, u.IsAdmin, u.IsActive, microsPtr(u.ActivatedAt), microsPtr(u.DeactivatedAt), micros(u.CreatedAt))
		if err != nil {
			return err
		}
		u.ID, st.UserID = id, id
		for i := range u.Memberships {
			m := &u.Memberships[i]
			m.UserID = id
			if err := insertMembership(c, m); err != nil {
				return err
			}
		}
		return placeStaff(c, st)
	})
	return dbError(err, "register user", "user", u.Username)
}

// Organisation implements core.Store.Organisation. The value may be shared
// with other callers: it must not be changed.
func (s *Store) Organisation(ctx context.Context, dealerID int64) (core.Organisation, error) {
	return cached(s.cache.organisations, dealerID, func() (core.Organisation, error) {
		var o core.Organisation
		err := s.readTx(ctx, func(c conn) (err error) {
			o, err = loadOrganisation(c, dealerID)
			return err
		})
		return o, dbError(err, "organisation", "dealer", dealerID)
	}, s.cacheLoaded)
}

func loadOrganisation(c conn, dealerID int64) (core.Organisation, error) {
	o := core.Organisation{DealerID: dealerID}
	var err error
	if o.Agencies, err = queryAll(c, `SELECT id, public_id, dealer_id, code, name, active FROM agencies WHERE dealer_id = ? ORDER BY id`,
		[]any{dealerID}, func(r *sql.Rows, a *core.Agency) error {
			return r.Scan(&a.ID, &a.PublicID, &a.DealerID, &a.Code, &a.Name, &a.Active)
		}); err != nil {
		return o, err
	}
	if o.BusinessLines, err = queryAll(c, `SELECT id, public_id, dealer_id, code, name, active FROM business_lines WHERE dealer_id = ? ORDER BY id`,
		[]any{dealerID}, func(r *sql.Rows, b *core.BusinessLine) error {
			return r.Scan(&b.ID, &b.PublicID, &b.DealerID, &b.Code, &b.Name, &b.Active)
		}); err != nil {
		return o, err
	}
	if o.Campaigns, err = queryAll(c, `SELECT id, public_id, dealer_id, code, name, business_line_id, active FROM campaigns WHERE dealer_id = ? ORDER BY id`,
		[]any{dealerID}, func(r *sql.Rows, cp *core.Campaign) error {
			var line sql.NullInt64
			err := r.Scan(&cp.ID, &cp.PublicID, &cp.DealerID, &cp.Code, &cp.Name, &line, &cp.Active)
			cp.BusinessLineID = int64Ptr(line)
			return err
		}); err != nil {
		return o, err
	}
	if o.SourceCodes, err = queryAll(c, `SELECT source_id, dealer_id, code, name, agency_id FROM source_codes WHERE dealer_id = ? ORDER BY source_id`,
		[]any{dealerID}, func(r *sql.Rows, sc *core.SourceCode) error {
			var agency sql.NullInt64
			err := r.Scan(&sc.SourceID, &sc.DealerID, &sc.Code, &sc.Name, &agency)
			sc.AgencyID = int64Ptr(agency)
			return err
		}); err != nil {
		return o, err
	}
	if o.Staff, err = queryAll(c, `SELECT user_id, dealer_id, role, agency_id, business_lines, sources, position, active, ext
		FROM staff WHERE dealer_id = ? ORDER BY user_id`, []any{dealerID}, func(r *sql.Rows, st *core.Staff) error {
		var agency sql.NullInt64
		var role, lines, srcs, ext string
		if err := r.Scan(&st.UserID, &st.DealerID, &role, &agency, &lines, &srcs, &st.Position, &st.Active, &ext); err != nil {
			return err
		}
		st.Role, st.AgencyID = core.StaffRole(role), int64Ptr(agency)
		if err := json.Unmarshal([]byte(lines), &st.BusinessLineIDs); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(srcs), &st.SourceIDs); err != nil {
			return err
		}
		var err error
		st.Ext, err = decodeExt(ext)
		return err
	}); err != nil {
		return o, err
	}
	o.Forms, err = queryAll(c, `SELECT id, public_id, dealer_id, name, source_id, campaign_id, business_line_id, assign_position, properties,
		ext, authorised_by, created_by, created_at FROM lead_forms WHERE dealer_id = ? ORDER BY id`, []any{dealerID},
		func(r *sql.Rows, f *core.LeadForm) error {
			var campaign, line, authorised, createdBy sql.NullInt64
			var ext string
			var created int64
			if err := r.Scan(&f.ID, &f.PublicID, &f.DealerID, &f.Name, &f.SourceID, &campaign, &line, &f.AssignPosition, &f.Properties,
				&ext, &authorised, &createdBy, &created); err != nil {
				return err
			}
			f.CampaignID, f.BusinessLineID, f.AuthorisedBy, f.CreatedBy = int64Ptr(campaign), int64Ptr(line), int64Ptr(authorised), int64Ptr(createdBy)
			f.CreatedAt = fromMicros(created)
			var err error
			f.Ext, err = decodeExt(ext)
			return err
		})
	return o, err
}
