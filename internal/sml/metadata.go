package sml

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"forecourt/internal/core"
)

// What OPTIONS answers, as DRF's SimpleMetadata does: the view's name and
// description, the media types it renders and parses, and for a path that
// takes POST, "actions" describing the fields of that body. See docs/sml.md,
// OPTIONS.

// pathView is what SimpleMetadata says of the view behind one path.
type pathView struct {
	// name is the name DRF derives from the view: a router's list and
	// detail routes are "<Model> List" and "<Model> Instance", an extra
	// action is its function's name ("Change status"), another view its
	// class's name without "View" ("Login").
	name string
	// description stands for the view's docstring: the document's own
	// description of the sections the path serves.
	description string
	// post describes the body of the path's POST, nil when it takes none.
	post metaFields
}

// optionsBody returns what OPTIONS answers on the path.
func (v pathView) optionsBody() optionsBody {
	m := optionsBody{Name: v.name, Description: v.description, Renders: []string{"application/json"}, Parses: parsedMediaTypes}
	if v.post != nil {
		m.Actions = map[string]metaFields{http.MethodPost: v.post}
	}
	return m
}

// parsedMediaTypes are the media types readObject parses, in the order of
// DRF's default parsers (JSONParser, FormParser, MultiPartParser).
var parsedMediaTypes = []string{"application/json", "application/x-www-form-urlencoded", "multipart/form-data"}

// optionsBody is the body of an OPTIONS answer.
type optionsBody struct {
	Name        string                `json:"name"`
	Description string                `json:"description"`
	Renders     []string              `json:"renders"`
	Parses      []string              `json:"parses"`
	Actions     map[string]metaFields `json:"actions,omitempty"`
}

// metaField is one writable field of a body as SimpleMetadata describes it.
type metaField struct {
	name string
	info fieldInfo
}

// fieldInfo is SimpleMetadata's description of a field, its keys in DRF's
// order.
type fieldInfo struct {
	// Type is DRF's label for the field's class: "string", "email",
	// "integer", "boolean", "datetime", "choice", "nested object", and
	// "field" for a primary key or a list of nested objects.
	Type      string       `json:"type"`
	Required  bool         `json:"required"`
	ReadOnly  bool         `json:"read_only"`
	Label     string       `json:"label,omitempty"`
	HelpText  string       `json:"help_text,omitempty"`
	MaxLength *int         `json:"max_length,omitempty"` // characters, or items of a list
	MinValue  *int         `json:"min_value,omitempty"`
	MaxValue  *int         `json:"max_value,omitempty"`
	Child     *fieldInfo   `json:"child,omitempty"`
	Children  metaFields   `json:"children,omitempty"`
	Choices   []metaChoice `json:"choices,omitempty"`
}

type metaChoice struct {
	Value       string `json:"value"`
	DisplayName string `json:"display_name"`
}

// metaFields encodes as a JSON object in the order of its fields, as DRF's
// OrderedDict does.
type metaFields []metaField

func (fs metaFields) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, f := range fs {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, _ := json.Marshal(f.name)
		v, err := json.Marshal(f.info)
		if err != nil {
			return nil, err
		}
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

func metaInt(n int) *int { return &n }

// The constructors of fields. Their limits repeat core's, as errors.go's
// do, to say them; TestOptionsActionsMatchServer checks them against what
// the server does.

// metaLabel is the label DRF gives a field by default: its name
// capitalised, with spaces for "_".
func metaLabel(name string) string {
	s := strings.ReplaceAll(name, "_", " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

func metaString(name string, required bool, maxLen int) metaField {
	f := metaField{name, fieldInfo{Type: "string", Required: required, Label: metaLabel(name)}}
	if maxLen > 0 {
		f.info.MaxLength = metaInt(maxLen)
	}
	return f
}

func metaPK(name string, required bool) metaField {
	return metaField{name, fieldInfo{Type: "field", Required: required, Label: metaLabel(name)}}
}

func metaTyped(name, typ string) metaField {
	return metaField{name, fieldInfo{Type: typ, Label: metaLabel(name)}}
}

func metaChoices(name string, values []string, help string) metaField {
	cs := make([]metaChoice, len(values))
	for i, v := range values {
		d, ok := displayNames[v]
		if !ok {
			panic("sml: no display name for choice " + v)
		}
		cs[i] = metaChoice{Value: v, DisplayName: d}
	}
	return metaField{name, fieldInfo{Type: "choice", Label: metaLabel(name), HelpText: help, Choices: cs}}
}

func metaNested(name string, required bool, help string, children ...metaField) metaField {
	return metaField{name, fieldInfo{Type: "nested object", Required: required, Label: metaLabel(name), HelpText: help, Children: children}}
}

// metaList is a list of nested objects (DRF's ListSerializer, whose label is
// "field"; its child, an unbound serializer, is required and unlabelled).
func metaList(name string, maxItems int, children ...metaField) metaField {
	return metaField{name, fieldInfo{Type: "field", Label: metaLabel(name), MaxLength: metaInt(maxItems),
		Child: &fieldInfo{Type: "nested object", Required: true, Children: children}}}
}

func metaYear(name string, lo, hi int, help string) metaField {
	return metaField{name, fieldInfo{Type: "integer", Label: metaLabel(name), HelpText: help, MinValue: metaInt(lo), MaxValue: metaInt(hi)}}
}

// displayNames are the choices' names: the document's where it gives them
// (task types, media, appraisal origins, "Finalizado", "No disponible", the
// score's words), Spanish words of ours for the rest.
var displayNames = map[string]string{
	"new": "Nuevo", "commercial_management": "Gestión comercial", "tracing": "Seguimiento", "end": "Finalizado",
	"sale": "Venta", "no_sale": "Sin venta", "not_available": "No disponible", "unreachable": "Ilocalizable",
	"duplicate": "Duplicado", "invalid": "Inválido",
	"1": "Muy bajo", "2": "Bajo", "3": "Medio", "4": "Alto",
	"date": "Visita / test drive", "appraisal": "Tasación", "budget": "Presupuesto", "financing": "Financiación",
	"warranty": "Garantía", "vehicle_information": "Información del vehículo",
	"response_information_mail": "Respuesta a solicitud vía email", "pending_assignment": "Pendiente de asignación",
	"other": "Otros",
	"Phone": "Phone", "E-mail": "E-mail", "SMS": "SMS", "Whatsapp": "Whatsapp",
	"national": "Nacional", "foreign": "Extranjero",
}

// noteFields are a note's or a tag's.
func noteFields() []metaField { return []metaField{metaString("content", true, core.MaxLongText)} }

// taskFields are a task's, as Crear Lead's request.task items and Crear
// Solicitudes/Tareas take them.
func taskFields() []metaField {
	return []metaField{
		metaChoices("type", taskTypeChoices, ""),
		metaString("subtype", false, core.MaxShortText),
		metaString("description", false, core.MaxLongText),
		metaChoices("media", mediaChoices, "Phone si no se indica."),
		metaTyped("planified_realization_date", "datetime"),
		metaTyped("planified_tracking_date", "datetime"),
		metaTyped("realization_date_check", "boolean"),
		metaTyped("tracking_date_check", "boolean"),
		metaList("note", core.MaxItems, noteFields()...),
		metaNested("appraisal", false, `Obligatorio si type es "appraisal".`,
			metaString("brand_model", true, core.MaxShortText),
			metaString("license_plate", false, core.MaxPlate),
			metaString("km", false, core.MaxShortText),
			metaYear("year", 0, core.MaxYear, "0 (desconocido) o un año de 1900 a 2100."),
			metaPK("gas", false),
			metaString("extras", false, core.MaxLongText),
			metaChoices("origin", appraisalOrigins, ""),
		),
	}
}

var (
	loginFields = metaFields{metaString("username", true, 0), metaString("password", true, 0)}

	leadFields = metaFields{
		metaPK("source", true),
		metaNested("vehicle", true, "",
			metaString("brand_model", true, core.MaxShortText),
			metaString("price", false, core.MaxShortText),
			metaString("km", false, core.MaxShortText),
			metaYear("year", core.MinYear, core.MaxYear, ""),
			metaPK("gas", false),
			metaTyped("sold", "boolean"),
		),
		metaNested("client", false, "",
			metaString("name", true, core.MaxShortText),
			metaString("phone", false, core.MaxPhone),
			metaField{"email", fieldInfo{Type: "email", Label: "Email", MaxLength: metaInt(core.MaxShortText)}},
			metaPK("province", false),
			metaPK("location", false),
		),
		metaNested("request", false, "", metaList("task", core.MaxItems, taskFields()...)),
		metaList("note", core.MaxItems, noteFields()...),
		metaPK("user", false),
		metaChoices("status", stageChoices, "new si no se indica."),
		metaChoices("result", outcomeChoices, "Dar un resultado finaliza el lead."),
		metaChoices("score", scoreChoices, "También un entero de 1 a 4; null lo borra."),
		metaList("tags", core.MaxItems, noteFields()...),
		metaString("mail_content", false, core.MaxLongText),
	}

	taskCreateFields = append(metaFields{metaPK("lead", true)}, taskFields()...)

	click2CallFields = metaFields{metaPK("lead", true)}
)

// pathViews describes every path of routes (NewHandler panics on one missing).
var pathViews = map[string]pathView{
	"/api/auth/login/":     {"Login", "Permite el acceso al sistema según los credenciales aportados.", loginFields},
	"/api/auth/logout/":    {"Logout", "Cierre de sesión del usuario.", nil},
	"/api/concessionaire/": {"Concessionaire List", "Muestra un listado de concesionarios dados de alta en el sistema.", nil},
	"/api/lead/": {"Lead List", "Muestra un listado de leads paginados según los datos establecidos en la consulta. " +
		"Crear: dar de alta un nuevo Lead en el aplicativo.", leadFields},
	"/api/lead/{id}/": {"Lead Instance", "Información en detalle del lead seleccionado. " +
		"Modificar: permite modificar un Lead; asignarlo (cambia de propietario) o finalizarlo (modifica el estado a Finalizado).", nil},
	"/api/lead/{id}/change_status/":       {"Change status", "Cambia el estado del Lead.", nil},
	"/api/source/":                        {"Source List", "Muestra un listado de “Fuentes” según los datos introducidos en la búsqueda.", nil},
	"/api/gas_type/":                      {"Gas Type List", "Muestra un listado de tipos de combustibles para ser seleccionado en el alta de un vehículo en el Lead.", nil},
	"/api/clients/":                       {"Client List", "Muestra un listado de “Clientes” según los datos introducidos en la búsqueda.", nil},
	"/api/provinces/":                     {"Province List", "Muestra un listado de “Provincias” según los datos introducidos en la búsqueda.", nil},
	"/api/localities/":                    {"Locality List", "Muestra un listado de “Localidades” según los datos introducidos en la búsqueda.", nil},
	"/api/user/":                          {"User List", "Muestra un listado de “Usuarios” según los datos introducidos en la búsqueda.", nil},
	"/api/lead_task_create/":              {"Lead Task Create", "Crea Solicitudes en un Lead seleccionado.", taskCreateFields},
	"/api/task/{id}/":                     {"Task Instance", "Consulta y modifica la solicitud perteneciente a un Lead, o la descarta del sistema.", nil},
	"/api/lead_history/{id}/get_history/": {"Get history", "Muestra un histórico resumen de cambios en el Lead.", nil},
	"/api/netelip/call_control_lead/click2call/": {"Click2call", "Realiza una llamada al cliente asignado a un lead. " +
		"Esta llamada pondrá en contacto al cliente con el “teléfono” (extensiones o teléfono directo) de la concesión.", click2CallFields},
	"/swagger.json": {"Schema", "La descripción OpenAPI de esta API.", nil},
}

// drfMethodOrder is the order of DRF's View.http_method_names, in which its
// Allow header lists a view's methods.
var drfMethodOrder = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead, http.MethodOptions, http.MethodTrace}

// allowHeader is the Allow header of a path serving methods, as DRF sends
// it: HEAD where GET is served, OPTIONS always, in DRF's order.
func allowHeader(methods []string) string {
	allow := slices.Clone(methods)
	if slices.Contains(allow, http.MethodGet) {
		allow = append(allow, http.MethodHead)
	}
	allow = append(allow, http.MethodOptions)
	slices.SortStableFunc(allow, func(a, b string) int {
		return slices.Index(drfMethodOrder, a) - slices.Index(drfMethodOrder, b)
	})
	return strings.Join(slices.Compact(allow), ", ")
}

// withAllow sends the path's Allow header with every answer of next, as
// DRF's views do.
func withAllow(allow string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		next.ServeHTTP(w, r)
	})
}
