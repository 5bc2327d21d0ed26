package core

import (
	"reflect"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// NFC returns s in Unicode Normalization Form C, the one form forecourt
// stores and searches text in (docs/decisions.md, "One form for Unicode
// text"): "Leo\u0301n" (o and a combining acute, as macOS and some portals
// send it) becomes "León" (U+00F3), so that the two, the same text to any
// reader, are equal to the database, to LIKE and to full-text search.
//
// Text already in NFC, nearly all of it, is returned as it is, without
// allocating: ASCII and the Latin letters below U+0300 (all of Spanish) are
// checked byte by byte, other text by norm.NFC's quick check
// (QuickSpanString, then IsNormalString where it is unsure).
// Text that is not valid UTF-8 is returned as it is too: it is no text to
// normalise (each API refuses or replaces it before it gets here), and a
// byte string must not be changed by a rule about characters.
func NFC(s string) string {
	last := 0 // where the character before s[i] starts
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < utf8.RuneSelf:
			last = i
		case c >= 0xc2 && c <= 0xcb && i+1 < len(s) && s[i+1]&0xc0 == 0x80:
			// U+0080 to U+02FF (Latin-1, Latin Extended-A and -B, IPA: á,
			// ñ, ç…): starters in NFC, before the first combining mark
			last = i
			i++
		default:
			return nfcFrom(s, last)
		}
	}
	return s
}

// nfcFrom is NFC of s whose characters before from are in NFC and
// starters, which nothing after them can reorder across. The checks start
// at from, the last of those, with which a combining mark after it may
// combine ("o\u0301", "\u00ea\u0323").
func nfcFrom(s string, from int) string {
	rest := s[from:]
	// QuickSpanString does not allocate, IsNormalString does (once a
	// call): it decides only what the quick check leaves open
	if norm.NFC.QuickSpanString(rest) == len(rest) || norm.NFC.IsNormalString(rest) || !utf8.ValidString(rest) {
		return s
	}
	return norm.NFC.String(s)
}

// nfcBytes is NFC for a text held as bytes (a Document's JSON body), and
// whether that differs from b.
func nfcBytes(b []byte) ([]byte, bool) {
	if norm.NFC.IsNormal(b) || !utf8.Valid(b) {
		return b, false
	}
	return norm.NFC.Bytes(b), true
}

// normaliseTexts puts every text v points to in NFC, in place: the
// strings and byte texts of its exported fields, of the values its
// pointers, slices and maps hold, however deep (a Lead's client, tasks and
// notes, an ext map's values). The Service calls it first thing in the
// methods that write what an API gives it, so that what it answers is
// what it stored: the store puts every text argument in NFC anyway (the
// rule's one sure place), and this keeps a create's answer from echoing
// the bytes as sent while a later read answers them composed. Map keys
// are left as they are (two keys could become one). Cheap when there is
// nothing to do: a walk of the value, no allocation. The walk stops
// maxTextDepth levels down: a value decoded from a request is a tree far
// shallower (each API bounds its nesting), and a value with a cycle must
// not overflow the stack; the store composes what lies deeper.
func normaliseTexts(v any) { normaliseValue(reflect.ValueOf(v), 0) }

// maxTextDepth bounds normaliseTexts' walk.
const maxTextDepth = 64

func normaliseValue(v reflect.Value, depth int) {
	if depth++; depth > maxTextDepth {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			normaliseValue(v.Elem(), depth)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Field(i); f.CanSet() {
				normaliseValue(f, depth)
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			if n, changed := nfcBytes(v.Bytes()); changed && v.CanSet() {
				v.SetBytes(n)
			}
			return
		}
		for i := range v.Len() {
			normaliseValue(v.Index(i), depth)
		}
	case reflect.String, reflect.Interface:
		if n, ok := normalised(v, depth); ok && v.CanSet() {
			v.Set(n)
		}
	case reflect.Map:
		if m, ok := v.Interface().(map[string]string); ok { // the Ext maps, without reflection's iterator
			for k, s := range m {
				if n := NFC(s); n != s {
					m[k] = n
				}
			}
			return
		}
		for it := v.MapRange(); it.Next(); {
			if n, ok := normalised(it.Value(), depth); ok {
				v.SetMapIndex(it.Key(), n)
			}
		}
	}
}

// normalised is v, a value that cannot be set in place (a map's value,
// an interface's), in NFC, and whether that differs from v; a map, slice
// or pointer inside it is normalised in place.
func normalised(v reflect.Value, depth int) (reflect.Value, bool) {
	switch v.Kind() {
	case reflect.String:
		s := v.String()
		if n := NFC(s); n != s {
			return reflect.ValueOf(n).Convert(v.Type()), true
		}
	case reflect.Interface:
		if !v.IsNil() {
			if n, ok := normalised(v.Elem(), depth); ok {
				return n, true
			}
		}
	case reflect.Pointer, reflect.Slice, reflect.Map:
		normaliseValue(v, depth)
	}
	return v, false
}
