package web

import (
	"bytes"
	"strings"
	"sync"
	"testing"
)

// TestAPIIdempotency: the same request twice with one Idempotency-Key has
// one effect and the same response; the key with another body (or path) is
// a 422 and writes nothing; two copies sent at once still have one effect.
// Without a key, an upsert is idempotent by (entity, number) and payments
// by their natural key.
func TestAPIIdempotency(t *testing.T) {
	e := newAPIEnv(t, 0)
	e.seed()
	promise := map[string]any{"invoice_number": "F-1", "pay_by": "2025-10-10", "note": "au téléphone"}
	first := e.writer(200, "POST", "/api/v1/promises", promise, "Idempotency-Key", "prom-1")
	again := e.writer(200, "POST", "/api/v1/promises", promise, "Idempotency-Key", "prom-1")
	if !bytes.Equal(first.body, again.body) || again.header.Get("Idempotent-Replayed") != "true" || first.header.Get("Idempotent-Replayed") != "" {
		t.Errorf("replay: %s (replayed %q)\nfirst: %s", again.body, again.header.Get("Idempotent-Replayed"), first.body)
	}
	if n := e.count(`SELECT count(*) FROM promise`); n != 1 {
		t.Errorf("%d promises after the same request twice, want 1", n)
	}
	for _, c := range []struct {
		path string
		body any
	}{
		{"/api/v1/promises", map[string]any{"invoice_number": "F-1", "pay_by": "2025-10-11"}},
		{"/api/v1/promises?as_of=2025-09-30", promise},
		{"/api/v1/disputes", map[string]any{"invoice_number": "F-1", "reason": "price"}},
	} {
		r := e.writer(422, "POST", c.path, c.body, "Idempotency-Key", "prom-1")
		if !strings.Contains(string(r.body), "was used with another request") {
			t.Errorf("key reused on %s: %s", c.path, r.body)
		}
	}
	if n := e.count(`SELECT count(*) FROM promise`) + e.count(`SELECT count(*) FROM dispute`); n != 1 {
		t.Errorf("a refused reuse of a key wrote something")
	}
	// Another token's key of the same name is its own.
	e.do("POST", "/api/v1/promises", e.tokens[RoleAdmin], map[string]any{"invoice_number": "F-2", "pay_by": "2025-10-10"}, "Idempotency-Key", "prom-1")
	if n := e.count(`SELECT count(*) FROM promise`); n != 2 {
		t.Errorf("%d promises: the admin token's key prom-1 was taken for the writer's", n)
	}

	// Copies sent at once: one effect, the same answer for all.
	batch := map[string]any{"payments": []map[string]any{{"invoice_number": "F-2", "date": "2025-09-20", "amount": "100.00", "reference": "VIR 1"}}}
	var wg sync.WaitGroup
	bodies := make([][]byte, 4)
	for i := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := e.do("POST", "/api/v1/payments", e.tokens[RoleWriter], batch, "Idempotency-Key", "pay-1")
			if r.status != 200 {
				t.Errorf("copy %d: %d %s", i, r.status, r.body)
			}
			bodies[i] = r.body
		}()
	}
	wg.Wait()
	for i := range bodies {
		if !bytes.Equal(bodies[i], bodies[0]) {
			t.Errorf("copy %d answered %s, copy 0 %s", i, bodies[i], bodies[0])
		}
	}
	if n := e.count(`SELECT count(*) FROM import_batch WHERE kind = 'payments'`); n != 1 {
		t.Errorf("%d payment batches for one key sent 4 times at once", n)
	}

	// Without a key: by number, and by the payment's natural key.
	r := e.writer(200, "POST", "/api/v1/payments", batch)
	if r.json(t)["created"] != 0.0 {
		t.Errorf("the same payment again without a key: %s, want none created", r.body)
	}
	inv := map[string]any{"invoices": []map[string]any{{"invoice_number": "F-1", "client_id": "C1", "client_name": "Alpha SARL",
		"issue_date": "2025-08-01", "due_date": "2025-08-31", "amount": "1200.00", "email": "compta@alpha.example"}}}
	r = e.writer(200, "POST", "/api/v1/invoices", inv)
	if b := r.json(t); b["created"] != 0.0 || b["updated"] != 0.0 || b["clients_updated"] != 0.0 {
		t.Errorf("the same invoice again: %s, want nothing changed", r.body)
	}
	if n := e.count(`SELECT count(*) FROM payment`) + e.count(`SELECT count(*) FROM invoice`); n != 3 {
		t.Errorf("%d payments and invoices, want 1 + 2", n)
	}
	if r := e.do("POST", "/api/v1/promises", e.tokens[RoleWriter], promise, "Idempotency-Key", strings.Repeat("k", 256)); r.status != 400 {
		t.Errorf("a key of 256 characters: %d %s", r.status, r.body)
	}
}
