package casabaca

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"forecourt/internal/core"
)

// An avalúo is the appraisal of a client's vehicle offered as a trade-in:
// a core task of type appraisal with its appraisal, on a ticket or a
// prospección. The document shows the avalúos endpoints without bodies or
// answers; docs/casabaca.md, "Avalúos", says what forecourt takes and
// answers.

// avaluoData is datosSugarCRM of /api/createUpdateAvaluo.
type avaluoData struct {
	ID            text `json:"id"`
	TicketID      text `json:"ticket_id"`
	ProspeccionID text `json:"prospeccion_id"`
	Placa         text `json:"placa"`
	Marca         text `json:"marca"`
	Modelo        text `json:"modelo"`
	Anio          text `json:"anio"`
	Kilometraje   text `json:"kilometraje"`
	Combustible   text `json:"combustible"`
	Origen        text `json:"origen"`
	Extras        text `json:"extras"`
	Observaciones text `json:"observaciones"`
	Fecha         text `json:"fecha"`
	Realizado     flag `json:"realizado"`
}

// maxAvaluos bounds the leads GET /api/getAvaluos reads (the newest).
const maxAvaluos = 200

var origenes = map[string]core.AppraisalOrigin{"nacional": core.OriginNational, "extranjero": core.OriginForeign}

// fold lowercases s and drops Spanish accents, to compare names.
func fold(s string) string {
	return strings.NewReplacer("á", "a", "é", "e", "í", "i", "ó", "o", "ú", "u", "ü", "u").Replace(strings.ToLower(strings.TrimSpace(s)))
}

// saveAvaluo serves POST /api/createUpdateAvaluo: with an id, the avalúo
// is updated (the fields given); without, it is created on the ticket or
// prospección named.
func (h *handler) saveAvaluo(w http.ResponseWriter, r *http.Request, c *call) error {
	var b struct {
		Datos avaluoData `json:"datosSugarCRM"`
	}
	if err := decode(w, r, &b); err != nil {
		return err
	}
	d := b.Datos
	e := fieldErrors{}
	ck := check{e: e, prefix: "datosSugarCRM."}
	update := ck.optional("id", d.ID, 64)
	if !update {
		switch {
		case !d.TicketID.given() && !d.ProspeccionID.given():
			ck.fail("ticket_id", "ID del ticket o de la prospección es requerido")
		case d.TicketID.given() && d.ProspeccionID.given():
			// one lead holds the avalúo: neither is taken silently
			ck.fail("prospeccion_id", "Indique el ID del ticket o el de la prospección, no ambos")
		}
		ck.required("placa", d.Placa, "Placa es requerida")
		ck.required("modelo", d.Modelo, "Modelo es requerido")
	} else {
		ck.optional("placa", d.Placa, 20)
		ck.optional("modelo", d.Modelo, core.MaxShortText)
	}
	ck.optional("ticket_id", d.TicketID, 64)
	ck.optional("prospeccion_id", d.ProspeccionID, 64)
	ck.optional("marca", d.Marca, core.MaxShortText)
	if ck.optional("anio", d.Anio, 4) {
		ck.number("anio", d.Anio, 1900, 2100, "El año debe ser un año")
	}
	if ck.optional("kilometraje", d.Kilometraje, 9) {
		ck.number("kilometraje", d.Kilometraje, 0, 999999999, "Kilometraje debe ser numérico")
	}
	var gas *int64
	if ck.optional("combustible", d.Combustible, 64) {
		gts, err := h.svc.GasTypes(c.ctx)
		if err != nil {
			return err
		}
		for _, g := range gts {
			if fold(g.Name) == fold(d.Combustible.v) {
				gas = &g.ID
			}
		}
		if gas == nil {
			ck.fail("combustible", "Combustible no existe")
		}
	}
	if ck.optional("origen", d.Origen, 20) {
		ck.oneOf("origen", d.Origen, "Origen no contiene un valor válido, valores válidos: nacional, extranjero", "nacional", "extranjero")
	}
	ck.optional("extras", d.Extras, core.MaxLongText)
	ck.optional("observaciones", d.Observaciones, core.MaxLongText)
	var fecha *time.Time
	if ck.optional("fecha", d.Fecha, 16) {
		if t, ok := ck.date("fecha", d.Fecha, minuteLayout, "La fecha debe tener el formato Y-m-d H:i"); ok {
			fecha = &t
		}
	}
	if d.Realizado.bad {
		ck.fail("realizado", "Realizado debe ser true o false")
	}
	if err := e.err(); err != nil {
		return err
	}
	var year *int
	if n, ok := atoi(d.Anio.v); ok {
		year = &n
	}
	brandModel := joinNonEmpty(d.Marca.v, d.Modelo.v)
	if update {
		task, err := h.avaluoTask(c, d.ID.v)
		if err != nil {
			return err
		}
		ap := &core.AppraisalPatch{ID: &task.Appraisal.ID}
		if brandModel != "" {
			ap.BrandModel = core.Value(brandModel)
		}
		setField(&ap.LicensePlate, d.Placa)
		setField(&ap.Km, d.Kilometraje)
		setField(&ap.Extras, d.Extras)
		if year != nil {
			ap.Year = core.Value(year)
		}
		if gas != nil {
			ap.GasID = core.Value(gas)
		}
		if d.Origen.given() {
			ap.Origin = core.Value(origenes[d.Origen.v])
		}
		patch := core.TaskPatch{Appraisal: ap}
		setField(&patch.Description, d.Observaciones)
		if fecha != nil {
			patch.PlannedAt = core.Value(fecha)
		}
		if d.Realizado.set {
			patch.Done = core.Value(d.Realizado.v)
		}
		if task, err = h.svc.UpdateTask(c.ctx, task.ID, patch); err != nil {
			return err
		}
		return stored(h.answerAvaluo(w, r, c, task))
	}
	var lead core.Lead
	var err error
	if d.TicketID.given() {
		lead, _, err = h.record(c, d.TicketID.v, core.ProfileEnquiry, msgNoTicket)
	} else {
		lead, _, err = h.record(c, d.ProspeccionID.v, core.ProfileOpportunity, msgNoProspeccion)
	}
	if err != nil {
		return err
	}
	t := core.Task{Type: core.TaskAppraisal, Description: d.Observaciones.v, PlannedAt: fecha, Done: d.Realizado.v,
		Appraisal: &core.Appraisal{BrandModel: brandModel, LicensePlate: d.Placa.v, Km: d.Kilometraje.v, Year: year, GasID: gas,
			Extras: d.Extras.v, Origin: origenes[d.Origen.v]}}
	task, err := h.svc.CreateTask(c.ctx, lead.ID, t)
	if err != nil {
		return err
	}
	return stored(h.answerAvaluo(w, r, c, task))
}

func setField(f *core.Field[string], t text) {
	if t.given() {
		*f = core.Value(t.v)
	}
}

const msgNoAvaluo = "Avalúo no existe, id inválido"

// avaluoTask finds an appraisal task of the call's dealer by its public
// id; anything else is the 404.
func (h *handler) avaluoTask(c *call, id string) (core.Task, error) {
	n, err := h.svc.ResolvePublicID(c.ctx, core.RecordTask, strings.TrimSpace(id))
	if core.ErrorCode(err) == core.NotFound {
		return core.Task{}, notFound(msgNoAvaluo)
	}
	if err != nil {
		return core.Task{}, err
	}
	t, err := h.svc.FindTask(c.ctx, n)
	if core.ErrorCode(err) == core.NotFound || (err == nil && (t.Type != core.TaskAppraisal || t.Appraisal == nil || t.DealerID != c.dealer)) {
		return core.Task{}, notFound(msgNoAvaluo)
	}
	return t, err
}

func (h *handler) answerAvaluo(w http.ResponseWriter, r *http.Request, c *call, t core.Task) error {
	out, err := h.renderAvaluo(r, c, t)
	if err != nil {
		return err
	}
	return data(w, out)
}

// renderAvaluo renders an avalúo with its lead's ids and its URLs.
func (h *handler) renderAvaluo(r *http.Request, c *call, t core.Task) (map[string]any, error) {
	a := t.Appraisal
	l, err := h.svc.FindLead(c.ctx, t.LeadID)
	if err != nil {
		return nil, err
	}
	pr, err := h.svc.LeadProfile(c.ctx, t.LeadID)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"avaluo_id": t.PublicID, "ticket_id": nil, "prospeccion_id": nil, "placa": a.LicensePlate,
		"marca_modelo": a.BrandModel, "anio": nil, "kilometraje": a.Km, "combustible": nil, "origen": nil, "extras": a.Extras,
		"observaciones": t.Description, "fecha": nil, "realizado": t.Done, "cliente": nil,
		"pdf_url": baseURL(r) + "/api/pdf/" + t.PublicID, "correo_url": baseURL(r) + "/api/correo/" + t.PublicID}
	if pr.Kind == core.ProfileOpportunity {
		out["prospeccion_id"] = l.PublicID
	} else {
		out["ticket_id"] = l.PublicID
	}
	if a.Year != nil {
		out["anio"] = strconv.Itoa(*a.Year)
	}
	if a.GasID != nil {
		gts, err := h.svc.GasTypes(c.ctx)
		if err != nil {
			return nil, err
		}
		for _, g := range gts {
			if g.ID == *a.GasID {
				out["combustible"] = g.Name
			}
		}
	}
	for k, v := range origenes {
		if v == a.Origin && a.Origin != "" {
			out["origen"] = k
		}
	}
	if t.PlannedAt != nil {
		out["fecha"] = t.PlannedAt.UTC().Format(minuteLayout)
	}
	if l.Client != nil {
		out["cliente"] = map[string]any{"nombre": l.Client.Name, "numero_identificacion": l.Client.GovID, "email": l.Client.Email, "celular": l.Client.Phone}
	}
	return out, nil
}

// avaluos serves GET /api/getAvaluos: the avalúos of the dealer's newest
// leads (at most maxAvaluos leads), newest lead first.
func (h *handler) avaluos(w http.ResponseWriter, r *http.Request, c *call) error {
	leads, _, err := h.svc.FindLeads(c.ctx, core.Query{Where: core.And(core.Eq("dealer", c.dealer), core.Eq("tasks.type", string(core.TaskAppraisal))),
		Sort: []core.Sort{{Field: "id", Desc: true}}, Limit: maxAvaluos})
	if err != nil {
		return err
	}
	out := []map[string]any{}
	for _, l := range leads {
		for _, t := range l.Tasks {
			if t.Type != core.TaskAppraisal || t.Appraisal == nil {
				continue
			}
			t.LeadID = l.ID
			a, err := h.renderAvaluo(r, c, t)
			if err != nil {
				return err
			}
			out = append(out, a)
		}
	}
	return data(w, out)
}

// avaluo serves GET /api/getAvaluo/{id}.
func (h *handler) avaluo(w http.ResponseWriter, r *http.Request, c *call) error {
	t, err := h.avaluoTask(c, r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.answerAvaluo(w, r, c, t)
}

// pdf serves GET /api/pdf/{id}: the avalúo as a PDF document.
func (h *handler) pdf(w http.ResponseWriter, r *http.Request, c *call) error {
	t, err := h.avaluoTask(c, r.PathValue("id"))
	if err != nil {
		return err
	}
	doc, err := h.avaluoPDF(r, c, t)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="avaluo-`+t.PublicID+`.pdf"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(doc)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(doc)
	return nil
}

// avaluoPDF renders the avalúo as a one-page PDF: the dealer, the client,
// the vehicle and the appraisal's details. The page stream is not
// compressed: the document is small, and its text stays readable.
func (h *handler) avaluoPDF(r *http.Request, c *call, t core.Task) ([]byte, error) {
	a, err := h.renderAvaluo(r, c, t)
	if err != nil {
		return nil, err
	}
	dealer := ""
	if ds, err := h.svc.DealersByID(c.ctx, []int64{c.dealer}); err != nil {
		return nil, err
	} else if len(ds) == 1 {
		dealer = ds[0].Name
	}
	p := fpdf.New("P", "mm", "A4", "")
	p.SetCompression(false)
	p.SetCreator("forecourt", true)
	p.SetTitle("Avalúo "+t.PublicID, true)
	tr := p.UnicodeTranslatorFromDescriptor("") // cp1252, for the core fonts
	p.AddPage()
	p.SetFont("Helvetica", "B", 16)
	p.CellFormat(0, 10, tr("Avalúo de vehículo"), "", 1, "L", false, 0, "")
	p.SetFont("Helvetica", "", 11)
	p.CellFormat(0, 7, tr(dealer), "", 1, "L", false, 0, "")
	p.Ln(4)
	row := func(label string, v any) {
		s := ""
		if v != nil {
			s = fmt.Sprint(v)
		}
		p.SetFont("Helvetica", "B", 11)
		p.CellFormat(50, 7, tr(label), "", 0, "L", false, 0, "")
		p.SetFont("Helvetica", "", 11)
		p.MultiCell(0, 7, tr(s), "", "L", false)
	}
	row("Avalúo", a["avaluo_id"])
	if cl, ok := a["cliente"].(map[string]any); ok {
		row("Cliente", cl["nombre"])
		row("Identificación", cl["numero_identificacion"])
		row("Correo", cl["email"])
		row("Celular", cl["celular"])
	}
	row("Vehículo", a["marca_modelo"])
	row("Placa", a["placa"])
	row("Año", a["anio"])
	row("Kilometraje", a["kilometraje"])
	row("Combustible", a["combustible"])
	row("Origen", a["origen"])
	row("Extras", a["extras"])
	row("Observaciones", a["observaciones"])
	row("Fecha", a["fecha"])
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// correo serves GET /api/correo/{id}: the avalúo's PDF is sent to its
// client's e-mail through the handler's mailer.
func (h *handler) correo(w http.ResponseWriter, r *http.Request, c *call) error {
	t, err := h.avaluoTask(c, r.PathValue("id"))
	if err != nil {
		return err
	}
	l, err := h.svc.FindLead(c.ctx, t.LeadID)
	if err != nil {
		return err
	}
	if l.Client == nil || l.Client.Email == "" {
		return fieldErrors{"correo": {"El cliente del avalúo no tiene correo"}}.err()
	}
	doc, err := h.avaluoPDF(r, c, t)
	if err != nil {
		return err
	}
	msg := Message{To: l.Client.Email, Subject: "Avalúo de su vehículo " + t.Appraisal.BrandModel,
		Text:        "Estimado/a " + l.Client.Name + ":\n\nAdjuntamos el avalúo de su vehículo " + t.Appraisal.BrandModel + ".\n",
		Attachments: []Attachment{{Name: "avaluo-" + t.PublicID + ".pdf", ContentType: "application/pdf", Data: doc}}}
	if err := h.mailer.Send(c.ctx, msg); err != nil {
		h.log.ErrorContext(c.ctx, "casabaca: sending an avalúo", "err", err, "avaluo", t.PublicID)
		return &apiError{status: http.StatusBadGateway, body: map[string]string{"error": "No se pudo enviar el correo; inténtelo de nuevo"}}
	}
	return data(w, map[string]any{"avaluo_id": t.PublicID, "correo": l.Client.Email, "message": "Correo enviado correctamente"})
}
