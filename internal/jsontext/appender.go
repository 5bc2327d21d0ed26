package jsontext

import "reflect"

// Appender is a value that writes its own JSON text: byte for byte what
// encoding/json's Encoder with SetEscapeHTML(false) writes for it (without
// the final newline), and an error where encoding/json has one. Append
// and Respond write such a value through AppendJSON instead of through
// encoding/json's reflection; encoding/json itself ignores the method, so
// a value holding an Appender is still written the same.
//
// An Appender's tests must show its text is encoding/json's, for every
// field: AppendJSON is a second writing of the type that reflection does
// not check.
type Appender interface {
	AppendJSON(dst []byte) ([]byte, error)
}

// AppendString appends s as a JSON string, as encoding/json writes it
// without HTML escaping (see appendString).
func AppendString(dst []byte, s string) []byte { return appendString(dst, s) }

// AppendFloat64 appends f as encoding/json writes a float64; NaN and the
// infinities are encoding/json's error.
func AppendFloat64(dst []byte, f float64) ([]byte, error) { return appendFloat(dst, f, 64) }

// appendAppender writes a through its AppendJSON; a nil pointer (whose
// AppendJSON, promoted from a value receiver, would panic) is null, as
// encoding/json writes it.
func appendAppender(dst []byte, a Appender) ([]byte, error) {
	if rv := reflect.ValueOf(a); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return append(dst, "null"...), nil
	}
	start := len(dst)
	out, err := a.AppendJSON(dst)
	if err != nil {
		return out[:start], err
	}
	return out, nil
}
