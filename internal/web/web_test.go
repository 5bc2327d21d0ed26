package web

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestStaticServesOriginIcons(t *testing.T) {
	h := Static()
	for _, name := range []string{"web", "coches-net", "showroom"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/static/origins/"+name+".svg", nil))
		if rec.Code != 200 || !strings.Contains(rec.Header().Get("Content-Type"), "svg") || !strings.HasPrefix(rec.Body.String(), "<svg") {
			t.Errorf("%s icon = %d %q", name, rec.Code, rec.Header().Get("Content-Type"))
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/static/nope.svg", nil))
	if rec.Code != 404 {
		t.Errorf("missing asset = %d", rec.Code)
	}
}
