package walcu

import (
	"slices"
	"strings"

	"forecourt/internal/core"
)

// A lead's car and q (docs/walcu.md, "A lead's cars and q"): the core's
// vehicle holds the make, model, licence plate and VIN of the lead's car
// (a salelead's car_list[0].car, an appraisallead's car), whichever API
// wrote them (core/vehiclename.go), and the document shows them from it;
// Walcu's Ext keeps the rest of car_list[0] and the further cars. A q or
// WQL condition on one of them reads what is shown: on an appraisallead
// the vehicle's field; on a salelead's car_list.car.<field> (any car of
// the list, MongoDB's meaning) the vehicle's field (the first car) OR the
// Ext's further cars, each through an index (store/queryext.go).

// carIdentity maps the document's fields of a car the vehicle holds to
// the core's fields.
var carIdentity = map[string]string{
	"make": "vehicle.make", "model": "vehicle.model", "license_plate": "vehicle.plate", "vin": "vehicle.vin",
}

// carIdentityField returns, for path the car's make, model, plate or VIN
// (see carPath), the core vehicle's field; "" for any other path.
func (b *leadBackend) carIdentityField(path string) string {
	car := b.carPath()
	if len(car) == 0 {
		return ""
	}
	car = slices.DeleteFunc(slices.Clone(car), func(k string) bool { return k == "0" })
	rest, ok := strings.CutPrefix(path, strings.Join(car, ".")+".")
	if !ok {
		return ""
	}
	return carIdentity[rest]
}

// carQField is the query field of path, one of the car's make, model,
// plate and VIN: the vehicle's field, and on a salelead also the further
// cars' in the Ext (splitCar joins them).
func (b *leadBackend) carQField(path, vehicle string) qfield {
	if b.kind != core.LeadSale {
		return qfield{core: vehicle, kind: kString, fold: true}
	}
	f := extQField(b.coll, path)
	f.vehicle, f.fold = vehicle, true
	return f
}

// foldCase returns c, WQL's condition on field f, comparing text case
// aside when f says so (docs/walcu.md, "WQL compares text case aside"):
// equality and lists of values, their negations too; q's are exact.
func foldCase(c core.Cond, f qfield) core.Cond {
	if !f.fold {
		return c
	}
	return mapLeaves(c, func(c core.Cond) core.Cond {
		switch c.Op {
		case core.OpEq, core.OpNe, core.OpIn, core.OpNin:
			c.Fold = c.Value != nil || c.Values != nil
		}
		return c
	})
}

// mapLeaves returns c with each leaf l replaced by f(l), its And, Or and
// Not kept.
func mapLeaves(c core.Cond, f func(core.Cond) core.Cond) core.Cond {
	switch {
	case c.Not != nil:
		return core.Not(mapLeaves(*c.Not, f))
	case c.And != nil || c.Or != nil:
		out := core.Cond{}
		for _, p := range c.And {
			out.And = append(out.And, mapLeaves(p, f))
		}
		for _, p := range c.Or {
			out.Or = append(out.Or, mapLeaves(p, f))
		}
		return out
	}
	return f(c)
}

// markFurther marks the Ext's fields of a salelead's car_list.car that
// the vehicle holds for its first car (core.FieldSpec.Further).
func (b *leadBackend) markFurther() {
	for path := range b.coll.fields {
		if b.kind == core.LeadSale && b.carIdentityField(path) != "" {
			if spec, ok := b.ext[extQueryPrefix+path]; ok {
				spec.Further = true
				b.ext[extQueryPrefix+path] = spec
			}
		}
	}
}

// splitCar rewrites c, a condition translated on field f, as the
// condition on what the documents show when f is also the vehicle's
// (f.vehicle): a leaf holds when the vehicle's field holds it OR a
// further car's does; a negation ($ne, $nin, $exists false, null) when
// neither does.
func splitCar(c core.Cond, f qfield) core.Cond {
	if f.vehicle == "" {
		return c
	}
	return mapLeaves(c, func(c core.Cond) core.Cond { return splitCarLeaf(c, f) })
}

// splitCarLeaf is splitCar of a leaf.
func splitCarLeaf(c core.Cond, f qfield) core.Cond {
	if c.Field != f.core {
		return c
	}
	either := func(l core.Cond) core.Cond {
		v := l
		v.Field = f.vehicle
		return core.Or(v, l)
	}
	switch c.Op {
	case core.OpEq:
		if c.Value == nil {
			return core.Not(either(core.Cond{Op: core.OpExists, Field: f.core, Value: true}))
		}
	case core.OpNe:
		if c.Value == nil {
			return either(core.Cond{Op: core.OpExists, Field: f.core, Value: true})
		}
		return core.Not(either(core.Cond{Op: core.OpEq, Field: f.core, Value: c.Value, Fold: c.Fold}))
	case core.OpExists:
		if b, _ := c.Value.(bool); !b {
			return core.Not(either(core.Cond{Op: core.OpExists, Field: f.core, Value: true}))
		}
	case core.OpIn, core.OpNin:
		var vs []any
		null := false
		for _, v := range c.Values {
			if v == nil {
				null = true
			} else {
				vs = append(vs, v)
			}
		}
		var any []core.Cond
		if len(vs) > 0 {
			any = append(any, either(core.Cond{Op: core.OpIn, Field: f.core, Values: vs, Fold: c.Fold}))
		}
		if null {
			any = append(any, splitCar(core.Cond{Op: core.OpEq, Field: f.core}, f))
		}
		if c.Op == core.OpNin {
			return core.Not(core.Or(any...))
		}
		return core.Or(any...)
	}
	return either(c)
}
