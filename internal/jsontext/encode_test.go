package jsontext

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// std is encoding/json's text of v, as the APIs' writers wrote it before
// Append: an Encoder without HTML escaping, its newline dropped.
func std(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return strings.TrimSuffix(buf.String(), "\n"), err
}

// sameAsStd fails t unless Append writes v as encoding/json does, or
// fails where it fails.
func sameAsStd(t *testing.T, v any) {
	t.Helper()
	want, wantErr := std(v)
	got, err := Append([]byte("prefix:"), v)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("Append(%#v): error %v, encoding/json's %v", v, err, wantErr)
	}
	if err != nil {
		return
	}
	if g, ok := strings.CutPrefix(string(got), "prefix:"); !ok || g != want {
		t.Fatalf("Append(%#v)\n got %s\nwant %s", v, got, want)
	}
}

type named string

type withMarshaler struct{ n int }

func (m withMarshaler) MarshalJSON() ([]byte, error) { return []byte(` { "n" : 1 } `), nil }

func TestAppendAsEncodingJSON(t *testing.T) {
	var nilMap map[string]any
	var nilSlice []any
	var nilPtr *int
	when := time.Date(2026, 11, 30, 18, 5, 0, 123, time.UTC)
	for _, v := range []any{
		nil, true, false, "", "plain", `quote " backslash \ slash /`,
		"<html> & 'both'", "\x00\x01\x1f\b\f\n\r\t\x7f", "é ñ 😀 \u2028 \u2029", "bad \xff utf-8 \xe2\x82", "\u00e9\u0301",
		0, -1, int64(math.MaxInt64), int64(math.MinInt64), int32(-5), int16(7), int8(-8), uint(9), uint64(math.MaxUint64), uint32(3), uint16(4), uint8(5),
		0.0, -0.0, 1.5, -2.25, 1e20, 1e21, 123456789e13, 1e-6, 1e-7, 0.000001234, 5e-324, math.MaxFloat64, 1.0 / 3,
		float32(0.1), float32(1e21), float32(1e-7), float32(3.4e38),
		math.NaN(), math.Inf(1), math.Inf(-1), float32(math.Inf(1)),
		json.Number("12"), json.Number("-0.5e+10"), json.Number(""), json.Number("1.e5"), json.Number("x"), json.Number("01"),
		nilMap, nilSlice, nilPtr, []string(nil), map[string]string(nil), []map[string]any(nil),
		map[string]any{}, []any{}, []string{}, map[string]string{},
		map[string]any{"b": 1, "a": []any{"x", nil, map[string]any{"z": json.Number("3"), "Z": false, "é": "", "a\"b": 1}}, "": "empty"},
		[]string{"a", "b\n"}, map[string]string{"k2": "v", "k1": "<"}, []map[string]any{{"x": 1}, nil, {}},
		map[string]any{"time": when, "named": named("n"), "struct": struct {
			A int    `json:"a"`
			B string `json:"b,omitempty"`
		}{A: 1}, "marshaler": withMarshaler{}, "ptr": &when, "raw": json.RawMessage(` [1, 2] `)},
		map[string]any{"bad": math.NaN()}, []any{json.Number("nope")}, map[string]any{"ch": make(chan int)},
	} {
		sameAsStd(t, v)
	}
}

// TestAppendDeep checks the values nested beyond maxFastDepth, which
// encoding/json writes, and a cycle, its error.
func TestAppendDeep(t *testing.T) {
	var deep any = "leaf"
	for i := 0; i < maxFastDepth+10; i++ {
		if i%2 == 0 {
			deep = []any{deep}
		} else {
			deep = map[string]any{"k": deep}
		}
	}
	sameAsStd(t, deep)
	cycle := map[string]any{}
	cycle["self"] = []any{cycle}
	if _, err := Append(nil, cycle); err == nil {
		t.Fatal("Append of a cycle: no error")
	}
}

// TestAppendOrders checks the order Append keeps per shape of map: maps
// of the same member and size whose names are the same (written in the
// kept order), differ (sorted anew, after the kept order failed, perhaps
// after some of its members were written) or nest such maps.
func TestAppendOrders(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	names := []string{"a", "b", "c", "client_x", "client_y", "client_number_of_z", "z", "é", "", "A", "aa", "b\n"}
	randomMap := func(depth int) map[string]any {
		m := map[string]any{}
		for n := minOrdered + rnd.IntN(3); len(m) < n; {
			k := names[rnd.IntN(len(names))]
			m[k] = rnd.IntN(100)
			if depth > 0 && rnd.IntN(3) == 0 {
				m[k] = map[string]any{"computed": nil} // filled below
			}
		}
		return m
	}
	var page []any
	for range 300 {
		d := randomMap(1)
		for k, v := range d {
			if inner, ok := v.(map[string]any); ok {
				inner["computed"] = randomMap(0)
				d[k] = []any{randomMap(0), inner}
			}
		}
		page = append(page, d, map[string]any{"computed": d})
	}
	sameAsStd(t, page)
	// the same names again and again, some with other values
	same := make([]any, 50)
	for i := range same {
		same[i] = map[string]any{"a": i, "b": []any{i}, "c": "x", "d": nil, "e": true, "f": 1.5, "g": "", "h": map[string]any{}}
	}
	same[25].(map[string]any)["i"] = 1
	delete(same[30].(map[string]any), "a")
	same[30].(map[string]any)["a2"] = 2
	sameAsStd(t, same)
}

// FuzzAppend checks Append against encoding/json on the values a JSON
// text decodes to, numbers as float64 and as json.Number, and on the text
// as a string.
func FuzzAppend(f *testing.F) {
	for _, s := range []string{`{"a":[1,2.5,"x\u2028",null,true,{"b":-0.0000001}],"":{}}`, `"\ud800\u00e9"`, `[1e400]`, `123456789012345678901234567890`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sameAsStd(t, string(data))
		var v any
		if json.Unmarshal(data, &v) == nil {
			sameAsStd(t, v)
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var n any
		if dec.Decode(&n) == nil {
			sameAsStd(t, n)
		}
	})
}

func BenchmarkAppendDocument(b *testing.B) {
	d := map[string]any{"_id": "6751f0c2a1b2c3d4e5f60718", "__v": 3, "dealer_id": "1", "created_at": "2026-11-30T18:05:00.000Z",
		"status":   map[string]any{"status": "new", "substatus": map[string]any{"substatus": "sold"}},
		"car_list": []any{map[string]any{"car": map[string]any{"make": "SEAT", "model": "Ibiza", "price": json.Number("12500"), "year": 2021}}},
		"computed": map[string]any{"client_phones": []any{"+34600000000"}, "client_emails": []any{"a@example.com"}, "number_of_notes": 2,
			"notes": []any{"llamar mañana", "interesado en financiación"}, "tasks_date": []any{}}}
	page := make([]any, 50)
	for i := range page {
		page[i] = d
	}
	b.Run("Append", func(b *testing.B) {
		var buf []byte
		for b.Loop() {
			buf, _ = Append(buf[:0], page)
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		for b.Loop() {
			_, _ = std(page)
		}
	})
}
