package web

import (
	"crypto/subtle"
	"net/http"
)

// CSRFField and CSRFHeader carry a session's CSRF token on a
// state-changing request: a hidden field of every form, or a header for a
// script.
const (
	CSRFField  = "csrf_token"
	CSRFHeader = "X-CSRF-Token"
)

// CSRFToken is the CSRF token of r's session, for the hidden field of a
// form (CSRFField); empty for a request without a session.
func CSRFToken(r *http.Request) string {
	p, _ := PrincipalFrom(r.Context())
	return p.csrf
}

// checkCSRF refuses, with 403, a state-changing request of a session that
// does not carry the session's token (the synchronizer token pattern), in
// addition to the same-origin check every such request passes (sameOrigin).
// Requests of other principals (bearer tokens, which a browser never sends
// by itself) and safe methods pass.
func checkCSRF(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		want := CSRFToken(r)
		if want == "" || safeMethod(r.Method) {
			next.ServeHTTP(w, r)
			return
		}
		got := r.Header.Get(CSRFHeader)
		if got == "" {
			got = r.PostFormValue(CSRFField)
		}
		if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			refuse(w, r, http.StatusForbidden, "the form's CSRF token is missing or wrong: reload the page and try again")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}
