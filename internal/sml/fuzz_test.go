package sml

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"forecourt/internal/core"
)

// FuzzDecodeLead feeds arbitrary bodies to the decoder of Crear and
// Modificar Lead and the mapping to core: it must never panic, and it must
// either report a DRF error (400/413 with a JSON body) or yield a request
// that maps to core.
func FuzzDecodeLead(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/requests/*.json")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, false)
		f.Add(b, true)
	}
	f.Add([]byte(`{"source":1,"vehicle":{"brand_model":"x"}}`), false)
	f.Add([]byte(`{"request":{"task":[{},{"type":"x"},"y"]},"note":[null]}`), true)
	f.Fuzz(func(t *testing.T, body []byte, partial bool) {
		m, err := parseObject(body)
		if err != nil {
			checkAPIError(t, err)
			return
		}
		d := newDecoder(partial, func() *time.Location { return madrid })
		b := decodeLead(d.root(m))
		if err := d.err(); err != nil {
			checkAPIError(t, err)
			return
		}
		if partial {
			_ = core.PatchKind(leadPatchToCore(b))
			return
		}
		l := leadToCore(b)
		if l.SourceID < 1 || l.Vehicle == nil {
			t.Fatalf("a create body without source or vehicle passed: %s", body)
		}
	})
}

func checkAPIError(t *testing.T, err error) {
	t.Helper()
	var ae *apiError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not an *apiError", err)
	}
	if ae.status != 400 {
		t.Fatalf("status %d", ae.status)
	}
	if _, err := json.Marshal(ae.body); err != nil {
		t.Fatalf("error body does not encode: %v", err)
	}
}
