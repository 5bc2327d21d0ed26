package leadbank

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"forecourt/internal/core"
)

// dotnetTime renders t as ASP.NET renders a DateTimeOffset in the dealer's
// time zone: seven fractional digits (ticks of 100 ns) and the offset,
// "2024-10-15T05:29:19.5139414+02:00". A DateTimeOffset's offset is whole
// minutes, so a zone's offset with seconds (Madrid's −00:14:44 before 1901)
// is rounded to the nearest minute, and the local time is the instant's at
// that offset: the text names the instant exactly.
func dotnetTime(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	if _, off := t.Zone(); off%60 != 0 {
		t = t.In(time.FixedZone("", wholeMinutes(off)))
	}
	return t.Format("2006-01-02T15:04:05.0000000-07:00")
}

// wholeMinutes rounds an offset in seconds to the nearest minute, halves
// away from zero.
func wholeMinutes(off int) int {
	if off < 0 {
		return -wholeMinutes(-off)
	}
	return (off + 30) / 60 * 60
}

// parseDotnetTime reads a DateAction: RFC 3339 with any fraction (up to
// .NET's seven digits), or a date-time without offset, read in the
// dealer's time zone, or a date. A time outside the years 0001–9999, in
// UTC or in the dealer's time zone (where its answers render it), is
// refused: .NET's DateTime holds no other; so is an offset beyond ±14:00
// (+24:00), which no .NET DateTimeOffset holds.
func parseDotnetTime(s string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		_, off := t.Zone()
		return t, inYears(t, loc) && off >= -maxOffset && off <= maxOffset
	}
	for _, layout := range []string{"2006-01-02T15:04:05.9999999", "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, inYears(t, loc)
		}
	}
	return time.Time{}, false
}

// maxOffset is the largest offset from UTC, in seconds, of a .NET
// DateTimeOffset: 14 hours.
const maxOffset = 14 * 60 * 60

// inYears reports whether t falls within the years 1–9999 as written, in
// UTC and in loc.
func inYears(t time.Time, loc *time.Location) bool {
	for _, y := range []int{t.Year(), t.UTC().Year(), t.In(loc).Year()} {
		if y < 1 || y > 9999 {
			return false
		}
	}
	return true
}

// eventNames names the lead bank's event statuses (IDstatus) forecourt
// knows; an event is recorded with its number and, when known, its name
// ("5 sold"). See docs/leadbank.md.
var eventNames = map[int64]string{
	1: "contacted",
	2: "not_contacted",
	3: "appointment",
	4: "visit",
	5: "sold",
	6: "lost",
	7: "invalid",
	8: "duplicate",
}

// eventCode is the core event code of a lead bank status.
func eventCode(status int64) string {
	if name, ok := eventNames[status]; ok {
		return strconv.FormatInt(status, 10) + " " + name
	}
	return strconv.FormatInt(status, 10)
}

// reasonCode is the core reason code of a lead bank reason: none for 0.
func reasonCode(reason int64) string {
	if reason == 0 {
		return ""
	}
	return strconv.FormatInt(reason, 10)
}

// refs are the records a page of leads refers to, by id.
type refs struct {
	dealers    map[int64]core.Dealer
	sources    map[int64]core.Source
	origins    map[int64]core.Origin
	channels   map[int64]core.Channel
	users      map[int64]core.User
	fuels      map[int64]core.GasType
	provinces  map[int64]core.Province
	localities map[int64]core.Locality
}

// loadRefs loads what rendering ls needs, through the Service's lookups
// (scoped to the principal), a few queries for the whole page.
func loadRefs(ctx context.Context, svc *core.Service, ls []core.Lead) (refs, error) {
	r := refs{dealers: map[int64]core.Dealer{}, sources: map[int64]core.Source{}, origins: map[int64]core.Origin{},
		channels: map[int64]core.Channel{}, users: map[int64]core.User{}, fuels: map[int64]core.GasType{},
		provinces: map[int64]core.Province{}, localities: map[int64]core.Locality{}}
	var dealers, sources, users, provinces, localities []int64
	for _, l := range ls {
		dealers, sources = append(dealers, l.DealerID), append(sources, l.SourceID)
		if l.UserID != nil {
			users = append(users, *l.UserID)
		}
		if c := l.Client; c != nil {
			if c.ProvinceID != nil {
				provinces = append(provinces, *c.ProvinceID)
			}
			if c.LocalityID != nil {
				localities = append(localities, *c.LocalityID)
			}
		}
	}
	if len(ls) == 0 {
		return r, nil
	}
	ds, err := svc.DealersByID(ctx, dealers)
	if err != nil {
		return r, err
	}
	for _, d := range ds {
		r.dealers[d.ID] = d
	}
	srcs, err := svc.SourcesByID(ctx, sources)
	if err != nil {
		return r, err
	}
	var origins []int64
	for _, s := range srcs {
		r.sources[s.ID] = s
		origins = append(origins, s.OriginID)
	}
	os, err := svc.OriginsByID(ctx, origins)
	if err != nil {
		return r, err
	}
	for _, o := range os {
		r.origins[o.ID] = o
	}
	chs, err := svc.Channels(ctx)
	if err != nil {
		return r, err
	}
	for _, c := range chs {
		r.channels[c.ID] = c
	}
	us, err := svc.UsersByID(ctx, users)
	if err != nil {
		return r, err
	}
	for _, u := range us {
		r.users[u.ID] = u
	}
	gs, err := svc.GasTypes(ctx)
	if err != nil {
		return r, err
	}
	for _, g := range gs {
		r.fuels[g.ID] = g
	}
	ps, err := svc.ProvincesByID(ctx, provinces)
	if err != nil {
		return r, err
	}
	for _, p := range ps {
		r.provinces[p.ID] = p
	}
	lcs, err := svc.LocalitiesByID(ctx, localities)
	if err != nil {
		return r, err
	}
	for _, l := range lcs {
		r.localities[l.ID] = l
	}
	return r, nil
}

// lead renders l as handed out in state.
func (r refs) lead(l core.Lead, state int) Lead {
	loc := time.UTC
	if d, ok := r.dealers[l.DealerID]; ok {
		loc = d.Location()
	}
	src := r.sources[l.SourceID]
	origin := r.origins[src.OriginID]
	campaign := src.Data
	if campaign == "" {
		campaign = origin.Name
	}
	return Lead{
		IDLeadBank:        l.ID,
		IDProvider:        src.OriginID,
		NameProvider:      origin.Name,
		IDService:         src.ChannelID,
		NameService:       r.channels[src.ChannelID].Name,
		State:             state,
		IDCampaign:        strconv.FormatInt(l.SourceID, 10),
		NameCampaign:      campaign,
		BandDealerID:      strconv.FormatInt(l.DealerID, 10),
		ExternalLeadID:    l.PublicID,
		QualificationDate: dotnetTime(l.UpdatedAt, loc),
		CreateDate:        dotnetTime(l.CreatedAt, loc),
		Contents:          r.contents(l),
	}
}

// contents lists the lead's data as key/value rows, numbered from 1 in
// this order: the client, the vehicle, the comments, the lead. Empty
// values are left out.
func (r refs) contents(l core.Lead) []Content {
	out := []Content{}
	add := func(typ int, key, value string) {
		if value = strings.TrimSpace(value); value != "" {
			out = append(out, Content{ID: len(out) + 1, Key: key, Value: value, Type: typ})
		}
	}
	if c := l.Client; c != nil {
		add(TypeClient, "ClientName", c.Name)
		add(TypeClient, "ClientPhone", c.Phone)
		add(TypeClient, "ClientPhoneE164", c.PhoneE164)
		add(TypeClient, "ClientEmail", c.Email)
		add(TypeClient, "ClientGovID", c.GovID)
		add(TypeClient, "ClientBusinessName", c.BusinessName)
		add(TypeClient, "ClientAddress", c.Address)
		if c.ProvinceID != nil {
			add(TypeClient, "ClientProvince", r.provinces[*c.ProvinceID].Name)
		}
		if c.LocalityID != nil {
			add(TypeClient, "ClientLocality", r.localities[*c.LocalityID].Name)
		}
	}
	if v := l.Vehicle; v != nil {
		add(TypeVehicle, "VehicleBrandModel", v.BrandModel)
		add(TypeVehicle, "VehiclePrice", v.Price)
		add(TypeVehicle, "VehicleKm", v.Km)
		if v.Year != nil {
			add(TypeVehicle, "VehicleYear", strconv.Itoa(*v.Year))
		}
		if v.GasID != nil {
			add(TypeVehicle, "VehicleFuel", r.fuels[*v.GasID].Name)
		}
		if v.Sold {
			add(TypeVehicle, "VehicleSold", "true")
		}
	}
	for _, n := range l.Notes {
		add(TypeComment, "Comment", n.Content)
	}
	for _, n := range l.Tags {
		add(TypeComment, "Tag", n.Content)
	}
	add(TypeComment, "Message", l.MailContent)
	add(TypeLead, "Stage", string(l.Stage))
	add(TypeLead, "Outcome", string(l.Outcome))
	if l.Score > 0 {
		add(TypeLead, "Score", strconv.Itoa(l.Score))
	}
	if l.UserID != nil {
		if u, ok := r.users[*l.UserID]; ok {
			add(TypeLead, "AssignedUser", strings.TrimSpace(u.FirstName+" "+u.LastName))
			add(TypeLead, "AssignedUserEmail", u.Email)
		}
	}
	return out
}

// summary words a result for Message.
func summary(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "; ") + "."
}

// idsPart words one list of a Result for Message: "" when empty.
func idsPart(what string, ids []int64) string {
	if len(ids) == 0 {
		return ""
	}
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return fmt.Sprintf("%s: %s", what, strings.Join(s, ", "))
}

// count words n things: "1 lead", "2 leads".
func count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return strconv.Itoa(n) + " " + thing + "s"
}
