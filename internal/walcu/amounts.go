package walcu

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"forecourt/internal/core"
)

// A car's price and mileage (docs/walcu.md, "Checked from outside", the
// second round's decision (a)): the document types them as numbers and
// says no more; no car has a negative price or mileage, and a mileage is
// a whole number of kilometres, as a stock car's always was. amountPaths
// are where each collection holds them ("*" any key of an object, "[]"
// each item of a list); a price that is no car's (an item of equipment,
// a repair's invoice, a call's cost) may be a discount or a refund and is
// not checked.
var amountPaths = map[string][]string{
	"cars":           {"mileage", "prices.*.current_price.price", "prices.*.previous_prices.[].price"},
	"clientvehicles": {"mileage", "declared_mileage_history.[].mileage"},
	"repairorders":   {"mileage"},
	"saleleads":      {"car_list.[].car.price", "car_list.[].car.mileage"},
	"appraisalleads": {"car.price", "car.mileage"},
}

// checkAmounts records on fe each car price or mileage of body (of
// collection coll) below 0, and each mileage with a fraction.
func checkAmounts(coll string, body doc, fe core.FieldErrors) {
	for _, p := range amountPaths[coll] {
		steps := strings.Split(p, ".")
		walkAmount(map[string]any(body), steps, "", steps[len(steps)-1] == "mileage", fe)
	}
}

// walkAmount follows steps from v, at naming where v is.
func walkAmount(v any, steps []string, at string, mileage bool, fe core.FieldErrors) {
	join := func(k string) string {
		if at == "" {
			return k
		}
		return at + "." + k
	}
	if len(steps) == 0 {
		n, ok := v.(json.Number)
		if !ok {
			return // the schema's check names what is no number
		}
		switch f, err := n.Float64(); {
		case err != nil || f < 0:
			fe.Add(at, "must be a number from 0")
		case mileage && f != math.Trunc(f):
			fe.Add(at, "must be a whole number of kilometres")
		}
		return
	}
	switch x := v.(type) {
	case map[string]any:
		if steps[0] == "*" {
			for k, c := range x {
				walkAmount(c, steps[1:], join(k), mileage, fe)
			}
		} else if c, ok := x[steps[0]]; ok {
			walkAmount(c, steps[1:], join(steps[0]), mileage, fe)
		}
	case []any:
		if steps[0] == "[]" {
			for i, c := range x {
				walkAmount(c, steps[1:], join(strconv.Itoa(i)), mileage, fe)
			}
		}
	}
}
