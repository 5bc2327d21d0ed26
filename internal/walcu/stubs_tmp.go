package walcu

import "net/http"

func (h *handler) export(w http.ResponseWriter, r *http.Request, req *request) error { return nil }
func (h *handler) job(w http.ResponseWriter, r *http.Request, req *request) error    { return nil }
func (h *handler) openAPI(w http.ResponseWriter, r *http.Request) error              { return nil }
