package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/webhook"
)

// proofs stands for the ledger: it records what it is given and answers
// with err. The worker's TestLetterWebhook runs the real one.
type proofs struct {
	got []ledger.LetterProof
	by  []ledger.Act
	err error
}

func (p *proofs) RecordLetterProof(_ context.Context, by ledger.Act, lp ledger.LetterProof) (ledger.Letter, bool, error) {
	if p.err != nil {
		return ledger.Letter{}, false, p.err
	}
	p.got, p.by = append(p.got, lp), append(p.by, by)
	return ledger.Letter{ID: 7, Status: lp.Event}, true, nil
}

// TestLetterCallback is every way a callback is answered: signed or not,
// in time or not, well formed or not, and what the ledger says.
func TestLetterCallback(t *testing.T) {
	secret := []byte("whsec_0123456789abcdef")
	now := time.Date(2025, 9, 18, 12, 0, 0, 0, time.UTC)
	paris, _ := time.LoadLocation("Europe/Paris")
	p := &proofs{}
	h, err := New(Options{DB: pinger{}, Jobs: http.NotFoundHandler(), Metrics: prometheus.NewRegistry(),
		Username: "admin", Password: "s3cret", Logger: slog.New(slog.DiscardHandler),
		Letters: &LetterCallback{Proofs: p, Secret: secret, Tolerance: 5 * time.Minute, Clock: clock.Fixed(now), Location: paris}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	// Delivered late on the 17th, Paris time: the 18th in Paris, the 17th in UTC.
	good := `{"key":"relance-k1","event":"delivered","at":"2025-09-17T22:30:00Z","tracking_number":"1A12345678901","id":"prov-1"}`
	sign := func(body string, at time.Time, key []byte) string { return webhook.Sign(key, at, []byte(body)) }
	for _, c := range []struct {
		name, body, signature string
		origin                string
		ledgerErr             error
		want                  int
		says                  string
	}{
		{"signed", good, sign(good, now, secret), "", nil, 200, `"status":"delivered"`},
		{"signed four minutes ago", good, sign(good, now.Add(-4*time.Minute), secret), "", nil, 200, `"recorded":true`},
		{"from a provider's browser-less client with an Origin", good, sign(good, now, secret), "https://lre.example", nil, 200, ""},
		{"unsigned", good, "", "", nil, 401, "no signature"},
		{"forged", good, sign(good, now, []byte("guessed")), "", nil, 401, "does not match"},
		{"replayed later", good, sign(good, now.Add(-6*time.Minute), secret), "", nil, 401, "outside the tolerance"},
		{"body changed after signing", strings.Replace(good, "delivered", "refused", 1), sign(good, now, secret), "", nil, 401, "does not match"},
		{"not JSON", "delivered!", sign("delivered!", now, secret), "", nil, 400, "body:"},
		{"no key", `{"event":"delivered"}`, sign(`{"event":"delivered"}`, now, secret), "", nil, 422, "key: required"},
		{"unknown letter", good, sign(good, now, secret), "", fmt.Errorf("ledger: letter: %w", ledger.ErrNotFound), 404, "no such letter"},
		{"contradiction", good, sign(good, now, secret), "", fmt.Errorf("x: %w", ledger.ErrLetterConflict), 409, "contradicts"},
		{"invalid", good, sign(good, now, secret), "", &ledger.InvalidError{Fields: []ledger.FieldError{{Field: "at", Err: errors.New("required")}}}, 422, "at: required"},
		{"database down", good, sign(good, now, secret), "", errors.New("conn refused"), 503, "try again later"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p.err, p.got = c.ledgerErr, nil
			req, _ := http.NewRequest("POST", srv.URL+"/webhooks/letters", strings.NewReader(c.body))
			if c.signature != "" {
				req.Header.Set("Relance-Signature", c.signature)
			}
			if c.origin != "" {
				req.Header.Set("Origin", c.origin)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.want || !strings.Contains(string(body), c.says) {
				t.Errorf("%d %s, want %d saying %q", resp.StatusCode, body, c.want, c.says)
			}
			if c.want != 200 && len(p.got) != 0 {
				t.Errorf("refused, yet recorded %+v", p.got)
			}
		})
	}
	if len(p.by) == 0 || p.by[0].Actor != "webhook:letters" || !p.by[0].Day.Equal(clock.Date(2025, 9, 18)) {
		t.Errorf("recorded by %+v, want webhook:letters on 2025-09-18 (Paris)", p.by)
	}
	// Without a secret there is no route at all.
	h, _ = New(Options{DB: pinger{}, Jobs: http.NotFoundHandler(), Metrics: prometheus.NewRegistry(), Username: "a", Password: "b"})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/webhooks/letters", strings.NewReader(good)))
	if rec.Code != 404 {
		t.Errorf("no callback configured: %d, want 404", rec.Code)
	}
}
