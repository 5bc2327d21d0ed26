package sml

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
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

// TestParseObjectValidIsDecoded: parseObject answers as it did when
// every body went through the decoder (decoderParseObject): the same
// members, or the same error.
func TestParseObjectValidIsDecoded(t *testing.T) {
	for _, body := range []string{
		`{}`, ` {"a": 1} `, "{\"a\": [1, {\"b\": null}], \"c\": \"\\u00e9\\ud83d\\ude00\"}\n", `{"a":1,"a":2}`,
		`[1]`, `"x"`, `12`, `null`, ``, ` `,
		`{"a": 1} {"b": 2}`, `{"a": 1}x`, `{"a": }`, `{"a": 1`, `{"a" 1}`, `{"a": 01}`, `{"a": "\x01"}`,
	} {
		got, gotErr := parseObject([]byte(body))
		want, wantErr := decoderParseObject([]byte(body))
		if !reflect.DeepEqual(gotErr, wantErr) || !reflect.DeepEqual(got, want) {
			t.Fatalf("parseObject(%q) = %q, %v; through the decoder %q, %v", body, got, gotErr, want, wantErr)
		}
	}
}

// decoderParseObject is parseObject as it was before json.Valid spared the
// decoder's copies.
func decoderParseObject(data []byte) (map[string]json.RawMessage, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return map[string]json.RawMessage{}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return nil, parseError(err, dec.InputOffset())
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, detailError(http.StatusBadRequest, fmt.Sprintf("JSON parse error - Extra data: char %d", dec.InputOffset()))
	}
	if kind(raw) != '{' {
		t := &errTree{}
		t.add([]string{"non_field_errors"}, msgObject(pyType(raw)))
		return nil, treeError(t)
	}
	m, err := splitObject(raw)
	if err != nil {
		return nil, parseError(err, 0)
	}
	return m, nil
}
