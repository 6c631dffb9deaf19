package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/internal/money"
)

func writeFile(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "relance.yaml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDefaultsAreValid(t *testing.T) {
	cfg, err := Load("", nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.TimeZone != "Europe/Paris" || cfg.Sweep.Schedule != "0 7 * * *" || cfg.DefaultTerms().Days != 30 ||
		cfg.Templates.OversightDays != 30 || cfg.Letters.DeadlineDays != 8 {
		t.Errorf("unexpected defaults: %+v", cfg)
	}
}

func TestFileThenEnvironment(t *testing.T) {
	p := writeFile(t, `
database: {url: "postgres://file/db"}
mail:
  transport: smtp
  smtp: {host: mail.example.fr, port: 2525}
aging: {buckets: [15, 30, 60]}
server: {shutdown_timeout: 10s}
`)
	cfg, err := Load(p, []string{"DATABASE_URL=postgres://env/db", "RELANCE_MAIL_SMTP_PORT=465", "RELANCE_MAIL_SMTP_TLS=implicit", "PATH=/bin"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Database.URL != "postgres://env/db" {
		t.Errorf("DATABASE_URL not honoured: %q", cfg.Database.URL)
	}
	if cfg.Mail.SMTP.Host != "mail.example.fr" || cfg.Mail.SMTP.Port != 465 || cfg.Mail.SMTP.TLS != "implicit" {
		t.Errorf("smtp = %+v", cfg.Mail.SMTP)
	}
	if len(cfg.Aging.Buckets) != 3 || cfg.Aging.Buckets[0] != 15 {
		t.Errorf("buckets = %v", cfg.Aging.Buckets)
	}
	if cfg.Server.ShutdownTimeout != 10*time.Second {
		t.Errorf("shutdown timeout = %s", cfg.Server.ShutdownTimeout)
	}
	if cfg.Locale != "fr" {
		t.Errorf("unset key lost its default: locale = %q", cfg.Locale)
	}
}

func TestErrorsNameTheKey(t *testing.T) {
	tests := []struct {
		name, file string
		env        []string
		want       []string
	}{
		{"unknown key", "mail:\n  smtpp: {}\n", nil, []string{"smtpp", "2:3"}},
		{"bad zone", "timezone: Mars/Olympus\n", nil, []string{"timezone", "Mars/Olympus"}},
		{"bad terms", "terms: {default: soon}\n", nil, []string{"terms.default"}},
		{"bad cron", "sweep: {schedule: every day}\n", nil, []string{"sweep.schedule"}},
		{"bad window", "sweep: {send_window: 18:00-09:00}\n", nil, []string{"sweep.send_window"}},
		{"buckets out of order", "aging: {buckets: [30, 20]}\n", nil, []string{"aging.buckets"}},
		{"too many buckets", "aging: {buckets: [10, 20, 30, 40, 50, 60, 70, 80, 90]}\n", nil, []string{"aging.buckets", "at most 8"}},
		{"bad rule set", "penalties: {rule_set: US}\n", nil, []string{"penalties.rule_set"}},
		{"smtp without host", "mail: {transport: smtp}\n", nil, []string{"mail.smtp.host"}},
		{"env not a number", "", []string{"RELANCE_MAIL_SMTP_PORT=abc"}, []string{"mail.smtp.port", "RELANCE_MAIL_SMTP_PORT"}},
		{"env typo", "", []string{"RELANCE_MAIL_SMPT_HOST=x"}, []string{"RELANCE_MAIL_SMPT_HOST"}},
		{"wrong type", "database: {max_conns: lots}\n", nil, []string{"max_conns"}},
		{"bad memory limit", "server: {memory_limit: lots}\n", nil, []string{"server.memory_limit"}},
		{"bad API body limit", "", []string{"RELANCE_SERVER_API_BODY_LIMIT=lots"}, []string{"server.api_body_limit", "invalid size"}},
		{"API body limit too small", "server: {api_body_limit: 10B}\n", nil, []string{"server.api_body_limit", "at least 1KiB"}},
		{"negative oversight age", "templates: {oversight_days: -1}\n", nil, []string{"templates.oversight_days"}},
		{"no deadline", "", []string{"RELANCE_LETTERS_DEADLINE_DAYS=0"}, []string{"letters.deadline_days"}},
		{"bad letter cost", "letters: {cost: cheap}\n", nil, []string{"letters.cost", "cheap"}},
		{"negative letter cost", "", []string{"RELANCE_LETTERS_COST=-7.65"}, []string{"letters.cost"}},
		{"pool smaller than the workers", "database: {max_conns: 8}\nsweep: {send_concurrency: 8}\n", nil, []string{"database.max_conns", "12"}},
		{"negative data age", "", []string{"RELANCE_SWEEP_MAX_DATA_AGE=-1h"}, []string{"sweep.max_data_age"}},
		{"negative data age of an entity", "sweep: {max_data_age_by_entity: {acme: -2h}}\n", nil, []string{"sweep.max_data_age_by_entity.acme"}},
		{"recheck too short", "sweep: {stale_recheck: 10ms}\n", nil, []string{"sweep.stale_recheck"}},
		{"no dispute limit", "alerts: {dispute_days: 0}\n", nil, []string{"alerts.dispute_days"}},
		{"stuck sends alert at once", "alerts: {stuck_after: 10s}\n", nil, []string{"alerts.stuck_after"}},
		{"claims too far", "alerts: {claim_days: 90}\n", nil, []string{"alerts.claim_days"}},
		{"digest to no one", "", []string{"RELANCE_DIGEST_TO=credit@x.fr,not an address"}, []string{"digest.to[1]", "not an address"}},
		{"webhook without a secret", "letters: {webhook: {url: \"https://lre.example/v1/letters\"}}\n", nil,
			[]string{"letters.webhook.secret: required", "RELANCE_LETTERS_WEBHOOK_SECRET"}},
		{"webhook in clear", "", []string{"RELANCE_LETTERS_WEBHOOK_URL=http://lre.example/v1", "RELANCE_LETTERS_WEBHOOK_SECRET=0123456789abcdef"},
			[]string{"letters.webhook.url", "want https"}},
		{"webhook with credentials", "", []string{"RELANCE_LETTERS_WEBHOOK_URL=https://u:p@lre.example/", "RELANCE_LETTERS_WEBHOOK_SECRET=0123456789abcdef"},
			[]string{"letters.webhook.url", "without credentials"}},
		{"webhook secret too short", "", []string{"RELANCE_LETTERS_WEBHOOK_SECRET=short"}, []string{"letters.webhook.secret", "at least 16"}},
		{"callback tolerance of a day", "", []string{"RELANCE_LETTERS_WEBHOOK_TOLERANCE=24h"}, []string{"letters.webhook.tolerance"}},
		{"provision bucket", "provision: {rates: {d91_12: 50%}}\n", nil, []string{"provision.rates.d91_12: no such bucket", "d91_120"}},
		{"provision rate", "provision: {profiles: {risky: {d91_120: lots}}}\n", nil, []string{"provision.profiles.risky.d91_120", "lots"}},
		{"insolvency rate", "", []string{"RELANCE_PROVISION_INSOLVENCY_RATE=120%"}, []string{"provision.insolvency_rate"}},
		{"VAT rate", "provision: {default_vat_rate: twenty}\n", nil, []string{"provision.default_vat_rate"}},
		{"one account, two parts", "provision: {accounts: {vat: \"654\"}}\n", nil, []string{"provision: accounts.vat: 654 is already accounts.loss"}},
		{"no journal", "", []string{"RELANCE_PROVISION_JOURNAL_CODE="}, []string{"provision: journal.code"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.file != "" {
				path = writeFile(t, tt.file)
			}
			_, err := Load(path, tt.env)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// TestLetterWebhook: the provider's address may be https anywhere or http
// on this machine, its secret comes from the environment, and the letters'
// directory defaults into mail.dir.
func TestLetterWebhook(t *testing.T) {
	for _, url := range []string{"https://lre.example/v1/letters", "http://127.0.0.1:8089/letters", "http://localhost:8089/", "http://[::1]:8089/"} {
		cfg, err := Load("", []string{"RELANCE_LETTERS_WEBHOOK_URL=" + url, "RELANCE_LETTERS_WEBHOOK_SECRET=whsec_0123456789abcdef"})
		if err != nil || cfg.Letters.Webhook.URL != url || cfg.Letters.Webhook.Secret != "whsec_0123456789abcdef" ||
			cfg.Letters.Webhook.Timeout != 30*time.Second || cfg.Letters.Webhook.Tolerance != 5*time.Minute {
			t.Errorf("%s: %+v, %v", url, cfg.Letters.Webhook, err)
		}
	}
	cfg, _ := Load("", []string{"RELANCE_MAIL_DIR=/var/relance/out"})
	if got := cfg.LettersDir(); got != "/var/relance/out/letters" {
		t.Errorf("letters dir %q", got)
	}
	cfg, _ = Load("", []string{"RELANCE_LETTERS_DIR=/srv/courrier"})
	if got := cfg.LettersDir(); got != "/srv/courrier" {
		t.Errorf("letters dir %q", got)
	}
}

func TestLetterCost(t *testing.T) {
	for env, want := range map[string]money.Amount{"": 0, "7.65": 765, "7,65 €": 765} {
		cfg, err := Load("", []string{"RELANCE_LETTERS_COST=" + env})
		if err != nil || cfg.LetterCost() != want {
			t.Errorf("letters.cost %q = %d, %v; want %d", env, cfg.LetterCost(), err, want)
		}
	}
}

// The default matrix gives 100% to the last bucket, whatever the edges.
func TestProvisionDefaults(t *testing.T) {
	cfg, err := Load(writeFile(t, "aging: {buckets: [15, 30, 60]}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	m := cfg.ProvisionMatrix()
	if b, bp := m.Rate("", 61); b != "d61_plus" || bp != 10000 || m.InsolvencyBP != 10000 || m.DefaultVATBP != 2000 {
		t.Errorf("61 days: %s %d, insolvency %d, VAT %d", b, bp, m.InsolvencyBP, m.DefaultVATBP)
	}
	if _, bp := m.Rate("", 60); bp != 0 {
		t.Errorf("60 days: %d", bp)
	}
	if a := cfg.ProvisionAccounts(); a.Doubtful != "416" || a.Journal != "OD" {
		t.Errorf("accounts %+v", a)
	}
}

func TestParsePercent(t *testing.T) {
	for in, want := range map[string]int{"12.5%": 1250, "12,15 %": 1215, "100%": 10000, "3": 300, "0.5": 50} {
		if got, err := ParsePercent(in); err != nil || got != want {
			t.Errorf("ParsePercent(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "abc", "1.234%", "-5%"} {
		if _, err := ParsePercent(in); err == nil {
			t.Errorf("ParsePercent(%q) accepted", in)
		}
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"120MiB": 120 << 20, "1GiB": 1 << 30, "512 KiB": 512 << 10, "200MB": 200e6, "0": 0, "4096": 4096} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "lots", "-1MiB", "1.5GiB", "99999999999GiB"} {
		if _, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) accepted", in)
		}
	}
}

func TestDisputeReasonsAndPromiseGrace(t *testing.T) {
	cfg, err := Load("", []string{"RELANCE_PROMISES_GRACE_DAYS=5"})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cfg.DisputeCodes(), ","); got != "price,quantity,quality,delivery,billing,other" {
		t.Errorf("default codes %s", got)
	}
	if cfg.DisputeLabel("quantity", "fr") != "quantité" || cfg.DisputeLabel("quantity", "en") != "quantity" || cfg.DisputeLabel("gone", "fr") != "gone" {
		t.Error("labels")
	}
	if cfg.Promises.GraceDays != 5 || cfg.Penalties.RuleSet != "" {
		t.Errorf("grace %d, rule set %q", cfg.Promises.GraceDays, cfg.Penalties.RuleSet)
	}
	// A list in the file replaces the defaults.
	cfg, err = Load(writeFile(t, "disputes:\n  reasons:\n    - {code: retour, label: retour marchandise}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cfg.DisputeCodes(), ","); got != "retour" {
		t.Errorf("codes from the file: %s", got)
	}
	_, err = Load(writeFile(t, "disputes:\n  reasons:\n    - {code: Prix, label: prix}\n    - {code: a, label: ''}\n"), nil)
	for _, want := range []string{"disputes.reasons[0].code", "disputes.reasons[1].label"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err %v does not name %s", err, want)
		}
	}
}

// The freshness guard's and the digest's keys, from the file and the
// environment.
func TestWatchKeys(t *testing.T) {
	path := writeFile(t, "sweep: {max_data_age: 48h, max_data_age_by_entity: {acme-de: 72h, test: 0s}}\nalerts: {every: 1m}\n")
	cfg, err := Load(path, []string{"RELANCE_DIGEST_TO=credit@x.fr,dg@x.fr", "RELANCE_SWEEP_STALE_RECHECK=30s"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Sweep.MaxDataAge != 48*time.Hour || cfg.Sweep.MaxDataAgeByEntity["acme-de"] != 72*time.Hour ||
		cfg.Sweep.MaxDataAgeByEntity["test"] != 0 || cfg.Sweep.StaleRecheck != 30*time.Second ||
		cfg.Alerts.Every != time.Minute || cfg.Alerts.DisputeDays != 30 || len(cfg.Digest.To) != 2 {
		t.Errorf("sweep %+v, alerts %+v, digest %+v", cfg.Sweep, cfg.Alerts, cfg.Digest)
	}
}
