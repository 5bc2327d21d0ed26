package core_test

import (
	"testing"

	"forecourt/internal/core"
)

// TestWithExtOf: an extension field of a client's contacts (Of) is one of
// a list, neither sorted nor grouped; an Of other than a contact is an
// error naming the field.
func TestWithExtOf(t *testing.T) {
	sc, err := core.ClientSchema.WithExt(map[string]core.FieldSpec{
		"ext.walcu.contacts.name.first_name": {Type: core.TypeText, Path: "walcu.name.first_name", Of: core.RecordContact},
		"ext.walcu.custom":                   {Type: core.TypeText, Path: "walcu.custom"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if f := sc.Fields["ext.walcu.contacts.name.first_name"]; f.Sort || f.Group || f.Of != core.RecordContact {
		t.Errorf("a contact's field: %+v", f)
	}
	if f := sc.Fields["ext.walcu.custom"]; !f.Sort || !f.Group {
		t.Errorf("the client's own field: %+v", f)
	}
	_, err = core.ClientSchema.WithExt(map[string]core.FieldSpec{
		"ext.walcu.x": {Type: core.TypeText, Path: "walcu.x", Of: core.RecordLead},
	})
	if ce, ok := err.(*core.Error); !ok || ce.Code != core.Invalid || ce.Fields["ext.walcu.x"] == "" {
		t.Errorf("an Of other than a contact: %v", err)
	}
}
