package web

import (
	"crypto/subtle"
	"net/http"
)

// basicAuth checks the one operator account of the daemon
// (server.username, server.password): an admin user.
type basicAuth struct{ user, password string }

// ok reports whether r carries the right credentials, comparing in constant
// time.
func (a basicAuth) ok(r *http.Request) bool {
	u, p, found := r.BasicAuth()
	return found && subtle.ConstantTimeCompare([]byte(u), []byte(a.user)) == 1 &&
		subtle.ConstantTimeCompare([]byte(p), []byte(a.password)) == 1
}

// Authenticate recognises basic-auth credentials: the operator's make an
// admin user; any others are ErrBadCredentials.
func (a basicAuth) Authenticate(r *http.Request) (Principal, bool, error) {
	if _, _, found := r.BasicAuth(); !found {
		return Principal{}, false, nil
	}
	if !a.ok(r) {
		return Principal{}, true, ErrBadCredentials
	}
	return Principal{Kind: KindUser, Name: a.user, Role: RoleAdmin}, true, nil
}

// challenge answers 401 with a basic-auth challenge, for River UI.
func challenge(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("WWW-Authenticate", `Basic realm="relance", charset="UTF-8"`)
	http.Error(w, "authentication required", http.StatusUnauthorized)
}

// basicGuard is River UI's: a browser asks for the operator's credentials.
var basicGuard = Guard{
	Unauthenticated: challenge,
	Forbidden: func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "River UI needs an admin", http.StatusForbidden)
	},
}
