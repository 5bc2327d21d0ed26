package testkit

import (
	"context"
	"fmt"
	"testing"
	"time"

	"forecourt/internal/core"
)

// Fixture is a small world to test against: a dealer with a user (admin of
// the dealer), a source on a channel and an origin, a gas type and a
// locality of a province of Spain (ES, which the fixtures of one store
// share).
type Fixture struct {
	Dealer   core.Dealer
	User     core.User
	Channel  core.Channel
	Origin   core.Origin
	Source   core.Source
	GasType  core.GasType
	Country  core.Country
	Province core.Province
	Locality core.Locality
}

// Now is the instant fixtures are created at: a fixed UTC time truncated to
// microseconds, as the service stores times.
var Now = time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC)

// NewFixture creates a Fixture in s. name makes its dealer, user and channel
// unique, so a test can create several.
func NewFixture(t testing.TB, s core.Store, name string) Fixture {
	t.Helper()
	ctx := context.Background()
	var f Fixture
	f.Dealer = core.Dealer{Name: "Dealer " + name, Country: "ES", TimeZone: "Europe/Madrid", CreatedAt: Now}
	must(t, s.CreateDealer(ctx, &f.Dealer), "create dealer")
	f.User = core.User{Username: "user-" + name, Email: name + "@example.com", FirstName: "Ana", LastName: name,
		IsActive: true, CreatedAt: Now, Memberships: []core.Membership{{DealerID: f.Dealer.ID, IsAdmin: true}}}
	must(t, s.CreateUser(ctx, &f.User), "create user")
	f.Channel = core.Channel{Slug: "phone-" + name, Name: "Phone"}
	must(t, s.CreateChannel(ctx, &f.Channel), "create channel")
	f.Origin = core.Origin{Name: "coches.net " + name, ChannelIDs: []int64{f.Channel.ID}}
	must(t, s.CreateOrigin(ctx, &f.Origin), "create origin")
	f.Source = core.Source{DealerID: f.Dealer.ID, ChannelID: f.Channel.ID, OriginID: f.Origin.ID, Data: "+34 900 000 000"}
	must(t, s.CreateSource(ctx, &f.Source), "create source")
	f.GasType = core.GasType{Name: "Diesel " + name}
	must(t, s.CreateGasType(ctx, &f.GasType), "create gas type")
	f.Country = core.Country{Code: "ES", Name: "Spain"}
	if err := s.CreateCountry(ctx, &f.Country); core.ErrorCode(err) != core.Conflict {
		must(t, err, "create country") // a Conflict: another fixture of s created it
	}
	f.Province = core.Province{Country: f.Country.Code, Name: "Madrid " + name, Active: true}
	must(t, s.CreateProvince(ctx, &f.Province), "create province")
	f.Locality = core.Locality{ProvinceID: f.Province.ID, Name: "Alcalá " + name, Active: true}
	must(t, s.CreateLocality(ctx, &f.Locality), "create locality")
	return f
}

// Lead returns a new lead of the fixture's dealer, not stored: client,
// vehicle, one task with an appraisal and a note, a note and a tag. n makes
// its client's name, phone and e-mail unique.
func (f Fixture) Lead(n int) core.Lead {
	year := 2019
	gas := f.GasType.ID
	user := f.User.ID
	planned := Now.Add(24 * time.Hour)
	return core.Lead{
		DealerID: f.Dealer.ID,
		SourceID: f.Source.ID,
		Client: &core.Client{Name: fmt.Sprintf("Client %d", n), Phone: fmt.Sprintf("612 %03d %03d", n/1000%1000, n%1000),
			PhoneE164: fmt.Sprintf("+34612%06d", n%1000000), Email: fmt.Sprintf("client%d@example.com", n),
			ProvinceID: &f.Province.ID, LocalityID: &f.Locality.ID, CreatedAt: Now, UpdatedAt: Now},
		Vehicle: &core.Vehicle{BrandModel: "Seat Ibiza", Price: "12000", Km: "40000", Year: &year, GasID: &gas},
		Stage:   core.StageNew,
		Score:   3,
		Tags:    []core.Note{{Content: "Urgent", AuthorID: &user, Created: Now, Modified: Now}},
		Notes:   []core.Note{{Content: "Called twice", AuthorID: &user, Created: Now, Modified: Now}},
		Tasks: []core.Task{{
			Type: core.TaskAppraisal, Media: core.MediaPhone, Description: "Appraise the trade-in", PlannedAt: &planned,
			AuthorID: &user, CreatedAt: Now,
			Appraisal: &core.Appraisal{BrandModel: "Ford Focus", LicensePlate: "1234ABC", Km: "90000", Year: &year, GasID: &gas, Origin: core.OriginNational},
			Notes:     []core.Note{{Content: "Bring the papers", AuthorID: &user, Created: Now, Modified: Now}},
		}},
		UserID:      &user,
		CreatedBy:   &user,
		MailContent: "Hello, I am interested in the Ibiza.",
		CreatedAt:   Now,
		UpdatedAt:   Now,
	}
}
