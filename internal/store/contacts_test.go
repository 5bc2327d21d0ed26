package store_test

import (
	"context"
	"database/sql"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/testkit"
)

// TestMigration23DownAndUp: migration 0023 drops the contacts table and
// makes it again, on both engines; a contact stored before is gone, and
// contacts are stored again after.
func TestMigration23DownAndUp(t *testing.T) {
	ctx := context.Background()
	for engine, dsn := range engineDSNs(t) {
		t.Run(engine, func(t *testing.T) {
			s := openAt(t, dsn)
			f := testkit.NewFixture(t, s, "one")
			l := f.Lead(1)
			if err := s.CreateLead(ctx, &l, nil); err != nil {
				t.Fatal(err)
			}
			c := core.Contact{DealerID: f.Dealer.ID, ClientID: l.Client.ID, Name: "Ana", Phones: []string{"600"}}
			if err := s.AddContact(ctx, &c); err != nil {
				t.Fatal(err)
			}
			s.Close()
			migrateDown(t, engine, dsn, 22, func(db *sql.DB) {
				var n int
				if err := db.QueryRow(`SELECT count(*) FROM contacts`).Scan(&n); err == nil {
					t.Error("table contacts still there after migrating down")
				}
			})
			s = openAt(t, dsn)
			defer s.Close()
			if _, err := s.Contact(ctx, c.ID); core.ErrorCode(err) != core.NotFound {
				t.Fatalf("contact after migrating down and up: %v", err)
			}
			c.ID, c.PublicID = 0, ""
			if err := s.AddContact(ctx, &c); err != nil {
				t.Fatal(err)
			}
			got, err := s.Contact(ctx, c.ID)
			if err != nil || got.Name != "Ana" || len(got.Phones) != 1 || got.Version != 1 {
				t.Fatalf("contact stored again: %+v %v", got, err)
			}
		})
	}
}
