package casabaca_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"forecourt/internal/casabaca"
	"forecourt/internal/demo"
)

// TestLoginAsDocumented: the document's login example, as written, answers
// a token that authenticates the other endpoints; logout revokes it.
func TestLoginAsDocumented(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		code, m := e.do("", "POST", "/api/login", `{"autorizador":"mart_admin@hotmail.com","email":"mart@hotmail.com","password":"Hol@MunD0","environment":"dev"}`)
		tok, _ := m["token"].(string)
		if code != 200 || m["status_code"] != "200" || len(tok) < 20 || len(m) != 2 {
			t.Fatalf("login: %d %v", code, m)
		}
		code, m = e.do(tok, "GET", "/api/asesores", `{"medio":"11"}`)
		if code != 200 {
			t.Fatalf("asesores with the token: %d %v", code, m)
		}
		code, m = e.do(tok, "GET", "/api/logout", nil)
		if code != 200 || m["status_code"] != float64(200) || m["token"] != "Token has deleted succesfully" {
			t.Fatalf("logout: %d %v", code, m)
		}
		code, m = e.do(tok, "GET", "/api/asesores", `{"medio":"11"}`)
		if code != 401 || m["message"] != "Unauthenticated." || m["status_code"] != float64(401) {
			t.Fatalf("a revoked token: %d %v", code, m)
		}
	})
}

// TestUnauthenticated: a missing, malformed or unknown token is 401
// {"message": "Unauthenticated.", "status_code": 401} on every endpoint
// but login (docs/casabaca.md: the document's 500 is not kept).
func TestUnauthenticated(t *testing.T) {
	e := newEnv(t)
	for _, h := range []string{"", "Bearer", "Bearer nope", "Basic bWFydDpIb2w=", "Token abc"} {
		for _, rt := range [][2]string{{"GET", "/api/asesores"}, {"POST", "/api/tickets"}, {"GET", "/api/logout"}, {"POST", "/api/close_ticket/x"}} {
			r := e.raw(e.h, "", rt[0], rt[1], nil)
			if h != "" {
				r = rawWithHeader(e, rt[0], rt[1], h)
			}
			if r.Code != 401 || r.Body.String() != `{"message":"Unauthenticated.","status_code":401}`+"\n" {
				t.Errorf("%s %s with %q: %d %s", rt[0], rt[1], h, r.Code, r.Body)
			}
		}
	}
}

// TestLoginRefused: wrong credentials, or an autorizador who is not an
// administrator of the user's dealer, are the document's "Password
// incorrecto" (401) and give no token; a body missing fields is a 422
// listing each.
func TestLoginRefused(t *testing.T) {
	e := newEnv(t)
	for name, b := range map[string]map[string]string{
		"wrong password":          {"autorizador": demo.ECAuthoriser, "email": demo.ECUser, "password": "nope", "environment": "dev"},
		"unknown user":            {"autorizador": demo.ECAuthoriser, "email": "nadie@example.com", "password": demo.ECPassword, "environment": "prod"},
		"autorizador not admin":   {"autorizador": "cg_ramos@casabaca.example.com", "email": demo.ECUser, "password": demo.ECPassword, "environment": "dev"},
		"autorizador unknown":     {"autorizador": "x@example.com", "email": demo.ECUser, "password": demo.ECPassword, "environment": "dev"},
		"another dealer's admin":  {"autorizador": demo.AdminUsername, "email": demo.ECUser, "password": demo.ECPassword, "environment": "dev"},
		"admin of another dealer": {"autorizador": demo.ECAuthoriser, "email": demo.AdminUsername, "password": demo.AdminPassword, "environment": "dev"},
	} {
		code, m := e.do("", "POST", "/api/login", b)
		if code != 401 || m["message"] != "Password incorrecto" || m["token"] != nil {
			t.Errorf("%s: %d %v", name, code, m)
		}
	}
	code, m := e.do("", "POST", "/api/login", `{"autorizador":"no es email","environment":"test"}`)
	errs := errorsOf(t, code, m)
	got := keys(errs)
	slices.Sort(got)
	if !slices.Equal(got, []string{"autorizador", "email", "environment", "password"}) {
		t.Fatalf("errors %v", errs)
	}
	for _, bad := range []string{`[`, `"x"`, `{"email": {"a": 1}}`, `{} {}`} {
		if code, m := e.do("", "POST", "/api/login", bad); code != 422 || m["errors"] == nil {
			t.Errorf("body %s: %d %v", bad, code, m)
		}
	}
}

// TestRegister: the dealer's administrator registers an API user with its
// fuente and medios, who then logs in; the document's own example (Maria,
// registered already) is accepted again; a user who is no administrator
// may not register; an unknown medio or a taken e-mail is a 422.
func TestRegister(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		adm := e.admin()
		code, m := e.do(adm, "POST", "/api/register", `{"name":"Maria","email":"mart@hotmail.com","password":"Hol@MunD0","fuente":"inconcert","fuente_id":"2","medios":"2,3,5","compania":"1"}`)
		if code != 200 || m["status_code"] != "200" || m["message"] != "Usuario Creado Correctamente" {
			t.Fatalf("the document's example: %d %v", code, m)
		}
		code, m = e.do(adm, "POST", "/api/register", map[string]string{"name": "Web Toyota", "email": "web@toyota.example.com", "password": "s3creto!", "fuente": "web", "medios": "18"})
		if code != 200 {
			t.Fatalf("register: %d %v", code, m)
		}
		tok := e.login(demo.ECAuthoriser, "web@toyota.example.com", "s3creto!")
		if code, m := e.do(tok, "POST", "/api/register", map[string]string{"name": "Otro", "email": "otro@toyota.example.com"}); code != 403 || m["status_code"] != float64(403) {
			t.Fatalf("a user who is no administrator registers: %d %v", code, m)
		}
		code, m = e.do(adm, "POST", "/api/register", map[string]string{"name": "", "email": "mal", "medios": "2,99"})
		errs := errorsOf(t, code, m)
		if errs["name"] == nil || errs["email"] == nil || errs["medios"] == nil {
			t.Fatalf("errors %v", errs)
		}
		// a password of fewer than 8 characters (Laravel's min:8) is
		// refused, and no user made
		code, m = e.do(adm, "POST", "/api/register", map[string]string{"name": "Corto", "email": "corto@toyota.example.com", "password": "a", "medios": "18"})
		if errs := errorsOf(t, code, m); errs["password"] == nil || len(errs) != 1 {
			t.Fatalf("a password of one letter: %v", errs)
		}
		if _, _, err := e.svc.Login(t.Context(), "corto@toyota.example.com", "a"); err == nil {
			t.Fatal("a refused registration made a user")
		}
		code, m = e.do(adm, "POST", "/api/register", map[string]string{"name": "Ya", "email": demo.ECUser, "password": "otra-clave"})
		if errs := errorsOf(t, code, m); errs["email"] == nil {
			t.Fatalf("errors %v", errs)
		}
	})
}

// TestAsesores: the advisors of a medio are those its leads are assigned
// among, with the document's fields; the medio is required and must exist.
func TestAsesores(t *testing.T) {
	e := newEnv(t)
	tok := e.maria()
	code, m := e.do(tok, "GET", "/api/asesores", `{"medio":"11"}`)
	list, ok := m["data"].([]any)
	if code != 200 || !ok || len(list) != 3 {
		t.Fatalf("asesores of medio 11: %d %v", code, m)
	}
	first := list[0].(map[string]any)
	want := map[string]any{"nombres": "FRANCISCO XAVIER", "apellidos": "VILLAMAR CASTRO", "celular": "0987647944", "user_name": "MA_PALACIOS",
		"email": "fvillamar@1001carros.com", "agencia": "CUMBAYA", "lineas_negocio": []any{"SEMINUEVOS"}}
	for k, v := range want {
		if vs, ok := v.([]any); ok {
			if got, _ := first[k].([]any); len(got) != len(vs) || got[0] != vs[0] {
				t.Errorf("%s = %v, want %v", k, first[k], v)
			}
		} else if first[k] != v {
			t.Errorf("%s = %v, want %v", k, first[k], v)
		}
	}
	if code, m := e.do(tok, "GET", "/api/asesores?medio=11", nil); code != 200 || len(m["data"].([]any)) != 3 {
		t.Errorf("medio in the query: %d %v", code, m)
	}
	// medio twice: Laravel (PHP) would take the last, Go's Get the first;
	// neither is what the caller meant to ask
	if code, m := e.do(tok, "GET", "/api/asesores?medio=11&medio=13", nil); errorsOf(t, code, m)["medio"] == nil {
		t.Errorf("medio twice: %d %v", code, m)
	}
	// the document's curl: -G puts its -d body in the query as it is
	for _, q := range []string{`{"medio":"11"}`, url.QueryEscape(`{"medio":"11"}`)} {
		if code, m := e.do(tok, "GET", "/api/asesores?"+q, nil); code != 200 || len(m["data"].([]any)) != 3 {
			t.Errorf("the body as the query %s: %d %v", q, code, m)
		}
	}
	for _, q := range []string{`{"medio":"99"}`, `{"medio":`, `{"otro":"11"}`, `{"medio":[1]}`} {
		code, m := e.do(tok, "GET", "/api/asesores?"+url.QueryEscape(q), nil)
		if errs := errorsOf(t, code, m); errs["medio"] == nil {
			t.Errorf("the query %s: %v", q, errs)
		}
	}
	for _, b := range []string{`{}`, `{"medio":"abc"}`, `{"medio":"99"}`, `{"medio":[1]}`} {
		code, m := e.do(tok, "GET", "/api/asesores", b)
		if errs := errorsOf(t, code, m); errs["medio"] == nil {
			t.Errorf("%s: %v", b, errs)
		}
	}
}

// TestEveryRouteServed: every route of the table answers through the
// handler (with a token: never the mux's 404 nor a 405), and another
// method on its path is the 405 with Allow.
func TestEveryRouteServed(t *testing.T) {
	e := newEnv(t)
	tok := e.maria()
	for _, rt := range casabaca.Routes() {
		path := strings.ReplaceAll(rt.Pattern, "{id}", "00000000-0000-0000-0000-000000000000")
		r := e.raw(e.h, tok, rt.Method, path, `{}`)
		if r.Code == 405 || (r.Code == 404 && !strings.Contains(r.Body.String(), "no existe")) || r.Code >= 500 {
			t.Errorf("%s %s: %d %s", rt.Method, rt.Pattern, r.Code, r.Body)
		}
		other := "DELETE"
		if r := e.raw(e.h, tok, other, path, nil); r.Code != 405 || r.Header().Get("Allow") == "" {
			t.Errorf("%s %s: %d, Allow %q", other, rt.Pattern, r.Code, r.Header().Get("Allow"))
		}
	}
	if len(casabaca.Routes()) != 23+2 {
		t.Errorf("%d routes: the document's 23 and the two reads", len(casabaca.Routes()))
	}
}

// TestRegisterCompania: a compañía other than the dealer's is refused.
func TestRegisterCompania(t *testing.T) {
	e := newEnv(t)
	code, m := e.do(e.admin(), "POST", "/api/register", map[string]string{"name": "X", "email": "x@toyota.example.com", "compania": "2"})
	if errs := errorsOf(t, code, m); errs["compania"] == nil || len(errs) != 1 {
		t.Fatalf("errors %v", errs)
	}
}
