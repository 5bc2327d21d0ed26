package walcu

import (
	"encoding/json"
	"math"
	"strconv"
	"time"

	"forecourt/internal/core"
)

// averageYearlyMileage is a client vehicle's computed
// average_yearly_mileage (docs/walcu.md, "Every computed field"): its
// mileage over the years from its registration (year, and month when
// written; January otherwise) to when the mileage was read (the latest
// dated entry of declared_mileage_history, else the record's mileage as
// of its last change), rounded to a km; null without a mileage or a year,
// or under a month of use.
func averageYearlyMileage(v core.VehicleRecord, d doc) any {
	if v.Year == nil {
		return nil
	}
	var km float64
	var when time.Time
	if v.Km != nil {
		km, when = float64(*v.Km), v.UpdatedAt
	}
	var latest time.Time
	for _, e := range asList(d["declared_mileage_history"]) {
		s, _ := at(e, "date").(string)
		n, ok := at(e, "mileage").(json.Number)
		t, err := time.Parse(core.DocumentTimeLayout, s)
		if !ok || err != nil || !t.After(latest) {
			continue
		}
		if f, err := n.Float64(); err == nil {
			latest, km, when = t, f, t
		}
	}
	if when.IsZero() {
		return nil
	}
	month := 1
	if n, ok := d["month"].(json.Number); ok {
		if m, err := strconv.Atoi(n.String()); err == nil && m >= 1 && m <= 12 {
			month = m
		}
	}
	years := when.Sub(time.Date(*v.Year, time.Month(month), 1, 0, 0, 0, 0, time.UTC)).Hours() / (24 * 365.25)
	if years < 1.0/12 {
		return nil
	}
	return int64(math.Round(km / years))
}
