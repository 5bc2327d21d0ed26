package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"forecourt/internal/core"
)

// SeedAdvisors creates n active users of dealer dealerID (advisors: no
// administrator), named <name><i>, and returns their ids. For tests and
// benchmarks only.
func SeedAdvisors(ctx context.Context, s *Store, dealerID int64, name string, n int) ([]int64, error) {
	var ids []int64
	for i := range n {
		u := core.User{Username: fmt.Sprint(name, i), Email: fmt.Sprint(name, i, "@example.com"), IsActive: true,
			CreatedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Memberships: []core.Membership{{DealerID: dealerID}}}
		if err := s.CreateUser(ctx, &u); err != nil {
			return nil, err
		}
		ids = append(ids, u.ID)
	}
	return ids, nil
}

// SeedTasks gives the leads of dealer dealerID assignees and tasks, for
// tests and benchmarks only: the first len(few) leads go to user few's
// (one each, in turn), every other lead to users[i%len(users)]; each lead
// gets perLead tasks, one in five open, three in four with a planned
// date. Each chunk of 2,000 tasks is one write.
func SeedTasks(ctx context.Context, s *Store, dealerID int64, users, few []int64, perLead int) error {
	rng := rand.New(rand.NewPCG(2, uint64(dealerID)))
	var leads []int64
	err := s.readTx(ctx, func(c conn) error {
		var err error
		leads, err = queryIDs(c, `SELECT id FROM leads WHERE dealer_id = ? ORDER BY id`, []any{dealerID})
		return err
	})
	if err != nil {
		return err
	}
	// Assignees first, so that the tasks are written as a lead's are;
	// 2,000 leads a write, one statement a user.
	for base := 0; base < len(leads); base += 2000 {
		byUser := map[int64][]int64{}
		for i := base; i < min(base+2000, len(leads)); i++ {
			u := users[i%len(users)]
			if i < len(few) {
				u = few[i]
			}
			byUser[u] = append(byUser[u], leads[i])
		}
		err := s.write(ctx, func(c conn) error {
			for u, ids := range byUser {
				if _, err := c.exec(`UPDATE leads SET user_id = ? WHERE id IN `+in(len(ids)), append([]any{u}, anys(ids)...)...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const chunk = 2000
	for base := 0; base < len(leads)*perLead; base += chunk {
		err := s.write(ctx, func(c conn) error {
			m := min(chunk, len(leads)*perLead-base)
			args := make([]any, 0, m*7)
			for j := range m {
				i := base + j
				var planned any
				if rng.IntN(4) > 0 {
					planned = micros(start.Add(time.Duration(rng.IntN(365*24)) * time.Hour))
				}
				args = append(args, newPublicID(), leads[i/perLead], "budget", "phone", planned, rng.IntN(5) > 0, micros(start))
			}
			_, err := insertMany(c, `INSERT INTO tasks (public_id, lead_id, type, media, planned_at, done, created_at) VALUES `, 7, m, args)
			return err
		})
		if err != nil {
			return err
		}
	}
	if s.engine == Postgres {
		_, err = s.db.ExecContext(ctx, "ANALYZE")
		return err
	}
	s.optimize()
	// Readers load the statistics when they open, as a server's do
	// once the writer refreshed them.
	s.read.SetMaxIdleConns(0)
	s.read.SetMaxIdleConns(4)
	return nil
}
