package walcu_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/demo"
	"forecourt/internal/testkit"
	"forecourt/internal/walcu"

	"golang.org/x/crypto/bcrypt"
)

// TestDemoData: serve --demo's data (demo.Options.WalcuKinds) shows in
// Walcu's collections as a newcomer would look at them with the demo
// admin's token: the sample leads as saleleads, three aftersaleleads and
// three appraisallead (with their car), the clients, tasks, notes, and the
// dates (the visits); a list with q on a field kept in Ext finds them; an
// aftersalelead's search finds its clientvehicle's plate.
func TestDemoData(t *testing.T) {
	ctx := context.Background()
	st := testkit.OpenStore(t)
	svc := core.NewService(st, core.WithPasswordCost(bcrypt.MinCost))
	fx, err := demo.Seed(ctx, svc, demo.Options{Leads: 12, Advisors: 1, WalcuKinds: true})
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := svc.Login(ctx, fx.AdminUsername, fx.AdminPassword)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, st: st, svc: svc, h: walcu.NewHandler(svc, walcu.WithLogger(slog.New(slog.DiscardHandler))), fx: fx,
		esKey: token, dealer: strconv.FormatInt(fx.DealerID, 10)}
	for coll, want := range map[string]int{"saleleads": 12, "aftersaleleads": 3, "appraisalleads": 3, "dates": 3, "cars": 4, "clientvehicles": 3} {
		r := e.list(coll, url.Values{"limit": {"50"}})
		mustStatus(t, coll, r, http.StatusOK)
		if len(r.arr()) != want {
			t.Errorf("%s: %d documents, want %d: %s", coll, len(r.arr()), want, r.raw)
		}
	}
	for _, coll := range []string{"clients", "tasks", "notes"} {
		if r := e.list(coll, nil); r.code != 200 || len(r.arr()) == 0 {
			t.Errorf("%s: %d %s, want some", coll, r.code, r.raw)
		}
	}
	r := e.list("appraisalleads", url.Values{"q": {`{"car.license_plate": "4821LKM"}`}})
	if len(r.arr()) != 1 || at(r.arr()[0], "car", "make") != "Volkswagen" {
		t.Errorf("an appraisal lead by its car's plate: %s", r.raw)
	}
	r = e.list("aftersaleleads", url.Values{"group_by": {"type"}})
	if len(r.arr()) != 3 {
		t.Errorf("after-sale leads by type: %s", r.raw)
	}
	// the stock cars, one of them named by a sale lead; the after-sale
	// leads' vehicles
	if r := e.list("cars", url.Values{"search": {"2231LMN"}}); len(r.arr()) != 1 || r.arr()[0].(map[string]any)["make"] != "SEAT" {
		t.Errorf("a stock car by its plate: %s", r.raw)
	}
	named := 0
	for _, d := range e.list("saleleads", url.Values{"limit": {"50"}}).arr() {
		if at(d, "computed", "car_license_plate") == "2231LMN" {
			named++
		}
	}
	if named != 1 {
		t.Errorf("%d sale leads show the stock car in computed, want 1", named)
	}
	counted := 0
	for _, d := range e.list("cars", nil).arr() {
		n, _ := at(d, "computed", "car_number_of_saleleads").(json.Number).Int64()
		counted += int(n)
	}
	if counted != 1 {
		t.Errorf("the stock cars count %d saleleads, want 1 (the first lead, linked)", counted)
	}
	for _, d := range e.list("aftersaleleads", nil).arr() {
		plate, _ := at(d, "computed", "vehicle", "0", "license_plate").(string)
		if plate == "" {
			t.Errorf("an after-sale lead without its vehicle: %v", d)
			continue
		}
		// linked to its clientvehicle: its search finds the plate
		found := e.list("aftersaleleads", url.Values{"search": {plate}, "project": {"_id"}}).arr()
		if len(found) != 1 || found[0].(map[string]any)["_id"] != d.(map[string]any)["_id"] {
			t.Errorf("search %s: %v, want the after-sale lead %v", plate, found, d.(map[string]any)["_id"])
		}
	}
}
