package adf_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"forecourt/internal/store"
	"forecourt/internal/testkit"

	"golang.org/x/text/encoding/charmap"
)

// TestRefused: bad and hostile documents answer a 4xx XML error naming
// what is wrong, and store nothing.
func TestRefused(t *testing.T) {
	bomb := `<?xml version="1.0"?><!DOCTYPE adf [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">` +
		`<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><adf><prospect><customer><comments>&c;</comments></customer></prospect></adf>`
	deep := "<adf><prospect>" + strings.Repeat("<x>", 100) + strings.Repeat("</x>", 100) + "</prospect></adf>"
	big := "<adf><prospect><customer><comments>" + strings.Repeat("a", 1<<20) + "</comments></customer></prospect></adf>"
	many := "<adf><prospect>" + strings.Repeat("<x/>", 5000) + "</prospect></adf>"
	latin1Bad := strings.Replace(sample, "UTF-8", "EBCDIC-US", 1)
	utf16 := strings.Replace(sample, "UTF-8", "UTF-16", 1)
	noContact := strings.NewReplacer("<email>lucia.adf@example.com</email>", "", `<phone type="cellphone">+34 612 345 678</phone>`, "").Replace(sample)
	badInterest := strings.Replace(sample, `interest="buy"`, `interest="steal"`, 1)
	noVehicle := strings.Replace(sample, "<make>Toyota</make><model>Corolla</model>", "", 1)
	badUTF8 := strings.Replace(sample, "Lucía", "Luc\xeda", 1) // Latin-1 bytes in a UTF-8 document
	cases := []struct {
		name, body string
		code       int
		says       string
	}{
		{"doctype bomb", bomb, 400, "DOCTYPE"},
		{"deep nesting", deep, 400, "deeper"},
		{"1 MB body", big, 413, "larger"},
		{"too many elements", many, 400, "elements"},
		{"unknown encoding", latin1Bad, 400, "encoding"},
		{"UTF-16 declared", utf16, 400, "encoding"},
		{"invalid UTF-8", badUTF8, 400, "malformed"},
		{"malformed", "<adf><prospect></adf>", 400, "malformed"},
		{"not adf", "<lead/>", 400, "root element"},
		{"empty", "", 400, "malformed"},
		{"no prospect", "<adf/>", 400, "prospect"},
		{"eleven prospects", "<adf>" + strings.Repeat("<prospect/>", 11) + "</adf>", 400, "at most 10"},
		{"no phone nor e-mail", noContact, 400, "neither a phone nor an e-mail"},
		{"unknown interest", badInterest, 400, "unknown interest"},
		{"no vehicle", noVehicle, 400, "vehicle"},
		{"bad e-mail", strings.Replace(sample, "lucia.adf@example.com", "not-an-email", 1), 400, "client.email"},
	}
	testkit.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnvOn(t, st)
		before := e.leads(e.fx.DealerID)
		for _, c := range cases {
			code, body := e.post(e.esKey, c.body)
			if code != c.code || !strings.Contains(body, "<error>") || !strings.Contains(body, c.says) {
				t.Errorf("%s: %d %s, want %d naming %q", c.name, code, body, c.code, c.says)
			}
		}
		if code, _ := e.post("", sample); code != http.StatusUnauthorized {
			t.Errorf("no credential: %d", code)
		}
		if code, _ := e.post("nope", sample); code != http.StatusUnauthorized {
			t.Errorf("bad credential: %d", code)
		}
		r := httptest.NewRequest(http.MethodGet, "/adf", nil)
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, r)
		if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "POST" || !strings.Contains(rec.Body.String(), "<error>") {
			t.Errorf("GET /adf: %d %q %s", rec.Code, rec.Header().Get("Allow"), rec.Body)
		}
		if n := e.leads(e.fx.DealerID); n != before {
			t.Fatalf("%d leads after refused documents, want %d", n, before)
		}
	})
}

// TestLatin1: a document declared ISO-8859-1 or windows-1252 is read in
// that encoding.
func TestLatin1(t *testing.T) {
	testkit.Engines(t, func(t *testing.T, st *store.Store) {
		e := newEnvOn(t, st)
		for i, enc := range []string{"ISO-8859-1", "windows-1252"} {
			doc, err := charmap.ISO8859_1.NewEncoder().String(strings.NewReplacer("UTF-8", enc, "ABC-123", "L1-"+enc, "lucia.adf", "l"+string(rune('a'+i))).Replace(sample))
			if err != nil {
				t.Fatal(err)
			}
			a := e.result(e.esKey, doc, http.StatusCreated)
			if l := e.lead(a.Prospects[0].ID); l.Client == nil || l.Client.Name != "Lucía Pérez Gómez" {
				t.Fatalf("%s: client %+v", enc, l.Client)
			}
		}
	})
}
