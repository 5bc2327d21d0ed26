package core

import "strings"

// A lead's vehicle is named twice: BrandModel, one text (SML's
// brand_model, the web UI's), and Make and Model apart (Walcu's make and
// model). One rule keeps them one name, whichever API writes
// (docs/decisions.md, "A vehicle's make and model"):
//
//   - a writer that names Make or Model sets BrandModel to them joined
//     (JoinMakeModel);
//   - a BrandModel that Make and Model no longer make (a writer changed
//     it alone) resets them to BrandModel cut at its first space.
//
// So Make and Model are always what the lead's vehicle shows apart, and
// a query on them (store: vehicles.make, .model) finds what is shown.

// JoinMakeModel is the BrandModel of make and model: each trimmed, joined
// by a space, the empty ones left out.
func JoinMakeModel(brand, model string) string {
	return strings.TrimSpace(strings.TrimSpace(brand) + " " + strings.TrimSpace(model))
}

// SettleMakeModel makes v's Make and Model its BrandModel's: trimmed,
// and, unless they still join to BrandModel, BrandModel cut at its first
// space (as it is: the rest is the model). It changes nothing of a
// settled vehicle.
func (v *Vehicle) SettleMakeModel() {
	v.Make, v.Model = strings.TrimSpace(v.Make), strings.TrimSpace(v.Model)
	if JoinMakeModel(v.Make, v.Model) != v.BrandModel {
		v.Make, v.Model, _ = strings.Cut(v.BrandModel, " ")
	}
}
