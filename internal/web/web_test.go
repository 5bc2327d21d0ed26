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

// TestStaticListsNoFolders: a folder of the assets answers 404, with or
// without its slash, and lists nothing.
func TestStaticListsNoFolders(t *testing.T) {
	h := Static()
	for _, path := range []string{"/static/", "/static/origins/", "/static/origins", "/static/origins/./"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != 404 || strings.Contains(rec.Body.String(), ".svg") {
			t.Errorf("GET %s = %d %q", path, rec.Code, rec.Body.String())
		}
	}
}
