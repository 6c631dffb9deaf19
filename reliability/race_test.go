package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/internal/mail/smtptest"
)

var invoiceNumber = regexp.MustCompile(`FA-C\d{5}-\d`)

// TestFaultPaymentsAndDisputesDuringSending commits payments and disputes
// for invoices of clients whose message has not gone yet, while
// `sweep --drain` sends. No message whose send re-checked its rows after
// such a commit may list that invoice. The relay notes when each message's
// client was last ready before MAIL FROM (the NOOP or EHLO of Acquire),
// which is before the re-check: a message ready after a commit was
// necessarily re-checked after it. Messages re-checked before a commit and
// accepted after it are counted (the window the re-check cannot close).
func TestFaultPaymentsAndDisputesDuringSending(t *testing.T) {
	t.Parallel()
	started := time.Now()
	clients, events := scale(150, 600), scale(40, 200)
	url, pool := newDatabase(t, cluster)
	seed(t, pool, clients, 2, time.Date(2025, 9, 12, 0, 0, 0, 0, time.UTC))
	srv := smtptest.Start(t)
	srv.SetLatency(20 * time.Millisecond)
	p := startRelance(t, smtpEnv(url, srv), "sweep", "--as-of", "2025-09-12", "--drain")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 4))
	committed := map[string]time.Time{} // invoice number → when its payment or dispute had committed
	kinds := map[string]int{}
	ctx := context.Background()
	for len(committed) < events && p.running() {
		sent := map[string]bool{}
		for _, m := range srv.Messages() {
			sent[m.Header.Get("X-Relance-Client")] = true
		}
		code := fmt.Sprintf("C%05d", 1+rng.IntN(clients))
		if sent[code] {
			continue
		}
		n := 1 + rng.IntN(2)
		number := fmt.Sprintf("FA-%s-%d", code, n)
		if _, done := committed[number]; done {
			continue
		}
		var err error
		if n == 1 { // a payment in full, as an import records it
			_, err = pool.Exec(ctx, `WITH inv AS (UPDATE invoice SET settled = amount_incl_vat WHERE number = $1 RETURNING id, amount_incl_vat)
				INSERT INTO allocation (invoice_id, source, amount, applied_on) SELECT id, 'import', amount_incl_vat, '2025-09-12' FROM inv`, number)
			kinds["payment"]++
		} else {
			_, err = pool.Exec(ctx, `INSERT INTO dispute (invoice_id, reason, opened_on) SELECT id, 'price', '2025-09-12' FROM invoice WHERE number = $1`, number)
			kinds["dispute"]++
		}
		if err != nil {
			t.Fatal(err)
		}
		committed[number] = time.Now()
		time.Sleep(time.Duration(5+rng.IntN(30)) * time.Millisecond)
	}
	if code := p.wait(5 * time.Minute); code != 0 {
		t.Errorf("drain exited %d:\n%s", code, p.stdout.String())
	}
	if len(committed) < events/2 {
		t.Errorf("only %d payments and disputes committed during sending: the race was not run", len(committed))
	}
	after, window := 0, 0
	for _, m := range srv.Messages() {
		text, err := m.Text()
		if err != nil {
			t.Errorf("%s: %v", m.Header.Get("Message-Id"), err)
		}
		for _, number := range invoiceNumber.FindAllString(text, -1) {
			at, ok := committed[number]
			if !ok {
				continue
			}
			switch {
			case m.Ready.After(at):
				t.Errorf("%s lists %s, paid or disputed %s before its send was even ready", m.Header.Get("Message-Id"), number, m.Ready.Sub(at))
			case m.At.After(at):
				window++
			}
		}
		if m.Ready.IsZero() {
			t.Errorf("%s: the relay did not note when its client was ready", m.Header.Get("Message-Id"))
		}
	}
	for _, m := range srv.Messages() {
		ready := true
		for number, at := range committed {
			if strings.HasPrefix(number, "FA-"+m.Header.Get("X-Relance-Client")+"-") && m.Ready.After(at) {
				ready = false
			}
		}
		if !ready {
			after++
		}
	}
	c := Case{Order: 8, Name: "payments and disputes committed during sending", Faults: kinds}
	c.Crashes = crashed(t, p)
	tally(t, &c, pool, srv, noDuplicateExpected)
	c.Notes = append(c.Notes, fmt.Sprintf("%d clients with 2 invoices each, relay answering in 20 ms; %d payments and %d disputes committed for clients whose message had not gone yet; %d messages were composed after such a commit for their client, none listed the invoice; %d messages re-checked before a commit and accepted after it listed the invoice (the window of one SMTP transaction)",
		clients, kinds["payment"], kinds["dispute"], after, window))
	record(t, c, started)
}
