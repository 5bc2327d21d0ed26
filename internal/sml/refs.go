package sml

import (
	"context"
	"slices"

	"forecourt/internal/core"
)

// SML answers nest what a record refers to: a lead carries its
// concessionaire with the concessionaire's members and sources, its
// source's origin and channels, its user, fuel, province and locality. A
// refsQuery names what a response needs; loadRefs gathers it through the
// core's principal-scoped lookups, each served from the store's cache, so
// that a page of leads costs no query per lead.

// refsQuery names the records a response needs.
type refsQuery struct {
	dealerIDs   []int64
	sourceIDs   []int64
	userIDs     []int64
	gasIDs      []int64
	provinceIDs []int64
	localityIDs []int64
	// dealerDetails also loads each dealer's members and sources.
	dealerDetails bool
}

// refSet holds the records a refsQuery asked for, by id. The large ones
// are held by pointer, into the lists the core's lookups returned: maps of
// the records themselves (a user is ~250 bytes, a map's group eight of
// them) were a third of the bytes a lead's answer allocated. They are read,
// never changed.
type refSet struct {
	dealers       map[int64]*core.Dealer
	dealerUsers   map[int64][]core.User   // members by dealer, with dealerDetails
	dealerSources map[int64][]core.Source // sources by dealer, with dealerDetails
	sources       map[int64]*core.Source
	origins       map[int64]*core.Origin
	channels      map[int64]core.Channel
	users         map[int64]*core.User
	gasTypes      map[int64]core.GasType
	provinces     map[int64]core.Province
	localities    map[int64]core.Locality
}

func newRefSet() refSet {
	return refSet{
		dealers: map[int64]*core.Dealer{}, dealerUsers: map[int64][]core.User{}, dealerSources: map[int64][]core.Source{},
		sources: map[int64]*core.Source{}, origins: map[int64]*core.Origin{}, channels: map[int64]core.Channel{},
		users: map[int64]*core.User{}, gasTypes: map[int64]core.GasType{}, provinces: map[int64]core.Province{}, localities: map[int64]core.Locality{},
	}
}

// sized is m, or an empty map made for n entries when m is empty: maps
// grown from empty entry by entry were the largest allocation of a lead's
// creation on the server (docs/benchmarks.md, "Lead creation: the
// server's own CPU"), the origins' above all.
func sized[T any](m map[int64]T, n int) map[int64]T {
	if len(m) == 0 && n > 8 {
		return make(map[int64]T, n)
	}
	return m
}

// loadRefs loads what q names. Records the principal may not see are left
// out (the core's lookups decide).
func loadRefs(ctx context.Context, svc *core.Service, q refsQuery) (refSet, error) {
	r := newRefSet()
	if len(q.dealerIDs) > 0 {
		ds, err := svc.DealersByID(ctx, q.dealerIDs)
		if err != nil {
			return refSet{}, err
		}
		r.dealers = sized(r.dealers, len(ds))
		for i := range ds {
			r.dealers[ds[i].ID] = &ds[i]
		}
	}
	if q.dealerDetails {
		for id := range r.dealers {
			us, err := svc.DealerMembers(ctx, id)
			if err != nil {
				return refSet{}, err
			}
			r.dealerUsers[id] = us
			for i := range us {
				r.users[us[i].ID] = &us[i]
			}
			srcs, err := svc.DealerSources(ctx, id)
			if err != nil {
				return refSet{}, err
			}
			r.dealerSources[id] = srcs
			for i := range srcs {
				r.sources[srcs[i].ID] = &srcs[i]
			}
		}
	}
	if ids := missing(q.sourceIDs, r.sources); len(ids) > 0 {
		srcs, err := svc.SourcesByID(ctx, ids)
		if err != nil {
			return refSet{}, err
		}
		r.sources = sized(r.sources, len(srcs))
		for i := range srcs {
			r.sources[srcs[i].ID] = &srcs[i]
		}
	}
	var originIDs []int64
	for _, src := range r.sources {
		originIDs = append(originIDs, src.OriginID)
	}
	if len(originIDs) > 0 {
		os, err := svc.OriginsByID(ctx, originIDs)
		if err != nil {
			return refSet{}, err
		}
		r.origins = sized(r.origins, len(os))
		for i := range os {
			r.origins[os[i].ID] = &os[i]
		}
	}
	if len(r.sources) > 0 || len(r.origins) > 0 {
		cs, err := svc.Channels(ctx)
		if err != nil {
			return refSet{}, err
		}
		r.channels = sized(r.channels, len(cs))
		for _, c := range cs {
			r.channels[c.ID] = c
		}
	}
	if ids := missing(q.userIDs, r.users); len(ids) > 0 {
		us, err := svc.UsersByID(ctx, ids)
		if err != nil {
			return refSet{}, err
		}
		r.users = sized(r.users, len(us))
		for i := range us {
			r.users[us[i].ID] = &us[i]
		}
	}
	if len(q.gasIDs) > 0 {
		gs, err := svc.GasTypes(ctx)
		if err != nil {
			return refSet{}, err
		}
		r.gasTypes = sized(r.gasTypes, len(gs))
		for _, g := range gs {
			r.gasTypes[g.ID] = g
		}
	}
	if len(q.provinceIDs) > 0 {
		ps, err := svc.ProvincesByID(ctx, q.provinceIDs)
		if err != nil {
			return refSet{}, err
		}
		r.provinces = sized(r.provinces, len(ps))
		for _, p := range ps {
			r.provinces[p.ID] = p
		}
	}
	if len(q.localityIDs) > 0 {
		ls, err := svc.LocalitiesByID(ctx, q.localityIDs)
		if err != nil {
			return refSet{}, err
		}
		r.localities = sized(r.localities, len(ls))
		for _, l := range ls {
			r.localities[l.ID] = l
		}
	}
	return r, nil
}

// refsOfLeads returns the refsQuery that renders ls in full.
func refsOfLeads(ls []core.Lead) refsQuery {
	var q refsQuery
	for _, l := range ls {
		q.dealerIDs = append(q.dealerIDs, l.DealerID)
		q.sourceIDs = append(q.sourceIDs, l.SourceID)
		if l.UserID != nil {
			q.userIDs = append(q.userIDs, *l.UserID)
		}
		if l.Vehicle != nil && l.Vehicle.GasID != nil {
			q.gasIDs = append(q.gasIDs, *l.Vehicle.GasID)
		}
		if c := l.Client; c != nil {
			if c.ProvinceID != nil {
				q.provinceIDs = append(q.provinceIDs, *c.ProvinceID)
			}
			if c.LocalityID != nil {
				q.localityIDs = append(q.localityIDs, *c.LocalityID)
			}
		}
		for _, t := range l.Tasks {
			if t.AuthorID != nil {
				q.userIDs = append(q.userIDs, *t.AuthorID)
			}
			if t.Appraisal != nil && t.Appraisal.GasID != nil {
				q.gasIDs = append(q.gasIDs, *t.Appraisal.GasID)
			}
		}
	}
	q.dealerDetails = true
	return q
}

// missing returns the ids of ids that have holds no record for, each once.
func missing[T any](ids []int64, have map[int64]T) []int64 {
	var out []int64
	for _, id := range ids {
		if _, ok := have[id]; !ok && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}
