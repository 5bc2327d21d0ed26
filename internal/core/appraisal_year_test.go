package core

import "testing"

// TestAppraisalYearZero: an appraisal's year may be 0 (unknown, as SML's
// templates send it) or within the vehicle's range; a vehicle's may not be
// 0.
func TestAppraisalYearZero(t *testing.T) {
	for _, tt := range []struct {
		name                 string
		vehicle, appraisal   int
		wantVehicle, wantApp bool // an error expected
	}{
		{"both in range", 2008, 2010, false, false},
		{"appraisal unknown", 2008, 0, false, false},
		{"vehicle zero", 0, 2010, true, false},
		{"appraisal below the range", 2008, 1899, false, true},
		{"appraisal negative", 2008, -1, false, true},
		{"appraisal above the range", 2008, 2101, false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			vy, ay := tt.vehicle, tt.appraisal
			l := Lead{SourceID: 1, Stage: StageNew, Vehicle: &Vehicle{BrandModel: "x", Year: &vy},
				Tasks: []Task{{Type: TaskAppraisal, Appraisal: &Appraisal{BrandModel: "y", Year: &ay}}}}
			fe := validateLead(&l)
			if _, got := fe["vehicle.year"]; got != tt.wantVehicle {
				t.Errorf("vehicle.year error = %v, want %v (%v)", got, tt.wantVehicle, fe)
			}
			if _, got := fe["tasks.0.appraisal.year"]; got != tt.wantApp {
				t.Errorf("appraisal year error = %v, want %v (%v)", got, tt.wantApp, fe)
			}
		})
	}
}
