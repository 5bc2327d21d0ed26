package core

import (
	"strconv"
	"strings"
	"time"
)

// diffLead lists what changed from old (nil on create) to l, for history.
func diffLead(old, l *Lead) []Change {
	var cs changeSet
	add := cs.add
	o := old
	if o == nil {
		o = &Lead{}
	}
	add("stage", string(o.Stage), string(l.Stage))
	add("outcome", string(o.Outcome), string(l.Outcome))
	add("reason", o.Reason, l.Reason)
	add("score", itoaOrEmpty(o.Score), itoaOrEmpty(l.Score))
	add("user", idString(o.UserID), idString(l.UserID))
	add("source", itoaOrEmpty(int(o.SourceID)), itoaOrEmpty(int(l.SourceID)))
	ov, nv := vehicleOrZero(o.Vehicle), vehicleOrZero(l.Vehicle)
	add("vehicle.brand_model", ov.BrandModel, nv.BrandModel)
	add("vehicle.plate", ov.Plate, nv.Plate) // the make and model are in brand_model
	add("vehicle.vin", ov.VIN, nv.VIN)
	add("vehicle.price", ov.Price, nv.Price)
	add("vehicle.km", ov.Km, nv.Km)
	add("vehicle.year", intPtrString(ov.Year), intPtrString(nv.Year))
	add("vehicle.gas", idString(ov.GasID), idString(nv.GasID))
	add("vehicle.sold", strconv.FormatBool(ov.Sold), strconv.FormatBool(nv.Sold))
	add("vehicle.record", idString(ov.RecordID), idString(nv.RecordID))
	oc, nc := clientOrZero(o.Client), clientOrZero(l.Client)
	if l.Client != nil && nc.ID == 0 && oc.ID != 0 {
		cs = append(cs, Change{Field: "client", Old: itoaOrEmpty(int(oc.ID)), New: "new"})
	} else {
		add("client", itoaOrEmpty(int(oc.ID)), itoaOrEmpty(int(nc.ID)))
	}
	cs = clientChanges(cs, &oc, &nc)
	cs = append(cs, diffTasks(o.Tasks, l.Tasks)...)
	cs = append(cs, diffNotes("notes", o.Notes, l.Notes)...)
	cs = append(cs, diffNotes("tags", o.Tags, l.Tags)...)
	add("mail_content", o.MailContent, l.MailContent)
	if old == nil {
		add("kind", "", string(l.Kind))
	}
	cs = append(cs, diffExt(o.Ext, l.Ext)...)
	return cs
}

func vehicleOrZero(v *Vehicle) Vehicle {
	if v == nil {
		return Vehicle{}
	}
	return *v
}

// clientChanges appends to cs the changes of a client's fields from o to
// c, named as a lead's history names them ("client.name"…).
func clientChanges(cs changeSet, o, c *Client) changeSet {
	cs.add("client.name", o.Name, c.Name)
	cs.add("client.phone", o.Phone, c.Phone)
	cs.add("client.email", o.Email, c.Email)
	cs.add("client.province", idString(o.ProvinceID), idString(c.ProvinceID))
	cs.add("client.locality", idString(o.LocalityID), idString(c.LocalityID))
	cs.add("client.gov_id", o.GovID, c.GovID)
	cs.add("client.business_name", o.BusinessName, c.BusinessName)
	cs.add("client.address", o.Address, c.Address)
	return cs
}

func clientOrZero(c *Client) Client {
	if c == nil {
		return Client{}
	}
	return *c
}

// diffTasks lists tasks added ("tasks" with New), removed ("tasks" with
// Old) and the fields changed on kept ones ("tasks.ID.field").
func diffTasks(old, cur []Task) []Change {
	var cs []Change
	kept := map[int64]Task{}
	for _, t := range cur {
		if t.ID != 0 {
			kept[t.ID] = t
		}
	}
	for _, t := range old {
		n, ok := kept[t.ID]
		if !ok {
			cs = append(cs, Change{Field: "tasks", Old: TaskSummary(t)})
			continue
		}
		cs = append(cs, diffTask(t, n)...)
	}
	for _, t := range cur {
		if t.ID == 0 {
			cs = append(cs, Change{Field: "tasks", New: TaskSummary(t)})
		}
	}
	return cs
}

// diffTask lists the fields changed from t to n, one task
// ("tasks.<id>.<field>", its notes under "tasks.<id>.notes").
func diffTask(t, n Task) []Change {
	var cs []Change
	p := "tasks." + strconv.FormatInt(t.ID, 10) + "."
	add := func(field, a, b string) {
		if a != b {
			cs = append(cs, Change{Field: p + field, Old: a, New: b})
		}
	}
	add("type", string(t.Type), string(n.Type))
	add("subtype", t.Subtype, n.Subtype)
	add("description", t.Description, n.Description)
	add("media", string(t.Media), string(n.Media))
	add("planned", timeString(t.PlannedAt), timeString(n.PlannedAt))
	add("planned_tracking", timeString(t.PlannedTrackingAt), timeString(n.PlannedTrackingAt))
	add("done", strconv.FormatBool(t.Done), strconv.FormatBool(n.Done))
	add("tracked", strconv.FormatBool(t.Tracked), strconv.FormatBool(n.Tracked))
	oa, na := appraisalOrZero(t.Appraisal), appraisalOrZero(n.Appraisal)
	add("appraisal.brand_model", oa.BrandModel, na.BrandModel)
	add("appraisal.license_plate", oa.LicensePlate, na.LicensePlate)
	add("appraisal.km", oa.Km, na.Km)
	add("appraisal.year", intPtrString(oa.Year), intPtrString(na.Year))
	add("appraisal.gas", idString(oa.GasID), idString(na.GasID))
	add("appraisal.extras", oa.Extras, na.Extras)
	add("appraisal.origin", string(oa.Origin), string(na.Origin))
	return append(cs, diffNotes(p+"notes", t.Notes, n.Notes)...)
}

// diffNotes lists notes added, removed and edited under field.
func diffNotes(field string, old, cur []Note) []Change {
	var cs []Change
	kept := map[int64]Note{}
	for _, n := range cur {
		if n.ID != 0 {
			kept[n.ID] = n
		}
	}
	for _, o := range old {
		n, ok := kept[o.ID]
		switch {
		case !ok:
			cs = append(cs, Change{Field: field, Old: o.Content})
		case n.Content != o.Content:
			cs = append(cs, Change{Field: field, Old: o.Content, New: n.Content})
		}
	}
	for _, n := range cur {
		if n.ID == 0 {
			cs = append(cs, Change{Field: field, New: n.Content})
		}
	}
	return cs
}

// TaskSummary describes a task added or removed in a history entry:
// "<type> <media> [subtype] [description] [done]", words separated by one
// space, with the core's values of type and media (which hold no space),
// the subtype and description only when not empty, and "done" when the
// task is done: "date phone Prueba de conducción Cita el sábado". An API
// that words media differently finds the media as the second word.
func TaskSummary(t Task) string {
	parts := []string{string(t.Type), string(t.Media)}
	for _, s := range []string{t.Subtype, t.Description} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if t.Done {
		parts = append(parts, "done")
	}
	return strings.Join(parts, " ")
}

func appraisalOrZero(a *Appraisal) Appraisal {
	if a == nil {
		return Appraisal{}
	}
	return *a
}

func timeString(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func itoaOrEmpty(i int) string {
	if i == 0 {
		return ""
	}
	return strconv.Itoa(i)
}

func idString(p *int64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatInt(*p, 10)
}

func intPtrString(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}
