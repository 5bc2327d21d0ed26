package sml

import (
	"slices"
	"strconv"

	"forecourt/internal/jsontext"
)

// LeadResponse's JSON text, written without reflection: Crear Lead's
// answer was written by encoding/json, ~4 % of the server's CPU per
// created lead (issue 8). The text is byte for byte encoding/json's with
// SetEscapeHTML(false), as jsontext.Respond wrote it before: each field in
// its declaration order (embedded structs' fields in their place), nil
// pointers and slices as null, strings as jsontext.AppendString writes
// them. TestLeadJSONAsEncodingJSON fills every field of LeadResponse, by
// reflection, with random values and compares the two texts, so that a
// field added to any of these types and not written here fails it.

// leadJSONSize is room for one lead's text: Crear Lead's answer for the
// document's complex lead is ~7.4 KB. Made at once, the buffer is not
// grown from nothing by doubling when the pool that holds Respond's
// buffers was emptied by a collection.
const leadJSONSize = 8 << 10

// AppendJSON implements jsontext.Appender.
func (l LeadResponse) AppendJSON(dst []byte) ([]byte, error) {
	dst = slices.Grow(dst, leadJSONSize)
	dst = append(dst, `{"id":`...)
	dst = jInt(dst, l.ID)
	dst = append(dst, `,"concessionaire":`...)
	dst = jInt(dst, l.Concessionaire)
	dst = append(dst, `,"concessionaire_data":`...)
	var err error
	if l.ConcessionaireData == nil {
		dst = append(dst, "null"...)
	} else if dst, err = l.ConcessionaireData.appendJSON(dst); err != nil {
		return dst, err
	}
	dst = append(dst, `,"client":`...)
	dst = jPtr(dst, l.Client, (*Client).appendJSON)
	dst = append(dst, `,"vehicle":`...)
	dst = jPtr(dst, l.Vehicle, (*Vehicle).appendJSON)
	dst = append(dst, `,"request":{"id":`...)
	dst = jInt(dst, l.Request.ID)
	dst = append(dst, `,"task":`...)
	dst = jList(dst, l.Request.Task, (*Task).appendJSON)
	dst = append(dst, `},"note":`...)
	dst = jList(dst, l.Note, (*Note).appendJSON)
	dst = append(dst, `,"end_date":`...)
	dst = jOptStr(dst, l.EndDate)
	dst = append(dst, `,"user":`...)
	dst = jOptInt(dst, l.User)
	dst = append(dst, `,"user_data":`...)
	dst = jPtr(dst, l.UserData, (*UserData).appendJSON)
	dst = append(dst, `,"result":`...)
	dst = jOptStr(dst, l.Result)
	dst = append(dst, `,"created":`...)
	dst = jsontext.AppendString(dst, l.Created)
	dst = append(dst, `,"status":`...)
	dst = jsontext.AppendString(dst, l.Status)
	dst = append(dst, `,"score":`...)
	dst = jOptStr(dst, l.Score)
	dst = append(dst, `,"finish_date":`...)
	dst = jOptStr(dst, l.FinishDate)
	dst = append(dst, `,"pending_tasks":`...)
	dst = strconv.AppendBool(dst, l.PendingTasks)
	dst = append(dst, `,"mail_content":`...)
	dst = jOptStr(dst, l.MailContent)
	dst = append(dst, `,"first_task_date":`...)
	dst = jOptStr(dst, l.FirstTaskDate)
	dst = append(dst, `,"nsa":`...)
	dst = jOptStr(dst, l.NSA)
	dst = append(dst, `,"origin":`...)
	dst = jPtr(dst, l.Origin, (*Origin).appendJSON)
	dst = append(dst, `,"cur_user_can_assign":`...)
	dst = strconv.AppendBool(dst, l.CurUserCanAssign)
	dst = append(dst, `,"tags":`...)
	dst = jList(dst, l.Tags, (*Note).appendJSON)
	dst = append(dst, `,"source":`...)
	dst = jInt(dst, l.Source)
	dst = append(dst, `,"source_data":`...)
	dst = jPtr(dst, l.SourceData, (*SourceWithOrigin).appendJSON)
	return append(dst, '}'), nil
}

func (c *LeadConcessionaire) appendJSON(dst []byte) ([]byte, error) {
	dst, err := c.DealerBase.appendFields(append(dst, '{'))
	if err != nil {
		return dst, err
	}
	dst = append(dst, `,"related_users":`...)
	dst = jList(dst, c.RelatedUsers, (*RelatedUser).appendJSON)
	dst = append(dst, `,"work_calendar":`...)
	dst = jPtr(dst, c.WorkCalendar, (*WorkCalendar).appendJSON)
	dst = append(dst, `,"sources":`...)
	dst = jList(dst, c.Sources, (*SourceShort).appendJSON)
	dst = append(dst, `,"notes":`...)
	dst = jList(dst, c.Notes, func(n *int64, dst []byte) []byte { return jInt(dst, *n) })
	dst = append(dst, `,"notes_data":`...)
	dst = jList(dst, c.NotesData, (*DealerNote).appendJSON)
	dst = append(dst, `,"mask_c2c":`...)
	dst = jOptStr(dst, c.MaskC2C)
	dst = append(dst, `,"concession_phone":`...)
	dst = jOptStr(dst, c.ConcessionPhone)
	return append(dst, '}'), nil
}

// appendFields writes the dealer's members without the braces; the
// coordinates are its only floats, and NaN or an infinity is
// encoding/json's error.
func (d *DealerBase) appendFields(dst []byte) ([]byte, error) {
	dst = append(dst, `"id":`...)
	dst = jInt(dst, d.ID)
	dst = append(dst, `,"name":`...)
	dst = jsontext.AppendString(dst, d.Name)
	dst = append(dst, `,"address":`...)
	dst = jOptStr(dst, d.Address)
	var err error
	dst = append(dst, `,"latitude":`...)
	if dst, err = jOptFloat(dst, d.Latitude); err != nil {
		return dst, err
	}
	dst = append(dst, `,"longitude":`...)
	if dst, err = jOptFloat(dst, d.Longitude); err != nil {
		return dst, err
	}
	dst = append(dst, `,"schedule":`...)
	dst = jOptStr(dst, d.Schedule)
	dst = append(dst, `,"web":`...)
	dst = jOptStr(dst, d.Web)
	dst = append(dst, `,"web_coches_net":`...)
	dst = jOptStr(dst, d.WebCochesNet)
	dst = append(dst, `,"date_notes":`...)
	dst = jOptStr(dst, d.DateNotes)
	dst = append(dst, `,"appraisal_notes":`...)
	dst = jOptStr(dst, d.AppraisalNotes)
	dst = append(dst, `,"financing_notes":`...)
	dst = jOptStr(dst, d.FinancingNotes)
	dst = append(dst, `,"warranty_notes":`...)
	dst = jOptStr(dst, d.WarrantyNotes)
	dst = append(dst, `,"service_notes":`...)
	dst = jOptStr(dst, d.ServiceNotes)
	return dst, nil
}

func (u *RelatedUser) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"id":`...)
	dst = jInt(dst, u.ID)
	dst = append(dst, `,"user":`...)
	dst = jInt(dst, u.User)
	d := &u.UserData
	dst = append(dst, `,"user_data":{"id":`...)
	dst = jInt(dst, d.ID)
	dst = append(dst, `,"first_name":`...)
	dst = jsontext.AppendString(dst, d.FirstName)
	dst = append(dst, `,"last_name":`...)
	dst = jsontext.AppendString(dst, d.LastName)
	dst = append(dst, `,"username":`...)
	dst = jsontext.AppendString(dst, d.Username)
	dst = append(dst, `,"phone":`...)
	dst = jOptStr(dst, d.Phone)
	dst = append(dst, `,"email":`...)
	dst = jOptStr(dst, d.Email)
	dst = append(dst, `,"online":`...)
	dst = strconv.AppendBool(dst, d.Online)
	dst = append(dst, `},"is_concessionaire_admin":`...)
	dst = strconv.AppendBool(dst, u.IsConcessionaireAdmin)
	dst = append(dst, `,"is_business_manager":`...)
	dst = strconv.AppendBool(dst, u.IsBusinessManager)
	return append(dst, '}')
}

func (c *WorkCalendar) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"id":`...)
	dst = jInt(dst, c.ID)
	for _, d := range [...]struct {
		member string
		day    *WorkDay
	}{
		{`,"monday":`, &c.Monday}, {`,"tuesday":`, &c.Tuesday}, {`,"wednesday":`, &c.Wednesday},
		{`,"thursday":`, &c.Thursday}, {`,"friday":`, &c.Friday}, {`,"saturday":`, &c.Saturday}, {`,"sunday":`, &c.Sunday},
	} {
		dst = append(dst, d.member...)
		dst = append(dst, `{"id":`...)
		dst = jInt(dst, d.day.ID)
		dst = append(dst, `,"start_hour":`...)
		dst = jOptStr(dst, d.day.StartHour)
		dst = append(dst, `,"end_hour":`...)
		dst = jOptStr(dst, d.day.EndHour)
		dst = append(dst, `,"working_day":`...)
		dst = strconv.AppendBool(dst, d.day.WorkingDay)
		dst = append(dst, '}')
	}
	dst = append(dst, `,"open_now":`...)
	dst = strconv.AppendBool(dst, c.OpenNow)
	return append(dst, '}')
}

func (s *SourceShort) appendJSON(dst []byte) []byte {
	dst = appendSourceHead(dst, s.ID, s.Channel, s.ChannelData, s.Data, s.Origin)
	dst = append(dst, `,"origin_data":{`...)
	dst = s.OriginData.appendFields(dst)
	return append(dst, "}}"...)
}

func (s *SourceWithOrigin) appendJSON(dst []byte) []byte {
	dst = appendSourceHead(dst, s.ID, s.Channel, s.ChannelData, s.Data, s.Origin)
	dst = append(dst, `,"origin_data":{`...)
	dst = s.OriginData.OriginShort.appendFields(dst)
	dst = appendChannels(dst, s.OriginData.AvailableChannels, s.OriginData.AvailableChannelsData)
	return append(dst, "}}"...)
}

// appendSourceHead writes a source's members up to its origin_data,
// opening its object.
func appendSourceHead(dst []byte, id, channel int64, channelData *Channel, data *string, origin int64) []byte {
	dst = append(dst, `{"id":`...)
	dst = jInt(dst, id)
	dst = append(dst, `,"channel":`...)
	dst = jInt(dst, channel)
	dst = append(dst, `,"channel_data":`...)
	dst = jPtr(dst, channelData, (*Channel).appendJSON)
	dst = append(dst, `,"data":`...)
	dst = jOptStr(dst, data)
	dst = append(dst, `,"origin":`...)
	return jInt(dst, origin)
}

// appendChannels writes an origin's available_channels and their data,
// each member after a comma.
func appendChannels(dst []byte, ids []int64, data []Channel) []byte {
	dst = append(dst, `,"available_channels":`...)
	dst = jList(dst, ids, func(n *int64, dst []byte) []byte { return jInt(dst, *n) })
	dst = append(dst, `,"available_channels_data":`...)
	return jList(dst, data, (*Channel).appendJSON)
}

func (c *Channel) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"id":`...)
	dst = jInt(dst, c.ID)
	dst = append(dst, `,"slug":`...)
	dst = jsontext.AppendString(dst, c.Slug)
	dst = append(dst, `,"name":`...)
	dst = jsontext.AppendString(dst, c.Name)
	return append(dst, '}')
}

// appendFields writes the origin's members without the braces.
func (o *OriginShort) appendFields(dst []byte) []byte {
	dst = append(dst, `"id":`...)
	dst = jInt(dst, o.ID)
	dst = append(dst, `,"name":`...)
	dst = jsontext.AppendString(dst, o.Name)
	dst = append(dst, `,"icon":`...)
	return jOptStr(dst, o.Icon)
}

func (o *Origin) appendJSON(dst []byte) []byte {
	dst = o.OriginShort.appendFields(append(dst, '{'))
	dst = append(dst, `,"phone_set":`...)
	dst = jList(dst, o.PhoneSet, func(p *OriginPhone, dst []byte) []byte {
		dst = append(dst, `{"id":`...)
		dst = jInt(dst, p.ID)
		dst = append(dst, `,"number":`...)
		dst = jsontext.AppendString(dst, p.Number)
		return append(dst, '}')
	})
	dst = append(dst, `,"email_set":`...)
	dst = jList(dst, o.EmailSet, func(e *OriginEmail, dst []byte) []byte {
		dst = append(dst, `{"id":`...)
		dst = jInt(dst, e.ID)
		dst = append(dst, `,"email":`...)
		dst = jsontext.AppendString(dst, e.Email)
		return append(dst, '}')
	})
	dst = appendChannels(dst, o.AvailableChannels, o.AvailableChannelsData)
	return append(dst, '}')
}

func (n *DealerNote) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"id":`...)
	dst = jInt(dst, n.ID)
	dst = append(dst, `,"content":`...)
	dst = jsontext.AppendString(dst, n.Content)
	dst = append(dst, `,"modified":`...)
	dst = jsontext.AppendString(dst, n.Modified)
	return append(dst, '}')
}

func (c *Client) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"id":`...)
	dst = jInt(dst, c.ID)
	dst = append(dst, `,"name":`...)
	dst = jsontext.AppendString(dst, c.Name)
	dst = append(dst, `,"phone":`...)
	dst = jOptStr(dst, c.Phone)
	dst = append(dst, `,"email":`...)
	dst = jOptStr(dst, c.Email)
	dst = append(dst, `,"province":`...)
	dst = jOptInt(dst, c.Province)
	dst = append(dst, `,"province_data":`...)
	if p := c.ProvinceData; p == nil {
		dst = append(dst, "null"...)
	} else {
		dst = appendPlace(dst, p.ID, `,"country":`, p.Country, p.Name, p.Status)
	}
	dst = append(dst, `,"location":`...)
	dst = jOptInt(dst, c.Location)
	dst = append(dst, `,"location_data":`...)
	if l := c.LocationData; l == nil {
		dst = append(dst, "null"...)
	} else {
		dst = appendPlace(dst, l.ID, `,"province":`, l.Province, l.Name, l.Status)
	}
	return append(dst, '}')
}

// appendPlace writes a province or a locality: id, its parent (member,
// with its comma), name and status.
func appendPlace(dst []byte, id int64, member string, parent int64, name string, status bool) []byte {
	dst = append(dst, `{"id":`...)
	dst = jInt(dst, id)
	dst = append(dst, member...)
	dst = jInt(dst, parent)
	dst = append(dst, `,"name":`...)
	dst = jsontext.AppendString(dst, name)
	dst = append(dst, `,"status":`...)
	dst = strconv.AppendBool(dst, status)
	return append(dst, '}')
}

func (v *Vehicle) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"id":`...)
	dst = jInt(dst, v.ID)
	dst = append(dst, `,"brand_model":`...)
	dst = jsontext.AppendString(dst, v.BrandModel)
	dst = append(dst, `,"price":`...)
	dst = jOptStr(dst, v.Price)
	dst = append(dst, `,"km":`...)
	dst = jOptStr(dst, v.Km)
	dst = append(dst, `,"year":`...)
	dst = jOptIntN(dst, v.Year)
	dst = append(dst, `,"gas":`...)
	dst = jOptInt(dst, v.Gas)
	dst = append(dst, `,"gas_data":`...)
	dst = jPtr(dst, v.GasData, (*GasType).appendJSON)
	dst = append(dst, `,"sold":`...)
	dst = strconv.AppendBool(dst, v.Sold)
	return append(dst, '}')
}

func (g *GasType) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"id":`...)
	dst = jInt(dst, g.ID)
	dst = append(dst, `,"name":`...)
	dst = jsontext.AppendString(dst, g.Name)
	return append(dst, '}')
}

func (t *Task) appendJSON(dst []byte) []byte {
	dst = t.TaskBase.appendFields(append(dst, '{'))
	dst = append(dst, `,"author":`...)
	dst = jOptInt(dst, t.Author)
	dst = append(dst, `,"author_data":`...)
	if a := t.AuthorData; a == nil {
		dst = append(dst, "null"...)
	} else {
		dst = a.UserIdentity.appendFields(append(dst, '{'), &a.UserFlags, a.IsAdmin, a.IsConcessionAdmin, a.IsBusinessManager, a.IsActive)
		dst = appendActivation(dst, a.UserActivationDate, a.UserDeactivationDate)
		dst = append(dst, '}')
	}
	return append(dst, '}')
}

// appendFields writes the task's members without the braces.
func (t *TaskBase) appendFields(dst []byte) []byte {
	dst = append(dst, `"id":`...)
	dst = jInt(dst, t.ID)
	dst = append(dst, `,"type":`...)
	dst = jsontext.AppendString(dst, t.Type)
	dst = append(dst, `,"subtype":`...)
	dst = jOptStr(dst, t.Subtype)
	dst = append(dst, `,"description":`...)
	dst = jOptStr(dst, t.Description)
	dst = append(dst, `,"media":`...)
	dst = jsontext.AppendString(dst, t.Media)
	dst = append(dst, `,"planified_realization_date":`...)
	dst = jOptStr(dst, t.PlanifiedRealizationDate)
	dst = append(dst, `,"planified_tracking_date":`...)
	dst = jOptStr(dst, t.PlanifiedTrackingDate)
	dst = append(dst, `,"realization_date":`...)
	dst = jOptStr(dst, t.RealizationDate)
	dst = append(dst, `,"realization_date_check":`...)
	dst = strconv.AppendBool(dst, t.RealizationDateCheck)
	dst = append(dst, `,"tracking_date":`...)
	dst = jOptStr(dst, t.TrackingDate)
	dst = append(dst, `,"tracking_date_check":`...)
	dst = strconv.AppendBool(dst, t.TrackingDateCheck)
	dst = append(dst, `,"note":`...)
	dst = jList(dst, t.Note, (*Note).appendJSON)
	dst = append(dst, `,"created":`...)
	dst = jsontext.AppendString(dst, t.Created)
	dst = append(dst, `,"appraisal":`...)
	dst = jPtr(dst, t.Appraisal, (*Appraisal).appendJSON)
	dst = append(dst, `,"is_click2call":`...)
	return strconv.AppendBool(dst, t.IsClick2Call)
}

func (a *Appraisal) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"id":`...)
	dst = jInt(dst, a.ID)
	dst = append(dst, `,"brand_model":`...)
	dst = jsontext.AppendString(dst, a.BrandModel)
	dst = append(dst, `,"license_plate":`...)
	dst = jOptStr(dst, a.LicensePlate)
	dst = append(dst, `,"km":`...)
	dst = jOptStr(dst, a.Km)
	dst = append(dst, `,"year":`...)
	dst = jOptIntN(dst, a.Year)
	dst = append(dst, `,"gas":`...)
	dst = jOptInt(dst, a.Gas)
	dst = append(dst, `,"gas_data":`...)
	dst = jPtr(dst, a.GasData, (*GasType).appendJSON)
	dst = append(dst, `,"extras":`...)
	dst = jOptStr(dst, a.Extras)
	dst = append(dst, `,"origin":`...)
	dst = jOptStr(dst, a.Origin)
	return append(dst, '}')
}

func (n *Note) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"id":`...)
	dst = jInt(dst, n.ID)
	dst = append(dst, `,"content":`...)
	dst = jsontext.AppendString(dst, n.Content)
	dst = append(dst, `,"modified":`...)
	dst = jsontext.AppendString(dst, n.Modified)
	dst = append(dst, `,"history":`...)
	dst = jList(dst, n.History, func(h *NoteHistory, dst []byte) []byte {
		dst = append(dst, `{"history_id":`...)
		dst = jInt(dst, h.HistoryID)
		dst = append(dst, `,"modified":`...)
		dst = jsontext.AppendString(dst, h.Modified)
		dst = append(dst, `,"history_user":`...)
		dst = jOptInt(dst, h.HistoryUser)
		dst = append(dst, `,"content":`...)
		dst = jsontext.AppendString(dst, h.Content)
		return append(dst, '}')
	})
	return append(dst, '}')
}

func (u *UserData) appendJSON(dst []byte) []byte {
	dst = u.UserIdentity.appendFields(append(dst, '{'), &u.UserFlags, u.IsAdmin, u.IsConcessionAdmin, u.IsBusinessManager, u.IsActive)
	dst = append(dst, `,"session":`...)
	if s := u.Session; s == nil {
		dst = append(dst, "null"...)
	} else {
		dst = append(dst, `{"id":`...)
		dst = jInt(dst, s.ID)
		dst = append(dst, `,"start_working":`...)
		dst = jsontext.AppendString(dst, s.StartWorking)
		dst = append(dst, `,"last_seen":`...)
		dst = jOptStr(dst, s.LastSeen)
		dst = append(dst, `,"online":`...)
		dst = strconv.AppendBool(dst, s.Online)
		dst = append(dst, '}')
	}
	dst = appendActivation(dst, u.UserActivationDate, u.UserDeactivationDate)
	return append(dst, '}')
}

// appendFields writes a full user's members up to is_active, without the
// braces: the identity, the flags and the four roles' booleans that
// UserData and Author both have in that order.
func (u *UserIdentity) appendFields(dst []byte, f *UserFlags, admin, concessionAdmin, businessManager, active bool) []byte {
	dst = append(dst, `"id":`...)
	dst = jInt(dst, u.ID)
	dst = append(dst, `,"first_name":`...)
	dst = jsontext.AppendString(dst, u.FirstName)
	dst = append(dst, `,"last_name":`...)
	dst = jsontext.AppendString(dst, u.LastName)
	dst = append(dst, `,"phone":`...)
	dst = jOptStr(dst, u.Phone)
	dst = append(dst, `,"memberid":`...)
	dst = jOptStr(dst, u.MemberID)
	dst = append(dst, `,"id_click2call":`...)
	dst = jOptStr(dst, u.IDClick2Call)
	dst = append(dst, `,"username":`...)
	dst = jsontext.AppendString(dst, u.Username)
	dst = append(dst, `,"email":`...)
	dst = jOptStr(dst, u.Email)
	dst = append(dst, `,"is_staff":`...)
	dst = strconv.AppendBool(dst, f.IsStaff)
	dst = append(dst, `,"is_superuser":`...)
	dst = strconv.AppendBool(dst, f.IsSuperuser)
	dst = append(dst, `,"is_admin":`...)
	dst = strconv.AppendBool(dst, admin)
	dst = append(dst, `,"is_concession_admin":`...)
	dst = strconv.AppendBool(dst, concessionAdmin)
	dst = append(dst, `,"is_business_manager":`...)
	dst = strconv.AppendBool(dst, businessManager)
	dst = append(dst, `,"is_active":`...)
	return strconv.AppendBool(dst, active)
}

// appendActivation writes a full user's last two members.
func appendActivation(dst []byte, activation, deactivation *string) []byte {
	dst = append(dst, `,"user_activation_date":`...)
	dst = jOptStr(dst, activation)
	dst = append(dst, `,"user_deactivation_date":`...)
	return jOptStr(dst, deactivation)
}

// The members' values.

func jInt(dst []byte, n int64) []byte { return strconv.AppendInt(dst, n, 10) }

func jOptInt(dst []byte, n *int64) []byte {
	if n == nil {
		return append(dst, "null"...)
	}
	return strconv.AppendInt(dst, *n, 10)
}

func jOptIntN(dst []byte, n *int) []byte {
	if n == nil {
		return append(dst, "null"...)
	}
	return strconv.AppendInt(dst, int64(*n), 10)
}

func jOptStr(dst []byte, s *string) []byte {
	if s == nil {
		return append(dst, "null"...)
	}
	return jsontext.AppendString(dst, *s)
}

func jOptFloat(dst []byte, f *float64) ([]byte, error) {
	if f == nil {
		return append(dst, "null"...), nil
	}
	return jsontext.AppendFloat64(dst, *f)
}

// jPtr writes the struct p points to by write, or null.
func jPtr[T any](dst []byte, p *T, write func(*T, []byte) []byte) []byte {
	if p == nil {
		return append(dst, "null"...)
	}
	return write(p, dst)
}

// jList writes xs, each element by write, or null for a nil slice (as
// encoding/json writes it).
func jList[T any](dst []byte, xs []T, write func(*T, []byte) []byte) []byte {
	if xs == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i := range xs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = write(&xs[i], dst)
	}
	return append(dst, ']')
}
