package core

import (
	"testing"
	"time"
)

func TestSettleMakeModel(t *testing.T) {
	for _, c := range []struct {
		v           Vehicle
		make, model string
	}{
		{Vehicle{BrandModel: "SEAT Ibiza"}, "SEAT", "Ibiza"},
		{Vehicle{BrandModel: "Mercedes-Benz Clase A 180"}, "Mercedes-Benz", "Clase A 180"},
		{Vehicle{BrandModel: "SEAT"}, "SEAT", ""},
		// written apart and still its name: kept as written
		{Vehicle{BrandModel: "Land Rover Defender", Make: "Land Rover", Model: "Defender"}, "Land Rover", "Defender"},
		{Vehicle{BrandModel: "Land Rover Defender", Make: " Land Rover ", Model: "Defender"}, "Land Rover", "Defender"},
		// the name changed alone (SML, the web UI): cut anew
		{Vehicle{BrandModel: "Kia Ceed", Make: "Land Rover", Model: "Defender"}, "Kia", "Ceed"},
		{Vehicle{BrandModel: "", Make: "Kia", Model: "Ceed"}, "", ""},
	} {
		v := c.v
		v.SettleMakeModel()
		if v.Make != c.make || v.Model != c.model || v.BrandModel != c.v.BrandModel {
			t.Errorf("%+v settled: %q %q %q, want %q %q", c.v, v.BrandModel, v.Make, v.Model, c.make, c.model)
		}
		again := v
		again.SettleMakeModel()
		if again != v {
			t.Errorf("%+v: settling twice changed it: %+v", v, again)
		}
	}
}

// A patch naming the make or model renames the vehicle; one naming the
// brand_model alone re-cuts the make and model (through validateLead,
// which every write runs).
func TestVehiclePatchMakeModel(t *testing.T) {
	l := Lead{SourceID: 1, Stage: StageNew, Vehicle: &Vehicle{ID: 7, BrandModel: "Land Rover Defender", Make: "Land Rover", Model: "Defender"}}
	id := int64(7)
	if err := applyLeadPatch(&l, LeadPatch{Vehicle: &VehiclePatch{ID: &id, Model: Value("Discovery"), Plate: Value("1234ABC")}}, time.Now(), Principal{}); err != nil {
		t.Fatal(err)
	}
	validateLead(&l)
	if v := l.Vehicle; v.BrandModel != "Land Rover Discovery" || v.Make != "Land Rover" || v.Model != "Discovery" || v.Plate != "1234ABC" {
		t.Fatalf("after the model's patch: %+v", *v)
	}
	if err := applyLeadPatch(&l, LeadPatch{Vehicle: &VehiclePatch{ID: &id, BrandModel: Value("SEAT Ibiza")}}, time.Now(), Principal{}); err != nil {
		t.Fatal(err)
	}
	validateLead(&l)
	if v := l.Vehicle; v.BrandModel != "SEAT Ibiza" || v.Make != "SEAT" || v.Model != "Ibiza" || v.Plate != "1234ABC" {
		t.Fatalf("after the brand_model's patch: %+v", *v)
	}
}
