package casabaca

import (
	"errors"
	"net/http"
	"strings"

	"forecourt/internal/core"
)

// A prospección is a lead of its own, of kind opportunity, whose profile's
// parent is the ticket it came from (none for the workshop app's form):
// the ticket is the contact answered, the prospección the sale worked,
// each with its own assignee, stage and history. See docs/casabaca.md,
// "Prospecciones".

// motivosCierreProspeccion maps close_prospeccion's motivo_cierre to the
// core's outcomes.
var motivosCierreProspeccion = map[string]core.Outcome{
	"1": core.OutcomeNoSale,      // No aplica a financiamiento
	"2": core.OutcomeNoSale,      // Sólo Información
	"3": core.OutcomeUnreachable, // No Contactado
	"4": core.OutcomeNoSale,      // Desiste
	"5": core.OutcomeNoSale,      // Compra Futura
}

const msgMotivoProspeccion = "Motivo de cierre no contiene un valor válido, valores válidos: 1(No aplica a financiamiento), 2(Sólo Información), 3(No Contactado), 4(Desiste), 5(Compra Futura)"

func prospeccionURL(r *http.Request, l core.Lead) string {
	return baseURL(r) + "/api/prospecciones/" + l.PublicID
}

// quotation serves POST /api/quotation (a quote asked by WhatsApp, web
// chat or Facebook) and, with call, POST /api/call_quotation (asked on a
// call to the 1800 number, logged on the prospección): the ticket's
// prospección for the client, assigned by the core's rule.
func (h *handler) quotation(w http.ResponseWriter, r *http.Request, c *call) error {
	return h.quote(w, r, c, false)
}

func (h *handler) callQuotation(w http.ResponseWriter, r *http.Request, c *call) error {
	return h.quote(w, r, c, true)
}

func (h *handler) quote(w http.ResponseWriter, r *http.Request, c *call, withCall bool) error {
	var b callBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	o, err := h.svc.Organisation(c.ctx, c.dealer)
	if err != nil {
		return err
	}
	d := b.Datos
	e := fieldErrors{}
	ck := check{e: e, prefix: "datosSugarCRM."}
	var cm core.Communication
	if withCall {
		if cm, err = h.checkCallCore(c, o, ck, d); err != nil {
			return err
		}
		if ck.required("type", d.Type, "Tipo de llamada es requerido") {
			ck.oneOf("type", d.Type, "Tipo de llamada no contiene un valor válido, valores válidos: seguimiento, automatica", "seguimiento", "automatica")
		}
	} else {
		u, err := h.staffField(c, o, ck, "user_name_call_center", d.UserNameCallCenter, msgNoCallCentre, msgUnknownCallCentre)
		if err != nil {
			return err
		}
		if u != nil {
			cm.UserID = &u.ID
		}
	}
	ck.required("ticket_id", d.TicketID, "ID del ticket es requerido")
	if ck.required("comments", d.Comments, "Comentarios son requeridos") {
		ck.valid("comments", d.Comments, core.MaxLongText)
	}
	ck.required("modelo", d.Modelo, "Modelo es requerido")
	source := medioField(ck, o, d.Medio)
	var campaign *int64
	if !withCall {
		campaign = campaignField(ck, o, d.Campania)
	}
	client, clientExt := d.Client.check(e, "datosSugarCRM.client.", true)
	checkExtra(e, b.DatosAdicionales)
	if err := e.err(); err != nil {
		return err
	}
	ticket, tpr, err := h.record(c, d.TicketID.v, core.ProfileEnquiry, msgNoTicket)
	if err != nil {
		return err
	}
	if campaign == nil {
		campaign = tpr.CampaignID
	}
	in := core.Intake{SameOpen: true, Lead: core.Lead{DealerID: c.dealer, SourceID: source, Client: client, Vehicle: &core.Vehicle{BrandModel: d.Modelo.v},
		Notes: []core.Note{{Content: d.Comments.v}}}, Profile: core.LeadProfile{Kind: core.ProfileOpportunity, ParentID: &ticket.ID,
		BusinessLineID: tpr.BusinessLineID, CampaignID: campaign, Ext: clientExt}}
	in.Profile.Ext["casabaca.via"] = "quotation"
	if withCall {
		in.Profile.Ext["casabaca.via"] = "call_quotation"
		cm.Subject, cm.Body = d.Type.v, d.Comments.v
		cm.Ext["casabaca.type"] = d.Type.v
		in.Communication = &cm
	} else {
		kind, err := h.commKind(c, source, viaTickets)
		if err != nil {
			return err
		}
		in.Communication = &core.Communication{Kind: kind, Direction: core.CommInbound, Status: core.CommHeld, UserID: cm.UserID, Body: d.Comments.v}
	}
	if b.DatosAdicionales.raw != nil {
		in.Profile.Ext["casabaca.datos_adicionales"] = string(b.DatosAdicionales.raw)
	}
	res, err := h.svc.IntakeLead(c.ctx, in)
	if err != nil {
		return err
	}
	out := map[string]any{"prospeccion_id": res.Lead.PublicID, "prospeccion_url": prospeccionURL(r, res.Lead)}
	if withCall && res.Communication != nil {
		out["call_id"] = res.Communication.PublicID
	}
	if res.Existing {
		out["message"] = "La prospección ya fue recibida"
	}
	return data(w, out)
}

// callsProspeccion serves POST /api/calls_prospeccion: a call on a
// prospección; of type cita, the meeting (planned) is made on it, unless
// it has a planned one already (the document's error).
func (h *handler) callsProspeccion(w http.ResponseWriter, r *http.Request, c *call) error {
	b, o, e, ck, cm, err := h.readCall(w, r, c, "datosSugarCRM.")
	if err != nil {
		return err
	}
	d := b.Datos
	cita := checkHeldCall(ck, d, "seguimiento, cita", "seguimiento", "cita")
	ck.required("prospeccion_id", d.ProspeccionID, "ID de la prospección es requerido")
	var mt meeting
	var asesor *core.User
	if cita {
		if asesor, err = h.staffField(c, o, ck, "user_name_asesor", d.UserNameAsesor, "User_name del asesor es requerido", msgUnknownAdvisor); err != nil {
			return err
		}
		mt = checkMeeting(e, o, d.Meeting, false)
	}
	checkExtra(e, b.DatosAdicionales)
	if err := e.err(); err != nil {
		return err
	}
	pros, _, err := h.record(c, d.ProspeccionID.v, core.ProfileOpportunity, msgNoProspeccion)
	if err != nil {
		return err
	}
	out := map[string]any{"prospeccion_id": pros.PublicID, "meeting_id": "N/A"}
	if cita {
		a := mt.appt
		a.LeadID, a.UserID = pros.ID, &asesor.ID
		appt, err := h.svc.CreateSoleAppointment(c.ctx, a)
		if errors.Is(err, core.ErrAppointmentPlanned) {
			return errPlanned()
		}
		if err != nil {
			return err
		}
		out["meeting_id"] = appt.PublicID
	}
	cm.LeadID, cm.Subject, cm.Body = pros.ID, d.Type.v, d.Notes.v
	setExt(cm.Ext, map[string]text{"type": d.Type, "category": d.Category})
	logged, err := h.logCall(c, cm, b.DatosAdicionales)
	if err != nil {
		return storedIf(cita, err)
	}
	out["call_id"] = logged.PublicID
	return data(w, out)
}

// closeProspeccion serves POST /api/close_prospeccion/{id}.
func (h *handler) closeProspeccion(w http.ResponseWriter, r *http.Request, c *call) error {
	var b struct {
		Datos struct {
			MotivoCierre text `json:"motivo_cierre"`
		} `json:"datosSugarCRM"`
	}
	if err := decode(w, r, &b); err != nil {
		return err
	}
	e := fieldErrors{}
	ck := check{e: e, prefix: "datosSugarCRM."}
	motivo := b.Datos.MotivoCierre
	if ck.required("motivo_cierre", motivo, "Motivo de cierre es requerido") {
		if _, ok := motivosCierreProspeccion[motivo.v]; !ok {
			ck.fail("motivo_cierre", msgMotivoProspeccion)
		}
	}
	l, _, err := h.record(c, r.PathValue("id"), core.ProfileOpportunity, msgNoProspeccion)
	if err != nil {
		return err
	}
	if err := e.err(); err != nil {
		return err
	}
	if l.Stage != core.StageEnd {
		if _, err := h.svc.CloseLead(c.ctx, l.ID, motivosCierreProspeccion[motivo.v], motivo.v, l.Version); err != nil {
			return err
		}
	}
	return data(w, map[string]any{"prospeccion_id": l.PublicID, "prospeccion_name": prospeccionName(l.ID)})
}

// formsData is datosSugarCRM of /api/forms_prospeccion.
type formsData struct {
	NumeroIdentificacion text `json:"numero_identificacion"`
	TipoIdentificacion   text `json:"tipo_identificacion"`
	Nombres              text `json:"nombres"`
	Apellidos            text `json:"apellidos"`
	Email                text `json:"email"`
	Celular              text `json:"celular"`
	Agencia              text `json:"agencia"`
	Fuente               text `json:"fuente"`
	Modelo               text `json:"modelo"`
	Comentarios          text `json:"comentarios"`
	TieneToyota          text `json:"tienetoyota"`
	InteresadoRenovacion text `json:"interesadorenovacion"`
	HoraEntrega          text `json:"horaentregainmediata"`
	AsesorCorreo         text `json:"asesorcorreo"`
	AsesorNombre         text `json:"asesornombre"`
}

// formsProspeccion serves POST /api/forms_prospeccion, the workshop app's
// form: a prospección of its own (no ticket), at the agency its S3S id
// names, given to the advisor its asesorcorreo names when he is one of
// the dealer's, else by the core's rule. Fields are named without
// datosSugarCRM., as the document's example shows.
func (h *handler) formsProspeccion(w http.ResponseWriter, r *http.Request, c *call) error {
	var b struct {
		Datos formsData `json:"datosSugarCRM"`
	}
	if err := decode(w, r, &b); err != nil {
		return err
	}
	o, err := h.svc.Organisation(c.ctx, c.dealer)
	if err != nil {
		return err
	}
	d := b.Datos
	e := fieldErrors{}
	ck := check{e: e}
	gov := identification(ck, d.TipoIdentificacion, d.NumeroIdentificacion, "tipo_identificacion", "numero_identificacion", true)
	ck.required("nombres", d.Nombres, "Nombres son requeridos")
	if d.TipoIdentificacion.v == "R" {
		ck.optional("apellidos", d.Apellidos, core.MaxShortText) // a company's may be blank
	} else {
		ck.required("apellidos", d.Apellidos, "Apellidos son requeridos")
	}
	if ck.required("email", d.Email, "Email es requerido") {
		ck.email("email", d.Email, "Email no es válido")
	}
	if ck.required("celular", d.Celular, "Celular es requerido") {
		ck.numeric("celular", d.Celular, "Celular debe ser numérico")
	}
	var agency core.Agency
	if ck.required("agencia", d.Agencia, "Agencia es requerida") && ck.numeric("agencia", d.Agencia, "Agencia debe ser numérica") {
		var ok bool
		if agency, ok = o.AgencyNamed(d.Agencia.v); !ok {
			ck.fail("agencia", "La agencia no existe")
		}
	}
	var source int64
	if ck.required("fuente", d.Fuente, "Fuente es requerida") && ck.oneOf("fuente", d.Fuente, "Fuente no permitida, valores válidos: 17 (APP Talleres)", "17") {
		if sc, ok := o.SourceCoded(d.Fuente.v); ok {
			source = sc.SourceID
		} else {
			ck.fail("fuente", "La fuente no existe")
		}
	}
	ck.required("modelo", d.Modelo, "Modelo es requerido")
	ck.optional("comentarios", d.Comentarios, core.MaxLongText)
	ck.enum("tienetoyota", d.TieneToyota, "Tiene Toyota no contiene un valor válido, valores válidos: 1(SI), 0(NO)", "0", "1")
	ck.enum("interesadorenovacion", d.InteresadoRenovacion, "Interesado en renovación no contiene un valor válido, valores válidos: 1(SI), 0(NO)", "0", "1")
	if ck.optional("horaentregainmediata", d.HoraEntrega, 19) {
		ck.date("horaentregainmediata", d.HoraEntrega, secondLayout, "La hora de entrega debe ser una fecha con el formato Y-m-d H:i:s")
	}
	if ck.optional("asesorcorreo", d.AsesorCorreo, core.MaxShortText) {
		ck.email("asesorcorreo", d.AsesorCorreo, "El correo del asesor no es válido")
	}
	ck.optional("asesornombre", d.AsesorNombre, core.MaxShortText)
	if err := e.err(); err != nil {
		return err
	}
	lead := core.Lead{DealerID: c.dealer, SourceID: source, Vehicle: &core.Vehicle{BrandModel: d.Modelo.v},
		Client: &core.Client{Name: strings.TrimSpace(d.Nombres.v + " " + d.Apellidos.v), Phone: d.Celular.v, Email: d.Email.v, GovID: gov}}
	if d.TipoIdentificacion.v == "R" {
		lead.Client.BusinessName = lead.Client.Name
	}
	if d.Comentarios.given() {
		lead.Notes = []core.Note{{Content: d.Comentarios.v}}
	}
	if d.AsesorCorreo.given() {
		u, err := h.svc.UserByLogin(c.ctx, d.AsesorCorreo.v)
		switch {
		case err == nil:
			if st, ok := o.StaffOf(u.ID); ok && st.Active && u.IsActive && strings.EqualFold(u.Email, d.AsesorCorreo.v) {
				lead.UserID = &u.ID
			}
		case core.ErrorCode(err) != core.NotFound:
			return err
		}
	}
	in := core.Intake{SameOpen: true, Lead: lead, Profile: core.LeadProfile{Kind: core.ProfileOpportunity, AgencyID: &agency.ID,
		Ext: map[string]string{"casabaca.via": "forms_prospeccion"}},
		Communication: &core.Communication{Kind: core.CommForm, Direction: core.CommInbound, Status: core.CommHeld, Body: d.Comentarios.v}}
	setExt(in.Profile.Ext, map[string]text{"tipo_identificacion": d.TipoIdentificacion, "tienetoyota": d.TieneToyota,
		"interesadorenovacion": d.InteresadoRenovacion, "horaentregainmediata": d.HoraEntrega, "asesorcorreo": d.AsesorCorreo,
		"asesornombre": d.AsesorNombre, "agencia": d.Agencia})
	res, err := h.svc.IntakeLead(c.ctx, in)
	if err != nil {
		return err
	}
	out := map[string]any{"prospeccion_id": res.Lead.PublicID, "ticket_url": prospeccionURL(r, res.Lead)}
	if res.Existing {
		out["message"] = "La prospección ya fue recibida"
	}
	return data(w, out)
}

// prospeccion serves GET /api/prospecciones/{id}, the record
// prospeccion_url points at (forecourt's own).
func (h *handler) prospeccion(w http.ResponseWriter, r *http.Request, c *call) error {
	l, pr, err := h.record(c, r.PathValue("id"), core.ProfileOpportunity, msgNoProspeccion)
	if err != nil {
		return err
	}
	out, err := h.renderLead(c, r, l, pr)
	if err != nil {
		return err
	}
	out["prospeccion_id"], out["prospeccion_name"], out["prospeccion_url"] = l.PublicID, prospeccionName(l.ID), prospeccionURL(r, l)
	out["ticket_id"] = nil
	if pr.ParentID != nil {
		if t, err := h.svc.FindLead(c.ctx, *pr.ParentID); err == nil {
			out["ticket_id"] = t.PublicID
		} else if core.ErrorCode(err) != core.NotFound {
			return err
		}
	}
	as, _, err := h.svc.FindAppointments(c.ctx, core.Query{Where: core.Eq("lead", l.ID), Limit: core.MaxItems})
	if err != nil {
		return err
	}
	meetings := []map[string]any{}
	for _, a := range as {
		m := map[string]any{"meeting_id": a.PublicID, "status": meetingStatus(a.Status), "date": a.StartAt.UTC().Format(minuteLayout),
			"subject": a.Title, "comments": a.Comments, "location": a.Place, "type": a.Ext["casabaca.meeting_type"],
			"visit_type": a.Ext["casabaca.visit_type"]}
		meetings = append(meetings, m)
	}
	out["meetings"] = meetings
	return data(w, out)
}

func meetingStatus(s core.AppointmentStatus) string {
	switch s {
	case core.AppointmentPlanned:
		return "Planned"
	case core.AppointmentDone:
		return "Held"
	}
	return "Not Held"
}

// landingPage serves POST /api/create_landing_page: the dealer's web form
// of that name is created, or updated, authorised by the autorizador (an
// administrator of the dealer).
func (h *handler) landingPage(w http.ResponseWriter, r *http.Request, c *call) error {
	var b struct {
		Datos struct {
			Name                 text `json:"name"`
			Medio                text `json:"medio"`
			Autorizador          text `json:"autorizador"`
			Campaign             text `json:"campaign"`
			BusinessLineID       text `json:"business_line_id"`
			UserLogin            text `json:"user_login"`
			TypeTransaction      text `json:"type_transaction"`
			UserAssignedPosition text `json:"user_assigned_position"`
		} `json:"datosSugarCRM"`
	}
	var raw struct {
		Datos struct {
			PropertiesForm propertiesForm `json:"properties_form"`
		} `json:"datosSugarCRM"`
	}
	if err := decodeTwice(w, r, &b, &raw); err != nil {
		return err
	}
	o, err := h.svc.Organisation(c.ctx, c.dealer)
	if err != nil {
		return err
	}
	d := b.Datos
	e := fieldErrors{}
	ck := check{e: e, prefix: "datosSugarCRM."}
	ck.required("name", d.Name, "Nombre del formulario es requerido")
	source := medioField(ck, o, d.Medio)
	props := raw.Datos.PropertiesForm
	switch {
	case props.notText:
		ck.fail("properties_form", "El campo properties_form contiene caracteres no permitidos")
	case props.bad:
		ck.fail("properties_form", "Propiedades del formulario debe ser un arreglo")
	case props.raw == "":
		ck.fail("properties_form", "Propiedades del formulario son requeridas")
	case len(props.raw) > core.MaxLongText:
		ck.fail("properties_form", "Propiedades del formulario no debe tener más de "+itoa(core.MaxLongText)+" caracteres")
	}
	var authoriser core.User
	if ck.required("autorizador", d.Autorizador, "El email del autorizador es requerido") && ck.email("autorizador", d.Autorizador, "El email del autorizador no es válido") {
		u, err := h.svc.UserByLogin(c.ctx, d.Autorizador.v)
		ok := err == nil
		if err == nil {
			if ok, err = h.svc.IsDealerAdministrator(c.ctx, u.ID, c.dealer); err != nil {
				return err
			}
		} else if core.ErrorCode(err) != core.NotFound {
			return err
		}
		if !ok {
			ck.fail("autorizador", "El autorizador no es administrador de la compañía")
		}
		authoriser = u
	}
	var campaign *int64
	if ck.required("campaign", d.Campaign, "Código de campaña es requerido") {
		if cp, ok := o.CampaignCoded(d.Campaign.v); ok {
			campaign = &cp.ID
		} else {
			ck.fail("campaign", "La campaña no existe")
		}
	}
	var line *int64
	if ck.required("business_line_id", d.BusinessLineID, "Código de línea de negocio es requerido") {
		if bl, ok := o.BusinessLineCoded(d.BusinessLineID.v); ok {
			line = &bl.ID
		} else {
			ck.fail("business_line_id", "La línea de negocio no existe")
		}
	}
	ck.required("user_login", d.UserLogin, "User login es requerido")
	ck.enum("type_transaction", d.TypeTransaction, msgTipoTransaccion, tiposTransaccion...)
	if ck.required("user_assigned_position", d.UserAssignedPosition, "Cargo del usuario para asignación es requerido") {
		ck.numeric("user_assigned_position", d.UserAssignedPosition, "Cargo del usuario para asignación debe ser numérico")
	}
	if err := e.err(); err != nil {
		return err
	}
	f := core.LeadForm{DealerID: c.dealer, Name: d.Name.v, SourceID: source, CampaignID: campaign, BusinessLineID: line,
		AssignPosition: d.UserAssignedPosition.v, Properties: props.raw, AuthorisedBy: &authoriser.ID, Ext: map[string]string{}}
	setExt(f.Ext, map[string]text{"user_login": d.UserLogin, "type_transaction": d.TypeTransaction})
	if _, _, err := h.svc.SaveLeadForm(c.ctx, f); err != nil {
		return err
	}
	return data(w, map[string]string{"status_code": "200", "messsage": "Landing Page creada correctamente"})
}
