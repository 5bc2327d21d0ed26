package jsontext

import (
	"net/http"
	"strconv"
	"sync"
)

// buffers are Respond's, reused: a page of documents grew its buffer from
// nothing each time. One that grew past maxPooled is dropped.
var buffers = sync.Pool{New: func() any { return new([]byte) }}

const maxPooled = 1 << 20

// Respond answers status with v's JSON text as the body: encoded by
// Append, with encoding/json's Encoder's final newline, before anything is
// written, so that an encoding error is returned with nothing written
// (the caller answers it in its API's shape). The headers are
// Content-Type (contentType), Content-Length, and Cache-Control: no-store
// when noStore.
func Respond(w http.ResponseWriter, status int, contentType string, noStore bool, v any) error {
	bp := buffers.Get().(*[]byte)
	defer func() {
		if cap(*bp) <= maxPooled {
			buffers.Put(bp)
		}
	}()
	b, err := Append((*bp)[:0], v)
	*bp = b
	if err != nil {
		return err
	}
	b = append(b, '\n')
	*bp = b
	h := w.Header()
	h["Content-Type"] = []string{contentType}
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	if noStore {
		h["Cache-Control"] = []string{"no-store"}
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
	return nil
}
