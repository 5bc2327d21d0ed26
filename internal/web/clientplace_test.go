package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"forecourt/internal/core"
)

// testClientPlace: a client's government id, business name, address,
// province and locality (a name, matched case aside among the province's)
// are edited through UpdateClient, each change in its lead's history
// with the places by name; bad ones are 400 with the values kept and
// nothing written; a form without those fields leaves them as they are.
func testClientPlace(t *testing.T, st site) {
	b, csrf, l := adminWithLead(t, st, 14)
	if l.Client == nil {
		t.Fatal("the demo's lead 14 has no client")
	}
	cl, err := st.svc.FindClient(st.admin(), l.Client.ID)
	if err != nil {
		t.Fatal(err)
	}
	edit := "/app/clientes/" + cl.PublicID + "/editar"
	madrid := strconv.FormatInt(st.fx.ProvinceID, 10)
	barcelona := strconv.FormatInt(st.fx.ProvinceIDs[8], 10)
	wantBody(t, b.get(edit), "the edit page", `id="cliente-documento"`, `<option value="`+barcelona+`"`, `id="cliente-localidad"`)
	form := func(kv ...string) url.Values {
		f := url.Values{"csrf": {csrf}, "version": {strconv.Itoa(cl.Version)}, "nombre": {cl.Name}, "telefono": {cl.Phone}, "email": {cl.Email},
			"documento": {"12345678-z"}, "empresa": {"Talleres Gómez SL"}, "direccion": {"Calle Mayor 1, 3º B"}, "provincia": {barcelona},
			"localidad": {"l'hospitalet de llobregat"}}
		for i := 0; i+1 < len(kv); i += 2 {
			f.Set(kv[i], kv[i+1])
		}
		return f
	}
	wantRefusals(t, b, edit, []refusal{
		{"a province that is no id", form("provincia", "x"), http.StatusBadRequest, "Esa provincia no existe"},
		{"a province that is none", form("provincia", "999999", "localidad", ""), http.StatusBadRequest, "Los datos no son válidos"},
		{"a locality without province", form("provincia", ""), http.StatusBadRequest, "Elige la provincia de la localidad"},
		{"a locality of another province", form("provincia", madrid), http.StatusBadRequest, "Esa localidad no existe en la provincia elegida"},
		{"a long locality", form("localidad", strings.Repeat("l", core.MaxShortText+1)), http.StatusBadRequest, "Esa localidad no existe"},
		{"a long government id", form("documento", strings.Repeat("9", core.MaxGovID+1)), http.StatusBadRequest, "Los datos no son válidos"},
		{"a long address", form("direccion", strings.Repeat("d", core.MaxShortText+1)), http.StatusBadRequest, "Los datos no son válidos"},
		{"invalid UTF-8", form("empresa", "\xff"), http.StatusBadRequest, "El formulario no es válido"},
	})
	wantBody(t, b.post(edit, form("provincia", madrid)), "a refused edit", `value="Talleres Gómez SL"`, `value="l&#39;hospitalet de llobregat"`,
		`<option value="`+madrid+`" selected>`, `<datalist id="localidades">`, `<option value="Madrid">`)
	if got, _ := st.svc.FindClient(st.admin(), cl.ID); got.Version != cl.Version {
		t.Fatalf("refused edits changed the client: v%d → v%d", cl.Version, got.Version)
	}

	a := b.post(edit, form())
	wantStatus(t, a, http.StatusSeeOther, "the edit")
	got, err := st.svc.FindClient(st.admin(), cl.ID)
	if err != nil || got.GovID != "12345678Z" || got.BusinessName != "Talleres Gómez SL" || got.Address != "Calle Mayor 1, 3º B" ||
		got.ProvinceID == nil || *got.ProvinceID != st.fx.ProvinceIDs[8] || got.LocalityID == nil {
		t.Fatalf("the client after the edit: %+v, %v", got, err)
	}
	if ls, err := st.svc.LocalitiesByID(st.admin(), []int64{*got.LocalityID}); err != nil || len(ls) != 1 || ls[0].Name != "L'Hospitalet de Llobregat" ||
		ls[0].ProvinceID != st.fx.ProvinceIDs[8] {
		t.Fatalf("the client's locality: %+v, %v", ls, err)
	}
	wantBody(t, b.get("/app/clientes/"+cl.PublicID), "the client's page", "12345678Z", "Talleres Gómez SL", "L&#39;Hospitalet de Llobregat (Barcelona)")
	wantBody(t, b.get("/app/leads/"+l.PublicID), "the lead's history", "documento del cliente", "empresa del cliente", "dirección del cliente",
		"provincia del cliente", "localidad del cliente", "Barcelona</li>", "L&#39;Hospitalet de Llobregat</li>")
	wantBody(t, b.get(edit), "the edit page again", `value="L&#39;Hospitalet de Llobregat"`, `<option value="`+barcelona+`" selected>`)

	// a form without the new fields (rendered before they were) changes only what it carries
	a = b.post(edit, url.Values{"csrf": {csrf}, "version": {strconv.Itoa(got.Version)}, "nombre": {"Otro Nombre"}, "telefono": {got.Phone}, "email": {got.Email}})
	wantStatus(t, a, http.StatusSeeOther, "an edit of the contact data only")
	if now, err := st.svc.FindClient(st.admin(), cl.ID); err != nil || now.Name != "Otro Nombre" || now.GovID != got.GovID ||
		now.Address != got.Address || !sameIDs(now.ProvinceID, got.ProvinceID) || !sameIDs(now.LocalityID, got.LocalityID) {
		t.Fatalf("the client after an edit of its name: %+v, %v", now, err)
	}
	// emptied: no province nor locality
	a = b.post(edit, form("version", strconv.Itoa(got.Version+1), "provincia", "", "localidad", "", "documento", "", "direccion", ""))
	wantStatus(t, a, http.StatusSeeOther, "emptying")
	if now, err := st.svc.FindClient(st.admin(), cl.ID); err != nil || now.GovID != "" || now.Address != "" || now.ProvinceID != nil || now.LocalityID != nil {
		t.Fatalf("the client after emptying: %+v, %v", now, err)
	}
}

func sameIDs(a, b *int64) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}
