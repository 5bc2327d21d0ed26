package core

import (
	"strings"
)

// Extension fields of a Query. A lead's and a client's Ext (Lead.Ext,
// Client.Ext) hold what one API has for the record that the core has no
// column for, stored as one JSON object by API ({"walcu": {"custom": …}}).
// An API names the fields of its Ext a query may use in Query.Ext: each
// is called "ext.<api>.<field>" and has a FieldSpec whose Path is where
// it is in that object, API first ("walcu.car_list[].car.make"), with the
// same meaning as a document field's Path. The stores compile them to SQL
// over the JSON, as they do documents' fields. They are still an
// allowlist: a field neither in the entity's Schema nor in Query.Ext is
// unknown.

// ExtFieldPrefix starts the name of every extension field.
const ExtFieldPrefix = "ext."

// MaxQueryExtFields bounds the extension fields one Query may declare.
const MaxQueryExtFields = 2000

// WithExt returns sc with the extension fields ext added. A field inside
// an array (a Path with "[]") neither sorts nor groups, and a time does not
// group (its JSON text is no group value of a time); every other one may
// do both. A name that does not start with ExtFieldPrefix, that is a field
// of sc already, or whose Path is not valid or does not start with the
// API the name names, is an error naming it. A field of the client's
// contacts (Of) is one of a list: it neither sorts nor groups.
func (sc Schema) WithExt(ext map[string]FieldSpec) (Schema, error) {
	if len(ext) == 0 {
		return sc, nil
	}
	fe := FieldErrors{}
	if len(ext) > MaxQueryExtFields {
		fe.Add("ext", MsgTooMany)
		return sc, fe.Err()
	}
	out := sc
	out.Fields = make(map[string]FieldSpec, len(sc.Fields)+len(ext))
	for k, v := range sc.Fields {
		out.Fields[k] = v
	}
	for name, spec := range ext {
		rest, ok := strings.CutPrefix(name, ExtFieldPrefix)
		api, _, _ := strings.Cut(rest, ".")
		pathAPI, _, _ := strings.Cut(spec.Path, ".")
		_, taken := sc.Fields[name]
		if !ok || taken || api == "" || api != pathAPI || !ValidPath(spec.Path) || spec.Type == 0 || (spec.Of != "" && spec.Of != RecordContact) {
			fe.Add(name, MsgInvalid)
			continue
		}
		inArray := strings.Contains(spec.Path, "[]") || spec.Of != ""
		spec.Sort = !inArray
		spec.Group = !inArray && spec.Type != TypeTime
		out.Fields[name] = spec
	}
	if err := fe.Err(); err != nil {
		return sc, err
	}
	return out, nil
}
