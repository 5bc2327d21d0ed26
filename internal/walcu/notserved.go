package walcu

import "net/http"

// notServed answers 501 for what this API does not serve yet (see
// docs/walcu.md, "What is served").
func notServed(what string) error {
	return &apiError{Body: Body{Status: http.StatusNotImplemented, Code: "not_implemented", Message: what + " is not served yet"}}
}
