package web_test

import (
	"net/url"
	"testing"
)

// refusal is a form posted that the page must refuse: its status and what
// the page says.
type refusal struct {
	what   string
	form   url.Values
	status int
	says   string
}

// wantRefusals posts each refusal's form to path and checks its answer.
func wantRefusals(t *testing.T, b *browser, path string, rs []refusal) {
	t.Helper()
	for _, c := range rs {
		a := b.post(path, c.form)
		wantStatus(t, a, c.status, c.what)
		wantBody(t, a, c.what, c.says)
	}
}
