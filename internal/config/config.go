// Package config is relance's one typed configuration: a YAML file, then
// environment overrides, then defaults for whatever is still unset, then
// validation. An unknown key or a bad value is an error that names the key.
package config

import (
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/robfig/cron/v3"

	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/provision"
	"github.com/relance/relance/internal/yamlguard"
)

// Config is everything relance reads at start. Field docs are the reference
// for the YAML keys (in brackets) and their RELANCE_* environment overrides:
// the override of a key is RELANCE_ followed by its path in upper case joined
// by underscores, e.g. mail.smtp.host → RELANCE_MAIL_SMTP_HOST. DATABASE_URL
// overrides database.url.
type Config struct {
	Database  Database  `yaml:"database"`
	TimeZone  string    `yaml:"timezone"`  // IANA zone for dates and the send window [Europe/Paris]
	Locale    string    `yaml:"locale"`    // default locale of the entity: fr or en [fr]
	Entity    string    `yaml:"entity"`    // entity code used when a command gets no --entity [default]
	Terms     Terms     `yaml:"terms"`     // payment terms used when a row has neither due date nor terms
	Import    Import    `yaml:"import"`    // guards of `relance import`
	Aging     Aging     `yaml:"aging"`     // bucket edges
	Plans     Plans     `yaml:"plans"`     // reminder plans
	Templates Templates `yaml:"templates"` // email and letter templates
	Letters   Letters   `yaml:"letters"`   // the formal notice (registered letter)
	Penalties Penalties `yaml:"penalties"` // statutory late-payment penalties
	Provision Provision `yaml:"provision"` // provision matrix
	Disputes  Disputes  `yaml:"disputes"`  // dispute reason codes
	Promises  Promises  `yaml:"promises"`  // promises to pay
	Sweep     Sweep     `yaml:"sweep"`     // the daily sweep and the job queues
	Alerts    Alerts    `yaml:"alerts"`    // what raises an alert
	Digest    Digest    `yaml:"digest"`    // the daily digest to the credit managers
	Mail      Mail      `yaml:"mail"`      // outgoing email
	Server    Server    `yaml:"server"`    // dashboard, API and River UI
}

// Database says where PostgreSQL is.
type Database struct {
	URL      string `yaml:"url"`       // libpq URL; DATABASE_URL overrides it
	MaxConns int    `yaml:"max_conns"` // pool size, at least sweep.send_concurrency + 4 [24]
}

// Terms are the default payment terms.
type Terms struct {
	Default   string `yaml:"default"`    // e.g. "30", "45 FDM" [30]
	EOMMethod string `yaml:"eom_method"` // days_then_eom (+N days then end of month) or eom_then_days [days_then_eom]
}

// Import guards `relance import`.
type Import struct {
	// SnapshotMaxClose is the share of the entity's open items an import
	// --snapshot may close; beyond it, or for a snapshot of no rows, the
	// import is refused without --force [50%].
	SnapshotMaxClose string `yaml:"snapshot_max_close"`
}

// Aging sets the aged balance's buckets.
type Aging struct {
	// Buckets are the upper edges, in days late, of every overdue bucket but
	// the last: [30, 60, 90, 120] gives 1–30, 31–60, 61–90, 91–120, 121+.
	Buckets []int `yaml:"buckets"`
}

// Plans locates reminder plans.
type Plans struct {
	Files []string `yaml:"files"` // plan YAML files; none: the embedded default plans
}

// Templates locates message templates and sets their tone.
type Templates struct {
	Dir string `yaml:"dir"` // directory overriding the embedded templates, file by file
	// OversightDays is how late (in days, for the oldest overdue invoice
	// of a message) a delay may be for a first reminder to call it a
	// probable oversight; past it, level 1 is a plain statement of the
	// overdue items. 0: never [30].
	OversightDays int `yaml:"oversight_days"`
}

// Letters shapes the formal notice and says where letters go. Each entity
// picks its channel (relance entity set --letter-channel outbox|webhook);
// the provider's address and secret are configuration, never the database.
type Letters struct {
	DeadlineDays int `yaml:"deadline_days"` // days the debtor is given to pay, from the letter's date [8]
	// Dir is where every letter's PDF and JSON manifest are written, under
	// a folder per day: the outbox a person posts from, and the archive of
	// what went to the provider ["<mail.dir>/letters"].
	Dir     string        `yaml:"dir"`
	Webhook LetterWebhook `yaml:"webhook"` // the postal or LRE provider of the webhook channel
	// Cost is what sending one registered letter costs, e.g. "7.65": the
	// KPIs count it in the cost of recovery for each formal notice sent
	// ["": letters cost nothing there].
	Cost string `yaml:"cost"`
}

// LetterWebhook is the provider the webhook channel hands letters to
// (docs/letters-webhook.md).
type LetterWebhook struct {
	// URL receives each letter as a signed POST; https, or http to a
	// loopback address only. Empty: no entity may use the webhook channel.
	URL string `yaml:"url"`
	// Secret keys the HMAC-SHA256 signatures, of our POSTs and of the
	// provider's callbacks to POST /webhooks/letters; at least 16
	// characters. Set it from the environment: RELANCE_LETTERS_WEBHOOK_SECRET.
	Secret  string        `yaml:"secret"`
	Timeout time.Duration `yaml:"timeout"` // bounds one POST [30s]
	// Tolerance is how far a callback's signed timestamp may be from our
	// clock; an older one is refused as a possible replay [5m].
	Tolerance time.Duration `yaml:"tolerance"`
}

// Penalties chooses the late-payment rule set.
type Penalties struct {
	// RuleSet, when set, applies FR, EU, DE or UK rules to every client.
	// Left empty (the default), each client's country picks: FR → FR,
	// DE → DE, GB → UK, any other → EU (DESIGN.md §2).
	RuleSet         string `yaml:"rule_set"`
	ContractualRate string `yaml:"contractual_rate"` // e.g. "12.5%"; empty: the statutory rate
	RatesFile       string `yaml:"rates_file"`       // YAML rate table overriding the shipped one
}

// Provision is the provision matrix and the accounts its journal books on.
type Provision struct {
	// Rates maps a bucket name (d91_120, d121_plus…) to the share of the
	// outstanding excl. VAT to provision, as a percentage string; a bucket
	// left out provisions nothing. Unset, the last bucket (121+ with the
	// default aging.buckets) gets 100% [d121_plus: 100%].
	Rates map[string]string `yaml:"rates"`
	// Profiles overrides Rates bucket by bucket for the invoices of a plan
	// profile, e.g. {risky: {d91_120: 50%}} [none]. Set in the file only.
	Profiles map[string]map[string]string `yaml:"profiles"`
	// InsolvencyRate is provisioned on every invoice issued before the
	// opening of its client's insolvency proceeding, whatever its age [100%].
	InsolvencyRate string `yaml:"insolvency_rate"`
	// DefaultVATRate gives an invoice imported without its amount excl. VAT
	// its part excl. VAT (for the provision) and its VAT (recovered on a
	// write-off) [20%].
	DefaultVATRate string            `yaml:"default_vat_rate"`
	Accounts       ProvisionAccounts `yaml:"accounts"` // the chart of accounts of the journal
	Journal        ProvisionJournal  `yaml:"journal"`  // the journal the entries go to
}

// ProvisionAccounts are the account numbers of the provisioning journal.
type ProvisionAccounts struct {
	Receivable string `yaml:"receivable"` // clients [411]
	Doubtful   string `yaml:"doubtful"`   // clients douteux [416]
	Allowance  string `yaml:"allowance"`  // dépréciation des comptes clients [491]
	Expense    string `yaml:"expense"`    // dotations aux dépréciations [6817]
	Reversal   string `yaml:"reversal"`   // reprises sur dépréciations [7817]
	Loss       string `yaml:"loss"`       // pertes sur créances irrécouvrables [654]
	VAT        string `yaml:"vat"`        // TVA collectée, recovered on a write-off [44571]
}

// ProvisionJournal names the journal of the provisioning entries.
type ProvisionJournal struct {
	Code  string `yaml:"code"`  // JournalCode [OD]
	Label string `yaml:"label"` // JournalLib [Opérations diverses]
}

// Disputes configures `relance dispute`.
type Disputes struct {
	// Reasons are the codes `dispute open --reason` accepts, in the order
	// they are listed, each with its French label [price prix, quantity
	// quantité, quality qualité, delivery livraison, billing facturation,
	// other autre]. Set in the file only.
	Reasons []DisputeReason `yaml:"reasons"`
}

// DisputeReason is one reason code for a dispute.
type DisputeReason struct {
	Code  string `yaml:"code"`  // what --reason takes, e.g. price
	Label string `yaml:"label"` // its French label, e.g. prix
}

// Promises configures promises to pay.
type Promises struct {
	// GraceDays are added to the day a client promised to pay: dunning
	// stays paused through that day, and a promise still unpaid the day
	// after is broken [3].
	GraceDays int `yaml:"grace_days"`
}

// Sweep runs the daily evaluation.
type Sweep struct {
	Schedule        string `yaml:"schedule"`         // cron expression in timezone [0 7 * * *]
	SendWindow      string `yaml:"send_window"`      // local hours reminders may go out [09:00-18:00]
	SendConcurrency int    `yaml:"send_concurrency"` // send workers per process; SMTP connections are mail.smtp.pool_size [16]
	// MaxDataAge is how old an entity's payment data (the as-of of its
	// newest payment batch, or invoice batch that settles) may be before
	// its sends wait, snoozed, with an alert [36h]. 0 turns the guard off.
	MaxDataAge time.Duration `yaml:"max_data_age"`
	// MaxDataAgeByEntity overrides MaxDataAge for the entities it names,
	// e.g. {acme-de: 72h}; 0 turns the guard off for one. Set in the file only.
	MaxDataAgeByEntity map[string]time.Duration `yaml:"max_data_age_by_entity"`
	// StaleRecheck is how long a held send waits before it looks for fresh
	// data again: sending resumes at most this long after an import [5m].
	StaleRecheck time.Duration `yaml:"stale_recheck"`
}

// Alerts tunes what raises an alert (relance alerts, the digest, metrics).
type Alerts struct {
	DisputeDays int           `yaml:"dispute_days"` // a dispute open longer than this many days alerts [30]
	ClaimDays   int           `yaml:"claim_days"`   // a claim declaration due within this many days alerts [15]
	Every       time.Duration `yaml:"every"`        // how often the daemon looks for alerts [5m]
	// StuckAfter: sends waiting this long with none finished meanwhile
	// alert (send_stuck) [30m].
	StuckAfter time.Duration `yaml:"stuck_after"`
}

// Digest is the daily email to the credit managers, sent after the sweep.
type Digest struct {
	// To are the credit managers' addresses; none sends no digest. From
	// the environment: comma-separated.
	To []string `yaml:"to"`
}

// Mail is how messages leave.
type Mail struct {
	Transport   string `yaml:"transport"`    // smtp or file [file]
	Dir         string `yaml:"dir"`          // where the file transport writes .eml files [./outbox]
	From        string `yaml:"from"`         // From header, e.g. "Compta <compta@example.fr>"
	ReplyTo     string `yaml:"reply_to"`     // Reply-To header
	Bcc         string `yaml:"bcc"`          // the credit manager's copy
	PaymentLink string `yaml:"payment_link"` // template, e.g. https://pay.example.com/{{.Invoice.Number}}
	// SendTimeout bounds one send job: the connection, the re-check and the
	// SMTP transaction. A killed process's send jobs are taken up again 1.5
	// × this after they started [2m].
	SendTimeout time.Duration `yaml:"send_timeout"`
	// PauseAfter is how many refusals in a row that are ours (5xx on
	// connect, AUTH, MAIL FROM, DATA or on mail.bcc; a failed TLS handshake)
	// pause the send queue, with an event and an ERROR log line; 0 never
	// pauses [5].
	PauseAfter int  `yaml:"pause_after"`
	SMTP       SMTP `yaml:"smtp"`
}

// SMTP is the SMTP transport.
type SMTP struct {
	Host          string `yaml:"host"`
	Port          int    `yaml:"port"` // [587]
	TLS           string `yaml:"tls"`  // starttls, implicit or none [starttls]
	Username      string `yaml:"username"`
	Password      string `yaml:"password"`
	PoolSize      int    `yaml:"pool_size"`       // connections kept open [2]
	RatePerMinute int    `yaml:"rate_per_minute"` // 0: unlimited
}

// Server is the HTTP side of `relance serve`.
type Server struct {
	Addr            string        `yaml:"addr"`             // listen address [127.0.0.1:8080]
	Username        string        `yaml:"username"`         // basic auth user [admin]
	Password        string        `yaml:"password"`         // basic auth password; required by serve
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"` // time given to running jobs on SIGTERM [30s]
	// MemoryLimit is the daemon's soft memory limit for the Go runtime, like
	// GOMEMLIMIT (which wins when set): "120MiB", "1GiB"; "0" for none [96MiB].
	MemoryLimit string `yaml:"memory_limit"`
	// APIBodyLimit caps the body of a request to the JSON API: "16MiB"
	// (the default) takes a batch of 10,000 invoices with their clients.
	APIBodyLimit string `yaml:"api_body_limit"`
	// SessionIdle ends a dashboard session after this long without a
	// request [2h]; SessionMax ends it this long after the login in any
	// case [12h].
	SessionIdle time.Duration `yaml:"session_idle"`
	SessionMax  time.Duration `yaml:"session_max"`
	// LoginFailures failed logins of one email, or LoginFailuresPerIP from
	// one address, within LoginWindow refuse further logins of that email
	// or from that address until the window is over [5, 50, 15m].
	LoginFailures      int           `yaml:"login_failures"`
	LoginFailuresPerIP int           `yaml:"login_failures_per_ip"`
	LoginWindow        time.Duration `yaml:"login_window"`
	// InsecureCookies drops the session cookie's Secure attribute, for a
	// dashboard served over plain http on another host than loopback (a
	// browser keeps a Secure cookie from http://127.0.0.1 or localhost, but
	// not from http://relance.lan) [false].
	InsecureCookies bool `yaml:"insecure_cookies"`
	// SSOHeader names the header in which a trusted reverse proxy gives the
	// email of the person it authenticated, e.g. X-Forwarded-User; empty:
	// no single sign-on [""].
	SSOHeader string `yaml:"sso_header"`
	// SSOTrustedProxies are the proxy's addresses as CIDRs
	// ("10.0.0.5/32"); the header from anywhere else is ignored.
	SSOTrustedProxies []string `yaml:"sso_trusted_proxies"`
}

// SSOTrusted returns server.sso_trusted_proxies parsed. Validate has
// checked them.
func (s Server) SSOTrusted() []netip.Prefix {
	out := make([]netip.Prefix, 0, len(s.SSOTrustedProxies))
	for _, c := range s.SSOTrustedProxies {
		if p, err := netip.ParsePrefix(strings.TrimSpace(c)); err == nil {
			out = append(out, p.Masked())
		}
	}
	return out
}

// Default returns the configuration used where nothing is set.
func Default() Config {
	return Config{
		Database:  Database{MaxConns: 24},
		TimeZone:  "Europe/Paris",
		Locale:    "fr",
		Entity:    "default",
		Terms:     Terms{Default: "30", EOMMethod: "days_then_eom"},
		Import:    Import{SnapshotMaxClose: "50%"},
		Aging:     Aging{Buckets: []int{30, 60, 90, 120}},
		Templates: Templates{OversightDays: 30},
		Letters:   Letters{DeadlineDays: 8, Webhook: LetterWebhook{Timeout: 30 * time.Second, Tolerance: 5 * time.Minute}},
		Provision: Provision{InsolvencyRate: "100%", DefaultVATRate: "20%",
			Accounts: ProvisionAccounts{Receivable: "411", Doubtful: "416", Allowance: "491", Expense: "6817",
				Reversal: "7817", Loss: "654", VAT: "44571"},
			Journal: ProvisionJournal{Code: "OD", Label: "Opérations diverses"}},
		Disputes: Disputes{Reasons: []DisputeReason{
			{"price", "prix"}, {"quantity", "quantité"}, {"quality", "qualité"},
			{"delivery", "livraison"}, {"billing", "facturation"}, {"other", "autre"},
		}},
		Promises: Promises{GraceDays: 3},
		Sweep: Sweep{Schedule: "0 7 * * *", SendWindow: "09:00-18:00", SendConcurrency: 16,
			MaxDataAge: 36 * time.Hour, StaleRecheck: 5 * time.Minute},
		Alerts: Alerts{DisputeDays: 30, ClaimDays: 15, Every: 5 * time.Minute, StuckAfter: 30 * time.Minute},
		Mail:   Mail{Transport: "file", Dir: "outbox", SendTimeout: 2 * time.Minute, PauseAfter: 5, SMTP: SMTP{Port: 587, TLS: "starttls", PoolSize: 2}},
		Server: Server{Addr: "127.0.0.1:8080", Username: "admin", ShutdownTimeout: 30 * time.Second, MemoryLimit: "96MiB", APIBodyLimit: "16MiB",
			SessionIdle: 2 * time.Hour, SessionMax: 12 * time.Hour, LoginFailures: 5, LoginFailuresPerIP: 50, LoginWindow: 15 * time.Minute},
	}
}

// Load reads the YAML file at path (none when path is empty) over the
// defaults, applies the environment env (os.Environ form, "K=V"), and
// validates the result.
func Load(path string, env []string) (Config, error) {
	cfg := Default()
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("config: %w", err)
		}
		// goccy/go-yaml expands aliases without bound: refuse an alias bomb
		// before it does.
		if err := yamlguard.CheckBytes(data, yamlguard.MaxNodes); err != nil {
			return cfg, fmt.Errorf("config %s:%w", path, err)
		}
		if err := yaml.UnmarshalWithOptions(data, &cfg, yaml.Strict(), yaml.DisallowUnknownField()); err != nil {
			return cfg, fmt.Errorf("config %s:\n%s", path, yaml.FormatError(err, false, true))
		}
	}
	if err := applyEnv(&cfg, env); err != nil {
		return cfg, err
	}
	if err := cfg.Validate(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// Location returns the configured time zone. Validate has checked it loads.
func (c Config) Location() *time.Location {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// DefaultTerms returns the parsed default terms. Validate has checked them.
func (c Config) DefaultTerms() ledger.Terms {
	t, _ := ledger.ParseTerms(c.Terms.Default)
	return t
}

// EOMMethod returns the parsed end-of-month method. Validate has checked it.
func (c Config) EOMMethod() ledger.EOMMethod {
	m, _ := ledger.ParseEOMMethod(c.Terms.EOMMethod)
	return m
}

// LetterCost is letters.cost parsed (Validate checked it); 0 when unset.
func (c Config) LetterCost() money.Amount {
	a, _ := money.Parse(c.Letters.Cost)
	return a
}

// MaxBucketEdges is the most edges aging.buckets may list: the aged
// balance sums at most ten buckets in one pass (aging.MaxBuckets): not due,
// one per edge, and the open last one.
const MaxBucketEdges = 8

// SnapshotMaxClose returns import.snapshot_max_close as a share (0.5 for
// 50%). Validate has checked it.
func (c Config) SnapshotMaxClose() float64 {
	bp, _ := ParsePercent(c.Import.SnapshotMaxClose)
	return float64(bp) / 10000
}

// Validate checks every value and reports all problems at once, each naming
// its key.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("config: %s: %s", key, fmt.Sprintf(format, args...)))
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil || c.TimeZone == "" {
		bad("timezone", "unknown time zone %q", c.TimeZone)
	}
	if c.Locale != "fr" && c.Locale != "en" {
		bad("locale", "%q: want fr or en", c.Locale)
	}
	if c.Entity == "" {
		bad("entity", "must not be empty")
	}
	if c.Database.MaxConns < 1 {
		bad("database.max_conns", "%d: want at least 1", c.Database.MaxConns)
	}
	if _, err := ledger.ParseTerms(c.Terms.Default); err != nil {
		bad("terms.default", "%v", err)
	}
	if _, err := ledger.ParseEOMMethod(c.Terms.EOMMethod); err != nil {
		bad("terms.eom_method", "%v", err)
	}
	if p, err := ParsePercent(c.Import.SnapshotMaxClose); err != nil || p == 0 || p > 10000 {
		bad("import.snapshot_max_close", "%q: want a percentage above 0%% and at most 100%%", c.Import.SnapshotMaxClose)
	}
	if len(c.Aging.Buckets) == 0 {
		bad("aging.buckets", "must list at least one edge")
	}
	if len(c.Aging.Buckets) > MaxBucketEdges {
		bad("aging.buckets", "%d edges: at most %d (the aged balance has at most %d buckets)",
			len(c.Aging.Buckets), MaxBucketEdges, MaxBucketEdges+2)
	}
	for i, b := range c.Aging.Buckets {
		if b < 1 || (i > 0 && b <= c.Aging.Buckets[i-1]) {
			bad("aging.buckets", "%v: edges must be positive and increasing", c.Aging.Buckets)
			break
		}
	}
	switch c.Penalties.RuleSet {
	case "", "FR", "EU", "DE", "UK":
	default:
		bad("penalties.rule_set", "%q: want FR, EU, DE or UK, or nothing for each client's country", c.Penalties.RuleSet)
	}
	if c.Templates.OversightDays < 0 {
		bad("templates.oversight_days", "%d: must not be negative", c.Templates.OversightDays)
	}
	if c.Letters.DeadlineDays < 1 || c.Letters.DeadlineDays > 90 {
		bad("letters.deadline_days", "%d: want 1 to 90 days", c.Letters.DeadlineDays)
	}
	c.validateLetterWebhook(bad)
	if c.Letters.Cost != "" {
		if a, err := money.Parse(c.Letters.Cost); err != nil || a < 0 {
			bad("letters.cost", "%q: want an amount such as \"7.65\"", c.Letters.Cost)
		}
	}
	if r := c.Penalties.ContractualRate; r != "" {
		if _, err := ParsePercent(r); err != nil {
			bad("penalties.contractual_rate", "%v", err)
		}
	}
	if _, err := c.provisionMatrix(); err != nil {
		errs = append(errs, err)
	}
	if err := c.ProvisionAccounts().Check(); err != nil {
		bad("provision", "%v", err)
	}
	if len(c.Disputes.Reasons) == 0 {
		bad("disputes.reasons", "must list at least one reason")
	}
	codes := map[string]bool{}
	for i, r := range c.Disputes.Reasons {
		switch {
		case !reasonCode.MatchString(r.Code):
			bad(fmt.Sprintf("disputes.reasons[%d].code", i), "%q: want lower-case letters, digits, _ or -", r.Code)
		case codes[r.Code]:
			bad(fmt.Sprintf("disputes.reasons[%d].code", i), "%q is listed twice", r.Code)
		case strings.TrimSpace(r.Label) == "":
			bad(fmt.Sprintf("disputes.reasons[%d].label", i), "required (the French label of %q)", r.Code)
		}
		codes[r.Code] = true
	}
	if c.Promises.GraceDays < 0 || c.Promises.GraceDays > 60 {
		bad("promises.grace_days", "%d: want 0 to 60 days", c.Promises.GraceDays)
	}
	if _, err := cron.ParseStandard(c.Sweep.Schedule); err != nil {
		bad("sweep.schedule", "%q: %v", c.Sweep.Schedule, err)
	}
	if _, _, err := ParseWindow(c.Sweep.SendWindow); err != nil {
		bad("sweep.send_window", "%v", err)
	}
	if c.Sweep.SendConcurrency < 1 {
		bad("sweep.send_concurrency", "%d: want at least 1", c.Sweep.SendConcurrency)
	} else if c.Database.MaxConns < c.Sweep.SendConcurrency+4 {
		// Each send worker holds a connection for its transaction; River
		// and the dashboard need a few more, or workers queue for the pool.
		bad("database.max_conns", "%d: want at least sweep.send_concurrency + 4 (%d)", c.Database.MaxConns, c.Sweep.SendConcurrency+4)
	}
	if c.Sweep.MaxDataAge < 0 {
		bad("sweep.max_data_age", "%s: must not be negative (0 turns the guard off)", c.Sweep.MaxDataAge)
	}
	for code, d := range c.Sweep.MaxDataAgeByEntity {
		if d < 0 {
			bad("sweep.max_data_age_by_entity."+code, "%s: must not be negative (0 turns the guard off)", d)
		}
	}
	if c.Sweep.StaleRecheck < time.Second || c.Sweep.StaleRecheck > 24*time.Hour {
		bad("sweep.stale_recheck", "%s: want 1s to 24h", c.Sweep.StaleRecheck)
	}
	if c.Alerts.DisputeDays < 1 {
		bad("alerts.dispute_days", "%d: want at least 1", c.Alerts.DisputeDays)
	}
	if c.Alerts.ClaimDays < 1 || c.Alerts.ClaimDays > 61 {
		bad("alerts.claim_days", "%d: want 1 to 61 days", c.Alerts.ClaimDays)
	}
	if c.Alerts.Every < time.Second {
		bad("alerts.every", "%s: want at least 1s", c.Alerts.Every)
	}
	if c.Alerts.StuckAfter < time.Minute {
		bad("alerts.stuck_after", "%s: want at least 1m", c.Alerts.StuckAfter)
	}
	for i, to := range c.Digest.To {
		if _, err := netmail.ParseAddress(strings.TrimSpace(to)); err != nil {
			bad(fmt.Sprintf("digest.to[%d]", i), "%q: %v", to, err)
		}
	}
	switch c.Mail.Transport {
	case "file":
		if c.Mail.Dir == "" {
			bad("mail.dir", "the file transport needs a directory")
		}
	case "smtp":
		if c.Mail.SMTP.Host == "" {
			bad("mail.smtp.host", "the smtp transport needs a host")
		}
	default:
		bad("mail.transport", "%q: want smtp or file", c.Mail.Transport)
	}
	if p := c.Mail.SMTP.Port; p < 1 || p > 65535 {
		bad("mail.smtp.port", "%d: not a port", p)
	}
	switch c.Mail.SMTP.TLS {
	case "starttls", "implicit", "none":
	default:
		bad("mail.smtp.tls", "%q: want starttls, implicit or none", c.Mail.SMTP.TLS)
	}
	if c.Mail.SMTP.PoolSize < 1 {
		bad("mail.smtp.pool_size", "%d: want at least 1", c.Mail.SMTP.PoolSize)
	}
	if c.Mail.SMTP.RatePerMinute < 0 {
		bad("mail.smtp.rate_per_minute", "%d: must not be negative", c.Mail.SMTP.RatePerMinute)
	}
	if c.Mail.SendTimeout < time.Second {
		bad("mail.send_timeout", "%s: want at least 1s", c.Mail.SendTimeout)
	}
	if c.Mail.PauseAfter < 0 {
		bad("mail.pause_after", "%d: must not be negative (0 never pauses)", c.Mail.PauseAfter)
	}
	if _, err := ParseSize(c.Server.MemoryLimit); err != nil {
		bad("server.memory_limit", "%v", err)
	}
	if n, err := ParseSize(c.Server.APIBodyLimit); err != nil {
		bad("server.api_body_limit", "%v", err)
	} else if n < 1024 {
		bad("server.api_body_limit", "%q: want at least 1KiB", c.Server.APIBodyLimit)
	}
	if c.Server.ShutdownTimeout <= 0 {
		bad("server.shutdown_timeout", "%s: must be positive", c.Server.ShutdownTimeout)
	}
	c.validateSessions(bad)
	return errors.Join(errs...)
}

// validateSessions checks the dashboard's session, login and single
// sign-on keys.
func (c Config) validateSessions(bad func(key, format string, args ...any)) {
	s := c.Server
	if s.SessionIdle < time.Minute {
		bad("server.session_idle", "%s: want at least 1m", s.SessionIdle)
	}
	if s.SessionMax < s.SessionIdle {
		bad("server.session_max", "%s: want at least server.session_idle (%s)", s.SessionMax, s.SessionIdle)
	}
	if s.LoginFailures < 1 {
		bad("server.login_failures", "%d: want at least 1", s.LoginFailures)
	}
	if s.LoginFailuresPerIP < s.LoginFailures {
		bad("server.login_failures_per_ip", "%d: want at least server.login_failures (%d)", s.LoginFailuresPerIP, s.LoginFailures)
	}
	if s.LoginWindow < time.Minute {
		bad("server.login_window", "%s: want at least 1m", s.LoginWindow)
	}
	for _, cidr := range s.SSOTrustedProxies {
		if _, err := netip.ParsePrefix(strings.TrimSpace(cidr)); err != nil {
			bad("server.sso_trusted_proxies", "%q: want a CIDR such as 10.0.0.5/32", cidr)
		}
	}
	if (s.SSOHeader == "") != (len(s.SSOTrustedProxies) == 0) {
		bad("server.sso_header", "set both server.sso_header and server.sso_trusted_proxies, or neither")
	}
}

// ProvisionMatrix returns the provision matrix. Validate has checked it.
func (c Config) ProvisionMatrix() provision.Matrix {
	m, _ := c.provisionMatrix()
	return m
}

// provisionMatrix builds the provision matrix from provision.rates,
// provision.profiles, provision.insolvency_rate, provision.default_vat_rate
// and the aging buckets; the error names the key at fault.
func (c Config) provisionMatrix() (provision.Matrix, error) {
	var errs []error
	pct := func(key, v string) int {
		bp, err := ParsePercent(v)
		if err != nil || bp > 10000 {
			errs = append(errs, fmt.Errorf("config: %s: %q: want a percentage between 0%% and 100%%", key, v))
		}
		return bp
	}
	rates := map[string]int{}
	if c.Provision.Rates == nil {
		rates[provision.LastBucket(c.Aging.Buckets)] = 10000
	}
	for k, v := range c.Provision.Rates {
		rates[k] = pct("provision.rates."+k, v)
	}
	profiles := map[string]map[string]int{}
	for p, r := range c.Provision.Profiles {
		profiles[p] = map[string]int{}
		for k, v := range r {
			profiles[p][k] = pct("provision.profiles."+p+"."+k, v)
		}
	}
	insolvency := pct("provision.insolvency_rate", c.Provision.InsolvencyRate)
	vat := pct("provision.default_vat_rate", c.Provision.DefaultVATRate)
	if len(errs) > 0 {
		sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
		return provision.Matrix{}, errors.Join(errs...)
	}
	m, err := provision.NewMatrix(c.Aging.Buckets, rates, profiles, insolvency, vat)
	if err != nil {
		return m, fmt.Errorf("config: provision.%w", err)
	}
	return m, nil
}

// ProvisionAccounts is the chart of accounts and the journal of the
// provisioning entries (provision.accounts, provision.journal).
func (c Config) ProvisionAccounts() provision.Accounts {
	a := c.Provision.Accounts
	return provision.Accounts{Receivable: a.Receivable, Doubtful: a.Doubtful, Allowance: a.Allowance,
		Expense: a.Expense, Reversal: a.Reversal, Loss: a.Loss, VAT: a.VAT,
		Journal: c.Provision.Journal.Code, JournalLabel: c.Provision.Journal.Label}
}

var reasonCode = regexp.MustCompile(`^[a-z0-9_-]+$`)

// MinSecretLength is the shortest letters.webhook.secret accepted.
const MinSecretLength = 16

// validateLetterWebhook checks letters.webhook.*: a URL relance may send a
// letter to (https, or plain http to this machine for a local relay or a
// test), and a secret to sign with whenever a URL is set.
func (c Config) validateLetterWebhook(bad func(key, format string, args ...any)) {
	w := c.Letters.Webhook
	if w.Timeout < time.Second {
		bad("letters.webhook.timeout", "%s: want at least 1s", w.Timeout)
	}
	if w.Tolerance < 30*time.Second || w.Tolerance > time.Hour {
		bad("letters.webhook.tolerance", "%s: want 30s to 1h", w.Tolerance)
	}
	if w.Secret != "" && len(w.Secret) < MinSecretLength {
		bad("letters.webhook.secret", "%d characters: want at least %d", len(w.Secret), MinSecretLength)
	}
	if w.URL == "" {
		return
	}
	u, err := url.Parse(w.URL)
	switch {
	case err != nil || u.Host == "" || u.User != nil:
		bad("letters.webhook.url", "%q: want an absolute https URL without credentials", w.URL)
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		bad("letters.webhook.url", "%q: letters carry personal data: want https (plain http only to a loopback address)", w.URL)
	case u.Scheme != "https" && u.Scheme != "http":
		bad("letters.webhook.url", "%q: want an https URL", w.URL)
	}
	if w.Secret == "" {
		bad("letters.webhook.secret", "required with letters.webhook.url (RELANCE_LETTERS_WEBHOOK_SECRET)")
	}
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// LettersDir is where letters are written: letters.dir, or "letters"
// inside mail.dir.
func (c Config) LettersDir() string {
	if c.Letters.Dir != "" {
		return c.Letters.Dir
	}
	return filepath.Join(c.Mail.Dir, "letters")
}

// DisputeCodes lists the configured dispute reason codes, in order.
func (c Config) DisputeCodes() []string {
	out := make([]string, len(c.Disputes.Reasons))
	for i, r := range c.Disputes.Reasons {
		out[i] = r.Code
	}
	return out
}

// DisputeLabel is how a reason code reads in locale: its configured label in
// French, the code itself in English (the codes are English words); an
// unknown code (recorded before the list changed) reads as itself.
func (c Config) DisputeLabel(code, locale string) string {
	if locale == "fr" {
		for _, r := range c.Disputes.Reasons {
			if r.Code == code {
				return r.Label
			}
		}
	}
	return strings.ReplaceAll(code, "_", " ")
}

// ParsePercent reads "12.5%", "12,5 %" or "12.5" as basis points (1250).
func ParsePercent(s string) (int, error) {
	t := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	t = strings.ReplaceAll(t, ",", ".")
	whole, frac, _ := strings.Cut(t, ".")
	if len(frac) > 2 || whole == "" {
		return 0, fmt.Errorf("invalid percentage %q", s)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	bp, err := strconv.Atoi(whole + frac)
	if err != nil || bp < 0 {
		return 0, fmt.Errorf("invalid percentage %q", s)
	}
	return bp, nil
}

// ParseSize reads a size in bytes written "120MiB", "1GiB", "512KiB", "200MB"
// or a plain number of bytes; "0" means no limit.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}} {
		if v, ok := strings.CutSuffix(t, u.suffix); ok {
			t, mult = strings.TrimSpace(v), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("invalid size %q: want e.g. 120MiB, 1GiB or 0", s)
	}
	return n * mult, nil
}

// ParseWindow reads a daily window "09:00-18:00" as offsets from midnight.
func ParseWindow(s string) (start, end time.Duration, err error) {
	a, b, ok := strings.Cut(s, "-")
	if ok {
		start, err = parseClock(a)
		if err == nil {
			end, err = parseClock(b)
		}
	}
	if !ok || err != nil || end <= start {
		return 0, 0, fmt.Errorf("invalid window %q: want HH:MM-HH:MM with start before end", s)
	}
	return start, end, nil
}

func parseClock(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, err
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// applyEnv sets every field whose RELANCE_* variable is present, and
// database.url from DATABASE_URL. An unknown RELANCE_ variable is an error, so
// that a typo does not silently do nothing.
func applyEnv(cfg *Config, env []string) error {
	vars := map[string]string{}
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			vars[k] = v
		}
	}
	if v, ok := vars["DATABASE_URL"]; ok && v != "" {
		cfg.Database.URL = v
	}
	known := map[string]bool{"RELANCE_CONFIG": true}
	var errs []error
	walk(reflect.ValueOf(cfg).Elem(), nil, func(path []string, field reflect.Value) {
		name := "RELANCE_" + strings.ToUpper(strings.Join(path, "_"))
		known[name] = true
		v, ok := vars[name]
		if !ok {
			return
		}
		if err := setFromString(field, v); err != nil {
			errs = append(errs, fmt.Errorf("config: %s (from %s): %w", strings.Join(path, "."), name, err))
		}
	})
	var unknown []string
	for k := range vars {
		if strings.HasPrefix(k, "RELANCE_") && !known[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		errs = append(errs, fmt.Errorf("config: unknown environment variable %s", k))
	}
	return errors.Join(errs...)
}

func walk(v reflect.Value, path []string, visit func([]string, reflect.Value)) {
	t := v.Type()
	for i := range t.NumField() {
		tag := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
		if tag == "" || tag == "-" {
			continue
		}
		p := append(append([]string(nil), path...), tag)
		f := v.Field(i)
		if f.Kind() == reflect.Struct {
			walk(f, p, visit)
			continue
		}
		visit(p, f)
	}
}

func setFromString(f reflect.Value, s string) error {
	switch {
	case f.Type() == reflect.TypeOf(time.Duration(0)):
		d, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		f.SetInt(int64(d))
	case f.Kind() == reflect.String:
		f.SetString(s)
	case f.Kind() == reflect.Int:
		n, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", s)
		}
		f.SetInt(int64(n))
	case f.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%q is not true or false", s)
		}
		f.SetBool(b)
	case f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.String:
		f.Set(reflect.ValueOf(strings.Split(s, ",")))
	case f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.Int:
		var out []int
		for _, p := range strings.Split(s, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(p))
			if err != nil {
				return fmt.Errorf("%q is not a list of whole numbers", s)
			}
			out = append(out, n)
		}
		f.Set(reflect.ValueOf(out))
	default:
		return fmt.Errorf("cannot be set from the environment; use the config file")
	}
	return nil
}
