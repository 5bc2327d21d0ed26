package sml

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzSplit checks splitObject and splitArray against json.Unmarshal on
// every valid JSON document the fuzzer finds.
func FuzzSplit(f *testing.F) {
	for _, s := range []string{
		`{}`, `[]`, `{"a":1,"b":[1,{"c":"}"}],"d":"x\"y"}`, ` { "a" : null , "a" : true } `,
		`[1, "two", {"three": [3]}, [], {}]`, `{"k\u00e9y": 1}`, `{"vehicle":{"brand_model":"Vehículo de prueba"},"source":1}`,
		`[{"content":"a,b]c"}]`, `{"n": -1.5e3}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		switch bytes.TrimSpace(data)[0] {
		case '{':
			var want map[string]json.RawMessage
			if err := json.Unmarshal(data, &want); err != nil {
				return
			}
			got, err := splitObject(data)
			if err != nil || !reflect.DeepEqual(normalise(got), normalise(want)) {
				t.Fatalf("splitObject(%s) = %v, %v; want %v", data, got, err, want)
			}
		case '[':
			var want []json.RawMessage
			if err := json.Unmarshal(data, &want); err != nil {
				return
			}
			got, err := splitArray(data)
			if err != nil || len(got) != len(want) {
				t.Fatalf("splitArray(%s) = %v, %v; want %v", data, got, err, want)
			}
			for i := range got {
				if !bytes.Equal(got[i], want[i]) {
					t.Fatalf("splitArray(%s)[%d] = %s, want %s", data, i, got[i], want[i])
				}
			}
		}
	})
}

func normalise(m map[string]json.RawMessage) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = string(v)
	}
	return out
}
