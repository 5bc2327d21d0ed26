package sml

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/language"

	"forecourt/internal/core"
)

// ---------------------------------------------------------------------------
// SML's words for core values.

// mediaWords are SML's words for core's task media ("Phone, E-mail, SMS,
// Whatsapp (por defecto se establece Phone)").
var mediaWords = map[core.Media]string{
	core.MediaPhone:    "Phone",
	core.MediaEmail:    "E-mail",
	core.MediaSMS:      "SMS",
	core.MediaWhatsapp: "Whatsapp",
}

// mediaChoices are the media a request may send, in core's order.
var mediaChoices = func() []string {
	out := make([]string, len(core.MediaValues))
	for i, m := range core.MediaValues {
		out[i] = mediaWords[m]
	}
	return out
}()

// mediaToCore maps SML's word for a media to core's; "" (none given) stays
// "", for core's default. The decoder has refused any other word.
func mediaToCore(w string) core.Media {
	for m, sw := range mediaWords {
		if sw == w {
			return m
		}
	}
	return core.Media(w)
}

// mediaWord renders a core media in SML's words; a value SML has no word
// for is shown as it is.
func mediaWord(m core.Media) string {
	if w, ok := mediaWords[m]; ok {
		return w
	}
	return string(m)
}

// smlSpain is SML's own id of Spain, the one the document's
// "?country=28" uses.
const smlSpain = 28

// countryIDBase puts the ids of the other countries past SML's small ones:
// a country's id is countryIDBase + its ISO 3166-1 numeric code.
const countryIDBase = 1000

// countryID renders core's country (an ISO 3166-1 alpha-2 code) as SML's
// numeric id: 28 for Spain, 1000 + the ISO numeric code for any other
// country (Portugal, 620, is 1620); 0 for a code that names no country.
func countryID(code string) int64 {
	if code == "ES" {
		return smlSpain
	}
	r, err := language.ParseRegion(code)
	if err != nil || len(code) != 2 || r.M49() == 0 {
		return 0
	}
	return countryIDBase + int64(r.M49())
}

// countryCode is countryID's inverse; ok is false for an id that no country
// has (Spain is only 28).
func countryCode(id int64) (code string, ok bool) {
	if id == smlSpain {
		return "ES", true
	}
	if id <= countryIDBase || id > countryIDBase+999 {
		return "", false
	}
	r, err := language.EncodeM49(int(id - countryIDBase))
	if err != nil || !r.IsCountry() || r.String() == "ES" {
		return "", false
	}
	return r.String(), true
}

// ---------------------------------------------------------------------------
// Requests to core.

func strOf(o Opt[string]) string {
	if o.Null {
		return ""
	}
	return o.V
}

func ptrOf[T any](o Opt[T]) *T {
	if !o.Set || o.Null {
		return nil
	}
	v := o.V
	return &v
}

// strField maps a string field of a PATCH; null clears it.
func strField(o Opt[string]) core.Field[string] {
	if !o.Set {
		return core.Field[string]{}
	}
	return core.Value(strOf(o))
}

// ptrField maps a nullable field of a PATCH; null clears it.
func ptrField[T any](o Opt[T]) core.Field[*T] {
	if !o.Set {
		return core.Field[*T]{}
	}
	return core.Value(ptrOf(o))
}

func valField[T any](o Opt[T]) core.Field[T] {
	if !o.Set {
		return core.Field[T]{}
	}
	return core.Value(o.V)
}

func timeOf(o Opt[time.Time]) *time.Time {
	if !o.Set || o.Null {
		return nil
	}
	t := o.V.UTC()
	return &t
}

func timeField(o Opt[time.Time]) core.Field[*time.Time] {
	if !o.Set {
		return core.Field[*time.Time]{}
	}
	return core.Value(timeOf(o))
}

// leadToCore maps the body of Crear Lead to the lead to create.
func leadToCore(b LeadRequest) core.Lead {
	l := core.Lead{
		SourceID:    b.Source.V,
		Stage:       core.Stage(b.Status.V),
		Outcome:     core.Outcome(strOf(b.Result)),
		Score:       b.Score.V,
		UserID:      ptrOf(b.User),
		MailContent: strOf(b.MailContent),
	}
	if b.Vehicle.Set && !b.Vehicle.Null {
		v := b.Vehicle.V
		l.Vehicle = &core.Vehicle{
			BrandModel: strOf(v.BrandModel), Price: strOf(v.Price), Km: strOf(v.Km),
			Year: ptrOf(v.Year), GasID: ptrOf(v.Gas), Sold: v.Sold.V,
		}
	}
	if b.Client.Set && !b.Client.Null {
		c := b.Client.V
		l.Client = &core.Client{
			Name: strOf(c.Name), Phone: strOf(c.Phone), Email: strOf(c.Email),
			ProvinceID: ptrOf(c.Province), LocalityID: ptrOf(c.Location),
		}
	}
	if b.Request.Set && b.Request.V.Task.Set {
		for _, t := range b.Request.V.Task.V {
			l.Tasks = append(l.Tasks, taskToCore(t))
		}
	}
	l.Notes = notesToCore(b.Note)
	l.Tags = notesToCore(b.Tags)
	return l
}

// taskToCore maps a new task: an item of request.task on Crear Lead, or the
// body of Crear Solicitudes/Tareas.
func taskToCore(b TaskRequest) core.Task {
	t := core.Task{
		Type:              core.TaskType(b.Type.V),
		Subtype:           strOf(b.Subtype),
		Description:       strOf(b.Description),
		Media:             mediaToCore(b.Media.V),
		PlannedAt:         timeOf(b.PlanifiedRealizationDate),
		PlannedTrackingAt: timeOf(b.PlanifiedTrackingDate),
		Done:              b.RealizationDateCheck.V,
		Tracked:           b.TrackingDateCheck.V,
		Notes:             notesToCore(b.Note),
	}
	if b.Appraisal.Set && !b.Appraisal.Null {
		a := b.Appraisal.V
		t.Appraisal = &core.Appraisal{
			BrandModel: strOf(a.BrandModel), LicensePlate: strOf(a.LicensePlate), Km: strOf(a.Km),
			Year: ptrOf(a.Year), GasID: ptrOf(a.Gas), Extras: strOf(a.Extras),
			Origin: core.AppraisalOrigin(strOf(a.Origin)),
		}
	}
	return t
}

func notesToCore(o Opt[[]NoteRequest]) []core.Note {
	if !o.Set || o.Null {
		return nil
	}
	ns := make([]core.Note, 0, len(o.V))
	for _, n := range o.V {
		ns = append(ns, core.Note{Content: strOf(n.Content)})
	}
	return ns
}

// leadPatchToCore maps the body of Modificar Lead: a nested object with "id"
// updates that object, without it replaces it; a list given replaces the
// list, keeping and updating the items named by id.
func leadPatchToCore(b LeadRequest) core.LeadPatch {
	var p core.LeadPatch
	p.SourceID = valField(b.Source)
	if b.Vehicle.Set && !b.Vehicle.Null {
		v := b.Vehicle.V
		p.Vehicle = &core.VehiclePatch{
			ID: ptrOf(v.ID), BrandModel: strField(v.BrandModel), Price: strField(v.Price), Km: strField(v.Km),
			Year: ptrField(v.Year), GasID: ptrField(v.Gas), Sold: valField(v.Sold),
		}
	}
	switch {
	case b.Client.Null:
		p.ClearClient = true
	case b.Client.Set:
		c := b.Client.V
		p.Client = &core.ClientPatch{
			ID: ptrOf(c.ID), Name: strField(c.Name), Phone: strField(c.Phone), Email: strField(c.Email),
			ProvinceID: ptrField(c.Province), LocalityID: ptrField(c.Location),
		}
	}
	if b.Request.Set && b.Request.V.Task.Set {
		ts := make([]core.TaskPatch, 0, len(b.Request.V.Task.V))
		for _, t := range b.Request.V.Task.V {
			ts = append(ts, taskPatchToCore(t))
		}
		p.Tasks = &ts
	}
	p.Notes = notePatchesToCore(b.Note)
	p.Tags = notePatchesToCore(b.Tags)
	p.UserID = ptrField(b.User)
	if b.Status.Set {
		p.Stage = core.Value(core.Stage(b.Status.V))
	}
	if b.Result.Set {
		p.Outcome = core.Value(core.Outcome(strOf(b.Result)))
	}
	if b.Score.Set {
		p.Score = core.Value(b.Score.V) // null is 0: no score
	}
	p.MailContent = strField(b.MailContent)
	return p
}

// taskPatchToCore maps a task of a PATCH: an item of request.task, or the
// body of Modificar Solicitudes/Tareas.
func taskPatchToCore(b TaskRequest) core.TaskPatch {
	p := core.TaskPatch{
		ID:                ptrOf(b.ID),
		Subtype:           strField(b.Subtype),
		Description:       strField(b.Description),
		PlannedAt:         timeField(b.PlanifiedRealizationDate),
		PlannedTrackingAt: timeField(b.PlanifiedTrackingDate),
		Done:              valField(b.RealizationDateCheck),
		Tracked:           valField(b.TrackingDateCheck),
		Notes:             notePatchesToCore(b.Note),
	}
	if b.Type.Set {
		p.Type = core.Value(core.TaskType(b.Type.V))
	}
	if b.Media.Set {
		p.Media = core.Value(mediaToCore(b.Media.V))
	}
	switch {
	case b.Appraisal.Null:
		p.ClearAppraisal = true
	case b.Appraisal.Set:
		a := b.Appraisal.V
		p.Appraisal = &core.AppraisalPatch{
			ID: ptrOf(a.ID), BrandModel: strField(a.BrandModel), LicensePlate: strField(a.LicensePlate),
			Km: strField(a.Km), Year: ptrField(a.Year), GasID: ptrField(a.Gas), Extras: strField(a.Extras),
		}
		if a.Origin.Set {
			p.Appraisal.Origin = core.Value(core.AppraisalOrigin(strOf(a.Origin)))
		}
	}
	return p
}

func notePatchesToCore(o Opt[[]NoteRequest]) *[]core.NotePatch {
	if !o.Set || o.Null {
		return nil
	}
	ps := make([]core.NotePatch, 0, len(o.V))
	for _, n := range o.V {
		ps = append(ps, core.NotePatch{ID: ptrOf(n.ID), Content: strField(n.Content)})
	}
	return &ps
}

// ---------------------------------------------------------------------------
// Core to responses.

// renderer renders core records with the records they refer to (refs), as
// seen by principal p at now. loc is the time zone of records that belong
// to no dealer; base is the request's scheme and host, for absolute URLs.
// assignable holds the leads (by id) whose assigned user p may change,
// core's CanAssign, rendered as cur_user_can_assign.
type renderer struct {
	refs       refSet
	now        time.Time
	p          core.Principal
	loc        *time.Location
	base       string
	assignable map[int64]bool
}

// djangoTime renders t as DRF renders a DateTimeField: ISO 8601 in loc,
// microseconds when not zero, "Z" for UTC, and the offset whole, as
// Python's isoformat writes it: with its seconds when it has any (Madrid
// before 1901 was −00:14:44, "-00:14:44", not "-00:14", which would name
// another instant).
func djangoTime(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	var buf [40]byte
	b := t.AppendFormat(buf[:0], "2006-01-02T15:04:05")
	if us := t.Nanosecond() / 1000; us != 0 {
		b = append(b, '.')
		b = append(b, byte('0'+us/100000), byte('0'+us/10000%10), byte('0'+us/1000%10),
			byte('0'+us/100%10), byte('0'+us/10%10), byte('0'+us%10))
	}
	switch _, off := t.Zone(); {
	case off == 0:
		b = append(b, 'Z')
	case off%60 != 0:
		b = t.AppendFormat(b, "-07:00:00")
	default:
		b = t.AppendFormat(b, "-07:00")
	}
	return string(b)
}

func djangoTimePtr(t *time.Time, loc *time.Location) *string {
	if t == nil {
		return nil
	}
	s := djangoTime(*t, loc)
	return &s
}

// nullStr renders an empty string as null, as the worked examples show
// unset text.
func nullStr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// dealerLoc is the time zone of dealer id's records.
func (r renderer) dealerLoc(id int64) *time.Location {
	if d, ok := r.refs.dealers[id]; ok {
		return d.Location()
	}
	if r.loc != nil {
		return r.loc
	}
	return time.UTC
}

func (r renderer) url(u string) *string {
	if strings.HasPrefix(u, "/") && r.base != "" {
		u = r.base + u
	}
	return nullStr(u)
}

// extWebCochesNet is the key of a dealer's web_coches_net (the dealer's page
// on coches.net), which only SML has, in core.Dealer.Ext.
const extWebCochesNet = "sml.web_coches_net"

// dealerBase renders the fields every concessionaire starts with: the five
// *_notes are core's Guidance, web_coches_net SML's extension field.
func dealerBase(d core.Dealer) DealerBase {
	g := d.Guidance
	return DealerBase{
		ID: d.ID, Name: d.Name, Address: nullStr(d.Address), Latitude: d.Latitude, Longitude: d.Longitude,
		Schedule: nullStr(d.Schedule), Web: nullStr(d.Web), WebCochesNet: nullStr(d.Ext[extWebCochesNet]),
		DateNotes: nullStr(g.Visit), AppraisalNotes: nullStr(g.Appraisal),
		FinancingNotes: nullStr(g.Financing), WarrantyNotes: nullStr(g.Warranty),
		ServiceNotes: nullStr(g.Service),
	}
}

// concessionaire renders one result of Listar concesionarios.
func (r renderer) concessionaire(d core.Dealer) Concessionaire {
	loc := d.Location()
	c := Concessionaire{
		DealerBase:      dealerBase(d),
		RelatedUsers:    r.relatedUsers(d.ID),
		WorkCalendar:    workCalendar(d.Calendar, r.now.In(loc)),
		Sources:         []SourceWithOrigin{},
		Notes:           noteIDs(d.Notes),
		NotesData:       r.notes(d.Notes, loc),
		MaskC2C:         nullStr(d.CallerID),
		ConcessionPhone: nullStr(d.Phone),
	}
	for _, s := range r.refs.dealerSources[d.ID] {
		c.Sources = append(c.Sources, r.sourceWithOrigin(s))
	}
	return c
}

// leadConcessionaire renders a lead's concessionaire_data.
func (r renderer) leadConcessionaire(id int64) *LeadConcessionaire {
	d, ok := r.refs.dealers[id]
	if !ok {
		return nil
	}
	loc := d.Location()
	c := &LeadConcessionaire{
		DealerBase:      dealerBase(*d),
		RelatedUsers:    r.relatedUsers(d.ID),
		WorkCalendar:    workCalendar(d.Calendar, r.now.In(loc)),
		Sources:         []SourceShort{},
		Notes:           noteIDs(d.Notes),
		NotesData:       []DealerNote{},
		MaskC2C:         nullStr(d.CallerID),
		ConcessionPhone: nullStr(d.Phone),
	}
	for _, s := range r.refs.dealerSources[d.ID] {
		c.Sources = append(c.Sources, r.sourceShort(s))
	}
	for _, n := range d.Notes {
		c.NotesData = append(c.NotesData, DealerNote{ID: n.ID, Content: n.Content, Modified: djangoTime(n.Modified, loc)})
	}
	return c
}

func (r renderer) concessionaireShort(id int64) *ConcessionaireShort {
	d, ok := r.refs.dealers[id]
	if !ok {
		return nil
	}
	return &ConcessionaireShort{DealerBase: dealerBase(*d), MaskC2C: nullStr(d.CallerID), ConcessionPhone: nullStr(d.Phone)}
}

func (r renderer) relatedUsers(dealerID int64) []RelatedUser {
	out := []RelatedUser{}
	for _, u := range r.refs.dealerUsers[dealerID] {
		ru := RelatedUser{User: u.ID, UserData: RelatedUserData{
			ID: u.ID, FirstName: u.FirstName, LastName: u.LastName, Username: u.Username,
			Phone: nullStr(u.Phone), Email: nullStr(u.Email), Online: u.Session.Online(r.now),
		}}
		for _, m := range u.Memberships {
			if m.DealerID == dealerID {
				ru.ID, ru.IsConcessionaireAdmin, ru.IsBusinessManager = m.ID, m.IsAdmin, m.IsBusinessManager
			}
		}
		out = append(out, ru)
	}
	return out
}

// djangoHour renders "HH:MM" as a Django TimeField, "HH:MM:SS".
func djangoHour(h string) *string {
	if h == "" {
		return nil
	}
	if len(h) == 5 {
		h += ":00"
	}
	return &h
}

// workCalendar renders a calendar; now is in the dealer's time zone.
func workCalendar(c *core.WorkCalendar, now time.Time) *WorkCalendar {
	if c == nil {
		return nil
	}
	day := func(i int) WorkDay {
		d := c.Days[i]
		return WorkDay{ID: d.ID, StartHour: djangoHour(d.Start), EndHour: djangoHour(d.End), WorkingDay: d.Working}
	}
	return &WorkCalendar{
		ID: c.ID, Monday: day(0), Tuesday: day(1), Wednesday: day(2), Thursday: day(3),
		Friday: day(4), Saturday: day(5), Sunday: day(6), OpenNow: c.OpenAt(now),
	}
}

func (r renderer) channel(id int64) *Channel {
	c, ok := r.refs.channels[id]
	if !ok {
		return nil
	}
	return &Channel{ID: c.ID, Slug: c.Slug, Name: c.Name}
}

func (r renderer) originShort(id int64) OriginShort {
	o, ok := r.refs.origins[id]
	if !ok {
		return OriginShort{ID: id}
	}
	return OriginShort{ID: id, Name: o.Name, Icon: r.url(o.Icon)}
}

func (r renderer) channels(ids []int64) ([]int64, []Channel) {
	outIDs, data := []int64{}, []Channel{}
	for _, id := range ids {
		outIDs = append(outIDs, id)
		if c := r.channel(id); c != nil {
			data = append(data, *c)
		}
	}
	return outIDs, data
}

func (r renderer) sourceShort(s core.Source) SourceShort {
	return SourceShort{ID: s.ID, Channel: s.ChannelID, ChannelData: r.channel(s.ChannelID), Data: nullStr(s.Data),
		Origin: s.OriginID, OriginData: r.originShort(s.OriginID)}
}

func (r renderer) sourceWithOrigin(s core.Source) SourceWithOrigin {
	var channelIDs []int64
	if o, ok := r.refs.origins[s.OriginID]; ok {
		channelIDs = o.ChannelIDs
	}
	ids, data := r.channels(channelIDs)
	return SourceWithOrigin{ID: s.ID, Channel: s.ChannelID, ChannelData: r.channel(s.ChannelID), Data: nullStr(s.Data),
		Origin: s.OriginID, OriginData: OriginChannels{OriginShort: r.originShort(s.OriginID), AvailableChannels: ids, AvailableChannelsData: data}}
}

// sourceListItem renders one result of Consultar fuentes de concesionario.
func (r renderer) sourceListItem(s core.Source) SourceListItem {
	it := SourceListItem{ID: s.ID, Channel: s.ChannelID, ChannelData: r.channel(s.ChannelID), Data: nullStr(s.Data),
		Origin: s.OriginID, OriginData: r.originShort(s.OriginID), Concession: s.DealerID}
	if c := r.concessionaireShort(s.DealerID); c != nil {
		it.ConcessionData = *c
	} else {
		it.ConcessionData = ConcessionaireShort{DealerBase: DealerBase{ID: s.DealerID}}
	}
	return it
}

// origin renders a lead's "origin": the origin of its source.
func (r renderer) origin(sourceID int64) *Origin {
	s, ok := r.refs.sources[sourceID]
	if !ok {
		return nil
	}
	o, ok := r.refs.origins[s.OriginID]
	if !ok {
		return nil
	}
	out := &Origin{OriginShort: r.originShort(o.ID), PhoneSet: []OriginPhone{}, EmailSet: []OriginEmail{}}
	for _, p := range o.Phones {
		out.PhoneSet = append(out.PhoneSet, OriginPhone{ID: p.ID, Number: p.Number})
	}
	for _, e := range o.Emails {
		out.EmailSet = append(out.EmailSet, OriginEmail{ID: e.ID, Email: e.Email})
	}
	out.AvailableChannels, out.AvailableChannelsData = r.channels(o.ChannelIDs)
	return out
}

func noteIDs(ns []core.Note) []int64 {
	ids := make([]int64, 0, len(ns))
	for _, n := range ns {
		ids = append(ids, n.ID)
	}
	return ids
}

func (r renderer) notes(ns []core.Note, loc *time.Location) []Note {
	out := make([]Note, 0, len(ns))
	for _, n := range ns {
		h := make([]NoteHistory, 0, len(n.History))
		for _, v := range n.History {
			h = append(h, NoteHistory{HistoryID: v.ID, Modified: djangoTime(v.Modified, loc), HistoryUser: v.UserID, Content: v.Content})
		}
		out = append(out, Note{ID: n.ID, Content: n.Content, Modified: djangoTime(n.Modified, loc), History: h})
	}
	return out
}

func (r renderer) gas(id *int64) *GasType {
	if id == nil {
		return nil
	}
	g, ok := r.refs.gasTypes[*id]
	if !ok {
		return nil
	}
	return &GasType{ID: g.ID, Name: g.Name}
}

// client renders a lead's client and a result of Buscar clientes.
func (r renderer) client(c *core.Client) *Client {
	if c == nil {
		return nil
	}
	out := &Client{ID: c.ID, Name: c.Name, Phone: nullStr(c.Phone), Email: nullStr(c.Email), Province: c.ProvinceID, Location: c.LocalityID}
	if c.ProvinceID != nil {
		if p, ok := r.refs.provinces[*c.ProvinceID]; ok {
			pr := province(p)
			out.ProvinceData = &pr
		}
	}
	if c.LocalityID != nil {
		if l, ok := r.refs.localities[*c.LocalityID]; ok {
			lo := locality(l)
			out.LocationData = &lo
		}
	}
	return out
}

func province(p core.Province) Province {
	return Province{ID: p.ID, Country: countryID(p.Country), Name: p.Name, Status: p.Active}
}

func locality(l core.Locality) Locality {
	return Locality{ID: l.ID, Province: l.ProvinceID, Name: l.Name, Status: l.Active}
}

func (r renderer) vehicle(v *core.Vehicle) *Vehicle {
	if v == nil {
		return nil
	}
	return &Vehicle{ID: v.ID, BrandModel: v.BrandModel, Price: nullStr(v.Price), Km: nullStr(v.Km),
		Year: v.Year, Gas: v.GasID, GasData: r.gas(v.GasID), Sold: v.Sold}
}

func (r renderer) taskBase(t core.Task, loc *time.Location) TaskBase {
	b := TaskBase{
		ID: t.ID, Type: string(t.Type), Subtype: nullStr(t.Subtype), Description: nullStr(t.Description),
		Media:                    mediaWord(t.Media),
		PlanifiedRealizationDate: djangoTimePtr(t.PlannedAt, loc),
		PlanifiedTrackingDate:    djangoTimePtr(t.PlannedTrackingAt, loc),
		RealizationDate:          djangoTimePtr(t.DoneAt, loc),
		RealizationDateCheck:     t.Done,
		TrackingDate:             djangoTimePtr(t.TrackedAt, loc),
		TrackingDateCheck:        t.Tracked,
		Note:                     r.notes(t.Notes, loc),
		Created:                  djangoTime(t.CreatedAt, loc),
		IsClick2Call:             t.IsClick2Call,
	}
	if a := t.Appraisal; a != nil {
		b.Appraisal = &Appraisal{ID: a.ID, BrandModel: a.BrandModel, LicensePlate: nullStr(a.LicensePlate), Km: nullStr(a.Km),
			Year: a.Year, Gas: a.GasID, GasData: r.gas(a.GasID), Extras: nullStr(a.Extras), Origin: nullStr(string(a.Origin))}
	}
	return b
}

func (r renderer) task(t core.Task, loc *time.Location) Task {
	return Task{TaskBase: r.taskBase(t, loc), Author: t.AuthorID, AuthorData: r.author(t.AuthorID, loc)}
}

// userFlags renders Django's is_staff and is_superuser from core's one flag,
// the installation's administrator (as is_admin).
func userFlags(u core.User) UserFlags {
	return UserFlags{IsStaff: u.IsAdmin, IsSuperuser: u.IsAdmin}
}

func userIdentity(u core.User) UserIdentity {
	return UserIdentity{ID: u.ID, FirstName: u.FirstName, LastName: u.LastName, Phone: nullStr(u.Phone),
		MemberID: nullStr(u.MemberID), IDClick2Call: nullStr(u.Click2CallID), Username: u.Username, Email: nullStr(u.Email)}
}

func (r renderer) session(s *core.Session, loc *time.Location) *Session {
	if s == nil {
		return nil
	}
	return &Session{ID: s.ID, StartWorking: djangoTime(s.StartWorking, loc), LastSeen: djangoTimePtr(s.LastSeen, loc), Online: s.Online(r.now)}
}

func (r renderer) userData(id *int64, loc *time.Location) *UserData {
	if id == nil {
		return nil
	}
	u, ok := r.refs.users[*id]
	if !ok {
		return nil
	}
	return &UserData{
		UserIdentity: userIdentity(*u), UserFlags: userFlags(*u),
		IsAdmin: u.IsAdmin, IsConcessionAdmin: u.IsDealerAdmin(), IsBusinessManager: u.IsBusinessManager(), IsActive: u.IsActive,
		Session: r.session(u.Session, loc), UserActivationDate: djangoTimePtr(u.ActivatedAt, loc),
		UserDeactivationDate: djangoTimePtr(u.DeactivatedAt, loc),
	}
}

func (r renderer) author(id *int64, loc *time.Location) *Author {
	if id == nil {
		return nil
	}
	u, ok := r.refs.users[*id]
	if !ok {
		return nil
	}
	return &Author{
		UserIdentity: userIdentity(*u), UserFlags: userFlags(*u),
		IsAdmin: u.IsAdmin, IsConcessionAdmin: u.IsDealerAdmin(), IsBusinessManager: u.IsBusinessManager(), IsActive: u.IsActive,
		UserActivationDate: djangoTimePtr(u.ActivatedAt, loc), UserDeactivationDate: djangoTimePtr(u.DeactivatedAt, loc),
	}
}

// userListItem renders one result of Buscar usuarios.
func (r renderer) userListItem(u core.User) UserListItem {
	it := UserListItem{
		UserIdentity: userIdentity(u), UserFlags: userFlags(u),
		RelatedConcessionaires: []RelatedConcessionaire{},
		IsAdmin:                u.IsAdmin, IsConcessionAdmin: u.IsDealerAdmin(), IsBusinessManager: u.IsBusinessManager(), IsActive: u.IsActive,
		Session: r.session(u.Session, r.loc), UserActivationDate: djangoTimePtr(u.ActivatedAt, r.loc),
		UserDeactivationDate: djangoTimePtr(u.DeactivatedAt, r.loc),
	}
	for _, m := range u.Memberships {
		it.RelatedConcessionaires = append(it.RelatedConcessionaires, RelatedConcessionaire{
			ID: m.ID, Concessionaire: m.DealerID, ConcessionaireData: r.concessionaireShort(m.DealerID),
			IsConcessionaireAdmin: m.IsAdmin, IsBusinessManager: m.IsBusinessManager,
		})
	}
	return it
}

// nsa renders a lead's first-response time as SML does, null while the
// lead has had no task.
func nsa(l core.Lead, loc *time.Location) *string {
	l.CreatedAt = l.CreatedAt.In(loc) // calendar arithmetic in the dealer's time zone
	s, ok := l.NSA()
	if !ok {
		return nil
	}
	out := fmt.Sprintf("{ 'years': %d, 'months': %d, 'days': %d, 'hours': %d, 'minutes': %d, 'seconds': %d }",
		s.Years, s.Months, s.Days, s.Hours, s.Minutes, s.Seconds)
	return &out
}

// lead renders a lead.
func (r renderer) lead(l core.Lead) LeadResponse {
	loc := r.dealerLoc(l.DealerID)
	out := LeadResponse{
		ID:                 l.ID,
		Concessionaire:     l.DealerID,
		ConcessionaireData: r.leadConcessionaire(l.DealerID),
		Client:             r.client(l.Client),
		Vehicle:            r.vehicle(l.Vehicle),
		Request:            TaskList{ID: l.ID, Task: make([]Task, 0, len(l.Tasks))},
		Note:               r.notes(l.Notes, loc),
		EndDate:            djangoTimePtr(l.FinishedAt, loc),
		User:               l.UserID,
		UserData:           r.userData(l.UserID, loc),
		Result:             nullStr(string(l.Outcome)),
		Created:            djangoTime(l.CreatedAt, loc),
		Status:             string(l.Stage),
		FinishDate:         djangoTimePtr(l.FinishedAt, loc),
		PendingTasks:       l.PendingTasks(),
		MailContent:        nullStr(l.MailContent),
		FirstTaskDate:      djangoTimePtr(l.FirstTaskAt, loc),
		NSA:                nsa(l, loc),
		Origin:             r.origin(l.SourceID),
		CurUserCanAssign:   r.assignable[l.ID],
		Tags:               r.notes(l.Tags, loc),
		Source:             l.SourceID,
	}
	if l.Score > 0 {
		out.Score = nullStr(strconv.Itoa(l.Score))
	}
	for _, t := range l.Tasks {
		out.Request.Task = append(out.Request.Task, r.task(t, loc))
	}
	if s, ok := r.refs.sources[l.SourceID]; ok {
		sd := r.sourceWithOrigin(*s)
		out.SourceData = &sd
	}
	return out
}

// historyReasons words core's history kinds in Spanish.
var historyReasons = map[core.HistoryKind]string{
	core.KindLeadCreated:  "Lead creado",
	core.KindLeadUpdated:  "Lead modificado",
	core.KindStageChanged: "Estado cambiado",
	core.KindLeadAssigned: "Lead asignado",
	core.KindLeadFinished: "Lead finalizado",
	core.KindTaskCreated:  "Tarea creada",
	core.KindTaskUpdated:  "Tarea modificada",
	core.KindTaskDeleted:  "Tarea eliminada",
	core.KindCallPlaced:   "Llamada realizada",
	// a consumer's event on a lead it was handed (the lead bank's
	// SendAcknos): "Evento de entrega: delivery.event 2, delivery.reason 1"
	core.KindDeliveryEvent: "Evento de entrega",
	// the lead's new client was the dealer's stored client: "Cliente
	// existente: client 12, client.matched_by phone, client.email a → b"
	core.KindClientMatched: "Cliente existente",
	core.KindClientMerged:  "Clientes fusionados",

	core.KindAppointmentCreated: "Cita creada",
	core.KindAppointmentUpdated: "Cita modificada",
	core.KindAppointmentDeleted: "Cita eliminada",

	// a call, SMS, chat… with the lead's client (Casabaca's calls and
	// interactions): "Comunicación registrada: comunicacion (vacío) →
	// llamada entrante realizada 2021-10-02T19:59:00Z"
	core.KindCommunicationLogged:  "Comunicación registrada",
	core.KindCommunicationUpdated: "Comunicación modificada",
	core.KindCommunicationDeleted: "Comunicación eliminada",
}

// communicationWords words the core's communication kinds, directions and
// statuses in Spanish, for history texts.
var communicationWords = map[string]string{
	string(core.CommCall): "llamada", string(core.CommSMS): "SMS", string(core.CommChat): "chat",
	string(core.CommWhatsapp): "WhatsApp", string(core.CommEmail): "e-mail", string(core.CommForm): "formulario",
	string(core.CommInbound): "entrante", string(core.CommOutbound): "saliente",
	string(core.CommPlanned): "planificada", string(core.CommHeld): "realizada", string(core.CommNotAnswered): "no contestada",
}

// appointmentWords words the core's appointment types and statuses in
// Spanish, for history texts (SML has no appointments of its own).
var appointmentWords = map[string]string{
	string(core.AppointmentVisit):     "visita",
	string(core.AppointmentTestDrive): "prueba de conducción",
	string(core.AppointmentDelivery):  "entrega",
	string(core.AppointmentAppraisal): "tasación",
	string(core.AppointmentWorkshop):  "taller",
	string(core.AppointmentPlanned):   "planificada",
	string(core.AppointmentDone):      "realizada",
	string(core.AppointmentCancelled): "cancelada",
	string(core.AppointmentNoShow):    "no presentado",
}

// appointmentWord is w in Spanish, or w when it has no word.
func appointmentWord(w string) string {
	if s, ok := appointmentWords[w]; ok {
		return s
	}
	return w
}

var historyTypes = map[core.HistoryType]string{
	core.HistoryCreated: "+",
	core.HistoryChanged: "~",
	core.HistoryDeleted: "-",
}

// maxChangeValue bounds each value quoted in history_change_reason.
const maxChangeValue = 80

// maxChangesShown bounds the changes history_change_reason lists; the
// rest are counted ("y 1400 cambios más"). A write of a whole lead
// records a change per task and note it added or removed, up to some
// 1,500 for a lead at its totals; listed whole, a page of such entries
// would cost what the lead's totals keep a page of leads from costing.
const maxChangesShown = 50

func changeValue(s string) string {
	if s == "" {
		return "(vacío)"
	}
	if utf8.RuneCountInString(s) > maxChangeValue {
		rs := []rune(s)
		return string(rs[:maxChangeValue-1]) + "…"
	}
	return s
}

// taskFieldNames are the SML names of the task fields core's history names
// in its own words.
var taskFieldNames = map[string]string{
	"planned":          "planified_realization_date",
	"planned_tracking": "planified_tracking_date",
	"done":             "realization_date_check",
	"tracked":          "tracking_date_check",
}

// historyField names a changed field as the SML API does:
// "tasks.12.done" is "request.task.12.realization_date_check".
func historyField(corePath string) string {
	if corePath == "call" {
		return "click2call"
	}
	if rest, ok := strings.CutPrefix(corePath, "appointments"); ok && (rest == "" || rest[0] == '.') {
		return "cita" + rest
	}
	if rest, ok := strings.CutPrefix(corePath, "communications"); ok && (rest == "" || rest[0] == '.') {
		return "comunicacion" + rest
	}
	segs := smlPath(corePath, false)
	if n := len(segs); n >= 4 && segs[0] == "request" && segs[1] == "task" {
		if name, ok := taskFieldNames[segs[n-1]]; ok {
			segs[n-1] = name
		}
	}
	return strings.Join(segs, ".")
}

// historyValue renders the value of a change of core field corePath in
// SML's words: a task's media, alone or as the second word of a task
// summary (core.TaskSummary).
func historyValue(corePath, v string) string {
	switch {
	case corePath == "tasks":
		typ, rest, ok := strings.Cut(v, " ")
		if !ok {
			return v
		}
		media, rest, more := strings.Cut(rest, " ")
		v = typ + " " + mediaWord(core.Media(media))
		if more {
			v += " " + rest
		}
		return v
	case strings.HasPrefix(corePath, "tasks.") && strings.HasSuffix(corePath, ".media") && strings.Count(corePath, ".") == 2:
		if v == "" {
			return v
		}
		return mediaWord(core.Media(v))
	case corePath == "appointments":
		// a summary: "<type> <status> <start> [title]"
		typ, rest, _ := strings.Cut(v, " ")
		status, rest, more := strings.Cut(rest, " ")
		if v == "" {
			return v
		}
		v = appointmentWord(typ) + " " + appointmentWord(status)
		if more {
			v += " " + rest
		}
		return v
	case corePath == "communications" && v != "":
		// a summary: "<kind> <direction> <status> <start> [subject]"
		f := strings.SplitN(v, " ", 4)
		for i := 0; i < len(f) && i < 3; i++ {
			if w, ok := communicationWords[f[i]]; ok {
				f[i] = w
			}
		}
		return strings.Join(f, " ")
	case strings.HasPrefix(corePath, "appointments.") && (strings.HasSuffix(corePath, ".type") || strings.HasSuffix(corePath, ".status")) &&
		strings.Count(corePath, ".") == 2:
		return appointmentWord(v)
	}
	return v
}

// historyReason renders history_change_reason: the kind in Spanish and
// what changed, "Estado cambiado: status new → tracing".
func historyReason(h core.History) string {
	s, ok := historyReasons[h.Kind]
	if !ok {
		s = string(h.Kind)
	}
	parts := make([]string, 0, min(len(h.Changes), maxChangesShown+1))
	for i, c := range h.Changes {
		if i == maxChangesShown {
			parts = append(parts, fmt.Sprintf("y %d cambios más", len(h.Changes)-maxChangesShown))
			break
		}
		field := historyField(c.Field)
		if h.Type == core.HistoryCreated || h.Kind == core.KindDeliveryEvent {
			// what was created, or recorded, has no old value
			parts = append(parts, field+" "+changeValue(historyValue(c.Field, c.New)))
			continue
		}
		parts = append(parts, field+" "+changeValue(historyValue(c.Field, c.Old))+" → "+changeValue(historyValue(c.Field, c.New)))
	}
	if len(parts) > 0 {
		s += ": " + strings.Join(parts, ", ")
	}
	return s
}

// history renders one entry of Histórico de cambios en Lead.
func (r renderer) history(h core.History) HistoryEntry {
	e := HistoryEntry{HistoryDate: djangoTime(h.At, r.loc), HistoryChangeReason: historyReason(h), HistoryType: historyTypes[h.Type]}
	if h.UserID != nil {
		if u, ok := r.refs.users[*h.UserID]; ok {
			e.HistoryUser = &u.Username
		}
	}
	if e.HistoryType == "" {
		e.HistoryType = "~"
	}
	return e
}
