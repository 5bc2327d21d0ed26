package walcu

import "forecourt/internal/core"

// namedExt returns the extension fields of specs that q names in its
// condition, sort or group_by: the core and the store check and compile
// every extension field a query declares, so declaring only those named
// saves that work on every list (a car declares some 100).
func namedExt(specs map[string]core.FieldSpec, q core.Query) map[string]core.FieldSpec {
	out := map[string]core.FieldSpec{}
	add := func(name string) {
		if s, ok := specs[name]; ok {
			out[name] = s
		}
	}
	var walk func(c core.Cond)
	walk = func(c core.Cond) {
		add(c.Field)
		for _, s := range c.And {
			walk(s)
		}
		for _, s := range c.Or {
			walk(s)
		}
		if c.Not != nil {
			walk(*c.Not)
		}
	}
	walk(q.Where)
	for _, s := range q.Sort {
		add(s.Field)
	}
	add(q.GroupBy)
	if len(out) == 0 {
		return nil
	}
	return out
}
