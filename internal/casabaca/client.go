package casabaca

import (
	"strings"
	"unicode"

	"forecourt/internal/core"
)

// identification checks a client's tipo_identificacion and
// numero_identificacion (fields tipo and numero of ck): C a cédula and R a
// RUC with their check digits, P a passport (letters and digits). When
// required, both must be given; otherwise either alone is refused, so a
// number is always checked against its type. It returns the number.
func identification(ck check, tipo, numero text, tipoName, numeroName string, required bool) string {
	if required {
		okT := ck.required(tipoName, tipo, "Tipo de identificación es requerido")
		okN := ck.required(numeroName, numero, "Identificación es requerida")
		if !okT || !okN {
			if okT {
				ck.oneOf(tipoName, tipo, msgTipoIdentificacion, "C", "P", "R")
			}
			return ""
		}
	} else {
		okT := ck.optional(tipoName, tipo, 1)
		okN := ck.optional(numeroName, numero, 20)
		switch {
		case tipo.bad || numero.bad:
			return ""
		case !tipo.given() && !numero.given():
			return ""
		case !okT && tipo.given():
			ck.fail(tipoName, msgTipoIdentificacion)
			return ""
		case !tipo.given():
			ck.fail(tipoName, "Tipo de identificación es requerido si hay número de identificación")
			return ""
		case !numero.given():
			ck.oneOf(tipoName, tipo, msgTipoIdentificacion, "C", "P", "R")
			ck.fail(numeroName, "Identificación es requerida si hay tipo de identificación")
			return ""
		case !okN:
			return ""
		}
	}
	if !ck.oneOf(tipoName, tipo, msgTipoIdentificacion, "C", "P", "R") {
		return ""
	}
	n := numero.v
	switch tipo.v {
	case "C":
		if !validCedula(n) {
			ck.fail(numeroName, "La cédula no es válida")
			return ""
		}
	case "R":
		if !validRUC(n) {
			ck.fail(numeroName, "El RUC no es válido")
			return ""
		}
	case "P":
		if len(n) < 3 || len(n) > 20 || strings.ContainsFunc(n, func(r rune) bool { return r > unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r)) }) {
			ck.fail(numeroName, "El pasaporte no es válido")
			return ""
		}
	}
	return n
}

const msgTipoIdentificacion = "Tipo de identificación no contiene un valor válido, valores válidos: C(Cedula),P(Pasaporte), R(RUC)"

// nestedClient is the "client" object of quotations and meetings.
type nestedClient struct {
	TipoIdentificacion   text `json:"tipo_identificacion"`
	NumeroIdentificacion text `json:"numero_identificacion"`
	Gender               text `json:"gender"`
	Names                text `json:"names"`
	Surnames             text `json:"surnames"`
	PhoneHome            text `json:"phone_home"`
	CellphoneNumber      text `json:"cellphone_number"`
	Email                text `json:"email"`
}

// check validates a nested client (prefix names it: "datosSugarCRM.client.")
// and returns it as the core's; phoneHomeRequired says whether phone_home
// is required (quotations) or optional (meetings).
func (n nestedClient) check(e fieldErrors, prefix string, phoneHomeRequired bool) (*core.Client, map[string]string) {
	ck := check{e: e, prefix: prefix}
	gov := identification(ck, n.TipoIdentificacion, n.NumeroIdentificacion, "tipo_identificacion", "numero_identificacion", true)
	if ck.required("gender", n.Gender, "Género es requerido") {
		ck.oneOf("gender", n.Gender, "Género no contiene un valor válido, valores válidos: F (Femenino),M (Masculino)", "F", "M")
	}
	ck.required("names", n.Names, "Nombres son requeridos")
	ck.required("surnames", n.Surnames, "Apellidos son requeridos")
	if phoneHomeRequired {
		if ck.required("phone_home", n.PhoneHome, "Teléfono local es requerido") {
			ck.numeric("phone_home", n.PhoneHome, "Teléfono local debe ser numérico")
		}
	} else if ck.optional("phone_home", n.PhoneHome, 20) {
		ck.numeric("phone_home", n.PhoneHome, "Teléfono local debe ser numérico")
	}
	if ck.required("cellphone_number", n.CellphoneNumber, "Celular es requerido") {
		ck.numeric("cellphone_number", n.CellphoneNumber, "Celular debe ser numérico")
	}
	if ck.required("email", n.Email, "Email es requerido") {
		ck.email("email", n.Email, "Email no es válido")
	}
	cl := &core.Client{Name: strings.TrimSpace(n.Names.v + " " + n.Surnames.v), Phone: n.CellphoneNumber.v, Email: n.Email.v, GovID: gov}
	ext := map[string]string{"casabaca.tipo_identificacion": n.TipoIdentificacion.v, "casabaca.gender": n.Gender.v,
		"casabaca.phone_home": n.PhoneHome.v}
	return cl, ext
}
