package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
)

// Role is what a principal may do. API tokens are reader, writer or admin;
// dashboard users are viewer, manager or admin. Both kinds map onto the
// same three levels, so that one route table serves both.
type Role string

// The roles of tokens and of users.
const (
	RoleReader  Role = "reader"  // token: reads only
	RoleWriter  Role = "writer"  // token: reads, ledger writes and the person actions
	RoleAdmin   Role = "admin"   // token or user: everything, River UI's actions included
	RoleViewer  Role = "viewer"  // user: as reader
	RoleManager Role = "manager" // user: as writer
)

// Level orders what roles allow: each level includes the ones below.
type Level int

// The levels a route may require.
const (
	LevelRead  Level = iota + 1 // aged balance, clients, preview
	LevelWrite                  // clients, invoices, payments, allocations, disputes, promises, pauses, insolvency
	LevelAdmin                  // River UI and token management
)

// Level is the level r grants; 0 for an unknown role.
func (r Role) Level() Level {
	switch r {
	case RoleReader, RoleViewer:
		return LevelRead
	case RoleWriter, RoleManager:
		return LevelWrite
	case RoleAdmin:
		return LevelAdmin
	}
	return 0
}

// TokenRole parses the role of an API token.
func TokenRole(s string) (Role, error) {
	switch r := Role(s); r {
	case RoleReader, RoleWriter, RoleAdmin:
		return r, nil
	}
	return "", errors.New("want reader, writer or admin")
}

// Principal kinds.
const (
	KindToken = "token" // an API bearer token
	KindUser  = "user"  // a person: the operator's basic auth, a dashboard session
)

// Principal is who a request acts for, put in its context by an
// Authenticator and read by Require and the handlers.
type Principal struct {
	Kind string // KindToken or KindUser
	Name string // the token's or the user's name
	Role Role
	// csrf is the CSRF token of a dashboard session (CSRFToken); empty for
	// credentials a browser does not replay by itself on a forged request.
	csrf string
}

// Actor is how the event trail names the principal (ledger.Act.Actor):
// api:<token name> for a token, web:<user> for a person.
func (p Principal) Actor() string {
	if p.Kind == KindToken {
		return "api:" + p.Name
	}
	return "web:" + p.Name
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal of a request's context.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// Authenticator recognises one kind of credentials on a request. It returns
// ok = false when the request carries none of its kind, and an error when
// it carries some that are wrong (unknown, revoked): the request is then
// refused, never passed on as anonymous.
type Authenticator interface {
	Authenticate(r *http.Request) (p Principal, ok bool, err error)
}

// ErrBadCredentials is what an Authenticator returns for credentials it
// refuses.
var ErrBadCredentials = errors.New("bad credentials")

// Guard answers the requests Require refuses, in the form their clients
// read: JSON for the API, a basic-auth challenge for River UI, a redirect to
// the login page for the dashboard.
type Guard struct {
	Unauthenticated http.HandlerFunc // 401: no principal
	Forbidden       http.HandlerFunc // 403: a principal whose role is below the level
}

// Require passes to next only the requests whose principal has at least
// level.
func (g Guard) Require(level Level, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := PrincipalFrom(r.Context())
		switch {
		case !ok:
			g.Unauthenticated(w, r)
		case p.Role.Level() < level:
			g.Forbidden(w, r)
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// authenticate puts in each request's context the principal the first
// authenticator that recognises its credentials names. Credentials that are
// wrong are answered with unauthenticated at once.
func authenticate(next http.Handler, unauthenticated http.HandlerFunc, auths ...Authenticator) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, a := range auths {
			p, ok, err := a.Authenticate(r)
			if errors.Is(err, ErrBadCredentials) {
				unauthenticated(w, r)
				return
			}
			if err != nil { // the database, not the caller
				http.Error(w, "authentication unavailable", http.StatusServiceUnavailable)
				return
			}
			if ok {
				next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// bearer returns the token of an "Authorization: Bearer" header.
func bearer(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(token), true
}
