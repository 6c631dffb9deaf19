package web

import (
	"crypto/subtle"
	"net/http"
)

// basicAuth checks the one operator account of the daemon.
type basicAuth struct{ user, password string }

// ok reports whether r carries the right credentials, comparing in constant
// time.
func (a basicAuth) ok(r *http.Request) bool {
	u, p, found := r.BasicAuth()
	return found && subtle.ConstantTimeCompare([]byte(u), []byte(a.user)) == 1 &&
		subtle.ConstantTimeCompare([]byte(p), []byte(a.password)) == 1
}

// require answers 401 with a challenge to a request without the right
// credentials.
func (a basicAuth) require(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !a.ok(r) {
			w.Header().Set("WWW-Authenticate", `Basic realm="relance", charset="UTF-8"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}
