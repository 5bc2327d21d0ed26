package core_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"forecourt/internal/core"
	"forecourt/internal/testkit"

	"golang.org/x/crypto/bcrypt"
)

// advance moves the clock on by d.
func (c *clock) advance(d time.Duration) { c.set(c.now().Add(d)) }

// operatorWorld is a dealer with a user, an API key acting as him, and a
// Service on a clock.
func operatorWorld(t *testing.T, opts ...core.Option) (*core.Service, *clock, core.User, string) {
	t.Helper()
	return operatorWorldOn(t, testkit.OpenStore(t), opts...)
}

// operatorWorldOn is operatorWorld on the store st.
func operatorWorldOn(t *testing.T, st core.Store, opts ...core.Option) (*core.Service, *clock, core.User, string) {
	t.Helper()
	ctx := context.Background()
	c := newClock()
	svc := core.NewService(st, append([]core.Option{core.WithClock(c.now), core.WithLogger(slog.New(slog.DiscardHandler)), core.WithPasswordCost(bcrypt.MinCost)}, opts...)...)
	d, err := svc.CreateDealer(ctx, core.Dealer{Name: "Motor", Country: "ES"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := svc.CreateUser(ctx, core.User{Username: "ana", IsActive: true, Memberships: []core.Membership{{DealerID: d.ID}}}, "pw")
	if err != nil {
		t.Fatal(err)
	}
	key, _, err := svc.CreateAPIKey(ctx, d.ID, &u.ID, "crm")
	if err != nil {
		t.Fatal(err)
	}
	return svc, c, u, key
}

// TestTokenLifetime: a login token expires after the idle time without a
// request, and at its maximum age however used; its session then ends at
// the moment it expired. API keys do not expire.
func TestTokenLifetime(t *testing.T) {
	ctx := context.Background()
	svc, c, u, key := operatorWorld(t, core.WithTokenLifetime(2*time.Hour, 5*time.Hour))
	token, _, err := svc.Login(ctx, "ana", "pw")
	if err != nil {
		t.Fatal(err)
	}
	auth := func(secret string) error {
		t.Helper()
		_, err := svc.Authenticate(ctx, secret)
		return err
	}
	// used every 90 minutes: never idle for 2 hours, but 5 hours old at last
	for i := range 3 {
		c.advance(90 * time.Minute)
		if err := auth(token); err != nil {
			t.Fatalf("after %d × 90 minutes of use: %v", i+1, err)
		}
	}
	c.advance(30*time.Minute - time.Microsecond) // 5 h less 1 µs after the login
	if err := auth(token); err != nil {
		t.Fatalf("just before its maximum age: %v", err)
	}
	c.advance(time.Microsecond)
	if err := auth(token); core.ErrorCode(err) != core.Unauthorized {
		t.Fatalf("at its maximum age: %v, want Unauthorized", err)
	}
	us, err := svc.UsersOfDealers(ctx, u.DealerIDs())
	if err != nil || us[0].Session == nil || us[0].Session.EndedAt == nil || !us[0].Session.EndedAt.Equal(testkit.Now.Add(5*time.Hour)) {
		t.Fatalf("the expired session: %+v, %v", us[0].Session, err)
	}

	// idle: 2 hours without a request
	token, _, err = svc.Login(ctx, "ana", "pw")
	if err != nil {
		t.Fatal(err)
	}
	c.advance(time.Hour)
	if err := auth(token); err != nil {
		t.Fatal(err)
	}
	c.advance(2*time.Hour - time.Microsecond)
	if err := auth(token); err != nil {
		t.Fatalf("idle for less than 2 hours: %v", err)
	}
	c.advance(2 * time.Hour)
	if err := auth(token); core.ErrorCode(err) != core.Unauthorized {
		t.Fatalf("idle for 2 hours: %v, want Unauthorized", err)
	}
	c.advance(-2 * time.Hour)
	if err := auth(token); core.ErrorCode(err) != core.Unauthorized {
		t.Fatalf("an expired token came back: %v", err)
	}

	c.advance(1000 * time.Hour)
	if p, err := svc.Authenticate(ctx, key); err != nil || p.UserID != u.ID {
		t.Fatalf("an API key after 1000 hours: %+v, %v", p, err)
	}

	// no limits
	svc, c, _, _ = operatorWorld(t, core.WithTokenLifetime(0, 0))
	token, _, err = svc.Login(ctx, "ana", "pw")
	if err != nil {
		t.Fatal(err)
	}
	c.advance(10000 * time.Hour)
	if _, err := svc.Authenticate(ctx, token); err != nil {
		t.Fatalf("without limits: %v", err)
	}
}

// TestDefaultTokenLifetime: the documented defaults hold.
func TestDefaultTokenLifetime(t *testing.T) {
	ctx := context.Background()
	svc, c, _, _ := operatorWorld(t)
	token, _, err := svc.Login(ctx, "ana", "pw")
	if err != nil {
		t.Fatal(err)
	}
	c.advance(core.DefaultTokenIdle - time.Minute)
	if _, err := svc.Authenticate(ctx, token); err != nil {
		t.Fatalf("idle for less than the default: %v", err)
	}
	c.advance(core.DefaultTokenIdle)
	if _, err := svc.Authenticate(ctx, token); core.ErrorCode(err) != core.Unauthorized {
		t.Fatalf("idle for the default %v: %v", core.DefaultTokenIdle, err)
	}
	if core.DefaultTokenIdle != 12*time.Hour || core.DefaultTokenMaxAge != 30*24*time.Hour {
		t.Errorf("defaults %v, %v: the README documents 12h and 720h", core.DefaultTokenIdle, core.DefaultTokenMaxAge)
	}
}

// TestDeactivateAndLogout: logging a user out everywhere revokes his
// tokens and he may log in again; deactivating him also stops his logins,
// and his API keys act as no user from then on.
func TestDeactivateAndLogout(t *testing.T) {
	ctx := context.Background()
	svc, _, u, key := operatorWorld(t)
	t1, _, err := svc.Login(ctx, "ana", "pw")
	if err != nil {
		t.Fatal(err)
	}
	t2, _, err := svc.Login(ctx, "ana", "pw")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := svc.EndUserSessions(ctx, u.ID); err != nil || n != 2 {
		t.Fatalf("EndUserSessions = %d, %v; want 2", n, err)
	}
	for _, tok := range []string{t1, t2} {
		if _, err := svc.Authenticate(ctx, tok); core.ErrorCode(err) != core.Unauthorized {
			t.Errorf("a token after logout everywhere: %v", err)
		}
	}
	t3, _, err := svc.Login(ctx, "ana", "pw")
	if err != nil {
		t.Fatalf("login after logout everywhere: %v", err)
	}
	if p, err := svc.Authenticate(ctx, key); err != nil || p.UserID != u.ID || p.Username != "ana" {
		t.Fatalf("the key acts as %+v, %v; want ana", p, err)
	}

	d, err := svc.DeactivateUser(ctx, u.ID)
	if err != nil || d.Sessions != 1 || len(d.APIKeys) != 1 || *d.APIKeys[0].UserID != u.ID {
		t.Fatalf("DeactivateUser = %+v, %v", d, err)
	}
	if _, err := svc.Authenticate(ctx, t3); core.ErrorCode(err) != core.Unauthorized {
		t.Errorf("a deactivated user's token: %v", err)
	}
	if _, _, err := svc.Login(ctx, "ana", "pw"); err != core.ErrBadCredentials {
		t.Errorf("a deactivated user's login: %v", err)
	}
	p, err := svc.Authenticate(ctx, key)
	if err != nil || p.UserID != 0 || p.Username != "" || len(p.DealerIDs) != 1 {
		t.Fatalf("a deactivated user's key = %+v, %v; want its dealer, as no user", p, err)
	}
	for _, id := range []int64{0, 9999} {
		if _, err := svc.DeactivateUser(ctx, id); core.ErrorCode(err) != core.NotFound {
			t.Errorf("DeactivateUser(%d) = %v", id, err)
		}
		if _, err := svc.EndUserSessions(ctx, id); core.ErrorCode(err) != core.NotFound {
			t.Errorf("EndUserSessions(%d) = %v", id, err)
		}
		if _, err := svc.RevokeAPIKey(ctx, id); core.ErrorCode(err) != core.NotFound {
			t.Errorf("RevokeAPIKey(%d) = %v", id, err)
		}
	}
	keys, err := svc.APIKeys(ctx, nil)
	if err != nil || len(keys) != 1 {
		t.Fatalf("APIKeys = %+v, %v", keys, err)
	}
	k, err := svc.RevokeAPIKey(ctx, keys[0].ID)
	if err != nil || k.RevokedAt == nil {
		t.Fatalf("RevokeAPIKey = %+v, %v", k, err)
	}
	if _, err := svc.Authenticate(ctx, key); core.ErrorCode(err) != core.Unauthorized {
		t.Errorf("a revoked key: %v", err)
	}
}

// TestAddSource: a source named by channel slug and origin name; a
// well-known channel and an unknown origin are created, an origin is found
// by its name and offers the channel from then on, and a source the dealer
// has already is a Conflict.
func TestAddSource(t *testing.T) {
	ctx := context.Background()
	svc := core.NewService(testkit.OpenStore(t), core.WithLogger(slog.New(slog.DiscardHandler)))
	d, err := svc.CreateDealer(ctx, core.Dealer{Name: "Motor", Country: "ES"})
	if err != nil {
		t.Fatal(err)
	}
	src, err := svc.AddSource(ctx, core.SourceSpec{DealerID: d.ID, Channel: "Phone", Origin: "coches.net", Data: " 910000000 "})
	if err != nil || src.ID == 0 || src.Data != "910000000" {
		t.Fatalf("AddSource = %+v, %v", src, err)
	}
	src2, err := svc.AddSource(ctx, core.SourceSpec{DealerID: d.ID, Channel: "whatsapp", Origin: " COCHES.NET", Data: "+34 600"})
	if err != nil || src2.OriginID != src.OriginID || src2.ChannelID == src.ChannelID {
		t.Fatalf("second AddSource = %+v, %v", src2, err)
	}
	cs, _ := svc.AllChannels(ctx)
	os, _ := svc.AllOrigins(ctx)
	if len(cs) != 2 || cs[0].Slug != "phone" || cs[0].Name != "Teléfono" || cs[1].Slug != "whatsapp" ||
		len(os) != 1 || os[0].Name != "coches.net" || len(os[0].ChannelIDs) != 2 {
		t.Fatalf("channels %+v, origins %+v", cs, os)
	}
	if _, err := svc.AddSource(ctx, core.SourceSpec{DealerID: d.ID, Channel: "phone", Origin: "coches.net", Data: "910000000"}); core.ErrorCode(err) != core.Conflict {
		t.Errorf("the same source again: %v, want Conflict", err)
	}
	for _, bad := range []core.SourceSpec{
		{DealerID: 999, Channel: "phone", Origin: "x"},
		{DealerID: d.ID, Channel: "fax", Origin: "x"},
		{DealerID: d.ID, Channel: "", Origin: "x"},
		{DealerID: d.ID, Channel: "phone", Origin: " "},
	} {
		if _, err := svc.AddSource(ctx, bad); core.ErrorCode(err) != core.Invalid {
			t.Errorf("AddSource(%+v) = %v, want Invalid", bad, err)
		}
	}
	srcs, err := svc.SourcesOfDealers(ctx, nil)
	if err != nil || len(srcs) != 2 || srcs[0].ID != src.ID || srcs[1].ID != src2.ID {
		t.Fatalf("SourcesOfDealers = %+v, %v", srcs, err)
	}
	// the dealer can now receive a lead on it
	key, _, err := svc.CreateAPIKey(ctx, d.ID, nil, "web")
	if err != nil {
		t.Fatal(err)
	}
	p, err := svc.Authenticate(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateLead(core.WithPrincipal(ctx, p), core.Lead{SourceID: src.ID, Vehicle: &core.Vehicle{BrandModel: "x"}}); err != nil {
		t.Fatalf("a lead on the new source: %v", err)
	}
}
