// Package demo loads the demo data of `forecourt serve --demo`: the dealer
// "Concesionario de Prueba" with its sources, fuels, Spain's provinces and
// localities, the admin demo@example.com and a set of varied sample leads.
// The API tests seed the same data, so the README's walkthrough is tested.
package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"forecourt/internal/core"
)

// Demo credentials, printed by `serve --demo`.
const (
	AdminUsername = "demo@example.com"
	AdminPassword = "demo"
	DealerName    = "Concesionario de Prueba"

	// The second demo dealer, in Colombia, for LeanCore's lookup.
	CODealerName    = "Autos Demo Bogotá"
	COAdminUsername = "demo.co@example.com"
	// COLeadPhone is the mobile number of its lead, as LeanCore's document
	// writes it in its example.
	COLeadPhone = "573136434030"
)

// ErrNotEmpty is returned by Seed when the database already holds dealers.
var ErrNotEmpty = errors.New("demo: the database is not empty")

// Options tunes Seed.
type Options struct {
	Leads    int // sample leads to create; 0 for none
	Advisors int // advisors besides the admin; default 3
	// WalcuKinds adds to the first dealer three after-sale and three
	// appraisal leads, and a planned visit on every fourth sample lead
	// (walcu.go): serve --demo's data, so that every Walcu collection
	// of leads and dates shows something.
	WalcuKinds bool
}

// Fixture names what Seed created.
type Fixture struct {
	DealerID      int64
	AdminID       int64
	AdminUsername string
	AdminPassword string
	AdvisorIDs    []int64
	SourceIDs     map[string]int64 // by channel slug: phone, email, web, chat, whatsapp
	GasIDs        []int64
	ProvinceID    int64 // Madrid
	LocalityID    int64 // Madrid, the city
	ProvinceIDs   map[int]int64
	LocalityIDs   map[string]int64 // capital name → id
	LeadIDs       []int64
	// WalcuLeadIDs are the after-sale and appraisal leads, AppointmentIDs
	// the visits (Options.WalcuKinds).
	WalcuLeadIDs   []int64
	AppointmentIDs []int64
	// VehicleIDs are the stock cars and the after-sale clients' vehicles
	// (Options.WalcuKinds; demo/vehicles.go).
	VehicleIDs []int64

	CODealerID int64 // the dealer in Colombia
	COAdminID  int64 // its admin, COAdminUsername with AdminPassword
	COLeadID   int64 // its lead, of a client with the phone COLeadPhone

	EC ECFixture // the dealer in Ecuador (ecuador.go)

	channels, origins map[string]int64 // by slug; web, coches.net, showroom
}

// Seed loads the demo data into an empty database through svc.
func Seed(ctx context.Context, svc *core.Service, opt Options) (Fixture, error) {
	empty, err := svc.IsEmpty(ctx)
	if err != nil {
		return Fixture{}, err
	}
	if !empty {
		return Fixture{}, ErrNotEmpty
	}
	if opt.Advisors == 0 {
		opt.Advisors = 3
	}
	f := Fixture{AdminUsername: AdminUsername, AdminPassword: AdminPassword, SourceIDs: map[string]int64{},
		ProvinceIDs: map[int]int64{}, LocalityIDs: map[string]int64{}, channels: map[string]int64{}, origins: map[string]int64{}}
	if err := seedGeography(ctx, svc, &f); err != nil {
		return Fixture{}, fmt.Errorf("demo geography: %w", err)
	}
	for _, name := range []string{"Gasolina", "Diésel", "Híbrido", "Híbrido enchufable", "Eléctrico", "GLP", "GNC"} {
		g, err := svc.CreateGasType(ctx, core.GasType{Name: name})
		if err != nil {
			return Fixture{}, err
		}
		f.GasIDs = append(f.GasIDs, g.ID)
	}

	lat, lon := 40.4378, -3.6795
	cal := &core.WorkCalendar{}
	for i := range 5 {
		cal.Days[i] = core.WorkDay{Start: "09:00", End: "20:00", Working: true}
	}
	cal.Days[5] = core.WorkDay{Start: "10:00", End: "14:00", Working: true}
	cal.Days[6] = core.WorkDay{Working: false}
	d, err := svc.CreateDealer(ctx, core.Dealer{
		Name: DealerName, Country: "ES", TimeZone: "Europe/Madrid",
		Address: "Calle de Serrano 100, 28006 Madrid", Latitude: &lat, Longitude: &lon,
		Schedule: "L-V 9:00-20:00, S 10:00-14:00", Web: "https://concesionario-prueba.example.com",
		Guidance: core.Guidance{Visit: "Pruebas de conducción con cita previa.", Appraisal: "Tasación gratuita en 24 h.",
			Financing: "Financiación hasta 96 meses.", Warranty: "12 meses en vehículos de ocasión.",
			Service: "Taller propio multimarca."},
		// the dealer's page on coches.net, a field only the SML API has
		Ext:      map[string]string{"sml.web_coches_net": "https://www.coches.net/concesionario/concesionario-de-prueba/"},
		CallerID: "34910052683", Phone: "674833617",
		Calendar: cal, Notes: []core.Note{{Content: "Concesionario de demostración de forecourt."}},
	})
	if err != nil {
		return Fixture{}, err
	}
	f.DealerID = d.ID

	if err := seedSources(ctx, svc, &f); err != nil {
		return Fixture{}, fmt.Errorf("demo sources: %w", err)
	}

	admin, err := svc.CreateUser(ctx, core.User{
		Username: AdminUsername, Email: AdminUsername, FirstName: "Demo", LastName: "Administrador",
		IsAdmin: true, IsActive: true, Phone: "600000001",
		Memberships: []core.Membership{{DealerID: d.ID, IsAdmin: true}},
	}, AdminPassword)
	if err != nil {
		return Fixture{}, err
	}
	f.AdminID = admin.ID
	advisors := []struct{ first, last string }{
		{"Lucía", "García Pérez"}, {"Javier", "Martín López"}, {"Marta", "Sánchez Ruiz"}, {"Pablo", "Romero Díaz"},
	}
	for i := range opt.Advisors {
		a := advisors[i%len(advisors)]
		u, err := svc.CreateUser(ctx, core.User{
			Username: fmt.Sprintf("asesor%d@example.com", i+1), Email: fmt.Sprintf("asesor%d@example.com", i+1),
			FirstName: a.first, LastName: a.last, IsActive: true, Click2CallID: fmt.Sprintf("10%d", i+1),
			Memberships: []core.Membership{{DealerID: d.ID, IsBusinessManager: i == 0}},
		}, AdminPassword)
		if err != nil {
			return Fixture{}, err
		}
		f.AdvisorIDs = append(f.AdvisorIDs, u.ID)
	}

	actx := core.WithPrincipal(ctx, core.Principal{UserID: admin.ID, Username: admin.Username, DealerIDs: []int64{d.ID}})
	if err := seedLeads(actx, svc, &f, opt.Leads); err != nil {
		return Fixture{}, fmt.Errorf("demo leads: %w", err)
	}
	if opt.WalcuKinds {
		if err := seedWalcuKinds(actx, svc, &f); err != nil {
			return Fixture{}, fmt.Errorf("demo leads of Walcu's kinds: %w", err)
		}
		if err := seedVehicles(actx, svc, &f); err != nil {
			return Fixture{}, fmt.Errorf("demo vehicles: %w", err)
		}
	}
	if err := seedColombia(ctx, svc, &f); err != nil {
		return Fixture{}, fmt.Errorf("demo dealer in Colombia: %w", err)
	}
	if err := seedEcuador(ctx, svc, &f); err != nil {
		return Fixture{}, fmt.Errorf("demo dealer in Ecuador: %w", err)
	}
	return f, nil
}

// seedColombia creates the dealer in Colombia with its admin, a source and
// the lead LeanCore's document looks up by its mobile number.
func seedColombia(ctx context.Context, svc *core.Service, f *Fixture) error {
	if _, err := svc.CreateCountry(ctx, core.Country{Code: "CO", Name: "Colombia"}); err != nil {
		return err
	}
	d, err := svc.CreateDealer(ctx, core.Dealer{Name: CODealerName, Country: "CO", TimeZone: "America/Bogota",
		Address: "Carrera 7 # 71-21, Bogotá", Web: "https://autos-demo-bogota.example.com", Phone: "6017430000"})
	if err != nil {
		return err
	}
	f.CODealerID = d.ID
	admin, err := svc.CreateUser(ctx, core.User{
		Username: COAdminUsername, Email: COAdminUsername, FirstName: "Demo", LastName: "Bogotá", IsActive: true,
		Memberships: []core.Membership{{DealerID: d.ID, IsAdmin: true}},
	}, AdminPassword)
	if err != nil {
		return err
	}
	f.COAdminID = admin.ID
	src, err := svc.CreateSource(ctx, core.Source{DealerID: d.ID, ChannelID: f.channels[core.ChannelWhatsapp],
		OriginID: f.origins["web"], Data: "+57 601 743 0000"})
	if err != nil {
		return err
	}
	actx := core.WithPrincipal(ctx, core.Principal{UserID: admin.ID, Username: admin.Username, DealerIDs: []int64{d.ID}})
	l, err := svc.CreateLead(actx, core.Lead{
		SourceID: src.ID,
		Client: &core.Client{Name: "Juan Pérez Gómez", Phone: "+57 313 643 4030", Email: "juan.perez@example.com",
			GovID: "1.020.304.050", Address: "Calle 93 # 11-26, Bogotá"},
		Vehicle: &core.Vehicle{BrandModel: "Renault Duster 1.3 TCe Intens", Price: "98900000", Km: "0"},
		Notes:   []core.Note{{Content: "Escribió por WhatsApp: quiere cotizar con financiación."}},
		Score:   3,
	})
	if err != nil {
		return err
	}
	f.COLeadID = l.ID
	return nil
}

func seedGeography(ctx context.Context, svc *core.Service, f *Fixture) error {
	if _, err := svc.CreateCountry(ctx, core.Country{Code: "ES", Name: "España"}); err != nil {
		return err
	}
	for _, p := range SpainProvinces {
		pr, err := svc.CreateProvince(ctx, core.Province{ID: int64(p.Code), Country: "ES", Name: p.Name, Active: true})
		if err != nil {
			return err
		}
		f.ProvinceIDs[p.Code] = pr.ID
		for i, name := range p.Localities {
			lo, err := svc.CreateLocality(ctx, core.Locality{ProvinceID: pr.ID, Name: name, Active: true})
			if err != nil {
				return err
			}
			if i == 0 {
				f.LocalityIDs[name] = lo.ID
			}
		}
	}
	f.ProvinceID = f.ProvinceIDs[28]
	f.LocalityID = f.LocalityIDs["Madrid"]
	return nil
}

func seedSources(ctx context.Context, svc *core.Service, f *Fixture) error {
	channels := map[string]core.Channel{}
	for _, c := range core.WellKnownChannels {
		c, err := svc.CreateChannel(ctx, c)
		if err != nil {
			return err
		}
		channels[c.Slug] = c
		f.channels[c.Slug] = c.ID
	}
	web := core.Origin{Name: "Web del concesionario", Icon: "/static/origins/web.svg",
		ChannelIDs: []int64{channels["web"].ID, channels["chat"].ID, channels["email"].ID}}
	cochesNet := core.Origin{Name: "coches.net", Icon: "/static/origins/coches-net.svg",
		Phones:     []core.OriginPhone{{Number: "666666666"}},
		Emails:     []core.OriginEmail{{Email: "leads@concesionario-prueba.example.com"}},
		ChannelIDs: []int64{channels["phone"].ID, channels["email"].ID, channels["whatsapp"].ID}}
	showroom := core.Origin{Name: "Exposición", Icon: "/static/origins/showroom.svg", ChannelIDs: []int64{channels["phone"].ID}}
	for _, o := range []struct {
		name   string
		origin *core.Origin
	}{{"web", &web}, {"coches.net", &cochesNet}, {"showroom", &showroom}} {
		created, err := svc.CreateOrigin(ctx, *o.origin)
		if err != nil {
			return err
		}
		*o.origin = created
		f.origins[o.name] = created.ID
	}
	for _, s := range []struct {
		slug   string
		origin *core.Origin
		data   string
	}{
		{"phone", &cochesNet, "666666666"},
		{"email", &cochesNet, "leads@concesionario-prueba.example.com"},
		{"web", &web, "Formulario de contacto"},
		{"chat", &web, "Chat de la web"},
		{"whatsapp", &cochesNet, "+34 600 000 000"},
	} {
		src, err := svc.CreateSource(ctx, core.Source{DealerID: f.DealerID, ChannelID: channels[s.slug].ID, OriginID: s.origin.ID, Data: s.data})
		if err != nil {
			return err
		}
		f.SourceIDs[s.slug] = src.ID
	}
	return nil
}

var (
	firstNames = []string{"Antonio", "María", "Manuel", "Carmen", "José", "Ana", "Francisco", "Laura", "David", "Isabel", "Juan", "Cristina", "Sergio", "Elena", "Alejandro", "Paula", "Daniel", "Rocío", "Carlos", "Nuria"}
	surnames   = []string{"García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero", "Navarro", "Torres"}
	models     = []struct {
		name  string
		price int
	}{
		{"SEAT León 1.5 TSI FR", 24900}, {"Volkswagen Golf 2.0 TDI Life", 27500}, {"Toyota Corolla 140H Active Tech", 28900},
		{"Renault Clio TCe 90 Evolution", 17900}, {"Peugeot 208 PureTech 100 Allure", 19500}, {"Kia Sportage 1.6 T-GDi HEV", 34900},
		{"Hyundai Tucson 1.6 TGDI 48V", 31900}, {"Dacia Sandero Stepway TCe 100", 15900}, {"Tesla Model 3 Gran Autonomía", 42900},
		{"BMW Serie 3 320d", 38500}, {"Mercedes-Benz Clase A 180d", 33900}, {"Audi A3 Sportback 35 TFSI", 32900},
		{"Ford Kuga 2.5 PHEV ST-Line", 36900}, {"Citroën C3 Aircross PureTech 110", 18900}, {"Cupra Formentor 1.5 TSI", 33500},
	}
	tagWords  = []string{"Financiación", "Tasación", "Urgente", "Cliente recurrente", "Flota", "Renting", "Oferta web"}
	noteTexts = []string{"Pide que le llamen por la tarde.", "Interesado en financiación a 60 meses.", "Tiene un coche para entregar como parte del pago.", "Pregunta por disponibilidad en color blanco.", "Quiere probar el coche el sábado."}
)

// seedLeads creates n varied leads through the Service, so that the
// lifecycle rules and history apply to them as to any lead.
func seedLeads(ctx context.Context, svc *core.Service, f *Fixture, n int) error {
	r := rand.New(rand.NewPCG(2026, 11))
	slugs := []string{core.ChannelPhone, core.ChannelEmail, core.ChannelWeb, core.ChannelChat, core.ChannelWhatsapp}
	capitals := make([]Province, 0, len(SpainProvinces))
	capitals = append(capitals, SpainProvinces...)
	users := append([]int64{f.AdminID}, f.AdvisorIDs...)
	for i := range n {
		first := firstNames[r.IntN(len(firstNames))]
		last := surnames[r.IntN(len(surnames))] + " " + surnames[r.IntN(len(surnames))]
		m := models[r.IntN(len(models))]
		year := 2015 + r.IntN(11)
		gas := f.GasIDs[r.IntN(len(f.GasIDs))]
		km := (2026 - year) * (8000 + r.IntN(12000))
		l := core.Lead{
			SourceID: f.SourceIDs[slugs[i%len(slugs)]],
			Vehicle:  &core.Vehicle{BrandModel: m.name, Price: fmt.Sprint(m.price - r.IntN(40)*100), Km: fmt.Sprint(km), Year: &year, GasID: &gas},
			Score:    r.IntN(5),
		}
		uid := users[r.IntN(len(users))]
		l.UserID = &uid
		if i%7 != 6 { // a few leads come without a client, as portal leads sometimes do
			p := capitals[r.IntN(len(capitals))]
			pid := f.ProvinceIDs[p.Code]
			lid := f.LocalityIDs[p.Localities[0]]
			l.Client = &core.Client{
				Name:       first + " " + last,
				Phone:      fmt.Sprintf("6%08d", r.IntN(100000000)),
				Email:      fmt.Sprintf("%s.%s%d@example.com", emailWord(first, -1), emailWord(last, 3), i),
				ProvinceID: &pid, LocalityID: &lid,
			}
		}
		if r.IntN(3) == 0 {
			l.Notes = []core.Note{{Content: noteTexts[r.IntN(len(noteTexts))]}}
		}
		if r.IntN(3) == 0 {
			l.Tags = []core.Note{{Content: tagWords[r.IntN(len(tagWords))]}}
		}
		if r.IntN(2) == 0 {
			when := time.Date(2026, 12, 1+r.IntN(28), 9+r.IntN(9), 0, 0, 0, time.UTC)
			t := core.Task{Type: core.TaskDate, Subtype: "Prueba de conducción", Description: "Cita para probar el " + m.name,
				Media: core.MediaPhone, PlannedAt: &when}
			if r.IntN(3) == 0 {
				t.Type = core.TaskAppraisal
				t.Subtype, t.Description = "Tasación", "Tasar el vehículo del cliente"
				ay := 2010 + r.IntN(10)
				t.Appraisal = &core.Appraisal{BrandModel: models[r.IntN(len(models))].name, LicensePlate: fmt.Sprintf("%04d%s", r.IntN(10000), "KLM"),
					Km: fmt.Sprint(60000 + r.IntN(100000)), Year: &ay, GasID: &gas, Origin: core.OriginNational}
			}
			t.Notes = []core.Note{{Content: "Confirmar la cita el día antes."}}
			l.Tasks = []core.Task{t}
		}
		if i%13 == 12 {
			l.Vehicle.Sold = true
		}
		created, err := svc.CreateLead(ctx, l)
		if err != nil {
			return fmt.Errorf("lead %d: %w", i, err)
		}
		f.LeadIDs = append(f.LeadIDs, created.ID)
		switch {
		case created.Stage == core.StageEnd:
		case i%5 == 1:
			_, err = svc.ChangeLeadStatus(ctx, created.ID, core.StageCommercialManagement, 0)
		case i%5 == 2:
			_, err = svc.ChangeLeadStatus(ctx, created.ID, core.StageTracing, 0)
		case i%5 == 3:
			_, err = svc.FinishLead(ctx, created.ID, []core.Outcome{core.OutcomeSale, core.OutcomeNoSale, core.OutcomeUnreachable}[r.IntN(3)], 0)
		}
		if err != nil {
			return fmt.Errorf("lead %d: %w", i, err)
		}
	}
	return nil
}

// emailWord is the first n letters (all when n < 0) of a name as an
// e-mail address may hold them: lower-case ASCII, accents dropped. It
// counts letters, not bytes: "Muñoz"[:3] would cut the ñ in half and give
// an address that is not valid text.
func emailWord(s string, n int) string {
	w := []rune(asciiLower(s))
	if n >= 0 && n < len(w) {
		w = w[:n]
	}
	return string(w)
}

func asciiLower(s string) string {
	out := make([]rune, 0, len(s))
	for _, c := range s {
		switch c {
		case 'á', 'Á':
			c = 'a'
		case 'é', 'É':
			c = 'e'
		case 'í', 'Í':
			c = 'i'
		case 'ó', 'Ó':
			c = 'o'
		case 'ú', 'Ú':
			c = 'u'
		case 'ñ', 'Ñ':
			c = 'n'
		case ' ':
			continue
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out = append(out, c)
	}
	return string(out)
}
