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
	// Letters, when set, receives the letter provider's proofs at POST
	// /webhooks/letters (signed, not behind basic auth); nil: no route.
	Letters *LetterCallback
}

// ErrBlankCredentials is returned by New for a username or password that is
// empty or only white space: basic auth with it guards nothing.
var ErrBlankCredentials = errors.New("blank or white-space-only credentials")

// New returns the daemon's handler: probes and metrics open to all, River UI
// behind basic auth, and every state-changing request checked for a
// same-origin source.
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
	mux.Handle("/jobs/", auth.require(o.Jobs))
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
	return csrf.Handler(mux), nil
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
