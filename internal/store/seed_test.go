package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"forecourt/internal/core"
)

// SeedLeads inserts n leads of dealer dealerID from source sourceID, each
// with its own client and vehicle, with multi-row INSERTs: fast enough for
// 100,000 leads in a few seconds. Clients get phones 6xxxxxxxx drawn from a
// seeded generator; the i-th lead's client is named "Seed <i>" and has the
// e-mail seed<i>@example.com. Each chunk of 400 leads is one write, which
// stays within the store's timeout on a loaded machine. For tests and
// benchmarks only.
func SeedLeads(ctx context.Context, s *Store, dealerID, sourceID int64, n int) error {
	rng := rand.New(rand.NewPCG(1, uint64(dealerID)))
	brands := []string{"Seat Ibiza", "Seat León", "Cupra Formentor", "VW Golf", "VW Polo", "Toyota Corolla", "Renault Clio", "Peugeot 208", "Kia Sportage", "Hyundai Tucson", "Dacia Sandero", "BMW Serie 3"}
	firsts := []string{"Ana", "Luis", "María", "José", "Lucía", "Javier", "Carmen", "David", "Laura", "Pablo"}
	lasts := []string{"García", "Martínez", "López", "Sánchez", "Pérez", "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández"}
	mail := strings.Repeat("Hola, estoy interesado en el vehículo anunciado. ", 10)
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	const chunk = 400
	defer func() {
		if s.engine == Postgres {
			// What autovacuum would do after such a load.
			s.db.ExecContext(ctx, "ANALYZE")
		}
	}()
	for base := 0; base < n; base += chunk {
		err := s.write(ctx, func(c conn) error {
			m := min(chunk, n-base)
			var clientArgs, vehicleArgs []any
			type leadRow struct {
				name, phone, email, brand string
				created                   int64
				stage                     core.Stage
			}
			rows := make([]leadRow, m)
			for j := range m {
				i := base + j
				name := fmt.Sprintf("%s %s Seed %d", firsts[rng.IntN(len(firsts))], lasts[rng.IntN(len(lasts))], i)
				digits := fmt.Sprintf("6%08d", rng.IntN(100000000))
				phone := digits[:3] + " " + digits[3:6] + " " + digits[6:]
				email := fmt.Sprintf("seed%d@example.com", i)
				created := start.Add(time.Duration(i) * time.Minute)
				rows[j] = leadRow{name, phone, email, brands[rng.IntN(len(brands))], micros(created), core.Stages[rng.IntN(len(core.Stages))]}
				clientArgs = append(clientArgs, newPublicID(), dealerID, name, phone, "+34"+digits, email, micros(created), micros(created))
				make, model, _ := strings.Cut(rows[j].brand, " ")
				v := core.Vehicle{Make: make, Model: model, Plate: fmt.Sprintf("%04dK%03d", i%10000, i/10000), VIN: fmt.Sprintf("VSSZZZ%011d", i)}
				vehicleArgs = append(vehicleArgs, rows[j].brand, "15000", "30000", 2020, v.Make, v.Model, v.Plate, v.VIN)
				if !c.pg {
					vehicleArgs = append(vehicleArgs, vehicleFolds(&v)...)
				}
			}
			clientIDs, err := insertMany(c, `INSERT INTO clients (public_id, dealer_id, name, phone, phone_e164, email, created_at, updated_at) VALUES `, 8, m, clientArgs)
			if err != nil {
				return err
			}
			vehicleCols, nVehicleCols := "brand_model, price, km, year, make, model, plate, vin", 8
			if !c.pg {
				vehicleCols, nVehicleCols = vehicleCols+", "+vehicleFoldCols, 12
			}
			vehicleIDs, err := insertMany(c, `INSERT INTO vehicles (`+vehicleCols+`) VALUES `, nVehicleCols, m, vehicleArgs)
			if err != nil {
				return err
			}
			var leadArgs []any
			for j, r := range rows {
				cl := &core.Client{Name: r.name, Phone: r.phone, PhoneE164: "+34" + strings.ReplaceAll(r.phone, " ", ""), Email: r.email}
				name, phone, email := clientSearch(cl)
				leadArgs = append(leadArgs, newPublicID(), dealerID, sourceID, clientIDs[j], vehicleIDs[j], string(r.stage), stageRank(r.stage),
					rng.IntN(5), r.created, r.created, 1, name, phone, email, strings.ToLower(r.brand), mail)
			}
			ids, err := insertMany(c, `INSERT INTO leads (public_id, dealer_id, source_id, client_id, vehicle_id, stage, stage_rank,
				score, created_at, updated_at, version, client_name, client_phone, client_email, search_text, mail_content) VALUES `, 16, m, leadArgs)
			if err != nil {
				return err
			}
			c.leadCreated(ids...)
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// insertMany runs one INSERT of rows rows of cols values each and returns
// the ids in row order.
func insertMany(c conn, prefix string, cols, rows int, args []any) ([]int64, error) {
	tuple := in(cols)
	var b strings.Builder
	b.WriteString(prefix)
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(tuple)
	}
	b.WriteString(" RETURNING id")
	ids, err := queryIDs(c, b.String(), args)
	if err != nil {
		return nil, err
	}
	slices.Sort(ids) // RETURNING gives no order; ids rise with the rows.
	return ids, nil
}
