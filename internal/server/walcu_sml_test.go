package server

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestWalcuAndSML: one core under both APIs. A lead created through SML
// is read and patched through Walcu as a salelead, and SML shows the
// change and has it in its history; a salelead created through Walcu is
// listed and read by SML, and a change SML makes is what Walcu reads.
func TestWalcuAndSML(t *testing.T) {
	h, _, fx := demoServer(t, nil)
	login := send(h, "POST", "/api/auth/login/", `{"username":"demo@example.com","password":"demo"}`)
	var tok struct{ Token string }
	if err := json.Unmarshal(login.Body.Bytes(), &tok); err != nil || tok.Token == "" {
		t.Fatalf("login: %s", login.Body)
	}
	sml := func(method, path, body string) map[string]any {
		t.Helper()
		rec := send(h, method, path, body, "Authorization", "Token "+tok.Token)
		if rec.Code >= 300 {
			t.Fatalf("SML %s %s: %d %s", method, path, rec.Code, rec.Body)
		}
		var out map[string]any
		_ = json.Unmarshal(rec.Body.Bytes(), &out)
		return out
	}
	base := fmt.Sprintf("/dealers/%d/", fx.DealerID)
	walcu := func(method, path, body string) any {
		t.Helper()
		rec := send(h, method, base+path, body, "Authorization", "Bearer "+tok.Token)
		if rec.Code != 200 {
			t.Fatalf("Walcu %s %s: %d %s", method, path, rec.Code, rec.Body)
		}
		var out any
		_ = json.Unmarshal(rec.Body.Bytes(), &out)
		return out
	}

	// SML creates; Walcu reads and patches
	created := sml("POST", "/api/lead/", fmt.Sprintf(`{"source": %d, "vehicle": {"brand_model": "Peugeot 308 GT", "price": "25.990 €"},
		"client": {"name": "Lucía", "phone": "655443322"}}`, fx.SourceIDs["phone"]))
	smlID := int64(created["id"].(float64))
	var publicID string
	for _, l := range walcu("GET", "saleleads?limit=50", "").([]any) {
		d := l.(map[string]any)
		if strings.HasPrefix(fmt.Sprint(d["car_list"]), "[map[car:map[make:Peugeot model:308 GT") {
			publicID = d["_id"].(string)
		}
	}
	if publicID == "" {
		t.Fatal("Walcu does not list the lead SML created")
	}
	got := walcu("GET", "saleleads/"+publicID, "").([]any)[0].(map[string]any)
	if got["status"].(map[string]any)["status"] != "new" {
		t.Fatalf("as a salelead: %v", got)
	}
	walcu("PATCH", "saleleads/"+publicID, `[{"op": "replace", "path": "/status/status", "value": "tracing"},
		{"op": "add", "path": "/custom", "value": "from walcu"}]`)
	lead := sml("GET", fmt.Sprintf("/api/lead/%d/", smlID), "")
	if lead["status"] != "tracing" || !strings.Contains(fmt.Sprint(lead["vehicle"]), "25.990 €") {
		t.Fatalf("SML after Walcu's patch: status %v, vehicle %v", lead["status"], lead["vehicle"])
	}
	hist := send(h, "GET", fmt.Sprintf("/api/lead_history/%d/get_history/", smlID), "", "Authorization", "Token "+tok.Token)
	if hist.Code != 200 || !strings.Contains(hist.Body.String(), "tracing") || !strings.Contains(hist.Body.String(), "from walcu") {
		t.Fatalf("SML's history has not Walcu's change: %s", hist.Body)
	}

	// Walcu creates; SML lists, reads and changes it; Walcu reads the change
	w := walcu("POST", "saleleads", `{"car_list": [{"car": {"make": "Kia", "model": "Ceed", "price": 19990}}],
		"origin": {"medium": "email"}, "inquiry": "hola"}`).(map[string]any)
	list := sml("GET", "/api/lead/?page_size=100", "")
	var wID int64
	for _, r := range list["results"].([]any) {
		m := r.(map[string]any)
		if strings.Contains(fmt.Sprint(m["vehicle"]), "Kia Ceed") {
			wID = int64(m["id"].(float64))
		}
	}
	if wID == 0 {
		t.Fatal("SML does not list the lead Walcu created")
	}
	sml("PATCH", fmt.Sprintf("/api/lead/%d/", wID), `{"status": "commercial_management"}`)
	again := walcu("GET", "saleleads/"+w["_id"].(string), "").([]any)[0].(map[string]any)
	if again["status"].(map[string]any)["status"] != "commercial_management" || again["inquiry"] != "hola" || again["__v"].(float64) != 1 {
		t.Fatalf("Walcu after SML's change: %v", again)
	}
}
