package core

import (
	"context"
	"slices"
	"strconv"
)

// checkLeadRefs checks the ids a lead refers to against the database: only
// those that differ from old (nil on create), so that a reference that went
// stale does not block unrelated changes. It also derives the lead's dealer
// from its source and normalises the client's phone.
func (s *Service) checkLeadRefs(ctx context.Context, p Principal, old, l *Lead, fe FieldErrors) error {
	if old != nil {
		l.DealerID = old.DealerID
	}
	if l.SourceID != 0 && (old == nil || old.SourceID != l.SourceID) {
		srcs, err := s.store.SourcesByID(ctx, []int64{l.SourceID})
		if err != nil {
			return err
		}
		switch {
		case len(srcs) == 0 || !p.CanSee(srcs[0].DealerID):
			fe.Add("source", MsgNotExist)
		case old != nil && srcs[0].DealerID != old.DealerID:
			// a lead never moves to another dealer through its source
			fe.Add("source", MsgNotExist)
		default:
			l.DealerID = srcs[0].DealerID
		}
	}
	if l.UserID != nil && (old == nil || old.UserID == nil || *old.UserID != *l.UserID) && l.DealerID != 0 {
		us, err := s.store.UsersByID(ctx, []int64{*l.UserID})
		if err != nil {
			return err
		}
		if len(us) == 0 || !us[0].IsActive || !us[0].hasDealer(l.DealerID) {
			fe.Add("user", MsgNotExist)
		}
	}
	if err := s.checkVehicleLink(ctx, old, l, fe); err != nil {
		return err
	}
	// fuels
	gas := map[string]int64{}
	if l.Vehicle != nil && l.Vehicle.GasID != nil && (old == nil || old.Vehicle == nil || !sameID(old.Vehicle.GasID, l.Vehicle.GasID)) {
		gas["vehicle.gas"] = *l.Vehicle.GasID
	}
	for i, t := range l.Tasks {
		if t.Appraisal == nil || t.Appraisal.GasID == nil {
			continue
		}
		if oa := oldAppraisal(old, t.ID); oa != nil && sameID(oa.GasID, t.Appraisal.GasID) {
			continue
		}
		gas["tasks."+strconv.Itoa(i)+".appraisal.gas"] = *t.Appraisal.GasID
	}
	if len(gas) > 0 {
		gs, err := s.store.GasTypes(ctx)
		if err != nil {
			return err
		}
		for path, id := range gas {
			if !slices.ContainsFunc(gs, func(g GasType) bool { return g.ID == id }) {
				fe.Add(path, MsgNotExist)
			}
		}
	}
	if c := l.Client; c != nil {
		var oc *Client
		if old != nil && old.Client != nil && old.Client.ID == c.ID {
			oc = old.Client
		}
		if c.ProvinceID != nil && (oc == nil || !sameID(oc.ProvinceID, c.ProvinceID)) {
			ps, err := s.store.ProvincesByID(ctx, []int64{*c.ProvinceID})
			if err != nil {
				return err
			}
			if len(ps) == 0 {
				fe.Add("client.province", MsgNotExist)
			}
		}
		if c.LocalityID != nil && (oc == nil || !sameID(oc.LocalityID, c.LocalityID) || !sameID(oc.ProvinceID, c.ProvinceID)) {
			ls, err := s.store.LocalitiesByID(ctx, []int64{*c.LocalityID})
			if err != nil {
				return err
			}
			switch {
			case len(ls) == 0:
				fe.Add("client.locality", MsgNotExist)
			case c.ProvinceID != nil && ls[0].ProvinceID != *c.ProvinceID:
				fe.Add("client.locality", MsgNotInProvince)
			case c.ProvinceID == nil:
				// a locality implies its province
				pid := ls[0].ProvinceID
				c.ProvinceID = &pid
			}
		}
		if l.DealerID != 0 {
			c.DealerID = l.DealerID
		}
		c.PhoneE164 = s.normalisePhone(ctx, c.Phone, l.DealerID)
	}
	return nil
}

// carryDerived copies to l, the lead as the change made it inside the write,
// what checkLeadRefs derived on draft, the same change made beforehand: the
// client's normalised phone and the province its locality implies, when the
// values they come from are the same.
func carryDerived(draft, l *Lead) {
	c, d := l.Client, draft.Client
	if c == nil || d == nil {
		return
	}
	if c.Phone == d.Phone {
		c.PhoneE164 = d.PhoneE164
	}
	if c.ProvinceID == nil && d.ProvinceID != nil && sameID(c.LocalityID, d.LocalityID) {
		pid := *d.ProvinceID
		c.ProvinceID = &pid
	}
}

func oldAppraisal(old *Lead, taskID int64) *Appraisal {
	if old == nil || taskID == 0 {
		return nil
	}
	for _, t := range old.Tasks {
		if t.ID == taskID {
			return t.Appraisal
		}
	}
	return nil
}

func sameID(a, b *int64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
