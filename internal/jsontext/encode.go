package jsontext

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Append appends the JSON text of v to dst: byte for byte what
// encoding/json's Encoder with SetEscapeHTML(false) writes for v, without
// its final newline, and the same error when it has one.
//
// The values that documents decoded from JSON and rendered by the APIs
// are built of (map[string]any, []any, string, bool, float64, the integer
// types, json.Number, nil, and []string, []map[string]any,
// map[string]string) are written here without reflection, maps' members
// in encoding/json's order (their names sorted by bytes); an Appender
// (found where those values hold it, or as v) writes itself; any other
// value (a struct, a named type, a type with a MarshalJSON method) is
// written by encoding/json itself, so that its text is encoding/json's.
func Append(dst []byte, v any) ([]byte, error) {
	var e encoder
	return e.appendValue(dst, v, 0, "")
}

// encoder is one Append's state: the order of the names of the last map
// of each shape it wrote, so that the next map of that shape (the same
// block of the next document of a page) is written without sorting.
type encoder struct {
	orders map[shape][]string
}

// shape tells maps apart that are likely to have the same names: the
// member (or the list's member) a map is the value of, and its size.
type shape struct {
	member string
	size   int
}

// minOrdered is the size from which a map's order is kept: smaller ones
// are sorted as fast as their order is looked up.
const minOrdered = 8

// maxFastDepth is the nesting from which Append leaves the rest of a value
// to encoding/json, which reports a cycle (an error) where there is one.
const maxFastDepth = 1000

func (e *encoder) appendValue(dst []byte, v any, depth int, member string) ([]byte, error) {
	if depth > maxFastDepth {
		return appendStd(dst, v)
	}
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case string:
		return appendString(dst, x), nil
	case bool:
		return strconv.AppendBool(dst, x), nil
	case float64:
		return appendFloat(dst, x, 64)
	case float32:
		return appendFloat(dst, float64(x), 32)
	case int:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(dst, x, 10), nil
	case int32:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int16:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case int8:
		return strconv.AppendInt(dst, int64(x), 10), nil
	case uint:
		return strconv.AppendUint(dst, uint64(x), 10), nil
	case uint64:
		return strconv.AppendUint(dst, x, 10), nil
	case uint32:
		return strconv.AppendUint(dst, uint64(x), 10), nil
	case uint16:
		return strconv.AppendUint(dst, uint64(x), 10), nil
	case json.Number:
		s := string(x)
		if s == "" {
			s = "0" // as encoding/json writes the empty Number
		}
		if !isValidNumber(s) {
			return appendStd(dst, v) // its error
		}
		return append(dst, s...), nil
	case map[string]any:
		if x == nil {
			return append(dst, "null"...), nil
		}
		return e.appendMap(dst, x, depth, member)
	case []any:
		return appendList(e, dst, x, depth, member)
	case []map[string]any:
		return appendList(e, dst, x, depth, member)
	case []string:
		return appendList(e, dst, x, depth, member)
	case map[string]string:
		if x == nil {
			return append(dst, "null"...), nil
		}
		var arr [32]string
		keys := sortedKeys(arr[:0], x)
		dst = append(dst, '{')
		for i, k := range keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, k)
			dst = append(dst, ':')
			dst = appendString(dst, x[k])
		}
		return append(dst, '}'), nil
	case Appender:
		return appendAppender(dst, x)
	}
	return appendStd(dst, v)
}

// appendList writes the list x, null when it is nil (as encoding/json
// writes a nil slice).
func appendList[E any](e *encoder, dst []byte, x []E, depth int, member string) ([]byte, error) {
	if x == nil {
		return append(dst, "null"...), nil
	}
	dst = append(dst, '[')
	for i, el := range x {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = e.appendValue(dst, el, depth+1, member); err != nil {
			return dst, err
		}
	}
	return append(dst, ']'), nil
}

func (e *encoder) appendMap(dst []byte, m map[string]any, depth int, member string) ([]byte, error) {
	var sh shape
	if len(m) >= minOrdered {
		sh = shape{member, len(m)}
		if keys, ok := e.orders[sh]; ok {
			if out, ok, err := e.appendMembers(dst, m, keys, depth); ok || err != nil {
				return out, err
			}
			// not the names of the last map of this shape: sort them
		}
	}
	var arr [32]string // the names of most maps, on the stack
	keys := arr[:0]
	if len(m) > len(arr) {
		keys = make([]string, 0, len(m))
	}
	keys = sortedKeys(keys, m)
	out, _, err := e.appendMembers(dst, m, keys, depth)
	if err == nil && len(m) >= minOrdered {
		if e.orders == nil {
			e.orders = map[shape][]string{}
		}
		e.orders[sh] = append(e.orders[sh][:0:0], keys...)
	}
	return out, err
}

// appendMembers writes m as an object of the members named keys, in
// keys' order, and whether keys are m's names: len(keys) is len(m), and
// where a name of keys is not in m it writes nothing (dst is returned
// as it was) and answers false.
func (e *encoder) appendMembers(dst []byte, m map[string]any, keys []string, depth int) ([]byte, bool, error) {
	start := len(dst)
	dst = append(dst, '{')
	for i, k := range keys {
		v, ok := m[k]
		if !ok {
			return dst[:start], false, nil
		}
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, k)
		dst = append(dst, ':')
		var err error
		if dst, err = e.appendValue(dst, v, depth+1, k); err != nil {
			return dst, true, err
		}
	}
	return append(dst, '}'), true, nil
}

// sortedKeys appends m's names to keys in encoding/json's order: sorted
// as bytes.
func sortedKeys[V any](keys []string, m map[string]V) []string {
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// appendStd appends encoding/json's text of v (its Encoder writes the
// text only once it is whole: on an error, nothing).
func appendStd(dst []byte, v any) ([]byte, error) {
	buf := bytes.NewBuffer(dst)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return dst, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// appendFloat writes f as encoding/json does (as ES6 converts a number to
// a string); NaN and the infinities are its error.
func appendFloat(dst []byte, f float64, bits int) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		if bits == 32 {
			return appendStd(dst, float32(f))
		}
		return appendStd(dst, f)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 {
		if bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21) {
			format = 'e'
		}
	}
	dst = strconv.AppendFloat(dst, f, format, -1, bits)
	if format == 'e' {
		// e-09 as e-9
		n := len(dst)
		if n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst, nil
}

const hexDigits = "0123456789abcdef"

// appendString writes s quoted as encoding/json does without HTML
// escaping: ", \ and the control characters escaped (\b \f \n \r \t by
// name), invalid UTF-8 as \ufffd, U+2028 and U+2029 escaped.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// isValidNumber reports whether s is a JSON number (RFC 8259, section 6),
// as encoding/json checks a json.Number before writing it.
func isValidNumber(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '-' {
		s = s[1:]
		if s == "" {
			return false
		}
	}
	switch {
	case s[0] == '0':
		s = s[1:]
	case '1' <= s[0] && s[0] <= '9':
		s = s[1:]
		for len(s) > 0 && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
	default:
		return false
	}
	if len(s) >= 2 && s[0] == '.' && '0' <= s[1] && s[1] <= '9' {
		s = s[2:]
		for len(s) > 0 && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
	}
	if len(s) >= 2 && (s[0] == 'e' || s[0] == 'E') {
		s = s[1:]
		if s[0] == '+' || s[0] == '-' {
			s = s[1:]
			if s == "" {
				return false
			}
		}
		for len(s) > 0 && '0' <= s[0] && s[0] <= '9' {
			s = s[1:]
		}
	}
	return s == ""
}
