package sml

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"forecourt/internal/core"
)

func TestSMLPath(t *testing.T) {
	tests := []struct {
		core   string
		onTask bool
		want   string
	}{
		{"vehicle.brand_model", false, "vehicle.brand_model"},
		{"tasks.2.type", false, "request.task.2.type"},
		{"tasks.0.notes.1.content", false, "request.task.0.note.1.content"},
		{"tasks.0.appraisal.gas", false, "request.task.0.appraisal.gas"},
		{"tasks", false, "request.task"},
		{"notes.3.content", false, "note.3.content"},
		{"tags.0.id", false, "tags.0.id"},
		{"client.locality", false, "client.location"},
		{"stage", false, "status"},
		{"outcome", false, "result"},
		{"sort", false, "ordering"},
		{"notes.1.id", true, "note.1.id"},
		{"appraisal.brand_model", true, "appraisal.brand_model"},
		{"task", true, "non_field_errors"},
		{"tasks", true, "non_field_errors"},
	}
	for _, tt := range tests {
		if got := strings.Join(smlPath(tt.core, tt.onTask), "."); got != tt.want {
			t.Errorf("smlPath(%q, %v) = %q, want %q", tt.core, tt.onTask, got, tt.want)
		}
	}
}

func TestToAPIError(t *testing.T) {
	values := map[string]string{"source": "77", "request.task.0.appraisal.gas": "9", "vehicle.year": "1800", "client.location": "5"}
	tests := []struct {
		name   string
		err    error
		c      errContext
		status int
		want   string
	}{
		{"required", &core.Error{Code: core.Invalid, Fields: map[string]string{"vehicle.brand_model": core.MsgRequired}}, errContext{}, 400,
			`{"vehicle":{"brand_model":["Este campo es requerido."]}}`},
		{"foreign source", &core.Error{Code: core.Invalid, Fields: map[string]string{"source": core.MsgNotExist}}, errContext{values: values}, 400,
			`{"source":["Clave primaria \"77\" inválida - objeto no existe."]}`},
		{"unknown fuel in a task", &core.Error{Code: core.Invalid, Fields: map[string]string{"tasks.0.appraisal.gas": core.MsgNotExist}}, errContext{values: values}, 400,
			`{"request":{"task":[{"appraisal":{"gas":["Clave primaria \"9\" inválida - objeto no existe."]}}]}}`},
		{"task list item", &core.Error{Code: core.Invalid, Fields: map[string]string{"tasks.1.type": core.MsgInvalidChoice}}, errContext{values: map[string]string{"request.task.1.type": "x"}}, 400,
			`{"request":{"task":[{},{"type":["\"x\" no es una elección válida."]}]}}`},
		{"locality not in province", &core.Error{Code: core.Invalid, Fields: map[string]string{"client.locality": core.MsgNotInProvince}}, errContext{}, 400,
			`{"client":{"location":["La localidad no pertenece a la provincia indicada."]}}`},
		{"year too small", &core.Error{Code: core.Invalid, Fields: map[string]string{"vehicle.year": core.MsgOutOfRange}}, errContext{values: values}, 400,
			`{"vehicle":{"year":["Asegúrese de que este valor es mayor o igual a 1900."]}}`},
		{"year too large", &core.Error{Code: core.Invalid, Fields: map[string]string{"vehicle.year": core.MsgOutOfRange}}, errContext{values: map[string]string{"vehicle.year": "3000"}}, 400,
			`{"vehicle":{"year":["Asegúrese de que este valor es menor o igual a 2100."]}}`},
		{"too many notes", &core.Error{Code: core.Invalid, Fields: map[string]string{"notes": core.MsgOutOfRange}}, errContext{}, 400,
			`{"note":["Asegúrese de que este campo no tenga más de 200 elementos."]}`},
		{"too long", &core.Error{Code: core.Invalid, Fields: map[string]string{"client.phone": core.MsgTooLong, "vehicle.brand_model": core.MsgTooLong, "notes.0.content": core.MsgTooLong}}, errContext{}, 400,
			`{"client":{"phone":["Asegúrese de que este campo no tenga más de 40 caracteres."]},"vehicle":{"brand_model":["Asegúrese de que este campo no tenga más de 255 caracteres."]},"note":[{"content":["Asegúrese de que este campo no tenga más de 10000 caracteres."]}]}`},
		{"bad e-mail", &core.Error{Code: core.Invalid, Fields: map[string]string{"client.email": core.MsgInvalid}}, errContext{}, 400,
			`{"client":{"email":["Introduzca una dirección de correo electrónico válida."]}}`},
		{"no phone", &core.Error{Code: core.Invalid, Fields: map[string]string{"lead": core.MsgNoPhone}}, errContext{}, 400,
			`{"lead":["El cliente del lead no tiene teléfono."]}`},
		{"task endpoint paths", &core.Error{Code: core.Invalid, Fields: map[string]string{"appraisal": core.MsgRequired, "notes.0.id": core.MsgNotExist}}, errContext{onTask: true, values: map[string]string{"note.0.id": "4"}}, 400,
			`{"appraisal":["Este campo es requerido."],"note":[{"id":["Clave primaria \"4\" inválida - objeto no existe."]}]}`},
		{"invalid without fields", &core.Error{Code: core.Invalid, Message: "whatever"}, errContext{}, 400,
			`{"non_field_errors":["Datos inválidos."]}`},
		{"not found", core.Errorf(core.NotFound, "lead not found"), errContext{}, 404, `{"detail":"No encontrado."}`},
		{"not found in a body field", core.Errorf(core.NotFound, "lead not found"), errContext{notFoundField: "lead", values: map[string]string{"lead": "12"}}, 400,
			`{"lead":["Clave primaria \"12\" inválida - objeto no existe."]}`},
		{"unauthorized", core.Errorf(core.Unauthorized, "x"), errContext{}, 401, `{"detail":"Token inválido."}`},
		{"forbidden", core.Errorf(core.Forbidden, "x"), errContext{}, 403, `{"detail":"Usted no tiene permiso para realizar esta acción."}`},
		{"conflict", core.Errorf(core.Conflict, "version mismatch"), errContext{}, 409, `{"detail":"La petición entra en conflicto con el estado actual del recurso."}`},
		{"bridge refused", core.ErrCallRefused, errContext{}, 409, `{"detail":"La centralita rechazó la llamada."}`},
		{"a conflict worded like the bridge's", core.Errorf(core.Conflict, "%s", core.ErrCallRefused.Message), errContext{}, 409, `{"detail":"La petición entra en conflicto con el estado actual del recurso."}`},
		{"no bridge", core.ErrNoDialer, errContext{}, 503, `{"detail":"La centralita no está disponible. Inténtelo de nuevo más tarde."}`},
		{"unavailable", &core.Error{Code: core.Unavailable, Message: "x"}, errContext{}, 503, `{"detail":"Servicio no disponible temporalmente. Inténtelo de nuevo más tarde."}`},
		{"bad credentials", core.ErrBadCredentials, errContext{}, 400, `{"non_field_errors":["No se puede iniciar sesión con las credenciales proporcionadas."]}`},
		{"invalid worded like bad credentials", core.Errorf(core.Invalid, "%s", core.ErrBadCredentials.Message), errContext{}, 400, `{"non_field_errors":["Datos inválidos."]}`},
		{"internal core error", core.Errorf(core.Internal, "no telephony bridge configured"), errContext{}, 500, `{"detail":"Error interno del servidor."}`},
		{"plain error", errors.New("database is locked"), errContext{}, 500, `{"detail":"Error interno del servidor."}`},
		{"wrapped core error", fmt.Errorf("x: %w", core.Errorf(core.NotFound, "task")), errContext{}, 404, `{"detail":"No encontrado."}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ae := toAPIError(tt.err, tt.c)
			b, err := json.Marshal(ae.body)
			if err != nil {
				t.Fatal(err)
			}
			if ae.status != tt.status || !sameJSON(t, string(b), tt.want) {
				t.Errorf("toAPIError = %d %s, want %d %s", ae.status, b, tt.status, tt.want)
			}
			if tt.status == http.StatusInternalServerError && ae.cause == nil {
				t.Error("a 500 without its cause to log")
			}
			if strings.Contains(string(b), "locked") || strings.Contains(string(b), "bridge configured") {
				t.Errorf("internal error leaked: %s", b)
			}
		})
	}
}

// TestUnavailable: a database that cannot answer is DRF's 503 with
// Retry-After, in whole seconds rounded up, and nothing to log.
func TestUnavailable(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want int
	}{
		{&core.Error{Code: core.Unavailable, Message: "database unavailable", RetryAfter: 1500 * time.Millisecond}, 2},
		{fmt.Errorf("store: x: %w", &core.Error{Code: core.Unavailable, RetryAfter: 5 * time.Second}), 5},
		{core.Errorf(core.Unavailable, "no wait given"), 5},
	} {
		ae := toAPIError(tt.err, errContext{})
		b, _ := json.Marshal(ae.body)
		if ae.status != http.StatusServiceUnavailable || ae.retryAfter != tt.want || ae.cause != nil ||
			!sameJSON(t, string(b), `{"detail":"Servicio no disponible temporalmente. Inténtelo de nuevo más tarde."}`) {
			t.Errorf("%v = %d, Retry-After %d, cause %v, %s; want 503, Retry-After %d", tt.err, ae.status, ae.retryAfter, ae.cause, b, tt.want)
		}
	}
}

func TestErrTreeLists(t *testing.T) {
	tr := &errTree{}
	tr.setLen([]string{"request", "task"}, 3)
	tr.add([]string{"request", "task", "1", "type"}, "a")
	tr.add([]string{"request", "task", "1", "type"}, "b") // the first message of a field wins
	tr.setLen([]string{"note"}, 2)                        // a list without errors disappears
	tr.prune()
	b, _ := json.Marshal(tr)
	if want := `{"request":{"task":[{},{"type":["a"]},{}]}}`; string(b) != want {
		t.Errorf("tree = %s, want %s", b, want)
	}
}

// TestClientGone checks that a request whose client went away is not
// reported as a server error.
func TestClientGone(t *testing.T) {
	e := newEnv(t, 0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := httptest.NewRequest("GET", "/api/lead/", nil).WithContext(ctx)
	r.Header.Set("Authorization", "Token "+e.token)
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	if w.Code != statusClientClosed {
		t.Errorf("cancelled request = %d, want %d", w.Code, statusClientClosed)
	}
}
