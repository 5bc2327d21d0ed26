package jsontext

import (
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

func TestRespond(t *testing.T) {
	big := strings.Repeat("x", maxPooled+1) // a buffer too large to keep
	for _, tc := range []struct {
		v       any
		noStore bool
		body    string
	}{
		{map[string]any{"b": "<&>", "a": []any{1, nil}}, true, `{"a":[1,null],"b":"<&>"}` + "\n"},
		{[]any{big}, false, `["` + big + `"]` + "\n"},
		{"after the big one", false, `"after the big one"` + "\n"},
	} {
		rec := httptest.NewRecorder()
		if err := Respond(rec, http.StatusCreated, "application/json; charset=utf-8", tc.noStore, tc.v); err != nil {
			t.Fatal(err)
		}
		if rec.Code != http.StatusCreated || rec.Body.String() != tc.body {
			t.Errorf("Respond: %d %.40q; want 201 %.40q", rec.Code, rec.Body.String(), tc.body)
		}
		h := rec.Header()
		if h.Get("Content-Type") != "application/json; charset=utf-8" || h.Get("Content-Length") != strconv.Itoa(len(tc.body)) ||
			(h.Get("Cache-Control") == "no-store") != tc.noStore {
			t.Errorf("Respond: headers %v", h)
		}
	}
	rec := httptest.NewRecorder()
	if err := Respond(rec, http.StatusOK, "application/json", true, map[string]any{"x": math.Inf(1)}); err == nil {
		t.Fatal("Respond of an infinity: no error")
	}
	if rec.Body.Len() != 0 || len(rec.Header()) != 0 {
		t.Errorf("Respond with an error wrote %v %q", rec.Header(), rec.Body.String())
	}
}
