package jsontext

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLoneSurrogate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want rune // 0: none
	}{
		{`"plain"`, 0},
		{`"\ud800x"`, 0xD800},
		{`"x\udfff"`, 0xDFFF},
		{`"\uD83D\uDE00"`, 0},            // a pair: 😀
		{`"\ud83d\ude00\ud83d"`, 0xD83D}, // a pair, then a high one alone
		{`"\ud83d\u0041"`, 0xD83D},       // a high one before no low one
		{`"\ude00\ud83d"`, 0xDE00},       // a low one first
		{`"\\ud800"`, 0},                 // an escaped backslash, then text
		{`"\\\ud800"`, 0xD800},
		{`"\u00e9\n\t\"\/"`, 0},
		{`{"a":["\u0000","\ud800"]}`, 0xD800},
		{`"\ud800`, 0xD800}, // not valid JSON: its parser reports it first
		{`"\u12`, 0},
		{`"\`, 0},
	} {
		r, ok := LoneSurrogate([]byte(tc.in))
		if ok != (tc.want != 0) || r != tc.want {
			t.Errorf("LoneSurrogate(%s) = %U, %v; want %U", tc.in, r, ok, tc.want)
		}
	}
}

func TestFindLoneSurrogate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		path []string
		want rune
	}{
		{`{"a":"x","b":[1,{"c":"\ud800"}]}`, []string{"b", "1", "c"}, 0xD800},
		{`[{"IDLeadBank":1,"LeadEvents":[{"IDstatus":1,"DateAction":"2026\udc00"}]}]`, []string{"0", "LeadEvents", "0", "DateAction"}, 0xDC00},
		{`{"k\ud800":1}`, []string{"k\ufffd"}, 0xD800},
		{`{"a":{"b":null,"c":true},"d":"\ud800"}`, []string{"d"}, 0xD800},
		{`["a",["b"],"\ud800"]`, []string{"2"}, 0xD800},
		{`"\ud800"`, []string{}, 0xD800},
		{`{"a":"\uD83D\uDE00"}`, nil, 0},
		{`{"a":"\ud800"`, nil, 0}, // not JSON
	} {
		path, r, ok := FindLoneSurrogate([]byte(tc.in))
		if ok != (tc.want != 0) || r != tc.want || !slices.Equal(path, tc.path) {
			t.Errorf("FindLoneSurrogate(%s) = %q, %U, %v; want %q, %U", tc.in, path, r, ok, tc.path, tc.want)
		}
	}
}

// FuzzLoneSurrogate checks LoneSurrogate against encoding/json, which
// decodes a lone surrogate as U+FFFD: a valid document in which
// LoneSurrogate finds none decodes without U+FFFD unless the text holds
// one itself, and FindLoneSurrogate finds one exactly when LoneSurrogate
// does.
func FuzzLoneSurrogate(f *testing.F) {
	for _, s := range []string{`"\ud800x"`, `{"a":["\uD83D\uDE00",1,{"b":"\udc00"}]}`, `"\\ud800"`, `[1,"x",null]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, found := LoneSurrogate(data)
		path, r2, found2 := FindLoneSurrogate(data)
		var v any
		if !utf8.Valid(data) || json.Unmarshal(data, &v) != nil {
			return
		}
		if found != found2 || r != r2 {
			t.Fatalf("LoneSurrogate = %U %v, FindLoneSurrogate = %q %U %v", r, found, path, r2, found2)
		}
		if found && (r < 0xD800 || r > 0xDFFF) {
			t.Fatalf("%U is no surrogate", r)
		}
		if !found && !strings.Contains(string(data), "\ufffd") && !strings.Contains(strings.ToLower(string(data)), `\ufffd`) {
			b, _ := json.Marshal(v)
			if strings.Contains(string(b), "\ufffd") {
				t.Fatalf("no lone surrogate found in %q, but it decodes with U+FFFD", data)
			}
		}
	})
}
