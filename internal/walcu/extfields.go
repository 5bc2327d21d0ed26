package walcu

import (
	"forecourt/internal/core"
	"maps"
	"strings"
)

// extOver is the Ext a write of this API leaves on a record whose Ext is
// cur: the other APIs' keys and this API's writer as they are, this API's
// fields as written (those left out are gone).
func extOver(cur, written map[string]string) map[string]string {
	ext := map[string]string{}
	for k, v := range cur {
		if !strings.HasPrefix(k, extPrefix) || k == extUpdatedBy {
			ext[k] = v
		}
	}
	maps.Copy(ext, written)
	return ext
}

// renderFirst renders v alone through a backend's render of many and
// answers its document.
func renderFirst[T any](r *request, v T, render func(*request, []T) ([]doc, error)) (doc, error) {
	ds, err := render(r, []T{v})
	if err != nil {
		return nil, err
	}
	return ds[0], nil
}

// recordOf returns the record of kind whose public id is id when find
// reads it and mine says it is of this collection and dealer; anything
// else is a 404 naming what (find's errors worded by errOf).
func recordOf[T any](r *request, kind core.RecordKind, what, id string, find func(int64) (T, error), mine func(T) bool,
	errOf func(error) error) (T, error) {
	var zero T
	n, err := r.svc.ResolvePublicID(r.ctx, kind, id)
	if err != nil {
		return zero, notFound(what)
	}
	v, err := find(n)
	if err != nil {
		return zero, errOf(err)
	}
	if !mine(v) {
		return zero, notFound(what)
	}
	return v, nil
}
