package sml

import (
	"forecourt/internal/core"
	"net/http"
	"net/url"
	"slices"
)

// The reference lists: concessionaires, sources, fuels, clients,
// provinces, localities, users.

// concessionaireList serves Listar concesionarios: GET /api/concessionaire/.
func (h *handler) concessionaireList(w http.ResponseWriter, r *http.Request) error {
	return listPage(w, r, searchOnly, h.svc.FindDealers, func(ds []core.Dealer) ([]Concessionaire, error) {
		q := refsQuery{dealerDetails: true}
		for _, d := range ds {
			q.dealerIDs = append(q.dealerIDs, d.ID)
		}
		return renderAll(h, r, ds, q, renderer.concessionaire)
	})
}

// sourceList serves Consultar fuentes de concesionario: GET /api/source/.
func (h *handler) sourceList(w http.ResponseWriter, r *http.Request) error {
	return listPage(w, r, searchOnly, h.svc.FindSources, func(ss []core.Source) ([]SourceListItem, error) {
		var q refsQuery
		for _, s := range ss {
			q.dealerIDs = append(q.dealerIDs, s.DealerID)
			q.sourceIDs = append(q.sourceIDs, s.ID)
		}
		return renderAll(h, r, ss, q, renderer.sourceListItem)
	})
}

// gasTypeList serves Consultar combustible: GET /api/gas_type/.
func (h *handler) gasTypeList(w http.ResponseWriter, r *http.Request) error {
	pq, err := parsePage(r.URL.Query())
	if err != nil {
		return err
	}
	gs, err := h.svc.GasTypes(r.Context())
	if err != nil {
		return err
	}
	lo, hi := pq.slice(len(gs))
	out := make([]GasType, 0, hi-lo)
	for _, g := range gs[lo:hi] {
		out = append(out, GasType{ID: g.ID, Name: g.Name})
	}
	return writePage(w, r, pq, len(gs), out)
}

// clientList serves Buscar clientes: GET /api/clients/.
func (h *handler) clientList(w http.ResponseWriter, r *http.Request) error {
	query := func(v url.Values, _ *queryErrors) (core.Cond, []core.Sort) {
		return core.And(
			contains(v, "name__icontains", "name"),
			contains(v, "phone__icontains", "phone"),
			contains(v, "email__icontains", "email"),
			search(v),
		), nil
	}
	return listPage(w, r, query, h.svc.FindClients, func(cs []core.Client) ([]Client, error) {
		var q refsQuery
		for _, c := range cs {
			if c.ProvinceID != nil {
				q.provinceIDs = append(q.provinceIDs, *c.ProvinceID)
			}
			if c.LocalityID != nil {
				q.localityIDs = append(q.localityIDs, *c.LocalityID)
			}
		}
		return renderAll(h, r, cs, q, func(rd renderer, c core.Client) Client { return *rd.client(&c) })
	})
}

// provinceList serves Buscar Provincias: GET /api/provinces/?country=28.
func (h *handler) provinceList(w http.ResponseWriter, r *http.Request) error {
	query := func(v url.Values, qe *queryErrors) (core.Cond, []core.Sort) {
		country := qe.id(v, "country")
		if country == nil {
			if qe.t.empty() {
				qe.add("country", msgRequired) // "country [obligatorio]"
			}
			return core.Cond{}, nil
		}
		code, ok := countryCode(*country)
		if !ok {
			// no country has this id: nothing matches, as a filter of an
			// unknown id matches nothing
			return core.In[int64]("id"), nil
		}
		return core.And(core.Eq("country", code), search(v)), nil
	}
	return listPage(w, r, query, h.svc.FindProvinces, func(ps []core.Province) ([]Province, error) {
		return renderAll(h, r, ps, refsQuery{}, func(_ renderer, p core.Province) Province { return province(p) })
	})
}

// localityList serves Buscar Localidades: GET /api/localities/.
func (h *handler) localityList(w http.ResponseWriter, r *http.Request) error {
	query := func(v url.Values, qe *queryErrors) (core.Cond, []core.Sort) {
		if prov := qe.id(v, "province"); prov != nil {
			return core.And(core.Eq("province", *prov), search(v)), nil
		}
		return search(v), nil
	}
	return listPage(w, r, query, h.svc.FindLocalities, func(ls []core.Locality) ([]Locality, error) {
		return renderAll(h, r, ls, refsQuery{}, func(_ renderer, l core.Locality) Locality { return locality(l) })
	})
}

// userList serves Buscar usuarios: GET /api/user/.
func (h *handler) userList(w http.ResponseWriter, r *http.Request) error {
	query := func(v url.Values, qe *queryErrors) (core.Cond, []core.Sort) {
		where := core.And(qe.boolean(v, "online", "online"), qe.boolean(v, "is_active", "is_active"), search(v))
		if id := qe.id(v, "userconcession__concessionaire__id"); id != nil {
			where = core.And(core.Eq("dealer", *id), where)
		}
		return where, nil
	}
	return listPage(w, r, query, h.svc.FindUsers, func(us []core.User) ([]UserListItem, error) {
		p, _ := core.PrincipalFrom(r.Context())
		q := refsQuery{dealerIDs: firstDealer(p)}
		for i := range us {
			// memberships of dealers the principal cannot see are not shown
			us[i].Memberships = slices.DeleteFunc(us[i].Memberships, func(m core.Membership) bool { return !p.CanSee(m.DealerID) })
			for _, m := range us[i].Memberships {
				q.dealerIDs = append(q.dealerIDs, m.DealerID)
			}
		}
		return renderAll(h, r, us, q, renderer.userListItem)
	})
}
