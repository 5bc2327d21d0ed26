package core

// NamedExt returns the extension fields of ext that q names (in Where,
// at any depth, Sort and GroupBy): all a store needs to compile q, and
// all an API needs to declare for it. An API declares
// every field of its documents (hundreds for Walcu's leads) and a query
// names a few; a store that maps each declared field to SQL per query
// spends its time on the ones it never uses (docs/decisions.md, "A
// query's extension fields are narrowed to those it names").
func NamedExt(ext map[string]FieldSpec, q Query) map[string]FieldSpec {
	if len(ext) == 0 {
		return ext
	}
	out := map[string]FieldSpec{}
	add := func(name string) {
		if spec, ok := ext[name]; ok {
			out[name] = spec
		}
	}
	var walk func(c Cond)
	walk = func(c Cond) {
		add(c.Field)
		for _, a := range c.And {
			walk(a)
		}
		for _, o := range c.Or {
			walk(o)
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
	return out
}
