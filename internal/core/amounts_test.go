package core

import "testing"

// TestCheckVehicleAmounts: a lead vehicle's price or mileage that is a
// plain number below 0 or above MaxVehicle is out of range when a write
// sets it; a text that is no plain number is a text; a value a write
// leaves as it was is not checked (a lead stored before the rule takes
// writes of its other fields).
func TestCheckVehicleAmounts(t *testing.T) {
	lead := func(price, km string) *Lead { return &Lead{Vehicle: &Vehicle{Price: price, Km: km}} }
	for _, tc := range []struct {
		name        string
		before, now *Lead
		want        []string
	}{
		{"new, negative", nil, lead("-1", "-0.5"), []string{"vehicle.price", "vehicle.km"}},
		{"new, past the bound", nil, lead("1e13", "Inf"), []string{"vehicle.price", "vehicle.km"}},
		{"new, in range", nil, lead("21000.5", "0"), nil},
		{"new, -0", nil, lead("-0", "0"), nil},
		{"new, texts", nil, lead("15.000 €", "mucho"), nil},
		{"new, no vehicle", nil, &Lead{}, nil},
		{"changed to negative", lead("10", "10"), lead("10", " -3"), []string{"vehicle.km"}},
		{"kept negative", lead("-10", "-3"), lead("-10", "-3"), nil},
	} {
		fe := FieldErrors{}
		checkVehicleAmounts(fe, tc.before, tc.now)
		if len(fe) != len(tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, fe, tc.want)
		}
		for _, f := range tc.want {
			if fe[f] != MsgOutOfRange {
				t.Errorf("%s: %s %q, want %q", tc.name, f, fe[f], MsgOutOfRange)
			}
		}
	}
}
