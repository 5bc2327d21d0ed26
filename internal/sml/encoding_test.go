package sml

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// TestHostileText covers text no database stores and bodies in other
// encodings: each is refused in DRF's shape or decoded, never stored
// mangled, never a 500.
func TestHostileText(t *testing.T) {
	e := newEnv(t, 0)
	before := e.leadCount()

	for _, target := range []string{
		"/api/lead/?search=ab%00cd", "/api/lead/?client__phone__icontains=a%00b", "/api/lead/?client__email__icontains=%00",
		"/api/clients/?name__icontains=%00", "/api/user/?search=%00", "/api/provinces/?country=28&search=%00",
		"/api/localities/?search=%00", "/api/concessionaire/?search=%00", "/api/source/?search=%00",
		"/api/lead/?search=%ff",
	} {
		r := e.do("GET", target, nil)
		if r.status != 400 {
			t.Errorf("GET %s = %s, want 400", target, r)
		}
	}
	r := e.do("GET", "/api/lead/?search=ab%00cd", nil)
	if !strings.Contains(string(r.body), `"search":["No se permiten caracteres nulos."]`) {
		t.Errorf("NUL in search = %s", r)
	}

	for name, body := range map[string]string{
		"NUL in brand_model": `{"source":1,"vehicle":{"brand_model":"a\u0000b"}}`,
		"NUL in a note":      `{"source":1,"vehicle":{"brand_model":"a"},"note":[{"content":"x\u0000"}]}`,
		"invalid UTF-8":      "{\"source\":1,\"vehicle\":{\"brand_model\":\"\xff\xfe\"}}",
	} {
		if r := e.do("POST", "/api/lead/", body); r.status != 400 {
			t.Errorf("%s: %s, want 400", name, r)
		}
	}
	if r := e.req("", "POST", "/api/auth/login/", `{"username":"demo\u0000","password":"x"}`); r.status != 400 {
		t.Errorf("NUL in login = %s", r)
	}
	if got := e.leadCount(); got != before {
		t.Fatalf("refused bodies created leads: %d → %d", before, got)
	}

	// a Latin-1 body that says so is decoded
	latin1 := []byte("{\"source\":1,\"vehicle\":{\"brand_model\":\"x\"},\"client\":{\"name\":\"Mu\xf1oz Pe\xf1a\"}}")
	r = e.req(e.token, "POST", "/api/lead/", latin1, "Content-Type", "application/json; charset=iso-8859-1")
	if r.status != 201 {
		t.Fatalf("Latin-1 body = %s", r)
	}
	var lead struct{ Client struct{ Name string } }
	if err := json.Unmarshal(r.body, &lead); err != nil || lead.Client.Name != "Muñoz Peña" {
		t.Errorf("Latin-1 name stored as %q", lead.Client.Name)
	}
	if r := e.req(e.token, "POST", "/api/lead/", `{}`, "Content-Type", "application/json; charset=klingon"); r.status != 400 {
		t.Errorf("unknown charset = %s", r)
	}
}

// TestFormBodies checks that form and multipart bodies work where a flat
// body does, as with DRF's default parsers.
func TestFormBodies(t *testing.T) {
	e := newEnv(t, 0)
	r := e.req("", "POST", "/api/auth/login/", "username=demo%40example.com&password=demo", "Content-Type", "application/x-www-form-urlencoded")
	if r.status != 200 || !strings.Contains(string(r.body), `"token"`) {
		t.Fatalf("form login = %s", r)
	}
	mp := "--XYZ\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\ndemo@example.com\r\n" +
		"--XYZ\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\ndemo\r\n--XYZ--\r\n"
	r = e.req("", "POST", "/api/auth/login/", mp, "Content-Type", "multipart/form-data; boundary=XYZ")
	if r.status != 200 {
		t.Fatalf("multipart login = %s", r)
	}
	lead := e.createLead(e.minimalLead())
	id := int(lead["id"].(float64))
	r = e.req(e.token, "PATCH", "/api/lead/"+strconv.Itoa(id)+"/change_status/", "status=tracing", "Content-Type", "application/x-www-form-urlencoded")
	if r.status != 200 || !strings.Contains(string(r.body), `"status":"tracing"`) {
		t.Errorf("form change_status = %s", r)
	}
	// curl -d sends JSON as a form unless told otherwise
	r = e.req("", "POST", "/api/auth/login/", `{"username":"demo@example.com","password":"demo"}`, "Content-Type", "application/x-www-form-urlencoded")
	if r.status != 200 {
		t.Errorf("JSON sent as a form = %s", r)
	}
	r = e.req("", "POST", "/api/auth/login/", "username=demo%40example.com&password=wrong", "Content-Type", "application/x-www-form-urlencoded")
	if r.status != 400 {
		t.Errorf("form bad login = %s", r)
	}
}

// TestRepeatedQueryParameters checks that a repeated filter takes its last
// value, as DRF reads query parameters.
func TestRepeatedQueryParameters(t *testing.T) {
	e := newEnv(t, 0)
	lead := e.minimalLead()
	lead["client"] = map[string]any{"name": "Zacarías Repetido", "phone": "611000111"}
	e.createLead(lead)
	r := e.do("GET", "/api/lead/?search=nadie&search=Zacar%C3%ADas", nil)
	if r.status != 200 || !strings.Contains(string(r.body), `"count":1`) {
		t.Errorf("last search value = %s", r)
	}
	r = e.do("GET", "/api/lead/?search=Zacar%C3%ADas&search=nadie", nil)
	if r.status != 200 || !strings.Contains(string(r.body), `"count":0`) {
		t.Errorf("first search value won: %s", r)
	}
}

// TestMalformedQueryEscapes checks that a query whose percent-escape is
// malformed is refused, naming the parameter, on every list: Go's
// url.ParseQuery drops such a pair, so that ?search=%zz and ?status=%zz
// listed every lead. A ";" is text, as Django reads it, not a separator
// whose pair Go would drop too.
func TestMalformedQueryEscapes(t *testing.T) {
	e := newEnv(t, 3)
	for target, field := range map[string]string{
		"/api/lead/?search=%zz":                          "search",
		"/api/lead/?status=%zz":                          "status",
		"/api/lead/?status=new&status=%zz":               "status",
		"/api/lead/?client__phone__icontains=61%2":       "client__phone__icontains",
		"/api/lead/?page_size=5&search=%":                "search",
		"/api/lead/?%zz=1":                               "%zz",
		"/api/clients/?name__icontains=%g1":              "name__icontains",
		"/api/user/?search=%zz":                          "search",
		"/api/provinces/?country=28&search=%zz":          "search",
		"/api/localities/?search=Madrid%":                "search",
		"/api/concessionaire/?search=%zz":                "search",
		"/api/source/?search=%zz":                        "search",
		"/api/lead_history/1/get_history/?page=%zz":      "page",
		"/api/lead/?concessionaire__in=1&ordering=-id%z": "ordering",
	} {
		r := e.do("GET", target, nil)
		if r.status != 400 {
			t.Errorf("GET %s = %s, want 400", target, r)
			continue
		}
		want := map[string]any{field: []any{msgBadEscape}}
		if got := r.obj(t); !equalJSON(got, want) {
			t.Errorf("GET %s = %s, want %v", target, r.body, want)
		}
	}
	r := e.do("GET", "/api/lead/?search=nadie;ni%20nada", nil)
	if r.status != 200 || !strings.Contains(string(r.body), `"count":0`) {
		t.Errorf("a search with a semicolon = %s, want no lead", r)
	}
	r = e.do("GET", "/api/lead/?search=%25zz&status=new", nil)
	if r.status != 200 {
		t.Errorf("an escaped percent = %s", r)
	}
}

func equalJSON(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// TestLoneSurrogates checks that text escaping a lone UTF-16 surrogate is
// refused, naming the field, as DRF's CharField refuses it: encoding/json
// reads it as U+FFFD, and stored so it was another text than the one sent.
// A surrogate pair is a character like any other.
func TestLoneSurrogates(t *testing.T) {
	e := newEnv(t, 0)
	before := e.leadCount()
	for _, tc := range []struct {
		method, target, body, want string
	}{
		{"POST", "/api/lead/", `{"source":1,"vehicle":{"brand_model":"a"},"client":{"name":"\ud800x"}}`,
			`{"client":{"name":["No se permiten caracteres sustitutos: U+D800."]}}`},
		{"POST", "/api/lead/", `{"source":1,"vehicle":{"brand_model":"\udfff"}}`,
			`{"vehicle":{"brand_model":["No se permiten caracteres sustitutos: U+DFFF."]}}`},
		{"POST", "/api/lead/", `{"source":1,"vehicle":{"brand_model":"a"},"note":[{"content":"ok"},{"content":"\ud83d\u0041"}]}`,
			`{"note":[{},{"content":["No se permiten caracteres sustitutos: U+D83D."]}]}`},
		{"POST", "/api/lead/", `{"source":1,"vehicle":{"brand_model":"a"},"tags":[{"content":"x\\\ud800"}]}`,
			`{"tags":[{"content":["No se permiten caracteres sustitutos: U+D800."]}]}`},
		{"PATCH", "/api/lead/1/", `{"mail_content":"hola \udc00"}`,
			`{"mail_content":["No se permiten caracteres sustitutos: U+DC00."]}`},
		{"POST", "/api/auth/login/", `{"username":"demo@example.com\ud800","password":"demo"}`,
			`{"username":["No se permiten caracteres sustitutos: U+D800."]}`},
	} {
		var r resp
		if tc.target == "/api/auth/login/" {
			r = e.req("", tc.method, tc.target, tc.body)
		} else {
			r = e.do(tc.method, tc.target, tc.body)
		}
		if r.status != 400 || strings.TrimSpace(string(r.body)) != tc.want {
			t.Errorf("%s %s %s = %s, want 400 %s", tc.method, tc.target, tc.body, r, tc.want)
		}
	}
	if got := e.leadCount(); got != before {
		t.Fatalf("refused bodies created leads: %d → %d", before, got)
	}
	lead := e.createLead(map[string]any{"source": 1, "vehicle": map[string]any{"brand_model": "a"}, "client": map[string]any{"name": "x"}})
	id := strconv.Itoa(int(lead["id"].(float64)))
	r := e.do("PATCH", "/api/lead/"+id+"/", `{"client":{"name":"Smiley \uD83D\uDE00 \\ud800"}}`)
	if r.status != 200 || path(r.obj(t), "client", "name") != `Smiley 😀 \ud800` {
		t.Errorf("a surrogate pair and an escaped backslash = %s", r)
	}
}

// TestDatesPythonCanRead checks that a date-time is refused when it would
// render outside the years 1–9999 in the dealer's time zone (or in UTC),
// with DRF's "overflow" message, and that one before 1901, when Madrid's
// offset was −00:14:44, renders that offset whole and reads back.
func TestDatesPythonCanRead(t *testing.T) {
	e := newEnv(t, 0)
	// swagger.json's date-times are RFC 3339, whose offsets have no seconds
	// (see docs/sml.md, Rendering)
	e.noSchema = true
	lead := e.createLead(e.minimalLead())
	id := int(lead["id"].(float64))
	task := func(date string) resp {
		return e.do("POST", "/api/lead_task_create/", fmt.Sprintf(`{"lead": %d, "type": "date", "planified_realization_date": %q}`, id, date))
	}
	for _, date := range []string{
		"9999-12-31T23:59:59Z",      // 10000-01-01T00:59:59+01:00 in Madrid
		"9999-12-31T23:30:00-01:00", // year 10000 in UTC
		"0001-01-01T00:00:00+01:00", // year 0 in UTC
	} {
		r := task(date)
		if r.status != 400 || strings.TrimSpace(string(r.body)) != `{"planified_realization_date":["Valor de fecha/hora fuera de rango."]}` {
			t.Errorf("%s = %s, want 400 overflow", date, r)
		}
	}
	for _, date := range []string{"0000-06-01T10:00Z", "10000-01-01T00:00Z"} {
		r := task(date)
		if r.status != 400 || !strings.Contains(string(r.body), msgDatetime) {
			t.Errorf("%s = %s, want 400 wrong format", date, r)
		}
	}
	for date, want := range map[string]string{
		"9999-12-31T23:59:59":  "9999-12-31T23:59:59+01:00", // naive: Madrid's
		"0001-01-01T00:00:00":  "0001-01-01T00:00:00-00:14:44",
		"1890-03-01T12:00:00Z": "1890-03-01T11:45:16-00:14:44",
	} {
		r := want201(t, task(date))
		got := r.obj(t)["planified_realization_date"]
		if got != want {
			t.Errorf("%s renders %v, want %s", date, got, want)
			continue
		}
		// what it answered reads back as the same instant
		tid := int(r.obj(t)["id"].(float64))
		p := e.do("PATCH", fmt.Sprintf("/api/task/%d/", tid), fmt.Sprintf(`{"planified_realization_date": %q}`, want))
		if p.status != 200 || p.obj(t)["planified_realization_date"] != want {
			t.Errorf("PATCH back %s = %s", want, p)
		}
	}
}

func want201(t *testing.T, r resp) resp {
	t.Helper()
	if r.status != 201 {
		t.Fatalf("status %d, want 201: %s", r.status, r.body)
	}
	return r
}
