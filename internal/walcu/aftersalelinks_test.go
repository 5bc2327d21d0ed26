package walcu_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/store"
	"forecourt/internal/testkit"
)

// TestAftersaleVehicleLinks: an aftersalelead's vehicle_id links the
// lead's vehicle to that clientvehicle (core.Vehicle.RecordID, kind
// owned), on both engines: the lead's search (Walcu's WQL and the core's
// search SML uses) finds the vehicle's plate and VIN, current after the
// lead names another clientvehicle or its vehicle is deleted; another
// dealer's clientvehicle, a stock car or an unknown id is 400 naming
// vehicle_id and changes nothing; the core refuses a sale lead linked to
// a client's vehicle and an after-sale lead linked to a stock car.
func TestAftersaleVehicleLinks(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnvOn(t, st)
		ctx := core.WithPrincipal(t.Context(), core.Principal{DealerIDs: []int64{e.fx.DealerID}})
		post := func(key, dealer, coll string, body map[string]any) string {
			t.Helper()
			r := e.do(key, http.MethodPost, "/dealers/"+dealer+"/"+coll, body)
			mustStatus(t, "POST "+coll, r, 200)
			return r.obj()["_id"].(string)
		}
		mine := post(e.esKey, e.dealer, "clientvehicles", map[string]any{"make": "Toyota", "model": "Corolla", "license_plate": "5512GHT", "vin": "JTDZZZE1ZRQ888001"})
		other := post(e.esKey, e.dealer, "clientvehicles", map[string]any{"make": "Kia", "model": "Ceed", "license_plate": "6623HJK", "vin": "U5YZZZ3AZRQ888002"})
		theirs := post(e.coKey, e.other, "clientvehicles", map[string]any{"make": "Mazda", "model": "3", "license_plate": "5512GHX", "vin": "JM1ZZZ3AZRQ888003"})
		stock := post(e.esKey, e.dealer, "cars", map[string]any{"make": "Seat", "model": "León", "license_plate": "5512GHS"})
		lead := post(e.esKey, e.dealer, "aftersaleleads", map[string]any{"vehicle_id": mine})
		found := func(search string, want ...string) {
			t.Helper()
			got, viaCore := e.searchBoth(t, ctx, "aftersaleleads", search)
			if !slices.Equal(got, want) || !slices.Equal(viaCore, want) {
				t.Errorf("search %q: Walcu %v, the core %v, want %v", search, got, viaCore, want)
			}
		}
		found("5512GHT", lead)
		found("jtdzzze1zrq888001", lead)
		found("6623HJK")

		count := len(e.list("aftersaleleads", url.Values{"limit": {"50"}}).arr())
		for _, bad := range []string{theirs, stock, "nope"} {
			if r := e.es(http.MethodPost, "aftersaleleads", map[string]any{"vehicle_id": bad}); r.code != 400 || !strings.Contains(r.raw, `"vehicle_id"`) {
				t.Errorf("POST with vehicle_id %s: %d %s", bad, r.code, r.raw)
			}
			if r := e.es(http.MethodPatch, "aftersaleleads/"+lead, []any{map[string]any{"op": "replace", "path": "/vehicle_id", "value": bad}}); r.code != 400 || !strings.Contains(r.raw, `"vehicle_id"`) {
				t.Errorf("PATCH to vehicle_id %s: %d %s", bad, r.code, r.raw)
			}
		}
		if n := len(e.list("aftersaleleads", url.Values{"limit": {"50"}}).arr()); n != count {
			t.Errorf("%d aftersaleleads after refused posts, were %d", n, count)
		}
		found("5512GHT", lead) // the refused patches changed nothing

		mustStatus(t, "PATCH vehicle_id", e.es(http.MethodPatch, "aftersaleleads/"+lead, []any{
			map[string]any{"op": "replace", "path": "/vehicle_id", "value": other}}), 200)
		found("5512GHT")
		found("6623HJK", lead)

		// the core's rule, whatever API writes
		l, err := e.svc.FindLead(ctx, mustResolve(t, ctx, e, core.RecordLead, lead))
		if err != nil {
			t.Fatal(err)
		}
		stockID := mustResolve(t, ctx, e, core.RecordVehicle, stock)
		if _, err := e.svc.UpdateLead(ctx, l.ID, core.LeadPatch{Vehicle: &core.VehiclePatch{ID: &l.Vehicle.ID, RecordID: core.Value(&stockID)}}); core.ErrorCode(err) != core.Invalid {
			t.Errorf("an after-sale lead linked to a stock car: %v", err)
		}

		mustStatus(t, "DELETE the clientvehicle", e.es(http.MethodDelete, "clientvehicles/"+other, nil), 200)
		found("6623HJK")
	})
}

// mustResolve is the id of the record of kind whose public id is id.
func mustResolve(t *testing.T, ctx context.Context, e *env, kind core.RecordKind, id string) int64 {
	t.Helper()
	n, err := e.svc.ResolvePublicID(ctx, kind, id)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
