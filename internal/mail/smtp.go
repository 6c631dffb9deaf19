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
	timeout time.Duration       // bounds each command
	// noPipelining keeps to one command a round trip even with a relay
	// that offers PIPELINING (tests of the dialogue).
	noPipelining bool
	closed       chan struct{}
	once         sync.Once
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
	s := &SMTP{client: client, clock: clk, slots: make(chan *gosmtp.Client, cfg.PoolSize), timeout: cfg.Timeout, closed: make(chan struct{})}
	for range cfg.PoolSize {
		s.slots <- nil
	}
	if cfg.RatePerMinute > 0 {
		s.limiter = rate.NewLimiter(rate.Every(time.Minute/time.Duration(cfg.RatePerMinute)), 1)
	}
	return s, nil
}

// Conn is one connection to the relay, taken by Acquire, for one or more
// messages in a row. It is not safe for concurrent use.
type Conn interface {
	// Send delivers m over the connection: nil once the relay accepted it
	// (250 after DATA). Errors are *Error; see FaultOf.
	Send(ctx context.Context, m Message) error
	// Release gives the connection back to its transport. It is safe to
	// call more than once.
	Release()
}

// Acquire takes a connection from the pool: it waits for the rate limit and
// a free connection, and dials a new one if the pool has none, all bounded
// by ctx. A pooled connection is not checked here: a NOOP per message is
// one more round trip to the relay than the message needs, and a
// connection the server closed while idle is found by the transaction's
// first command and redialed then (see smtpConn.mail). The send worker
// acquires before it locks and re-checks its ledger rows, so that the time
// between the re-check and the relay's acceptance is one SMTP transaction,
// not a wait for the pool. Errors are *Error at StageConnect.
func (s *SMTP) Acquire(ctx context.Context) (Conn, error) {
	fail := func(err error, code int, f Fault) error {
		return &Error{Stage: StageConnect, Code: code, Fault: f, Err: err}
	}
	if s.limiter != nil {
		if err := s.limiter.Wait(ctx); err != nil {
			return nil, fail(fmt.Errorf("rate limit: %w", err), 0, Temporary)
		}
	}
	var conn *gosmtp.Client
	select {
	case <-s.closed:
		return nil, fail(ErrClosed, 0, Temporary)
	case conn = <-s.slots:
	case <-ctx.Done():
		return nil, fail(fmt.Errorf("waiting for a connection: %w", ctx.Err()), 0, Temporary)
	}
	c := &smtpConn{s: s, conn: conn, reused: conn != nil}
	if conn == nil {
		if err := c.dial(ctx); err != nil {
			c.Release()
			return nil, err
		}
	}
	return c, nil
}

// Send delivers m to the relay over a connection of the pool: Acquire, then
// Conn.Send, then Release. A message that cannot be built fails before any
// connection is taken. Errors are *Error; see FaultOf.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg, err := build(m, s.clock.Now())
	if err != nil {
		return buildError(m, err)
	}
	c, err := s.Acquire(ctx)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.MessageID, e.Recipients = m.MessageID, recipients(m)
		}
		return err
	}
	defer c.Release()
	return c.(*smtpConn).transact(ctx, m, msg)
}

// smtpConn is a pooled connection on loan.
type smtpConn struct {
	s        *SMTP
	conn     *gosmtp.Client // nil once dropped: the next use redials
	reused   bool           // taken from the pool, not yet proven alive by a reply
	released bool
}

// dial opens a new connection.
func (c *smtpConn) dial(ctx context.Context) error {
	conn, err := c.s.client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		code := replyCode(err)
		return &Error{Stage: StageConnect, Code: code, Fault: connectFault(err, code), Err: err}
	}
	c.conn, c.reused = conn, false
	return nil
}

// drop closes a connection whose state is unknown after a failure.
func (c *smtpConn) drop() {
	if c.conn != nil {
		_ = c.conn.Close()
		c.conn = nil
	}
}

// Send runs one SMTP transaction: MAIL FROM, RCPT TO for each recipient,
// DATA. Each command is bounded by SMTPConfig.Timeout rather than ctx, so a
// message is never cut off half-sent by a cancellation. go-mail's own
// transaction reports the stage that failed but not which recipient was
// refused; this one does it command by command on go-mail's SMTP client to
// say whether a refused address was the addressee's (To) or our own copy's
// (Bcc). Every recipient is tried, so one error names each refusal's fault
// by the worst of them: a refused Bcc is ours even if a To was refused too.
func (c *smtpConn) Send(ctx context.Context, m Message) error {
	msg, err := build(m, c.s.clock.Now())
	if err != nil {
		return buildError(m, err)
	}
	return c.transact(ctx, m, msg)
}

// transact is Send once the message is built.
func (c *smtpConn) transact(ctx context.Context, m Message, msg *gomail.Msg) error {
	fail := func(stage Stage, rcpt string, err error, f Fault) *Error {
		return &Error{Stage: stage, MessageID: m.MessageID, Recipients: recipients(m), Recipient: rcpt,
			Code: replyCode(err), Fault: f, Err: err}
	}
	from, err := msg.GetSender(false)
	if err != nil {
		return fail(StageBuild, "", err, Unsendable)
	}
	if c.pipelining() {
		return c.transactPipelined(ctx, m, msg, from, fail)
	}
	if err := c.mail(ctx, from); err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.MessageID, e.Recipients = m.MessageID, recipients(m)
			return e
		}
		return c.abort(fail(StageMail, "", err, bySender(err)))
	}
	var refused *Error
	for _, r := range envelope(msg) {
		err := c.conn.Rcpt(r.addr)
		if err == nil {
			continue
		}
		f, gone := rcptFault(r, err)
		if gone {
			return c.abort(fail(StageRcpt, r.addr, err, Temporary))
		}
		if refused == nil || f > refused.Fault {
			refused = fail(StageRcpt, r.addr, err, f)
		}
	}
	if refused != nil {
		return c.abort(refused)
	}
	w, err := c.conn.Data()
	if err != nil {
		return c.abort(fail(StageData, "", err, bySender(err)))
	}
	if _, err := msg.WriteTo(w); err != nil {
		_ = w.Close()
		return c.abort(fail(StageData, "", err, Temporary))
	}
	if err := w.Close(); err != nil {
		return c.abort(fail(StageData, "", err, bySender(err)))
	}
	return nil
}

// mail opens the transaction (MAIL FROM) on the connection, dialing one if
// there is none. A pooled connection the server closed while idle fails
// here without a reply, or with 421 (closing); nothing of the message was
// sent, so it is dropped and the command tried once more on a new
// connection. The connection's own failures (a dial, a deadline) are
// *Error at StageConnect.
func (c *smtpConn) mail(ctx context.Context, from string) error {
	if err := c.open(ctx); err != nil {
		return err
	}
	err := c.conn.Mail(from)
	if err == nil || !c.reused {
		c.reused = false
		return err
	}
	if code := replyCode(err); code != 0 && code != 421 {
		return err
	}
	c.drop()
	if err := c.open(ctx); err != nil {
		return err
	}
	return c.conn.Mail(from)
}

// open dials a connection if there is none and sets its deadline.
func (c *smtpConn) open(ctx context.Context) error {
	if c.conn == nil {
		if err := c.dial(ctx); err != nil {
			return err
		}
	}
	if err := c.conn.UpdateDeadline(c.s.timeout); err != nil {
		c.drop()
		return &Error{Stage: StageConnect, Fault: Temporary, Err: err}
	}
	return nil
}

// abort resets the transaction after a refusal, or drops the connection
// when it did not answer; it returns err.
func (c *smtpConn) abort(err *Error) error {
	if err.Code == 0 || c.conn.Reset() != nil {
		c.drop()
	}
	return err
}

// bySender is the fault of a failed MAIL FROM or DATA: a 5xx is our
// configuration or our relay, the rest temporary.
func bySender(err error) Fault {
	if code := replyCode(err); code >= 500 && code < 600 {
		return SenderRefused
	}
	return Temporary
}

// rcptFault is whose fault a refused RCPT TO is: a 5xx is the addressee's,
// or ours for our own copy (Bcc); a 4xx is temporary; gone is a connection
// that failed without a reply.
func rcptFault(r rcpt, err error) (f Fault, gone bool) {
	switch code := replyCode(err); {
	case code >= 500 && code < 600:
		if r.bcc {
			return SenderRefused, false // our own copy's address: our configuration
		}
		return RecipientRefused, false
	case code == 0:
		return Temporary, true
	}
	return Temporary, false
}

type rcpt struct {
	addr string // as RCPT TO takes it, <local@domain>
	bcc  bool
}

// envelope lists the message's envelope recipients as go-mail's own
// transaction would, To then Bcc.
func envelope(msg *gomail.Msg) []rcpt {
	var out []rcpt
	for _, a := range msg.GetTo() {
		out = append(out, rcpt{addr: "<" + a.Address + ">"})
	}
	for _, a := range msg.GetBcc() {
		out = append(out, rcpt{addr: "<" + a.Address + ">", bcc: true})
	}
	return out
}

// Release gives the connection back to the pool.
func (c *smtpConn) Release() {
	if c.released {
		return
	}
	c.released = true
	c.s.slots <- c.conn
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
