package sml

import (
	"errors"
	"net/http"
	"strings"

	"forecourt/internal/core"
)

// authenticated runs next with the principal the request's credentials
// stand for: "Authorization: Token <t>" as DRF's TokenAuthentication reads
// it, or "Bearer <t>"; t is a login token or a dealer's API key.
func (h *handler) authenticated(next apiFunc) apiFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		secret, given := credentials(r.Header.Get("Authorization"))
		if !given {
			return detailError(http.StatusUnauthorized, msgNoCredentials)
		}
		if secret == "" {
			return detailError(http.StatusUnauthorized, msgBadToken)
		}
		p, err := h.svc.Authenticate(r.Context(), secret)
		if err != nil {
			if core.ErrorCode(err) == core.Unauthorized {
				return detailError(http.StatusUnauthorized, msgBadToken)
			}
			return err
		}
		return next(w, r.WithContext(core.WithPrincipal(r.Context(), p)))
	}
}

// credentials reads an Authorization header. given is false when there is
// none or it uses another scheme (DRF then reports no credentials); secret
// is empty when the scheme is ours but the header is malformed.
func credentials(header string) (secret string, given bool) {
	fields := strings.Fields(header)
	if len(fields) == 0 {
		return "", false
	}
	switch strings.ToLower(fields[0]) {
	case "token", "bearer":
	default:
		return "", false
	}
	if len(fields) != 2 {
		return "", true
	}
	return fields[1], true
}

// login serves Login: POST /api/auth/login/.
func (h *handler) login(w http.ResponseWriter, r *http.Request) error {
	o, err := h.body(w, r, false)
	if err != nil {
		return err
	}
	b := decodeLogin(o)
	if err := o.d.err(); err != nil {
		return err
	}
	token, u, err := h.svc.Login(r.Context(), b.Username.V, b.Password.V)
	if err != nil {
		if errors.Is(err, core.ErrBadCredentials) {
			// the document shows this one message as a plain string
			return &apiError{status: http.StatusBadRequest, body: map[string]string{"non_field_errors": msgBadLogin}}
		}
		return err
	}
	return writeJSON(w, http.StatusOK, LoginResponse{Username: u.Username, Password: "********", Token: token})
}

// logout serves Logout: POST /api/auth/logout/; the token stops working.
func (h *handler) logout(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.Logout(r.Context()); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, Detail{Detail: msgLoggedOut})
}
