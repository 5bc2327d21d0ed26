package walcu

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"forecourt/internal/core"
	"forecourt/internal/jsontext"
)

// Body is the one error shape of this API (the document shows none):
//
//	{"status": 400, "error": "invalid", "message": "invalid query",
//	 "fields": {"q.status.$foo": "unknown operator"}}
//
// status repeats the HTTP status; error is a stable code (invalid,
// unauthorized, not_found, method_not_allowed, conflict, too_large,
// unavailable, internal); message says what happened in English; fields,
// when present, name each field, query parameter, operator or JSON
// Pointer at fault and what is wrong with it. See docs/walcu.md.
type Body struct {
	Status  int               `json:"status"`
	Code    string            `json:"error"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// apiError is an answer that is not a success.
type apiError struct {
	Body
	retryAfter time.Duration
	cause      error
}

func (e *apiError) Error() string { return e.Message }

func invalid(msg string, fields map[string]string) *apiError {
	return &apiError{Body: Body{Status: http.StatusBadRequest, Code: "invalid", Message: msg, Fields: fields}}
}

func invalidField(field, problem string) *apiError {
	return invalid("invalid "+strings.SplitN(strings.SplitN(field, ".", 2)[0], "[", 2)[0], map[string]string{field: problem})
}

func notFound(what string) *apiError {
	return &apiError{Body: Body{Status: http.StatusNotFound, Code: "not_found", Message: what + " not found"}}
}

func conflict(msg string, fields map[string]string) *apiError {
	return &apiError{Body: Body{Status: http.StatusConflict, Code: "conflict", Message: msg, Fields: fields}}
}

// coreMessages words the core's field messages.
var coreMessages = map[string]string{
	core.MsgRequired:         "required",
	core.MsgNotExist:         "does not exist",
	core.MsgInvalidChoice:    "not a valid choice",
	core.MsgInvalid:          "invalid",
	core.MsgOutOfRange:       "out of range",
	core.MsgTooLong:          "too long",
	core.MsgNullCharacter:    "contains a NUL character",
	core.MsgNotInProvince:    "not of the province",
	core.MsgStaleVersion:     "the document has changed since it was read",
	core.MsgDuplicate:        "the dealer has this client already",
	core.MsgInUse:            "still in use",
	core.MsgUnknownField:     "unknown field",
	core.MsgInvalidOperator:  "operator not valid for this field",
	core.MsgNotSortable:      "cannot sort by this field",
	core.MsgNotGroupable:     "cannot group by this field",
	core.MsgTooMany:          "too many conditions, values or terms",
	core.MsgLeadNotes:        fmt.Sprintf("the lead would hold more than %d notes and tags in all", core.MaxLeadNotes),
	core.MsgLeadNoteVersions: fmt.Sprintf("the lead would keep more than %d versions of its notes in all", core.MaxLeadNoteVersions),
	core.MsgLeadText:         fmt.Sprintf("the lead would hold more than %d characters of text in all", core.MaxLeadText),
	core.MsgLeadAppointments: fmt.Sprintf("the lead would have more than %d appointments", core.MaxLeadAppointments),
}

// toAPIError maps any error to its answer; fieldName turns a core field
// path into this API's (nil: as it is).
// docFieldNames words a core field as the document's path: as names
// says, a field of the Walcu extension as its own path, any other as it is.
func docFieldNames(names map[string]string) func(string) string {
	return func(k string) string {
		if n, ok := names[k]; ok {
			return n
		}
		return extFieldName(k)
	}
}

// extFieldName words a field kept in the Walcu extension (ext.<prefix>…)
// as its path in the document; any other field as it is.
func extFieldName(k string) string {
	if rest, ok := strings.CutPrefix(k, "ext."+extPrefix); ok {
		return rest
	}
	return k
}

func toAPIError(err error, fieldName func(string) string) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var ce *core.Error
	if !errors.As(err, &ce) {
		return &apiError{Body: Body{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error"}, cause: err}
	}
	var fields map[string]string
	if len(ce.Fields) > 0 {
		fields = map[string]string{}
		for k, v := range ce.Fields {
			if fieldName != nil {
				k = fieldName(k)
			}
			if m, ok := coreMessages[v]; ok {
				v = m
			}
			fields[k] = v
		}
	}
	status, code := map[core.Code]int{
		core.Invalid: http.StatusBadRequest, core.NotFound: http.StatusNotFound, core.Conflict: http.StatusConflict,
		core.Unauthorized: http.StatusUnauthorized, core.Forbidden: http.StatusForbidden,
		core.Throttled: http.StatusTooManyRequests, core.Unavailable: http.StatusServiceUnavailable,
	}[ce.Code], string(ce.Code)
	if status == 0 {
		return &apiError{Body: Body{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error"}, cause: err}
	}
	msg := ce.Message
	if ce.Code == core.NotFound {
		msg = "not found" // the core's message may name the kind of record; an id of another dealer reveals nothing
		fields = nil
	}
	return &apiError{Body: Body{Status: status, Code: code, Message: msg, Fields: fields}, retryAfter: ce.RetryAfter, cause: err}
}

// stored answers err, met after a write was stored (rendering its
// answer, or a later write of the same request): never 503 with
// Retry-After, which tells a client to send the write again and would
// store it twice (a lead, a client, a task…); 500, as for a COMMIT whose
// outcome is unknown (README, "When the database cannot answer"). Any
// other error is answered as it is; nil stays nil.
func stored(err error) error {
	if err == nil || toAPIError(err, nil).Status != http.StatusServiceUnavailable {
		return err
	}
	return &apiError{Body: Body{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error"},
		cause: fmt.Errorf("the write was stored but its answer could not be rendered: %w", err)}
}

// storedDoc is stored for a document rendered after its write.
func storedDoc(d doc, err error) (doc, error) { return d, stored(err) }

// storedIf is stored(err) when written, else err.
func storedIf(written bool, err error) error {
	if written {
		return stored(err)
	}
	return err
}

// writeError writes e.
func (h *handler) writeError(w http.ResponseWriter, r *http.Request, e *apiError) {
	if e.Status >= 500 && r.Context().Err() != nil {
		w.WriteHeader(499) // the client went away: not a server error
		return
	}
	if e.Status >= 500 && e.Status != http.StatusServiceUnavailable {
		h.log.ErrorContext(r.Context(), "walcu: internal error", "method", r.Method, "path", r.URL.Path, "err", e.cause)
	}
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="walcu"`)
	}
	if e.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((e.retryAfter+time.Second-1)/time.Second)))
	}
	writeJSON(w, e.Status, e.Body)
}

// writeJSON encodes v, then writes the header and the body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	if err := jsontext.Respond(w, status, "application/json; charset=utf-8", true, v); err != nil {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, `{"status":500,"error":"internal","message":"internal error"}`)
	}
}

// maxBody bounds a request body: a document of core.MaxDocumentBody with
// room for its envelope, or a JSON Patch.
const maxBody = core.MaxDocumentBody + 64<<10

// readJSON decodes the request body, at most maxBody bytes, into one JSON
// value, numbers kept as json.Number.
func readJSON(w http.ResponseWriter, r *http.Request) (any, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, &apiError{Body: Body{Status: http.StatusRequestEntityTooLarge, Code: "too_large",
			Message: fmt.Sprintf("the body is larger than %d bytes", maxBody)}}
	case err != nil:
		return nil, invalid("the body could not be read", nil)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, invalid("the body is not valid JSON", map[string]string{"body": jsonProblem(err)})
	}
	if dec.More() {
		return nil, invalid("the body is not valid JSON", map[string]string{"body": "more than one JSON value"})
	}
	if err := checkDepth(v, 0); err != nil {
		return nil, err
	}
	if err := checkText(b); err != nil {
		return nil, err
	}
	return v, nil
}

// checkText refuses a body whose text encoding/json reads as another
// text, replacing what it cannot read by U+FFFD: bytes that are not UTF-8,
// and a string escaping a lone UTF-16 surrogate ("\udc00"), named by its
// dotted path as the schema's errors name fields, in a field forecourt
// keeps or not (found checking from outside: a car's make, a note's
// content, a chatprovider's name were stored as U+FFFD).
func checkText(b []byte) error {
	if !utf8.Valid(b) {
		return invalid("the body is not UTF-8 text", map[string]string{"body": "bytes that are not UTF-8"})
	}
	path, r, ok := jsontext.FindLoneSurrogate(b)
	if !ok {
		return nil
	}
	field := strings.Join(path, ".")
	if field == "" {
		field = "body"
	}
	return invalid("the body holds a text that is not text", map[string]string{
		field: fmt.Sprintf("a lone UTF-16 surrogate (\\u%04x), which is not a character", r)})
}

// maxDepth bounds the nesting of a body's JSON: the deepest schema nests
// six levels.
const maxDepth = 32

func checkDepth(v any, d int) error {
	if d > maxDepth {
		return invalid("the body nests too deep", map[string]string{"body": fmt.Sprintf("nested more than %d levels", maxDepth)})
	}
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if err := checkDepth(e, d+1); err != nil {
				return err
			}
		}
	case map[string]any:
		for _, e := range x {
			if err := checkDepth(e, d+1); err != nil {
				return err
			}
		}
	}
	return nil
}

func jsonProblem(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s at byte %d", se.Error(), se.Offset)
	}
	if errors.Is(err, io.EOF) {
		return "empty"
	}
	return "invalid JSON"
}

// checkQuery refuses a query string Go's parser would read as another:
// a malformed percent-escape (`q=%zz`, `limit=%4`) or a `;` as separator,
// whose pair url.Values drops, so that the filter vanished and every
// document was listed; and a q escaping a lone UTF-16 surrogate, which
// would filter by U+FFFD. The parameter is named as decoded, or as
// written when its name is the malformed part.
func checkQuery(raw string) error {
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			return invalidField(k, "a malformed percent-escape (a \"%\" must be followed by two hexadecimal digits)")
		}
		if strings.Contains(pair, ";") {
			return invalidField(name, "a \";\" in the query: separate parameters with \"&\", and escape a \";\" in a value as %3B")
		}
		if _, err := url.QueryUnescape(v); err != nil {
			return invalidField(name, "a malformed percent-escape (a \"%\" must be followed by two hexadecimal digits)")
		}
	}
	return nil
}

// checkQueryText refuses a q whose JSON escapes a lone UTF-16 surrogate.
func checkQueryText(q string) error {
	if r, ok := jsontext.LoneSurrogate([]byte(q)); ok {
		return invalidField("q", fmt.Sprintf("a lone UTF-16 surrogate (\\u%04x), which is not a character", r))
	}
	return nil
}
