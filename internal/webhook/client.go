package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/relance/relance/internal/clock"
)

// Fault says whose problem a failed request is.
type Fault int

const (
	// Temporary: a timeout, a refused or dropped connection, 408, 409 (the
	// same key still being worked), 425, 429 or a 5xx. Retry later.
	Temporary Fault = iota
	// Ours: 401, 403, 404, 405 or 407: our URL, secret or account is
	// wrong. Retry and alert; the request itself is not at fault.
	Ours
	// Refused: any other 4xx: the service will not take this request as it
	// is (a 422 on an address it cannot post to…). Retrying changes nothing.
	Refused
)

func (f Fault) String() string {
	switch f {
	case Temporary:
		return "temporary"
	case Ours:
		return "ours"
	case Refused:
		return "refused"
	}
	return fmt.Sprintf("Fault(%d)", int(f))
}

// Error is a request that did not succeed: the HTTP status when there was
// one, the start of the body the service answered, and whose fault it is.
type Error struct {
	URL    string
	Status int    // 0: no answer (Err says why)
	Body   string // the first 500 bytes of the answer, for the operator
	Fault  Fault
	Err    error
}

func (e *Error) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("webhook %s: %v", e.URL, e.Err)
	}
	msg := fmt.Sprintf("webhook %s: %d %s", e.URL, e.Status, http.StatusText(e.Status))
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// FaultOf says whose fault err is; an error that is not an *Error (a
// context cancelled) is Temporary.
func FaultOf(err error) Fault {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Fault
	}
	return Temporary
}

// faultOf classifies an HTTP status that is not 2xx.
func faultOf(status int) Fault {
	switch {
	case status == http.StatusUnauthorized, status == http.StatusForbidden, status == http.StatusNotFound,
		status == http.StatusMethodNotAllowed, status == http.StatusProxyAuthRequired:
		return Ours
	case status == http.StatusRequestTimeout, status == http.StatusConflict, status == http.StatusTooEarly,
		status == http.StatusTooManyRequests, status >= 500, status < 400:
		return Temporary
	}
	return Refused
}

// Client sends signed POSTs to one URL.
type Client struct {
	URL    string
	Secret []byte
	HTTP   *http.Client // its Timeout bounds a request; nil: http.DefaultClient with Timeout
	// Timeout bounds one request when HTTP is nil [30s].
	Timeout time.Duration
	Clock   clock.Clock // dates the signature
}

// Reply is a 2xx answer.
type Reply struct {
	Status int
	Body   []byte // at most 1 MiB
}

// maxReply caps what is read of an answer.
const maxReply = 1 << 20

// Post sends body as JSON, signed, with key as its Idempotency-Key. Any 2xx
// is success; anything else is an *Error (see FaultOf).
func (c *Client) Post(ctx context.Context, key string, body []byte) (Reply, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return Reply{}, &Error{URL: c.URL, Fault: Ours, Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "relance")
	req.Header.Set(IdempotencyHeader, key)
	req.Header.Set(SignatureHeader, Sign(c.Secret, c.Clock.Now(), body))
	resp, err := c.client().Do(req)
	if err != nil {
		return Reply{}, &Error{URL: c.URL, Fault: Temporary, Err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if err != nil {
			// The service took the request; what it said is lost. The
			// caller retries with the same key and reads it then.
			return Reply{}, &Error{URL: c.URL, Status: resp.StatusCode, Fault: Temporary, Err: fmt.Errorf("reading the answer: %w", err)}
		}
		return Reply{Status: resp.StatusCode, Body: data}, nil
	}
	snippet := strings.TrimSpace(string(data[:min(len(data), 500)]))
	return Reply{}, &Error{URL: c.URL, Status: resp.StatusCode, Body: snippet, Fault: faultOf(resp.StatusCode)}
}

func (c *Client) client() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	t := c.Timeout
	if t <= 0 {
		t = 30 * time.Second
	}
	return &http.Client{Timeout: t}
}
