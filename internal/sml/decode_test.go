package sml

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

var madrid = mustLoad("Europe/Madrid")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// decodeLeadBody runs the decoder as the lead handlers do and returns the
// request and the error body (empty when none).
func decodeLeadBody(t *testing.T, body string, partial bool) (LeadRequest, int, string) {
	t.Helper()
	m, err := parseObject([]byte(body))
	if err != nil {
		return LeadRequest{}, statusOf(t, err), bodyOf(t, err)
	}
	d := newDecoder(partial, func() *time.Location { return madrid })
	b := decodeLead(d.root(m))
	if err := d.err(); err != nil {
		return b, statusOf(t, err), bodyOf(t, err)
	}
	return b, 0, ""
}

func statusOf(t *testing.T, err error) int {
	t.Helper()
	var ae *apiError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not an *apiError", err)
	}
	return ae.status
}

func bodyOf(t *testing.T, err error) string {
	t.Helper()
	var ae *apiError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not an *apiError", err)
	}
	b, jerr := json.Marshal(ae.body)
	if jerr != nil {
		t.Fatal(jerr)
	}
	return string(b)
}

// sameJSON reports whether two JSON texts hold the same value.
func sameJSON(t *testing.T, a, b string) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal([]byte(a), &x); err != nil {
		t.Fatalf("bad JSON %q: %v", a, err)
	}
	if err := json.Unmarshal([]byte(b), &y); err != nil {
		t.Fatalf("bad JSON %q: %v", b, err)
	}
	return reflect.DeepEqual(x, y)
}

func TestDecodeLeadErrors(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		partial bool
		want    string
	}{
		{"empty body on create", ``, false,
			`{"source":["Este campo es requerido."],"vehicle":["Este campo es requerido."]}`},
		{"brand_model required", `{"source":1,"vehicle":{}}`, false,
			`{"vehicle":{"brand_model":["Este campo es requerido."]}}`},
		{"brand_model blank", `{"source":1,"vehicle":{"brand_model":"  "}}`, false,
			`{"vehicle":{"brand_model":["Este campo no puede estar en blanco."]}}`},
		{"brand_model not a string", `{"source":1,"vehicle":{"brand_model":true}}`, false,
			`{"vehicle":{"brand_model":["Se requiere una cadena de texto válida."]}}`},
		{"vehicle not an object", `{"source":1,"vehicle":"SEAT"}`, false,
			`{"vehicle":{"non_field_errors":["Datos inválidos. Se esperaba un diccionario pero se recibió str."]}}`},
		{"vehicle null", `{"source":1,"vehicle":null}`, false,
			`{"vehicle":["Este campo no puede ser nulo."]}`},
		{"source of the wrong type", `{"source":"abc","vehicle":{"brand_model":"x"}}`, false,
			`{"source":["Tipo incorrecto. Se esperaba valor de clave primaria y se recibió str."]}`},
		{"source bool", `{"source":true,"vehicle":{"brand_model":"x"}}`, false,
			`{"source":["Tipo incorrecto. Se esperaba valor de clave primaria y se recibió bool."]}`},
		{"source float", `{"source":1.5,"vehicle":{"brand_model":"x"}}`, false,
			`{"source":["Tipo incorrecto. Se esperaba valor de clave primaria y se recibió float."]}`},
		{"source zero", `{"source":0,"vehicle":{"brand_model":"x"}}`, false,
			`{"source":["Clave primaria \"0\" inválida - objeto no existe."]}`},
		{"source null", `{"source":null,"vehicle":{"brand_model":"x"}}`, false,
			`{"source":["Este campo no puede ser nulo."]}`},
		{"year not an integer", `{"source":1,"vehicle":{"brand_model":"x","year":"dos mil"}}`, false,
			`{"vehicle":{"year":["Se requiere un número entero válido."]}}`},
		{"year fraction", `{"source":1,"vehicle":{"brand_model":"x","year":2008.5}}`, false,
			`{"vehicle":{"year":["Se requiere un número entero válido."]}}`},
		{"sold not a boolean", `{"source":1,"vehicle":{"brand_model":"x","sold":"quizá"}}`, false,
			`{"vehicle":{"sold":["Se requiere un booleano válido."]}}`},
		{"unknown status", `{"source":1,"vehicle":{"brand_model":"x"},"status":"open"}`, false,
			`{"status":["\"open\" no es una elección válida."]}`},
		{"unknown result", `{"result":"won"}`, true,
			`{"result":["\"won\" no es una elección válida."]}`},
		{"score out of range", `{"score":5}`, true,
			`{"score":["\"5\" no es una elección válida."]}`},
		{"score zero string", `{"score":"0"}`, true,
			`{"score":["\"0\" no es una elección válida."]}`},
		{"client name required", `{"source":1,"vehicle":{"brand_model":"x"},"client":{"phone":"6"}}`, false,
			`{"client":{"name":["Este campo es requerido."]}}`},
		{"client province of the wrong type", `{"client":{"province":[1]}}`, true,
			`{"client":{"province":["Tipo incorrecto. Se esperaba valor de clave primaria y se recibió list."]}}`},
		{"note not a list", `{"note":"hola"}`, true,
			`{"note":{"non_field_errors":["Se esperaba una lista de elementos pero se obtuvo el tipo \"str\"."]}}`},
		{"note item not an object", `{"note":[{"content":"a"},"b"]}`, true,
			`{"note":[{},{"non_field_errors":["Datos inválidos. Se esperaba un diccionario pero se recibió str."]}]}`},
		{"note content blank", `{"source":1,"vehicle":{"brand_model":"x"},"note":[{"content":""}]}`, false,
			`{"note":[{"content":["Este campo no puede estar en blanco."]}]}`},
		{"tags content required", `{"source":1,"vehicle":{"brand_model":"x"},"tags":[{"content":"a"},{}]}`, false,
			`{"tags":[{},{"content":["Este campo es requerido."]}]}`},
		{"task type unknown", `{"request":{"task":[{},{"type":"x"}]}}`, true,
			`{"request":{"task":[{},{"type":["\"x\" no es una elección válida."]}]}}`},
		{"task media unknown", `{"request":{"task":[{"media":"Fax"}]}}`, true,
			`{"request":{"task":[{"media":["\"Fax\" no es una elección válida."]}]}}`},
		{"task media in core's words", `{"request":{"task":[{"media":"phone"}]}}`, true,
			`{"request":{"task":[{"media":["\"phone\" no es una elección válida."]}]}}`},
		{"task date malformed", `{"request":{"task":[{"planified_realization_date":"mañana"}]}}`, true,
			`{"request":{"task":[{"planified_realization_date":["Fecha/hora con formato erróneo. Use uno de los siguientes formatos en su lugar: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."]}]}}`},
		{"task date a number", `{"request":{"task":[{"planified_tracking_date":20190509}]}}`, true,
			`{"request":{"task":[{"planified_tracking_date":["Fecha/hora con formato erróneo. Use uno de los siguientes formatos en su lugar: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."]}]}}`},
		{"task list not a list", `{"request":{"task":{}}}`, true,
			`{"request":{"task":{"non_field_errors":["Se esperaba una lista de elementos pero se obtuvo el tipo \"dict\"."]}}}`},
		{"appraisal brand_model required", `{"source":1,"vehicle":{"brand_model":"x"},"request":{"task":[{"type":"appraisal","appraisal":{"km":"1"}}]}}`, false,
			`{"request":{"task":[{"appraisal":{"brand_model":["Este campo es requerido."]}}]}}`},
		{"appraisal origin unknown", `{"request":{"task":[{"appraisal":{"origin":"mars"}}]}}`, true,
			`{"request":{"task":[{"appraisal":{"origin":["\"mars\" no es una elección válida."]}}]}}`},
		{"task note content not a string", `{"request":{"task":[{"note":[{"content":{}}]}]}}`, true,
			`{"request":{"task":[{"note":[{"content":["Se requiere una cadena de texto válida."]}]}]}}`},
		{"nested id of the wrong type", `{"vehicle":{"id":"uno"}}`, true,
			`{"vehicle":{"id":["Tipo incorrecto. Se esperaba valor de clave primaria y se recibió str."]}}`},
		{"several errors at once", `{"source":"x","vehicle":{"brand_model":"","year":"y"},"status":"z"}`, false,
			`{"source":["Tipo incorrecto. Se esperaba valor de clave primaria y se recibió str."],"vehicle":{"brand_model":["Este campo no puede estar en blanco."],"year":["Se requiere un número entero válido."]},"status":["\"z\" no es una elección válida."]}`},
		{"body not an object", `[{"source":1}]`, false,
			`{"non_field_errors":["Datos inválidos. Se esperaba un diccionario pero se recibió list."]}`},
		{"body a string", `"hola"`, false,
			`{"non_field_errors":["Datos inválidos. Se esperaba un diccionario pero se recibió str."]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, status, got := decodeLeadBody(t, tt.body, tt.partial)
			if status != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400 (body %s)", status, got)
			}
			if !sameJSON(t, got, tt.want) {
				t.Errorf("errors:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestDecodeMalformedJSON(t *testing.T) {
	for _, body := range []string{`{`, `{"source": }`, `{} {}`, `{"a":1}x`, `nul`, `{'a': 1}`, "\x00"} {
		_, err := parseObject([]byte(body))
		if err == nil {
			t.Errorf("parseObject(%q) succeeded", body)
			continue
		}
		got := bodyOf(t, err)
		if statusOf(t, err) != http.StatusBadRequest || !strings.Contains(got, `"detail":"JSON parse error - `) {
			t.Errorf("parseObject(%q) = %d %s, want 400 JSON parse error", body, statusOf(t, err), got)
		}
	}
}

func TestDecodeLeadValues(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		partial bool
		want    LeadRequest
	}{
		{"minimal example", `{"vehicle":{"brand_model":"Marca y modelo de ejemplo"},"source":1}`, false,
			LeadRequest{Source: some[int64](1), Vehicle: some(VehicleRequest{BrandModel: some("Marca y modelo de ejemplo")})}},
		{"char fields take numbers, integer fields numeric strings", `{"source":"1","vehicle":{"brand_model":"x","price":10000,"km":1.5e5,"year":"2008","gas":"3"}}`, false,
			LeadRequest{Source: some[int64](1), Vehicle: some(VehicleRequest{BrandModel: some("x"), Price: some("10000"), Km: some("1.5e5"), Year: some(2008), Gas: some[int64](3)})}},
		{"integers with a zero fraction", `{"vehicle":{"year":2008.0,"id":7.0}}`, true,
			LeadRequest{Vehicle: some(VehicleRequest{Year: some(2008), ID: some[int64](7)})}},
		{"nulls", `{"client":null,"user":null,"score":null,"result":null,"mail_content":null,"vehicle":{"price":null,"year":null,"gas":null}}`, true,
			LeadRequest{Client: null[ClientRequest](), User: null[int64](), Score: null[int](), Result: null[string](), MailContent: null[string](),
				Vehicle: some(VehicleRequest{Price: null[string](), Year: null[int](), Gas: null[int64]()})}},
		{"score as int and as string", `{"score":4}`, true, LeadRequest{Score: some(4)}},
		{"score as string", `{"score":"1"}`, true, LeadRequest{Score: some(1)}},
		{"unknown fields ignored", `{"colour":"red","status":"tracing"}`, true, LeadRequest{Status: some("tracing")}},
		{"strings trimmed", `{"client":{"name":"  Ana  ","email":" a@b.es "}}`, true,
			LeadRequest{Client: some(ClientRequest{Name: some("Ana"), Email: some("a@b.es")})}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, status, body := decodeLeadBody(t, tt.body, tt.partial)
			if status != 0 {
				t.Fatalf("unexpected error %d %s", status, body)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("decodeLead:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestDecodeBooleans(t *testing.T) {
	for _, tt := range []struct {
		raw  string
		want bool
	}{
		{`true`, true}, {`false`, false}, {`"true"`, true}, {`"false"`, false}, {`"True"`, true}, {`"False"`, false},
		{`1`, true}, {`0`, false}, {`"1"`, true}, {`"0"`, false}, {`1.0`, true}, {`"yes"`, true}, {`"off"`, false},
	} {
		got, status, body := decodeLeadBody(t, `{"vehicle":{"sold":`+tt.raw+`}}`, true)
		if status != 0 || !got.Vehicle.V.Sold.Set || got.Vehicle.V.Sold.V != tt.want {
			t.Errorf("sold %s = %+v (%d %s), want %v", tt.raw, got.Vehicle.V.Sold, status, body, tt.want)
		}
	}
	for _, raw := range []string{`2`, `"si"`, `null`, `[]`, `{}`, `""`} {
		if _, status, _ := decodeLeadBody(t, `{"vehicle":{"sold":`+raw+`}}`, true); status != http.StatusBadRequest {
			t.Errorf("sold %s accepted", raw)
		}
	}
}

func TestDecodeComplexExample(t *testing.T) {
	body := `{
	  "client": {"name": "Cliente de Ejemplo", "phone": "666777888", "email": "user@example.com", "province": 638, "location": 58323},
	  "vehicle": {"brand_model": "Vehículo de prueba", "price": "10000", "km": "120000", "year": 2008, "gas": 1},
	  "note": [{"content": "Nota de prueba"}],
	  "status": "new", "score": "1",
	  "tags": [{"content": "Etiqueta de ejemplo"}],
	  "source": 1,
	  "request": {"task": [{
	    "type": "appraisal", "subtype": "subtipo de ejemplo", "description": "descripción de ejemplo", "media": "Whatsapp",
	    "planified_realization_date": "2019-05-09T09:59:07.617Z", "planified_tracking_date": "2019-05-09T11:59:07+02:00",
	    "realization_date_check": false, "tracking_date_check": false,
	    "note": [{"content": "nota en tarea de ejemplo"}],
	    "appraisal": {"brand_model": "marca del vehículo tasado", "license_plate": "8888JJJ", "km": "100000", "year": 2010, "gas": 1, "extras": "todos los extras incluidos", "origin": "national"}
	  }]}
	}`
	got, status, errBody := decodeLeadBody(t, body, false)
	if status != 0 {
		t.Fatalf("error %d %s", status, errBody)
	}
	if len(got.Request.V.Task.V) != 1 {
		t.Fatalf("tasks = %+v", got.Request)
	}
	task := got.Request.V.Task.V[0]
	want := time.Date(2019, 5, 9, 9, 59, 7, 617000000, time.UTC)
	if !task.PlanifiedRealizationDate.V.Equal(want) {
		t.Errorf("planified_realization_date = %v, want %v", task.PlanifiedRealizationDate.V, want)
	}
	if !task.PlanifiedTrackingDate.V.Equal(want.Add(-617 * time.Millisecond)) {
		t.Errorf("planified_tracking_date = %v", task.PlanifiedTrackingDate.V)
	}
	if task.Appraisal.V.Origin.V != "national" || task.Appraisal.V.Year.V != 2010 || task.Note.V[0].Content.V != "nota en tarea de ejemplo" {
		t.Errorf("task = %+v", task)
	}
	if got.Client.V.Location.V != 58323 || got.Score.V != 1 || got.Tags.V[0].Content.V != "Etiqueta de ejemplo" {
		t.Errorf("lead = %+v", got)
	}
}

func TestParseDateTime(t *testing.T) {
	zone := func() *time.Location { return madrid }
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2019-05-06T14:56:46.903Z", time.Date(2019, 5, 6, 14, 56, 46, 903000000, time.UTC), true},
		{"2019-05-06T14:56:46Z", time.Date(2019, 5, 6, 14, 56, 46, 0, time.UTC), true},
		{"2019-05-06T14:56:46.123456789Z", time.Date(2019, 5, 6, 14, 56, 46, 123456000, time.UTC), true},
		{"2019-05-06T16:56:46+02:00", time.Date(2019, 5, 6, 14, 56, 46, 0, time.UTC), true},
		{"2019-05-06T16:56:46+0200", time.Date(2019, 5, 6, 14, 56, 46, 0, time.UTC), true},
		{"2019-05-06T11:56-03", time.Date(2019, 5, 6, 14, 56, 0, 0, time.UTC), true},
		{"2019-05-06T16:56:46", time.Date(2019, 5, 6, 16, 56, 46, 0, madrid), true}, // naive: the dealer's zone
		{"2019-01-06 16:56", time.Date(2019, 1, 6, 16, 56, 0, 0, madrid), true},
		{"2019-05-06", time.Time{}, false},
		{"2019-02-30T10:00Z", time.Time{}, false},
		{"2019-13-01T10:00Z", time.Time{}, false},
		{"2019-05-06T24:00Z", time.Time{}, false},
		{"06/05/2019 10:00", time.Time{}, false},
		{"", time.Time{}, false},
		{"0000-12-31T10:00Z", time.Time{}, false}, // Python's datetime starts at year 1
		{"10000-01-01T00:00Z", time.Time{}, false},
		// an offset with seconds, as djangoTime writes Madrid's before 1901
		{"1890-03-01T11:45:16-00:14:44", time.Date(1890, 3, 1, 12, 0, 0, 0, time.UTC), true},
		{"1890-03-01T11:45:16-00:14:60", time.Time{}, false},
		{"1890-03-01T11:45:16-001444", time.Date(1890, 3, 1, 12, 0, 0, 0, time.UTC), true},
		{"1890-03-01T11:45:16-0014:44", time.Time{}, false},
	}
	for _, tt := range tests {
		got, ok := parseDateTime(tt.in, zone)
		if ok != tt.ok || (ok && !got.Equal(tt.want)) {
			t.Errorf("parseDateTime(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestDecodeTaskAndOthers(t *testing.T) {
	decode := func(body string, partial bool, f func(object)) (int, string) {
		m, err := parseObject([]byte(body))
		if err != nil {
			return statusOf(t, err), bodyOf(t, err)
		}
		d := newDecoder(partial, nil)
		f(d.root(m))
		if err := d.err(); err != nil {
			return statusOf(t, err), bodyOf(t, err)
		}
		return 0, ""
	}
	tests := []struct {
		name    string
		body    string
		partial bool
		f       func(object)
		want    string
	}{
		{"task create needs lead", `{"type":"date"}`, false, func(o object) { decodeTask(o, true) },
			`{"lead":["Este campo es requerido."]}`},
		{"task patch ignores lead", `{"lead":"x","type":"date"}`, true, func(o object) { decodeTask(o, false) }, ``},
		{"status required", `{}`, false, func(o object) { decodeStatus(o) }, `{"status":["Este campo es requerido."]}`},
		{"status choice", `{"status":"closed"}`, false, func(o object) { decodeStatus(o) }, `{"status":["\"closed\" no es una elección válida."]}`},
		{"click2call lead required", `{}`, false, func(o object) { decodeClick2Call(o) }, `{"lead":["Este campo es requerido."]}`},
		{"login fields required", `{}`, false, func(o object) { decodeLogin(o) },
			`{"username":["Este campo es requerido."],"password":["Este campo es requerido."]}`},
		{"login blank", `{"username":"","password":"x"}`, false, func(o object) { decodeLogin(o) },
			`{"username":["Este campo no puede estar en blanco."]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, got := decode(tt.body, tt.partial, tt.f)
			if tt.want == "" {
				if status != 0 {
					t.Fatalf("unexpected error %d %s", status, got)
				}
				return
			}
			if status != http.StatusBadRequest || !sameJSON(t, got, tt.want) {
				t.Errorf("got %d %s, want 400 %s", status, got, tt.want)
			}
		})
	}
}

func TestDecoderRemembersValues(t *testing.T) {
	m, err := parseObject([]byte(`{"source":"7","request":{"task":[{"appraisal":{"gas":99}}]},"client":{"location":12}}`))
	if err != nil {
		t.Fatal(err)
	}
	d := newDecoder(true, nil)
	decodeLead(d.root(m))
	want := map[string]string{"source": "7", "request.task.0.appraisal.gas": "99", "client.location": "12"}
	values := d.values()
	for k, v := range want {
		if values[k] != v {
			t.Errorf("values[%q] = %q, want %q (all: %v)", k, values[k], v, values)
		}
	}
}

func TestIsIntLiteral(t *testing.T) {
	for s, want := range map[string]bool{
		"7": true, "-7": true, "+7": true, "7.0": true, "7.": true, "70.00": true,
		"": false, "-": false, "7.5": false, "7e2": false, " 7": false, "٧": false, "0x7": false, ".0": false,
	} {
		if got := isIntLiteral(s); got != want {
			t.Errorf("isIntLiteral(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestLiteralStrings(t *testing.T) {
	for raw, want := range map[string]string{
		`"plain"`: "plain", ` "spaced" `: "spaced", `"Muñoz"`: "Muñoz", `"a\"b"`: `a"b`, `"\u00f1"`: "ñ", `""`: "",
	} {
		if got := literal([]byte(raw)); got != want {
			t.Errorf("literal(%s) = %q, want %q", raw, got, want)
		}
	}
}
