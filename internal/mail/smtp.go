package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
	gosmtp "github.com/wneessen/go-mail/smtp"
	"golang.org/x/time/rate"

	"github.com/relance/relance/internal/clock"
)

// SMTPConfig is the SMTP transport's configuration, as in config.SMTP.
type SMTPConfig struct {
	Host string
	Port int
	// TLS is "starttls" (STARTTLS required), "implicit" (TLS from the
	// first byte, usually port 465) or "none" (plain text: a local relay or
	// a test server only).
	TLS string
	// Username, when set, makes every connection authenticate with the best
	// mechanism the server offers (SCRAM, CRAM-MD5, PLAIN, LOGIN). With TLS
	// "none" the password then crosses the network in clear.
	Username string
	Password string
	// PoolSize is how many connections are kept open and used concurrently;
	// at most PoolSize messages are in flight at once. Minimum 1.
	PoolSize int
	// RatePerMinute caps messages handed to the server per minute, spread
	// evenly (no burst); 0 means unlimited.
	RatePerMinute int
	// Timeout bounds dialing and each SMTP command; 0 means 30 seconds.
	Timeout time.Duration
	// TLSConfig overrides the TLS settings (e.g. a private CA); nil means
	// the system roots and ServerName = Host.
	TLSConfig *tls.Config
}

// ErrClosed is returned by Send after Close.
var ErrClosed = errors.New("mail transport closed")

// SMTP sends through an SMTP relay over a pool of reusable connections. It
// is safe for concurrent use: a go-mail connection serves one message at a
// time, so each Send takes a connection from the pool, dialing it if needed,
// and gives it back. A connection that failed is closed and redialed on next
// use; a pooled connection the server closed while idle is redialed
// transparently.
type SMTP struct {
	client  *gomail.Client // settings shared by every connection
	clock   clock.Clock
	limiter *rate.Limiter       // nil: unlimited
	slots   chan *gosmtp.Client // PoolSize entries; nil is a slot not dialed yet
	closed  chan struct{}
	once    sync.Once
}

// NewSMTP checks cfg and returns a transport. It does not connect: the
// first Send does. Messages are dated by clk.
func NewSMTP(cfg SMTPConfig, clk clock.Clock) (*SMTP, error) {
	if cfg.Host == "" {
		return nil, errors.New("smtp: no host")
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		return nil, fmt.Errorf("smtp: port %d: want 1-65535", cfg.Port)
	}
	if cfg.PoolSize < 1 {
		return nil, fmt.Errorf("smtp: pool size %d: want at least 1", cfg.PoolSize)
	}
	if cfg.RatePerMinute < 0 {
		return nil, fmt.Errorf("smtp: rate %d per minute: must not be negative", cfg.RatePerMinute)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	opts := []gomail.Option{gomail.WithPort(cfg.Port), gomail.WithTimeout(cfg.Timeout)}
	switch cfg.TLS {
	case "starttls":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case "implicit":
		opts = append(opts, gomail.WithSSL(), gomail.WithTLSPolicy(gomail.NoTLS))
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		return nil, fmt.Errorf("smtp: tls %q: want starttls, implicit or none", cfg.TLS)
	}
	if cfg.TLSConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(cfg.TLSConfig))
	}
	if cfg.Username != "" {
		opts = append(opts, gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
		if cfg.TLS == "none" {
			// go-mail refuses PLAIN and LOGIN on a clear connection unless
			// told; tls: none is an explicit choice (a relay on localhost or
			// a private network), so allow them after the challenge-based
			// mechanisms.
			opts = append(opts, gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthSCRAMSHA256, gomail.SMTPAuthSCRAMSHA1,
				gomail.SMTPAuthCramMD5, gomail.SMTPAuthPlainNoEnc, gomail.SMTPAuthLoginNoEnc))
		} else {
			opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover))
		}
	}
	client, err := gomail.NewClient(cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp: %w", err)
	}
	s := &SMTP{client: client, clock: clk, slots: make(chan *gosmtp.Client, cfg.PoolSize), closed: make(chan struct{})}
	for range cfg.PoolSize {
		s.slots <- nil
	}
	if cfg.RatePerMinute > 0 {
		s.limiter = rate.NewLimiter(rate.Every(time.Minute/time.Duration(cfg.RatePerMinute)), 1)
	}
	return s, nil
}

// Send delivers m to the relay: it returns nil once the server accepted the
// message (250 after DATA). It waits for the rate limit, for a free
// connection and for dialing, all bounded by ctx; once the SMTP transaction
// has started, each command is bounded by SMTPConfig.Timeout instead, so
// that a message is never cut off half-sent by a cancellation. Errors are
// *Error; see IsPermanent.
//
// A recipient refused on RCPT TO (To or Bcc alike) fails the whole message,
// as go-mail does: a misconfigured Bcc address makes every reminder fail
// permanently, which the error names.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	fail := func(op string, err error, code int, permanent bool) error {
		return &Error{Op: op, MessageID: m.MessageID, Recipients: recipients(m), Code: code, Permanent: permanent, Err: err}
	}
	msg, err := build(m, s.clock.Now())
	if err != nil {
		return fail("build", err, 0, true)
	}
	if s.limiter != nil {
		if err := s.limiter.Wait(ctx); err != nil {
			return fail("rate limit", err, 0, false)
		}
	}
	var conn *gosmtp.Client
	select {
	case <-s.closed:
		return fail("send", ErrClosed, 0, false)
	case conn = <-s.slots:
	case <-ctx.Done():
		return fail("waiting for a connection", ctx.Err(), 0, false)
	}
	defer func() { s.slots <- conn }()

	for attempt := 0; ; attempt++ {
		if conn == nil {
			if conn, err = s.client.DialToSMTPClientWithContext(ctx); err != nil {
				conn = nil
				// A failed dial or login affects every message: retrying
				// later is the only sensible thing, whatever the code.
				code, _ := classifySend(err)
				return fail("dial", err, code, false)
			}
		}
		err = s.client.SendWithSMTPClient(conn, msg)
		if err == nil {
			return nil
		}
		// After any failure the connection's state is unknown: drop it.
		_ = conn.Close()
		conn = nil
		var se *gomail.SendError
		if attempt == 0 && errors.As(err, &se) && se.Reason == gomail.ErrConnCheck {
			continue // an idle connection the server had closed: nothing was sent yet
		}
		code, permanent := classifySend(err)
		return fail("send", err, code, permanent)
	}
}

// Close quits every open connection after the sends in flight finish. Send
// then returns ErrClosed.
func (s *SMTP) Close() error {
	var errs []error
	s.once.Do(func() {
		close(s.closed)
		for range cap(s.slots) {
			if conn := <-s.slots; conn != nil {
				if err := s.client.CloseWithSMTPClient(conn); err != nil {
					errs = append(errs, err)
				}
			}
		}
	})
	return errors.Join(errs...)
}
