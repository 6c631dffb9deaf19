// Package smtptest runs a real SMTP server inside a test, on 127.0.0.1 over
// TCP, built on github.com/emersion/go-smtp. It records every message it
// accepts and can be told to fail in the ways real servers fail, so that
// senders are tested against the protocol and not against a mock.
//
// Typical use:
//
//	srv := smtptest.Start(t)                  // closed by t.Cleanup
//	srv.FailNext(smtptest.PhaseMail, 1, 421, "try again later")
//	srv.RejectRecipient("gone@example.com", 550)
//	… send to srv.Host:srv.Port with no TLS …
//	msgs := srv.Messages()                    // accepted messages, in order
//
// Failures are injected server-side, in the SMTP dialogue, per stage and per
// recipient: a 421 or a 554 in the greeting, a 535 on AUTH, a 553 on MAIL
// FROM, a 550 on RCPT TO for one address, a 451 after DATA, a connection
// closed in the middle of DATA, a failed TLS handshake, an outage (every
// connection dropped) until Recover, and a fixed latency on every reply. The
// server accepts any sender and recipient unless told otherwise, offers no
// TLS unless started with StartTLS, and offers AUTH PLAIN only after
// RequireAuth.
//
// Every method is safe for concurrent use, including while clients send.
package smtptest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Phase is the SMTP command a failure is injected at.
type Phase int

// The phases of a mail transaction.
const (
	PhaseMail     Phase = iota // MAIL FROM
	PhaseRcpt                  // RCPT TO (each recipient counts once)
	PhaseData                  // DATA: the message is read, then refused and not stored
	PhaseGreeting              // the server's first reply, on connection; the connection is then closed
	PhaseAuth                  // AUTH (only offered after RequireAuth)
)

func (p Phase) String() string {
	switch p {
	case PhaseMail:
		return "MAIL"
	case PhaseRcpt:
		return "RCPT"
	case PhaseData:
		return "DATA"
	case PhaseGreeting:
		return "greeting"
	case PhaseAuth:
		return "AUTH"
	}
	return fmt.Sprintf("Phase(%d)", int(p))
}

// Message is one message the server accepted (250 after DATA).
type Message struct {
	TLS    bool        // whether the session was encrypted (STARTTLS or implicit TLS)
	From   string      // envelope sender (MAIL FROM)
	To     []string    // envelope recipients (RCPT TO), Bcc included
	Data   []byte      // the raw message as received, CRLF line endings
	Header mail.Header // Data's header parsed by net/mail; nil if it did not parse
	// At is when the server accepted it (250 after DATA).
	At time.Time
	// Ready is when the server read the client's command before MAIL FROM
	// on this connection (the end of the previous message's DATA or a RSET
	// on a pooled connection, EHLO or AUTH on a new one): whatever the
	// client did between then and MAIL FROM, it did after Ready.
	Ready time.Time
}

// Server is a running SMTP server. Its zero value is not usable: call Start.
type Server struct {
	Addr string // "127.0.0.1:PORT"
	Host string // "127.0.0.1"
	Port int

	smtp      *smtp.Server
	clientTLS *tls.Config
	certPEM   []byte

	mu         sync.Mutex
	messages   []Message
	failures   map[Phase][]injected
	always     map[Phase]*injected // FailEvery: until Recover
	drops      map[Phase]int
	rejected   map[string]int        // lower-cased recipient → code, until the test ends
	rcptFails  map[string][]injected // lower-cased recipient → queued failures
	down       bool                  // Down: every connection is closed at once
	tlsFails   int                   // TLS handshakes still to fail
	latency    time.Duration
	sessions   int
	open       map[*smtp.Conn]bool
	username   string
	password   string
	injections int // failures, drops and refused connections so far
}

type injected struct {
	code int
	msg  string
}

// Start listens on 127.0.0.1:0, in plain text (no STARTTLS offered), and
// serves until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	return start(t, "")
}

// StartTLS is Start with TLS, using a self-signed certificate for
// 127.0.0.1 that ClientTLSConfig trusts. With implicit false the server
// offers STARTTLS (port 587 style); with implicit true it speaks TLS from
// the first byte (port 465 style).
func StartTLS(t testing.TB, implicit bool) *Server {
	t.Helper()
	if implicit {
		return start(t, "implicit")
	}
	return start(t, "starttls")
}

// ClientTLSConfig returns a TLS configuration trusting the server's
// certificate, for the client under test; nil for a plain-text server.
func (s *Server) ClientTLSConfig() *tls.Config {
	if s.clientTLS == nil {
		return nil
	}
	return s.clientTLS.Clone()
}

func start(t testing.TB, mode string) *Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtptest: listen: %v", err)
	}
	var serverTLS, clientTLS *tls.Config
	var certPEM []byte
	if mode != "" {
		serverTLS, clientTLS, certPEM, err = selfSigned()
		if err != nil {
			t.Fatalf("smtptest: certificate: %v", err)
		}
	}
	addr := l.Addr().(*net.TCPAddr)
	s := &Server{
		Addr:      addr.String(),
		Host:      addr.IP.String(),
		Port:      addr.Port,
		failures:  map[Phase][]injected{},
		always:    map[Phase]*injected{},
		drops:     map[Phase]int{},
		rejected:  map[string]int{},
		rcptFails: map[string][]injected{},
		open:      map[*smtp.Conn]bool{},
	}
	if serverTLS != nil {
		// A handshake fails while FailTLSNext has some to fail.
		base := serverTLS
		serverTLS = &tls.Config{MinVersion: tls.VersionTLS12, GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			if s.takeTLSFailure() {
				return nil, errTLSInjected
			}
			return base, nil
		}}
	}
	// Greeting failures and outages are decided when a connection is
	// accepted, before go-smtp greets.
	l = &gate{Listener: l, srv: s}
	if mode == "implicit" {
		l = tls.NewListener(l, serverTLS)
	}
	s.clientTLS, s.certPEM = clientTLS, certPEM
	s.smtp = smtp.NewServer(smtp.BackendFunc(s.newSession))
	if mode == "starttls" {
		s.smtp.TLSConfig = serverTLS
	}
	s.smtp.Domain = "smtptest.localhost"
	s.smtp.AllowInsecureAuth = true
	s.smtp.MaxRecipients = 100
	s.smtp.ErrorLog = discardLogger{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.smtp.Serve(l) // returns when closed
	}()
	t.Cleanup(func() {
		_ = s.smtp.Close()
		// Close only closes listeners Serve has registered; a test that
		// ends before the goroutine ran would leave it in Accept.
		_ = l.Close()
		<-done
	})
	return s
}

// CertPEM returns the server's self-signed certificate in PEM, for a client
// in another process (SSL_CERT_FILE); nil for a plain-text server.
func (s *Server) CertPEM() []byte { return s.certPEM }

// selfSigned makes an ECDSA certificate for 127.0.0.1 and the client
// configuration that trusts it.
func selfSigned() (server, client *tls.Config, certPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "smtptest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}}, MinVersion: tls.VersionTLS12}
	client = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
	return server, client, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}
func (discardLogger) Println(...any)        {}

// FailNext makes the next n commands of phase fail with the SMTP reply code
// and text, e.g. FailNext(PhaseMail, 1, 421, "busy"). A 4xx code is a
// temporary failure, a 5xx a permanent one. Calls accumulate: each queued
// failure is used once, in order.
func (s *Server) FailNext(phase Phase, n int, code int, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failures[phase] = append(s.failures[phase], injected{code, msg})
	}
}

// FailEvery makes every command of phase fail with code and msg until
// Recover: a relay that refuses our sender (553 on MAIL FROM), or a long
// 421 outage in the greeting.
func (s *Server) FailEvery(phase Phase, code int, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.always[phase] = &injected{code, msg}
}

// FailRecipientNext makes the next n RCPT TO for addr (compared ignoring
// case) fail with code and msg; other recipients are unaffected.
func (s *Server) FailRecipientNext(addr string, n int, code int, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := strings.ToLower(addr)
	for range n {
		s.rcptFails[k] = append(s.rcptFails[k], injected{code, msg})
	}
}

// Down starts an outage: every new connection is closed at once, before the
// greeting, and open ones are closed. Recover ends it.
func (s *Server) Down() {
	s.mu.Lock()
	s.down = true
	s.mu.Unlock()
	s.CloseConnections()
}

// Recover ends an outage (Down) and every FailEvery, and forgets queued
// failures and drops. Rejected recipients stay rejected.
func (s *Server) Recover() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = false
	s.always = map[Phase]*injected{}
	s.failures = map[Phase][]injected{}
	s.drops = map[Phase]int{}
	s.rcptFails = map[string][]injected{}
	s.tlsFails = 0
}

// FailTLSNext makes the next n TLS handshakes fail (the server aborts
// them), on a server started with StartTLS.
func (s *Server) FailTLSNext(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tlsFails += n
}

// SetLatency delays every reply to EHLO, AUTH, MAIL, RCPT and DATA by d, as
// a relay across a network would.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency = d
}

// Injected returns how many failures, drops and refused connections the
// server has produced so far.
func (s *Server) Injected() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.injections
}

// DropNext makes the server close the TCP connection, without any reply,
// the next time a client reaches phase. At PhaseData the message is read in
// full first and is not stored: the client sees a dropped connection after
// sending everything, the case where it cannot know whether the message went.
func (s *Server) DropNext(phase Phase) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drops[phase]++
}

// RejectRecipient makes every RCPT TO for addr (compared ignoring case) fail
// with code, until the test ends. Other recipients are unaffected.
func (s *Server) RejectRecipient(addr string, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejected[strings.ToLower(addr)] = code
}

// RequireAuth makes the server offer AUTH PLAIN and refuse MAIL FROM (530)
// on connections that have not authenticated as username/password.
func (s *Server) RequireAuth(username, password string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.username, s.password = username, password
}

// CloseConnections closes every open client connection at once, as a
// server does with idle connections after its timeout or on restart. The
// server keeps listening.
func (s *Server) CloseConnections() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.open {
		_ = c.Conn().Close()
		delete(s.open, c)
	}
}

// Messages returns a copy of the messages accepted so far, in the order
// their DATA completed.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.messages))
	copy(out, s.messages)
	return out
}

// Sessions returns how many SMTP connections have been opened so far, to
// check that a client reuses or redials connections.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	s.mu.Lock()
	s.sessions++
	s.open[c] = true
	s.mu.Unlock()
	s.wait()
	se := &session{srv: s, conn: c}
	if tc, ok := c.Conn().(*tracedConn); ok {
		se.traced = tc
	} else if tc, ok := netConnOf(c.Conn()); ok {
		se.traced = tc
	}
	return se, nil
}

// netConnOf finds the tracedConn under an implicit-TLS connection.
func netConnOf(c net.Conn) (*tracedConn, bool) {
	if t, ok := c.(*tls.Conn); ok {
		tc, ok := t.NetConn().(*tracedConn)
		return tc, ok
	}
	return nil, false
}

// wait sleeps for the configured latency.
func (s *Server) wait() {
	s.mu.Lock()
	d := s.latency
	s.mu.Unlock()
	if d > 0 {
		time.Sleep(d)
	}
}

// take consumes the next injected failure or drop for phase.
func (s *Server) take(phase Phase) (fail *injected, drop bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.drops[phase] > 0 {
		s.drops[phase]--
		s.injections++
		return nil, true
	}
	if q := s.failures[phase]; len(q) > 0 {
		s.failures[phase] = q[1:]
		s.injections++
		return &q[0], false
	}
	if f := s.always[phase]; f != nil {
		s.injections++
		return f, false
	}
	return nil, false
}

// takeRecipient consumes the next queued failure for one recipient, or
// returns its permanent rejection code (RejectRecipient).
func (s *Server) takeRecipient(to string) *injected {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := strings.ToLower(to)
	if q := s.rcptFails[k]; len(q) > 0 {
		s.rcptFails[k] = q[1:]
		s.injections++
		return &q[0]
	}
	if code := s.rejected[k]; code != 0 {
		s.injections++
		return &injected{code, "recipient rejected: " + to}
	}
	return nil
}

func (s *Server) takeTLSFailure() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tlsFails > 0 {
		s.tlsFails--
		s.injections++
		return true
	}
	return false
}

// errTLSInjected aborts a handshake FailTLSNext asked to fail.
var errTLSInjected = errors.New("smtptest: injected TLS handshake failure")

// gate accepts connections for go-smtp, except during an outage (closed at
// once) and when a greeting failure is queued (the failure is written as the
// greeting, then the connection is closed).
type gate struct {
	net.Listener
	srv *Server
}

func (g *gate) Accept() (net.Conn, error) {
	for {
		c, err := g.Listener.Accept()
		if err != nil {
			return nil, err
		}
		g.srv.mu.Lock()
		down := g.srv.down
		if down {
			g.srv.injections++
		}
		g.srv.mu.Unlock()
		if down {
			_ = c.Close()
			continue
		}
		if fail, drop := g.srv.take(PhaseGreeting); drop || fail != nil {
			if fail != nil {
				_ = c.SetWriteDeadline(time.Now().Add(time.Second))
				_, _ = fmt.Fprintf(c, "%d %s\r\n", fail.code, fail.msg)
			}
			_ = c.Close()
			continue
		}
		return &tracedConn{Conn: c}, nil
	}
}

// tracedConn notes when the client's last two commands were read: the
// client waits for each reply, so each read is one command.
type tracedConn struct {
	net.Conn
	mu         sync.Mutex
	prev, last time.Time
}

func (c *tracedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		now := time.Now()
		c.mu.Lock()
		c.prev, c.last = c.last, now
		c.mu.Unlock()
	}
	return n, err
}

// beforeLast is when the command before the last one read was read.
func (c *tracedConn) beforeLast() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.prev
}

// errDropped is returned after closing the connection; go-smtp cannot write
// it anywhere, which is the point.
var errDropped = errors.New("smtptest: connection dropped")

type session struct {
	srv    *Server
	conn   *smtp.Conn
	traced *tracedConn // nil if the connection could not be traced
	authed bool
	from   string
	to     []string
	ready  time.Time // see Message.Ready
}

var _ smtp.AuthSession = (*session)(nil)

func (se *session) inject(phase Phase) error {
	fail, drop := se.srv.take(phase)
	if drop {
		_ = se.conn.Conn().Close()
		return errDropped
	}
	if fail != nil {
		return &smtp.SMTPError{Code: fail.code, EnhancedCode: smtp.EnhancedCodeNotSet, Message: fail.msg}
	}
	return nil
}

func (se *session) AuthMechanisms() []string {
	se.srv.mu.Lock()
	defer se.srv.mu.Unlock()
	if se.srv.username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (se *session) Auth(mech string) (sasl.Server, error) {
	se.srv.wait()
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	if err := se.inject(PhaseAuth); err != nil {
		return nil, err
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		se.srv.mu.Lock()
		ok := username == se.srv.username && password == se.srv.password
		se.srv.mu.Unlock()
		if !ok {
			return smtp.ErrAuthFailed
		}
		se.authed = true
		return nil
	}), nil
}

func (se *session) Mail(from string, _ *smtp.MailOptions) error {
	se.srv.mu.Lock()
	needAuth := se.srv.username != "" && !se.authed
	se.srv.mu.Unlock()
	se.srv.wait()
	if needAuth {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	if se.from != "" {
		// As Postfix answers: a client must end or reset (RSET) one
		// transaction before it opens the next.
		return &smtp.SMTPError{Code: 503, EnhancedCode: smtp.EnhancedCode{5, 5, 1}, Message: "Error: nested MAIL command"}
	}
	if err := se.inject(PhaseMail); err != nil {
		return err
	}
	se.from = from
	if se.traced != nil {
		se.ready = se.traced.beforeLast()
	}
	return nil
}

func (se *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	se.srv.wait()
	if err := se.inject(PhaseRcpt); err != nil {
		return err
	}
	if f := se.srv.takeRecipient(to); f != nil {
		return &smtp.SMTPError{Code: f.code, EnhancedCode: smtp.EnhancedCodeNotSet, Message: f.msg}
	}
	se.to = append(se.to, to)
	return nil
}

func (se *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	se.srv.wait()
	if err := se.inject(PhaseData); err != nil {
		return err
	}
	_, encrypted := se.conn.TLSConnectionState()
	m := Message{TLS: encrypted, From: se.from, To: append([]string(nil), se.to...), Data: data, At: time.Now(), Ready: se.ready}
	if parsed, err := mail.ReadMessage(bytes.NewReader(data)); err == nil {
		m.Header = parsed.Header
	}
	se.srv.mu.Lock()
	se.srv.messages = append(se.srv.messages, m)
	se.srv.mu.Unlock()
	return nil
}

func (se *session) Reset() {
	se.from, se.to = "", nil
}

func (se *session) Logout() error {
	se.srv.mu.Lock()
	delete(se.srv.open, se.conn)
	se.srv.mu.Unlock()
	return nil
}
