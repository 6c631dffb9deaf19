package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Pinger tells whether the database answers; *pgxpool.Pool is one.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Options is what the daemon's HTTP side is built from.
type Options struct {
	DB      Pinger              // /readyz pings it
	Jobs    http.Handler        // River UI (NewJobsUI), served under /jobs/
	Metrics prometheus.Gatherer // /metrics
	// Username and Password guard River UI (basic auth) and the details of
	// /readyz. Neither may be blank.
	Username, Password string
	Logger             *slog.Logger
	// API is the JSON API (NewAPI), served under /api/v1/; nil serves none.
	API http.Handler
	// Tokens recognise bearer tokens on River UI as well: an admin token
	// drives it as the operator does. Nil: basic auth only.
	Tokens Authenticator
	// Letters, when set, receives the letter provider's proofs at POST
	// /webhooks/letters (signed, not behind basic auth); nil: no route.
	Letters *LetterCallback
	// Sessions, when set, lets the dashboard's users log in (GET and POST
	// /login, POST /logout) and puts River UI behind their session, for
	// admins; the operator's basic auth and admin tokens still work there,
	// for scripts. Nil: River UI takes basic auth and tokens only.
	Sessions *Sessions
	// Dashboard, with Sessions, is served for every path no other route
	// takes ("/"), to users of any role (LevelRead) with a session; its
	// handlers check LevelWrite themselves on their POSTs (PrincipalFrom),
	// and the session's CSRF token is checked before they run.
	Dashboard http.Handler
	// Locale is the login page's language for a browser that asks for
	// neither French nor English ("fr" or "en").
	Locale string
	// SSO, when configured, logs in the users a trusted reverse proxy names.
	SSO SSO
}

// ErrBlankCredentials is returned by New for a username or password that is
// empty or only white space: basic auth with it guards nothing.
var ErrBlankCredentials = errors.New("blank or white-space-only credentials")

// New returns the daemon's handler: probes and metrics open to all, River UI
// for admins (the operator's basic auth, or an admin token), the API for
// tokens, and every state-changing request that a browser could send on its
// own (no bearer token) checked for a same-origin source.
func New(o Options) (http.Handler, error) {
	if err := CheckCredentials(o.Username, o.Password); err != nil {
		return nil, err
	}
	if o.DB == nil || o.Jobs == nil || o.Metrics == nil {
		return nil, errors.New("web: a database, River UI and a metrics registry are required")
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	auth := basicAuth{user: o.Username, password: o.Password}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", healthz)
	mux.Handle("GET /readyz", readyz{db: o.DB, auth: auth, log: o.Logger})
	// Metrics are counts only; scrapers get them without credentials.
	mux.Handle("GET /metrics", promhttp.HandlerFor(o.Metrics, promhttp.HandlerOpts{}))
	auths := []Authenticator{auth}
	if o.Tokens != nil {
		auths = append(auths, o.Tokens)
	}
	if o.Sessions != nil {
		if err := mountSessions(mux, o, auths); err != nil {
			return nil, err
		}
	} else {
		mux.Handle(JobsPrefix+"/", authenticate(basicGuard.Require(LevelAdmin, o.Jobs), challenge, auths...))
	}
	if o.API != nil {
		mux.Handle(APIPrefix+"/", o.API)
	}
	csrf := http.NewCrossOriginProtection()
	if o.Letters != nil {
		if o.Letters.Proofs == nil || len(o.Letters.Secret) == 0 || o.Letters.Clock == nil || o.Letters.Tolerance <= 0 {
			return nil, errors.New("web: the letter callback needs a ledger, a secret, a clock and a tolerance")
		}
		if o.Letters.Location == nil {
			o.Letters.Location = time.UTC
		}
		if o.Letters.Logger == nil {
			o.Letters.Logger = o.Logger
		}
		mux.Handle(letterCallbackPattern, o.Letters)
		// The provider's signature is its credential, not a cookie or a
		// cached password a browser would send along: a cross-site request
		// carries nothing that lets it in.
		csrf.AddInsecureBypassPattern(letterCallbackPattern)
	}
	return sameOrigin(csrf, mux), nil
}

// mountSessions adds the login routes, River UI behind the session (admins
// only; basic auth and tokens still work for scripts) and the dashboard.
// River UI's own script sends its actions without the session's CSRF token
// (it cannot be taught one): they rest on the same-origin check, the
// SameSite cookie and the admin role.
func mountSessions(mux *http.ServeMux, o Options, auths []Authenticator) error {
	s := *o.Sessions
	if s.Idle <= 0 || s.Max <= 0 || s.Throttle.PerEmail <= 0 || s.Throttle.PerIP <= 0 || s.Throttle.Window <= 0 {
		return errors.New("web: sessions need an idle and a maximum age, and login limits")
	}
	guard := pageGuard(s)
	l := login{sessions: s, locale: o.Locale, log: o.Logger, clientIP: o.SSO.clientIP}
	mux.HandleFunc("GET /login", l.get)
	mux.HandleFunc("POST /login", l.post)
	mux.Handle("POST /logout", authenticate(checkCSRF(guard.Require(LevelRead, http.HandlerFunc(l.logout))), guard.Unauthenticated, s))
	// Single sign-on opens sessions on the pages only: the API's callers
	// keep no cookie, and would open one at each request.
	sso := func(h http.Handler) http.Handler { return o.SSO.wrap(s, o.Logger, h) }
	mux.Handle(JobsPrefix+"/", sso(authenticate(guard.Require(LevelAdmin, o.Jobs), guard.Unauthenticated, append(auths, s)...)))
	if o.Dashboard != nil {
		mux.Handle("/", sso(authenticate(checkCSRF(guard.Require(LevelRead, o.Dashboard)), guard.Unauthenticated, s)))
	}
	return nil
}

// sameOrigin refuses a state-changing request a browser sent from another
// site (csrf, net/http's CrossOriginProtection), except one that carries a
// bearer token: a browser never adds an Authorization: Bearer header by
// itself (only a script, and another site's script would first need a CORS
// preflight this server never grants), so such a request cannot be forged.
// Basic auth, which browsers do replay by themselves, and cookies get the
// check.
func sameOrigin(csrf *http.CrossOriginProtection, next http.Handler) http.Handler {
	protected := csrf.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := bearer(r); ok {
			next.ServeHTTP(w, r)
			return
		}
		protected.ServeHTTP(w, r)
	})
}

// CheckCredentials refuses a username or password that is empty or only
// white space, as a *CredentialError.
func CheckCredentials(username, password string) error {
	if strings.TrimSpace(username) == "" {
		return &CredentialError{Field: "username"}
	}
	if strings.TrimSpace(password) == "" {
		return &CredentialError{Field: "password"}
	}
	return nil
}

// CredentialError names the credential New refused.
type CredentialError struct{ Field string }

func (e *CredentialError) Error() string {
	return "web: " + e.Field + " is blank or white space only"
}

// Is makes errors.Is(err, ErrBlankCredentials) hold.
func (e *CredentialError) Is(target error) bool { return target == ErrBlankCredentials }
