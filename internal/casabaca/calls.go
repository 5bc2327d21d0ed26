package casabaca

import (
	"errors"
	"net/http"
	"time"

	"forecourt/internal/core"
)

// Calls are core communications (kind call) logged on a ticket or a
// prospección; a call of type cita brings a meeting, a core appointment
// on the prospección it opens or reschedules. See docs/casabaca.md,
// "Calls and meetings".

// meetingData is datosSugarCRM.meeting.
type meetingData struct {
	Status          text         `json:"status"`
	Date            text         `json:"date"`
	DurationHours   text         `json:"duration_hours"`
	DurationMinutes text         `json:"duration_minutes"`
	Subject         text         `json:"subject"`
	Comments        text         `json:"comments"`
	Location        text         `json:"location"`
	Type            text         `json:"type"`
	VisitType       text         `json:"visit_type"`
	LineaNegocio    text         `json:"linea_negocio"`
	Marca           text         `json:"marca"`
	Modelo          text         `json:"modelo"`
	Client          nestedClient `json:"client"`
}

// ticketState is datosSugarCRM.ticket of /api/calls.
type ticketState struct {
	ID           text `json:"id"`
	IsClosed     flag `json:"is_closed"`
	MotivoCierre text `json:"motivo_cierre"`
}

// callData is datosSugarCRM of every endpoint that logs a call.
type callData struct {
	UserNameAsesor     text         `json:"user_name_asesor"`
	UserNameCallCenter text         `json:"user_name_call_center"`
	DateStart          text         `json:"date_start"`
	DurationHours      text         `json:"duration_hours"`
	DurationMinutes    text         `json:"duration_minutes"`
	Status             text         `json:"status"`
	Direction          text         `json:"direction"`
	Type               text         `json:"type"`
	Category           text         `json:"category"`
	Notes              text         `json:"notes"`
	Medio              text         `json:"medio"`
	Campania           text         `json:"campania"`
	Ticket             ticketState  `json:"ticket"`
	TicketID           text         `json:"ticket_id"`
	ProspeccionID      text         `json:"prospeccion_id"`
	Meeting            meetingData  `json:"meeting"`
	Comments           text         `json:"comments"`
	Modelo             text         `json:"modelo"`
	Client             nestedClient `json:"client"`
}

type callBody struct {
	Datos            callData `json:"datosSugarCRM"`
	DatosAdicionales extra    `json:"datos_adicionales"`
}

// duration reads hours and minutes (fields hName and mName): whole
// numbers, hours 0–23, minutes 0–59 (the document's are strings of
// digits).
func (c check) duration(hName, mName string, hours, minutes text) time.Duration {
	var d time.Duration
	if c.required(hName, hours, "La duración en horas es requerida") {
		if n, ok := c.number(hName, hours, 0, 23, "La duración en horas debe ser un número entre 0 y 23"); ok {
			d += time.Duration(n) * time.Hour
		}
	}
	if c.required(mName, minutes, "La duración en minutos es requerida") {
		if n, ok := c.number(mName, minutes, 0, 59, "La duración en minutos debe ser un número entre 0 y 59"); ok {
			d += time.Duration(n) * time.Minute
		}
	}
	return d
}

// dateStart reads a required Y-m-d H:i date in UTC; missing, it is
// "La fecha de <what> es requerida", and not such a date badMsg.
func (c check) dateStart(name string, t text, what, badMsg string) time.Time {
	if !c.required(name, t, "La fecha de "+what+" es requerida") {
		return time.Time{}
	}
	d, _ := c.date(name, t, minuteLayout, badMsg)
	return d
}

// staffField resolves a required user name of the dealer's staff; an
// unknown one is a 422 on the field with msg.
func (h *handler) staffField(c *call, o core.Organisation, ck check, name string, t text, requiredMsg, unknownMsg string) (*core.User, error) {
	if !ck.required(name, t, requiredMsg) {
		return nil, nil
	}
	u, ok, err := h.staffUser(c, o, t.v)
	if err != nil {
		return nil, err
	}
	if !ok {
		ck.fail(name, unknownMsg)
		return nil, nil
	}
	return &u, nil
}

// The document's own words where its examples show them (not_answer_call's
// 422 for the call centre's user, calls' and calls_prospeccion's for a
// start that is no date).
const (
	msgUnknownCallCentre = "User-name inválido, call center no se encuentra registrado"
	msgUnknownAdvisor    = "User-name inválido, asesor no se encuentra registrado"
	msgNoCallCentre      = "User_name del call center es requerida"
	msgBadDateStart      = "La fecha de inicio debe ser una fecha"
)

// meeting is a validated meeting: the prospección's client and the
// appointment.
type meeting struct {
	client    *core.Client
	clientExt map[string]string
	line      *int64
	appt      core.Appointment
}

// checkMeeting validates datosSugarCRM.meeting (every field required, the
// call being a cita); withStatus: the meeting has a status (Planned,
// Held), else it is Planned.
func checkMeeting(e fieldErrors, o core.Organisation, m meetingData, withStatus bool) meeting {
	ck := check{e: e, prefix: "datosSugarCRM.meeting."}
	out := meeting{appt: core.Appointment{Type: core.AppointmentVisit, Status: core.AppointmentPlanned, Ext: map[string]string{}}}
	if withStatus && ck.required("status", m.Status, "Estado de la cita es requerido si la llamada es tipo cita") &&
		ck.oneOf("status", m.Status, "Estado de la cita no contiene un valor válido, valores válidos: Planned, Held", "Planned", "Held") &&
		m.Status.v == "Held" {
		out.appt.Status = core.AppointmentDone
	}
	out.appt.StartAt = ck.dateStart("date", m.Date, "la cita", "La fecha de la cita debe ser una fecha con el formato Y-m-d H:i")
	d := ck.duration("duration_hours", "duration_minutes", m.DurationHours, m.DurationMinutes)
	if !out.appt.StartAt.IsZero() {
		end := out.appt.StartAt.Add(d)
		out.appt.EndAt = &end
	}
	if ck.required("subject", m.Subject, "Asunto es requerido si la llamada es tipo cita") {
		out.appt.Title = m.Subject.v
	}
	if ck.required("comments", m.Comments, "Comentarios es requerido si la llamada es tipo cita") {
		ck.valid("comments", m.Comments, core.MaxLongText)
		out.appt.Comments = m.Comments.v
	}
	if ck.required("location", m.Location, "Ubicación es requerida si la llamada es tipo cita") {
		out.appt.Place = m.Location.v
	}
	if ck.required("type", m.Type, "Tipo de cita es requerido si la llamada es tipo cita") &&
		ck.oneOf("type", m.Type, "Tipo de cita no contiene un valor válido, valores válidos: 1 (Cita Física / Normal),2 (Virtual)", "1", "2") {
		out.appt.Remote = m.Type.v == "2"
	}
	if ck.required("visit_type", m.VisitType, "Tipo de visita es requerido si la llamada es tipo cita") {
		ck.oneOf("visit_type", m.VisitType, "Tipo de visita no contiene un valor válido, valores válidos: 1 (Primera Visita),2 (Be-back), 3(Visita Anterior)", "1", "2", "3")
	}
	if ck.required("linea_negocio", m.LineaNegocio, "Línea de negocio es requerida si la llamada es tipo cita") &&
		ck.oneOf("linea_negocio", m.LineaNegocio, msgLineaNegocio, lineasNegocio...) {
		if bl, ok := o.BusinessLineCoded(m.LineaNegocio.v); ok {
			out.line = &bl.ID
		} else {
			ck.fail("linea_negocio", "La línea de negocio no existe")
		}
	}
	ck.optional("marca", m.Marca, core.MaxShortText)
	ck.optional("modelo", m.Modelo, core.MaxShortText)
	for k, v := range map[string]text{"visit_type": m.VisitType, "meeting_type": m.Type, "linea_negocio": m.LineaNegocio, "marca": m.Marca, "modelo": m.Modelo} {
		if v.given() {
			out.appt.Ext["casabaca."+k] = v.v
		}
	}
	out.client, out.clientExt = m.Client.check(e, "datosSugarCRM.meeting.client.", false)
	return out
}

// checkCallCore validates what every call has: the call centre's user,
// the start, the duration and the direction. It returns the
// communication.
func (h *handler) checkCallCore(c *call, o core.Organisation, ck check, d callData) (core.Communication, error) {
	cm := core.Communication{Kind: core.CommCall, Status: core.CommHeld, Direction: core.CommInbound, Ext: map[string]string{}}
	u, err := h.staffField(c, o, ck, "user_name_call_center", d.UserNameCallCenter, msgNoCallCentre, msgUnknownCallCentre)
	if err != nil {
		return cm, err
	}
	if u != nil {
		cm.UserID = &u.ID
	}
	cm.StartAt = ck.dateStart("date_start", d.DateStart, "inicio de llamada", msgBadDateStart)
	cm.Duration = ck.duration("duration_hours", "duration_minutes", d.DurationHours, d.DurationMinutes)
	if ck.required("direction", d.Direction, "La dirección de la llamada es requerida") &&
		ck.oneOf("direction", d.Direction, "La dirección no contiene un valor válido, valores válidos: Inbound (Entrante),Outbound (Saliente)", "Inbound", "Outbound") &&
		d.Direction.v == "Outbound" {
		cm.Direction = core.CommOutbound
	}
	return cm, nil
}

// readCall reads a call's request: its body, the dealer's organisation,
// the errors its checks gather (fields keyed after prefix: the document
// names some calls' fields with "datosSugarCRM." and some without), and
// the communication of what every call has (checkCallCore).
func (h *handler) readCall(w http.ResponseWriter, r *http.Request, c *call, prefix string) (callBody, core.Organisation, fieldErrors, check, core.Communication, error) {
	var b callBody
	if err := decode(w, r, &b); err != nil {
		return b, core.Organisation{}, nil, check{}, core.Communication{}, err
	}
	o, err := h.svc.Organisation(c.ctx, c.dealer)
	if err != nil {
		return b, o, nil, check{}, core.Communication{}, err
	}
	e := fieldErrors{}
	ck := check{e: e, prefix: prefix}
	cm, err := h.checkCallCore(c, o, ck, b.Datos)
	return b, o, e, ck, cm, err
}

// checkHeldCall validates what a held call adds (POST /api/calls and
// /api/calls_prospeccion): its status, its type (one of types, listed in
// the message as typesMsg), its category and its notes. It reports
// whether the type asks for a meeting (every type but seguimiento).
func checkHeldCall(ck check, d callData, typesMsg string, types ...string) (cita bool) {
	if ck.required("status", d.Status, "Estado de la llamada es requerido") {
		ck.oneOf("status", d.Status, "Estado de la llamada no contiene un valor válido, valores válidos: Held (Realizada)", "Held")
	}
	if ck.required("type", d.Type, "Tipo de llamada es requerido") &&
		ck.oneOf("type", d.Type, "Tipo de llamada no contiene un valor válido, valores válidos: "+typesMsg, types...) {
		cita = d.Type.v != "seguimiento"
	}
	if ck.required("category", d.Category, "Categoría es requerida") {
		ck.oneOf("category", d.Category, "Categoría no contiene un valor válido, valores válidos: 1 (Preventa), 2(PostVenta), 3(Prospección)", "1", "2", "3")
	}
	if ck.required("notes", d.Notes, "Notas son requeridas") {
		ck.valid("notes", d.Notes, core.MaxLongText)
	}
	return cita
}

// logCall logs cm with the request's datos_adicionales as sent.
func (h *handler) logCall(c *call, cm core.Communication, x extra) (core.Communication, error) {
	if x.raw != nil {
		cm.Ext["casabaca.datos_adicionales"] = string(x.raw)
	}
	return h.svc.LogCommunication(c.ctx, cm)
}

// medioField resolves a required medio of the dealer.
func medioField(ck check, o core.Organisation, t text) int64 {
	if !ck.required("medio", t, "Medio es requerido") || !ck.numeric("medio", t, "Medio debe ser numérico") {
		return 0
	}
	sc, ok := o.SourceCoded(t.v)
	if !ok {
		ck.fail("medio", "El medio no existe")
		return 0
	}
	return sc.SourceID
}

// campaignField resolves an optional campaign of the dealer.
func campaignField(ck check, o core.Organisation, t text) *int64 {
	if !ck.optional("campania", t, core.MaxShortText) {
		return nil
	}
	cp, ok := o.CampaignCoded(t.v)
	if !ok {
		ck.fail("campania", "La campaña no existe")
		return nil
	}
	return &cp.ID
}

// calls serves POST /api/calls: a call on a ticket; of type cita or
// cita_chat, it opens the ticket's prospección (or finds its open one for
// the same client and line) with the meeting; is_closed closes the ticket
// with its motivo.
func (h *handler) calls(w http.ResponseWriter, r *http.Request, c *call) error {
	b, o, e, ck, cm, err := h.readCall(w, r, c, "datosSugarCRM.")
	if err != nil {
		return err
	}
	d := b.Datos
	cita := checkHeldCall(ck, d, "seguimiento, cita, cita_chat", "seguimiento", "cita", "cita_chat")
	source := medioField(ck, o, d.Medio)
	campaign := campaignField(ck, o, d.Campania)
	tck := check{e: e, prefix: "datosSugarCRM.ticket."}
	tck.required("id", d.Ticket.ID, "ID del ticket es requerido")
	if d.Ticket.IsClosed.bad || !d.Ticket.IsClosed.set {
		tck.fail("is_closed", "is_closed es requerido y debe ser true o false")
	}
	if d.Ticket.IsClosed.v {
		if tck.required("motivo_cierre", d.Ticket.MotivoCierre, "Motivo de cierre es requerido si se cierra el ticket") {
			if _, ok := motivosCierreTicket[d.Ticket.MotivoCierre.v]; !ok {
				tck.fail("motivo_cierre", msgMotivoTicket)
			}
		}
	} else {
		tck.enum("motivo_cierre", d.Ticket.MotivoCierre, msgMotivoTicket, keysOf(motivosCierreTicket)...)
	}
	var mt meeting
	var asesor *core.User
	if cita {
		if asesor, err = h.staffField(c, o, ck, "user_name_asesor", d.UserNameAsesor, "User_name del asesor es requerido", msgUnknownAdvisor); err != nil {
			return err
		}
		mt = checkMeeting(e, o, d.Meeting, true)
	}
	checkExtra(e, b.DatosAdicionales)
	if err := e.err(); err != nil {
		return err
	}
	ticket, _, err := h.record(c, d.Ticket.ID.v, core.ProfileEnquiry, msgNoTicket)
	if err != nil {
		return err
	}
	cm.LeadID, cm.Subject, cm.Body = ticket.ID, d.Type.v, d.Notes.v
	setExt(cm.Ext, map[string]text{"type": d.Type, "category": d.Category, "medio": d.Medio, "campania": d.Campania})
	out := map[string]any{"ticket_id": ticket.PublicID, "prospeccion_id": "N/A", "meeting_id": "N/A"}
	if cita {
		pros, appt, err := h.openWithMeeting(c, ticket, source, campaign, asesor, mt, b.DatosAdicionales)
		if err != nil {
			return err
		}
		out["prospeccion_id"], out["meeting_id"] = pros.PublicID, appt.PublicID
	}
	logged, err := h.logCall(c, cm, b.DatosAdicionales)
	if err != nil {
		return storedIf(cita, err)
	}
	out["call_id"] = logged.PublicID
	if d.Ticket.IsClosed.v && ticket.Stage != core.StageEnd {
		motivo := d.Ticket.MotivoCierre.v
		if _, err := h.svc.CloseLead(c.ctx, ticket.ID, motivosCierreTicket[motivo], motivo, 0); err != nil {
			return stored(err)
		}
	}
	return data(w, out)
}

const msgMotivoTicket = "Motivo de cierre no contiene un valor válido, valores válidos: abandono_chat, solo_informacion, desiste, no_contesta, compra_futura"

func keysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func setExt(ext map[string]string, fields map[string]text) {
	for k, v := range fields {
		if v.given() {
			ext["casabaca."+k] = v.v
		}
	}
}

// errPlanned is the document's answer to a second planned meeting (with
// 409 rather than the document's 500: docs/casabaca.md, "Errors").
func errPlanned() *apiError {
	return &apiError{status: http.StatusConflict, body: map[string]string{"error": "La prospeccion seleccionada ya tiene una reunión planificada"}}
}

// openWithMeeting opens the ticket's prospección for the meeting's client
// (or finds the open one of the same client and line: core.IntakeLead's
// rule), given to the advisor, and makes the meeting on it.
func (h *handler) openWithMeeting(c *call, ticket core.Lead, source int64, campaign *int64, asesor *core.User, mt meeting, x extra) (core.Lead, core.Appointment, error) {
	in := core.Intake{SameOpen: true, Lead: core.Lead{DealerID: c.dealer, SourceID: source, Client: mt.client, UserID: &asesor.ID,
		Vehicle: meetingVehicle(mt)}, Profile: core.LeadProfile{Kind: core.ProfileOpportunity, ParentID: &ticket.ID, BusinessLineID: mt.line,
		CampaignID: campaign, Ext: mt.clientExt}}
	in.Profile.Ext["casabaca.via"] = "calls"
	if x.raw != nil {
		in.Profile.Ext["casabaca.datos_adicionales"] = string(x.raw)
	}
	res, err := h.svc.IntakeLead(c.ctx, in)
	if err != nil {
		return core.Lead{}, core.Appointment{}, err
	}
	a := mt.appt
	a.LeadID, a.UserID = res.Lead.ID, &asesor.ID
	appt, err := h.svc.CreateSoleAppointment(c.ctx, a)
	if errors.Is(err, core.ErrAppointmentPlanned) {
		return core.Lead{}, core.Appointment{}, errPlanned()
	}
	return res.Lead, appt, stored(err) // the prospección is stored
}

// meetingVehicle is the prospección's vehicle: the meeting's brand and
// model codes, or the subject.
func meetingVehicle(mt meeting) *core.Vehicle {
	v := &core.Vehicle{BrandModel: joinNonEmpty(mt.appt.Ext["casabaca.marca"], mt.appt.Ext["casabaca.modelo"])}
	if v.BrandModel == "" {
		v.BrandModel = mt.appt.Title
	}
	return v
}

func joinNonEmpty(ss ...string) string {
	out := ""
	for _, s := range ss {
		if s != "" {
			if out != "" {
				out += " "
			}
			out += s
		}
	}
	return out
}

// notAnswerCall serves POST /api/not_answer_call: a call on a ticket that
// nobody answered (its fields named without datosSugarCRM., as the
// document's example shows).
func (h *handler) notAnswerCall(w http.ResponseWriter, r *http.Request, c *call) error {
	b, _, e, ck, cm, err := h.readCall(w, r, c, "")
	if err != nil {
		return err
	}
	d := b.Datos
	ck.required("ticket_id", d.TicketID, "ID del ticket es requerido")
	checkExtra(e, b.DatosAdicionales)
	if err := e.err(); err != nil {
		return err
	}
	ticket, _, err := h.record(c, d.TicketID.v, core.ProfileEnquiry, msgNoTicket)
	if err != nil {
		return err
	}
	cm.LeadID, cm.Status = ticket.ID, core.CommNotAnswered
	cm.Ext["casabaca.via"] = "not_answer_call"
	logged, err := h.logCall(c, cm, b.DatosAdicionales)
	if err != nil {
		return err
	}
	return data(w, map[string]any{"call_id": logged.PublicID, "ticket_id": ticket.PublicID})
}
