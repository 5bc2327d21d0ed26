package walcu

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"forecourt/internal/core"
)

// A list's query parameters (GET /{collection} and /{collection}/all):
//
//	q         a MongoDB filter, as JSON: {"status.status": "new",
//	          "created_at": {"$gte": "2026-01-01"}, "$or": [...]}
//	search    WQL (wql.go): status.status:new AND seat
//	skip      documents to skip (default 0, at most maxSkip)
//	limit     documents to answer (default defaultLimit, at most maxLimit)
//	sort      Mongoose: "-created_at status" (space or comma separated)
//	project   Mongoose: "status client_id" or "-computed" (not both kinds)
//	group_by  {"<key>": "<path>"} or "<path>": counts per value
//
// Each becomes the core's query model (core.Query): q and search its
// condition, sort its order; nothing is filtered in memory.

// Bounds of a list.
const (
	defaultLimit = 50
	maxLimit     = 1000
	maxSkip      = 100000
	maxParam     = 16 << 10 // bytes of one of q, search, sort, project, group_by
	maxQDepth    = core.MaxQueryDepth
)

// listQuery is a list's parameters, checked and mapped onto the core.
type listQuery struct {
	where   core.Cond
	sort    []core.Sort
	skip    int
	limit   int
	project *projection
	groupBy *grouping
}

// grouping is a group_by: the key the answer names and the core field.
type grouping struct {
	key, path string
	field     qfield
}

// parseList reads a list's parameters; export leaves skip, limit and
// group_by out (an export answers every document).
func parseList(req *request, v url.Values, export bool) (listQuery, error) {
	lq := listQuery{limit: defaultLimit}
	v = maps.Clone(v)
	fo, err := readFormObjects(req, v)
	if err != nil {
		return lq, err
	}
	for name, vs := range v {
		if len(vs) > 1 {
			return lq, invalidField(name, "given more than once")
		}
		if len(vs[0]) > maxParam {
			return lq, invalidField(name, fmt.Sprintf("longer than %d bytes", maxParam))
		}
		switch name {
		case "q", "search", "sort", "project":
		case "skip", "limit", "group_by":
			if export {
				return lq, invalidField(name, "not a parameter of an export")
			}
		default:
			return lq, invalidField(name, "unknown parameter")
		}
	}
	var conds []core.Cond
	var filters []any // q as JSON or as q[…], and the exploded filter (queryform.go)
	if fo.q != nil {
		filters = append(filters, fo.q)
	}
	if fo.exploded != nil {
		filters = append(filters, fo.exploded)
	}
	if s := v.Get("q"); strings.TrimSpace(s) != "" {
		if fo.q != nil {
			return lq, invalidField("q", "given both as JSON and as q[…]")
		}
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		var f any
		if err := dec.Decode(&f); err != nil || dec.More() {
			return lq, invalidField("q", "must be a JSON object (a MongoDB filter)")
		}
		filters = append(filters, f)
	}
	for _, f := range filters {
		c, err := req.filter(f, "q", 0)
		if err != nil {
			return lq, err
		}
		conds = append(conds, c)
	}
	if s := v.Get("search"); strings.TrimSpace(s) != "" {
		c, err := parseWQL(req, s)
		if err != nil {
			return lq, err
		}
		conds = append(conds, c)
	}
	lq.where = core.And(conds...)
	if lq.sort, err = parseSort(req, v.Get("sort")); err != nil {
		return lq, err
	}
	if lq.project, err = parseProject(req.coll, v.Get("project")); err != nil {
		return lq, err
	}
	if export {
		if fo.groupBy != nil {
			return lq, invalidField("group_by", "not a parameter of an export")
		}
		return lq, nil
	}
	if s := v.Get("skip"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > maxSkip {
			return lq, invalidField("skip", fmt.Sprintf("must be a whole number from 0 to %d", maxSkip))
		}
		lq.skip = n
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if most := limitOf(req.coll.name); err != nil || n < 1 || n > most {
			return lq, invalidField("limit", fmt.Sprintf("must be a whole number from 1 to %d", most))
		}
		lq.limit = n
	}
	s := strings.TrimSpace(v.Get("group_by"))
	if s != "" && fo.groupBy != nil {
		return lq, invalidField("group_by", "given both as a path and as group_by[…]")
	}
	if s != "" || fo.groupBy != nil {
		g := &grouping{key: "_id", path: s}
		badGroup := invalidField("group_by", `must be one path, or {"<key>": "<path>"} with one key`)
		if strings.HasPrefix(s, "{") {
			var m map[string]string
			if err := json.Unmarshal([]byte(s), &m); err != nil || len(m) != 1 {
				return lq, badGroup
			}
			for k, p := range m {
				g.key, g.path = k, strings.TrimPrefix(p, "$")
			}
		}
		if fo.groupBy != nil { // group_by[<key>]=<path>
			if len(fo.groupBy) != 1 {
				return lq, badGroup
			}
			for k, p := range fo.groupBy {
				path, ok := p.(qsValue)
				if !ok {
					return lq, badGroup
				}
				g.key, g.path = k, strings.TrimPrefix(string(path), "$")
			}
		}
		f, err := req.b.field(req, g.path)
		if err != nil {
			return lq, relabel(err, "group_by")
		}
		g.field = f
		lq.groupBy = g
	}
	return lq, nil
}

// relabel names param as the place of a field error that named a path.
func relabel(err error, param string) error {
	if ae, ok := err.(*apiError); ok && ae.Fields != nil {
		fields := map[string]string{}
		for k, v := range ae.Fields {
			fields[param+"."+strings.TrimPrefix(k, "q.")] = v
		}
		c := *ae
		c.Fields = fields
		c.Message = "invalid " + param
		return &c
	}
	return err
}

// field maps a path a query names, with the error naming it at where.
func (req *request) qfield(path, where string) (qfield, error) {
	f, err := req.b.field(req, path)
	if err != nil {
		return qfield{}, relabel(err, strings.SplitN(where, ".", 2)[0])
	}
	return f, nil
}

// unknownField is the error of a path that names no field of the
// collection.
func unknownField(coll *collection, path string) error {
	return invalid("unknown field", map[string]string{"q." + path: "not a field of " + coll.name})
}

// filter translates a MongoDB filter (an object) into a core condition.
// at names it in errors ("q", "q.$or.0").
func (req *request) filter(v any, at string, depth int) (core.Cond, error) {
	if depth > maxQDepth {
		return core.Cond{}, invalidField(at, "nested too deep")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return core.Cond{}, invalidField(at, "must be an object")
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var conds []core.Cond
	for _, k := range keys {
		val := obj[k]
		switch k {
		case "$and", "$or", "$nor":
			arr, ok := val.([]any)
			if !ok || len(arr) == 0 {
				return core.Cond{}, invalidField(at+"."+k, "must be a non-empty array of filters")
			}
			var parts []core.Cond
			for i, e := range arr {
				c, err := req.filter(e, fmt.Sprintf("%s.%s.%d", at, k, i), depth+1)
				if err != nil {
					return core.Cond{}, err
				}
				parts = append(parts, c)
			}
			switch k {
			case "$and":
				conds = append(conds, core.Cond{And: parts})
			case "$or":
				conds = append(conds, core.Or(parts...))
			default:
				conds = append(conds, core.Not(core.Or(parts...)))
			}
		case "$not":
			c, err := req.filter(val, at+".$not", depth+1)
			if err != nil {
				return core.Cond{}, err
			}
			conds = append(conds, core.Not(c))
		default:
			if strings.HasPrefix(k, "$") {
				return core.Cond{}, invalid("unknown operator "+k, map[string]string{at + "." + k: "unknown operator"})
			}
			f, err := req.qfield(k, at)
			if err != nil {
				return core.Cond{}, err
			}
			c, err := req.condition(f, val, at+"."+k, depth+1)
			if err != nil {
				return core.Cond{}, err
			}
			conds = append(conds, splitCar(c, f))
		}
	}
	if len(conds) == 1 {
		return conds[0], nil
	}
	return core.Cond{And: conds}, nil
}

// condition translates the condition on one field: a value (equality) or
// an object of operators.
func (req *request) condition(f qfield, v any, at string, depth int) (core.Cond, error) {
	if depth > maxQDepth {
		return core.Cond{}, invalidField(at, "nested too deep")
	}
	switch x := v.(type) {
	case []any:
		return core.Cond{}, invalidField(at, "an array is compared as a whole by MongoDB, which is not supported: use $in")
	case map[string]any:
		if len(x) == 0 {
			return core.Cond{}, invalidField(at, "an empty object")
		}
		if _, isDate := x["$date"]; isDate && len(x) == 1 {
			val, err := req.value(f, x, at)
			if err != nil {
				return core.Cond{}, err
			}
			return core.Cond{Op: core.OpEq, Field: f.core, Value: val}, nil
		}
		ops := make([]string, 0, len(x))
		for k := range x {
			if !strings.HasPrefix(k, "$") {
				return core.Cond{}, invalidField(at, "an object is compared as a whole by MongoDB, which is not supported: name its fields with dotted paths")
			}
			ops = append(ops, k)
		}
		sort.Strings(ops)
		var conds []core.Cond
		for _, op := range ops {
			arg := x[op]
			where := at + "." + op
			var c core.Cond
			switch op {
			case "$eq", "$ne", "$gt", "$gte", "$lt", "$lte":
				val, err := req.value(f, arg, where)
				if err != nil {
					return core.Cond{}, err
				}
				c = core.Cond{Op: map[string]core.Op{"$eq": core.OpEq, "$ne": core.OpNe, "$gt": core.OpGt, "$gte": core.OpGte,
					"$lt": core.OpLt, "$lte": core.OpLte}[op], Field: f.core, Value: val}
			case "$in", "$nin":
				arr, ok := arg.([]any)
				if !ok {
					return core.Cond{}, invalidField(where, "must be an array")
				}
				if len(arr) > core.MaxQueryValues {
					return core.Cond{}, invalidField(where, fmt.Sprintf("at most %d values", core.MaxQueryValues))
				}
				vals := make([]any, 0, len(arr))
				for i, e := range arr {
					val, err := req.value(f, e, fmt.Sprintf("%s.%d", where, i))
					if err != nil {
						return core.Cond{}, err
					}
					vals = append(vals, val)
				}
				c = core.Cond{Op: core.OpIn, Field: f.core, Values: vals}
				if op == "$nin" {
					c.Op = core.OpNin
				}
			case "$exists":
				b, ok := plainValue(arg, kBool).(bool)
				if !ok {
					return core.Cond{}, invalidField(where, "must be true or false")
				}
				c = core.Cond{Op: core.OpExists, Field: f.core, Value: b}
			case "$regex":
				s, err := regexText(plainValue(arg, kString), plainValue(x["$options"], kString), where)
				if err != nil {
					return core.Cond{}, err
				}
				if f.kind != kString {
					return core.Cond{}, invalidField(where, "applies to text fields only")
				}
				c = core.Contains(f.core, s)
			case "$options":
				if _, ok := x["$regex"]; !ok {
					return core.Cond{}, invalidField(where, "only with $regex")
				}
				continue
			case "$not":
				inner, err := req.condition(f, arg, where, depth+1)
				if err != nil {
					return core.Cond{}, err
				}
				c = core.Not(inner)
			default:
				return core.Cond{}, invalid("unknown operator "+op, map[string]string{where: "unknown operator"})
			}
			conds = append(conds, c)
		}
		if len(conds) == 1 {
			return conds[0], nil
		}
		return core.Cond{And: conds}, nil
	}
	val, err := req.value(f, v, at)
	if err != nil {
		return core.Cond{}, err
	}
	return core.Cond{Op: core.OpEq, Field: f.core, Value: val}, nil
}

// regexText reads a $regex that is a plain text: the core compares it as
// a substring, case aside. Anything else is refused by name.
func regexText(v, options any, at string) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", invalidField(at, "must be a string")
	}
	if options != nil {
		o, ok := options.(string)
		if !ok || strings.Trim(o, "imsx") != "" {
			return "", invalidField(strings.TrimSuffix(at, "$regex")+"$options", "must be letters of i, m, s, x")
		}
	}
	s = strings.TrimPrefix(s, "(?i)")
	if s == "" || strings.ContainsAny(s, `\^$.|?*+()[]{}`) {
		return "", invalidField(at, "only a plain text is supported (found as a substring, case aside); regular expressions with special characters are not")
	}
	return s, nil
}

// value reads a query value for field f: of its JSON type (a date as an
// ISO 8601 string or {"$date": …}), then as the core reads it.
func (req *request) value(f qfield, v any, at string) (any, error) {
	if v == nil {
		return nil, nil
	}
	if m, ok := v.(map[string]any); ok && f.kind == kDate {
		if d, ok := m["$date"]; ok && len(m) == 1 {
			v = d
		}
	}
	v = plainValue(v, f.kind) // a query string's text (queryform.go)
	var out any
	switch f.kind {
	case kString:
		s, ok := v.(string)
		if !ok {
			return nil, invalidField(at, "must be a string")
		}
		out = s
	case kDate:
		s, ok := v.(string)
		t, valid := core.ParseTime(s)
		if !ok || !valid {
			return nil, invalidField(at, "must be a date (ISO 8601)")
		}
		out = t
	case kNumber:
		n, ok := v.(json.Number)
		if !ok {
			return nil, invalidField(at, "must be a number")
		}
		x, err := n.Float64()
		if err != nil {
			return nil, invalidField(at, "must be a number")
		}
		out = x
	case kBool:
		b, ok := v.(bool)
		if !ok {
			return nil, invalidField(at, "must be true or false")
		}
		out = b
	default:
		return nil, invalidField(at, "cannot be compared")
	}
	if f.conv != nil {
		return f.conv(req, out)
	}
	return out, nil
}

// parseSort reads a Mongoose sort: fields separated by spaces or commas,
// "-" before a field for descending order ("+" or none ascending).
func parseSort(req *request, s string) ([]core.Sort, error) {
	var out []core.Sort
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		desc := strings.HasPrefix(part, "-")
		name := strings.TrimLeft(part, "-+")
		if name == "_id" {
			// Creation order, as a Mongo ObjectId's: the record's key
			// (docs/walcu.md, "sort=_id").
			out = append(out, core.Sort{Field: "id", Desc: desc})
			continue
		}
		f, err := req.qfield(name, "sort")
		if err != nil {
			return nil, err
		}
		out = append(out, core.Sort{Field: f.core, Desc: desc})
	}
	if len(out) > core.MaxSorts {
		return nil, invalidField("sort", fmt.Sprintf("at most %d fields", core.MaxSorts))
	}
	return out, nil
}

// projection is a Mongoose projection: the paths to keep, or to leave
// out.
type projection struct {
	paths   [][]string
	exclude bool
	noID    bool // "-_id" with an inclusion
}

// parseProject reads a Mongoose projection ("a b.c" or "-a -b").
func parseProject(c *collection, s string) (*projection, error) {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
	if len(parts) == 0 {
		return nil, nil
	}
	p := &projection{}
	incl, excl := 0, 0
	for _, part := range parts {
		name := strings.TrimLeft(part, "-+")
		if !shapeHas(c.doc, strings.Split(name, ".")) {
			return nil, invalid("unknown field", map[string]string{"project." + name: "not a field of " + c.name})
		}
		if strings.HasPrefix(part, "-") {
			if name == "_id" {
				p.noID = true
				continue
			}
			excl++
		} else {
			incl++
		}
		p.paths = append(p.paths, strings.Split(name, "."))
	}
	if incl > 0 && excl > 0 {
		return nil, invalidField("project", "either fields to keep or fields to leave out, not both (but -_id)")
	}
	p.exclude = excl > 0 || (incl == 0 && p.noID)
	if p.exclude && p.noID {
		p.paths = append(p.paths, []string{"_id"})
	}
	return p, nil
}

// shapeHas reports whether path is a field of s (through arrays).
func shapeHas(s *shape, path []string) bool {
	for _, k := range path {
		for s.kind == kArray {
			s = s.elem
		}
		if s.kind == kAny {
			return true
		}
		if s.kind != kObject {
			return false
		}
		f, ok := s.fields[k]
		if !ok {
			return false
		}
		s = f
	}
	return true
}

// apply returns d projected.
func (p *projection) apply(d doc) doc {
	if p == nil {
		return d
	}
	if p.exclude {
		for _, path := range p.paths {
			drop(d, path)
		}
		return d
	}
	out := doc{}
	if !p.noID {
		out["_id"] = d["_id"]
	}
	for _, path := range p.paths {
		keep(out, d, path)
	}
	return out
}

func drop(v any, path []string) {
	switch x := v.(type) {
	case map[string]any:
		if len(path) == 1 {
			delete(x, path[0])
			return
		}
		drop(x[path[0]], path[1:])
	case []any:
		for _, e := range x {
			drop(e, path)
		}
	}
}

// keep copies path of src into dst (through arrays, element by element).
func keep(dst map[string]any, src map[string]any, path []string) {
	v, ok := src[path[0]]
	if !ok {
		return
	}
	if len(path) == 1 {
		dst[path[0]] = v
		return
	}
	switch x := v.(type) {
	case map[string]any:
		sub, _ := dst[path[0]].(map[string]any)
		if sub == nil {
			sub = map[string]any{}
		}
		keep(sub, x, path[1:])
		dst[path[0]] = sub
	case []any:
		arr, _ := dst[path[0]].([]any)
		if arr == nil {
			arr = make([]any, len(x))
		}
		for i, e := range x {
			if m, ok := e.(map[string]any); ok {
				sub, _ := arr[i].(map[string]any)
				if sub == nil {
					sub = map[string]any{}
				}
				keep(sub, m, path[1:])
				arr[i] = sub
			}
		}
		dst[path[0]] = arr
	}
}

// list serves GET /{collection}: the page of documents q and search
// select, in sort's order, projected; the header mapp-has-more says
// whether more follow. With group_by it answers the counts per value:
// [{"_id": {"<key>": value}, "count": n}], most first.
func (h *handler) list(w http.ResponseWriter, r *http.Request, req *request) error {
	lq, err := parseList(req, r.URL.Query(), false)
	if err != nil {
		return err
	}
	if g := lq.groupBy; g != nil {
		groups, err := req.b.group(req, core.Query{Where: lq.where, GroupBy: g.field.core})
		if err != nil {
			return h.queryError(err, req)
		}
		out := make([]doc, 0, len(groups))
		for _, gr := range groups {
			var key any = gr.Value
			if g.key != "_id" {
				key = doc{g.key: gr.Value}
			}
			out = append(out, doc{"_id": key, "count": gr.Count})
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	}
	docs, err := req.b.find(req, core.Query{Where: lq.where, Sort: lq.sort, Offset: lq.skip, Limit: lq.limit + 1})
	if err != nil {
		return h.queryError(err, req)
	}
	more := len(docs) > lq.limit
	if more {
		docs = docs[:lq.limit]
	}
	for i := range docs {
		docs[i] = lq.project.apply(docs[i])
	}
	if docs == nil {
		docs = []doc{}
	}
	w.Header().Set("mapp-has-more", strconv.FormatBool(more))
	writeJSON(w, http.StatusOK, docs)
	return nil
}

// queryError words the core's query errors, which name core fields, in
// the collection's paths where it can.
func (h *handler) queryError(err error, req *request) error {
	return toAPIError(err, func(k string) string {
		if k == "sort" || k == "group_by" || k == "search" || k == "where" {
			return k
		}
		return "q." + k
	})
}

// formatValue renders a core value of a document in this API: times in
// core.DocumentTimeLayout.
func formatValue(v any) any {
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format(core.DocumentTimeLayout)
	case *time.Time:
		if x == nil {
			return nil
		}
		return x.UTC().Format(core.DocumentTimeLayout)
	}
	return v
}

// jsonEqual reports whether a and b encode alike.
func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

var _ = slices.Contains[[]string]

// limitOf is the most documents a page of collection holds: the core's
// bound of whole leads in one answer (core.MaxLeadsPerAnswer) for leads,
// maxLimit for the others.
func limitOf(collection string) int {
	switch collection {
	case "saleleads", "aftersaleleads", "appraisalleads":
		return core.MaxLeadsPerAnswer
	}
	return maxLimit
}
