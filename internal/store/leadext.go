package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// encodeLeadExt writes a lead's Ext (core.Lead.Ext: "<api>.<field>" keys,
// JSON text values) for its ext column as one JSON object by API, the
// values as they are: {"walcu": {"custom": "…", "origin": {…}}}, so that
// SQL over JSON can reach into them.
func encodeLeadExt(ext map[string]string) (string, error) {
	if len(ext) == 0 {
		return "{}", nil
	}
	byAPI := map[string]map[string]json.RawMessage{}
	for _, k := range slices.Sorted(maps.Keys(ext)) {
		api, field, ok := strings.Cut(k, ".")
		if !ok || !json.Valid([]byte(ext[k])) {
			return "", fmt.Errorf("store: lead ext %q is not <api>.<field> with a JSON value", k)
		}
		if byAPI[api] == nil {
			byAPI[api] = map[string]json.RawMessage{}
		}
		byAPI[api][field] = json.RawMessage(ext[k])
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(byAPI); err != nil {
		return "", err
	}
	return strings.TrimSpace(b.String()), nil
}

// decodeLeadExt is encodeLeadExt's inverse; an empty object is nil. The
// values come back compact.
func decodeLeadExt(s string) (map[string]string, error) {
	if s == "" || s == "{}" {
		return nil, nil
	}
	var byAPI map[string]map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &byAPI); err != nil {
		return nil, fmt.Errorf("store: lead ext: %w", err)
	}
	out := map[string]string{}
	for api, fields := range byAPI {
		for f, v := range fields {
			var b bytes.Buffer
			if err := json.Compact(&b, v); err != nil {
				return nil, err
			}
			out[api+"."+f] = b.String()
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}
