package walcu

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	"forecourt/internal/core"
)

// The collections' schemas are the document's own examples (schemas/*.json,
// copied from the document: each collection's POST body and GET document).
// Their values say each field's type: "2025-08-08" a date, any other
// string a text, 0 a number, true a boolean, an array its elements', an
// object its fields'; {"additionalProp1": {}} is an object of any fields.
// From them come the validation of bodies, the fields a query may name,
// and the OpenAPI description.

//go:embed schemas/*.json
var schemaFiles embed.FS

// kind is the JSON type of a field.
type kind int

const (
	kString kind = iota + 1
	kDate
	kNumber
	kBool
	kObject
	kArray
	kAny // an object of any fields, or null in the example
)

// shape is a field's type, with the fields of an object and the element
// of an array.
type shape struct {
	kind   kind
	fields map[string]*shape
	elem   *shape
}

// example is the shape of an example value.
func example(v any) *shape {
	switch x := v.(type) {
	case string:
		if _, ok := core.ParseTime(x); ok {
			return &shape{kind: kDate}
		}
		return &shape{kind: kString}
	case json.Number, float64:
		return &shape{kind: kNumber}
	case bool:
		return &shape{kind: kBool}
	case []any:
		s := &shape{kind: kArray, elem: &shape{kind: kAny}}
		if len(x) > 0 {
			s.elem = example(x[0])
		}
		return s
	case map[string]any:
		if _, free := x["additionalProp1"]; free && len(x) == 1 {
			return &shape{kind: kAny}
		}
		s := &shape{kind: kObject, fields: map[string]*shape{}}
		for k, fv := range x {
			s.fields[k] = example(fv)
		}
		return s
	}
	return &shape{kind: kAny}
}

// envelope are the fields of every document that the server keeps: a
// body may send them (the document's own examples do), and they are
// ignored; a JSON Patch may not change them.
var envelope = []string{"_id", "__v", "dealer_id", "created_at", "updated_at", "updated_by", "computed"}

// collection is one of Walcu's twenty collections.
type collection struct {
	name     string // "saleleads", as in the paths
	singular string // "salelead", as the document names one
	doc      *shape // the document, as GET answers it
	body     *shape // what a POST, PUT or patched document may hold (doc without computed)
	// fields are the document's leaf fields a query may name, by their
	// dotted path ("car_list.car.make"), with the Path of each in the
	// document ("car_list[].car.make").
	fields map[string]docField
}

// docField is a leaf of a document: its type and Path.
type docField struct {
	kind kind
	path string // the core.FieldSpec Path: "[]" after arrays
}

// collectionNames lists the collections in the document's order.
var collectionNames = []string{"aftersaleleads", "appraisalleads", "cars", "chatmessages", "chatproviders", "chatsessions", "clients",
	"clientvehicles", "conferences", "contacts", "dates", "leadimporttasks", "notes", "offers", "repairorders", "saleleads", "sms",
	"tasks", "whatsappmessages", "whatsappsessions"}

// singulars are the document's names of one element, where removing the
// final "s" is not it.
var singulars = map[string]string{"sms": "sms"}

var collections = loadCollections()

func loadCollections() map[string]*collection {
	out := map[string]*collection{}
	for _, name := range collectionNames {
		b, err := schemaFiles.ReadFile(path.Join("schemas", name+".json"))
		if err != nil {
			panic(err)
		}
		var f struct {
			Document   map[string]any `json:"document"`
			CreateBody map[string]any `json:"create_body"`
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if err := dec.Decode(&f); err != nil {
			panic(fmt.Sprintf("walcu: schema %s: %v", name, err))
		}
		doc := f.Document
		if doc == nil { // contacts: the POST body is the document
			doc = f.CreateBody
		}
		c := &collection{name: name, singular: strings.TrimSuffix(name, "s"), doc: example(doc)}
		if s, ok := singulars[name]; ok {
			c.singular = s
		}
		c.body = &shape{kind: kObject, fields: map[string]*shape{}}
		for k, v := range c.doc.fields {
			if k != "computed" {
				c.body.fields[k] = v
			}
		}
		c.fields = map[string]docField{}
		leaves(c.doc, "", "", c.fields)
		out[name] = c
	}
	return out
}

// leaves records the leaf fields of s under prefix (dotted) and at (its
// Path so far). Sub-documents' "_id"s are left out: only the document's
// own _id is a field.
func leaves(s *shape, prefix, at string, out map[string]docField) {
	for k, f := range s.fields {
		if k == "_id" && prefix != "" {
			continue
		}
		name, p := k, k
		if prefix != "" {
			name, p = prefix+"."+k, at+"."+k
		}
		switch f.kind {
		case kObject:
			leaves(f, name, p, out)
		case kArray:
			switch f.elem.kind {
			case kObject:
				leaves(f.elem, name, p+"[]", out)
			case kString, kDate, kNumber, kBool:
				out[name] = docField{kind: f.elem.kind, path: p + "[]"}
			}
		case kString, kDate, kNumber, kBool:
			out[name] = docField{kind: f.kind, path: p}
		}
	}
}

// fieldNames returns the names of a collection's query fields, sorted.
func (c *collection) fieldNames() []string {
	names := make([]string, 0, len(c.fields))
	for n := range c.fields {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// check validates a decoded body against s, recording problems by path
// ("car_list.0.car.price": "a number"). Unknown fields are errors; null is
// accepted anywhere; envelope fields at the top are ignored (skip).
func check(s *shape, v any, at string, fe core.FieldErrors, skip []string) {
	if v == nil || s.kind == kAny {
		return
	}
	want := ""
	switch s.kind {
	case kString:
		if _, ok := v.(string); !ok {
			want = "a string"
		}
	case kDate:
		str, ok := v.(string)
		if _, valid := core.ParseTime(str); !ok || !valid {
			want = "a date (ISO 8601)"
		}
	case kNumber:
		// a number beyond a double (1e400), which MongoDB could not keep
		// and most clients cannot read back, is no number
		if n, ok := v.(json.Number); !ok {
			want = "a number"
		} else if _, err := strconv.ParseFloat(string(n), 64); err != nil {
			want = "a number a double holds"
		}
	case kBool:
		if _, ok := v.(bool); !ok {
			want = "a boolean"
		}
	case kArray:
		arr, ok := v.([]any)
		if !ok {
			want = "an array"
			break
		}
		if len(arr) > maxArray {
			fe.Add(at, fmt.Sprintf("at most %d elements", maxArray))
			return
		}
		for i, e := range arr {
			check(s.elem, e, fmt.Sprintf("%s.%d", at, i), fe, nil)
		}
	case kObject:
		obj, ok := v.(map[string]any)
		if !ok {
			want = "an object"
			break
		}
		for k, fv := range obj {
			p := k
			if at != "" {
				p = at + "." + k
			}
			if slices.Contains(skip, k) {
				continue
			}
			f, ok := s.fields[k]
			if !ok {
				fe.Add(p, "unknown field")
				continue
			}
			check(f, fv, p, fe, nil)
		}
	}
	if want != "" {
		if at == "" {
			at = "body"
		}
		fe.Add(at, "must be "+want)
	}
}

// maxArray bounds the elements of one array of a body.
const maxArray = 1000

// normalise rewrites the dates of a checked body v of shape s in
// core.DocumentTimeLayout, UTC, so that their text order is their time
// order in the database and they read back as the server writes them.
func normalise(s *shape, v any) any {
	if v == nil {
		return nil
	}
	switch s.kind {
	case kDate:
		if str, ok := v.(string); ok {
			if t, ok := core.ParseTime(str); ok {
				return t.UTC().Format(core.DocumentTimeLayout)
			}
		}
	case kArray:
		if arr, ok := v.([]any); ok {
			for i := range arr {
				arr[i] = normalise(s.elem, arr[i])
			}
		}
	case kObject:
		if obj, ok := v.(map[string]any); ok {
			for k, fv := range obj {
				if f, ok := s.fields[k]; ok {
					obj[k] = normalise(f, fv)
				}
			}
		}
	}
	return v
}
