package web_test

import (
	"net/url"
	"testing"

	"forecourt/internal/core"
	"forecourt/internal/demo"
)

// adminWithLead logs a browser in as the demo's admin and returns it, its
// CSRF token and the demo's lead i, assigned to the admin.
func adminWithLead(t *testing.T, st site, i int) (*browser, string, core.Lead) {
	t.Helper()
	b := st.browser(t)
	b.login(demo.AdminUsername, demo.AdminPassword)
	l := st.lead(t, st.fx.LeadIDs[i])
	if l.UserID == nil || *l.UserID != st.fx.AdminID {
		var err error
		if l, err = st.svc.AssignLead(st.admin(), l.ID, st.fx.AdminID, l.Version); err != nil {
			t.Fatal(err)
		}
	}
	return b, b.csrf(), l
}

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

// changed is a copy of form with k set to v, or without k when v is empty.
func changed(form url.Values, k, v string) url.Values {
	f := url.Values{}
	for key, vs := range form {
		f[key] = vs
	}
	if v == "" {
		f.Del(k)
	} else {
		f.Set(k, v)
	}
	return f
}
