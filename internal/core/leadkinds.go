package core

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
)

// LeadKind is what a lead is about. Every API's leads are sales but
// Walcu's, which has three collections of leads: saleleads,
// aftersaleleads and appraisalleads. An API that has no kinds shows
// every lead, whatever its kind.
type LeadKind string

// The lead kinds.
const (
	LeadSale      LeadKind = "sale"      // the client wants to buy a vehicle
	LeadAftersale LeadKind = "aftersale" // the client's vehicle needs the workshop
	LeadAppraisal LeadKind = "appraisal" // the client offers his vehicle to be appraised
)

// LeadKinds lists every lead kind.
var LeadKinds = []LeadKind{LeadSale, LeadAftersale, LeadAppraisal}

// Valid reports whether k is a known lead kind.
func (k LeadKind) Valid() bool { return slices.Contains(LeadKinds, k) }

// Bounds of a lead's Ext.
const (
	MaxLeadExtKeys  = 100
	MaxLeadExtKey   = 100       // bytes of a key
	MaxLeadExtValue = 256 << 10 // bytes of one value
	MaxLeadExt      = 1 << 20   // bytes of all values
)

// ValidExtKey reports whether k is a key of a lead's Ext: "<api>.<field>",
// each a letter or underscore followed by letters, digits and underscores.
func ValidExtKey(k string) bool {
	api, field, ok := strings.Cut(k, ".")
	return ok && len(k) <= MaxLeadExtKey && extWord(api) && extWord(field)
}

func extWord(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'):
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// checkLeadExt records on fe what is wrong with a lead's Ext: a bad key,
// a value that is not a JSON text, too many or too large.
func checkLeadExt(fe FieldErrors, ext map[string]string) {
	if len(ext) > MaxLeadExtKeys {
		fe.Add("ext", MsgOutOfRange)
		return
	}
	total := 0
	for _, k := range slices.Sorted(maps.Keys(ext)) {
		v := ext[k]
		total += len(v)
		switch {
		case !ValidExtKey(k):
			fe.Add("ext", MsgInvalid)
		case len(v) > MaxLeadExtValue:
			fe.Add("ext."+k, MsgTooLong)
		case !json.Valid([]byte(v)):
			fe.Add("ext."+k, MsgInvalid)
		case strings.Contains(v, `\u0000`):
			fe.Add("ext."+k, MsgNullCharacter)
		}
	}
	if total > MaxLeadExt {
		fe.Add("ext", MsgTooLong)
	}
}

// applyExtPatch sets (a value) or removes (nil) each key of p in *ext.
func applyExtPatch(ext *map[string]string, p map[string]*string) {
	if len(p) == 0 {
		return
	}
	out := make(map[string]string, len(*ext)+len(p))
	maps.Copy(out, *ext)
	for k, v := range p {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = *v
		}
	}
	if len(out) == 0 {
		out = nil
	}
	*ext = out
}

// diffExt lists the changes of a lead's Ext, "ext.<key>", by key.
func diffExt(old, cur map[string]string) []Change {
	keys := slices.Sorted(maps.Keys(cur))
	for k := range old {
		if _, ok := cur[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var cs []Change
	for _, k := range keys {
		if old[k] != cur[k] {
			cs = append(cs, Change{Field: "ext." + k, Old: old[k], New: cur[k]})
		}
	}
	return cs
}
