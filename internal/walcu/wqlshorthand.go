package walcu

import "strings"

// WQL's shorthands (docs/walcu.md, "WQL, the user readable search"): a user
// typing a search names what he sees, not the schema's nesting. Only WQL
// has them; q names the schema's paths exactly, as MongoDB does.
//
//   - A field naming an object that has a sub-field of the same name means
//     that sub-field: status → status.status, status.substatus →
//     status.substatus.substatus.
//   - car.<field>, in a collection without a car but with car_list (an
//     array of {car: {...}}: saleleads), means car_list.car.<field>: any
//     of its cars, as car_list.car.<field> in q.
//
// A path that is a field of the collection is never rewritten, and a
// shorthand is taken only when the field it names exists: anything else
// is left as it was, to be answered 400 naming the field as typed.

// wqlField returns the schema path WQL's field path names in collection c.
func wqlField(c *collection, path string) string {
	if _, ok := c.fields[path]; ok {
		return path
	}
	long := path
	if rest, ok := strings.CutPrefix(long, "car."); ok && !c.hasObject("car") {
		long = "car_list.car." + rest
	}
	if _, ok := c.fields[long]; !ok {
		last := long[strings.LastIndexByte(long, '.')+1:]
		long += "." + last
	}
	if _, ok := c.fields[long]; ok {
		return long
	}
	return path
}

// hasObject says c's documents have a field or object at the top-level
// name.
func (c *collection) hasObject(name string) bool {
	for p := range c.fields {
		if topField(p) == name {
			return true
		}
	}
	return false
}

// wqlErr words an error of a term in WQL's terms: a field q's parser
// named ("q.status.status") is named in search, as the user typed it
// (with the long form it stands for when a shorthand was typed).
func wqlErr(err error, long, typed string) error {
	ae, ok := err.(*apiError)
	if !ok || ae.Fields == nil {
		return err
	}
	c := *ae
	c.Fields = map[string]string{}
	for k, v := range ae.Fields {
		if k == "q."+long || k == "search."+long {
			k = "search." + typed
			if long != typed {
				v += " (" + long + ")"
			}
		} else if rest, ok := strings.CutPrefix(k, "q."); ok {
			k = "search." + rest
		}
		c.Fields[k] = v
	}
	c.Message = "invalid search"
	return &c
}
