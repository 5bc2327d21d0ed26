// Package bearer reads the credential every API but SML takes: a login
// token or an API key sent as "Authorization: Bearer <secret>" (RFC 6750;
// the scheme's name in any case).
package bearer

import (
	"net/http"
	"strings"
)

// Secret returns the secret of r's Bearer credential, spaces around it
// trimmed, and whether there is one: false without an Authorization
// header, with another scheme, or with an empty secret.
func Secret(r *http.Request) (string, bool) {
	scheme, secret, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	secret = strings.TrimSpace(secret)
	if !strings.EqualFold(scheme, "Bearer") || secret == "" {
		return "", false
	}
	return secret, true
}
