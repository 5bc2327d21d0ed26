package sml

import (
	"context"
	"forecourt/internal/core"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// DRF pages and the query string's filters, read into core queries.

const (
	defaultPageSize = 20
	maxPageSize     = 1000
	// maxAllPageSize bounds page_size=all: up to this many results it is one
	// page with no next link, as the document describes; beyond, it is
	// pages of this size whose next links keep page_size=all, so that a
	// dealer with 100,000 leads cannot make one request render them all and
	// a client that follows next still gets every result.
	maxAllPageSize = 5000
)

// pageCaps bounds the page sizes of one list: max a page_size given as a
// number, all page_size=all.
type pageCaps struct{ max, all int }

var (
	listCaps = pageCaps{max: maxPageSize, all: maxAllPageSize}
	// leadCaps bounds the lists of leads, whose items are whole leads
	// with their tasks, notes and versions: core.MaxLeadsPerAnswer per
	// page, page_size=all included (pages of that size whose next links
	// keep page_size=all, as above), so that one answer of leads is
	// bounded however its leads were filled (docs/sml.md, What one answer
	// costs).
	leadCaps = pageCaps{max: core.MaxLeadsPerAnswer, all: core.MaxLeadsPerAnswer}
	// historyCaps bounds the history of a lead, whose entries are each
	// bounded (maxChangesShown).
	historyCaps = pageCaps{max: maxPageSize, all: maxPageSize}
)

// pageQuery is DRF's page and page_size, page_size "all" being SML's.
type pageQuery struct {
	page int
	size int
}

// parsePage reads page and page_size. A page_size that is not a positive
// integer is ignored, one above the maximum is cut to it, as DRF does; a
// page that is not a positive integer is 404 "Página inválida.".
func parsePage(q url.Values) (pageQuery, error) {
	return parsePageCapped(q, listCaps)
}

// parsePageCapped is parsePage with a list's own caps.
func parsePageCapped(q url.Values, caps pageCaps) (pageQuery, error) {
	pq := pageQuery{page: 1, size: min(defaultPageSize, caps.max)}
	if s := strings.TrimSpace(q.Get("page_size")); s != "" {
		if strings.EqualFold(s, "all") {
			pq.size = caps.all
		} else if n, err := strconv.Atoi(s); err == nil && n > 0 {
			pq.size = min(n, caps.max)
		}
	}
	if s := strings.TrimSpace(q.Get("page")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n-1 > math.MaxInt32/pq.size {
			return pq, detailError(http.StatusNotFound, msgInvalidPage)
		}
		pq.page = n
	}
	return pq, nil
}

func (pq pageQuery) core() core.Page {
	return core.Page{Offset: (pq.page - 1) * pq.size, Limit: pq.size}
}

// query returns the core query of the page with where and sorts, counting
// the matches as DRF's count needs.
func (pq pageQuery) query(where core.Cond, sorts ...core.Sort) core.Query {
	return core.Query{Where: where, Sort: sorts, Offset: (pq.page - 1) * pq.size, Limit: pq.size, Total: true}
}

// search is the condition of DRF's ?search=: every term in some text of
// the record (core.OpMatch); none when the parameter is empty.
func search(v url.Values) core.Cond {
	if q := strings.TrimSpace(v.Get("search")); q != "" {
		return core.Match(q)
	}
	return core.Cond{}
}

// contains is the condition of a field__icontains filter; none when the
// parameter is empty.
func contains(v url.Values, param, field string) core.Cond {
	if q := strings.TrimSpace(v.Get(param)); q != "" {
		return core.Contains(field, q)
	}
	return core.Cond{}
}

// slice returns the page of items held in memory.
func (pq pageQuery) slice(n int) (lo, hi int) {
	lo = min((pq.page-1)*pq.size, n)
	return lo, min(lo+pq.size, n)
}

// pageOf builds the DRF page of items, count matching in all; a page past
// the last is 404.
func pageOf[T any](r *http.Request, pq pageQuery, count int, items []T) (Page[T], error) {
	if items == nil {
		items = []T{}
	}
	p := Page[T]{Count: count, Results: items}
	pages := max(1, (count+pq.size-1)/pq.size)
	if pq.page > pages {
		return p, detailError(http.StatusNotFound, msgInvalidPage)
	}
	if pq.page < pages {
		p.Next = pageURL(r, pq.page+1)
	}
	if pq.page > 1 {
		p.Previous = pageURL(r, pq.page-1)
	}
	return p, nil
}

// pageURL is the absolute URL of page n of the list r asked for, with r's
// other query parameters; page 1 has no page parameter, as in DRF.
func pageURL(r *http.Request, n int) *string {
	q := r.URL.Query()
	if n == 1 {
		q.Del("page")
	} else {
		q.Set("page", strconv.Itoa(n))
	}
	u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
	s := baseURL(r) + u.String()
	return &s
}

// queryErrors collects errors of query parameters.
type queryErrors struct{ t errTree }

func (q *queryErrors) add(param, msg string) { q.t.add([]string{param}, msg) }

func (q *queryErrors) err() error {
	if q.t.empty() {
		return nil
	}
	return treeError(&q.t)
}

// ids reads a comma-separated list of ids.
func (q *queryErrors) ids(v url.Values, param string) []int64 {
	var out []int64
	for _, s := range v[param] {
		for _, part := range strings.Split(s, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			id, err := strconv.ParseInt(part, 10, 64)
			if err != nil {
				q.add(param, msgFilterInt)
				return nil
			}
			out = append(out, id)
		}
	}
	return out
}

// idsCond reads a comma-separated list of ids as the condition that field
// is one of them; none when the parameter is absent.
func (q *queryErrors) idsCond(v url.Values, param, field string) core.Cond {
	ids := q.ids(v, param)
	if ids == nil {
		return core.Cond{}
	}
	return core.In(field, ids...)
}

// id reads one optional id.
func (q *queryErrors) id(v url.Values, param string) *int64 {
	s := strings.TrimSpace(v.Get(param))
	if s == "" {
		return nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		q.add(param, msgFilterInt)
		return nil
	}
	return &id
}

// boolean reads an optional boolean filter (true/false, True/False, 1/0)
// as the condition that field is that value; none when it is absent.
func (q *queryErrors) boolean(v url.Values, param, field string) core.Cond {
	s := strings.TrimSpace(v.Get(param))
	var b bool
	switch s {
	case "":
		return core.Cond{}
	case "true", "True", "1":
		b = true
	case "false", "False", "0":
		b = false
	default:
		q.add(param, msgFilterChoice(s))
		return core.Cond{}
	}
	return core.Eq(field, b)
}

// leadOrdering maps the fields ?ordering= accepts to fields of
// core.LeadSchema.
var leadOrdering = map[string]string{
	"id": "id", "created": "created_at", "updated": "updated_at", "status": "stage",
	"score": "score", "user": "user", "finish_date": "finished_at", "end_date": "finished_at",
	"concessionaire": "dealer", "source": "source", "client__name": "client.name",
}

func (q *queryErrors) ordering(v url.Values) []core.Sort {
	var out []core.Sort
	for _, s := range strings.Split(v.Get("ordering"), ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		desc := strings.HasPrefix(s, "-")
		f, ok := leadOrdering[strings.TrimPrefix(s, "-")]
		if !ok {
			q.add("ordering", msgChoice(s))
			return nil
		}
		out = append(out, core.Sort{Field: f, Desc: desc})
	}
	return out
}

func (q *queryErrors) stages(v url.Values) core.Cond {
	var out []core.Stage
	for _, s := range v["status"] {
		for _, part := range strings.Split(s, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			if !slices.Contains(stageChoices, part) {
				q.add("status", msgFilterChoice(part))
				return core.Cond{}
			}
			out = append(out, core.Stage(part))
		}
	}
	if out == nil {
		return core.Cond{}
	}
	return core.In("stage", out...)
}

// listPage serves a DRF list: query reads the conditions and sorts of the
// query string (recording bad parameters in qe), find runs them for the
// page asked for, render turns the page's items into the answer's.
func listPage[T, R any](w http.ResponseWriter, r *http.Request,
	query func(v url.Values, qe *queryErrors) (core.Cond, []core.Sort),
	find func(context.Context, core.Query) ([]T, int, error),
	render func([]T) ([]R, error)) error {
	return listPageCapped(w, r, listCaps, query, find, render)
}

// listPageCapped is listPage with the list's own page caps.
func listPageCapped[T, R any](w http.ResponseWriter, r *http.Request, caps pageCaps,
	query func(v url.Values, qe *queryErrors) (core.Cond, []core.Sort),
	find func(context.Context, core.Query) ([]T, int, error),
	render func([]T) ([]R, error)) error {
	v := r.URL.Query()
	pq, err := parsePageCapped(v, caps)
	if err != nil {
		return err
	}
	var qe queryErrors
	where, sorts := query(v, &qe)
	if err := qe.err(); err != nil {
		return err
	}
	items, count, err := find(r.Context(), pq.query(where, sorts...))
	if err != nil {
		return err
	}
	out, err := render(items)
	if err != nil {
		return err
	}
	return writePage(w, r, pq, count, out)
}

// searchOnly is the query of a list whose one filter is search.
func searchOnly(v url.Values, _ *queryErrors) (core.Cond, []core.Sort) { return search(v), nil }

// renderAll renders items with the records q names, loaded once for the
// page (none for an empty page).
func renderAll[T, R any](h *handler, r *http.Request, items []T, q refsQuery, one func(renderer, T) R) ([]R, error) {
	out := make([]R, 0, len(items))
	if len(items) == 0 {
		return out, nil
	}
	refs, err := loadRefs(r.Context(), h.svc, q)
	if err != nil {
		return nil, err
	}
	rd := h.renderer(r, refs)
	for _, it := range items {
		out = append(out, one(rd, it))
	}
	return out, nil
}
