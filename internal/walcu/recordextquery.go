package walcu

import (
	"slices"
	"strings"

	"forecourt/internal/core"
)

// Queries on the fields of dates, tasks, notes and the communications that
// the core has no column for: a date's and a communication's are its Ext
// ("walcu.<field>", a JSON text each; a communication's key in lower
// case), a task's and a note's its extension document (items.go). They
// are the core query's extension fields, as on leads and clients
// (extquery.go), compiled by the store to SQL over that JSON on both
// engines (store/queryextrecords.go): filtered, sorted and grouped like
// any field, never in memory. Still an allowlist: the collection's schema
// fields and no other.

// recordExtSpecs returns the extension fields of collection c: every leaf
// field of its document but the envelope's, computed, the server's (top
// fields in server) and those the core keeps (mapped); its Path is
// "walcu.<path>", the top field in lower case when lowerTop (a
// communication's Ext keys).
func recordExtSpecs(c *collection, mapped map[string]qfield, lowerTop bool, server ...string) map[string]core.FieldSpec {
	specs := extSpecs(c, func(path string) bool {
		_, isCore := mapped[path]
		top := topField(path)
		return !isCore && !isEnvelope(top) && top != "computed" && !slices.Contains(server, top)
	})
	if lowerTop {
		for name, s := range specs {
			api, rest, _ := strings.Cut(s.Path, ".")
			top, sub, more := strings.Cut(rest, ".")
			s.Path = api + "." + strings.ToLower(top)
			if more {
				s.Path += "." + sub
			}
			specs[name] = s
		}
	}
	return specs
}

// extFieldOf maps path onto its extension field of specs, when it is one.
func extFieldOf(c *collection, specs map[string]core.FieldSpec, path string) (qfield, bool) {
	if _, ok := specs[extQueryPrefix+path]; ok {
		return extQField(c, path), true
	}
	return qfield{}, false
}

// The extension fields of dates, tasks and notes.
var (
	dateExt = recordExtSpecs(collections["dates"], dateFields, false, "lead_type", "duration", "showed_up")
	taskExt = recordExtSpecs(collections["tasks"], taskFields, false, "client_id", "lead_type")
	noteExt = recordExtSpecs(collections["notes"], noteFields, false, "client_id", "lead_type")
)
