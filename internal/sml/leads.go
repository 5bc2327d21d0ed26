package sml

import (
	"forecourt/internal/core"
	"net/http"
	"net/url"
)

// The lead endpoints: list, one, create, change, change status, history.

// renderLeads renders leads with the records they refer to.
func (h *handler) renderLeads(r *http.Request, leads []core.Lead) ([]LeadResponse, error) {
	out := make([]LeadResponse, 0, len(leads))
	if len(leads) == 0 {
		return out, nil
	}
	refs, err := loadRefs(r.Context(), h.svc, refsOfLeads(leads))
	if err != nil {
		return nil, err
	}
	rd := h.renderer(r, refs)
	rd.assignable = make(map[int64]bool, len(leads))
	for _, l := range leads {
		rd.assignable[l.ID] = h.svc.CanAssign(r.Context(), l)
	}
	for _, l := range leads {
		out = append(out, rd.lead(l))
	}
	return out, nil
}

func (h *handler) writeLead(w http.ResponseWriter, r *http.Request, status int, l core.Lead) error {
	out, err := h.renderLeads(r, []core.Lead{l})
	if err != nil {
		return err
	}
	return writeJSON(w, status, &out[0]) // a pointer: the answer is not copied into an interface
}

// leadList serves Listar/Buscar Leads: GET /api/lead/.
func (h *handler) leadList(w http.ResponseWriter, r *http.Request) error {
	query := func(v url.Values, qe *queryErrors) (core.Cond, []core.Sort) {
		return core.And(
			qe.stages(v),
			qe.idsCond(v, "concessionaire__in", "dealer"),
			contains(v, "client__phone__icontains", "client.phone"),
			contains(v, "client__email__icontains", "client.email"),
			search(v),
		), qe.ordering(v)
	}
	return listPageCapped(w, r, leadCaps, query, h.svc.FindLeads, func(ls []core.Lead) ([]LeadResponse, error) { return h.renderLeads(r, ls) })
}

func writePage[T any](w http.ResponseWriter, r *http.Request, pq pageQuery, count int, items []T) error {
	p, err := pageOf(r, pq, count, items)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

// leadDetail serves Consultar Lead: GET /api/lead/{id}/.
func (h *handler) leadDetail(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	l, err := h.svc.FindLead(r.Context(), id)
	if err != nil {
		return err
	}
	return h.writeLead(w, r, http.StatusOK, l)
}

// leadCreate serves Crear Lead: POST /api/lead/.
func (h *handler) leadCreate(w http.ResponseWriter, r *http.Request) error {
	o, err := h.body(w, r, false)
	if err != nil {
		return err
	}
	b := decodeLead(o)
	if err := o.d.err(); err != nil {
		return err
	}
	l, err := h.svc.CreateLead(r.Context(), leadToCore(b))
	if err != nil {
		return toAPIError(err, errContext{values: o.d.values()})
	}
	return stored(h.writeLead(w, r, http.StatusCreated, l))
}

// leadUpdate serves Modificar, Asignar and Finalizar Lead: PATCH
// /api/lead/{id}/.
func (h *handler) leadUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	o, err := h.body(w, r, true)
	if err != nil {
		return err
	}
	b := decodeLead(o)
	if err := o.d.err(); err != nil {
		return err
	}
	l, err := h.svc.UpdateLead(r.Context(), id, leadPatchToCore(b))
	if err != nil {
		return toAPIError(err, errContext{values: o.d.values()})
	}
	return stored(h.writeLead(w, r, http.StatusOK, l))
}

// leadChangeStatus serves Cambiar el estado del Lead: PATCH
// /api/lead/{id}/change_status/.
func (h *handler) leadChangeStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	o, err := h.body(w, r, false)
	if err != nil {
		return err
	}
	b := decodeStatus(o)
	if err := o.d.err(); err != nil {
		return err
	}
	l, err := h.svc.ChangeLeadStatus(r.Context(), id, core.Stage(b.Status.V), 0)
	if err != nil {
		return toAPIError(err, errContext{values: o.d.values()})
	}
	return stored(h.writeLead(w, r, http.StatusOK, l))
}

// leadHistory serves Histórico de cambios en Lead: GET
// /api/lead_history/{id}/get_history/.
func (h *handler) leadHistory(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	pq, err := parsePageCapped(r.URL.Query(), historyCaps)
	if err != nil {
		return err
	}
	hs, count, err := h.svc.LeadHistory(r.Context(), id, true, pq.core())
	if err != nil {
		return err
	}
	p, _ := core.PrincipalFrom(r.Context())
	q := refsQuery{dealerIDs: firstDealer(p)}
	for _, e := range hs {
		if e.UserID != nil {
			q.userIDs = append(q.userIDs, *e.UserID)
		}
	}
	refs, err := loadRefs(r.Context(), h.svc, q)
	if err != nil {
		return err
	}
	rd := h.renderer(r, refs)
	out := make([]HistoryEntry, 0, len(hs))
	for _, e := range hs {
		out = append(out, rd.history(e))
	}
	return writePage(w, r, pq, count, out)
}
