package leadbank

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"forecourt/internal/bearer"
	"forecourt/internal/core"
	"forecourt/internal/jsontext"
)

// Route is one route of the lead bank API: a method and a net/http.ServeMux
// pattern.
type Route struct {
	Method  string
	Pattern string
	Name    string
}

// routes lists every route, in the document's order.
var routes = []Route{
	{http.MethodPost, "/api/leads", "pull"},
	{http.MethodPost, "/api/leads/ValidateGetLeads", "validate"},
	{http.MethodPost, "/api/leads/SendAcknos", "acks"},
}

// Routes returns every route the handler serves.
func Routes() []Route { return slices.Clone(routes) }

// maxBody bounds a request body: a confirmation of core.MaxDeliveryIDs
// leads as the pull answered them fits well within it.
const maxBody = 4 << 20

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

// NewHandler returns the lead bank API over svc: its routes, and 405 for
// other methods on their paths.
func NewHandler(svc *core.Service, opts ...Option) http.Handler {
	h := &handler{svc: svc, log: slog.Default()}
	for _, o := range opts {
		o(h)
	}
	funcs := map[string]func(http.ResponseWriter, *http.Request) error{
		"pull": h.pull, "validate": h.validate, "acks": h.acks,
	}
	mux := http.NewServeMux()
	for _, rt := range routes {
		mux.Handle(rt.Method+" "+rt.Pattern, h.serve(h.authenticated(funcs[rt.Name])))
		mux.Handle(rt.Pattern, h.serve(func(w http.ResponseWriter, r *http.Request) error {
			w.Header().Set("Allow", http.MethodPost)
			// ASP.NET Web API's words
			return &apiError{status: http.StatusMethodNotAllowed, msg: fmt.Sprintf("The requested resource does not support http method '%s'.", r.Method)}
		}))
	}
	return mux
}

// apiError is an answer that is not a success: its HTTP status and the
// envelope's Message.
type apiError struct {
	status     int
	msg        string
	retryAfter time.Duration
	cause      error
}

func (e *apiError) Error() string { return e.msg }

// serve adapts f, writing the error it returns in the envelope, and
// recovers a panic as a 500.
func (h *handler) serve(f func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				h.writeError(w, r, &apiError{status: http.StatusInternalServerError, msg: msgInternal, cause: fmt.Errorf("panic: %v", p)})
			}
		}()
		if err := f(w, r); err != nil {
			h.writeError(w, r, toAPIError(err))
		}
	})
}

// msgInternal is ASP.NET Web API's answer to an unhandled error.
const msgInternal = "An error has occurred."

func (h *handler) writeError(w http.ResponseWriter, r *http.Request, e *apiError) {
	if e.status >= 500 && r.Context().Err() != nil {
		w.WriteHeader(499) // the client went away: not a server error
		return
	}
	if e.status >= 500 && e.status != http.StatusServiceUnavailable {
		h.log.ErrorContext(r.Context(), "leadbank: internal error", "method", r.Method, "path", r.URL.Path, "err", e.cause)
	}
	if e.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", "Bearer")
	}
	if e.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((e.retryAfter+time.Second-1)/time.Second)))
	}
	writeJSON(w, e.status, Response{Status: StatusError, Message: e.msg, Leads: []Lead{}})
}

// toAPIError maps a core error to its status and Message.
func toAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var ce *core.Error
	if !errors.As(err, &ce) {
		return &apiError{status: http.StatusInternalServerError, msg: msgInternal, cause: err}
	}
	msg := ce.Message
	if len(ce.Fields) > 0 {
		keys := make([]string, 0, len(ce.Fields))
		for k := range ce.Fields {
			keys = append(keys, k+": "+ce.Fields[k])
		}
		sort.Strings(keys)
		msg += " (" + strings.Join(keys, "; ") + ")"
	}
	status := map[core.Code]int{
		core.Invalid: http.StatusBadRequest, core.NotFound: http.StatusNotFound, core.Conflict: http.StatusConflict,
		core.Unauthorized: http.StatusUnauthorized, core.Forbidden: http.StatusForbidden,
		core.Throttled: http.StatusTooManyRequests, core.Unavailable: http.StatusServiceUnavailable,
	}[ce.Code]
	switch {
	case ce.Code == core.Unauthorized:
		msg = msgDenied
	case status == 0:
		return &apiError{status: http.StatusInternalServerError, msg: msgInternal, cause: err}
	}
	return &apiError{status: status, msg: msg, retryAfter: ce.RetryAfter, cause: err}
}

// msgDenied is ASP.NET Web API's answer to a request without valid
// credentials.
const msgDenied = "Authorization has been denied for this request."

// authenticated runs next for the principal of the request's
// "Authorization: Bearer <t>": a user's login token or a dealer's API key.
func (h *handler) authenticated(next func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		secret, ok := bearer.Secret(r)
		if !ok {
			return &apiError{status: http.StatusUnauthorized, msg: msgDenied}
		}
		p, err := h.svc.Authenticate(r.Context(), secret)
		if err != nil {
			return err
		}
		return next(w, r.WithContext(core.WithPrincipal(r.Context(), p)))
	}
}

// writeJSON encodes v, then writes the header and the body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	if err := jsontext.Respond(w, status, "application/json; charset=utf-8", true, v); err != nil {
		http.Error(w, msgInternal, http.StatusInternalServerError)
	}
}

// readBody reads the request body, at most maxBody bytes.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, &apiError{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("The request body is larger than %d bytes.", maxBody)}
	case err != nil:
		return nil, &apiError{status: http.StatusBadRequest, msg: "The request body could not be read."}
	}
	if err := checkText(b); err != nil {
		return nil, err
	}
	return b, nil
}

// checkText refuses a body whose text encoding/json would read as another
// text, replacing what it cannot read by U+FFFD: bytes that are not UTF-8,
// and a string escaping a lone UTF-16 surrogate ("\ud800"), named by its
// path as ASP.NET names a model's fields ("[0].LeadEvents[0].DateAction").
func checkText(b []byte) error {
	if !utf8.Valid(b) {
		return &apiError{status: http.StatusBadRequest, msg: "The request body is not valid UTF-8 text."}
	}
	path, r, ok := jsontext.FindLoneSurrogate(b)
	if !ok {
		return nil
	}
	var where strings.Builder
	for _, p := range path {
		if _, err := strconv.Atoi(p); err == nil {
			where.WriteString("[" + p + "]")
			continue
		}
		if where.Len() > 0 {
			where.WriteByte('.')
		}
		where.WriteString(p)
	}
	field := where.String()
	if field == "" {
		field = "the body"
	}
	return &apiError{status: http.StatusBadRequest,
		msg: fmt.Sprintf("%s: the text holds a lone UTF-16 surrogate (\\u%04x), which is not a character.", field, r)}
}

// pull serves POST api/leads: the body is the most leads to hand out.
func (h *handler) pull(w http.ResponseWriter, r *http.Request) error {
	b, err := readBody(w, r)
	if err != nil {
		return err
	}
	limit, err := pullLimit(r.Header.Get("Content-Type"), b)
	if err != nil {
		return err
	}
	ls, err := h.svc.PullLeads(r.Context(), limit)
	if err != nil {
		return err
	}
	refs, err := loadRefs(r.Context(), h.svc, ls)
	if err != nil {
		return err
	}
	out := Response{Status: StatusOK, Leads: make([]Lead, 0, len(ls))}
	for _, l := range ls {
		out.Leads = append(out.Leads, refs.lead(l, StateInProgress))
	}
	switch len(ls) {
	case 0:
		out.Message = "No leads are ready to be sent."
	case 1:
		out.Message = "1 lead handed out; confirm it with ValidateGetLeads."
	default:
		out.Message = count(len(ls), "lead") + " handed out; confirm them with ValidateGetLeads."
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// pullLimit reads the body of POST api/leads: a JSON integer (a number, or
// a string holding one, as Json.NET reads them), or a form's "=N"; empty
// asks for the default. Zero or less is the default too, and a limit past
// the maximum is lowered to it (core.PullLeads).
func pullLimit(contentType string, b []byte) (int, error) {
	s := strings.TrimSpace(string(b))
	if strings.HasPrefix(strings.ToLower(contentType), "application/x-www-form-urlencoded") {
		v, err := url.ParseQuery(s)
		if err != nil {
			return 0, errLimit
		}
		s = strings.TrimSpace(v.Get(""))
	}
	if s == "" || s == "null" {
		return 0, nil
	}
	var n json.Number
	if err := json.Unmarshal([]byte(s), &n); err != nil {
		var str string
		if json.Unmarshal([]byte(s), &str) != nil {
			if _, err := strconv.ParseInt(s, 10, 64); err != nil && !errors.Is(err, strconv.ErrRange) {
				return 0, errLimit
			}
			str = s
		}
		n = json.Number(strings.TrimSpace(str))
	}
	// an integer past 64 bits parses as the largest (or smallest) one,
	// which the limit then lowers (or makes the default) like any other
	i, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, errLimit
	}
	return int(max(min(i, core.MaxPullLimit), 0)), nil
}

var errLimit = &apiError{status: http.StatusBadRequest,
	msg: fmt.Sprintf("The request body must be an integer: the most leads to hand out (default %d, at most %d).", core.DefaultPullLimit, core.MaxPullLimit)}

// validate serves POST api/leads/ValidateGetLeads: the body names the
// leads received, as a list of IDLeadBank, a list of the leads as the pull
// answered them, or the pull's whole answer.
func (h *handler) validate(w http.ResponseWriter, r *http.Request) error {
	b, err := readBody(w, r)
	if err != nil {
		return err
	}
	ids, err := receivedIDs(b)
	if err != nil {
		return err
	}
	res, err := h.svc.ConfirmLeads(r.Context(), ids)
	if err != nil {
		return err
	}
	out := Response{Status: StatusOK, Leads: []Lead{}, Results: &Result{Confirmed: res.Received, AlreadyConfirmed: res.AlreadyReceived,
		NotHanded: nonNil(res.NotHanded), Unknown: nonNil(res.Unknown)}}
	if len(res.NotHanded)+len(res.Unknown) > 0 {
		out.Status = StatusPartial
	}
	out.Message = summary(count(len(res.Received), "lead")+" confirmed",
		idsPart("already confirmed", res.AlreadyReceived), idsPart("never handed to you, nothing done", res.NotHanded),
		idsPart("unknown, nothing done", res.Unknown))
	writeJSON(w, http.StatusOK, out)
	return nil
}

// receivedIDs reads the body of ValidateGetLeads.
func receivedIDs(b []byte) ([]int64, error) {
	bad := &apiError{status: http.StatusBadRequest,
		msg: "The request body must list the leads received: [IDLeadBank, …], or the leads as api/leads answered them."}
	b = bytes.TrimSpace(b)
	var items []json.RawMessage
	switch {
	case len(b) == 0:
		return nil, bad
	case b[0] == '{':
		var env struct{ Leads []json.RawMessage }
		if err := json.Unmarshal(b, &env); err != nil || env.Leads == nil {
			return nil, bad
		}
		items = env.Leads
	default:
		if err := json.Unmarshal(b, &items); err != nil {
			return nil, bad
		}
	}
	if len(items) > core.MaxDeliveryIDs {
		return nil, &apiError{status: http.StatusBadRequest, msg: fmt.Sprintf("At most %d leads can be confirmed in one call.", core.MaxDeliveryIDs)}
	}
	ids := make([]int64, 0, len(items))
	for _, it := range items {
		var id int64
		if err := json.Unmarshal(it, &id); err != nil {
			var l struct{ IDLeadBank int64 }
			if err := json.Unmarshal(it, &l); err != nil || l.IDLeadBank == 0 {
				return nil, bad
			}
			id = l.IDLeadBank
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// acks serves POST api/leads/SendAcknos: the caller's events on leads it
// was handed.
func (h *handler) acks(w http.ResponseWriter, r *http.Request) error {
	b, err := readBody(w, r)
	if err != nil {
		return err
	}
	var acks []Ack
	if err := json.Unmarshal(b, &acks); err != nil || acks == nil {
		return &apiError{status: http.StatusBadRequest,
			msg: `The request body must be a list of [{"IDLeadBank": …, "LeadEvents": [{"IDstatus": …, "IDreason": …, "DateAction": …}]}].`}
	}
	loc, err := h.zone(r)
	if err != nil {
		return err
	}
	var evs []core.DeliveryEvent
	for i, a := range acks {
		for j, e := range a.LeadEvents {
			at, ok := parseDotnetTime(e.DateAction, loc)
			if !ok {
				return &apiError{status: http.StatusBadRequest, msg: fmt.Sprintf("Element %d, event %d: DateAction %q is not a date.", i, j, e.DateAction)}
			}
			evs = append(evs, core.DeliveryEvent{LeadID: a.IDLeadBank, Code: eventCode(e.IDStatus), Reason: reasonCode(e.IDReason), At: at})
		}
	}
	res, err := h.svc.RecordDeliveryEvents(r.Context(), evs)
	if err != nil {
		return err
	}
	var recorded []int64
	for _, e := range res.Recorded {
		if !slices.Contains(recorded, e.LeadID) {
			recorded = append(recorded, e.LeadID)
		}
	}
	out := Response{Status: StatusOK, Leads: []Lead{}, Results: &Result{Recorded: recorded, NotHanded: nonNil(res.NotHanded), Unknown: nonNil(res.Unknown)}}
	if len(res.NotHanded)+len(res.Unknown) > 0 {
		out.Status = StatusPartial
	}
	out.Message = summary(count(len(res.Recorded), "event")+" recorded",
		idsPart("never handed to you, nothing recorded", res.NotHanded), idsPart("unknown, nothing recorded", res.Unknown))
	writeJSON(w, http.StatusOK, out)
	return nil
}

// zone is the time zone a DateAction without offset is read in: that of
// the principal's first dealer.
func (h *handler) zone(r *http.Request) (*time.Location, error) {
	p, _ := core.PrincipalFrom(r.Context())
	if len(p.DealerIDs) == 0 {
		return time.UTC, nil
	}
	ds, err := h.svc.DealersByID(r.Context(), p.DealerIDs[:1])
	if err != nil || len(ds) == 0 {
		return time.UTC, err
	}
	return ds[0].Location(), nil
}

func nonNil(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}
