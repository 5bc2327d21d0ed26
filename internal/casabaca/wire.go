package casabaca

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"forecourt/internal/core"
	"forecourt/internal/jsontext"
)

// text is a field the document types as a string or a number: the
// document's bodies send numbers as strings ("medio": "13"), and a client
// may send them as JSON numbers. null is absent; an object, array or
// boolean is a value of the wrong type (bad). lone marks a string that
// escapes a lone UTF-16 surrogate, which encoding/json reads as U+FFFD:
// check.valid refuses it, so that the client's invalid text is not
// stored as another text.
type text struct {
	v    string
	set  bool
	bad  bool
	lone bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*t = text{}
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		_, lone := jsontext.LoneSurrogate(b)
		*t = text{v: strings.TrimSpace(s), set: true, lone: lone}
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		*t = text{v: string(b), set: true}
	default:
		*t = text{set: true, bad: true}
	}
	return nil
}

// given reports whether t holds a non-empty value.
func (t text) given() bool { return t.set && !t.bad && t.v != "" }

// flag is a boolean the document sends as true/false (or "1"/"0").
type flag struct {
	v   bool
	set bool
	bad bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (f *flag) UnmarshalJSON(b []byte) error {
	switch strings.Trim(strings.TrimSpace(string(b)), `"`) {
	case "null", "":
		*f = flag{}
	case "true", "1":
		*f = flag{v: true, set: true}
	case "false", "0":
		*f = flag{set: true}
	default:
		*f = flag{set: true, bad: true}
	}
	return nil
}

// extra is datos_adicionales: any JSON object (or array), kept as given,
// compacted. notText marks one whose strings escape a lone UTF-16
// surrogate or a NUL: kept as given it would read back as other text
// (encoding/json reads "\udc00" as U+FFFD), so it is refused.
type extra struct {
	raw     json.RawMessage
	bad     bool
	notText bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (e *extra) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*e = extra{}
		return nil
	}
	if len(b) == 0 || (b[0] != '{' && b[0] != '[') {
		*e = extra{bad: true}
		return nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return err
	}
	if notText(buf.Bytes()) {
		*e = extra{notText: true}
		return nil
	}
	*e = extra{raw: buf.Bytes()}
	return nil
}

// notText reports whether the valid JSON text data escapes, in a string,
// a lone UTF-16 surrogate (which encoding/json reads as U+FFFD) or a NUL.
func notText(data []byte) bool {
	_, lone := jsontext.LoneSurrogate(data)
	return lone || escapesNUL(data)
}

// escapesNUL reports whether the valid JSON text data escapes a NUL
// ("\u0000") in a string: every backslash of valid JSON starts an
// escape, so an escaped backslash is skipped whole.
func escapesNUL(data []byte) bool {
	for i := bytes.IndexByte(data, '\\'); i >= 0 && i+1 < len(data); {
		if data[i+1] == 'u' && bytes.HasPrefix(data[i+2:], []byte("0000")) {
			return true
		}
		j := bytes.IndexByte(data[i+2:], '\\')
		if j < 0 {
			return false
		}
		i += 2 + j
	}
	return false
}

// fieldErrors is the document's 422 body: each failing field with its
// messages, keyed as the document names the field.
type fieldErrors map[string][]string

func (e fieldErrors) add(field, msg string) {
	if len(e[field]) == 0 {
		e[field] = append(e[field], msg)
	}
}

// err returns the 422 answer, or nil when nothing failed.
func (e fieldErrors) err() error {
	if len(e) == 0 {
		return nil
	}
	return &apiError{status: http.StatusUnprocessableEntity, body: map[string]any{"errors": e}}
}

// errBody answers a body that cannot be read as the document's JSON.
func errBody(msg string) error {
	return &apiError{status: http.StatusUnprocessableEntity, body: map[string]any{"errors": fieldErrors{"datosSugarCRM": {msg}}}}
}

// decode reads r's body (at most maxBody; none is {}) into v.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	return decodeTwice(w, r, v)
}

// decodeTwice reads r's body once into each of vs.
func decodeTwice(w http.ResponseWriter, r *http.Request, vs ...any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &apiError{status: http.StatusRequestEntityTooLarge, body: map[string]string{"error": "El cuerpo de la petición es demasiado grande"}}
		}
		return errBody("No se pudo leer el cuerpo de la petición")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	if !utf8.Valid(body) {
		return errBody("El cuerpo de la petición no es UTF-8 válido")
	}
	for _, v := range vs {
		dec := json.NewDecoder(bytes.NewReader(body))
		if err := dec.Decode(v); err != nil {
			return errBody("El cuerpo de la petición no es un JSON válido con los campos del documento")
		}
		if dec.More() {
			return errBody("El cuerpo de la petición debe ser un solo objeto JSON")
		}
	}
	return nil
}

// propertiesForm is create_landing_page's properties_form: a JSON array,
// or (as the document sends it) a string holding one; kept as the array's
// JSON text. notText marks one whose JSON escapes a lone UTF-16 surrogate
// or a NUL, as extra's.
type propertiesForm struct {
	raw     string
	bad     bool
	notText bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (p *propertiesForm) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*p = propertiesForm{}
	if notText(b) {
		p.notText = true
		return nil
	}
	switch {
	case string(b) == "null":
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if strings.TrimSpace(s) == "" {
			return nil
		}
		b = []byte(s)
	}
	var arr []any
	if json.Unmarshal(b, &arr) != nil {
		p.bad = true
		return nil
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		p.bad = true
		return nil
	}
	if notText(buf.Bytes()) {
		p.notText = true
		return nil
	}
	p.raw = buf.String()
	return nil
}

// check validates fields of one object of a body; prefix is how the
// document keys its fields in errors ("", "datosSugarCRM.",
// "datosSugarCRM.client.").
type check struct {
	e      fieldErrors
	prefix string
}

func (c check) key(name string) string { return c.prefix + name }

// fail records msg for field name.
func (c check) fail(name, msg string) { c.e.add(c.key(name), msg) }

// required checks that t is given (msg when not) and well typed.
func (c check) required(name string, t text, msg string) bool {
	if !t.given() {
		if t.bad {
			c.fail(name, "El campo "+name+" no contiene un valor válido")
		} else {
			c.fail(name, msg)
		}
		return false
	}
	return c.valid(name, t, core.MaxShortText)
}

// optional checks an optional t: well typed, within max characters, no
// NUL. It reports whether t is given and valid.
func (c check) optional(name string, t text, max int) bool {
	if t.bad {
		c.fail(name, "El campo "+name+" no contiene un valor válido")
		return false
	}
	if !t.given() {
		return false
	}
	return c.valid(name, t, max)
}

func (c check) valid(name string, t text, max int) bool {
	switch {
	case t.lone || strings.ContainsRune(t.v, 0) || !utf8.ValidString(t.v):
		c.fail(name, "El campo "+name+" contiene caracteres no permitidos")
		return false
	case utf8.RuneCountInString(t.v) > max:
		c.fail(name, "El campo "+name+" no debe tener más de "+itoa(max)+" caracteres")
		return false
	}
	return true
}

// oneOf checks that a given t is one of valid.
func (c check) oneOf(name string, t text, msg string, valid ...string) bool {
	for _, v := range valid {
		if t.v == v {
			return true
		}
	}
	c.fail(name, msg)
	return false
}

// numeric checks that a given t is digits (a phone may start with +).
func (c check) numeric(name string, t text, msg string) bool {
	s := strings.TrimPrefix(t.v, "+")
	if s == "" || len(s) > 20 || strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsDigit(r) || r > unicode.MaxASCII }) {
		c.fail(name, msg)
		return false
	}
	return true
}

// number checks that a given t is a whole number in [lo, hi] and returns
// it.
func (c check) number(name string, t text, lo, hi int, msg string) (int, bool) {
	n, ok := atoi(t.v)
	if !ok || n < lo || n > hi {
		c.fail(name, msg)
		return 0, false
	}
	return n, true
}

// email checks that a given t is one e-mail address.
func (c check) email(name string, t text, msg string) bool {
	a, err := mail.ParseAddress(t.v)
	if err != nil || a.Address != t.v || len(t.v) > core.MaxShortText {
		c.fail(name, msg)
		return false
	}
	return true
}

// The document's date formats, in UTC.
const (
	minuteLayout = "2006-01-02 15:04"
	secondLayout = "2006-01-02 15:04:05"
)

// date reads a given t in layout, in UTC.
func (c check) date(name string, t text, layout, msg string) (time.Time, bool) {
	d, err := time.ParseInLocation(layout, t.v, time.UTC)
	if err != nil || d.Year() < 1900 || d.Year() > 2100 {
		c.fail(name, msg)
		return time.Time{}, false
	}
	return d, true
}

func atoi(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int(r-'0')
	}
	return n, true
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// enum checks an optional t against valid: absent is fine, anything else
// must be one of them. It reports whether t is given and valid.
func (c check) enum(name string, t text, msg string, valid ...string) bool {
	if t.bad {
		c.fail(name, msg)
		return false
	}
	if !t.given() {
		return false
	}
	return c.oneOf(name, t, msg, valid...)
}
