package sml

import (
	"net/http"
	"slices"
)

// Route is one route of the SML API: a method and a net/http.ServeMux
// pattern holding the documented path ({id} for "{id_lead}" and
// "{id_tarea}").
type Route struct {
	Method  string
	Pattern string
	Name    string
}

// routes lists every route, in the document's order. NewHandler registers
// each pattern with and without its trailing slash, and the server mounts
// SML by exactly these (internal/server); swagger.json describes each one
// (TestRoutesMatchSwagger).
var routes = []Route{
	{http.MethodPost, "/api/auth/login/", "login"},
	{http.MethodPost, "/api/auth/logout/", "logout"},
	{http.MethodGet, "/api/concessionaire/", "concessionaire-list"},
	{http.MethodGet, "/api/lead/", "lead-list"},
	{http.MethodPost, "/api/lead/", "lead-create"},
	{http.MethodGet, "/api/lead/{id}/", "lead-detail"},
	{http.MethodPatch, "/api/lead/{id}/", "lead-update"},
	{http.MethodGet, "/api/source/", "source-list"},
	{http.MethodGet, "/api/gas_type/", "gas-type-list"},
	{http.MethodGet, "/api/clients/", "client-list"},
	{http.MethodGet, "/api/provinces/", "province-list"},
	{http.MethodGet, "/api/localities/", "locality-list"},
	{http.MethodGet, "/api/user/", "user-list"},
	{http.MethodPatch, "/api/lead/{id}/change_status/", "lead-change-status"},
	{http.MethodPost, "/api/lead_task_create/", "task-create"},
	{http.MethodGet, "/api/task/{id}/", "task-detail"},
	{http.MethodPatch, "/api/task/{id}/", "task-update"},
	{http.MethodDelete, "/api/task/{id}/", "task-delete"},
	{http.MethodGet, "/api/lead_history/{id}/get_history/", "lead-history"},
	{http.MethodPatch, "/api/netelip/call_control_lead/click2call/", "click2call"},
	{http.MethodPost, "/api/netelip/call_control_lead/click2call/", "click2call-post"},
	{http.MethodGet, "/swagger.json", "swagger"},
}

// Routes returns every route the handler serves.
func Routes() []Route { return slices.Clone(routes) }

// public names the routes that need no credentials.
var public = map[string]bool{"login": true, "swagger": true}
