package casabaca

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"forecourt/internal/core"
)

// A ticket is a core lead of kind enquiry (its profile), with the
// interaction that brought it (a core communication), its client matched
// by the core's rule, and what only Casabaca has in the profile's Ext
// ("casabaca.<field>"). See docs/casabaca.md, "Tickets".

// ticketData is datosSugarCRM of /api/tickets, /api/call_ticket and
// /api/landing_ticket (formulario and concesionario are the landing's).
type ticketData struct {
	NumeroIdentificacion   text `json:"numero_identificacion"`
	TipoIdentificacion     text `json:"tipo_identificacion"`
	Email                  text `json:"email"`
	UserName               text `json:"user_name"`
	Nombres                text `json:"nombres"`
	Apellidos              text `json:"apellidos"`
	Celular                text `json:"celular"`
	Telefono               text `json:"telefono"`
	LineaNegocio           text `json:"linea_negocio"`
	TipoTransaccion        text `json:"tipo_transaccion"`
	Anio                   text `json:"anio"`
	Placa                  text `json:"placa"`
	Medio                  text `json:"medio"`
	Campania               text `json:"campania"`
	Asunto                 text `json:"asunto"`
	ComentarioCliente      text `json:"comentario_cliente"`
	IDInteraccion          text `json:"id_interaccion_inconcert"`
	Description            text `json:"description"`
	PorcentajeDiscapacidad text `json:"porcentaje_discapacidad"`
	Marca                  text `json:"marca"`
	Modelo                 text `json:"modelo"`
	Precio                 text `json:"precio"`
	Color                  text `json:"color"`
	AnioMin                text `json:"anioMin"`
	AnioMax                text `json:"anioMax"`
	Kilometraje            text `json:"kilometraje"`
	Combustible            text `json:"combustible"`
	Formulario             text `json:"formulario"`
	Concesionario          text `json:"concesionario"`
}

type ticketBody struct {
	Datos            ticketData `json:"datosSugarCRM"`
	DatosAdicionales extra      `json:"datos_adicionales"`
}

// ticketVia is the endpoint a ticket came by.
type ticketVia string

const (
	viaTickets ticketVia = "tickets"
	viaCall    ticketVia = "call_ticket"
	viaLanding ticketVia = "landing_ticket"
)

// The document's enumerations.
var (
	lineasNegocio       = []string{"1", "2", "3", "4"}
	tiposTransaccion    = []string{"1", "2", "3", "4"}
	porcentajes         = []string{"30_49", "50_74", "75_84", "85_100"}
	combustibles        = []string{"gasolina", "diesel"}
	motivosCierreTicket = map[string]core.Outcome{
		"abandono_chat": core.OutcomeUnreachable, "solo_informacion": core.OutcomeNoSale, "desiste": core.OutcomeNoSale,
		"no_contesta": core.OutcomeUnreachable, "compra_futura": core.OutcomeNoSale,
	}
)

const msgTipoTransaccion = "Tipo de transacción no contiene un valor válido, valores válidos: 1 (Ventas),2 (Tomas),3 (Quejas),4 (Info General)"

const msgLineaNegocio = "Línea de negocio no contiene un valor válido, valores válidos: 1(Postventa),2(Nuevos), 3(Seminuevos), 4(Exonerados)"

// checkExtra bounds datos_adicionales.
func checkExtra(e fieldErrors, x extra) {
	switch {
	case x.bad:
		e.add("datos_adicionales", "Datos adicionales debe ser un objeto JSON")
	case x.notText:
		e.add("datos_adicionales", "El campo datos_adicionales contiene caracteres no permitidos")
	case len(x.raw) > core.MaxLongText:
		e.add("datos_adicionales", "Datos adicionales no debe tener más de "+itoa(core.MaxLongText)+" caracteres")
	}
}

func (h *handler) tickets(w http.ResponseWriter, r *http.Request, c *call) error {
	return h.ticketIntake(w, r, c, viaTickets)
}

func (h *handler) callTicket(w http.ResponseWriter, r *http.Request, c *call) error {
	return h.ticketIntake(w, r, c, viaCall)
}

func (h *handler) landingTicket(w http.ResponseWriter, r *http.Request, c *call) error {
	return h.ticketIntake(w, r, c, viaLanding)
}

// ticketIntake serves the three ways a ticket arrives: it validates every
// field at once (422), resolves the advisor (404), then stores the lead
// through core.IntakeLead, which matches the client, refuses a duplicate
// and assigns it.
func (h *handler) ticketIntake(w http.ResponseWriter, r *http.Request, c *call, via ticketVia) error {
	var b ticketBody
	if err := decode(w, r, &b); err != nil {
		return err
	}
	o, err := h.svc.Organisation(c.ctx, c.dealer)
	if err != nil {
		return err
	}
	d := b.Datos
	e := fieldErrors{}
	ck := check{e: e} // the document names these fields without datosSugarCRM.
	in := core.Intake{SameOpen: true, Profile: core.LeadProfile{Kind: core.ProfileEnquiry, Ext: map[string]string{"casabaca.via": string(via)}}}
	ext := in.Profile.Ext
	gov := identification(ck, d.TipoIdentificacion, d.NumeroIdentificacion, "tipo_identificacion", "numero_identificacion", via != viaTickets)
	if ck.required("email", d.Email, "Email es requerido") {
		ck.email("email", d.Email, "Email no es válido")
	}
	ck.required("nombres", d.Nombres, "Nombres son requeridos")
	ck.required("apellidos", d.Apellidos, "Apellidos son requeridos")
	if ck.required("celular", d.Celular, "Celular es requerido") {
		ck.numeric("celular", d.Celular, "Celular debe ser numérico")
	}
	lead := core.Lead{DealerID: c.dealer, Client: &core.Client{Name: strings.TrimSpace(d.Nombres.v + " " + d.Apellidos.v),
		Phone: d.Celular.v, Email: d.Email.v, GovID: gov}}
	var form core.LeadForm
	var agency core.Agency
	if via == viaLanding {
		if ck.required("formulario", d.Formulario, "Formulario es requerido") {
			var ok bool
			if form, ok = o.Form(d.Formulario.v); !ok {
				ck.fail("formulario", "El formulario no existe")
			}
		}
		if ck.required("concesionario", d.Concesionario, "Concesionario es requerido") {
			var ok bool
			if agency, ok = o.AgencyNamed(d.Concesionario.v); !ok {
				ck.fail("concesionario", "El concesionario no existe")
			}
		}
		if form.ID != 0 {
			lead.SourceID = form.SourceID
			in.Profile.FormID, in.Profile.CampaignID, in.Profile.BusinessLineID = &form.ID, form.CampaignID, form.BusinessLineID
			in.AssignPosition = form.AssignPosition
		}
		if agency.ID != 0 {
			in.Profile.AgencyID = &agency.ID
		}
		ext["casabaca.formulario"], ext["casabaca.concesionario"] = d.Formulario.v, d.Concesionario.v
	} else {
		if ck.required("medio", d.Medio, "Medio es requerido") && ck.numeric("medio", d.Medio, "Medio debe ser numérico") {
			if sc, ok := o.SourceCoded(d.Medio.v); ok {
				lead.SourceID = sc.SourceID
			} else {
				ck.fail("medio", "El medio no existe")
			}
		}
		if via != viaLanding && ck.required("id_interaccion_inconcert", d.IDInteraccion, "ID de interacción es requerido") {
			in.Ref = &core.LeadRef{System: "casabaca.inconcert", Ref: d.IDInteraccion.v}
			ext["casabaca.id_interaccion_inconcert"] = d.IDInteraccion.v
		}
		if ck.optional("telefono", d.Telefono, 20) {
			ck.numeric("telefono", d.Telefono, "Teléfono debe ser numérico")
		}
		if ck.enum("linea_negocio", d.LineaNegocio, msgLineaNegocio, lineasNegocio...) {
			if bl, ok := o.BusinessLineCoded(d.LineaNegocio.v); ok {
				in.Profile.BusinessLineID = &bl.ID
			} else {
				ck.fail("linea_negocio", "La línea de negocio no existe")
			}
		}
		ck.enum("tipo_transaccion", d.TipoTransaccion, msgTipoTransaccion, tiposTransaccion...)
		if ck.optional("campania", d.Campania, 255) {
			if cp, ok := o.CampaignCoded(d.Campania.v); ok {
				in.Profile.CampaignID = &cp.ID
			} else {
				ck.fail("campania", "La campaña no existe")
			}
		}
		ck.optional("user_name", d.UserName, 255)
		if !d.UserName.given() && !d.UserName.bad && h.fromInConcert(c, o) {
			ck.fail("user_name", "User_name es requerido si la fuente es inConcert")
		}
		ck.optional("comentario_cliente", d.ComentarioCliente, core.MaxLongText)
		// call_ticket has no asunto: the rule is the tickets' alone
		if !ck.optional("asunto", d.Asunto, core.MaxShortText) && d.ComentarioCliente.given() && !d.Asunto.bad && via == viaTickets {
			ck.fail("asunto", "Asunto es requerido si existe comentario del cliente")
		}
		ck.optional("description", d.Description, core.MaxLongText)
		ck.enum("porcentaje_discapacidad", d.PorcentajeDiscapacidad,
			"Porcentaje de discapacidad no contiene un valor válido, valores válidos: 30_49, 50_74, 75_84, 85_100", porcentajes...)
		ck.enum("combustible", d.Combustible, "Combustible no contiene un valor válido, valores válidos: gasolina, diesel", combustibles...)
		for _, y := range []struct {
			name string
			t    text
		}{{"anio", d.Anio}, {"anioMin", d.AnioMin}, {"anioMax", d.AnioMax}} {
			if ck.optional(y.name, y.t, 4) {
				ck.number(y.name, y.t, 1900, 2100, "El campo "+y.name+" debe ser un año")
			}
		}
		if ck.optional("kilometraje", d.Kilometraje, 9) {
			ck.number("kilometraje", d.Kilometraje, 0, 999999999, "Kilometraje debe ser numérico")
		}
		if ck.optional("precio", d.Precio, 20) {
			switch n, err := strconv.ParseFloat(d.Precio.v, 64); {
			case err != nil || strings.ContainsAny(d.Precio.v, "eEnN"):
				ck.fail("precio", "Precio debe ser numérico")
			case n < 0 || n > core.MaxVehicle: // the core's bounds of a vehicle's price, named here
				ck.fail("precio", fmt.Sprintf("El campo precio debe estar entre 0 y %d", int64(core.MaxVehicle)))
			}
		}
		for _, f := range []struct {
			name string
			t    text
		}{{"placa", d.Placa}, {"marca", d.Marca}, {"modelo", d.Modelo}, {"color", d.Color}} {
			ck.optional(f.name, f.t, core.MaxShortText)
		}
	}
	checkExtra(e, b.DatosAdicionales)
	if err := e.err(); err != nil {
		return err
	}

	// what Casabaca alone has, as given
	for k, v := range map[string]text{"telefono": d.Telefono, "tipo_identificacion": d.TipoIdentificacion, "tipo_transaccion": d.TipoTransaccion,
		"porcentaje_discapacidad": d.PorcentajeDiscapacidad, "asunto": d.Asunto, "placa": d.Placa, "marca": d.Marca, "modelo": d.Modelo,
		"color": d.Color, "anio_min": d.AnioMin, "anio_max": d.AnioMax, "combustible": d.Combustible, "linea_negocio": d.LineaNegocio} {
		if v.given() {
			ext["casabaca."+k] = v.v
		}
	}
	if b.DatosAdicionales.raw != nil {
		ext["casabaca.datos_adicionales"] = string(b.DatosAdicionales.raw)
	}
	lead.Vehicle = ticketVehicle(d, o, in.Profile.BusinessLineID)
	if d.ComentarioCliente.given() {
		note := d.ComentarioCliente.v
		if d.Asunto.given() {
			note = d.Asunto.v + ": " + note
		}
		lead.Notes = append(lead.Notes, core.Note{Content: note})
	}
	if d.Description.given() {
		lead.Notes = append(lead.Notes, core.Note{Content: "Comentario asesor: " + d.Description.v})
	}
	if d.UserName.given() {
		u, ok, err := h.staffUser(c, o, d.UserName.v)
		if err != nil {
			return err
		}
		if !ok {
			return notFound("User-name inválido, asesor no se encuentra registrado")
		}
		lead.UserID = &u.ID
	}
	kind, err := h.commKind(c, lead.SourceID, via)
	if err != nil {
		return err
	}
	in.Communication = &core.Communication{Kind: kind, Direction: core.CommInbound, Status: core.CommHeld,
		Subject: d.Asunto.v, Body: d.ComentarioCliente.v, UserID: lead.UserID}
	in.Lead = lead
	res, err := h.svc.IntakeLead(c.ctx, in)
	if err != nil {
		return err
	}
	out := map[string]any{"ticket_id": res.Lead.PublicID, "ticket_name": ticketName(res.Lead.ID)}
	if via != viaCall && res.Communication != nil {
		out["interaction_id"] = res.Communication.PublicID
	}
	if via != viaTickets {
		out["ticket_url"] = baseURL(r) + "/api/tickets/" + res.Lead.PublicID
	}
	if res.Existing {
		out["message"] = "El ticket ya fue recibido"
	}
	return data(w, out)
}

// ticketVehicle is the vehicle a ticket is about: the core needs one.
// Its brand and model are Casabaca's codes ("consulte la tabla"), kept as
// given; without them, the plate, or else the business line's name.
func ticketVehicle(d ticketData, o core.Organisation, line *int64) *core.Vehicle {
	v := &core.Vehicle{BrandModel: strings.TrimSpace(d.Marca.v + " " + d.Modelo.v), Price: d.Precio.v, Km: d.Kilometraje.v}
	if n, ok := atoi(d.Anio.v); ok {
		v.Year = &n
	}
	if v.BrandModel == "" {
		v.BrandModel = d.Placa.v
	}
	if v.BrandModel == "" && line != nil {
		if bl, ok := o.BusinessLine(*line); ok {
			v.BrandModel = bl.Name
		}
	}
	if v.BrandModel == "" {
		v.BrandModel = "Sin especificar"
	}
	return v
}

// fromInConcert reports whether the caller's fuente is inConcert (its
// register's fuente, kept in its staff's Ext).
func (h *handler) fromInConcert(c *call, o core.Organisation) bool {
	st, ok := o.StaffOf(c.p.UserID)
	return ok && strings.EqualFold(strings.ReplaceAll(st.Ext["casabaca.fuente"], " ", ""), "inconcert")
}

// commKind is the kind of the interaction that brought a ticket: a call
// for call_ticket, a form for a landing page, otherwise by the medio's
// channel (chat, WhatsApp, phone, web form, e-mail).
func (h *handler) commKind(c *call, sourceID int64, via ticketVia) (core.CommKind, error) {
	switch via {
	case viaCall:
		return core.CommCall, nil
	case viaLanding:
		return core.CommForm, nil
	}
	srcs, err := h.svc.SourcesByID(c.ctx, []int64{sourceID})
	if err != nil || len(srcs) == 0 {
		return core.CommChat, err
	}
	chs, err := h.svc.Channels(c.ctx)
	if err != nil {
		return "", err
	}
	i := slices.IndexFunc(chs, func(ch core.Channel) bool { return ch.ID == srcs[0].ChannelID })
	if i < 0 {
		return core.CommChat, nil
	}
	switch chs[i].Slug {
	case core.ChannelPhone:
		return core.CommCall, nil
	case core.ChannelWhatsapp:
		return core.CommWhatsapp, nil
	case core.ChannelWeb:
		return core.CommForm, nil
	case core.ChannelEmail:
		return core.CommEmail, nil
	}
	return core.CommChat, nil
}

func ticketName(id int64) string      { return "TCK-" + strconv.FormatInt(id, 10) }
func prospeccionName(id int64) string { return "PROSPECTO-" + strconv.FormatInt(id, 10) }

// record finds a lead of the call's dealer by its public id whose profile
// is of kind; anything else (another dealer's, another kind, no such id)
// is the document's 404 with msg.
func (h *handler) record(c *call, id string, kind core.ProfileKind, msg string) (core.Lead, core.LeadProfile, error) {
	n, err := h.svc.ResolvePublicID(c.ctx, core.RecordLead, strings.TrimSpace(id))
	if core.ErrorCode(err) == core.NotFound {
		return core.Lead{}, core.LeadProfile{}, notFound(msg)
	}
	if err != nil {
		return core.Lead{}, core.LeadProfile{}, err
	}
	l, err := h.svc.FindLead(c.ctx, n)
	if core.ErrorCode(err) == core.NotFound || (err == nil && l.DealerID != c.dealer) {
		return core.Lead{}, core.LeadProfile{}, notFound(msg)
	}
	if err != nil {
		return core.Lead{}, core.LeadProfile{}, err
	}
	pr, err := h.svc.LeadProfile(c.ctx, n)
	if err != nil {
		return core.Lead{}, core.LeadProfile{}, err
	}
	if pr.Kind != kind {
		return core.Lead{}, core.LeadProfile{}, notFound(msg)
	}
	return l, pr, nil
}

const (
	msgNoTicket      = "Ticket no existe, id inválido"
	msgNoProspeccion = "Prospección no existe, id inválido"
)

// closeTicket serves POST /api/close_ticket/{id}: the lead ends with the
// motivo_cierre's outcome and the motivo as its reason. Closing a closed
// ticket changes nothing and answers the same.
func (h *handler) closeTicket(w http.ResponseWriter, r *http.Request, c *call) error {
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
		if _, ok := motivosCierreTicket[motivo.v]; !ok {
			ck.fail("motivo_cierre", "Motivo de cierre no contiene un valor válido, valores válidos: abandono_chat, solo_informacion, desiste, no_contesta, compra_futura")
		}
	}
	l, _, err := h.record(c, r.PathValue("id"), core.ProfileEnquiry, msgNoTicket)
	if err != nil {
		return err
	}
	if err := e.err(); err != nil {
		return err
	}
	if l.Stage != core.StageEnd {
		if _, err := h.svc.CloseLead(c.ctx, l.ID, motivosCierreTicket[motivo.v], motivo.v, l.Version); err != nil {
			return err
		}
	}
	return data(w, map[string]any{"ticket_id": l.PublicID, "ticket_name": ticketName(l.ID)})
}

// notAnswerTicket serves POST /api/not_answer_ticket/{id}: an outbound
// call nobody answered is logged on the ticket.
func (h *handler) notAnswerTicket(w http.ResponseWriter, r *http.Request, c *call) error {
	l, _, err := h.record(c, r.PathValue("id"), core.ProfileEnquiry, msgNoTicket)
	if err != nil {
		return err
	}
	if _, err := h.svc.LogCommunication(c.ctx, core.Communication{LeadID: l.ID, Kind: core.CommCall, Direction: core.CommOutbound,
		Status: core.CommNotAnswered, Ext: map[string]string{"casabaca.via": "not_answer_ticket"}}); err != nil {
		return err
	}
	return data(w, map[string]any{"ticket_id": l.PublicID, "ticket_name": ticketName(l.ID)})
}

// addNotes serves POST /api/ticket/addNotes/{id}: a core note on the
// ticket; interaction, when given, must be one of the ticket's, and
// prospeccion one of its prospecciones, which gets the note too.
func (h *handler) addNotes(w http.ResponseWriter, r *http.Request, c *call) error {
	var b struct {
		Datos struct {
			Notes       text `json:"notes"`
			Interaction text `json:"interaction"`
			Prospeccion text `json:"prospeccion"`
		} `json:"datosSugarCRM"`
	}
	if err := decode(w, r, &b); err != nil {
		return err
	}
	l, _, err := h.record(c, r.PathValue("id"), core.ProfileEnquiry, msgNoTicket)
	if err != nil {
		return err
	}
	e := fieldErrors{}
	ck := check{e: e, prefix: "datosSugarCRM."}
	d := b.Datos
	if ck.required("notes", d.Notes, "Notes es requerido") {
		ck.valid("notes", d.Notes, core.MaxLongText)
	}
	if ck.optional("interaction", d.Interaction, 64) {
		id, err := h.svc.ResolvePublicID(c.ctx, core.RecordCommunication, d.Interaction.v)
		var cm core.Communication
		if err == nil {
			cm, err = h.svc.FindCommunication(c.ctx, id)
		}
		if core.ErrorCode(err) == core.NotFound || (err == nil && cm.LeadID != l.ID) {
			ck.fail("interaction", "La interacción no existe en el ticket")
		} else if err != nil {
			return err
		}
	}
	var pros *core.Lead
	if ck.optional("prospeccion", d.Prospeccion, 64) {
		p, pr, err := h.record(c, d.Prospeccion.v, core.ProfileOpportunity, msgNoProspeccion)
		switch {
		case err == nil && pr.ParentID != nil && *pr.ParentID == l.ID:
			pros = &p
		case err == nil || isAPIError(err):
			ck.fail("prospeccion", "La prospección no existe en el ticket")
		default:
			return err
		}
	}
	if err := e.err(); err != nil {
		return err
	}
	content := d.Notes.v
	if d.Interaction.given() {
		content += " (interacción " + d.Interaction.v + ")"
	}
	if _, err := h.svc.CreateNote(c.ctx, core.Note{LeadID: l.ID, Content: content}); err != nil {
		return err
	}
	if pros != nil {
		if _, err := h.svc.CreateNote(c.ctx, core.Note{LeadID: pros.ID, Content: d.Notes.v}); err != nil {
			return stored(err)
		}
	}
	return data(w, map[string]any{"ticket_id": l.PublicID, "ticket_name": ticketName(l.ID)})
}

func isAPIError(err error) bool {
	_, ok := err.(*apiError)
	return ok
}

// ticket serves GET /api/tickets/{id}, the record ticket_url points at
// (forecourt's own: the document has no read of a ticket).
func (h *handler) ticket(w http.ResponseWriter, r *http.Request, c *call) error {
	l, pr, err := h.record(c, r.PathValue("id"), core.ProfileEnquiry, msgNoTicket)
	if err != nil {
		return err
	}
	out, err := h.renderLead(c, r, l, pr)
	if err != nil {
		return err
	}
	out["ticket_id"], out["ticket_name"] = l.PublicID, ticketName(l.ID)
	out["ticket_url"] = baseURL(r) + "/api/tickets/" + l.PublicID
	children, err := h.svc.LeadChildren(c.ctx, l.ID)
	if err != nil {
		return err
	}
	ps := []string{}
	for _, id := range children[:min(len(children), core.MaxItems)] {
		p, err := h.svc.FindLead(c.ctx, id)
		if err != nil {
			return err
		}
		ps = append(ps, p.PublicID)
	}
	out["prospecciones"] = ps
	return data(w, out)
}

// renderLead renders what a ticket and a prospección share.
func (h *handler) renderLead(c *call, r *http.Request, l core.Lead, pr core.LeadProfile) (map[string]any, error) {
	o, err := h.svc.Organisation(c.ctx, c.dealer)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"estado": "1", "stage": string(l.Stage), "cerrado": l.Stage == core.StageEnd, "motivo_cierre": nullable(l.Reason),
		"fecha_creacion": l.CreatedAt.UTC().Format(minuteLayout), "medio": nil, "linea_negocio": nil, "campania": nil, "user_name": nil}
	if sc, ok := o.SourceCode(l.SourceID); ok {
		out["medio"] = sc.Code
	}
	if pr.BusinessLineID != nil {
		if bl, ok := o.BusinessLine(*pr.BusinessLineID); ok {
			out["linea_negocio"] = bl.Code
		}
	}
	if pr.CampaignID != nil {
		if cp, ok := o.Campaign(*pr.CampaignID); ok {
			out["campania"] = cp.PublicID
		}
	}
	if l.UserID != nil {
		if us, err := h.svc.UsersByID(c.ctx, []int64{*l.UserID}); err != nil {
			return nil, err
		} else if len(us) == 1 {
			out["user_name"] = us[0].Username
		}
	}
	if l.Client != nil {
		out["client"] = map[string]any{"numero_identificacion": l.Client.GovID, "tipo_identificacion": nullable(pr.Ext["casabaca.tipo_identificacion"]),
			"nombre": l.Client.Name, "email": l.Client.Email, "celular": l.Client.Phone}
	}
	notes := []map[string]any{}
	for _, n := range l.Notes {
		notes = append(notes, map[string]any{"nota": n.Content, "fecha": n.Created.UTC().Format(minuteLayout)})
	}
	out["notes"] = notes
	cs, err := h.svc.LeadCommunications(c.ctx, l.ID)
	if err != nil {
		return nil, err
	}
	calls := []map[string]any{}
	for _, cm := range cs {
		calls = append(calls, map[string]any{"id": cm.PublicID, "tipo": string(cm.Kind), "direction": directionWord(cm.Direction),
			"status": statusWord(cm.Status), "date_start": cm.StartAt.UTC().Format(minuteLayout),
			"duration_minutes": int(cm.Duration / time.Minute), "asunto": cm.Subject})
	}
	out["interactions"] = calls
	// Casabaca's estado: 7 closed, 4 when the last interaction went
	// unanswered, else 1 (new)
	switch {
	case l.Stage == core.StageEnd:
		out["estado"] = "7"
	case len(cs) > 0 && cs[len(cs)-1].Status == core.CommNotAnswered:
		out["estado"] = "4"
	}
	var extra any
	if raw := pr.Ext["casabaca.datos_adicionales"]; raw != "" {
		extra = json.RawMessage(raw)
	}
	out["datos_adicionales"] = extra
	return out, nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func directionWord(d core.CommDirection) string {
	if d == core.CommOutbound {
		return "Outbound"
	}
	return "Inbound"
}

func statusWord(s core.CommStatus) string {
	switch s {
	case core.CommPlanned:
		return "Planned"
	case core.CommNotAnswered:
		return "Not Held"
	}
	return "Held"
}
