package core

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// hostileTexts are texts NFC must take without panicking: decomposed,
// starting with a combining mark, invalid UTF-8 before and after one,
// Hangul jamo, a run of combining marks longer than Unicode's stream-safe
// bound, a NUL (the store refuses it after), emoji sequences, a BOM.
var hostileTexts = []string{
	"", "León", "Leo\u0301n", "\u0301", "o\u0301\u0301\u0301", "a\u0323\u0302", "\u1100\u1161\u11a8",
	"\xff", "o\xcc", "\xffo\u0301", "o\u0301\xff", "\xe2\x82", "\xed\xa0\x80o\u0301",
	"a" + strings.Repeat("\u0301", 100), strings.Repeat("\u0301", 100), "\x00o\u0301",
	"👩\u200d🚗", "\ufeffo\u0301", "\u2028", "Ω\u212b\u2126", "\u00ea\u0323", "\u00ea\xcc", "\u02ff\u0301", "x" + strings.Repeat("e\u0301", 1000),
}

// TestNFC: a text in NFC whatever its form, unchanged when it already
// is (the fast paths); a byte string that is not UTF-8 is left as it is.
func TestNFC(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", ""},
		{"Zubizarreta 42", "Zubizarreta 42"},
		{"Leo\u0301n", "Le\u00f3n"},
		{"Le\u00f3n", "Le\u00f3n"},
		{"man\u0303ana Ibe\u0301rica", "ma\u00f1ana Ib\u00e9rica"},
		{"\u0301n", "\u0301n"}, // a mark with nothing to combine with stays
		{"a\u0323\u0302", "\u1ead"},
		{"\u212b", "\u00c5"},       // a singleton: Ångström sign to Å
		{"\u00ea\u0323", "\u1ec7"}, // a mark after a Latin-1 letter: ê and a dot below are ệ
		{"Ib\u00e1\u00f1ez Leo\u0301n", "Ib\u00e1\u00f1ez Le\u00f3n"},
		{"\u1100\u1161", "\uac00"},
		{"\xffo\u0301", "\xffo\u0301"}, // not UTF-8: not text, left alone
	} {
		if got := NFC(tt.in); got != tt.want {
			t.Errorf("NFC(%+q) = %+q, want %+q", tt.in, got, tt.want)
		}
	}
}

// FuzzNFC: NFC never panics, gives what norm.NFC gives for valid UTF-8
// (its fast paths change nothing), is idempotent, and leaves invalid
// UTF-8 alone.
func FuzzNFC(f *testing.F) {
	for _, s := range hostileTexts {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := NFC(s)
		switch {
		case !utf8.ValidString(s):
			if got != s {
				t.Fatalf("NFC(%+q) = %+q: changed a text that is not UTF-8", s, got)
			}
		case got != norm.NFC.String(s):
			t.Fatalf("NFC(%+q) = %+q, norm.NFC gives %+q", s, got, norm.NFC.String(s))
		case NFC(got) != got:
			t.Fatalf("NFC(NFC(%+q)) changed it again", s)
		}
	})
}

// TestNormaliseTexts: every text a value the Service is given holds is put
// in NFC, however deep (a lead's client, tasks and notes, its ext, a
// patch's pointers, a document's body); what is not text, and texts that
// are not UTF-8, stay as they were; nil pointers and empty values do not
// panic.
func TestNormaliseTexts(t *testing.T) {
	d, c := "Leo\u0301n", "Le\u00f3n"
	year := 2020
	l := Lead{
		Reason:  d,
		Stage:   Stage(d),
		Vehicle: &Vehicle{BrandModel: "SEAT " + d, Year: &year},
		Client:  &Client{Name: d, Ext: map[string]string{"walcu.custom": `{"a":"` + d + `"}`, "x": "\xffo\u0301"}},
		Notes:   []Note{{Content: d}, {Content: c}},
		Tasks:   []Task{{Description: d, Notes: []Note{{Content: d}}, Appraisal: &Appraisal{BrandModel: d}}},
		Tags:    []Note{},
	}
	normaliseTexts(&l)
	for _, got := range []string{l.Reason, string(l.Stage), l.Client.Name, l.Notes[0].Content, l.Notes[1].Content,
		l.Tasks[0].Description, l.Tasks[0].Notes[0].Content, l.Tasks[0].Appraisal.BrandModel} {
		if got != c {
			t.Errorf("a text of the lead is %+q, want %+q", got, c)
		}
	}
	if l.Vehicle.BrandModel != "SEAT "+c || l.Client.Ext["walcu.custom"] != `{"a":"`+c+`"}` || *l.Vehicle.Year != 2020 {
		t.Errorf("vehicle %+q, ext %+q, year %d", l.Vehicle.BrandModel, l.Client.Ext["walcu.custom"], *l.Vehicle.Year)
	}
	if l.Client.Ext["x"] != "\xffo\u0301" {
		t.Errorf("a text that is not UTF-8 became %+q", l.Client.Ext["x"])
	}

	doc := Document{Body: []byte(`{"n":"` + d + `","l":["` + d + `"]}`)}
	normaliseTexts(&doc)
	if string(doc.Body) != `{"n":"`+c+`","l":["`+c+`"]}` {
		t.Errorf("document body %+q", doc.Body)
	}
	s := d
	patch := DocumentPatch{Body: Value([]byte(d))}
	normaliseTexts(&patch)
	if string(patch.Body.V) != c {
		t.Errorf("document patch body %+q", patch.Body.V)
	}
	nested := map[string]any{"a": d, "b": []any{d, 1, nil, map[string]any{"c": &s}}, "n": nil}
	normaliseTexts(&nested)
	if nested["a"] != c || nested["b"].([]any)[0] != c || s != c {
		t.Errorf("nested values %+q, pointer %+q", nested, s)
	}
	for _, v := range []any{nil, (*Lead)(nil), &Lead{}, &Document{Body: []byte{}}, &[]string{}, &hostileTexts} {
		normaliseTexts(v)
	}
}

// BenchmarkNormaliseTexts: the walk of a lead already in NFC, what nearly
// every creation costs.
func BenchmarkNormaliseTexts(b *testing.B) {
	year := 2020
	l := Lead{Reason: "León", Vehicle: &Vehicle{BrandModel: "SEAT León", Year: &year},
		Client: &Client{Name: "Lucía Ibáñez", Phone: "+34655443322", Ext: map[string]string{"walcu.custom": `{"a":"b"}`}},
		Notes:  []Note{{Content: "llamar mañana por la tarde"}}, Tasks: []Task{{Description: "valorar el coche"}}}
	b.ReportAllocs()
	for b.Loop() {
		normaliseTexts(&l)
	}
}

// TestNFCAllocatesNothingForNFC: the fast paths of text already in NFC, the
// cost of nearly every text stored, allocate nothing.
func TestNFCAllocatesNothingForNFC(t *testing.T) {
	for _, s := range []string{"Zubizarreta", "Lucía Ibáñez Martínez", "👩\u200d🚗 Ω Å 가"} {
		if n := testing.AllocsPerRun(100, func() { _ = NFC(s) }); n != 0 {
			t.Errorf("NFC(%q): %v allocations, want 0", s, n)
		}
	}
}

// BenchmarkNFC: a text in ASCII, one in NFC with accents (the fast paths)
// and one decomposed (the slow path, rare).
func BenchmarkNFC(b *testing.B) {
	for _, s := range []string{"Zubizarreta Goikoetxea", "Lucía Ibáñez Martínez", "Luci\u0301a Iba\u0301n\u0303ez Marti\u0301nez"} {
		b.Run(strings.Map(func(r rune) rune { return min(r, 'z') }, s[:5]), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = NFC(s)
			}
		})
	}
}

// TestNamesLookedUpInNFC: a dealer's agency and lead form named by an API
// (Casabaca's agencia, a form's name) are found whichever form the name
// comes in: the names are stored in NFC, the name asked for is composed.
func TestNamesLookedUpInNFC(t *testing.T) {
	o := Organisation{Agencies: []Agency{{Name: "Agencia Le\u00f3n"}}, Forms: []LeadForm{{Name: "Tasaci\u00f3n"}}}
	if _, ok := o.AgencyNamed("agencia leo\u0301n"); !ok {
		t.Error("the agency named decomposed is not found")
	}
	if _, ok := o.Form("Tasacio\u0301n"); !ok {
		t.Error("the form named decomposed is not found")
	}
}

// TestNormaliseTextsCycle: a value that refers to itself is walked to a
// bound, not until the stack overflows.
func TestNormaliseTextsCycle(t *testing.T) {
	type node struct {
		Name string
		Next *node
	}
	n := &node{Name: "Leo\u0301n"}
	n.Next = n
	m := map[string]any{"a": "Leo\u0301n"}
	m["self"] = m
	normaliseTexts(n)
	normaliseTexts(m)
	if n.Name != "Le\u00f3n" || m["a"] != "Le\u00f3n" {
		t.Errorf("texts %+q, %+q", n.Name, m["a"])
	}
}
