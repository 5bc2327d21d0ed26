package store_test

import (
	"testing"

	"forecourt/internal/core"
)

// TestClientWritesLetLeadsNameIt: adding a contact to a client on
// PostgreSQL locks the client's row FOR NO KEY UPDATE, which a lead being
// written that names the client (its foreign key's FOR KEY SHARE, held
// until its COMMIT) does not hold up; FOR UPDATE waited for it. The test
// holds that lock from a transaction of its own and checks that the write
// does not wait for a lock: with FOR UPDATE it did, until the test let it
// go. (A client's save still waits, on purpose: clientrecords.go.)
func TestClientWritesLetLeadsNameIt(t *testing.T) {
	r := newCombineRig(t)
	a := r.storedClientN(t, 1000)
	writes := map[string]func() error{
		"add contact": func() error {
			return r.s.AddContact(ctx, &core.Contact{ClientID: a.ID, DealerID: a.DealerID, Name: "Ana Ruiz", Phones: []string{"+34600111222"}})
		},
	}
	for name, write := range writes {
		t.Run(name, func(t *testing.T) {
			tx, err := r.db.BeginTx(ctx, nil)
			check(t, err, "begin")
			defer tx.Rollback()
			_, err = tx.Exec(`SELECT id FROM clients WHERE id = $1 FOR KEY SHARE`, a.ID)
			check(t, err, "hold the client as a lead naming it does")
			done := make(chan error, 1)
			go func() { done <- write() }()
			for {
				select {
				case err := <-done:
					check(t, err, name)
					return
				default:
				}
				var waiting int
				check(t, r.db.QueryRow(`SELECT count(*) FROM pg_stat_activity
					WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting), "pg_stat_activity")
				if waiting > 0 {
					t.Errorf("%s waits for the lock of a lead naming the client", name)
					tx.Rollback()
					<-done
					return
				}
			}
		})
	}
	cts, err := r.s.ClientContacts(ctx, a.DealerID, []int64{a.ID})
	check(t, err, "contacts")
	if len(cts) != 1 {
		t.Errorf("%d contacts, want the one added", len(cts))
	}
}
