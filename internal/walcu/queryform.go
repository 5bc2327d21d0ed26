package walcu

import (
	"fmt"
	"forecourt/internal/core"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The document declares q and group_by as query parameters of type
// object (its example {"additionalProp1": {}}) and no style or content, so
// an OpenAPI client sends them as the standard says for an object: form
// and exploded (style's and explode's defaults for a query), each of the
// object's keys a parameter of its own, ?status.status=new; and clients of
// Express (whose qs parser the document's Mongoose server reads its query
// with) write the deepObject form, ?q[status.status]=new,
// ?q[created_at][$gte]=2026-01-01, ?q[$or][0][status.status]=new,
// ?q[status.status][$in][]=new, ?group_by[_id]=status.status. Both are
// read here into the object the JSON form (?q={"status.status":"new"})
// gives, so that one query model answers all three (docs/walcu.md,
// "Checked from outside", the second round). An exploded group_by cannot
// be told from an exploded q (both are ?<key>=<text>): a parameter that
// names a field of the collection is a filter.

// qsValue is a leaf of a query-string object: a text, which a field of
// another type reads as its own (value): a number, true or false.
type qsValue string

// maxFormKeys bounds the bracketed keys of one parameter
// (q[$or][0][$and][1][make][$in][]): deeper is refused before any map is
// built; the filter bounds its own nesting.
const maxFormKeys = 2*maxQDepth + 4

// formObjects are the objects of a list's query string other than JSON:
// q and group_by in deepObject form, and the exploded filter.
type formObjects struct {
	q, groupBy, exploded map[string]any
}

// readFormObjects takes out of v the parameters that are parts of an
// object (a name with brackets, or the name of a field of the collection)
// and returns them built; v keeps the plain parameters.
func readFormObjects(req *request, v url.Values) (formObjects, error) {
	var fo formObjects
	for _, name := range slices.Sorted(maps.Keys(v)) { // in order: the same error for the same query
		vs := v[name]
		root, keys, err := bracketKeys(name)
		if err != nil {
			return fo, err
		}
		var tree *map[string]any
		switch {
		case len(keys) == 0 && listParamNames[name]:
			continue // a plain parameter
		case len(keys) > 0 && root == "q":
			tree = &fo.q
		case len(keys) > 0 && root == "group_by":
			tree = &fo.groupBy
		case !listParamNames[root] && req.b != nil && isField(req, root):
			tree, keys = &fo.exploded, append([]string{root}, keys...)
		default:
			return fo, invalidField(name, "unknown parameter")
		}
		delete(v, name)
		if len(vs) > 1 && (len(keys) == 0 || keys[len(keys)-1] != "") {
			return fo, invalidField(name, "given more than once")
		}
		for _, s := range vs {
			if !utf8.ValidString(s) || strings.ContainsRune(s, 0) || !utf8.ValidString(name) || strings.ContainsRune(name, 0) {
				return fo, invalidField(name, "not valid text")
			}
			if *tree == nil {
				*tree = map[string]any{}
			}
			if err := putForm(*tree, keys, qsValue(s), name); err != nil {
				return fo, err
			}
		}
	}
	for _, t := range []map[string]any{fo.q, fo.groupBy, fo.exploded} {
		for k, c := range t {
			l, err := formLists(c, k)
			if err != nil {
				return fo, err
			}
			t[k] = l
		}
	}
	return fo, nil
}

// listParamNames are a list's own parameters, taken whole.
var listParamNames = map[string]bool{"q": true, "search": true, "skip": true, "limit": true, "sort": true, "project": true, "group_by": true}

// isField reports whether path names a field of the collection, or a
// path under one of its fields (which the filter then accepts or refuses
// by name: computed.*, an object compared whole).
func isField(req *request, path string) bool {
	if _, err := req.b.field(req, path); err == nil {
		return true
	}
	top, _, _ := strings.Cut(path, ".")
	return req.coll != nil && req.coll.doc != nil && req.coll.doc.fields[top] != nil
}

// bracketKeys splits a name as qs does: q[a][b][] is q with the keys a, b
// and "" (an item appended to a list).
func bracketKeys(name string) (string, []string, error) {
	i := strings.IndexByte(name, '[')
	if i < 0 {
		return name, nil, nil
	}
	root, rest := name[:i], name[i:]
	bad := invalidField(name, "a malformed parameter name: write name[key][key]…")
	if root == "" {
		return "", nil, bad
	}
	var keys []string
	for rest != "" {
		end := strings.IndexByte(rest, ']')
		if rest[0] != '[' || end < 0 {
			return "", nil, bad
		}
		k := rest[1:end]
		if strings.ContainsAny(k, "[") {
			return "", nil, bad
		}
		keys = append(keys, k)
		if len(keys) > maxFormKeys {
			return "", nil, invalidField(name, "nested too deep")
		}
		rest = rest[end+1:]
	}
	return root, keys, nil
}

// putForm sets the value at keys of tree ("" appends to a list, kept as
// a map of indexes until formLists); a key given as a value and as an
// object, or twice, is refused naming the parameter.
func putForm(tree map[string]any, keys []string, val qsValue, name string) error {
	node := tree
	for i, k := range keys {
		if k == "" {
			k = strconv.Itoa(len(node))
		}
		if i == len(keys)-1 {
			if had, ok := node[k]; ok {
				if _, obj := had.(map[string]any); obj {
					return invalidField(name, "given both as a value and as an object")
				}
				return invalidField(name, "given more than once")
			}
			node[k] = val
			return nil
		}
		next, ok := node[k].(map[string]any)
		if !ok {
			if _, taken := node[k]; taken {
				return invalidField(name, "given both as a value and as an object")
			}
			next = map[string]any{}
			node[k] = next
		}
		node = next
	}
	return nil
}

// formLists turns each object of v whose keys are all indexes (0, 1…)
// into a list in their order, as qs does; at names v in errors.
func formLists(v any, at string) (any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return v, nil
	}
	indexes := true
	for k, c := range m {
		l, err := formLists(c, at+"."+k)
		if err != nil {
			return nil, err
		}
		m[k] = l
		if n, err := strconv.Atoi(k); err != nil || n < 0 || k != strconv.Itoa(n) {
			indexes = false
		}
	}
	if !indexes || len(m) == 0 {
		return m, nil
	}
	if len(m) > core.MaxQueryValues {
		return nil, invalidField(at, fmt.Sprintf("at most %d values", core.MaxQueryValues))
	}
	keys := make([]int, 0, len(m))
	for k := range m {
		n, _ := strconv.Atoi(k)
		keys = append(keys, n)
	}
	slices.Sort(keys)
	out := make([]any, len(keys))
	for i, n := range keys {
		out[i] = m[strconv.Itoa(n)]
	}
	return out, nil
}

// typed is a query-string text as a value of kind k: a number or true
// or false when it reads as one, else the text (which value refuses for a
// field of another type, naming it).
func (s qsValue) typed(k kind) any {
	switch k {
	case kNumber:
		if n, ok := numberText(string(s)); ok {
			return n
		}
	case kBool:
		switch s {
		case "true":
			return true
		case "false":
			return false
		}
	}
	return string(s)
}

// plainValue is v with a query-string text as a value of kind k, for the
// operators whose argument's type is theirs, not the field's ($regex and
// $options a text, $exists true or false).
func plainValue(v any, k kind) any {
	if s, ok := v.(qsValue); ok {
		return s.typed(k)
	}
	return v
}
