package walcu

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"

	"forecourt/internal/core"
)

// dateBackend serves dates as the core's appointments, the same every API
// sees (Casabaca's citas):
//
//	_id, __v, dealer_id, created_at, updated_at   the appointment's
//	created_by      the user who made it (public id)
//	lead_id         its lead (public id): an appointment is of a lead
//	lead_type       its lead's collection: salelead, aftersalelead, appraisallead
//	client_id       its lead's client when it was made (public id)
//	title           its title
//	start_date      its start
//	end_date        its end (start + duration minutes when only a duration is given)
//	duration        minutes from start to end (the server's when both are known)
//	showed_up       its status: true done, false no_show, none planned (or cancelled)
//
// Every other field is the appointment's Ext under "walcu.<field>", a JSON
// text. See docs/walcu.md.
type dateBackend struct {
	svc  *core.Service
	coll *collection
}

// leadTypes words a lead's kind as lead_type.
var leadTypes = map[core.LeadKind]string{core.LeadSale: "salelead", core.LeadAftersale: "aftersalelead", core.LeadAppraisal: "appraisallead"}

func (b *dateBackend) one(r *request, id string) (core.Appointment, error) {
	n, err := b.svc.ResolvePublicID(r.ctx, core.RecordAppointment, id)
	if err != nil {
		return core.Appointment{}, notFound("date")
	}
	a, err := b.svc.FindAppointment(r.ctx, n)
	if err != nil {
		return core.Appointment{}, b.err(err)
	}
	if a.DealerID != r.dealer.ID {
		return core.Appointment{}, notFound("date")
	}
	return a, nil
}

func (b *dateBackend) get(r *request, id string) (doc, error) {
	a, err := b.one(r, id)
	if err != nil {
		return nil, err
	}
	return renderFirst(r, a, b.render)
}

// dateInput is a body read as the core's appointment.
type dateInput struct {
	lead    int64
	title   string
	start   time.Time
	end     *time.Time
	status  core.AppointmentStatus
	showed  any
	ext     map[string]string
	endSent bool
}

func (b *dateBackend) parse(r *request, body doc) (dateInput, error) {
	var in dateInput
	s, _ := body["lead_id"].(string)
	if s == "" {
		return in, invalidField("lead_id", "required: a date is an appointment of a lead")
	}
	n, err := b.svc.ResolvePublicID(r.ctx, core.RecordLead, s)
	if err != nil {
		return in, invalidField("lead_id", "no such lead of the dealer")
	}
	l, err := b.svc.FindLead(r.ctx, n)
	if err != nil || l.DealerID != r.dealer.ID {
		return in, invalidField("lead_id", "no such lead of the dealer")
	}
	in.lead = l.ID
	in.title, _ = body["title"].(string)
	st, _ := body["start_date"].(string)
	t, ok := core.ParseTime(st)
	if !ok {
		return in, invalidField("start_date", "required: a date (ISO 8601)")
	}
	in.start = t
	if e, _ := body["end_date"].(string); e != "" {
		et, _ := core.ParseTime(e)
		in.end, in.endSent = &et, true
	} else if d, ok := body["duration"].(json.Number); ok {
		m, err := d.Float64()
		if err != nil || m < 0 || m > 60*24*366 {
			return in, invalidField("duration", "minutes from 0 to a year")
		}
		et := t.Add(time.Duration(m * float64(time.Minute)))
		in.end = &et
	}
	in.showed = body["showed_up"]
	switch body["showed_up"] {
	case true:
		in.status = core.AppointmentDone
	case false:
		in.status = core.AppointmentNoShow
	default:
		in.status = core.AppointmentPlanned
	}
	in.ext = map[string]string{}
	for k, v := range body {
		switch k {
		case "lead_id", "lead_type", "client_id", "title", "start_date", "end_date", "duration", "showed_up", "created_by":
			continue
		}
		if isEnvelope(k) || v == nil {
			continue
		}
		raw, err := encodeExt(v)
		if err != nil {
			return in, err
		}
		in.ext[extPrefix+k] = raw
	}
	return in, nil
}

func (b *dateBackend) create(r *request, body doc) (doc, error) {
	in, err := b.parse(r, body)
	if err != nil {
		return nil, err
	}
	if u := userPublicID(r); u != "" {
		in.ext[extUpdatedBy], _ = encodeExt(u)
	}
	a, err := b.svc.CreateAppointment(r.ctx, core.Appointment{LeadID: in.lead, Title: in.title, StartAt: in.start, EndAt: in.end,
		Status: in.status, Ext: in.ext})
	if err != nil {
		return nil, b.err(err)
	}
	return storedDoc(renderFirst(r, a, b.render))
}

func (b *dateBackend) replace(r *request, id string, body doc, version int) (doc, error) {
	cur, err := b.one(r, id)
	if err != nil {
		return nil, err
	}
	if version == 0 {
		version = cur.Version
	}
	in, err := b.parse(r, body)
	if err != nil {
		return nil, err
	}
	if in.lead != cur.LeadID {
		return nil, invalidField("lead_id", "a date cannot move to another lead")
	}
	p := core.AppointmentPatch{Version: version}
	if in.title != cur.Title {
		p.Title = core.Value(in.title)
	}
	if !in.start.Equal(cur.StartAt) {
		p.StartAt = core.Value(in.start)
	}
	if !sameTimePtr(in.end, cur.EndAt) {
		p.EndAt = core.Value(in.end)
	}
	// showed_up unset keeps a cancelled appointment cancelled
	if in.showed != nil || (cur.Status != core.AppointmentCancelled && cur.Status != core.AppointmentPlanned) {
		if in.status != cur.Status {
			p.Status = core.Value(in.status)
		}
	}
	ext := extOver(cur.Ext, in.ext)
	if !maps.Equal(ext, cur.Ext) || p.Title.Set || p.StartAt.Set || p.EndAt.Set || p.Status.Set {
		if u := userPublicID(r); u != "" {
			ext[extUpdatedBy], _ = encodeExt(u)
		}
	}
	if !maps.Equal(ext, cur.Ext) {
		p.Ext = core.Value(ext)
	}
	a, err := b.svc.UpdateAppointment(r.ctx, cur.ID, p)
	if err != nil {
		return nil, b.err(err)
	}
	return storedDoc(renderFirst(r, a, b.render))
}

func sameTimePtr(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

func (b *dateBackend) remove(r *request, id string) error {
	a, err := b.one(r, id)
	if err != nil {
		return err
	}
	return b.err(b.svc.DeleteAppointment(r.ctx, a.ID))
}

func (b *dateBackend) scoped(r *request, q core.Query) core.Query {
	q.Where = core.And(core.Eq("dealer", r.dealer.ID), q.Where)
	q.Ext = dateExt
	return q
}

func (b *dateBackend) find(r *request, q core.Query) ([]doc, error) {
	as, _, err := b.svc.FindAppointments(r.ctx, b.scoped(r, q))
	if err != nil {
		return nil, b.queryErr(err)
	}
	return b.render(r, as)
}

func (b *dateBackend) group(r *request, q core.Query) ([]core.Group, error) {
	gs, err := b.svc.GroupAppointments(r.ctx, b.scoped(r, q))
	if err != nil {
		return nil, b.queryErr(err)
	}
	return renderGroups(r, q.GroupBy, gs)
}

var dateFields = map[string]qfield{
	"lead_id":    {core: "lead", kind: kString, conv: idOf(core.RecordLead)},
	"client_id":  {core: "client", kind: kString, conv: idOf(core.RecordClient)},
	"created_by": {core: "created_by", kind: kString, conv: idOf(core.RecordUser)},
	"title":      {core: "title", kind: kString},
	"start_date": {core: "start_at", kind: kDate},
	"end_date":   {core: "end_at", kind: kDate},
}

func (b *dateBackend) field(r *request, path string) (qfield, error) {
	if f, ok := envelopeField(path, false); ok {
		return f, nil
	}
	if f, ok := dateFields[path]; ok {
		return f, nil
	}
	if f, ok := extFieldOf(b.coll, dateExt, path); ok {
		return f, nil
	}
	if _, ok := b.coll.fields[path]; ok {
		return qfield{}, notQueryable(path, "the server's: not filterable")
	}
	return qfield{}, unknownField(b.coll, path)
}

var dateFieldNames = map[string]string{"start_at": "start_date", "end_at": "end_date", "title": "title", "status": "showed_up", "lead": "lead_id"}

func (b *dateBackend) err(err error) error {
	if err == nil {
		return nil
	}
	return toAPIError(err, docFieldNames(dateFieldNames))
}

func (b *dateBackend) queryErr(err error) error { return queryErrOf(err, dateFields) }

// render answers appointments as dates: their leads (public ids and
// kinds) and clients and users are read once for the page.
func (b *dateBackend) render(r *request, as []core.Appointment) ([]doc, error) {
	var leadIDs, userIDs []int64
	for _, a := range as {
		leadIDs = append(leadIDs, a.LeadID)
		if a.CreatedBy != nil {
			userIDs = append(userIDs, *a.CreatedBy)
		}
	}
	leads := map[int64]core.Lead{}
	if len(leadIDs) > 0 {
		ids := core.DistinctIDs(leadIDs)
		vals := make([]any, len(ids))
		for i, id := range ids {
			vals[i] = id
		}
		ls, _, err := b.svc.FindLeads(r.ctx, core.Query{Where: core.In("id", vals...), Limit: len(ids)})
		if err != nil {
			return nil, err
		}
		for _, l := range ls {
			leads[l.ID] = l
		}
	}
	users, err := usersByID(r, core.DistinctIDs(userIDs))
	if err != nil {
		return nil, err
	}
	out := make([]doc, 0, len(as))
	for _, a := range as {
		d := doc{}
		for _, k := range slices.Sorted(maps.Keys(a.Ext)) {
			name, ok := strings.CutPrefix(k, extPrefix)
			if !ok {
				continue
			}
			v, err := decodeExt(a.Ext[k])
			if err != nil {
				continue // another API's text under walcu.: not this API's
			}
			d[name] = v
		}
		l := leads[a.LeadID]
		d["_id"] = a.PublicID
		d["__v"] = a.Version - 1
		d["dealer_id"] = dealerID(r.dealer)
		d["created_at"] = formatValue(a.CreatedAt)
		d["updated_at"] = formatValue(a.UpdatedAt)
		if _, ok := d["updated_by"]; !ok {
			d["updated_by"] = nil
		}
		d["created_by"] = nil
		if a.CreatedBy != nil {
			d["created_by"] = users[*a.CreatedBy]
		}
		d["lead_id"] = l.PublicID
		d["lead_type"] = leadTypes[l.Kind]
		d["client_id"] = nil
		if a.ClientID != nil && l.Client != nil && l.Client.ID == *a.ClientID {
			d["client_id"] = l.Client.PublicID
		} else if a.ClientID != nil {
			if c, err := b.svc.FindClient(r.ctx, *a.ClientID); err == nil {
				d["client_id"] = c.PublicID
			}
		}
		d["title"] = a.Title
		d["start_date"] = formatValue(a.StartAt)
		d["end_date"] = formatValue(a.EndAt)
		if a.EndAt != nil {
			d["duration"] = int64(a.EndAt.Sub(a.StartAt) / time.Minute)
		}
		switch a.Status {
		case core.AppointmentDone:
			d["showed_up"] = true
		case core.AppointmentNoShow:
			d["showed_up"] = false
		default:
			delete(d, "showed_up")
		}
		d["computed"] = doc{"_id": a.PublicID}
		out = append(out, d)
	}
	return out, nil
}
