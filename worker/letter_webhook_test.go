package worker

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/letter"
	"github.com/relance/relance/internal/pgtest"
	"github.com/relance/relance/internal/web"
	"github.com/relance/relance/internal/webhook"
)

var providerSecret = []byte("whsec_test_0123456789abcdef")

// provider is a postal or LRE provider on loopback (HTTPS), as
// docs/letters-webhook.md describes one: it checks each request's
// signature by hand, keeps one letter per Idempotency-Key (a repeated key
// gets the first answer again), and can fail requests or run a hook before
// it answers.
type provider struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	requests []providerRequest
	letters  map[string]string // Idempotency-Key → the provider's id
	fail     []int             // statuses to answer the next requests with
	hook     func(n int)       // runs before the n-th request (1-based) is answered
}

// providerRequest is one POST as the provider received it.
type providerRequest struct {
	key      string
	signedOK bool
	upload   letter.Upload
}

func startProvider(t *testing.T) *provider {
	p := &provider{t: t, letters: map[string]string{}}
	p.srv = httptest.NewTLSServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *provider) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req := providerRequest{key: r.Header.Get("Idempotency-Key"), signedOK: signedBy(providerSecret, r.Header.Get("Relance-Signature"), body)}
	if err := json.Unmarshal(body, &req.upload); err != nil {
		p.t.Errorf("provider: body is not an upload: %v", err)
	}
	p.mu.Lock()
	p.requests = append(p.requests, req)
	n, hook := len(p.requests), p.hook
	var status int
	if len(p.fail) > 0 {
		status, p.fail = p.fail[0], p.fail[1:]
	}
	p.mu.Unlock()
	if hook != nil {
		hook(n)
	}
	if status != 0 {
		http.Error(w, `{"error":"try later"}`, status)
		return
	}
	p.mu.Lock()
	id, seen := p.letters[req.key]
	if !seen {
		id = fmt.Sprintf("prov-%d", len(p.letters)+1)
		p.letters[req.key] = id
	}
	p.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"id":%q,"tracking_number":"1A 123 456 7890 1"}`, id)
}

// signedBy checks a Relance-Signature header as a provider would, without
// relance's code: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">.
func signedBy(secret []byte, header string, body []byte) bool {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts + "." + string(body)))
	return ts != "" && hmac.Equal([]byte(sig), []byte(hex.EncodeToString(m.Sum(nil))))
}

func (p *provider) received() ([]providerRequest, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.requests), len(p.letters)
}

// webhookHarness is the engine with the default entity on the webhook
// channel of p.
func webhookHarness(t *testing.T, p *provider) (*harness, fixture) {
	pool := pgtest.NewDB(t)
	h := newHarnessWith(t, pool, func(h *harness) {
		h.sender.Provider = &webhook.Client{URL: p.srv.URL + "/v1/letters", Secret: providerSecret, HTTP: p.srv.Client(), Clock: h.clock}
	})
	f := fixture{t, pool}
	f.exec(`UPDATE entity SET name = 'Atelier Durand SAS', address_line1 = '12 rue des Tanneurs', postcode = '69002', city = 'Lyon',
		letter_channel = 'webhook' WHERE id = 1`)
	return h, f
}

// letters reads every letter recorded.
func (h *harness) lettersRecorded() []ledger.Letter {
	h.t.Helper()
	var out []ledger.Letter
	for _, code := range queryStrings(h.t, h.pool, `SELECT code FROM entity ORDER BY code`) {
		ls, err := ledger.New(h.pool, ledger.Options{Entity: code}).Letters(context.Background(), ledger.LetterFilter{})
		if err != nil {
			h.t.Fatal(err)
		}
		out = append(out, ls...)
	}
	return out
}

// TestLetterWebhook is the webhook channel end to end, on loopback: the
// provider answers 503 first; River retries with the same key and a valid
// signature; the provider keeps one letter, ours records one, the rows are
// sent, the client gets the notice by email with the PDF attached. Then the
// provider's callbacks, deposit and delivery, land on the letter and the
// client's timeline, and a forged or stale one is refused.
func TestLetterWebhook(t *testing.T) {
	p := startProvider(t)
	p.fail = []int{503}
	h, f := webhookHarness(t, p)
	client := f.levelFiveClient("C042", []string{"compta@martin.example"}, true)

	res, dr := h.day(d("2025-09-15"))
	if dr.Completed != 1 || dr.Failed() != 0 {
		t.Fatalf("drain %+v, want the letter's job completed", dr)
	}
	if got := jobStates(t, h, res.JobIDs); !slices.Equal(got, []string{"completed/2"}) {
		t.Errorf("job %v, want completed on attempt 2 (after the 503)", got)
	}
	reqs, kept := p.received()
	if len(reqs) != 2 || kept != 1 {
		t.Fatalf("provider got %d requests and keeps %d letters, want 2 and 1", len(reqs), kept)
	}
	letters := h.lettersRecorded()
	if len(letters) != 1 {
		t.Fatalf("%d letters recorded, want 1", len(letters))
	}
	l := letters[0]
	for i, r := range reqs {
		if !r.signedOK || r.key != l.Key || r.upload.Manifest.Key != l.Key {
			t.Errorf("request %d: signed %v, key %q / %q, want signed with %q", i+1, r.signedOK, r.key, r.upload.Manifest.Key, l.Key)
		}
	}
	up := reqs[1].upload
	m := up.Manifest
	sum := sha256.Sum256(up.Document.Data)
	if !bytes.HasPrefix(up.Document.Data, []byte("%PDF-")) || up.Document.ContentType != "application/pdf" ||
		m.Document.SHA256 != hex.EncodeToString(sum[:]) || m.Document.File != "C042-level5.pdf" {
		t.Errorf("document %s %d bytes, manifest says %+v", up.Document.ContentType, len(up.Document.Data), m.Document)
	}
	if m.Service != letter.ServiceRegisteredAR || m.Recipient.Name != "Boulangerie Martin & Fils" || m.Recipient.Line1 != "3 place du Marché" ||
		m.Recipient.Postcode != "38000" || m.Recipient.City != "Grenoble" || m.Recipient.Country != "FR" ||
		m.Sender.Name != "Atelier Durand SAS" || m.Sender.City != "Lyon" || m.Total.Due != "18049.87" || len(m.Invoices) != 3 ||
		m.Invoices[0].Number != "F2025-0101" || m.Invoices[0].Interest != "394.04" || m.Day != "2025-09-15" || m.Deadline != "2025-09-23" {
		t.Errorf("manifest %+v", m)
	}
	if l.Channel != ledger.LetterWebhook || l.Status != ledger.LetterPosted || l.ProviderRef != "prov-1" || l.Tracking != "1A12345678901" ||
		l.ClientID != client || len(l.ReminderIDs) != 3 || l.Copy.Status != ledger.CopySent {
		t.Errorf("letter %+v", l)
	}
	var sent int
	if err := h.pool.QueryRow(t.Context(), `SELECT count(*) FROM reminder WHERE step_id = 'level5' AND status = 'sent'`).Scan(&sent); err != nil || sent != 3 {
		t.Errorf("%d level-5 rows sent (%v), want 3", sent, err)
	}
	msgs := h.srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d emails, want the one copy", len(msgs))
	}
	raw := string(msgs[0].Data)
	wantID := fmt.Sprintf("<relance.%d.2025-09-15.level5@durand.example>", client)
	for _, want := range []string{"Content-Type: application/pdf", `filename="mise-en-demeure-C042.pdf"`, "Message-ID: " + wantID} {
		if !strings.Contains(raw, want) {
			t.Errorf("the email copy lacks %q", want)
		}
	}

	proofs := callbackServer(t, h)
	h.clock.set(time.Date(2025, 9, 16, 11, 0, 0, 0, time.UTC))
	deposit := fmt.Sprintf(`{"key":%q,"event":"deposited","at":"2025-09-16T09:30:00+02:00","tracking_number":"1A 123 456 7890 1","proof_url":"https://lre.example/proofs/1"}`, l.Key)
	for _, c := range []struct {
		name, signature string
		want            int
	}{
		{"forged", webhook.Sign([]byte("not the provider's secret"), h.clock.Now(), []byte(deposit)), 401},
		{"stale", webhook.Sign(providerSecret, h.clock.Now().Add(-10*time.Minute), []byte(deposit)), 401},
		{"unsigned", "", 401},
	} {
		if got, body := proofs(deposit, c.signature); got != c.want {
			t.Errorf("%s callback: %d %s, want %d", c.name, got, body, c.want)
		}
	}
	if l := h.lettersRecorded()[0]; l.Status != ledger.LetterPosted || !l.DepositedOn.IsZero() {
		t.Fatalf("a refused callback changed the letter: %+v", l)
	}
	sign := func(body string) string { return webhook.Sign(providerSecret, h.clock.Now(), []byte(body)) }
	if got, body := proofs(deposit, sign(deposit)); got != 200 || !strings.Contains(body, `"recorded":true`) || !strings.Contains(body, `"status":"deposited"`) {
		t.Errorf("deposit: %d %s", got, body)
	}
	if got, body := proofs(deposit, sign(deposit)); got != 200 || !strings.Contains(body, `"recorded":false`) {
		t.Errorf("the deposit again: %d %s, want 200 and nothing recorded", got, body)
	}
	h.clock.set(time.Date(2025, 9, 18, 15, 0, 0, 0, time.UTC))
	delivered := fmt.Sprintf(`{"key":%q,"event":"delivered","at":"2025-09-18T14:02:00Z","id":"prov-1"}`, l.Key)
	if got, body := proofs(delivered, sign(delivered)); got != 200 || !strings.Contains(body, `"status":"delivered"`) {
		t.Errorf("delivery: %d %s", got, body)
	}
	unknown := `{"key":"relance-0000","event":"delivered","at":"2025-09-18T14:02:00Z"}`
	if got, _ := proofs(unknown, sign(unknown)); got != 404 {
		t.Errorf("a proof of a letter we never sent: %d, want 404", got)
	}

	l = h.lettersRecorded()[0]
	if l.Status != ledger.LetterDelivered || !l.DepositedOn.Equal(d("2025-09-16")) || !l.DeliveredOn.Equal(d("2025-09-18")) ||
		l.ProofURL != "https://lre.example/proofs/1" {
		t.Errorf("letter after the proofs %+v", l)
	}
	timeline, err := ledger.New(h.pool, ledger.Options{}).Timeline(t.Context(), "C042", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range timeline {
		if strings.HasPrefix(e.Kind, "letter_") {
			got = append(got, e.Day.Format(time.DateOnly)+" "+e.Kind+" "+e.Actor)
		}
	}
	want := []string{"2025-09-15 letter_handed relance", "2025-09-15 letter_sent relance",
		"2025-09-16 letter_deposited webhook:letters", "2025-09-18 letter_delivered webhook:letters"}
	if !slices.Equal(got, want) {
		t.Errorf("timeline %v, want %v", got, want)
	}
}

// callbackServer serves relance's HTTP side on loopback with the letter
// callback, and returns a function posting a body with a signature header.
func callbackServer(t *testing.T, h *harness) func(body, signature string) (int, string) {
	t.Helper()
	handler, err := web.New(web.Options{DB: h.pool, Jobs: http.NotFoundHandler(), Metrics: prometheus.NewRegistry(),
		Username: "admin", Password: "s3cret", Logger: slog.New(slog.DiscardHandler),
		Letters: &web.LetterCallback{Proofs: ledger.New(h.pool, ledger.Options{}), Secret: providerSecret,
			Tolerance: 5 * time.Minute, Clock: h.clock, Location: time.UTC}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	return func(body, signature string) (int, string) {
		req, _ := http.NewRequest("POST", srv.URL+"/webhooks/letters", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if signature != "" {
			req.Header.Set("Relance-Signature", signature)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
}

// TestLetterWebhookCrashBetweenPostAndCommit: the provider takes the
// letter, and before its answer reaches us our transaction is lost (its
// database connection killed, as a crash would). River retries the job: the
// provider sees the same Idempotency-Key and answers as before, our ledger
// ends with one letter, and the rows are sent once. The email copy, sent
// before the lost commit, goes again with the same Message-ID, so that the
// client's mail reader shows one.
func TestLetterWebhookCrashBetweenPostAndCommit(t *testing.T) {
	p := startProvider(t)
	h, f := webhookHarness(t, p)
	f.levelFiveClient("C042", []string{"compta@martin.example"}, true)
	killed := make(chan int64, 1)
	p.hook = func(n int) {
		if n != 1 {
			return
		}
		var count int64
		// The send's transaction waits for our answer, idle, holding the
		// locks of its reminder rows (and so a transaction id).
		err := h.pool.QueryRow(context.Background(), `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE datname = current_database() AND state = 'idle in transaction' AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()`).Scan(&count)
		if err != nil {
			t.Errorf("terminate: %v", err)
		}
		killed <- count
	}

	res, dr := h.day(d("2025-09-15"))
	if n := <-killed; n != 1 {
		t.Fatalf("%d transactions killed, want the send's one", n)
	}
	if dr.Completed != 1 {
		t.Fatalf("drain %+v, want the job completed", dr)
	}
	if got := jobStates(t, h, res.JobIDs); !slices.Equal(got, []string{"completed/2"}) {
		t.Errorf("job %v, want completed on attempt 2", got)
	}
	reqs, kept := p.received()
	if len(reqs) != 2 || kept != 1 || reqs[0].key != reqs[1].key || !reqs[0].signedOK || !reqs[1].signedOK {
		t.Fatalf("provider: %d requests (keys %q), %d letters; want 2 signed requests with one key and 1 letter", len(reqs), []string{reqs[0].key, reqs[len(reqs)-1].key}, kept)
	}
	letters := h.lettersRecorded()
	if len(letters) != 1 || letters[0].Key != reqs[0].key || letters[0].ProviderRef != "prov-1" {
		t.Fatalf("letters %+v, want one, keyed as the provider saw it", letters)
	}
	var sent, events int
	if err := h.pool.QueryRow(t.Context(), `SELECT (SELECT count(*) FROM reminder WHERE step_id = 'level5' AND status = 'sent'),
		(SELECT count(*) FROM event WHERE kind = 'letter_handed')`).Scan(&sent, &events); err != nil || sent != 3 || events != 1 {
		t.Errorf("%d rows sent, %d letter_handed events (%v); want 3 and 1", sent, events, err)
	}
	got := readReceived(t, h.srv)
	if len(got) != 2 || got[0].messageID != got[1].messageID {
		t.Errorf("email copies %v, want two with one Message-ID", got)
	}
}

// TestLetterRefusedByTheProvider: a 422 says the provider will not post
// this letter as it is; retrying changes nothing, so the rows fail with its
// words and the job is cancelled. Nothing is blamed on the client's email.
func TestLetterRefusedByTheProvider(t *testing.T) {
	p := startProvider(t)
	p.fail = []int{422}
	h, f := webhookHarness(t, p)
	client := f.levelFiveClient("C042", []string{"compta@martin.example"}, true)
	res, dr := h.day(d("2025-09-15"))
	if dr.Cancelled != 1 {
		t.Fatalf("drain %+v, want the job cancelled", dr)
	}
	if got := jobStates(t, h, res.JobIDs); !slices.Equal(got, []string{"cancelled/1"}) {
		t.Errorf("job %v, want cancelled after one attempt", got)
	}
	reasons := queryStrings(t, h.pool, `SELECT DISTINCT status || ': ' || drop_reason FROM reminder WHERE step_id = 'level5'`)
	if len(reasons) != 1 || !strings.HasPrefix(reasons[0], "failed: the letter provider refused the letter") || !strings.Contains(reasons[0], "422") {
		t.Errorf("level-5 rows %v", reasons)
	}
	var bouncing bool
	if err := h.pool.QueryRow(t.Context(), `SELECT email_bouncing_since IS NOT NULL FROM client WHERE id = $1`, client).Scan(&bouncing); err != nil || bouncing {
		t.Errorf("client bouncing %v (%v)", bouncing, err)
	}
	if n := len(h.lettersRecorded()); n != 0 || len(h.srv.Messages()) != 0 {
		t.Errorf("%d letters, %d emails after a refusal; want none", n, len(h.srv.Messages()))
	}
}
