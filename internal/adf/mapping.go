package adf

import (
	"strconv"
	"strings"

	"forecourt/internal/core"
)

// refSystem is the system of the ref an ADF lead is named by.
const refSystem = "adf.id"

// interests are the vehicle interests ADF 1.0 names.
var interests = []string{"buy", "lease", "sell", "trade-in", "test-drive"}

// Map maps prospect p to the intake of a lead from source (the dealer's,
// chosen by the handler). It is pure: the core checks the rest (lengths,
// the vehicle's amounts, the e-mail) and answers Invalid.
//
//   - the customer's contact is the client: its name parts joined (a
//     full name wins), its first phone and e-mail; one of these two is
//     required;
//   - the first vehicle whose interest is not trade-in is the lead's
//     (make, model, year, VIN, price, odometer); one is required; a
//     trade-in vehicle is a note (the core's appraisal is a task an
//     advisor fills in, not an intake's);
//   - the first id with its source is the ref: the same id and source
//     again is the same lead;
//   - the comments, the provider and the vendor are notes, the provider
//     and vendor also the profile's adf.provider and adf.vendor.
func Map(p Prospect, source int64) (core.Intake, error) {
	var problems []string
	client := &core.Client{Name: contactName(p.Customer.Contact.Names), Email: first(p.Customer.Contact.Emails),
		Phone: firstPhone(p.Customer.Contact.Phones), Address: address(p.Customer.Contact.Address)}
	if client.Phone == "" && client.Email == "" {
		problems = append(problems, "customer contact: neither a phone nor an e-mail")
	}
	var vehicle *core.Vehicle
	var notes []core.Note
	for i, v := range p.Vehicles {
		interest := strings.ToLower(strings.TrimSpace(v.Interest))
		if interest == "" {
			interest = "buy"
		}
		if !contains(interests, interest) {
			problems = append(problems, "vehicle "+strconv.Itoa(i+1)+": unknown interest "+strconv.Quote(v.Interest)+
				" (buy, lease, sell, trade-in, test-drive)")
			continue
		}
		if interest == "trade-in" {
			notes = append(notes, core.Note{Content: "Trade-in: " + describe(v)})
			continue
		}
		if vehicle == nil {
			vehicle = leadVehicle(v)
			if interest != "buy" {
				notes = append(notes, core.Note{Content: "Interest: " + interest})
			}
		}
		if c := strings.TrimSpace(v.Comments); c != "" {
			notes = append(notes, core.Note{Content: "Vehicle comments: " + c})
		}
	}
	if vehicle == nil && len(problems) == 0 {
		problems = append(problems, "vehicle: none with make or model (other than a trade-in)")
	}
	if len(problems) > 0 {
		return core.Intake{}, bad("%s", strings.Join(problems, "; "))
	}
	if c := strings.TrimSpace(p.Customer.Comments); c != "" {
		notes = append([]core.Note{{Content: c}}, notes...)
	}
	ext := map[string]string{}
	if pv := providerText(p.Provider); pv != "" {
		ext["adf.provider"] = pv
		notes = append(notes, core.Note{Content: "Provider: " + pv})
	}
	if vn := strings.TrimSpace(p.Vendor.VendorName); vn != "" {
		ext["adf.vendor"] = vn
	}
	in := core.Intake{
		Lead:    core.Lead{SourceID: source, Client: client, Vehicle: vehicle, Notes: notes},
		Profile: core.LeadProfile{Kind: core.ProfileEnquiry, Ext: ext},
	}
	if len(p.IDs) > 0 && strings.TrimSpace(p.IDs[0].Value) != "" {
		id := p.IDs[0]
		in.Ref = &core.LeadRef{System: refSystem, Ref: strconv.Quote(strings.TrimSpace(id.Source)) + ":" + strings.TrimSpace(id.Value)}
	}
	return in, nil
}

// leadVehicle is the lead's vehicle of v, or nil when v names neither
// make nor model.
func leadVehicle(v Vehicle) *core.Vehicle {
	mk, md := strings.TrimSpace(v.Make), strings.TrimSpace(v.Model)
	if mk == "" && md == "" {
		return nil
	}
	out := &core.Vehicle{Make: mk, Model: md, BrandModel: strings.TrimSpace(mk + " " + md), VIN: strings.TrimSpace(v.VIN),
		Price: strings.TrimSpace(v.Price.Value), Km: strings.TrimSpace(v.Odometer.Value)}
	if y, err := strconv.Atoi(strings.TrimSpace(v.Year)); err == nil {
		out.Year = &y
	}
	return out
}

// describe is a vehicle in a line: year, make, model, trim, VIN, odometer.
func describe(v Vehicle) string {
	var parts []string
	for _, s := range []string{v.Year, v.Make, v.Model, v.Trim} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	if s := strings.TrimSpace(v.VIN); s != "" {
		parts = append(parts, "VIN "+s)
	}
	if s := strings.TrimSpace(v.Odometer.Value); s != "" {
		parts = append(parts, "odometer "+s+" "+strings.TrimSpace(v.Odometer.Units))
	}
	return strings.TrimSpace(strings.Join(parts, " "))
}

// contactName joins a contact's name parts: a full name as it is, else
// first, middle and last in that order (then any other part).
func contactName(names []Name) string {
	byPart := map[string][]string{}
	for _, n := range names {
		if v := strings.Join(strings.Fields(n.Value), " "); v != "" {
			part := strings.ToLower(strings.TrimSpace(n.Part))
			byPart[part] = append(byPart[part], v)
		}
	}
	if full := byPart["full"]; len(full) > 0 {
		return full[0]
	}
	var out []string
	for _, part := range []string{"first", "middle", "last", ""} {
		out = append(out, byPart[part]...)
	}
	return strings.Join(out, " ")
}

// firstPhone is the first cellphone, else the first phone of any type.
func firstPhone(ps []Phone) string {
	for _, p := range ps {
		if strings.EqualFold(strings.TrimSpace(p.Type), "cellphone") && strings.TrimSpace(p.Value) != "" {
			return strings.TrimSpace(p.Value)
		}
	}
	for _, p := range ps {
		if v := strings.TrimSpace(p.Value); v != "" {
			return v
		}
	}
	return ""
}

func first(ss []string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// address is a postal address in a line.
func address(a Address) string {
	var parts []string
	for _, s := range append(a.Streets, a.City, strings.TrimSpace(a.RegionCode+" "+a.PostalCode), a.Country) {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

// providerText names the provider: its name, then its service.
func providerText(p Provider) string {
	name := contactName(p.Names)
	if s := strings.TrimSpace(p.Service); s != "" {
		if name != "" {
			return name + " (" + s + ")"
		}
		return s
	}
	return name
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}
