package adf

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"forecourt/internal/bearer"
	"forecourt/internal/core"
)

// Route is one route of the API: a method and a net/http.ServeMux pattern.
type Route struct {
	Method  string
	Pattern string
	Name    string
}

var routes = []Route{{http.MethodPost, "/adf", "adf-intake"}}

// Routes returns every route the handler serves.
func Routes() []Route { return slices.Clone(routes) }

// Option configures NewHandler.
type Option func(*handler)

// WithLogger sets the logger internal errors are logged to.
func WithLogger(l *slog.Logger) Option {
	return func(h *handler) {
		if l != nil {
			h.log = l
		}
	}
}

type handler struct {
	svc *core.Service
	log *slog.Logger
}

// NewHandler returns ADF intake over svc.
func NewHandler(svc *core.Service, opts ...Option) http.Handler {
	h := &handler{svc: svc, log: slog.Default()}
	for _, o := range opts {
		o(h)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /adf", h.intake)
	mux.HandleFunc("/adf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", "POST")
		writeXML(w, http.StatusMethodNotAllowed, errorBody{Message: "method " + r.Method + " not allowed"})
	})
	return mux
}

// intake serves POST /adf: every prospect of the document is mapped
// first (one bad prospect refuses the document, storing nothing), then
// each is taken in through core.IntakeLead, in order.
func (h *handler) intake(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	secret, ok := bearer.Secret(r)
	if !ok {
		h.fail(w, r, &core.Error{Code: core.Unauthorized})
		return
	}
	p, err := h.svc.Authenticate(ctx, secret)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ctx = core.WithPrincipal(ctx, p)
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			writeXML(w, http.StatusRequestEntityTooLarge, errorBody{Message: "the document is larger than " + strconv.Itoa(maxBody) + " bytes"})
			return
		}
		writeXML(w, http.StatusBadRequest, errorBody{Message: "the body could not be read"})
		return
	}
	doc, err := Parse(bytes.TrimSpace(body))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	source, err := h.source(r, p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ins := make([]core.Intake, len(doc.Prospects))
	for i, pr := range doc.Prospects {
		if ins[i], err = Map(pr, source); err != nil {
			h.fail(w, r, prospectErr(i, len(doc.Prospects), err))
			return
		}
	}
	out := result{}
	status := http.StatusOK
	for i, in := range ins {
		res, err := h.svc.IntakeLead(ctx, in)
		if err != nil {
			h.fail(w, r, prospectErr(i, len(ins), err))
			return
		}
		rp := resultProspect{ID: res.Lead.PublicID, Status: "existing"}
		if !res.Existing {
			rp.Status, status = "created", http.StatusCreated
		}
		out.Prospects = append(out.Prospects, rp)
	}
	writeXML(w, status, out)
}

// source is the source an ADF lead comes from: the first (lowest id) of
// the credential's dealer (its lowest id, when it has several), as
// Walcu's leads without a medium.
func (h *handler) source(r *http.Request, p core.Principal) (int64, error) {
	if len(p.DealerIDs) == 0 {
		return 0, &core.Error{Code: core.Unauthorized}
	}
	dealer := slices.Min(p.DealerIDs)
	srcs, err := h.svc.DealerSources(core.WithPrincipal(r.Context(), p), dealer)
	if err != nil {
		return 0, err
	}
	if len(srcs) == 0 {
		return 0, bad("the dealer has no source to receive leads")
	}
	return srcs[0].ID, nil // DealerSources lists them in id order
}

// prospectErr names prospect i (of n) in err's message when there are
// several.
func prospectErr(i, n int, err error) error {
	if n == 1 {
		return err
	}
	var be *errBadInput
	if errors.As(err, &be) {
		return bad("prospect %d: %s", i+1, be.msg)
	}
	var ce *core.Error
	if errors.As(err, &ce) && ce.Code == core.Invalid {
		c := *ce
		c.Message = "prospect " + strconv.Itoa(i+1) + ": " + c.Message
		return &c
	}
	return err
}

// fail answers err: 400 for a bad document or one the core refuses, 401
// for a missing or bad credential, 403 for a credential that may not, 409
// for a conflict, 503 while the database is unavailable, 500 for anything
// else.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var be *errBadInput
	var ce *core.Error
	errors.As(err, &ce)
	switch {
	case errors.As(err, &be):
		writeXML(w, http.StatusBadRequest, errorBody{Message: be.msg})
	case ce != nil && ce.Code == core.Unauthorized:
		w.Header().Set("WWW-Authenticate", "Bearer")
		writeXML(w, http.StatusUnauthorized, errorBody{Message: "unauthorized"})
	case ce != nil && ce.Code == core.Unavailable:
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(ce.RetryAfter/time.Second))))
		writeXML(w, http.StatusServiceUnavailable, errorBody{Message: "service unavailable; try again"})
	case ce != nil && ce.Code == core.Invalid:
		writeXML(w, http.StatusBadRequest, errorBody{Message: invalidMessage(ce)})
	case ce != nil && ce.Code == core.Forbidden:
		writeXML(w, http.StatusForbidden, errorBody{Message: "forbidden: " + ce.Message})
	case ce != nil && ce.Code == core.Conflict:
		writeXML(w, http.StatusConflict, errorBody{Message: "conflict: " + ce.Message + "; send the document again"})
	case r.Context().Err() != nil:
		w.WriteHeader(499)
	default:
		h.log.ErrorContext(r.Context(), "adf: internal error", "err", err)
		writeXML(w, http.StatusInternalServerError, errorBody{Message: "internal server error"})
	}
}

// invalidMessage is the core's refusal with the fields it names, sorted.
func invalidMessage(ce *core.Error) string {
	keys := make([]string, 0, len(ce.Fields))
	for k := range ce.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(ce.Message)
	for i, k := range keys {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(k + ": " + ce.Fields[k])
	}
	return b.String()
}

// writeXML encodes v, then writes the header and the body.
func writeXML(w http.ResponseWriter, status int, v any) {
	b, err := xml.Marshal(v)
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append([]byte(xml.Header), b...))
}
