package sml

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"forecourt/internal/core"
)

// DRF's messages, in the Spanish its locale files give them.
const (
	msgRequired       = "Este campo es requerido."
	msgNull           = "Este campo no puede ser nulo."
	msgBlank          = "Este campo no puede estar en blanco."
	msgNullChar       = "No se permiten caracteres nulos."
	msgBadEncoding    = "Este valor no es texto UTF-8 válido."
	msgBadEscape      = "Este valor no está bien codificado en la URL (un \"%\" debe ir seguido de dos dígitos hexadecimales)."
	msgInt            = "Se requiere un número entero válido."
	msgBool           = "Se requiere un booleano válido."
	msgString         = "Se requiere una cadena de texto válida."
	msgEmail          = "Introduzca una dirección de correo electrónico válida."
	msgDatetime       = "Fecha/hora con formato erróneo. Use uno de los siguientes formatos en su lugar: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
	msgInvalid        = "Valor inválido."
	msgNotFound       = "No encontrado."
	msgInvalidPage    = "Página inválida."
	msgNoCredentials  = "Las credenciales de autenticación no se proveyeron."
	msgBadToken       = "Token inválido."
	msgForbidden      = "Usted no tiene permiso para realizar esta acción."
	msgInternal       = "Error interno del servidor."
	msgBadLogin       = "No se puede iniciar sesión con las credenciales proporcionadas."
	msgLoggedOut      = "Sesión cerrada."
	msgFilterInt      = "Introduzca un número entero."
	msgNotInProvince  = "La localidad no pertenece a la provincia indicada."
	msgNoPhone        = "El cliente del lead no tiene teléfono."
	msgBodyTooLarge   = "El cuerpo de la petición supera el tamaño máximo de 1 MiB."
	msgConflict       = "La petición entra en conflicto con el estado actual del recurso."
	msgBridgeRefused  = "La centralita rechazó la llamada."
	msgNoBridge       = "La centralita no está disponible. Inténtelo de nuevo más tarde."
	msgUnavailable    = "Servicio no disponible temporalmente. Inténtelo de nuevo más tarde."
	msgInvalidRequest = "Datos inválidos."
	msgThrottled      = "Solicitud fue regulada (throttled)."
)

// msgDatetimeOverflow is DRF's DateTimeField "overflow" message ("Datetime
// value out of range."), which DRF's Spanish catalogue leaves untranslated:
// the translation is ours.
const msgDatetimeOverflow = "Valor de fecha/hora fuera de rango."

// throttled is DRF's answer to a throttled request: 429, its detail in
// Spanish with the wait in whole seconds (rounded up), and Retry-After.
// msgSurrogate is DRF's CharField message for text holding a lone UTF-16
// surrogate (ProhibitSurrogateCharactersValidator, "Surrogate characters
// are not allowed: U+D800."); DRF's Spanish catalogue has no translation
// of it, so this one is ours, worded like its message for a NUL.
func msgSurrogate(r rune) string {
	return fmt.Sprintf("No se permiten caracteres sustitutos: U+%04X.", r)
}

func throttled(wait time.Duration) *apiError {
	secs := max(1, int((wait+time.Second-1)/time.Second))
	unit := "segundos"
	if secs == 1 {
		unit = "segundo"
	}
	return &apiError{status: http.StatusTooManyRequests, retryAfter: secs,
		body: Detail{Detail: fmt.Sprintf("%s Se espera que esté disponible en %d %s.", msgThrottled, secs, unit)}}
}

// unavailable answers a request the server cannot serve now (its database
// is down or overloaded): 503 with DRF's {"detail": …} and Retry-After, in
// whole seconds rounded up (5 when core gave no wait). It is not logged:
// the store logs the outage once.
func unavailable(wait time.Duration) *apiError {
	secs := int((wait + time.Second - 1) / time.Second)
	if secs <= 0 {
		secs = 5
	}
	return &apiError{status: http.StatusServiceUnavailable, retryAfter: secs, body: Detail{Detail: msgUnavailable}}
}

func msgChoice(v string) string { return fmt.Sprintf("\"%s\" no es una elección válida.", v) }

func msgFilterChoice(v string) string {
	return fmt.Sprintf("Escoja una opción válida. %s no es una de las opciones disponibles.", v)
}

func msgPK(v string) string {
	return fmt.Sprintf("Clave primaria \"%s\" inválida - objeto no existe.", v)
}

func msgPKType(pyType string) string {
	return "Tipo incorrecto. Se esperaba valor de clave primaria y se recibió " + pyType + "."
}

func msgObject(pyType string) string {
	return "Datos inválidos. Se esperaba un diccionario pero se recibió " + pyType + "."
}

func msgList(pyType string) string {
	return fmt.Sprintf("Se esperaba una lista de elementos pero se obtuvo el tipo \"%s\".", pyType)
}

func msgTooLong(n int) string {
	return fmt.Sprintf("Asegúrese de que este campo no tenga más de %d caracteres.", n)
}

func msgTooMany(n int) string {
	return fmt.Sprintf("Asegúrese de que este campo no tenga más de %d elementos.", n)
}

// The totals of what one lead holds (core.MaxLead…), passed at the field
// that named them.
var (
	msgLeadNotes = fmt.Sprintf("El lead no puede tener más de %d notas y etiquetas en total, contando las de sus tareas.",
		core.MaxLeadNotes)
	msgLeadNoteVersions = fmt.Sprintf("El lead no puede guardar más de %d versiones de sus notas y etiquetas en total.",
		core.MaxLeadNoteVersions)
	msgLeadText = fmt.Sprintf("El lead no puede tener más de %d caracteres de texto en total: su contenido de correo, "+
		"las descripciones y extras de sus tareas y cada versión de sus notas y etiquetas.", core.MaxLeadText)
)

func msgMinValue(n int) string {
	return fmt.Sprintf("Asegúrese de que este valor es mayor o igual a %d.", n)
}

func msgMaxValue(n int) string {
	return fmt.Sprintf("Asegúrese de que este valor es menor o igual a %d.", n)
}

// unavailableRetry is the least Retry-After of a 503 for a missing
// telephony bridge: it comes back only when an operator acts.
const unavailableRetry = 60 * time.Second

// maxLen returns the length limit core applies to the field named last; it
// only fills in the "{n}" of the message: core decides.
func maxLen(last string) int {
	switch last {
	case "phone":
		return core.MaxPhone
	case "license_plate":
		return core.MaxPlate
	case "description", "extras", "content", "mail_content":
		return core.MaxLongText
	}
	return core.MaxShortText
}

// errTree is a DRF error body being built: a node holds either messages
// (a field's list of strings), named children (a nested serializer), or
// numbered children (a list serializer, rendered as a list with {} for the
// items without errors).
type errTree struct {
	msgs []string
	kids map[string]*errTree
	n    int // the list's length, when the node is a list
}

func (t *errTree) empty() bool { return t == nil || (len(t.msgs) == 0 && len(t.kids) == 0) }

// at returns the node at path, creating it.
func (t *errTree) at(path []string) *errTree {
	n := t
	for _, seg := range path {
		if n.kids == nil {
			n.kids = map[string]*errTree{}
		}
		k, ok := n.kids[seg]
		if !ok {
			k = &errTree{}
			n.kids[seg] = k
		}
		n = k
	}
	return n
}

// add records msg at path unless that field already has a message: DRF
// reports the first failing validation of a field.
func (t *errTree) add(path []string, msg string) {
	n := t.at(path)
	if len(n.msgs) == 0 {
		n.msgs = append(n.msgs, msg)
	}
}

// setLen records that the list at path has n items.
func (t *errTree) setLen(path []string, n int) { t.at(path).n = n }

func (t *errTree) isList() bool {
	if len(t.kids) == 0 {
		return false
	}
	for k := range t.kids {
		if _, err := strconv.Atoi(k); err != nil {
			return false
		}
	}
	return true
}

// prune drops nodes without messages (lists whose length was recorded but
// whose items all validated).
func (t *errTree) prune() bool {
	for k, kid := range t.kids {
		if !kid.prune() {
			delete(t.kids, k)
		}
	}
	return len(t.msgs) > 0 || len(t.kids) > 0
}

// MarshalJSON renders the tree as DRF does.
func (t *errTree) MarshalJSON() ([]byte, error) {
	switch {
	case len(t.msgs) > 0:
		return json.Marshal(t.msgs)
	case t.isList():
		size := t.n
		for k := range t.kids {
			if i, _ := strconv.Atoi(k); i+1 > size {
				size = i + 1
			}
		}
		items := make([]any, size)
		for i := range items {
			if k, ok := t.kids[strconv.Itoa(i)]; ok {
				items[i] = k
			} else {
				items[i] = struct{}{}
			}
		}
		return json.Marshal(items)
	default:
		m := make(map[string]*errTree, len(t.kids))
		for k, v := range t.kids {
			m[k] = v
		}
		return json.Marshal(m)
	}
}

// apiError is an answer other than success: a status and a DRF body.
type apiError struct {
	status     int
	body       any
	cause      error // logged, never shown, for 500s
	retryAfter int   // seconds, for 429s and 503s (the Retry-After header)
}

func (e *apiError) Error() string {
	if e.cause != nil {
		return fmt.Sprintf("sml %d: %v", e.status, e.cause)
	}
	return fmt.Sprintf("sml %d", e.status)
}

func detailError(status int, msg string) *apiError {
	return &apiError{status: status, body: Detail{Detail: msg}}
}

func notFound() *apiError { return detailError(http.StatusNotFound, msgNotFound) }

// fieldError answers 400 with a one-field DRF body.
func fieldError(field, msg string) *apiError {
	t := &errTree{}
	t.add([]string{field}, msg)
	return &apiError{status: http.StatusBadRequest, body: t}
}

// treeError answers 400 with t.
func treeError(t *errTree) *apiError {
	t.prune()
	return &apiError{status: http.StatusBadRequest, body: t}
}

// errContext tells toAPIError how to word a core error: the values the
// request gave, by SML path (for "Clave primaria \"7\"…"), and whether the
// request was about one task (paths relative to the task).
type errContext struct {
	values map[string]string
	onTask bool
	// notFoundField turns a NotFound from core into a pk error on this
	// body field: a lead named in a body ("lead": 7) that does not exist or
	// is another dealer's is a bad field, not a missing page.
	notFoundField string
}

// toAPIError maps any error to its answer: core codes to statuses, core
// field paths and messages to SML paths and DRF's Spanish.
func toAPIError(err error, c errContext) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var ce *core.Error
	if !errors.As(err, &ce) {
		return &apiError{status: http.StatusInternalServerError, body: Detail{Detail: msgInternal}, cause: err}
	}
	switch ce.Code {
	case core.Invalid:
		if len(ce.Fields) == 0 {
			msg := msgInvalidRequest
			if errors.Is(err, core.ErrBadCredentials) {
				msg = msgBadLogin
			}
			return &apiError{status: http.StatusBadRequest, body: map[string][]string{"non_field_errors": {msg}}}
		}
		t := &errTree{}
		for _, k := range sortedKeys(ce.Fields) {
			p := smlPath(k, c.onTask)
			t.add(p, fieldMessage(ce.Fields[k], p, c.values[strings.Join(p, ".")]))
		}
		return treeError(t)
	case core.NotFound:
		if c.notFoundField != "" {
			return fieldError(c.notFoundField, msgPK(c.values[c.notFoundField]))
		}
		return notFound()
	case core.Unauthorized:
		return detailError(http.StatusUnauthorized, msgBadToken)
	case core.Forbidden:
		return detailError(http.StatusForbidden, msgForbidden)
	case core.Conflict:
		if errors.Is(err, core.ErrCallRefused) {
			return detailError(http.StatusConflict, msgBridgeRefused)
		}
		return detailError(http.StatusConflict, msgConflict)
	case core.Unavailable:
		if errors.Is(err, core.ErrNoDialer) {
			e := unavailable(max(ce.RetryAfter, unavailableRetry))
			e.body = Detail{Detail: msgNoBridge}
			return e
		}
		return unavailable(ce.RetryAfter)
	case core.Throttled:
		return throttled(ce.RetryAfter)
	default:
		return &apiError{status: http.StatusInternalServerError, body: Detail{Detail: msgInternal}, cause: err}
	}
}

// stored answers err, met while rendering the answer of a write that was
// stored: never 503 with Retry-After, which tells a client to send the
// write again and would store it twice (a lead, a task, a note); 500, as
// for a COMMIT whose outcome is unknown (README, "When the database cannot
// answer"). Any other error is answered as it is; nil stays nil.
func stored(err error) error {
	if err == nil {
		return nil
	}
	ae := toAPIError(err, errContext{})
	if ae.status != http.StatusServiceUnavailable {
		return ae
	}
	return &apiError{status: http.StatusInternalServerError, body: Detail{Detail: msgInternal},
		cause: fmt.Errorf("the write was stored but its answer could not be rendered: %w", err)}
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// smlPath maps a core field path to the SML body's path:
//
//	tasks.N.x        → request.task.N.x
//	tasks.N.notes.M  → request.task.N.note.M
//	notes.N.x        → note.N.x
//	client.locality  → client.location
//	stage → status, outcome → result, sort → ordering
//
// On task endpoints (onTask), core's paths are relative to the task: notes.M
// becomes note.M and "task"/"tasks" (the lead's task list as a whole)
// becomes non_field_errors.
func smlPath(corePath string, onTask bool) []string {
	segs := strings.Split(corePath, ".")
	out := make([]string, 0, len(segs)+1)
	for i, s := range segs {
		switch {
		case i == 0 && s == "tasks" && !onTask:
			out = append(out, "request", "task")
		case i == 0 && onTask && (s == "task" || s == "tasks"):
			out = append(out, "non_field_errors")
		case s == "notes":
			out = append(out, "note")
		case s == "locality" && i > 0 && segs[i-1] == "client":
			out = append(out, "location")
		case i == 0 && s == "stage":
			out = append(out, "status")
		case i == 0 && s == "outcome":
			out = append(out, "result")
		case i == 0 && s == "sort":
			out = append(out, "ordering")
		default:
			out = append(out, s)
		}
	}
	return out
}

// fieldMessage words one of core's field messages (core.Msg*) in DRF's
// Spanish. path is the SML path; value the value the request gave there,
// when known.
func fieldMessage(msg string, path []string, value string) string {
	last := path[len(path)-1]
	isList := last == "task" || last == "note" || last == "tags"
	switch msg {
	case core.MsgRequired:
		return msgRequired
	case core.MsgNotExist:
		return msgPK(value)
	case core.MsgInvalidChoice:
		return msgChoice(value)
	case core.MsgInvalid:
		if last == "email" {
			return msgEmail
		}
		return msgInvalid
	case core.MsgOutOfRange:
		switch {
		case isList:
			return msgTooMany(core.MaxItems)
		case last == "year":
			if y, err := strconv.Atoi(value); err == nil && y < core.MinYear {
				return msgMinValue(core.MinYear)
			}
			return msgMaxValue(core.MaxYear)
		}
		return msgInvalid
	case core.MsgTooLong:
		if last == "search" {
			return msgTooLong(core.MaxTermLength)
		}
		return msgTooLong(maxLen(last))
	case core.MsgTooMany:
		// DRF's ListField: the query's bounds (core.MaxSearchTerms, core.MaxSorts)
		switch last {
		case "search":
			return msgTooMany(core.MaxSearchTerms)
		case "ordering":
			return msgTooMany(core.MaxSorts)
		}
		return msgInvalid
	case core.MsgNullCharacter:
		return msgNullChar
	case core.MsgNotInProvince:
		return msgNotInProvince
	case core.MsgNoPhone:
		return msgNoPhone
	case core.MsgLeadNotes:
		return msgLeadNotes
	case core.MsgLeadNoteVersions:
		return msgLeadNoteVersions
	case core.MsgLeadText:
		return msgLeadText
	}
	return msgInvalid
}
