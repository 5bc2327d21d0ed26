package walcu

import "net/http"

// notServed answers 501 for what this API does not serve yet (see
// docs/walcu.md, "What is served").
func notServed(what string) error {
	return &apiError{Body: Body{Status: http.StatusNotImplemented, Code: "not_implemented", Message: what + " is not served yet"}}
}

func (h *handler) export(w http.ResponseWriter, r *http.Request, req *request) error {
	return notServed("the export of " + req.coll.name)
}

func (h *handler) job(w http.ResponseWriter, r *http.Request, req *request) error {
	return notServed("export jobs")
}
