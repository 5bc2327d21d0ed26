package adf

import (
	"strings"
	"testing"
)

func TestMap(t *testing.T) {
	contact := Contact{Names: []Name{{Part: "last", Value: "Doe"}, {Part: "first", Value: " Jane "}}, Phones: []Phone{{Type: "voice", Value: "911"}, {Type: "cellphone", Value: "600 000 000"}}}
	car := Vehicle{Year: "2020", Make: "Ford", Model: "Focus", VIN: "V1", Price: Amount{Value: " 9000 "}, Odometer: Amount{Value: "1200"}}
	cases := []struct {
		name string
		p    Prospect
		err  string // a part of the error; "" for none
		ref  string
		// what the mapped intake has
		client, phone, email, brandModel string
		notes                            []string
	}{
		{name: "joined name, cellphone first", p: Prospect{Customer: Customer{Contact: contact}, Vehicles: []Vehicle{car}},
			client: "Jane Doe", phone: "600 000 000", brandModel: "Ford Focus"},
		{name: "full name wins", p: Prospect{Customer: Customer{Contact: Contact{Names: []Name{{Part: "first", Value: "A"}, {Part: "full", Value: "Ann  Lee"}},
			Emails: []string{"", "ann@example.com"}}}, Vehicles: []Vehicle{car}}, client: "Ann Lee", email: "ann@example.com", brandModel: "Ford Focus"},
		{name: "id and source are the ref", p: Prospect{IDs: []ID{{Source: "Portal", Value: " X1 "}, {Source: "Other", Value: "Y"}},
			Customer: Customer{Contact: contact}, Vehicles: []Vehicle{car}}, ref: `"Portal":X1`, client: "Jane Doe", phone: "600 000 000", brandModel: "Ford Focus"},
		{name: "trade-in is a note, lease noted", p: Prospect{Customer: Customer{Contact: contact, Comments: "call me"},
			Vehicles: []Vehicle{{Interest: "trade-in", Year: "2010", Make: "Seat", Model: "Leon", VIN: "T"}, {Interest: "Lease", Make: "Kia", Comments: "red"}},
			Provider: Provider{Names: []Name{{Part: "full", Value: "P"}}, Service: "S"}},
			client: "Jane Doe", phone: "600 000 000", brandModel: "Kia",
			notes: []string{"call me", "Trade-in: 2010 Seat Leon VIN T", "Interest: lease", "Vehicle comments: red", "Provider: P (S)"}},
		{name: "no phone nor e-mail", p: Prospect{Customer: Customer{Contact: Contact{Names: contact.Names}}, Vehicles: []Vehicle{car}},
			err: "neither a phone nor an e-mail"},
		{name: "unknown interest", p: Prospect{Customer: Customer{Contact: contact}, Vehicles: []Vehicle{{Interest: "rent", Make: "X"}}},
			err: `unknown interest "rent"`},
		{name: "only a trade-in", p: Prospect{Customer: Customer{Contact: contact}, Vehicles: []Vehicle{{Interest: "trade-in", Make: "X"}}},
			err: "vehicle: none"},
		{name: "no vehicle", p: Prospect{Customer: Customer{Contact: contact}}, err: "vehicle: none"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in, err := Map(c.p, 7)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want one naming %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			l := in.Lead
			if l.SourceID != 7 || l.Client.Name != c.client || l.Client.Phone != c.phone || l.Client.Email != c.email || l.Vehicle.BrandModel != c.brandModel {
				t.Fatalf("lead %+v client %+v vehicle %+v", l, l.Client, l.Vehicle)
			}
			switch {
			case c.ref == "" && in.Ref != nil:
				t.Fatalf("ref %+v, want none", in.Ref)
			case c.ref != "" && (in.Ref == nil || in.Ref.Ref != c.ref || in.Ref.System != refSystem):
				t.Fatalf("ref %+v, want %q", in.Ref, c.ref)
			}
			var notes []string
			for _, n := range l.Notes {
				notes = append(notes, n.Content)
			}
			if strings.Join(notes, "|") != strings.Join(c.notes, "|") {
				t.Fatalf("notes %q, want %q", notes, c.notes)
			}
		})
	}
	in, _ := Map(Prospect{Customer: Customer{Contact: contact}, Vehicles: []Vehicle{car}}, 1)
	if v := in.Lead.Vehicle; v.Year == nil || *v.Year != 2020 || v.VIN != "V1" || v.Price != "9000" || v.Km != "1200" {
		t.Fatalf("vehicle %+v", v)
	}
}

// FuzzParse: no document makes the parser panic, and one it accepts maps
// without panicking.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`<?adf version="1.0"?><adf><prospect><id source="s">1</id><vehicle><make>a</make></vehicle>` +
		`<customer><contact><name part="full">n</name><email>e@x.y</email></contact></customer></prospect></adf>`))
	f.Add([]byte(`<?xml version="1.0" encoding="ISO-8859-1"?><adf><prospect/></adf>`))
	f.Add([]byte(`<!DOCTYPE adf [<!ENTITY a "a">]><adf>&a;</adf>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, err := Parse(b)
		if err != nil {
			if _, ok := err.(*errBadInput); !ok {
				t.Fatalf("error %T %v is not a bad input", err, err)
			}
			return
		}
		if len(doc.Prospects) == 0 || len(doc.Prospects) > maxProspects {
			t.Fatalf("%d prospects accepted", len(doc.Prospects))
		}
		for _, p := range doc.Prospects {
			_, _ = Map(p, 1)
		}
	})
}
