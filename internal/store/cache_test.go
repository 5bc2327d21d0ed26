package store_test

import (
	"context"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/testkit"
)

// TestReferenceCacheSeesOwnWrites checks that what the store serves from its
// reference cache is invalidated by the store's own writes.
func TestReferenceCacheSeesOwnWrites(t *testing.T) {
	ctx := context.Background()
	s := testkit.OpenStore(t)
	d := core.Dealer{Name: "A", Country: "ES", TimeZone: "Europe/Madrid", CreatedAt: time.Now().UTC().Truncate(time.Microsecond)}
	if err := s.CreateDealer(ctx, &d); err != nil {
		t.Fatal(err)
	}
	ch := core.Channel{Slug: "phone", Name: "Teléfono"}
	if err := s.CreateChannel(ctx, &ch); err != nil {
		t.Fatal(err)
	}
	o := core.Origin{Name: "web"}
	if err := s.CreateOrigin(ctx, &o); err != nil {
		t.Fatal(err)
	}
	all := testkit.List(core.SourceSchema, core.All)
	if got, _, err := s.FindSources(ctx, []int64{d.ID}, all); err != nil || len(got) != 0 {
		t.Fatalf("sources = %v, %v", got, err)
	}
	src := core.Source{DealerID: d.ID, ChannelID: ch.ID, OriginID: o.ID, Data: "x"}
	if err := s.CreateSource(ctx, &src); err != nil {
		t.Fatal(err)
	}
	if got, _, err := s.FindSources(ctx, []int64{d.ID}, all); err != nil || len(got) != 1 {
		t.Errorf("after CreateSource: sources = %v, %v", got, err)
	}

	d.Name = "B"
	if ds, _ := s.DealersByID(ctx, []int64{d.ID}); len(ds) != 1 || ds[0].Name != "A" {
		t.Fatalf("dealers = %+v", ds)
	}
	if err := s.UpdateDealer(ctx, &d); err != nil {
		t.Fatal(err)
	}
	if ds, _ := s.DealersByID(ctx, []int64{d.ID}); len(ds) != 1 || ds[0].Name != "B" {
		t.Errorf("after UpdateDealer: dealers = %+v", ds)
	}

	u := core.User{Username: "u", IsActive: true, Memberships: []core.Membership{{DealerID: d.ID}}, CreatedAt: d.CreatedAt}
	if err := s.CreateUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
	members := testkit.List(core.UserSchema, core.All)
	if us, _, _ := s.FindUsers(ctx, []int64{d.ID}, members); len(us) != 1 || us[0].Session != nil {
		t.Fatalf("members = %+v", us)
	}
	if _, err := s.StartSession(ctx, u.ID, "hash", d.CreatedAt); err != nil {
		t.Fatal(err)
	}
	if us, _ := s.UsersByID(ctx, []int64{u.ID}); len(us) != 1 || us[0].Session == nil {
		t.Errorf("after StartSession: user = %+v", us)
	}
	if us, _, _ := s.FindUsers(ctx, []int64{d.ID}, members); len(us) != 1 || us[0].Session == nil {
		t.Errorf("after StartSession: members = %+v", us)
	}
}
