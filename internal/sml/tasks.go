package sml

import (
	"forecourt/internal/core"
	"net/http"
)

// The task endpoints and click-to-call.

// taskRefs loads what rendering task t needs.
func (h *handler) taskRefs(r *http.Request, t core.Task, dealerIDs []int64) (renderer, error) {
	q := refsQuery{dealerIDs: dealerIDs}
	if t.Appraisal != nil && t.Appraisal.GasID != nil {
		q.gasIDs = []int64{*t.Appraisal.GasID}
	}
	refs, err := loadRefs(r.Context(), h.svc, q)
	if err != nil {
		return renderer{}, err
	}
	rd := h.renderer(r, refs)
	if len(dealerIDs) > 0 {
		rd.loc = rd.dealerLoc(dealerIDs[0])
	}
	return rd, nil
}

// taskCreate serves Crear Solicitudes/Tareas: POST /api/lead_task_create/.
func (h *handler) taskCreate(w http.ResponseWriter, r *http.Request) error {
	o, err := h.body(w, r, false)
	if err != nil {
		return err
	}
	b := decodeTask(o, true)
	if err := o.d.err(); err != nil {
		return err
	}
	t, err := h.svc.CreateTask(r.Context(), b.Lead.V, taskToCore(b))
	if err != nil {
		return toAPIError(err, errContext{values: o.d.values(), onTask: true, notFoundField: "lead"})
	}
	p, _ := core.PrincipalFrom(r.Context())
	rd, err := h.taskRefs(r, t, firstDealer(p))
	if err != nil {
		return stored(err)
	}
	return writeJSON(w, http.StatusCreated, TaskCreated{TaskBase: rd.taskBase(t, rd.loc), Lead: t.LeadID})
}

// taskDetail serves GET /api/task/{id}/, which the document does not list:
// the task as Crear Solicitudes/Tareas answers it.
func (h *handler) taskDetail(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	t, err := h.svc.FindTask(r.Context(), id)
	if err != nil {
		return err
	}
	rd, err := h.taskRefs(r, t, []int64{t.DealerID})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, TaskCreated{TaskBase: rd.taskBase(t, rd.loc), Lead: t.LeadID})
}

// taskUpdate serves Modificar Solicitudes/Tareas: PATCH /api/task/{id}/.
func (h *handler) taskUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	o, err := h.body(w, r, true)
	if err != nil {
		return err
	}
	b := decodeTask(o, false)
	if err := o.d.err(); err != nil {
		return err
	}
	t, err := h.svc.UpdateTask(r.Context(), id, taskPatchToCore(b))
	if err != nil {
		return toAPIError(err, errContext{values: o.d.values(), onTask: true})
	}
	p, _ := core.PrincipalFrom(r.Context())
	rd, err := h.taskRefs(r, t, firstDealer(p))
	if err != nil {
		return stored(err)
	}
	return writeJSON(w, http.StatusOK, TaskUpdated{TaskBase: rd.taskBase(t, rd.loc)})
}

// taskDelete serves Borrar Solicitudes/Tareas: DELETE /api/task/{id}/.
func (h *handler) taskDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteTask(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// click2Call serves Click2Call: PATCH (or POST)
// /api/netelip/call_control_lead/click2call/.
func (h *handler) click2Call(w http.ResponseWriter, r *http.Request) error {
	o, err := h.body(w, r, false)
	if err != nil {
		return err
	}
	b := decodeClick2Call(o)
	if err := o.d.err(); err != nil {
		return err
	}
	cc, err := h.svc.Click2Call(r.Context(), b.Lead.V)
	if err != nil {
		return toAPIError(err, errContext{values: o.d.values(), notFoundField: "lead"})
	}
	return writeJSON(w, http.StatusOK, CallControl{ID: cc.ID, Lead: cc.LeadID, CallControl: cc.CallControl, User: cc.UserID})
}
