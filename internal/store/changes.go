package store

import (
	"encoding/json"
	"strings"
	"unicode/utf8"

	"forecourt/internal/core"
)

// decodeChanges decodes what encodeChanges encoded (lead_history.changes,
// vehicle_history.changes); no change is nil.
// The text encoding/json writes for plain values (compact, keys in
// historyChange's order, strings without escapes) is cut into its strings
// directly; anything else goes to encoding/json. Decoding a lead's history
// with encoding/json was some 6 % of the CPU of a LeanCore lookup
// (docs/benchmarks.md, "LeanCore's lookup, the evening of 2026-11-30").
// Both paths answer the same (TestDecodeChanges, FuzzDecodeChanges).
func decodeChanges(js string) ([]core.Change, error) {
	if out, ok := plainChanges(js); ok {
		return out, nil
	}
	return unmarshalChanges(js)
}

// unmarshalChanges is decodeChanges by encoding/json alone.
func unmarshalChanges(js string) ([]core.Change, error) {
	var chs []historyChange
	if err := json.Unmarshal([]byte(js), &chs); err != nil {
		return nil, err
	}
	if len(chs) == 0 {
		return nil, nil
	}
	out := make([]core.Change, len(chs))
	for i, ch := range chs {
		out[i] = core.Change(ch)
	}
	return out, nil
}

// plainChanges decodes js when it is exactly
// [{"field":"…","old":"…","new":"…"},…] with no escape, no control
// character and valid UTF-8, which is all encoding/json would check there;
// ok is false for anything else.
func plainChanges(js string) (out []core.Change, ok bool) {
	if !strings.HasPrefix(js, "[") || !strings.HasSuffix(js, "]") || strings.IndexByte(js, '\\') >= 0 || !utf8.ValidString(js) {
		return nil, false
	}
	rest := js[1 : len(js)-1]
	if rest == "" {
		return nil, true
	}
	out = make([]core.Change, 0, strings.Count(rest, `{"field":`))
	for {
		var ch core.Change
		if rest, ok = cutString(rest, `{"field":"`, &ch.Field); !ok {
			return nil, false
		}
		if rest, ok = cutString(rest, `,"old":"`, &ch.Old); !ok {
			return nil, false
		}
		if rest, ok = cutString(rest, `,"new":"`, &ch.New); !ok {
			return nil, false
		}
		if !strings.HasPrefix(rest, "}") {
			return nil, false
		}
		out = append(out, ch)
		switch rest = rest[1:]; {
		case rest == "":
			return out, true
		case rest[0] == ',':
			rest = rest[1:]
		default:
			return nil, false
		}
	}
}

// cutString reads prefix, then a string's text up to its closing quote
// into v (no control character in it), and returns what follows.
func cutString(s, prefix string, v *string) (string, bool) {
	if !strings.HasPrefix(s, prefix) {
		return s, false
	}
	s = s[len(prefix):]
	end := strings.IndexByte(s, '"')
	if end < 0 {
		return s, false
	}
	for i := range end {
		if s[i] < 0x20 {
			return s, false
		}
	}
	*v = s[:end]
	return s[end+1:], true
}
