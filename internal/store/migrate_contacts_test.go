package store_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/testkit"
)

// TestMigration35MovesClientContacts: the contacts array a client kept in
// its Ext ("walcu.contacts") becomes its contacts (name, phones, e-mails,
// government id, the other fields in Ext, the _id as public id), and the
// elements the core would refuse stay in the array; a client without one
// is left as it was. On both engines.
func TestMigration35MovesClientContacts(t *testing.T) {
	ctx := context.Background()
	for engine, dsn := range engineDSNs(t) {
		t.Run(engine, func(t *testing.T) {
			s := openAt(t, dsn)
			f := testkit.NewFixture(t, s, "k")
			const kept = "0190a0a0-0000-7000-8000-0000000000c1"
			long := strings.Repeat("x", 300)
			arr := `[{"_id": "` + kept + `", "name": {"first_name": "Eva", "last_name": "Gil"}, "phones": ["+34600000003"],
				"emails": ["eva@example.com"], "government_id": "X1", "custom": "vip <b>", "computed": {"n": 1}, "__v": 3},
				{"_id": "not a uuid", "name": {"raw_name": " Raw Name "}, "phones": "600 000 004", "foreign_ids": ["erp-1"]},
				"not an object",
				{"name": {"first_name": "` + long + `"}}]`
			client := core.Client{DealerID: f.Dealer.ID, Name: "Ana", Phone: "+34600000002", CreatedAt: testkit.Now, UpdatedAt: testkit.Now,
				Ext: map[string]string{"walcu.contacts": arr, "walcu.custom": `"c"`}}
			plain := core.Client{DealerID: f.Dealer.ID, Name: "Bea", CreatedAt: testkit.Now, UpdatedAt: testkit.Now,
				Ext: map[string]string{"walcu.custom": `"d"`}}
			for _, c := range []*core.Client{&client, &plain} {
				if err := s.CreateClient(ctx, c); err != nil {
					t.Fatal(err)
				}
			}
			s.Close()
			migrateDownTo(t, engine, dsn, 34, func(db *sql.DB) {})
			s = openAt(t, dsn) // up again: 0035 moves the array
			defer s.Close()
			cs, err := s.ClientContacts(ctx, f.Dealer.ID, []int64{client.ID, plain.ID})
			if err != nil {
				t.Fatal(err)
			}
			if len(cs) != 2 {
				t.Fatalf("%d contacts, want 2: %+v", len(cs), cs)
			}
			eva, raw := cs[0], cs[1]
			if eva.Name == "Raw Name" {
				eva, raw = raw, eva
			}
			if eva.PublicID != kept || eva.ClientID != client.ID || eva.DealerID != f.Dealer.ID || eva.Name != "Eva Gil" ||
				strings.Join(eva.Phones, ",") != "+34600000003" || strings.Join(eva.Emails, ",") != "eva@example.com" || eva.GovID != "X1" ||
				eva.Ext["walcu.custom"] != `"vip <b>"` || eva.Ext["walcu.name"] == "" || eva.Ext["walcu.computed"] != "" ||
				eva.Ext["walcu.__v"] != "" || eva.Ext["walcu._id"] != "" || eva.Primary || !eva.CreatedAt.Equal(testkit.Now) {
				t.Errorf("the first contact: %+v", eva)
			}
			if raw.PublicID == "not a uuid" || raw.PublicID == "" || raw.Name != "Raw Name" || strings.Join(raw.Phones, ",") != "600 000 004" ||
				raw.Ext["walcu.foreign_ids"] != `["erp-1"]` {
				t.Errorf("the second contact: %+v", raw)
			}
			got, err := s.Client(ctx, client.ID)
			if err != nil {
				t.Fatal(err)
			}
			var left []any
			if err := json.Unmarshal([]byte(got.Ext["walcu.contacts"]), &left); err != nil || len(left) != 2 || left[0] != "not an object" ||
				got.Ext["walcu.custom"] != `"c"` {
				t.Errorf("the client's Ext after the move: %v (%v)", got.Ext, err)
			}
			if got, err := s.Client(ctx, plain.ID); err != nil || len(got.Ext) != 1 || got.Ext["walcu.custom"] != `"d"` {
				t.Errorf("the client without contacts: %v %v", got.Ext, err)
			}
		})
	}
}
