package core

import (
	"reflect"
	"testing"
)

// TestDiffLeadPlateVIN: a change of the vehicle's plate or VIN (Walcu's
// car_list[0].car.license_plate and .vin) is in the lead's history, as
// one of its make and model is (in brand_model); a vehicle given both on
// creation records them.
func TestDiffLeadPlateVIN(t *testing.T) {
	old := &Lead{Stage: StageNew, Vehicle: &Vehicle{ID: 1, BrandModel: "SEAT Ibiza", Make: "SEAT", Model: "Ibiza", Plate: "1234ABC"}}
	l := &Lead{Stage: StageNew, Vehicle: &Vehicle{ID: 1, BrandModel: "SEAT Ibiza", Make: "SEAT", Model: "Ibiza", Plate: "5678XYZ", VIN: "VSSZZZ6JZ00000001"}}
	got := map[string][2]string{}
	for _, c := range diffLead(old, l) {
		got[c.Field] = [2]string{c.Old, c.New}
	}
	want := map[string][2]string{"vehicle.plate": {"1234ABC", "5678XYZ"}, "vehicle.vin": {"", "VSSZZZ6JZ00000001"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("changes = %v, want %v", got, want)
	}
	got = map[string][2]string{}
	for _, c := range diffLead(nil, l) {
		if c.Field == "vehicle.plate" || c.Field == "vehicle.vin" {
			got[c.Field] = [2]string{c.Old, c.New}
		}
	}
	if want := (map[string][2]string{"vehicle.plate": {"", "5678XYZ"}, "vehicle.vin": {"", "VSSZZZ6JZ00000001"}}); !reflect.DeepEqual(got, want) {
		t.Errorf("creation's changes = %v, want %v", got, want)
	}
}
