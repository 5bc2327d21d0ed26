package walcu

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	jsonpatch "github.com/evanphx/json-patch/v5"

	"forecourt/internal/core"
)

// doc is a document as this API shows it: its fields, the envelope's
// included ("_id", "__v", …).
type doc = map[string]any

// backend keeps one collection's documents: the core's leads, clients,
// tasks, notes and appointments, or core documents. Its methods answer
// documents rendered whole, with "__v" the record's version minus one.
type backend interface {
	get(r *request, id string) (doc, error)
	// create stores a new document from body, checked against the
	// collection's schema, envelope fields left out.
	create(r *request, body doc) (doc, error)
	// replace makes body the document id when it still has version (__v
	// + 1; 0: whatever it has), else core.ErrStaleVersion.
	replace(r *request, id string, body doc, version int) (doc, error)
	remove(r *request, id string) error
	// find lists the documents q selects: q.Where, q.Sort name the
	// backend's core fields (see field).
	find(r *request, q core.Query) ([]doc, error)
	group(r *request, q core.Query) ([]core.Group, error)
	// field maps a query's dotted path onto the core field and how its
	// values read; an *apiError naming it when no field has that path.
	field(r *request, path string) (qfield, error)
}

// qfield is how a path a query names reads in the core: its field, the
// JSON type its values have, and what turns a value into the core's (a
// public id into an id, __v into a version…).
type qfield struct {
	core string
	kind kind
	conv func(r *request, v any) (any, error)
	// vehicle, when set, is the lead's vehicle's field that holds core's
	// field for the first car (leadcar.go, splitCar)
	vehicle string
	// fold: WQL's field:value compares the text case aside (a lead's
	// car's make, model, plate and VIN; leadcar.go, foldCase)
	fold bool
}

// get serves GET /{collection}/{id}: an array holding the one document.
func (h *handler) get(w http.ResponseWriter, r *http.Request, req *request) error {
	if r.PathValue("id") == "all" {
		return h.export(w, r, req)
	}
	d, err := req.b.get(req, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, []doc{d})
	return nil
}

// delete serves DELETE /{collection}/{id}: {"_id": id}.
func (h *handler) delete(w http.ResponseWriter, r *http.Request, req *request) error {
	id := r.PathValue("id")
	if err := req.b.remove(req, id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, doc{"_id": id})
	return nil
}

// create serves POST /{collection}: the document created.
func (h *handler) create(w http.ResponseWriter, r *http.Request, req *request) error {
	body, err := h.body(w, r, req)
	if err != nil {
		return err
	}
	d, err := req.b.create(req, body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// body reads a document's body and checks it against the collection's
// schema; the envelope's fields are left out. dealer_id, when sent, must
// be the path's dealer.
func (h *handler) body(w http.ResponseWriter, r *http.Request, req *request) (doc, error) {
	v, err := readJSON(w, r)
	if err != nil {
		return nil, err
	}
	body, ok := v.(map[string]any)
	if !ok {
		return nil, invalid("the body must be a JSON object", map[string]string{"body": "must be an object"})
	}
	return checkBody(req, body)
}

// checkBody checks body against the collection's schema and leaves the
// envelope's fields out of it; dealer_id, when sent, must be the dealer.
func checkBody(req *request, body doc) (doc, error) {
	if d, ok := body["dealer_id"]; ok && d != nil && fmt.Sprint(d) != dealerID(req.dealer) && fmt.Sprint(d) != req.dealer.PublicID {
		return nil, invalidField("dealer_id", "not the dealer of the path")
	}
	fe := core.FieldErrors{}
	check(req.coll.body, body, "", fe, envelope)
	checkAmounts(req.coll.name, body, fe)
	if err := fe.Err(); err != nil {
		return nil, invalid("the document does not fit the "+req.coll.singular+" schema", fe)
	}
	out := doc{}
	for k, v := range body {
		if !isEnvelope(k) {
			out[k] = normalise(req.coll.body.fields[k], v)
		}
	}
	return out, nil
}

func isEnvelope(k string) bool {
	for _, e := range envelope {
		if k == e {
			return true
		}
	}
	return false
}

// put serves PUT /{collection}/{id}: the body replaces the document. A
// "__v" in it is the version it was read at: a document changed since
// answers 409 and changes nothing. "_id", when sent, must be the path's.
func (h *handler) put(w http.ResponseWriter, r *http.Request, req *request) error {
	id := r.PathValue("id")
	v, err := readJSON(w, r)
	if err != nil {
		return err
	}
	raw, ok := v.(map[string]any)
	if !ok {
		return invalid("the body must be a JSON object", map[string]string{"body": "must be an object"})
	}
	if got, ok := raw["_id"]; ok && got != nil && fmt.Sprint(got) != id {
		return invalidField("_id", "not the _id of the path")
	}
	version := 0
	if vv, ok := raw["__v"]; ok && vv != nil {
		n, err := strconv.Atoi(fmt.Sprint(vv))
		if err != nil || n < 0 {
			return invalidField("__v", "must be a whole number")
		}
		version = n + 1
	}
	body, err := checkBody(req, raw)
	if err != nil {
		return err
	}
	d, err := req.b.replace(req, id, body, version)
	if err != nil {
		return staleAsConflict(err)
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// staleAsConflict words a stale version in this API's terms.
func staleAsConflict(err error) error {
	if errors.Is(err, core.ErrStaleVersion) {
		return conflict("the document has changed since it was read", map[string]string{"__v": "stale"})
	}
	return err
}

// Bounds of a JSON Patch.
const maxPatchOps = 100

// protected are the document's fields a JSON Patch may not change: the
// server's.
var protected = []string{"_id", "__v", "dealer_id", "created_at", "updated_at", "updated_by", "computed"}

// patch serves PATCH /{collection}/{id}: a JSON Patch (RFC 6902) applied
// to the document as it is read, then stored on the condition that it has
// not changed since (its version), so that every "test" holds when the
// change is written. A patch without "test" operations is applied again
// to the document as it is now when another writer came between (up to
// three times); one with them answers 409. A failing test is 409; a
// malformed patch, a bad path, a change of the server's fields or a
// result that does not fit the schema is 400; nothing changes.
func (h *handler) patch(w http.ResponseWriter, r *http.Request, req *request) error {
	id := r.PathValue("id")
	v, err := readJSON(w, r)
	if err != nil {
		return err
	}
	ops, ok := v.([]any)
	if !ok {
		return invalid("the body must be a JSON Patch: an array of operations", map[string]string{"body": "must be an array"})
	}
	if len(ops) > maxPatchOps {
		return invalid("too many operations", map[string]string{"body": fmt.Sprintf("at most %d operations", maxPatchOps)})
	}
	tests := false
	for i, o := range ops {
		op, _ := o.(map[string]any)
		name, _ := op["op"].(string)
		path, pathOK := op["path"].(string)
		at := fmt.Sprintf("%d", i)
		switch {
		case op == nil:
			return invalidField(at, "an operation must be an object")
		case !strings.Contains("|add|remove|replace|move|copy|test|", "|"+name+"|") || name == "":
			return invalidField(at+".op", "must be add, remove, replace, move, copy or test")
		case !pathOK:
			return invalidField(at+".path", "required: a JSON Pointer")
		}
		if _, hasValue := op["value"]; !hasValue && (name == "add" || name == "replace" || name == "test") {
			return invalidField(at+".value", "required")
		}
		if from, ok := op["from"].(string); (name == "move" || name == "copy") && !ok {
			return invalidField(at+".from", "required: a JSON Pointer")
		} else if name == "move" && touchesProtected(from) {
			return invalidField(at+".from", "a field of the server")
		}
		if name == "test" {
			tests = true
			continue
		}
		if touchesProtected(path) {
			return invalidField(at+".path", "a field of the server: it cannot be changed")
		}
	}
	raw, _ := json.Marshal(ops)
	// the values in NFC, as the document is stored: a test of a text sent
	// decomposed holds against it (docs/decisions.md, "One form for
	// Unicode text"); JSON's own characters are ASCII, which NFC keeps
	raw = []byte(core.NFC(string(raw)))
	p, err := jsonpatch.DecodePatch(raw)
	if err != nil {
		return invalid("the body is not a JSON Patch", map[string]string{"body": err.Error()})
	}
	for attempt := 0; ; attempt++ {
		cur, err := req.b.get(req, id)
		if err != nil {
			return err
		}
		version := 0
		if n, ok := cur["__v"].(int); ok {
			version = n + 1
		}
		curJSON, err := json.Marshal(cur)
		if err != nil {
			return err
		}
		opts := jsonpatch.NewApplyOptions()
		opts.AccumulatedCopySizeLimit = maxBody
		opts.EscapeHTML = false
		out, err := p.ApplyWithOptions(curJSON, opts)
		switch {
		case errors.Is(err, jsonpatch.ErrTestFailed):
			return conflict("a test operation failed", map[string]string{"body": err.Error()})
		case err != nil:
			return invalid("the patch cannot be applied", map[string]string{"body": err.Error()})
		}
		if sameJSON(curJSON, out) {
			// nothing to change (an empty patch, tests only, a value
			// replaced by itself): no write, no new version, no history
			writeJSON(w, http.StatusOK, cur)
			return nil
		}
		if len(out) > maxBody {
			return invalid("the patched document is too large", map[string]string{"body": "too large"})
		}
		dec := json.NewDecoder(bytes.NewReader(out))
		dec.UseNumber()
		var next map[string]any
		if err := dec.Decode(&next); err != nil {
			return invalid("the patched document is not an object", map[string]string{"body": "must be an object"})
		}
		for _, k := range protected {
			a, _ := json.Marshal(cur[k])
			b, _ := json.Marshal(next[k])
			if !bytes.Equal(a, b) {
				return invalidField(k, "a field of the server: it cannot be changed")
			}
		}
		body, err := checkBody(req, next)
		if err != nil {
			return err
		}
		d, err := req.b.replace(req, id, body, version)
		if errors.Is(err, core.ErrStaleVersion) && !tests && attempt < 3 {
			continue
		}
		if err != nil {
			return staleAsConflict(err)
		}
		writeJSON(w, http.StatusOK, d)
		return nil
	}
}

// touchesProtected reports whether the JSON Pointer p is or is inside one
// of the server's fields (or is the whole document).
func touchesProtected(p string) bool {
	if p == "" {
		return true
	}
	first, _, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	first = strings.NewReplacer("~1", "/", "~0", "~").Replace(first)
	for _, k := range protected {
		if first == k {
			return true
		}
	}
	return false
}

// sameJSON reports whether the JSON texts a and b hold the same value
// (members in any order, numbers as written). jsonpatch.Equal, which did
// this, panics on a list holding null (a patch replacing a list's item by
// null answered 500).
func sameJSON(a, b []byte) bool {
	var va, vb any
	for _, x := range []struct {
		data []byte
		v    *any
	}{{a, &va}, {b, &vb}} {
		dec := json.NewDecoder(bytes.NewReader(x.data))
		dec.UseNumber()
		if dec.Decode(x.v) != nil {
			return false
		}
	}
	return reflect.DeepEqual(va, vb)
}
