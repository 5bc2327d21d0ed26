package sml

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"forecourt/internal/jsontext"
)

// stdJSON is encoding/json's text of v as the answers were written before
// LeadResponse.AppendJSON: an Encoder without HTML escaping, no newline.
func stdJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// sameLeadJSON fails t unless jsontext.Append writes l (through
// AppendJSON) as encoding/json does, or fails where it fails.
func sameLeadJSON(t *testing.T, what string, l LeadResponse) {
	t.Helper()
	want, wantErr := stdJSON(l)
	got, err := jsontext.Append([]byte("prefix:"), l)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("%s: AppendJSON's error %v, encoding/json's %v", what, err, wantErr)
	}
	if err != nil {
		if string(got) != "prefix:" {
			t.Fatalf("%s: on an error AppendJSON left %q", what, got)
		}
		return
	}
	if g, ok := bytes.CutPrefix(got, []byte("prefix:")); !ok || !bytes.Equal(g, want) {
		t.Fatalf("%s:\n got %s\nwant %s", what, got, want)
	}
}

// texts are the strings the random leads are made of: what encoding/json
// escapes or replaces (quotes, control characters, invalid UTF-8, a lone
// surrogate's bytes, U+2028/U+2029) and what it leaves as it is without
// HTML escaping (<, >, &, non-ASCII).
var texts = []string{
	"", "a", "Seat León 1.6 TDI", "<script>alert('x')</script>", "a & b > c < d", `quote " backslash \ slash /`,
	"\x00\x01\x1f\b\f\n\r\t\x7f", "é ñ 😀 \u2028 \u2029 \ufffd", "bad \xff utf-8 \xe2\x82", "\xed\xa0\x80 surrogate", "\u00e9\u0301",
	"+34600111222", "2026-12-01T03:04:05.123456+01:00", strings.Repeat("long ", 60),
}

// randomText is one of texts, or random bytes (any byte, so invalid UTF-8
// too), or random runes.
func randomText(r *rand.Rand) string {
	switch r.IntN(4) {
	case 0:
		b := make([]byte, r.IntN(12))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return string(b)
	case 1:
		rs := make([]rune, r.IntN(8))
		for i := range rs {
			rs[i] = rune(r.IntN(0x110000))
		}
		return string(rs)
	}
	return texts[r.IntN(len(texts))]
}

// fill sets v (and everything it holds) to random values: each pointer
// nil or set, each slice nil, empty or of a few elements, every field of
// every struct by reflection, so that a field added to LeadResponse or to
// any type it holds is filled, and compared, without naming it here.
func fill(r *rand.Rand, v reflect.Value, depth int) {
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			fill(r, v.Field(i), depth)
		}
	case reflect.Pointer:
		if r.IntN(4) == 0 {
			v.SetZero()
			return
		}
		p := reflect.New(v.Type().Elem())
		fill(r, p.Elem(), depth+1)
		v.Set(p)
	case reflect.Slice:
		switch n := r.IntN(5); {
		case n == 0 || depth > 4:
			v.SetZero()
		case n == 1:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		default:
			s := reflect.MakeSlice(v.Type(), n-1, n-1)
			for i := range n - 1 {
				fill(r, s.Index(i), depth+1)
			}
			v.Set(s)
		}
	case reflect.String:
		v.SetString(randomText(r))
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 0)
	case reflect.Int, reflect.Int64:
		switch r.IntN(4) {
		case 0:
			v.SetInt(0)
		case 1:
			v.SetInt(-r.Int64())
		default:
			v.SetInt(r.Int64N(100000))
		}
	case reflect.Float64:
		fs := []float64{0, math.Copysign(0, -1), 40.4168, -3.7038, 1e21, 1e-7, 123456789.125, 5e-324, math.MaxFloat64}
		if r.IntN(3) == 0 {
			v.SetFloat(fs[r.IntN(len(fs))])
		} else {
			v.SetFloat((r.Float64() - 0.5) * math.Pow(10, float64(r.IntN(40)-20)))
		}
	default:
		panic(fmt.Sprintf("fill: no random %s (%s): add it", v.Kind(), v.Type()))
	}
}

func randomLead(seed uint64) LeadResponse {
	var l LeadResponse
	fill(rand.New(rand.NewPCG(seed, 8)), reflect.ValueOf(&l).Elem(), 0)
	return l
}

// TestLeadJSONAsEncodingJSON: LeadResponse's own writing is encoding/json's
// text, byte for byte, for random leads (every field of every type it
// holds, by reflection), the document's example answers, and the errors.
func TestLeadJSONAsEncodingJSON(t *testing.T) {
	for seed := range uint64(3000) {
		sameLeadJSON(t, fmt.Sprintf("random lead %d", seed), randomLead(seed))
	}
	for _, file := range []string{"testdata/doc_lead_table.json", "testdata/doc_minimal_response.json"} {
		// the document's examples, read as far as their values are
		// LeadResponse's types (its table writes "online": "string")
		var l LeadResponse
		var typeErr *json.UnmarshalTypeError
		if err := json.Unmarshal(mustRead(t, file), &l); err != nil && !errors.As(err, &typeErr) {
			t.Fatalf("%s: %v", file, err)
		}
		sameLeadJSON(t, file, l)
	}

	// encoding/json's errors: a coordinate that is NaN or infinite
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		l := randomLead(1)
		l.ConcessionaireData = &LeadConcessionaire{DealerBase: DealerBase{Longitude: &f}}
		sameLeadJSON(t, fmt.Sprint("longitude ", f), l)
	}
	// within a page and through a pointer, as encoding/json writes them
	l := randomLead(2)
	var nilLead *LeadResponse
	for _, v := range []any{&l, nilLead, []any{l, nilLead}, map[string]any{"lead": l}} {
		want, _ := stdJSON(v)
		if got, err := jsontext.Append(nil, v); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("%T: got %s, %v\nwant %s", v, got, err, want)
		}
	}
	// <, > and & as they are (encoding/json without HTML escaping, as every
	// answer is written)
	l = LeadResponse{Status: "<b>&</b>"}
	if got, _ := jsontext.Append(nil, l); !bytes.Contains(got, []byte(`"status":"<b>&</b>"`)) {
		t.Fatalf("HTML characters escaped: %s", got)
	}
}

// FuzzLeadJSON compares the two writings on random leads whose texts are
// the fuzzer's.
func FuzzLeadJSON(f *testing.F) {
	for _, s := range texts {
		f.Add(uint64(len(s)), s)
	}
	f.Fuzz(func(t *testing.T, seed uint64, s string) {
		l := randomLead(seed)
		l.Status, l.Created = s, s+s
		if l.Client != nil {
			l.Client.Name = s
		}
		for i := range l.Request.Task {
			l.Request.Task[i].Type = s
		}
		sameLeadJSON(t, "fuzz", l)
	})
}

// TestLeadJSONOverTheAPI: a lead's answer (Consultar Lead, written by
// AppendJSON) is, byte for byte, the lead in the list's page (written by
// encoding/json), for the demo leads and the leads of the document's
// request examples.
func TestLeadJSONOverTheAPI(t *testing.T) {
	e := newEnv(t, 30)
	files, _ := filepath.Glob("testdata/requests/*.json")
	created := 0
	for _, file := range files {
		body := exampleLead(t, e.fx, file)
		if r := e.do("POST", "/api/lead/", body); r.status == 201 {
			created++
		} else {
			t.Logf("%s: %s", file, r)
		}
	}
	// text that encoding/json escapes, or leaves as it is
	for _, s := range []string{"<b>Peña & hijos</b>", "line\nbreak \u2028 \u2029 \t \u0001", `quote " backslash \ slash /`, "😀 \u00e9\u0301"} {
		want201(t, e.do("POST", "/api/lead/", map[string]any{
			"source": e.fx.SourceIDs["phone"], "vehicle": map[string]any{"brand_model": s},
			"client": map[string]any{"name": s, "phone": "600111222"}, "note": []any{map[string]any{"content": s}},
		}))
		created++
	}
	if created < 8 {
		t.Fatalf("only %d of the examples %v created a lead", created, files)
	}
	r := want(t, e.do("GET", "/api/lead/?page_size=100", nil), 200)
	var page struct{ Results []json.RawMessage }
	if err := json.Unmarshal(r.body, &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Results) < 30+created {
		t.Fatalf("%d leads listed, want %d", len(page.Results), 30+created)
	}
	for _, raw := range page.Results {
		var l struct{ ID int64 }
		if err := json.Unmarshal(raw, &l); err != nil {
			t.Fatal(err)
		}
		d := want(t, e.do("GET", fmt.Sprintf("/api/lead/%d/", l.ID), nil), 200)
		if got := bytes.TrimSuffix(d.body, []byte("\n")); !bytes.Equal(got, raw) {
			t.Fatalf("lead %d:\nanswer %s\n  page %s", l.ID, got, raw)
		}
	}
}

// BenchmarkLeadJSON writes the complex lead's answer (Crear Lead's) both
// ways: encoding/json as before, and AppendJSON.
func BenchmarkLeadJSON(b *testing.B) {
	var l LeadResponse
	data, err := os.ReadFile("testdata/doc_lead_table.json")
	var typeErr *json.UnmarshalTypeError
	if err == nil {
		if err = json.Unmarshal(data, &l); errors.As(err, &typeErr) {
			err = nil
		}
	}
	if err != nil {
		b.Fatal(err)
	}
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			var err error
			if buf, err = appendStdJSON(buf[:0], l); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("AppendJSON", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			var err error
			if buf, err = jsontext.Append(buf[:0], l); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// appendStdJSON is what jsontext.Append did with a LeadResponse before:
// encoding/json's Encoder into the buffer.
func appendStdJSON(dst []byte, v any) ([]byte, error) {
	buf := bytes.NewBuffer(dst)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return buf.Bytes(), err
}
