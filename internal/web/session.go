package web

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"forecourt/internal/core"
)

// cookieName is the session cookie: it holds the token core.Service.Login
// gives, the same token the APIs take in an Authorization header, so that
// the interface has no session system of its own (expiry, failed-login
// limits and logout's revocation are the core's).
const cookieName = "forecourt_session"

// maxToken bounds the cookie's value read: the core's tokens have 26
// characters (crypto/rand.Text).
const maxToken = 128

// session is the logged-in user a request is made for.
type session struct {
	P       core.Principal
	User    core.User
	Dealers []core.Dealer
	CSRF    string // the token every form of this session carries
}

// Name is how the page's header names the user.
func (s *session) Name() string {
	if s.User.ID == 0 {
		return s.P.Username
	}
	return userName(s.User)
}

// csrfToken is the anti-forgery token of the session whose login token is
// token: a hash of it, so it needs no storage, lives and dies with the
// session, and tells nothing of the token (which the page never holds).
func csrfToken(token string) string {
	return core.HashSecret("forecourt web csrf\x00" + token)
}

// authedFunc is a handler for a logged-in user.
type authedFunc func(w http.ResponseWriter, r *http.Request, s *session)

// authed runs next for the user the session cookie stands for. Without a
// valid session a GET goes to the login page (and back after it), a POST
// is refused there too; a POST's form must carry the session's CSRF token
// and come from this site (http.CrossOriginProtection), else it is refused
// with 403 and changes nothing.
func (a *App) authed(next authedFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(cookieName)
		if err != nil || c.Value == "" || len(c.Value) > maxToken {
			a.toLogin(w, r)
			return
		}
		// the changes the pages make are recorded as the interface's
		r = r.WithContext(core.WithVia(r.Context(), core.ViaWeb))
		p, err := a.svc.Authenticate(r.Context(), c.Value)
		if err != nil || p.UserID == 0 || p.APIKeyID != 0 {
			if err != nil && core.ErrorCode(err) != core.Unauthorized {
				a.failure(w, r, nil, err)
				return
			}
			a.clearCookie(w)
			a.toLogin(w, r)
			return
		}
		ctx := core.WithPrincipal(r.Context(), p)
		r = r.WithContext(ctx)
		s := &session{P: p, CSRF: csrfToken(c.Value)}
		us, err := a.svc.UsersByID(ctx, []int64{p.UserID})
		if err != nil {
			a.failure(w, r, nil, err)
			return
		}
		if len(us) == 1 {
			s.User = us[0]
		}
		if s.Dealers, err = a.svc.DealersByID(ctx, p.DealerIDs); err != nil {
			a.failure(w, r, nil, err)
			return
		}
		if r.Method == http.MethodPost && !a.checkForm(w, r, s) {
			return
		}
		next(w, r, s)
	}
}

// checkForm reads a POST's form (bounded) and checks where it comes from
// and its CSRF token, answering the refusal itself when it fails.
func (a *App) checkForm(w http.ResponseWriter, r *http.Request, s *session) bool {
	if err := a.origin.Check(r); err != nil {
		a.message(w, r, s, http.StatusForbidden, "csrf")
		return false
	}
	if !a.parseForm(w, r, s) {
		return false
	}
	got := r.PostForm.Get("csrf")
	if subtle.ConstantTimeCompare([]byte(got), []byte(s.CSRF)) != 1 {
		a.message(w, r, s, http.StatusForbidden, "csrf")
		return false
	}
	return true
}

// parseForm reads a POST's url-encoded form of at most maxForm bytes,
// answering 413 or 400 itself when it cannot.
func (a *App) parseForm(w http.ResponseWriter, r *http.Request, s *session) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			a.message(w, r, s, http.StatusRequestEntityTooLarge, "too_large")
		} else {
			a.message(w, r, s, http.StatusBadRequest, "bad_form")
		}
		return false
	}
	return true
}

// toLogin sends the request to the login page; a GET comes back to where
// it was going after it.
func (a *App) toLogin(w http.ResponseWriter, r *http.Request) {
	target := "/app/login"
	if r.Method == http.MethodGet && r.URL.Path != "/app/login" && len(r.URL.RequestURI()) <= 512 {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// loginData is what the login page shows.
type loginData struct {
	Username string
	Next     string
	Retry    int // seconds to wait, when throttled
}

// loginPage serves the login form.
func (a *App) loginPage(w http.ResponseWriter, r *http.Request) {
	a.render(w, r, "login.html", http.StatusOK, page{Data: loginData{Next: safeNext(r.URL.Query().Get("next"))}})
}

// login checks the form's credentials through the core (its failed-login
// limits included) and sets the session cookie. There is no session yet,
// so no CSRF token: a login forged from another site is refused by
// http.CrossOriginProtection (the browser's Sec-Fetch-Site or Origin).
func (a *App) login(w http.ResponseWriter, r *http.Request) {
	if err := a.origin.Check(r); err != nil {
		a.message(w, r, nil, http.StatusForbidden, "csrf")
		return
	}
	if !a.parseForm(w, r, nil) {
		return
	}
	d := loginData{Username: r.PostForm.Get("username"), Next: safeNext(r.PostForm.Get("next"))}
	if len(d.Username) > 4*core.MaxLoginLen {
		d.Username = ""
	}
	token, _, err := a.svc.Login(r.Context(), d.Username, r.PostForm.Get("password"))
	if err != nil {
		status, msg := http.StatusUnauthorized, "bad_login"
		var ce *core.Error
		switch {
		case errors.Is(err, core.ErrBadCredentials):
		case core.ErrorCode(err) == core.Throttled && errors.As(err, &ce):
			status, msg = http.StatusTooManyRequests, "throttled"
			d.Retry = int((ce.RetryAfter + time.Second - 1) / time.Second)
			w.Header().Set("Retry-After", strconv.Itoa(d.Retry))
		default:
			a.failure(w, r, nil, err)
			return
		}
		a.render(w, r, "login.html", status, page{Msg: msg, Data: d})
		return
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: token, Path: "/app", HttpOnly: true,
		Secure: a.secure, SameSite: http.SameSiteLaxMode})
	next := d.Next
	if next == "" {
		next = "/app/leads"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logout revokes the session's token in the core and forgets the cookie.
func (a *App) logout(w http.ResponseWriter, r *http.Request, s *session) {
	if err := a.svc.Logout(r.Context()); err != nil {
		a.failure(w, r, s, err)
		return
	}
	a.clearCookie(w)
	http.Redirect(w, r, "/app/login", http.StatusSeeOther)
}

func (a *App) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/app", HttpOnly: true,
		Secure: a.secure, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// safeNext is where a login may send the user on: a path of the interface,
// never another site ("//host", "/\host") nor anything long.
func safeNext(next string) string {
	if len(next) > 512 || !strings.HasPrefix(next, "/app/") || strings.ContainsAny(next, "\\\r\n") || strings.HasPrefix(next, "/app/login") {
		return ""
	}
	return next
}
