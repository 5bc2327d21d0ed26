package demo

import (
	"context"
	"fmt"
	"strings"

	"forecourt/internal/core"
)

// The third demo dealer, in Ecuador, modelled on Casabaca's SugarCRM
// middleware document: its agencies, business lines, campaigns and medios
// (with the document's codes and UUIDs), its advisors and call-centre
// users, and the document's own users, so that its examples work as
// written against `serve --demo`.
const (
	ECDealerName = "Casabaca (demo)"
	// ECAuthoriser is the document's "autorizador": an administrator of
	// the dealer.
	ECAuthoriser = "mart_admin@hotmail.com"
	// ECUser is the document's API user ("Maria", fuente inConcert), who
	// logs in with ECAuthoriser as autorizador.
	ECUser     = "mart@hotmail.com"
	ECPassword = "Hol@MunD0"
	// ECLandingAuthoriser is the autorizador of the document's
	// create_landing_page example, another administrator.
	ECLandingAuthoriser = "autorizador@gmail.com"
	// ECCampaign and ECLandingCampaign are the document's campaigns;
	// ECExoneradosLine the business line of its landing page.
	ECCampaign        = "5e686580-ee19-11ea-97ea-000c297d72b1"
	ECLandingCampaign = "0626c2b0-1ad2-11ea-830b-000c297d72b1"
	ECExoneradosLine  = "f417e1ae-a81b-11e9-ab2c-000c297d72b1"
	// ECLandingForm is the document's landing page, of medio 18.
	ECLandingForm = "Exonerados"
)

// ECFixture names what seedEcuador created.
type ECFixture struct {
	DealerID     int64
	AuthoriserID int64 // ECAuthoriser, an administrator of the dealer
	UserID       int64 // ECUser, the integration's user
	// Users by username (CG_RAMOS, JA_AGUIRRE, MA_PALACIOS …), agencies
	// by name, business lines by code, sources by medio.
	Users         map[string]int64
	Agencies      map[string]int64
	BusinessLines map[string]int64
	Medios        map[string]int64
}

// ecAdvisor is one of the dealer's people.
type ecAdvisor struct {
	username, first, last, email, phone, agency string
	role                                        core.StaffRole
	lines                                       []string
	position                                    string
}

var ecPeople = []ecAdvisor{
	{"CG_RAMOS", "CARLOS GABRIEL", "RAMOS LEON", "cg_ramos@casabaca.example.com", "0991234501", "MATRIZ", core.RoleCallCentre, nil, ""},
	{"JA_AGUIRRE", "JUAN ANDRES", "AGUIRRE PAZ", "ja_aguirre@casabaca.example.com", "0991234502", "MATRIZ", core.RoleCallCentre, nil, ""},
	{"MA_PALACIOS", "FRANCISCO XAVIER", "VILLAMAR CASTRO", "fvillamar@1001carros.com", "0987647944", "CUMBAYA", core.RoleAdvisor, []string{"3"}, "1"},
	{"DF_ANDRADE", "DIANA FERNANDA", "ANDRADE MORA", "df_andrade@casabaca.example.com", "0991234504", "CUMBAYA", core.RoleAdvisor, []string{"2"}, "1"},
	{"PM_MARTINEZ", "PEPITO", "MARTINEZ", "asesor@casabaca.com", "0991234505", "CUMBAYA", core.RoleAdvisor, []string{"1"}, "1"},
	{"JP_SALAZAR", "JUAN PABLO", "SALAZAR VEGA", "jp_salazar@casabaca.example.com", "0991234506", "MATRIZ", core.RoleAdvisor, []string{"1", "2"}, "1"},
	{"LM_TORRES", "LUCIA MARIANA", "TORRES ARIAS", "lm_torres@casabaca.example.com", "0991234507", "MATRIZ", core.RoleAdvisor, []string{"1"}, "1"},
	{"RC_MORA", "ROSA CRISTINA", "MORA ORTIZ", "rc_mora@casabaca.example.com", "0991234508", "SANTO DOMINGO (CASABACA)", core.RoleAdvisor, []string{"4"}, "2"},
	{"EV_CEVALLOS", "EDISON VINICIO", "CEVALLOS RUIZ", "ev_cevallos@casabaca.example.com", "0991234509", "SANTO DOMINGO (CASABACA)", core.RoleAdvisor, []string{"2", "4"}, "1"},
	{"admin", "Admin", "SugarCRM", "mwherrera@plus-projects.com", "", "MATRIZ", core.RoleAdvisor, nil, ""},
}

// seedEcuador creates the dealer in Ecuador and its organisation.
func seedEcuador(ctx context.Context, svc *core.Service, f *Fixture) error {
	ec := ECFixture{Users: map[string]int64{}, Agencies: map[string]int64{}, BusinessLines: map[string]int64{}, Medios: map[string]int64{}}
	if _, err := svc.CreateCountry(ctx, core.Country{Code: "EC", Name: "Ecuador"}); err != nil {
		return err
	}
	d, err := svc.CreateDealer(ctx, core.Dealer{Name: ECDealerName, Country: "EC", TimeZone: "America/Guayaquil",
		Address: "Av. Interoceánica km 12½, Cumbayá, Quito", Web: "https://www.casabaca.example.com", Phone: "022072800",
		Ext: map[string]string{"casabaca.compania": "1"}})
	if err != nil {
		return err
	}
	ec.DealerID = d.ID
	for _, a := range []struct{ code, name string }{{"1", "MATRIZ"}, {"20", "CUMBAYA"}, {"30", "SANTO DOMINGO (CASABACA)"}, {"40", "LOS CHILLOS"}} {
		ag, err := svc.CreateAgency(ctx, core.Agency{DealerID: d.ID, Code: a.code, Name: a.name, Active: true})
		if err != nil {
			return err
		}
		ec.Agencies[a.name] = ag.ID
	}
	for _, b := range []struct{ code, name, id string }{
		{"1", "POSTVENTA", "f40f9d6a-a81b-11e9-ab2c-000c297d72b1"}, {"2", "NUEVOS", "f4129b2e-a81b-11e9-ab2c-000c297d72b1"},
		{"3", "SEMINUEVOS", "f4151a8e-a81b-11e9-ab2c-000c297d72b1"}, {"4", "EXONERADOS", ECExoneradosLine},
	} {
		bl, err := svc.CreateBusinessLine(ctx, core.BusinessLine{DealerID: d.ID, Code: b.code, Name: b.name, PublicID: b.id, Active: true})
		if err != nil {
			return err
		}
		ec.BusinessLines[b.code] = bl.ID
	}
	var landingCampaign int64
	for _, c := range []core.Campaign{
		{DealerID: d.ID, PublicID: ECCampaign, Name: "HILUX 2021", Active: true},
		{DealerID: d.ID, PublicID: ECLandingCampaign, Code: "RODRIGUEZ " + ECLandingCampaign, Name: "RODRIGUEZ", Active: true},
	} {
		cp, err := svc.CreateCampaign(ctx, c)
		if err != nil {
			return err
		}
		landingCampaign = cp.ID
	}
	origin, err := svc.CreateOrigin(ctx, core.Origin{Name: "Casabaca", ChannelIDs: []int64{f.channels[core.ChannelPhone],
		f.channels[core.ChannelWeb], f.channels[core.ChannelChat], f.channels[core.ChannelWhatsapp]}})
	if err != nil {
		return err
	}
	for _, m := range []struct {
		code, name, channel, agency string
	}{
		{"2", "Facebook", core.ChannelChat, "MATRIZ"}, {"3", "WhatsApp", core.ChannelWhatsapp, "MATRIZ"},
		{"5", "Chat web", core.ChannelChat, "MATRIZ"}, {"10", "WhatsApp, web chat y Facebook", core.ChannelChat, "MATRIZ"},
		{"11", "Showroom Cumbayá", core.ChannelPhone, "CUMBAYA"}, {"13", "Call center 1800", core.ChannelPhone, "MATRIZ"},
		{"17", "APP Talleres", core.ChannelWeb, "CUMBAYA"}, {"18", "Landing pages", core.ChannelWeb, "SANTO DOMINGO (CASABACA)"},
	} {
		src, err := svc.CreateSource(ctx, core.Source{DealerID: d.ID, ChannelID: f.channels[m.channel], OriginID: origin.ID, Data: m.name})
		if err != nil {
			return err
		}
		agency := ec.Agencies[m.agency]
		if _, err := svc.CreateSourceCode(ctx, core.SourceCode{SourceID: src.ID, DealerID: d.ID, Code: m.code, Name: m.name, AgencyID: &agency}); err != nil {
			return err
		}
		ec.Medios[m.code] = src.ID
	}
	admin, err := svc.CreateUser(ctx, core.User{Username: ECAuthoriser, Email: ECAuthoriser, FirstName: "Marta", LastName: "Administradora",
		IsActive: true, Memberships: []core.Membership{{DealerID: d.ID, IsAdmin: true}}}, ECPassword)
	if err != nil {
		return err
	}
	ec.AuthoriserID = admin.ID
	// the autorizador of the document's create_landing_page example
	if _, err := svc.CreateUser(ctx, core.User{Username: ECLandingAuthoriser, Email: ECLandingAuthoriser, FirstName: "Autorizador",
		IsActive: true, Memberships: []core.Membership{{DealerID: d.ID, IsAdmin: true}}}, ECPassword); err != nil {
		return err
	}
	api, err := svc.CreateUser(ctx, core.User{Username: ECUser, Email: ECUser, FirstName: "Maria", IsActive: true,
		Memberships: []core.Membership{{DealerID: d.ID}}}, ECPassword)
	if err != nil {
		return err
	}
	ec.UserID = api.ID
	if _, err := svc.PlaceStaff(ctx, core.Staff{UserID: api.ID, DealerID: d.ID, Role: core.RoleIntegration, Active: true,
		SourceIDs: []int64{ec.Medios["2"], ec.Medios["3"], ec.Medios["5"]},
		Ext:       map[string]string{"casabaca.fuente": "inconcert", "casabaca.fuente_id": "2", "casabaca.compania": "1"}}); err != nil {
		return err
	}
	for _, p := range ecPeople {
		u, err := svc.CreateUser(ctx, core.User{Username: p.username, Email: p.email, FirstName: p.first, LastName: p.last, Phone: p.phone,
			IsActive: true, Memberships: []core.Membership{{DealerID: d.ID}}}, ECPassword)
		if err != nil {
			return fmt.Errorf("%s: %w", p.username, err)
		}
		agency := ec.Agencies[strings.ToUpper(p.agency)]
		st := core.Staff{UserID: u.ID, DealerID: d.ID, Role: p.role, AgencyID: &agency, Position: p.position, Active: true}
		for _, l := range p.lines {
			st.BusinessLineIDs = append(st.BusinessLineIDs, ec.BusinessLines[l])
		}
		if _, err := svc.PlaceStaff(ctx, st); err != nil {
			return fmt.Errorf("%s: %w", p.username, err)
		}
		ec.Users[p.username] = u.ID
	}
	// the document's landing page, so that its landing_ticket example
	// works as written
	actx := core.WithPrincipal(ctx, core.Principal{UserID: admin.ID, DealerIDs: []int64{d.ID}})
	line := ec.BusinessLines["4"]
	if _, err := svc.CreateLeadForm(actx, core.LeadForm{DealerID: d.ID, Name: ECLandingForm, SourceID: ec.Medios["18"],
		CampaignID: &landingCampaign, BusinessLineID: &line, AssignPosition: "2", AuthorisedBy: &admin.ID,
		Properties: `[{"label": "Tipo de discapacidad","value": "tipo_discapacidad","validations": "required" } ]`}); err != nil {
		return err
	}
	f.EC = ec
	return nil
}
