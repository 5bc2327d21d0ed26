package store

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"forecourt/internal/core"
)

// TestDecodeChanges: what historyChanges writes decodes to the changes
// written, through the plain path when the text has no escape; text of
// another shape decodes as encoding/json decodes it, or fails as it does.
func TestDecodeChanges(t *testing.T) {
	values := []string{"", "new", "Laura Sánchez Navarro", "+34 653 526 193", `say "hi"`, `back\slash`, "<b>&amp;</b>",
		"tab\there", "line\nbreak", "\x00", "\u2028", "bad \xff utf-8", "emoji 🚗", "{\"field\":\"x\"}", "],[", "}"}
	for i, v := range values {
		for _, n := range []int{0, 1, 3} {
			h := core.History{}
			for j := range n {
				h.Changes = append(h.Changes, core.Change{Field: fmt.Sprint("f", j), Old: values[(i+j)%len(values)], New: v})
			}
			js, err := historyChanges(&h)
			if err != nil {
				t.Fatal(err)
			}
			want, err := unmarshalChanges(js)
			if err != nil {
				t.Fatal(err)
			}
			got, err := decodeChanges(js)
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: decoded %q, %v, want %q", js, got, err, want)
			}
			// plain exactly when encoding/json wrote every value as is
			asIs := true
			for _, ch := range h.Changes {
				for _, s := range []string{ch.Field, ch.Old, ch.New} {
					b, _ := json.Marshal(s)
					asIs = asIs && string(b) == `"`+s+`"`
				}
			}
			if _, plain := plainChanges(js); plain != asIs {
				t.Fatalf("%s: taken as plain %v, want %v", js, plain, asIs)
			}
		}
	}
	for _, js := range []string{`[]`, `null`, `[{"field":"a","old":"b","new":"c"}]`, `[{"old":"b","field":"a","new":"c"}]`,
		`[ {"field":"a","old":"b","new":"c"} ]`, `[{"field":"a","old":"b","new":"c","x":1}]`, `[{"field":"a","old":"b"}]`,
		`[{"field":"a","old":"b","new":"c"},]`, `[{"field":"a","old":"b","new":"c"}{"field":"a","old":"b","new":"c"}]`,
		`[{"field":"a","old":"b","new":"c"}`, `[{"field":"a\u0041","old":"b","new":"c"}]`, `{}`, `[1]`, ``, `["`} {
		want, wantErr := unmarshalChanges(js)
		got, err := decodeChanges(js)
		if (err != nil) != (wantErr != nil) || !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: decoded %q, %v, want %q, %v", js, got, err, want, wantErr)
		}
	}
	if _, plain := plainChanges(`[{"field":"a","old":"b","new":"c"},{"field":"d","old":"","new":"é"}]`); !plain {
		t.Fatal("what historyChanges writes for plain values is not taken as plain")
	}
}

// FuzzDecodeChanges: whatever the column holds, decodeChanges answers what
// encoding/json answers; whatever changes are written, they are read back.
func FuzzDecodeChanges(f *testing.F) {
	f.Add(`[{"field":"a","old":"b","new":"c"}]`, "x", "y")
	f.Add(`[]`, "", "\\")
	f.Add(`[{"field":"a","old":"b","new":"c"},{"field":"d","old":"","new":"é"}]`, "\xff", "\"")
	f.Fuzz(func(t *testing.T, js, old, new string) {
		want, wantErr := unmarshalChanges(js)
		got, err := decodeChanges(js)
		if (err != nil) != (wantErr != nil) || (err == nil && !reflect.DeepEqual(got, want)) {
			t.Fatalf("%q: decoded %q, %v, want %q, %v", js, got, err, want, wantErr)
		}
		h := core.History{Changes: []core.Change{{Field: "f", Old: old, New: new}, {Field: new, Old: old, New: "n"}}}
		written, err := historyChanges(&h)
		if err != nil {
			t.Fatal(err)
		}
		want, _ = unmarshalChanges(written)
		if got, err := decodeChanges(written); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: decoded %q, %v, want %q", written, got, err, want)
		}
	})
}
