package sml

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/htmlindex"

	"forecourt/internal/core"
	"forecourt/internal/jsontext"
)

// maxBody bounds a request body; a larger one is answered 413.
const maxBody = 1 << 20

// maxPrealloc bounds the buffer readBody sets aside for a declared length
// (a lead's body is a few kilobytes; a larger one grows as it arrives).
const maxPrealloc = 64 << 10

// readObject reads r's body, at most maxBody bytes, as one JSON object and
// returns its members undecoded. An empty body is an empty object, as DRF's
// JSON parser reads it. Like DRF's default parsers it also takes form and
// multipart bodies (flat: each field a string, the last value of a repeated
// one), and it decodes the charset the Content-Type declares; text that is
// not valid in it is a parse error, never stored mangled.
func readObject(w http.ResponseWriter, r *http.Request) (map[string]json.RawMessage, error) {
	mediaType, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType == "multipart/form-data" {
		return readForm(w, r, mediaType)
	}
	data, err := readBody(http.MaxBytesReader(w, r.Body, maxBody), r.ContentLength)
	if err == nil && mediaType == "application/x-www-form-urlencoded" {
		// curl -d sends JSON with this type unless told otherwise; a body
		// that is a JSON object is read as one, anything else as a form.
		if t := bytes.TrimSpace(data); len(t) == 0 || t[0] != '{' {
			r.Body = io.NopCloser(bytes.NewReader(data))
			return readForm(w, r, mediaType)
		}
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, detailError(http.StatusRequestEntityTooLarge, msgBodyTooLarge)
		}
		return nil, detailError(http.StatusBadRequest, "JSON parse error - "+err.Error())
	}
	if data, err = toUTF8(data, params["charset"]); err != nil {
		return nil, err
	}
	return parseObject(data)
}

// readBody is io.ReadAll of body, into a buffer of the size the request
// declared (when it is at most maxBody): io.ReadAll starts at 512 bytes and
// copies a lead's few kilobytes into ever larger ones. The loop is
// io.ReadAll's; a body longer than declared is read whole all the same.
// What is set aside before a byte arrives is at most maxPrealloc: a
// declared length is only a claim, and a client that declares a megabyte
// and sends nothing must not make each of its connections hold one.
func readBody(body io.Reader, declared int64) ([]byte, error) {
	if declared <= 0 || declared > maxBody {
		return io.ReadAll(body)
	}
	b := make([]byte, 0, min(declared, maxPrealloc)+1) // +1: EOF is seen without growing
	for {
		n, err := body.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

// toUTF8 decodes data from charset (UTF-8 when empty) and checks it is
// valid text.
func toUTF8(data []byte, charset string) ([]byte, error) {
	charset = strings.ToLower(strings.TrimSpace(charset))
	if charset != "" && charset != "utf-8" && charset != "utf8" {
		enc, err := htmlindex.Get(charset)
		if err != nil {
			return nil, detailError(http.StatusBadRequest, fmt.Sprintf("JSON parse error - unknown encoding: %s", charset))
		}
		if data, err = enc.NewDecoder().Bytes(data); err != nil {
			return nil, detailError(http.StatusBadRequest, fmt.Sprintf("JSON parse error - '%s' codec can't decode the body", charset))
		}
	}
	if !utf8.Valid(data) {
		pos := 0
		for pos < len(data) {
			r, size := utf8.DecodeRune(data[pos:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			pos += size
		}
		return nil, detailError(http.StatusBadRequest, fmt.Sprintf("JSON parse error - 'utf-8' codec can't decode byte 0x%02x in position %d: invalid start byte", data[pos], pos))
	}
	return data, nil
}

// readForm reads a form or multipart body as a flat object of strings.
func readForm(w http.ResponseWriter, r *http.Request, mediaType string) (map[string]json.RawMessage, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	var err error
	if mediaType == "multipart/form-data" {
		err = r.ParseMultipartForm(maxBody)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, detailError(http.StatusRequestEntityTooLarge, msgBodyTooLarge)
		}
		return nil, detailError(http.StatusBadRequest, "Multipart form parse error - "+err.Error())
	}
	m := map[string]json.RawMessage{}
	for k, vs := range r.PostForm {
		if len(vs) == 0 {
			continue
		}
		v := vs[len(vs)-1]
		if !utf8.ValidString(v) {
			t := &errTree{}
			t.add([]string{k}, msgBadEncoding)
			return nil, treeError(t)
		}
		b, _ := json.Marshal(v)
		m[k] = b
	}
	return m, nil
}

// parseObject parses data as one JSON object; see readObject.
func parseObject(data []byte) (map[string]json.RawMessage, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 {
		return map[string]json.RawMessage{}, nil
	}
	// A body that is one JSON value is that value, as the decoder would
	// find it (data is trimmed) without copying it twice; the decoder
	// reads the others, for their errors.
	raw := json.RawMessage(data)
	if !json.Valid(data) {
		var err error
		if raw, err = decodeValue(data); err != nil {
			return nil, err
		}
	}
	if kind(raw) != '{' {
		t := &errTree{}
		t.add([]string{"non_field_errors"}, msgObject(pyType(raw)))
		return nil, treeError(t)
	}
	m, err := splitObject(raw)
	if err != nil {
		return nil, parseError(err, 0)
	}
	return m, nil
}

// decodeValue reads data, trimmed, as one JSON value by encoding/json's
// decoder: the value, or the decoder's error.
func decodeValue(data []byte) (json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return nil, parseError(err, dec.InputOffset())
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, detailError(http.StatusBadRequest, fmt.Sprintf("JSON parse error - Extra data: char %d", dec.InputOffset()))
	}
	return raw, nil
}

func parseError(err error, offset int64) *apiError {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		offset = se.Offset
	}
	msg := err.Error()
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		msg = "unexpected end of JSON input"
	}
	return detailError(http.StatusBadRequest, fmt.Sprintf("JSON parse error - %s: char %d", msg, offset))
}

// kind returns the first byte of a JSON value: '{', '[', '"', 't', 'f',
// 'n', or '0' for any number.
func kind(raw json.RawMessage) byte {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return 0
	}
	switch c := raw[0]; c {
	case '{', '[', '"', 't', 'f', 'n':
		return c
	}
	return '0'
}

// pyType names a JSON value's type as Python does after json.loads, since
// DRF's messages name it ("dict", "list", "str"…).
func pyType(raw json.RawMessage) string {
	switch kind(raw) {
	case '{':
		return "dict"
	case '[':
		return "list"
	case '"':
		return "str"
	case 't', 'f':
		return "bool"
	case 'n':
		return "NoneType"
	}
	if bytes.ContainsAny(raw, ".eE") {
		return "float"
	}
	return "int"
}

// rule says how a body field validates, as DRF's field arguments do.
type rule uint8

const (
	required rule = 1 << iota // required=True; not checked on partial updates
	nullable                  // allow_null=True
	notBlank                  // allow_blank=False (strings)
	noTrim                    // trim_whitespace=False (strings)
)

// decoder reads request bodies field by field, recording DRF errors in errs
// and the values given to id and choice fields in given (values gives them
// by dotted SML path), so that errors found later, by core, can name them.
type decoder struct {
	errs    *errTree
	given   []givenValue
	partial bool                  // a PATCH: required fields are not required
	zone    func() *time.Location // reads naive date-times
}

// givenValue is a value given to an id or choice field: the field is key
// of the object at path. Their dotted paths are joined only when an error
// needs them (values): joining each as it was read cost every request.
type givenValue struct {
	path     []string // never changed once an object has it (object.at)
	key, val string
}

// values returns the values given to id and choice fields by dotted SML
// path; a field read twice keeps its last value.
func (d *decoder) values() map[string]string {
	m := make(map[string]string, len(d.given))
	for _, g := range d.given {
		m[strings.Join(append(slices.Clip(g.path), g.key), ".")] = g.val
	}
	return m
}

func newDecoder(partial bool, zone func() *time.Location) *decoder {
	if zone == nil {
		zone = func() *time.Location { return time.UTC }
	}
	return &decoder{errs: &errTree{}, partial: partial, zone: zone}
}

// err returns the errors found, as a 400, or nil.
func (d *decoder) err() error {
	if !d.errs.prune() {
		return nil
	}
	return treeError(d.errs)
}

// object is one JSON object being read.
type object struct {
	d    *decoder
	path []string
	m    map[string]json.RawMessage // nil for an item that was not an object
}

func (d *decoder) root(m map[string]json.RawMessage) object { return object{d: d, m: m} }

func (o object) at(key string) []string { return append(slices.Clip(o.path), key) }

func (o object) fail(key, msg string) { o.d.errs.add(o.at(key), msg) }

func (o object) remember(key, v string) {
	o.d.given = append(o.d.given, givenValue{path: o.path, key: key, val: v})
}

// state is what lookup found.
type state int

const (
	absent state = iota
	isNull
	failed
	present
)

func optOf[T any](s state) Opt[T] {
	if s == isNull {
		return null[T]()
	}
	return Opt[T]{}
}

// lookup finds key, reporting a missing required field and a null where
// null is not allowed.
func (o object) lookup(key string, r rule) (json.RawMessage, state) {
	if o.m == nil {
		return nil, absent
	}
	raw, ok := o.m[key]
	if !ok {
		if r&required != 0 && !o.d.partial {
			o.fail(key, msgRequired)
			return nil, failed
		}
		return nil, absent
	}
	if kind(raw) == 'n' {
		if r&nullable != 0 {
			return nil, isNull
		}
		o.fail(key, msgNull)
		return nil, failed
	}
	return raw, present
}

// literal returns a scalar's text: a string's content, a number's digits,
// a boolean as Python prints it.
func literal(raw json.RawMessage) string {
	switch kind(raw) {
	case '"':
		// Bodies are valid UTF-8 JSON by now (readObject), so a string
		// without escapes is its bytes between the quotes.
		if t := bytes.TrimSpace(raw); bytes.IndexByte(t, '\\') < 0 && len(t) >= 2 {
			return string(t[1 : len(t)-1])
		}
		var s string
		_ = json.Unmarshal(raw, &s)
		return s
	case 't':
		return "True"
	case 'f':
		return "False"
	}
	return string(bytes.TrimSpace(raw))
}

// String reads a CharField: a string, or a number taken as its text.
func (o object) String(key string, r rule) Opt[string] {
	raw, st := o.lookup(key, r)
	if st != present {
		return optOf[string](st)
	}
	var s string
	switch kind(raw) {
	case '"':
		if r, ok := jsontext.LoneSurrogate(raw); ok {
			// encoding/json would read it as U+FFFD: another text
			o.fail(key, msgSurrogate(r))
			return Opt[string]{}
		}
		s = literal(raw)
	case '0':
		s = literal(raw)
	default:
		o.fail(key, msgString)
		return Opt[string]{}
	}
	if strings.ContainsRune(s, 0) {
		o.fail(key, msgNullChar)
		return Opt[string]{}
	}
	if r&noTrim == 0 {
		s = strings.TrimSpace(s)
	}
	if s == "" && r&notBlank != 0 {
		o.fail(key, msgBlank)
		return Opt[string]{}
	}
	return some(s)
}

// isIntLiteral reports whether s is an integer as DRF's IntegerField reads
// one: an optional sign, ASCII digits, and optionally a zero fraction
// ("7", "-7", "7.0", "7.").
func isIntLiteral(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return false
	}
	if i == len(s) {
		return true
	}
	if s[i] != '.' {
		return false
	}
	return strings.Trim(s[i+1:], "0") == ""
}

// parseInt reads an integer as Python's int(str(v)) after DRF strips a
// zero fraction: 7, "7", 7.0 and " 7 " are 7.
func parseInt(raw json.RawMessage) (int64, bool) {
	k := kind(raw)
	if k != '0' && k != '"' {
		return 0, false
	}
	s := strings.TrimSpace(literal(raw))
	if k == '0' && strings.ContainsAny(s, "eE") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return 0, false
		}
		return int64(f), true
	}
	if !isIntLiteral(s) {
		return 0, false
	}
	if i := strings.IndexByte(s, '.'); i >= 0 {
		s = s[:i]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// Int reads an IntegerField.
func (o object) Int(key string, r rule) Opt[int] {
	raw, st := o.lookup(key, r)
	if st != present {
		return optOf[int](st)
	}
	n, ok := parseInt(raw)
	if !ok || n > math.MaxInt32 || n < math.MinInt32 {
		o.fail(key, msgInt)
		return Opt[int]{}
	}
	o.remember(key, strconv.FormatInt(n, 10))
	return some(int(n))
}

// PK reads a PrimaryKeyRelatedField (or a nested object's "id"): an integer
// or a numeric string. Ids below 1 exist nowhere.
func (o object) PK(key string, r rule) Opt[int64] {
	raw, st := o.lookup(key, r)
	if st != present {
		return optOf[int64](st)
	}
	lit := literal(raw)
	o.remember(key, lit)
	n, ok := parseInt(raw)
	if !ok {
		switch kind(raw) {
		case '"':
			o.fail(key, msgPKType("str"))
		case '0':
			if _, err := strconv.ParseFloat(lit, 64); err == nil && strings.ContainsAny(lit, ".eE") {
				o.fail(key, msgPKType("float"))
			} else {
				o.fail(key, msgPK(lit)) // an integer too large for any id
			}
		default:
			o.fail(key, msgPKType(pyType(raw)))
		}
		return Opt[int64]{}
	}
	if n < 1 {
		o.fail(key, msgPK(lit))
		return Opt[int64]{}
	}
	return some(n)
}

// DRF's BooleanField.TRUE_VALUES and FALSE_VALUES, as strings.
var (
	trueValues  = []string{"t", "T", "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "1"}
	falseValues = []string{"f", "F", "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF", "0"}
)

// Bool reads a BooleanField: true/false, the strings DRF knows, 1 and 0.
func (o object) Bool(key string, r rule) Opt[bool] {
	raw, st := o.lookup(key, r)
	if st != present {
		return optOf[bool](st)
	}
	switch kind(raw) {
	case 't':
		return some(true)
	case 'f':
		return some(false)
	case '"':
		s := literal(raw)
		switch {
		case slices.Contains(trueValues, s):
			return some(true)
		case slices.Contains(falseValues, s):
			return some(false)
		}
	case '0':
		if f, err := strconv.ParseFloat(literal(raw), 64); err == nil && (f == 0 || f == 1) {
			return some(f == 1)
		}
	}
	o.fail(key, msgBool)
	return Opt[bool]{}
}

// Choice reads a ChoiceField. A number is taken as its text, as DRF does
// with str(value).
func (o object) Choice(key string, r rule, choices []string) Opt[string] {
	raw, st := o.lookup(key, r)
	if st != present {
		return optOf[string](st)
	}
	s := literal(raw)
	o.remember(key, s)
	if !slices.Contains(choices, s) {
		o.fail(key, msgChoice(s))
		return Opt[string]{}
	}
	return some(s)
}

// Score reads "score": a choice of "1".."4" (or 1..4), null clearing it.
func (o object) Score(key string) Opt[int] {
	c := o.Choice(key, nullable, scoreChoices)
	if !c.Set || c.Null {
		return Opt[int]{Set: c.Set, Null: c.Null}
	}
	n, _ := strconv.Atoi(c.V)
	return some(n)
}

// Time reads a DateTimeField; see parseDateTime.
func (o object) Time(key string, r rule) Opt[time.Time] {
	raw, st := o.lookup(key, r)
	if st != present {
		return optOf[time.Time](st)
	}
	if kind(raw) == '"' {
		if t, ok := parseDateTime(literal(raw), o.d.zone); ok {
			if !renderable(t, o.d.zone()) {
				o.fail(key, msgDatetimeOverflow)
				return Opt[time.Time]{}
			}
			return some(t)
		}
	}
	o.fail(key, msgDatetime)
	return Opt[time.Time]{}
}

// renderable reports whether t renders within the years 1–9999, which a
// Python datetime holds, both in UTC and in loc, the dealer's time zone
// answers are rendered in: DRF converts an aware time to that zone and
// refuses it when it overflows ("9999-12-31T23:59:59Z" is year 10000 in
// Madrid), and a time rendered out of that range is one no Python client
// parses.
func renderable(t time.Time, loc *time.Location) bool {
	for _, y := range []int{t.UTC().Year(), t.In(loc).Year()} {
		if y < 1 || y > 9999 {
			return false
		}
	}
	return true
}

// parseDateTime reads an ISO 8601 date-time as Django does: with Z or an
// offset, or naive and then in zone's location.
func parseDateTime(s string, zone func() *time.Location) (time.Time, bool) {
	m, ok := scanDateTime(strings.TrimSpace(s))
	if !ok {
		return time.Time{}, false
	}
	num := func(i int) int {
		if m[i] == "" {
			return 0
		}
		n, _ := strconv.Atoi(m[i])
		return n
	}
	year, month, day, hour, minute, sec := num(1), num(2), num(3), num(4), num(5), num(6)
	micro := 0
	if m[7] != "" {
		micro, _ = strconv.Atoi((m[7] + "000000")[:6])
	}
	if year < 1 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	if day > time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return time.Time{}, false
	}
	var loc *time.Location
	switch tz := m[8]; {
	case tz == "":
		loc = zone()
	case tz == "Z":
		loc = time.UTC
	default:
		sign := 1
		if tz[0] == '-' {
			sign = -1
		}
		digits := strings.ReplaceAll(tz[1:], ":", "")
		hh, _ := strconv.Atoi(digits[:2])
		mm, ss := 0, 0
		switch len(digits) {
		case 2:
		case 4:
			mm, _ = strconv.Atoi(digits[2:])
		case 6:
			mm, _ = strconv.Atoi(digits[2:4])
			ss, _ = strconv.Atoi(digits[4:])
		default:
			return time.Time{}, false
		}
		if hh > 23 || mm > 59 || ss > 59 {
			return time.Time{}, false
		}
		loc = time.FixedZone("", sign*(hh*3600+mm*60+ss))
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, micro*1000, loc), true
}

// Object reads a nested serializer's object.
func (o object) Object(key string, r rule) (object, state) {
	raw, st := o.lookup(key, r)
	if st != present {
		return object{}, st
	}
	if kind(raw) != '{' {
		o.d.errs.add(append(o.at(key), "non_field_errors"), msgObject(pyType(raw)))
		return object{}, failed
	}
	m, err := splitObject(raw)
	if err != nil {
		o.fail(key, msgInvalid)
		return object{}, failed
	}
	return object{d: o.d, path: o.at(key), m: m}, present
}

// List reads a list serializer's items. An item that is not an object is
// reported and comes back as an object without members.
func (o object) List(key string, r rule) ([]object, state) {
	raw, st := o.lookup(key, r)
	if st != present {
		return nil, st
	}
	if kind(raw) != '[' {
		o.d.errs.add(append(o.at(key), "non_field_errors"), msgList(pyType(raw)))
		return nil, failed
	}
	items, err := splitArray(raw)
	if err != nil {
		o.fail(key, msgInvalid)
		return nil, failed
	}
	path := o.at(key)
	o.d.errs.setLen(path, len(items))
	out := make([]object, len(items))
	for i, it := range items {
		ip := append(slices.Clip(path), strconv.Itoa(i))
		out[i] = object{d: o.d, path: ip}
		if kind(it) != '{' {
			o.d.errs.add(append(slices.Clip(ip), "non_field_errors"), msgObject(pyType(it)))
			continue
		}
		m, err := splitObject(it)
		if err != nil {
			o.d.errs.add(ip, msgInvalid)
		}
		out[i].m = m
	}
	return out, present
}

// The SML enumerations, from core's.
var (
	stageChoices     = toStrings(core.Stages)
	outcomeChoices   = toStrings(core.Outcomes)
	taskTypeChoices  = toStrings(core.TaskTypes)
	appraisalOrigins = []string{string(core.OriginNational), string(core.OriginForeign)}
	scoreChoices     = []string{"1", "2", "3", "4"}
)

func toStrings[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// decodeLead reads the body of Crear Lead (d not partial) or Modificar Lead
// (partial).
func decodeLead(o object) LeadRequest {
	var b LeadRequest
	b.Source = o.PK("source", required)
	if v, st := o.Object("vehicle", required); st == present {
		b.Vehicle = some(decodeVehicle(v))
	}
	switch c, st := o.Object("client", nullable); st {
	case present:
		b.Client = some(decodeClient(c))
	case isNull:
		b.Client = null[ClientRequest]()
	}
	if rq, st := o.Object("request", 0); st == present {
		b.Request = some(decodeTaskList(rq))
	}
	b.Note = decodeNotes(o, "note")
	b.User = o.PK("user", nullable)
	b.Status = o.Choice("status", 0, stageChoices)
	b.Result = o.Choice("result", nullable, outcomeChoices)
	b.Score = o.Score("score")
	b.Tags = decodeNotes(o, "tags")
	b.MailContent = o.String("mail_content", nullable)
	return b
}

func decodeVehicle(o object) VehicleRequest {
	return VehicleRequest{
		ID:         o.PK("id", 0),
		BrandModel: o.String("brand_model", required|notBlank),
		Price:      o.String("price", nullable),
		Km:         o.String("km", nullable),
		Year:       o.Int("year", nullable),
		Gas:        o.PK("gas", nullable),
		Sold:       o.Bool("sold", 0),
	}
}

func decodeClient(o object) ClientRequest {
	return ClientRequest{
		ID:       o.PK("id", 0),
		Name:     o.String("name", required|notBlank),
		Phone:    o.String("phone", nullable),
		Email:    o.String("email", nullable),
		Province: o.PK("province", nullable),
		Location: o.PK("location", nullable),
	}
}

func decodeTaskList(o object) TaskListRequest {
	b := TaskListRequest{ID: o.PK("id", 0)}
	items, st := o.List("task", 0)
	if st == present {
		ts := make([]TaskRequest, len(items))
		for i, it := range items {
			ts[i] = decodeTask(it, false)
			ts[i].ID = it.PK("id", 0)
		}
		b.Task = some(ts)
	}
	return b
}

// decodeTask reads a task: an item of request.task, or the body of the task
// endpoints (withLead on create).
func decodeTask(o object, withLead bool) TaskRequest {
	var b TaskRequest
	if withLead {
		b.Lead = o.PK("lead", required)
	}
	b.Type = o.Choice("type", 0, taskTypeChoices)
	b.Subtype = o.String("subtype", nullable)
	b.Description = o.String("description", nullable)
	b.Media = o.Choice("media", 0, mediaChoices)
	b.PlanifiedRealizationDate = o.Time("planified_realization_date", nullable)
	b.PlanifiedTrackingDate = o.Time("planified_tracking_date", nullable)
	b.RealizationDateCheck = o.Bool("realization_date_check", 0)
	b.TrackingDateCheck = o.Bool("tracking_date_check", 0)
	b.Note = decodeNotes(o, "note")
	switch a, st := o.Object("appraisal", nullable); st {
	case present:
		b.Appraisal = some(decodeAppraisal(a))
	case isNull:
		b.Appraisal = null[AppraisalRequest]()
	}
	return b
}

func decodeAppraisal(o object) AppraisalRequest {
	return AppraisalRequest{
		ID:           o.PK("id", 0),
		BrandModel:   o.String("brand_model", required|notBlank),
		LicensePlate: o.String("license_plate", nullable),
		Km:           o.String("km", nullable),
		Year:         o.Int("year", nullable),
		Gas:          o.PK("gas", nullable),
		Extras:       o.String("extras", nullable),
		Origin:       o.Choice("origin", nullable, appraisalOrigins),
	}
}

func decodeNotes(o object, key string) Opt[[]NoteRequest] {
	items, st := o.List(key, 0)
	if st != present {
		return Opt[[]NoteRequest]{}
	}
	ns := make([]NoteRequest, len(items))
	for i, it := range items {
		ns[i] = NoteRequest{ID: it.PK("id", 0), Content: it.String("content", required|notBlank)}
	}
	return some(ns)
}

func decodeLogin(o object) LoginRequest {
	return LoginRequest{
		Username: o.String("username", required|notBlank),
		Password: o.String("password", required|notBlank|noTrim),
	}
}

func decodeStatus(o object) StatusRequest {
	return StatusRequest{Status: o.Choice("status", required, stageChoices)}
}

func decodeClick2Call(o object) Click2CallRequest {
	return Click2CallRequest{Lead: o.PK("lead", required)}
}
