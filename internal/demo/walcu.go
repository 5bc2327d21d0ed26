package demo

import (
	"context"
	"fmt"
	"time"

	"forecourt/internal/core"
)

// seedWalcuKinds adds to the first dealer what Walcu's collections show
// beyond the sale leads every API has: after-sale and appraisal leads
// (the core's lead kinds, with Walcu's fields in their Ext, as Walcu writes
// them) and appointments on some of the sale leads (Walcu's dates), so
// that a newcomer sees those collections populated. Every API lists them:
// SML's lead list counts the after-sale and appraisal leads too (see
// docs/walcu.md, "Demo data").
func seedWalcuKinds(ctx context.Context, svc *core.Service, f *Fixture) error {
	kinds := []struct {
		kind    core.LeadKind
		vehicle string
		client  string
		car     *core.Vehicle // an appraisal's car named apart (Walcu's car)
		ext     map[string]string
	}{
		{core.LeadAftersale, "Toyota Corolla 140H Active Tech", "Rosa Vidal Cano", nil,
			map[string]string{"walcu.type": `"maintenance"`, "walcu.origin": `{"source":"Taller","medium":"phone"}`, "walcu.custom": `"Revisión de los 30.000 km"`}},
		{core.LeadAftersale, "SEAT León 1.5 TSI FR", "Tomás Prieto Gil", nil,
			map[string]string{"walcu.type": `"repair"`, "walcu.origin": `{"source":"Web del concesionario","medium":"web"}`, "walcu.custom": `"Ruido en la suspensión"`}},
		{core.LeadAftersale, "Kia Sportage 1.6 T-GDi HEV", "Irene Lozano Mora", nil,
			map[string]string{"walcu.type": `"tyres"`, "walcu.origin": `{"source":"Taller","medium":"phone"}`}},
		{core.LeadAppraisal, "Volkswagen Golf 2.0 TDI Life", "Óscar Blanco Ruiz",
			&core.Vehicle{Make: "Volkswagen", Model: "Golf 2.0 TDI Life", Plate: "4821LKM", VIN: "WVWZZZ1KZ8W123456"},
			map[string]string{"walcu.origin": `{"source":"coches.net","medium":"email"}`}},
		{core.LeadAppraisal, "Renault Clio TCe 90 Evolution", "Patricia Soler Vega",
			&core.Vehicle{Make: "Renault", Model: "Clio TCe 90 Evolution", Plate: "1290MNB", VIN: "VF15RBJ0A12345678"},
			map[string]string{"walcu.origin": `{"source":"Web del concesionario","medium":"web"}`}},
		{core.LeadAppraisal, "Peugeot 208 PureTech 100 Allure", "Andrés Castro León",
			&core.Vehicle{Make: "Peugeot", Model: "208 PureTech 100 Allure", Plate: "7734JHG", VIN: "VR3UPHNKSKT123456"},
			map[string]string{"walcu.origin": `{"source":"Exposición","medium":"phone"}`}},
	}
	for i, k := range kinds {
		year, km := 2019+i%4, fmt.Sprint(30000+i*11000)
		v := &core.Vehicle{BrandModel: k.vehicle}
		if k.car != nil {
			v = k.car
		}
		v.Km, v.Year = km, &year
		l, err := svc.CreateLead(ctx, core.Lead{
			Kind: k.kind, SourceID: f.SourceIDs[core.ChannelPhone], Ext: k.ext,
			Vehicle: v,
			Client: &core.Client{Name: k.client, Phone: fmt.Sprintf("6%08d", 71000000+i*137),
				Email: fmt.Sprintf("%s%d@example.com", emailWord(k.client, 5), i)},
		})
		if err != nil {
			return fmt.Errorf("%s lead %d: %w", k.kind, i, err)
		}
		f.WalcuLeadIDs = append(f.WalcuLeadIDs, l.ID)
	}
	// dates: a visit on every fourth sale lead, the first weeks of December
	for i := 0; i < len(f.LeadIDs); i += 4 {
		start := time.Date(2026, 12, 1+i%20, 10+i%8, 0, 0, 0, time.UTC)
		end := start.Add(45 * time.Minute)
		a, err := svc.CreateAppointment(ctx, core.Appointment{LeadID: f.LeadIDs[i], Type: core.AppointmentVisit,
			Status: core.AppointmentPlanned, Title: "Prueba de conducción", StartAt: start, EndAt: &end})
		if err != nil {
			return fmt.Errorf("appointment of lead %d: %w", f.LeadIDs[i], err)
		}
		f.AppointmentIDs = append(f.AppointmentIDs, a.ID)
	}
	return nil
}
