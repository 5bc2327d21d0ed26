package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// TestTextIsOneFormForEveryAPI: a text written decomposed ("Leo\u0301n",
// as macOS and some portals send it) and the same text precomposed
// ("León") are one text to every API: a client SML creates with the one
// is found by SML's search, by WQL's free word and field:value and by q's
// $eq with the other, both ways round, and a note written decomposed
// reads back in NFC through Walcu and LeanCore (docs/decisions.md, "One form for Unicode text").
func TestTextIsOneFormForEveryAPI(t *testing.T) {
	h, svc, fx := demoServer(t, nil)
	login := send(h, "POST", "/api/auth/login/", `{"username":"demo@example.com","password":"demo"}`)
	var tok struct{ Token string }
	if err := json.Unmarshal(login.Body.Bytes(), &tok); err != nil || tok.Token == "" {
		t.Fatalf("login: %s", login.Body)
	}
	call := func(method, path, body, auth string) any {
		t.Helper()
		rec := send(h, method, path, body, "Authorization", auth)
		if rec.Code >= 300 {
			t.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
		}
		var out any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, rec.Body)
		}
		return out
	}
	sml := func(method, path, body string) any { return call(method, path, body, "Token "+tok.Token) }
	base := fmt.Sprintf("/dealers/%d/", fx.DealerID)
	walcu := func(method, path, body string) any { return call(method, base+path, body, "Bearer "+tok.Token) }
	quote := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	smlClients := func(search string) []any {
		t.Helper()
		return sml("GET", "/api/clients/?search="+url.QueryEscape(search), "").(map[string]any)["results"].([]any)
	}
	walcuClients := func(param, value string) []any {
		t.Helper()
		return walcu("GET", "clients?"+url.Values{param: {value}}.Encode(), "").([]any)
	}
	nfd, nfc := "Leo\u0301n", "Le\u00f3n"
	if norm.NFC.String(nfd) != nfc || nfd == nfc {
		t.Fatal("the test's two spellings are not one text in two forms")
	}

	// SML writes decomposed; every search finds it precomposed. (WQL's
	// field:value and q on a client's name are tested below on a client
	// Walcu writes: a client SML made has no first_name of its own to
	// filter by, only its one name, split when Walcu reads it.)
	sml("POST", "/api/lead/", fmt.Sprintf(`{"source": %d, "vehicle": {"brand_model": %s},
		"client": {"name": %s, "phone": "655443399"}}`, fx.SourceIDs["phone"], quote("SEAT "+nfd), quote(nfd+" Zubizarreta")))
	for _, search := range []string{nfc, nfc + " Zubizarreta", strings.ToLower(nfc)} {
		if got := smlClients(search); len(got) != 1 || !strings.Contains(fmt.Sprint(got[0]), nfc+" Zubizarreta") {
			t.Errorf("SML clients ?search=%q: %v, want the client, named in NFC", search, got)
		}
	}
	if got := sml("GET", "/api/lead/?search="+url.QueryEscape(nfc), "").(map[string]any)["results"].([]any); len(got) != 1 ||
		!strings.Contains(fmt.Sprint(got[0]), "SEAT "+nfc) {
		t.Errorf("SML leads ?search=%q: %v, want the lead, its car in NFC", nfc, got)
	}
	if got := walcuClients("search", nfc); len(got) != 1 || !strings.Contains(fmt.Sprint(got[0]), "first_name:"+nfc) {
		t.Errorf("Walcu clients search=%q: %v, want the client, named in NFC", nfc, got)
	}
	for param, value := range map[string]string{
		"search":  nfc,
		"search ": "car.model:" + nfc,
		"q":       `{"car_list.car.model": {"$eq": "` + nfc + `"}}`,
		"q ":      `{"car_list.car.model": "` + nfc + `"}`,
	} {
		if got := walcu("GET", "saleleads?"+url.Values{strings.TrimSpace(param): {value}}.Encode(), "").([]any); len(got) != 1 {
			t.Errorf("Walcu saleleads %s=%s: %d leads, want 1", param, value, len(got))
		}
	}

	// Walcu writes precomposed; every search finds it decomposed
	walcu("POST", "clients", `{"primary_contact": {"name": {"first_name": "Ram\u00f3n", "last_name": "Ib\u00e1\u00f1ez"}, "phones": ["+34655443398"]}}`)
	ramon := "Ramo\u0301n"
	if got := smlClients(ramon); len(got) != 1 {
		t.Errorf("SML clients ?search=%q: %v, want the client Walcu wrote", ramon, got)
	}
	for param, value := range map[string]string{
		"search":  ramon,
		"search ": "primary_contact.name.first_name:" + ramon,
		"q":       `{"primary_contact.name.first_name": {"$eq": "` + ramon + `"}}`,
		"q ":      `{"primary_contact.name.last_name": "Iba\u0301n\u0303ez"}`,
	} {
		if got := walcuClients(strings.TrimSpace(param), value); len(got) != 1 {
			t.Errorf("Walcu clients %s=%s: %d clients, want 1", param, value, len(got))
		}
	}

	// a lead's note written decomposed reads back in NFC
	// (on the lead SML wrote, whose client's phone LeanCore looks up)
	lead := walcu("GET", "saleleads?"+url.Values{"search": {"car.model:" + nfc}}.Encode(), "").([]any)[0].(map[string]any)
	note := walcu("POST", "notes", `{"lead_id": "`+lead["_id"].(string)+`", "content": "llamar a `+nfd+` man\u0303ana"}`).(map[string]any)
	want := "llamar a " + nfc + " ma\u00f1ana"
	read := walcu("GET", "notes/"+fmt.Sprint(note["_id"]), "").([]any)[0].(map[string]any)
	if read["content"] != want {
		t.Errorf("Walcu's note reads back %q, want %q", read["content"], want)
	}
	if got := walcu("GET", "notes?"+url.Values{"search": {"ma\u00f1ana"}}.Encode(), "").([]any); len(got) != 1 {
		t.Errorf("Walcu notes search=mañana: %d notes, want 1", len(got))
	}
	if note["content"] != want {
		t.Errorf("Walcu's answer to the POST of the note: %q, want %q", note["content"], want)
	}
	key, _, err := svc.CreateAPIKey(context.Background(), fx.DealerID, nil, "nfc")
	if err != nil {
		t.Fatal(err)
	}
	if lc := call("GET", "/lead?phone=655443399", "", "Bearer "+key); !strings.Contains(fmt.Sprint(lc), "notes:["+want+"]") {
		t.Errorf("LeanCore's lead: %v, want its note %q", lc, want)
	}

	// Walcu's JSON Patch tests a text sent decomposed against the
	// document, stored composed
	rec := send(h, "PATCH", base+"notes/"+fmt.Sprint(note["_id"]), `[{"op": "test", "path": "/content", "value": "llamar a `+nfd+
		` man\u0303ana"}, {"op": "add", "path": "/custom", "value": "`+nfd+`"}]`, "Authorization", "Bearer "+tok.Token)
	var patched map[string]any
	if _ = json.Unmarshal(rec.Body.Bytes(), &patched); rec.Code != 200 || patched["custom"] != nfc {
		t.Errorf("Walcu PATCH with a test of the note's text decomposed: %d %s, want 200 and custom %q", rec.Code, rec.Body, nfc)
	}
}
