package sml

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"testing"
)

// TestReadBodyIsReadAll: readBody reads what io.ReadAll reads, whatever
// the size the request declared (exact, short, long, none, over maxBody),
// and a body over maxBody is MaxBytesReader's error either way.
func TestReadBodyIsReadAll(t *testing.T) {
	for _, size := range []int{0, 1, 511, 512, 513, 3000, 70000} {
		body := bytes.Repeat([]byte("x"), size)
		for _, declared := range []int64{-1, 0, int64(size), int64(size) - 1, int64(size) + 1, 1, maxBody + 1} {
			got, err := readBody(bytes.NewReader(body), declared)
			if err != nil || !bytes.Equal(got, body) {
				t.Fatalf("readBody of %d bytes declared %d: %d bytes, %v", size, declared, len(got), err)
			}
		}
	}
	big := bytes.Repeat([]byte("x"), maxBody+10)
	for _, declared := range []int64{maxBody, 10, -1} {
		_, err := readBody(http.MaxBytesReader(httptest.NewRecorder(), io.NopCloser(bytes.NewReader(big)), maxBody), declared)
		var mbe *http.MaxBytesError
		if !errors.As(err, &mbe) {
			t.Fatalf("readBody of %d bytes declared %d: %v, not MaxBytesError", len(big), declared, err)
		}
	}
}

// TestReadBodyTrustsNoDeclaredLength: a request that declares the largest
// body allowed and sends nothing gets a buffer of at most maxPrealloc
// bytes, not the megabyte it claimed; a body of the declared length
// larger than that is still read whole.
func TestReadBodyTrustsNoDeclaredLength(t *testing.T) {
	got, err := readBody(bytes.NewReader(nil), maxBody)
	if err != nil || len(got) != 0 {
		t.Fatalf("readBody of nothing declared %d: %d bytes, %v", maxBody, len(got), err)
	}
	if cap(got) > maxPrealloc+1 {
		t.Fatalf("readBody of nothing declared %d set aside %d bytes, more than %d", maxBody, cap(got), maxPrealloc+1)
	}
	body := bytes.Repeat([]byte("y"), maxBody)
	if got, err := readBody(bytes.NewReader(body), maxBody); err != nil || !bytes.Equal(got, body) {
		t.Fatalf("readBody of %d bytes declared so: %d bytes, %v", maxBody, len(got), err)
	}
}

// TestParseObjectValidIsDecoded: where json.Valid spares parseObject
// the decoder, the value is the decoder's (decodeValue), and the others
// get the decoder's errors.
func TestParseObjectValidIsDecoded(t *testing.T) {
	for _, body := range []string{
		`{}`, ` {"a": 1} `, "{\"a\": [1, {\"b\": null}], \"c\": \"\\u00e9\\ud83d\\ude00\"}\n", `{"a":1,"a":2}`,
		`[1]`, `"x"`, `12`, `null`, `1e5`, `-0`,
		`{"a": 1} {"b": 2}`, `{"a": 1}x`, `{"a": }`, `{"a": 1`, `{"a" 1}`, `{"a": 01}`, `{"a": "\x01"}`, `{"a": 1}}`,
	} {
		data := bytes.TrimSpace([]byte(body))
		want, wantErr := decodeValue(data)
		if valid := json.Valid(data); valid != (wantErr == nil) || valid && !bytes.Equal(want, data) {
			t.Fatalf("%q: json.Valid %v, the decoder's value %q, %v", body, valid, want, wantErr)
		}
		got, gotErr := parseObject([]byte(body))
		if wantErr != nil {
			if !reflect.DeepEqual(gotErr, wantErr) {
				t.Fatalf("parseObject(%q): %v, the decoder's error %v", body, gotErr, wantErr)
			}
			continue
		}
		if m, err := splitObject(want); kind(want) == '{' && (err != nil || !reflect.DeepEqual(got, m)) {
			t.Fatalf("parseObject(%q) = %q, %v; the decoder's value splits as %q", body, got, gotErr, m)
		}
	}
}

// BenchmarkReadLead: the SML document's complex lead read from a request
// as before (io.ReadAll, the decoder, splitObject) and now (readBody,
// parseObject).
func BenchmarkReadLead(b *testing.B) {
	body, err := os.ReadFile("testdata/requests/complex.json")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("decoder", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			data, _ := io.ReadAll(bytes.NewReader(body))
			raw, err := decodeValue(bytes.TrimSpace(data))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := splitObject(raw); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("valid", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			data, _ := readBody(bytes.NewReader(body), int64(len(body)))
			if _, err := parseObject(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}
