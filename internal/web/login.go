package web

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// login serves the login page (GET /login), logs in (POST /login) and out
// (POST /logout).
type login struct {
	sessions Sessions
	locale   string // config locale: the language without Accept-Language
	clientIP func(r *http.Request) string
	log      *slog.Logger
}

// page shows the login form, with msg when set.
func (l login) page(w http.ResponseWriter, r *http.Request, status int, email, msg string) {
	lang := Language(r, l.locale)
	render(w, status, "login.html", map[string]any{"Lang": lang, "T": loginWords[lang], "Next": safeNext(r.FormValue("next")),
		"Email": email, "Error": msg})
}

func (l login) get(w http.ResponseWriter, r *http.Request) { l.page(w, r, http.StatusOK, "", "") }

// post checks the form and, on success, sets the session cookie and sends
// the browser where it was going. Which of the email or the password was
// wrong is not said.
func (l login) post(w http.ResponseWriter, r *http.Request) {
	email, password := r.PostFormValue("email"), r.PostFormValue("password")
	words := loginWords[Language(r, l.locale)]
	secret, err := l.sessions.Login(r.Context(), email, password, l.clientIP(r))
	switch {
	case errors.Is(err, ErrThrottled):
		l.log.Warn("login throttled", "email", NormalizeEmail(email), "ip", l.clientIP(r))
		w.Header().Set("Retry-After", "60")
		l.page(w, r, http.StatusTooManyRequests, email, words.Throttled)
	case errors.Is(err, ErrBadLogin):
		l.log.Info("login refused", "email", NormalizeEmail(email), "ip", l.clientIP(r))
		l.page(w, r, http.StatusUnauthorized, email, words.BadLogin)
	case err != nil:
		l.log.Error("login", "err", err)
		l.page(w, r, http.StatusServiceUnavailable, email, words.Unavailable)
	default:
		l.log.Info("login", "user", NormalizeEmail(email), "ip", l.clientIP(r))
		http.SetCookie(w, l.sessions.cookie(secret))
		http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
	}
}

// logout ends the session (its CSRF token checked before) and clears the
// cookie.
func (l login) logout(w http.ResponseWriter, r *http.Request) {
	if err := l.sessions.Logout(r.Context(), r); err != nil {
		l.log.Error("logout", "err", err)
		http.Error(w, "logout unavailable", http.StatusServiceUnavailable)
		return
	}
	http.SetCookie(w, l.sessions.cookie(""))
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// safeNext is where a login sends the browser: a path of this server, never
// another site ("//evil.example", "/\evil.example", "https://…").
func safeNext(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n") {
		return "/"
	}
	return next
}

// pageGuard is the dashboard's and River UI's: a browser without a session
// goes to the login page and comes back; a script (no text/html in Accept)
// gets 401 or 403 in JSON.
func pageGuard(sessions Sessions) Guard {
	return Guard{
		Unauthenticated: func(w http.ResponseWriter, r *http.Request) {
			if _, err := r.Cookie(SessionCookie); err == nil { // ended or expired
				http.SetCookie(w, sessions.cookie(""))
			}
			if !wantsHTML(r) {
				refuse(w, r, http.StatusUnauthorized, "authentication required")
				return
			}
			next := "/"
			if r.Method == http.MethodGet {
				next = r.URL.RequestURI()
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
		},
		Forbidden: func(w http.ResponseWriter, r *http.Request) {
			refuse(w, r, http.StatusForbidden, "your role may not do this")
		},
	}
}

// refuse answers status with msg, in HTML for a browser and in the API's
// JSON error form for a script.
func refuse(w http.ResponseWriter, r *http.Request, status int, msg string) {
	if wantsHTML(r) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(msg + "\n"))
		return
	}
	writeError(w, &apiError{status: status, msg: msg})
}

// wantsHTML tells a browser's navigation or form from a script's call.
func wantsHTML(r *http.Request) bool { return strings.Contains(r.Header.Get("Accept"), "text/html") }

// remoteIP is the address of the request's peer, without its port.
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
