package core

import (
	"context"
	"slices"
)

// The lists of every entity, for the principal: a Query checked against
// the entity's Schema, scoped to the principal's dealers.

// FindLeads lists the leads of the principal's dealers that q selects. A
// condition on "dealer" at the top of q.Where narrows the dealers.
func (s *Service) FindLeads(ctx context.Context, q Query) ([]Lead, int, error) {
	sc, err := LeadSchema.WithExt(q.Ext)
	if err != nil {
		return nil, 0, err
	}
	if q.History < 0 || q.History > MaxLeadHistory || q.History > 0 && (q.Limit <= 0 || q.Limit > MaxHistoryLeads) {
		return nil, 0, &Error{Code: Invalid, Message: "invalid query", Fields: map[string]string{"history": MsgOutOfRange}}
	}
	ids, err := s.prepare(ctx, &q, sc, "dealer")
	if err != nil || len(ids) == 0 {
		return nil, 0, err
	}
	return s.store.FindLeads(ctx, ids, q)
}

// GroupLeads counts the leads of the principal's dealers that q selects
// per value of q.GroupBy, most first (at most MaxGroups).
func (s *Service) GroupLeads(ctx context.Context, q Query) ([]Group, error) {
	if q.GroupBy == "" {
		return nil, &Error{Code: Invalid, Message: "nothing to group by", Fields: map[string]string{"group_by": MsgRequired}}
	}
	sc, err := LeadSchema.WithExt(q.Ext)
	if err != nil {
		return nil, err
	}
	ids, err := s.prepare(ctx, &q, sc, "dealer")
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	return s.store.GroupLeads(ctx, ids, q)
}

// FindClients lists the clients of the principal's dealers.
func (s *Service) FindClients(ctx context.Context, q Query) ([]Client, int, error) {
	sc, err := ClientSchema.WithExt(q.Ext)
	if err != nil {
		return nil, 0, err
	}
	ids, err := s.prepare(ctx, &q, sc, "dealer")
	if err != nil || len(ids) == 0 {
		return nil, 0, err
	}
	return s.store.FindClients(ctx, ids, q)
}

// GroupClients counts the clients of the principal's dealers that q
// selects per value of q.GroupBy, most first (at most MaxGroups).
func (s *Service) GroupClients(ctx context.Context, q Query) ([]Group, error) {
	if q.GroupBy == "" {
		return nil, &Error{Code: Invalid, Message: "nothing to group by", Fields: map[string]string{"group_by": MsgRequired}}
	}
	sc, err := ClientSchema.WithExt(q.Ext)
	if err != nil {
		return nil, err
	}
	ids, err := s.prepare(ctx, &q, sc, "dealer")
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	return s.store.GroupClients(ctx, ids, q)
}

// FindUsers lists the members of the principal's dealers; a condition on
// "dealer" narrows them to members of those dealers.
func (s *Service) FindUsers(ctx context.Context, q Query) ([]User, int, error) {
	ids, err := s.prepare(ctx, &q, UserSchema, "dealer")
	if err != nil || len(ids) == 0 {
		return nil, 0, err
	}
	return s.store.FindUsers(ctx, ids, q)
}

// FindSources lists the sources of the principal's dealers.
func (s *Service) FindSources(ctx context.Context, q Query) ([]Source, int, error) {
	ids, err := s.prepare(ctx, &q, SourceSchema, "dealer")
	if err != nil || len(ids) == 0 {
		return nil, 0, err
	}
	return s.store.FindSources(ctx, ids, q)
}

// FindDealers lists the dealers the principal belongs to.
func (s *Service) FindDealers(ctx context.Context, q Query) ([]Dealer, int, error) {
	ids, err := s.prepare(ctx, &q, DealerSchema, "id")
	if err != nil || len(ids) == 0 {
		return nil, 0, err
	}
	return s.store.FindDealers(ctx, ids, q)
}

// FindProvinces lists provinces (reference data every principal may read).
func (s *Service) FindProvinces(ctx context.Context, q Query) ([]Province, int, error) {
	if _, err := s.prepare(ctx, &q, ProvinceSchema, ""); err != nil {
		return nil, 0, err
	}
	return s.store.FindProvinces(ctx, q)
}

// FindLocalities lists localities (reference data every principal may
// read).
func (s *Service) FindLocalities(ctx context.Context, q Query) ([]Locality, int, error) {
	if _, err := s.prepare(ctx, &q, LocalitySchema, ""); err != nil {
		return nil, 0, err
	}
	return s.store.FindLocalities(ctx, q)
}

// prepare checks q against sc for the principal in ctx, sets q.At, and
// returns the dealers it may read (the principal's, narrowed by the
// conditions on scopeField at the top of q.Where, which it takes out of
// q.Where); none when scopeField is empty.
func (s *Service) prepare(ctx context.Context, q *Query, sc Schema, scopeField string) ([]int64, error) {
	p, err := mustPrincipal(ctx)
	if err != nil {
		return nil, err
	}
	if err := sc.Check(q); err != nil {
		return nil, err
	}
	q.Ext = NamedExt(q.Ext, *q) // checked whole above; the store compiles what q names
	q.At = s.Now()
	if scopeField == "" {
		return nil, nil
	}
	want, found, rest := splitScope(q.Where, scopeField)
	q.Where = rest
	if found && len(want) == 0 {
		return nil, nil
	}
	return visible(p, want), nil
}

// splitScope takes the Eq and In conditions on field at the top of where
// (where itself, or the leaves of its top And) out of it: found says
// whether there was one, ids holds the ids every one of them allows.
func splitScope(where Cond, field string) (ids []int64, found bool, rest Cond) {
	scoping := func(c Cond) bool { return c.Field == field && (c.Op == OpEq || c.Op == OpIn) }
	var parts []Cond
	switch {
	case scoping(where):
		parts = []Cond{where}
		where = Cond{}
	case where.Op == "" && where.And != nil:
		var keep []Cond
		for _, c := range where.And {
			if scoping(c) {
				parts = append(parts, c)
			} else {
				keep = append(keep, c)
			}
		}
		if parts == nil {
			return nil, false, where
		}
		where = And(keep...)
	default:
		return nil, false, where
	}
	for i, c := range parts {
		vs := c.Values
		if c.Op == OpEq {
			vs = []any{c.Value}
		}
		var these []int64
		for _, v := range vs {
			if id, ok := v.(int64); ok && !slices.Contains(these, id) {
				these = append(these, id)
			}
		}
		if i == 0 {
			ids = these
			continue
		}
		ids = slices.DeleteFunc(ids, func(id int64) bool { return !slices.Contains(these, id) })
	}
	if ids == nil {
		ids = []int64{}
	}
	return ids, true, where
}
