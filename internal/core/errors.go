// Package core holds forecourt's domain: the types every API shares, the
// rules that govern them (status lifecycle, assignment, history, dealer
// isolation) and the Store interface the database adapters implement.
// It knows nothing of HTTP, JSON or SQL.
package core

import (
	"errors"
	"fmt"
	"sort"
	"time"
)

// Code classifies an Error. Each API maps codes to its own status codes and
// envelopes.
type Code string

// The error codes.
const (
	Invalid      Code = "invalid"
	NotFound     Code = "not_found"
	Conflict     Code = "conflict"
	Unauthorized Code = "unauthorized"
	Forbidden    Code = "forbidden"
	Internal     Code = "internal"
	// Unavailable: something the request needs cannot answer now (the
	// database is down, overloaded or too slow; the telephony bridge is
	// missing); the client may retry after RetryAfter.
	Unavailable Code = "unavailable"
)

// Error is the one error type of the domain. Message is safe to show to a
// client. Fields holds per-field messages keyed by a dotted core path such as
// "vehicle.brand_model" or "tasks.0.appraisal" (see FieldPath).
type Error struct {
	Code    Code
	Message string
	Fields  map[string]string
	// RetryAfter is how long a Throttled or Unavailable client should wait.
	RetryAfter time.Duration
	// of is the sentinel error this one is an instance of (see Is): the
	// same error about another field.
	of *Error
}

// Is reports whether e is target or an instance of the sentinel target
// (ErrStaleVersion naming a nested element's version, for example), so
// that errors.Is recognises it.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t != nil && (e == t || e.of == t)
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("%s: %s", e.Code, e.Message)
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	s := string(e.Code) + ": " + e.Message
	for _, k := range keys {
		s += fmt.Sprintf("; %s: %s", k, e.Fields[k])
	}
	return s
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrNotFound is the canonical not-found error. Use errors.Is(err, ...) only
// through ErrorCode; callers should not compare messages.
func errNotFound(what string) *Error {
	return &Error{Code: NotFound, Message: what + " not found"}
}

// FieldErrors collects per-field validation messages. The zero value is ready
// to use; Err returns nil when nothing was added.
type FieldErrors map[string]string

// Add records msg for path unless one is already recorded there.
func (f FieldErrors) Add(path, msg string) {
	if _, ok := f[path]; !ok {
		f[path] = msg
	}
}

// Err returns an Invalid *Error holding the collected messages, or nil.
func (f FieldErrors) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: "invalid input", Fields: map[string]string(f)}
}

// ErrorCode returns the Code of err, Internal for errors that are not *Error.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// ErrorMessage returns the client-safe message of err. Errors that are not
// *Error never reveal their text.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// Field-level messages used across the core. API packages translate them into
// their own language and wording by looking at these constants.
const (
	MsgRequired      = "required"
	MsgNotExist      = "does_not_exist"
	MsgInvalidChoice = "invalid_choice"
	MsgInvalid       = "invalid"
	MsgOutOfRange    = "out_of_range" // a number outside [MinYear, MaxYear], a list longer than MaxItems
	MsgTooLong       = "too_long"     // longer than the field's limit (MaxShortText, MaxLongText, MaxPhone, MaxPlate)
	MsgNullCharacter = "null_character"
	MsgNotInProvince = "not_in_province" // a client's locality is not of the client's province
	MsgNoPhone       = "no_phone"        // a call asked for a lead whose client has no phone
	MsgStaleVersion  = "stale_version"   // the version given is not the record's any more (see ErrStaleVersion)
	MsgDuplicate     = "duplicate"       // the dealer has a client with this key already (one client per person)
	MsgInUse         = "in_use"          // the record is still referred to (a client with leads)
)

// The limits the core enforces on what it stores, exported so that an API
// can word its messages ("no more than 255 characters") without copying
// them. Lengths count characters, not bytes.
const (
	MaxShortText = 255   // names, models, prices, e-mails, subtypes…
	MaxLongText  = 10000 // notes, descriptions, appraisal extras, mail content
	MaxPhone     = 40    // a client's phone as given
	MaxPlate     = 20    // an appraised vehicle's licence plate
	MaxItems     = 200   // tasks, notes or tags on one lead or task
	MinYear      = 1900  // the earliest year of a vehicle
	MaxYear      = 2100  // the latest year of a vehicle
)

// Errors an API may need to tell apart from others of the same code. Compare
// them with errors.Is, never by their message.
var (
	// ErrCallRefused is Click2Call's answer when the telephony bridge
	// refuses or fails to place the call.
	ErrCallRefused = &Error{Code: Conflict, Message: "the telephony bridge refused the call"}
	// ErrNoDialer is Click2Call's answer when the server has no telephony
	// bridge configured.
	ErrNoDialer = &Error{Code: Unavailable, Message: "no telephony bridge configured"}
	// ErrStaleVersion answers a change that carried the version of the
	// record it read (a lead, task, note, client or appointment) when the
	// record has changed since: nothing is changed. Its field is
	// "version"; for an element nested in a lead patch it is the element's
	// ("notes.2.version"), still recognised by errors.Is.
	ErrStaleVersion = &Error{Code: Conflict, Message: "the record has changed since it was read",
		Fields: map[string]string{"version": MsgStaleVersion}}
	// ErrOutcomeUnknown is wrapped by a store's error when the connection
	// broke while a COMMIT was in flight: the write may or may not have
	// been stored, and retrying it could store it twice. Background work
	// that is idempotent or leased (the job runner, the sweeps) meets it
	// in an outage and tries again later: it is a warning there, not an
	// error.
	ErrOutcomeUnknown = errors.New("outcome unknown")
)

// staleAt returns ErrStaleVersion, or its instance naming the version of
// the element at path ("tasks.0"; "" for the record itself).
func staleAt(path string) error {
	if path == "" {
		return ErrStaleVersion
	}
	return &Error{Code: Conflict, Message: ErrStaleVersion.Message, Fields: map[string]string{path + ".version": MsgStaleVersion}, of: ErrStaleVersion}
}

// checkVersion answers the stale-version error of the element at path
// when want (the version the caller read; 0: none given) is not have.
func checkVersion(path string, want, have int) error {
	if want != 0 && want != have {
		return staleAt(path)
	}
	return nil
}
