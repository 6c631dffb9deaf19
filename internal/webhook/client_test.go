package webhook

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/internal/clock"
)

// TestPostSignsAndClassifies posts to a server on loopback answering each
// status in turn: a 2xx is a reply, every other answer an *Error whose
// fault says what the caller does; the server checks what it received.
func TestPostSignsAndClassifies(t *testing.T) {
	at := time.Date(2025, 9, 15, 10, 0, 0, 0, time.UTC)
	var status int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := Verify(secret, r.Header.Get(SignatureHeader), body, at, time.Minute); err != nil {
			t.Errorf("server: %v", err)
		}
		if got := r.Header.Get(IdempotencyHeader); got != "relance-k1" {
			t.Errorf("server: Idempotency-Key %q", got)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("server: Content-Type %q", ct)
		}
		w.WriteHeader(status)
		io.WriteString(w, `{"id":"prov-1"}`)
	}))
	defer srv.Close()
	c := &Client{URL: srv.URL, Secret: secret, Clock: clock.Fixed(at), Timeout: 5 * time.Second}
	for _, tt := range []struct {
		status int
		ok     bool
		fault  Fault
	}{
		{200, true, 0}, {201, true, 0}, {202, true, 0},
		{500, false, Temporary}, {502, false, Temporary}, {503, false, Temporary}, {429, false, Temporary},
		{408, false, Temporary}, {409, false, Temporary},
		{401, false, Ours}, {403, false, Ours}, {404, false, Ours}, {405, false, Ours},
		{400, false, Refused}, {413, false, Refused}, {422, false, Refused},
	} {
		status = tt.status
		reply, err := c.Post(context.Background(), "relance-k1", []byte(`{"manifest":{}}`))
		if tt.ok {
			if err != nil || reply.Status != tt.status || string(reply.Body) != `{"id":"prov-1"}` {
				t.Errorf("%d: reply %+v, err %v", tt.status, reply, err)
			}
			continue
		}
		if err == nil || FaultOf(err) != tt.fault {
			t.Errorf("%d: err %v, fault %v, want %v", tt.status, err, FaultOf(err), tt.fault)
		}
		if err != nil && !strings.Contains(err.Error(), `{"id":"prov-1"}`) {
			t.Errorf("%d: %v does not quote the answer", tt.status, err)
		}
	}
}

// TestPostTimeoutAndRefusedConnectionAreTemporary: no answer in time, or
// nobody listening, is retried later.
func TestPostTimeoutAndRefusedConnectionAreTemporary(t *testing.T) {
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-release }))
	defer slow.Close()
	defer close(release)
	c := &Client{URL: slow.URL, Secret: secret, Clock: clock.System{}, HTTP: &http.Client{Timeout: 100 * time.Millisecond}}
	if _, err := c.Post(context.Background(), "k", []byte("{}")); err == nil || FaultOf(err) != Temporary {
		t.Errorf("slow server: %v (%v), want a temporary failure", err, FaultOf(err))
	}
	gone := httptest.NewServer(http.NotFoundHandler())
	url := gone.URL
	gone.Close()
	c = &Client{URL: url, Secret: secret, Clock: clock.System{}}
	if _, err := c.Post(context.Background(), "k", []byte("{}")); err == nil || FaultOf(err) != Temporary {
		t.Errorf("nobody listening: %v (%v), want a temporary failure", err, FaultOf(err))
	}
}
