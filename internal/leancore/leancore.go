// Package leancore serves LeanCore's lead lookup (GET /lead?phone=…, a
// Bearer token) over core.Service: the caller's dealer's lead for a mobile
// number, in LeanCore's shape. See docs/leancore.md.
package leancore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"forecourt/internal/bearer"
	"forecourt/internal/core"
	"forecourt/internal/jsontext"
)

// Route is one route of the API: a method and a net/http.ServeMux pattern.
type Route struct {
	Method  string
	Pattern string
	Name    string
}

var routes = []Route{{http.MethodGet, "/lead", "lead-by-phone"}}

// Routes returns every route the handler serves.
func Routes() []Route { return slices.Clone(routes) }

// Lead is the document's answer, field for field ("Respuesta esperada").
type Lead struct {
	ID             string         `json:"id"`
	Image          string         `json:"image"`
	Name           string         `json:"name"`
	Lastname       string         `json:"lastname"`
	BusinessName   string         `json:"business_name"`
	Quota          float64        `json:"quota"`
	Status         string         `json:"status"`
	Phone          string         `json:"phone"`
	Email          string         `json:"email"`
	NIT            string         `json:"nit"`
	Address        string         `json:"address"`
	History        []HistoryEntry `json:"history"`
	Score          Score          `json:"score"`
	PaymentData    map[string]any `json:"payment_data"`
	APNToken       string         `json:"apn_token"`
	Ecosystem      string         `json:"ecosystem"`
	BusinessEntity string         `json:"business_entity"`
	AdditionalData AdditionalData `json:"additional_data"`
}

// Score is the lead's score, a JSON number the document writes as a
// decimal (`"score": 0.0`, where `"quota": 0`): it is rendered with its
// decimal point, 3.0, so that a client that reads it as the document's
// type (Python's float, a typed decoder's double) gets one.
type Score float64

// MarshalJSON implements json.Marshaler.
func (s Score) MarshalJSON() ([]byte, error) {
	f := float64(s)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("leancore: score %v is no JSON number", f)
	}
	b := strconv.AppendFloat(nil, f, 'f', -1, 64)
	if !bytes.ContainsRune(b, '.') {
		b = append(b, ".0"...)
	}
	return b, nil
}

// HistoryEntry is one entry of a lead's history: the document shows the
// list, not its elements; these are the core's history, neutrally named.
type HistoryEntry struct {
	Date    string   `json:"date"`
	Kind    string   `json:"kind"`
	User    *string  `json:"user"`
	Changes []Change `json:"changes"`
	// MoreChanges counts the changes past the first maxChanges, which
	// the entry leaves out; absent when none is.
	MoreChanges int `json:"more_changes,omitempty"`
}

// Change is one field's change of a history entry.
type Change struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// AdditionalData holds what else forecourt knows of the lead.
type AdditionalData struct {
	LeadID       int64    `json:"lead_id"`
	Created      string   `json:"created"`
	Updated      string   `json:"updated"`
	Outcome      string   `json:"outcome"`
	Vehicle      string   `json:"vehicle"`
	Source       string   `json:"source"`
	Channel      string   `json:"channel"`
	AssignedUser string   `json:"assigned_user"`
	Notes        []string `json:"notes"`
	Tags         []string `json:"tags"`
}

// errorBody is every answer that is not a lead.
type errorBody struct {
	Message string `json:"message"`
}

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

// NewHandler returns LeanCore's lookup over svc.
func NewHandler(svc *core.Service, opts ...Option) http.Handler {
	h := &handler{svc: svc, log: slog.Default()}
	for _, o := range opts {
		o(h)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /lead", h.lookup)
	mux.HandleFunc("/lead", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", "GET, HEAD")
		writeJSON(w, http.StatusMethodNotAllowed, errorBody{Message: "Método " + r.Method + " no permitido."})
	})
	return mux
}

// maxPhone bounds the phone parameter.
const maxPhone = 40

// lookup serves GET /lead?phone=…: the newest open lead of the caller's
// dealers whose client has that phone, or else the newest ended one.
func (h *handler) lookup(w http.ResponseWriter, r *http.Request) {
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
	q, err := queryOf(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody{Message: err.Error()})
		return
	}
	phone := q.Get("phone")
	l, d, ok, err := h.find(ctx, p, phone)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !ok {
		writeJSON(w, http.StatusNotFound, errorBody{Message: "Lead no encontrado."})
		return
	}
	out, err := h.render(ctx, l, d)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// queryOf reads the query string strictly: a malformed escape, a repeated
// or missing phone, or one that is too long, holds a NUL or is no UTF-8
// text (%ff: PostgreSQL refuses it as text) is an error.
func queryOf(r *http.Request) (url.Values, error) {
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, errors.New("La consulta no es válida.")
	}
	phones := v["phone"]
	switch {
	case len(phones) == 0 || strings.TrimSpace(phones[0]) == "":
		return nil, errors.New("El parámetro phone es obligatorio.")
	case len(phones) > 1:
		return nil, errors.New("El parámetro phone solo puede aparecer una vez.")
	case len(phones[0]) > maxPhone || strings.ContainsRune(phones[0], 0) || !utf8.ValidString(phones[0]):
		return nil, errors.New("El parámetro phone no es un número de teléfono.")
	}
	return v, nil
}

// find returns the lead of phone and its dealer: in E.164, read as a
// number of each of the principal's dealers' countries, or as given when
// it is none.
func (h *handler) find(ctx context.Context, p core.Principal, phone string) (core.Lead, core.Dealer, bool, error) {
	var candidates []any
	ds, err := h.svc.DealersByID(ctx, p.DealerIDs)
	if err != nil {
		return core.Lead{}, core.Dealer{}, false, err
	}
	for _, d := range ds {
		if e164 := core.NormalisePhone(phone, d.Country); e164 != "" && !slices.Contains(candidates, any(e164)) {
			candidates = append(candidates, e164)
		}
	}
	if candidates == nil {
		// no phone of any of the dealers' countries: the phone as given,
		// which only a client with that same text has
		candidates = []any{strings.TrimSpace(phone)}
	}
	has := core.Cond{Op: core.OpIn, Field: "client.phone", Values: candidates}
	newest := []core.Sort{{Field: "created_at", Desc: true}}
	for _, where := range []core.Cond{core.And(has, core.Cond{Op: core.OpNe, Field: "stage", Value: core.StageEnd}), has} {
		ls, _, err := h.svc.FindLeads(ctx, core.Query{Where: where, Sort: newest, Limit: 1, Project: rendered, History: maxHistory})
		if err != nil {
			return core.Lead{}, core.Dealer{}, false, err
		}
		if len(ls) == 1 {
			// the store found it among the principal's dealers
			for _, d := range ds {
				if d.ID == ls[0].DealerID {
					return ls[0], d, true, nil
				}
			}
			return core.Lead{}, core.Dealer{}, false, fmt.Errorf("dealer of lead %d: not one of %v", ls[0].ID, p.DealerIDs)
		}
	}
	return core.Lead{}, core.Dealer{}, false, nil
}

// rendered are the fields of a lead render reads: the store need not load
// the rest (its tasks). Its history comes with it, read in the same
// snapshot (core.Query.History): one read transaction a lookup.
var rendered = []string{"id", "public_id", "dealer", "source", "stage", "outcome", "score", "user", "created_at", "updated_at",
	"client", "vehicle.brand_model", "notes", "tags"}

// render renders l, a lead of dealer d, with the records it refers to: the
// fields of rendered.
func (h *handler) render(ctx context.Context, l core.Lead, d core.Dealer) (Lead, error) {
	loc := d.Location()
	hs := l.History
	var userIDs []int64
	if l.UserID != nil {
		userIDs = append(userIDs, *l.UserID)
	}
	for _, e := range hs {
		if e.UserID != nil {
			userIDs = append(userIDs, *e.UserID)
		}
	}
	us, err := h.svc.UsersByID(ctx, userIDs)
	if err != nil {
		return Lead{}, err
	}
	username := func(id *int64) *string {
		if id == nil {
			return nil
		}
		for i := range us {
			if us[i].ID == *id {
				return &us[i].Username
			}
		}
		return nil
	}
	out := Lead{
		ID: l.PublicID, Status: string(l.Stage), Score: Score(l.Score), History: make([]HistoryEntry, 0, len(hs)),
		PaymentData: map[string]any{}, Ecosystem: d.PublicID, BusinessEntity: d.Name,
		AdditionalData: AdditionalData{LeadID: l.ID, Created: rfc3339(l.CreatedAt, loc), Updated: rfc3339(l.UpdatedAt, loc),
			Outcome: string(l.Outcome), Notes: []string{}, Tags: []string{}},
	}
	if c := l.Client; c != nil {
		out.Name, out.Lastname = core.SplitName(c.Name)
		out.Phone = strings.TrimPrefix(c.PhoneE164, "+")
		if out.Phone == "" {
			out.Phone = c.Phone
		}
		out.Email = c.Email
		out.NIT, out.BusinessName, out.Address = c.GovID, c.BusinessName, c.Address
	}
	if v := l.Vehicle; v != nil {
		out.AdditionalData.Vehicle = v.BrandModel
	}
	if srcs, err := h.svc.SourcesByID(ctx, []int64{l.SourceID}); err == nil && len(srcs) == 1 {
		out.AdditionalData.Source = srcs[0].Data
		if os, err := h.svc.OriginsByID(ctx, []int64{srcs[0].OriginID}); err == nil && len(os) == 1 {
			out.AdditionalData.Source = os[0].Name
		}
		if chs, err := h.svc.Channels(ctx); err == nil {
			for _, ch := range chs {
				if ch.ID == srcs[0].ChannelID {
					out.AdditionalData.Channel = ch.Slug
				}
			}
		}
	}
	if u := username(l.UserID); u != nil {
		out.AdditionalData.AssignedUser = *u
	}
	for _, n := range l.Notes {
		out.AdditionalData.Notes = append(out.AdditionalData.Notes, n.Content)
	}
	for _, n := range l.Tags {
		out.AdditionalData.Tags = append(out.AdditionalData.Tags, n.Content)
	}
	for _, e := range hs {
		he := HistoryEntry{Date: rfc3339(e.At, loc), Kind: string(e.Kind), User: username(e.UserID),
			Changes: make([]Change, 0, min(len(e.Changes), maxChanges))}
		for i, c := range e.Changes {
			if i == maxChanges {
				he.MoreChanges = len(e.Changes) - maxChanges
				break
			}
			he.Changes = append(he.Changes, Change{Field: c.Field, Old: cut(c.Old), New: cut(c.New)})
		}
		out.History = append(out.History, he)
	}
	return out, nil
}

// maxHistory bounds the history entries one answer carries: the oldest
// ones, in order.
const maxHistory = 200

// maxChanges bounds the changes one history entry carries, maxValue the
// characters of each old and new value (longer ones end in "…"): a write
// of a whole lead at its totals records some 1,500 changes, holding every
// text it removed and added, and 200 such entries in full would make one
// answer hundreds of megabytes (docs/leancore.md).
const (
	maxChanges = 50
	maxValue   = 200
)

// cut returns s, cut to maxValue characters.
func cut(s string) string {
	if utf8.RuneCountInString(s) <= maxValue {
		return s
	}
	return string([]rune(s)[:maxValue-1]) + "…"
}

// fail answers err: 401 for a missing or bad credential, 503 while the
// database is unavailable, 500 for anything else.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ce *core.Error
	errors.As(err, &ce)
	switch {
	case ce != nil && ce.Code == core.Unauthorized:
		w.Header().Set("WWW-Authenticate", "Bearer")
		writeJSON(w, http.StatusUnauthorized, errorBody{Message: "No autorizado."})
	case ce != nil && ce.Code == core.Unavailable:
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(ce.RetryAfter/time.Second))))
		writeJSON(w, http.StatusServiceUnavailable, errorBody{Message: "Servicio no disponible; inténtelo de nuevo."})
	case ce != nil && ce.Code == core.Invalid:
		writeJSON(w, http.StatusBadRequest, errorBody{Message: ce.Message})
	case r.Context().Err() != nil:
		w.WriteHeader(499)
	default:
		h.log.ErrorContext(r.Context(), "leancore: internal error", "err", err)
		writeJSON(w, http.StatusInternalServerError, errorBody{Message: "Error interno del servidor."})
	}
}

// writeJSON encodes v, then writes the header and the body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	if err := jsontext.Respond(w, status, "application/json", true, v); err != nil {
		w.WriteHeader(http.StatusInternalServerError)
	}
}

// rfc3339 renders t in loc as RFC 3339, whose offsets are whole minutes: a
// zone's offset with seconds (Bogotá's −04:56:16 before 1914) is rounded to
// the nearest minute, and the local time is the instant's at that offset,
// so that the text names the instant to the second.
func rfc3339(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	if _, off := t.Zone(); off%60 != 0 {
		m := (abs(off) + 30) / 60 * 60
		if off < 0 {
			m = -m
		}
		t = t.In(time.FixedZone("", m))
	}
	return t.Format(time.RFC3339)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
