package web

import (
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
)

// SSO is single sign-on behind a reverse proxy that authenticates people
// itself and names them in a header (server.sso_header, e.g.
// X-Forwarded-User). The header is believed only from the proxy's
// addresses (server.sso_trusted_proxies); from anywhere else it is removed
// and logged, so that a caller cannot name themselves. The name must be the
// email of an enabled user, whose role applies: the proxy says who, relance
// says what they may do.
type SSO struct {
	Header  string
	Trusted []netip.Prefix
}

// enabled tells whether SSO is configured.
func (s SSO) enabled() bool { return s.Header != "" && len(s.Trusted) > 0 }

// trusted tells whether r comes straight from one of the proxies.
func (s SSO) trusted(r *http.Request) bool {
	ip, err := netip.ParseAddr(remoteIP(r))
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	for _, p := range s.Trusted {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// wrap opens a session for the user the proxy names, unless the request's
// session already is theirs, and passes the request on with its cookie: the
// session then carries the CSRF token of the user's forms as after a
// password login.
func (s SSO) wrap(sessions Sessions, log *slog.Logger, next http.Handler) http.Handler {
	if !s.enabled() {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.Header.Get(s.Header)
		if name == "" {
			next.ServeHTTP(w, r)
			return
		}
		if !s.trusted(r) {
			log.Warn("single sign-on header from an untrusted address ignored", "header", s.Header, "addr", remoteIP(r))
			r = r.Clone(r.Context())
			r.Header.Del(s.Header)
			next.ServeHTTP(w, r)
			return
		}
		if p, ok, err := sessions.Authenticate(r); err == nil && ok && p.Name == NormalizeEmail(name) {
			next.ServeHTTP(w, r)
			return
		}
		id, _, ok, err := sessions.Users.enabled(r.Context(), name)
		if err != nil {
			log.Error("single sign-on", "err", err)
			http.Error(w, "authentication unavailable", http.StatusServiceUnavailable)
			return
		}
		if !ok {
			log.Warn("single sign-on of an unknown or disabled user", "user", NormalizeEmail(name))
			refuse(w, r, http.StatusForbidden, "no enabled relance user has this email: ask an admin (relance user add)")
			return
		}
		secret, err := sessions.open(r.Context(), id)
		if err != nil {
			log.Error("single sign-on", "err", err)
			http.Error(w, "authentication unavailable", http.StatusServiceUnavailable)
			return
		}
		c := sessions.cookie(secret)
		http.SetCookie(w, c)
		next.ServeHTTP(w, withSessionCookie(r, c))
	})
}

// withSessionCookie is r carrying c in place of any session cookie it had.
func withSessionCookie(r *http.Request, c *http.Cookie) *http.Request {
	r = r.Clone(r.Context())
	others := r.Cookies()
	r.Header.Del("Cookie")
	for _, o := range others {
		if o.Name != SessionCookie {
			r.AddCookie(o)
		}
	}
	r.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	return r
}

// clientIP is the address logins are throttled by: the peer's, or when the
// peer is one of the trusted proxies, the last address it appended to
// X-Forwarded-For.
func (s SSO) clientIP(r *http.Request) string {
	if s.trusted(r) {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			parts := strings.Split(xff[len(xff)-1], ",")
			if ip, err := netip.ParseAddr(strings.TrimSpace(parts[len(parts)-1])); err == nil {
				return ip.Unmap().String()
			}
		}
	}
	return remoteIP(r)
}
