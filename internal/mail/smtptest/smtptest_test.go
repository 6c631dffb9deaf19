package smtptest_test

import (
	"errors"
	"net/smtp"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/relance/relance/internal/mail/smtptest"
)

func send(srv *smtptest.Server, to ...string) error {
	return smtp.SendMail(srv.Addr, nil, "a@x.example", to, []byte("Subject: hi\r\nMessage-ID: <1@x>\r\n\r\nbody\r\n"))
}

func code(err error) int {
	var tp *textproto.Error
	if errors.As(err, &tp) {
		return tp.Code
	}
	return 0
}

// The server is exercised by net/smtp here, independently of relance's
// client, so that a bug in one cannot hide a bug in the other.
func TestServerRecordsAndInjects(t *testing.T) {
	srv := smtptest.Start(t)
	if err := send(srv, "b@y.example", "c@y.example"); err != nil {
		t.Fatal(err)
	}
	srv.FailNext(smtptest.PhaseMail, 2, 421, "busy")
	if c := code(send(srv, "b@y.example")); c != 421 {
		t.Errorf("first injected failure: code %d", c)
	}
	if c := code(send(srv, "b@y.example")); c != 421 {
		t.Errorf("second injected failure: code %d", c)
	}
	srv.RejectRecipient("B@Y.example", 550)
	if c := code(send(srv, "b@y.example")); c != 550 {
		t.Errorf("rejected recipient: code %d", c)
	}
	srv.FailNext(smtptest.PhaseData, 1, 554, "no")
	if c := code(send(srv, "c@y.example")); c != 554 {
		t.Errorf("DATA failure: code %d", c)
	}
	srv.DropNext(smtptest.PhaseRcpt)
	if err := send(srv, "c@y.example"); err == nil {
		t.Error("dropped connection: no error")
	}
	if err := send(srv, "c@y.example"); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want 2", len(msgs))
	}
	if m := msgs[0]; m.From != "a@x.example" || strings.Join(m.To, ",") != "b@y.example,c@y.example" ||
		m.Header.Get("Subject") != "hi" || !strings.HasSuffix(string(m.Data), "body\r\n") {
		t.Errorf("first message %+v", m)
	}
	if s := srv.Sessions(); s != 7 {
		t.Errorf("%d sessions, want 7", s)
	}
}

func TestServerAuth(t *testing.T) {
	srv := smtptest.Start(t)
	srv.RequireAuth("u", "p")
	if c := code(send(srv, "b@y.example")); c != 530 {
		t.Errorf("unauthenticated MAIL: code %d, want 530", c)
	}
	// net/smtp sends PLAIN to localhost without TLS.
	auth := smtp.PlainAuth("", "u", "p", "127.0.0.1")
	if err := smtp.SendMail(srv.Addr, auth, "a@x.example", []string{"b@y.example"}, []byte("Subject: x\r\n\r\nx\r\n")); err != nil {
		t.Fatal(err)
	}
	bad := smtp.PlainAuth("", "u", "wrong", "127.0.0.1")
	if err := smtp.SendMail(srv.Addr, bad, "a@x.example", []string{"b@y.example"}, []byte("x")); code(err) != 535 {
		t.Errorf("wrong password: %v, want 535", err)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
}

// TestServerFailsPerStageAndRecipient exercises the injections a fault test
// needs, through net/smtp: the greeting, AUTH, one recipient among others,
// a failure until Recover, an outage.
func TestServerFailsPerStageAndRecipient(t *testing.T) {
	srv := smtptest.Start(t)
	srv.FailNext(smtptest.PhaseGreeting, 1, 421, "closing")
	if c := code(send(srv, "b@y.example")); c != 421 {
		t.Errorf("greeting: code %d, want 421", c)
	}
	srv.FailRecipientNext("B@y.example", 1, 550, "no such user")
	if c := code(send(srv, "c@y.example", "b@y.example")); c != 550 {
		t.Errorf("one recipient: code %d, want 550", c)
	}
	if err := send(srv, "c@y.example", "b@y.example"); err != nil {
		t.Errorf("the recipient's failure was used once: %v", err)
	}
	srv.FailEvery(smtptest.PhaseMail, 553, "sender refused")
	for range 3 {
		if c := code(send(srv, "b@y.example")); c != 553 {
			t.Errorf("FailEvery: code %d, want 553", c)
		}
	}
	srv.Down()
	if err := send(srv, "b@y.example"); err == nil {
		t.Error("outage: the message went")
	}
	srv.Recover()
	if err := send(srv, "b@y.example"); err != nil {
		t.Errorf("after Recover: %v", err)
	}
	srv.RequireAuth("u", "p")
	srv.FailNext(smtptest.PhaseAuth, 1, 454, "auth unavailable")
	auth := smtp.PlainAuth("", "u", "p", "127.0.0.1")
	if err := smtp.SendMail(srv.Addr, auth, "a@x.example", []string{"b@y.example"}, []byte("x")); code(err) != 454 {
		t.Errorf("AUTH: %v, want 454", err)
	}
	if got := srv.Injected(); got != 7 {
		t.Errorf("%d injections counted, want 7", got)
	}
	if n := len(srv.Messages()); n != 2 {
		t.Errorf("%d messages, want 2", n)
	}
}

func TestServerFailsTLSHandshakes(t *testing.T) {
	srv := smtptest.StartTLS(t, false)
	srv.FailTLSNext(1)
	try := func() error {
		c, err := smtp.Dial(srv.Addr)
		if err != nil {
			return err
		}
		defer c.Close()
		return c.StartTLS(srv.ClientTLSConfig())
	}
	if err := try(); err == nil {
		t.Error("first handshake succeeded, want it to fail")
	}
	if err := try(); err != nil {
		t.Errorf("second handshake: %v", err)
	}
}

// TestServerNotesWhenTheClientWasReady: Message.Ready is when the command
// before MAIL FROM (here a NOOP) was read, At when DATA was accepted.
func TestServerNotesWhenTheClientWasReady(t *testing.T) {
	srv := smtptest.Start(t)
	c, err := smtp.Dial(srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("client.example"); err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	if err := c.Noop(); err != nil {
		t.Fatal(err)
	}
	after := time.Now()
	if err := c.Mail("a@x.example"); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("b@y.example"); err != nil {
		t.Fatal(err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("Subject: x\r\n\r\nx\r\n"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	done := time.Now()
	m := srv.Messages()[0]
	if m.Ready.Before(before) || m.Ready.After(after) {
		t.Errorf("Ready %v, want between %v and %v (the NOOP)", m.Ready, before, after)
	}
	if m.At.Before(after) || m.At.After(done) {
		t.Errorf("At %v, want between the NOOP and the end of DATA", m.At)
	}
}
