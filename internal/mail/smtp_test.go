package mail_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/mail"
	"github.com/relance/relance/internal/mail/smtptest"
)

var sendDate = time.Date(2025, 9, 12, 9, 30, 0, 0, time.UTC)

func newSMTP(t *testing.T, srv *smtptest.Server, pool, ratePerMinute int) *mail.SMTP {
	t.Helper()
	tr, err := mail.NewSMTP(mail.SMTPConfig{
		Host: srv.Host, Port: srv.Port, TLS: "none", PoolSize: pool, RatePerMinute: ratePerMinute,
		Timeout: 10 * time.Second,
	}, clock.Fixed(sendDate))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tr.Close() })
	return tr
}

func reminder(id string) mail.Message {
	return mail.Message{
		From:      "Compta Durand <compta@durand.example>",
		ReplyTo:   "recouvrement@durand.example",
		To:        []string{"Boulangerie Martin <ap@martin.example>"},
		Bcc:       []string{"credit@durand.example"},
		Subject:   "Rappel de paiement : facture F2025-0142 – Atelier Durand SAS",
		Text:      "Madame, Monsieur,\n\nTotal à régler : 12 000,00 €\n",
		HTML:      "<p>Madame, Monsieur,</p><p>Total à régler : <b>12 000,00 €</b></p>",
		MessageID: id,
		Headers:   map[string]string{"X-Relance-Client": "C042"},
	}
}

// parts reads a multipart/alternative body into content type → decoded text.
func parts(t *testing.T, header netmail.Header, body io.Reader) map[string]string {
	t.Helper()
	mediaType, params, err := mime.ParseMediaType(header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	if mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type %s, want multipart/alternative", mediaType)
	}
	out := map[string]string{}
	r := multipart.NewReader(body, params["boundary"])
	for {
		p, err := r.NextPart() // decodes quoted-printable
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		out[ct] = strings.ReplaceAll(string(b), "\r\n", "\n")
	}
}

func TestSMTPDeliversBothPartsAndHeaders(t *testing.T) {
	srv := smtptest.Start(t)
	tr := newSMTP(t, srv, 1, 0)
	m := reminder("r1.level1.20250912@relance.durand.example")
	if err := tr.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	if len(got) != 1 {
		t.Fatalf("%d messages received, want 1", len(got))
	}
	rcv := got[0]
	if rcv.From != "compta@durand.example" {
		t.Errorf("envelope from %q", rcv.From)
	}
	if strings.Join(rcv.To, ",") != "ap@martin.example,credit@durand.example" {
		t.Errorf("envelope to %q", rcv.To)
	}
	msg, err := netmail.ReadMessage(strings.NewReader(string(rcv.Data)))
	if err != nil {
		t.Fatal(err)
	}
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	for field, want := range map[string]string{
		"Message-Id":       "<r1.level1.20250912@relance.durand.example>",
		"Reply-To":         "<recouvrement@durand.example>",
		"X-Relance-Client": "C042",
		"Bcc":              "",
	} {
		if got := msg.Header.Get(field); got != want {
			t.Errorf("%s: %q, want %q", field, got, want)
		}
	}
	if subject != m.Subject {
		t.Errorf("Subject %q, want %q", subject, m.Subject)
	}
	if d, err := msg.Header.Date(); err != nil || !d.Equal(sendDate) {
		t.Errorf("Date %v (%v), want %v", d, err, sendDate)
	}
	if to, err := msg.Header.AddressList("To"); err != nil || len(to) != 1 || to[0].Address != "ap@martin.example" || to[0].Name != "Boulangerie Martin" {
		t.Errorf("To %v (%v)", to, err)
	}
	p := parts(t, msg.Header, msg.Body)
	if p["text/plain"] != m.Text {
		t.Errorf("text part %q, want %q", p["text/plain"], m.Text)
	}
	if p["text/html"] != m.HTML {
		t.Errorf("html part %q, want %q", p["text/html"], m.HTML)
	}
}

func TestSMTPTemporaryThenSuccess(t *testing.T) {
	srv := smtptest.Start(t)
	tr := newSMTP(t, srv, 1, 0)
	srv.FailNext(smtptest.PhaseMail, 1, 421, "too busy, try later")
	m := reminder("r2@relance.example")
	err := tr.Send(context.Background(), m)
	if err == nil {
		t.Fatal("first Send succeeded despite 421")
	}
	if mail.IsPermanent(err) {
		t.Errorf("421 classified permanent: %v", err)
	}
	var me *mail.Error
	if !errors.As(err, &me) || me.Code != 421 || !strings.Contains(err.Error(), "ap@martin.example") {
		t.Errorf("error %q lacks code 421 or the recipient", err)
	}
	if err := tr.Send(context.Background(), m); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d messages stored, want exactly 1", n)
	}
}

func TestSMTPPermanentRecipientRejection(t *testing.T) {
	srv := smtptest.Start(t)
	tr := newSMTP(t, srv, 1, 0)
	srv.RejectRecipient("ap@martin.example", 550)
	err := tr.Send(context.Background(), reminder("r3@relance.example"))
	if !mail.IsPermanent(err) {
		t.Fatalf("550 on RCPT: IsPermanent(%v) = false", err)
	}
	var me *mail.Error
	if !errors.As(err, &me) || me.Code != 550 {
		t.Errorf("error %v: want code 550", err)
	}
	if !strings.Contains(err.Error(), "ap@martin.example") || !strings.Contains(err.Error(), "r3@relance.example") {
		t.Errorf("error %q does not name the recipient and message", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages stored, want 0", n)
	}
	// The transport keeps working for other recipients.
	ok := reminder("r4@relance.example")
	ok.To = []string{"other@client.example"}
	if err := tr.Send(context.Background(), ok); err != nil {
		t.Fatal(err)
	}
}

func TestSMTPPermanentOnData(t *testing.T) {
	srv := smtptest.Start(t)
	tr := newSMTP(t, srv, 1, 0)
	srv.FailNext(smtptest.PhaseData, 1, 554, "message refused")
	err := tr.Send(context.Background(), reminder("r5@relance.example"))
	if !mail.IsPermanent(err) {
		t.Fatalf("554 on DATA: IsPermanent(%v) = false", err)
	}
	srv.FailNext(smtptest.PhaseRcpt, 1, 450, "mailbox busy")
	if err := tr.Send(context.Background(), reminder("r6@relance.example")); err == nil || mail.IsPermanent(err) {
		t.Fatalf("450 on RCPT: %v, want a temporary error", err)
	}
}

// A pooled connection is not checked with a NOOP before each message: one
// that the relay dropped is found at MAIL FROM, before anything of the
// message was sent, and the transaction starts again once on a new
// connection.
func TestSMTPConnectionDroppedAtMailFromIsRedialedOnce(t *testing.T) {
	srv := smtptest.Start(t)
	tr := newSMTP(t, srv, 1, 0)
	if err := tr.Send(context.Background(), reminder("warm@relance.example")); err != nil {
		t.Fatal(err)
	}
	srv.DropNext(smtptest.PhaseMail)
	if err := tr.Send(context.Background(), reminder("drop@relance.example")); err != nil {
		t.Fatalf("send after the relay dropped the pooled connection at MAIL FROM: %v", err)
	}
	if n, s := len(srv.Messages()), srv.Sessions(); n != 2 || s != 2 {
		t.Errorf("%d messages over %d sessions, want 2 over 2 (one redial)", n, s)
	}
	// Twice in a row: the new connection is not retried again.
	srv.DropNext(smtptest.PhaseMail)
	srv.DropNext(smtptest.PhaseMail)
	err := tr.Send(context.Background(), reminder("twice@relance.example"))
	if err == nil || mail.IsPermanent(err) {
		t.Fatalf("dropped twice at MAIL FROM: %v, want a temporary error", err)
	}
}

func TestSMTPDroppedConnectionIsTemporaryAndRedials(t *testing.T) {
	for _, phase := range []smtptest.Phase{smtptest.PhaseRcpt, smtptest.PhaseData} {
		t.Run(phase.String(), func(t *testing.T) {
			srv := smtptest.Start(t)
			tr := newSMTP(t, srv, 1, 0)
			if err := tr.Send(context.Background(), reminder("warm@relance.example")); err != nil {
				t.Fatal(err)
			}
			srv.DropNext(phase)
			err := tr.Send(context.Background(), reminder("drop@relance.example"))
			if err == nil {
				t.Fatal("Send succeeded over a dropped connection")
			}
			if mail.IsPermanent(err) {
				t.Errorf("dropped connection classified permanent: %v", err)
			}
			if err := tr.Send(context.Background(), reminder("drop@relance.example")); err != nil {
				t.Fatalf("after the drop: %v", err)
			}
			if n := srv.Sessions(); n != 2 {
				t.Errorf("%d sessions, want 2 (the first reused, then one redial)", n)
			}
			if n := len(srv.Messages()); n != 2 {
				t.Errorf("%d messages stored, want 2", n)
			}
		})
	}
}

func TestSMTPConnectionRefusedIsTemporary(t *testing.T) {
	// Port 1 on loopback: nobody listens there on a test machine.
	tr, err := mail.NewSMTP(mail.SMTPConfig{Host: "127.0.0.1", Port: 1, TLS: "none", PoolSize: 1, Timeout: 5 * time.Second}, clock.Fixed(sendDate))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	err = tr.Send(context.Background(), reminder("refused@relance.example"))
	if err == nil || mail.IsPermanent(err) {
		t.Fatalf("connection refused: %v, want a temporary error", err)
	}
}

func TestSMTPIdleConnectionClosedByServerIsRedialedTransparently(t *testing.T) {
	srv := smtptest.Start(t)
	tr := newSMTP(t, srv, 1, 0)
	if err := tr.Send(context.Background(), reminder("a@relance.example")); err != nil {
		t.Fatal(err)
	}
	srv.CloseConnections() // the pooled connection is now dead
	if err := tr.Send(context.Background(), reminder("b@relance.example")); err != nil {
		t.Fatalf("send over a connection the server closed while idle: %v", err)
	}
	if n, s := len(srv.Messages()), srv.Sessions(); n != 2 || s != 2 {
		t.Errorf("%d messages over %d sessions, want 2 over 2", n, s)
	}
}

func TestSMTPAuth(t *testing.T) {
	srv := smtptest.Start(t)
	srv.RequireAuth("relance", "s3cret")
	for _, tc := range []struct {
		user, pass string
		ok         bool
	}{{"relance", "s3cret", true}, {"relance", "wrong", false}, {"", "", false}} {
		tr, err := mail.NewSMTP(mail.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: "none", PoolSize: 1,
			Username: tc.user, Password: tc.pass, Timeout: 5 * time.Second}, clock.Fixed(sendDate))
		if err != nil {
			t.Fatal(err)
		}
		err = tr.Send(context.Background(), reminder(fmt.Sprintf("auth.%s.%s@relance.example", tc.user, tc.pass)))
		tr.Close()
		if (err == nil) != tc.ok {
			t.Errorf("user %q password %q: err %v", tc.user, tc.pass, err)
		}
		if err != nil && mail.FaultOf(err) != mail.SenderRefused {
			t.Errorf("a failed login is our configuration, not the addressee's: %v is %v", err, mail.FaultOf(err))
		}
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
}

func TestSMTPConcurrentSendsWithPool(t *testing.T) {
	srv := smtptest.Start(t)
	tr := newSMTP(t, srv, 2, 0)
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			errs <- tr.Send(context.Background(), reminder(fmt.Sprintf("c%02d@relance.example", i)))
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	got := srv.Messages()
	if len(got) != n {
		t.Fatalf("%d messages, want %d", len(got), n)
	}
	seen := map[string]bool{}
	for _, m := range got {
		seen[m.Header.Get("Message-Id")] = true
	}
	if len(seen) != n {
		t.Errorf("%d distinct Message-IDs, want %d", len(seen), n)
	}
	if s := srv.Sessions(); s > 2 || s < 1 {
		t.Errorf("%d sessions for a pool of 2", s)
	}
}

func TestSMTPRateLimit(t *testing.T) {
	srv := smtptest.Start(t)
	// One message per minute: the first goes at once, the second would wait
	// a minute, which a context with a short deadline refuses up front.
	tr := newSMTP(t, srv, 1, 1)
	if err := tr.Send(context.Background(), reminder("rate1@relance.example")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := tr.Send(ctx, reminder("rate2@relance.example"))
	if err == nil {
		t.Fatal("second send within the minute was not held back")
	}
	if mail.IsPermanent(err) {
		t.Errorf("rate limit wait classified permanent: %v", err)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
}

func TestInvalidMessagesArePermanent(t *testing.T) {
	srv := smtptest.Start(t)
	tr := newSMTP(t, srv, 1, 0)
	for name, mutate := range map[string]func(*mail.Message){
		"no id":      func(m *mail.Message) { m.MessageID = "" },
		"bad id":     func(m *mail.Message) { m.MessageID = "no at sign" },
		"no to":      func(m *mail.Message) { m.To = nil },
		"bad from":   func(m *mail.Message) { m.From = "not an address" },
		"bad to":     func(m *mail.Message) { m.To = []string{"@@"} },
		"no text":    func(m *mail.Message) { m.Text = "" },
		"bad header": func(m *mail.Message) { m.Headers = map[string]string{"X-A": "b\r\nBcc: evil@x"} },
	} {
		m := reminder("inv@relance.example")
		mutate(&m)
		err := tr.Send(context.Background(), m)
		if !mail.IsPermanent(err) || !errors.Is(err, mail.ErrInvalidMessage) {
			t.Errorf("%s: %v, want a permanent ErrInvalidMessage", name, err)
		}
	}
	if n := srv.Sessions(); n != 0 {
		t.Errorf("invalid messages opened %d sessions", n)
	}
}

func TestNewSMTPRejectsBadConfig(t *testing.T) {
	for _, cfg := range []mail.SMTPConfig{
		{Port: 25, TLS: "none", PoolSize: 1},
		{Host: "h", Port: 0, TLS: "none", PoolSize: 1},
		{Host: "h", Port: 25, TLS: "ssl", PoolSize: 1},
		{Host: "h", Port: 25, TLS: "none", PoolSize: 0},
		{Host: "h", Port: 25, TLS: "none", PoolSize: 1, RatePerMinute: -1},
	} {
		if _, err := mail.NewSMTP(cfg, clock.System{}); err == nil {
			t.Errorf("NewSMTP(%+v) accepted", cfg)
		}
	}
}

func TestSMTPTLSModes(t *testing.T) {
	for _, tc := range []struct {
		mode     string
		implicit bool
	}{{"starttls", false}, {"implicit", true}} {
		t.Run(tc.mode, func(t *testing.T) {
			srv := smtptest.StartTLS(t, tc.implicit)
			srv.RequireAuth("relance", "s3cret")
			tr, err := mail.NewSMTP(mail.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: tc.mode, PoolSize: 1,
				Username: "relance", Password: "s3cret", TLSConfig: srv.ClientTLSConfig(), Timeout: 10 * time.Second}, clock.Fixed(sendDate))
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			if err := tr.Send(context.Background(), reminder("tls."+tc.mode+"@relance.example")); err != nil {
				t.Fatal(err)
			}
			got := srv.Messages()
			if len(got) != 1 || !got[0].TLS {
				t.Fatalf("messages %d, encrypted %v", len(got), len(got) == 1 && got[0].TLS)
			}
		})
	}
	t.Run("starttls required but not offered", func(t *testing.T) {
		srv := smtptest.Start(t)
		tr, err := mail.NewSMTP(mail.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: "starttls", PoolSize: 1, Timeout: 10 * time.Second}, clock.Fixed(sendDate))
		if err != nil {
			t.Fatal(err)
		}
		defer tr.Close()
		if err := tr.Send(context.Background(), reminder("clear@relance.example")); err == nil || mail.IsPermanent(err) {
			t.Fatalf("send in clear with starttls configured: %v, want a temporary error", err)
		}
		if n := len(srv.Messages()); n != 0 {
			t.Errorf("%d messages went in clear", n)
		}
	})
}

// TestFaultByStageAndRecipient: who is to blame for each way a relay
// refuses (DESIGN.md §2): only a 5xx on RCPT TO for a To address is the
// addressee's; a 5xx anywhere else, or on our own Bcc, or a failed TLS
// handshake, is ours; 4xx replies and dropped connections are temporary.
func TestFaultByStageAndRecipient(t *testing.T) {
	for _, c := range []struct {
		name   string
		inject func(*smtptest.Server)
		stage  mail.Stage
		code   int
		fault  mail.Fault
		rcpt   string
	}{
		{"421 greeting", func(s *smtptest.Server) { s.FailNext(smtptest.PhaseGreeting, 1, 421, "busy") }, mail.StageConnect, 421, mail.Temporary, ""},
		{"554 greeting", func(s *smtptest.Server) { s.FailNext(smtptest.PhaseGreeting, 1, 554, "no service for you") }, mail.StageConnect, 554, mail.SenderRefused, ""},
		{"451 MAIL", func(s *smtptest.Server) { s.FailNext(smtptest.PhaseMail, 1, 451, "later") }, mail.StageMail, 451, mail.Temporary, ""},
		{"553 MAIL", func(s *smtptest.Server) { s.FailNext(smtptest.PhaseMail, 1, 553, "sender not allowed") }, mail.StageMail, 553, mail.SenderRefused, ""},
		{"450 RCPT", func(s *smtptest.Server) { s.FailNext(smtptest.PhaseRcpt, 1, 450, "busy") }, mail.StageRcpt, 450, mail.Temporary, "<ap@martin.example>"},
		{"550 RCPT To", func(s *smtptest.Server) { s.RejectRecipient("ap@martin.example", 550) }, mail.StageRcpt, 550, mail.RecipientRefused, "<ap@martin.example>"},
		{"550 RCPT Bcc", func(s *smtptest.Server) { s.RejectRecipient("credit@durand.example", 550) }, mail.StageRcpt, 550, mail.SenderRefused, "<credit@durand.example>"},
		{"550 RCPT To and Bcc", func(s *smtptest.Server) {
			s.RejectRecipient("ap@martin.example", 550)
			s.RejectRecipient("credit@durand.example", 550)
		}, mail.StageRcpt, 550, mail.SenderRefused, "<credit@durand.example>"},
		{"451 DATA", func(s *smtptest.Server) { s.FailNext(smtptest.PhaseData, 1, 451, "later") }, mail.StageData, 451, mail.Temporary, ""},
		{"554 DATA", func(s *smtptest.Server) { s.FailNext(smtptest.PhaseData, 1, 554, "refused") }, mail.StageData, 554, mail.SenderRefused, ""},
		{"dropped mid-DATA", func(s *smtptest.Server) { s.DropNext(smtptest.PhaseData) }, mail.StageData, 0, mail.Temporary, ""},
		{"outage", func(s *smtptest.Server) { s.Down() }, mail.StageConnect, 0, mail.Temporary, ""},
	} {
		for _, dialogue := range []string{"pipelined", "command by command"} {
			t.Run(c.name+"/"+dialogue, func(t *testing.T) {
				srv := smtptest.Start(t)
				tr := newSMTP(t, srv, 1, 0)
				if dialogue != "pipelined" {
					mail.WithoutPipelining(tr)
				}
				c.inject(srv)
				err := tr.Send(context.Background(), reminder("fault@relance.example"))
				var e *mail.Error
				if !errors.As(err, &e) || e.Stage != c.stage || e.Code != c.code || e.Fault != c.fault || e.Recipient != c.rcpt {
					t.Fatalf("%v: got %+v, want stage %s code %d fault %v recipient %q", err, e, c.stage, c.code, c.fault, c.rcpt)
				}
				if mail.FaultOf(err) != c.fault {
					t.Errorf("FaultOf = %v", mail.FaultOf(err))
				}
				if n := len(srv.Messages()); n != 0 {
					t.Errorf("%d messages stored after the fault, want 0", n)
				}
				srv.Recover()
				if c.fault == mail.Temporary {
					if err := tr.Send(context.Background(), reminder("fault@relance.example")); err != nil {
						t.Errorf("once the relay recovers: %v", err)
					}
				}
			})
		}
	}
	t.Run("TLS handshake", func(t *testing.T) {
		srv := smtptest.StartTLS(t, false)
		srv.FailTLSNext(1)
		tr, err := mail.NewSMTP(mail.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: "starttls", PoolSize: 1,
			TLSConfig: srv.ClientTLSConfig(), Timeout: 5 * time.Second}, clock.Fixed(sendDate))
		if err != nil {
			t.Fatal(err)
		}
		defer tr.Close()
		err = tr.Send(context.Background(), reminder("tls@relance.example"))
		if mail.FaultOf(err) != mail.SenderRefused {
			t.Fatalf("failed handshake: %v is %v, want sender refused", err, mail.FaultOf(err))
		}
		if err := tr.Send(context.Background(), reminder("tls@relance.example")); err != nil {
			t.Errorf("next handshake: %v", err)
		}
	})
	t.Run("invalid To", func(t *testing.T) {
		srv := smtptest.Start(t)
		m := reminder("bad@relance.example")
		m.To = []string{"victim@x.com\r\nBcc: evil@y.com"}
		err := newSMTP(t, srv, 1, 0).Send(context.Background(), m)
		var e *mail.Error
		if !errors.As(err, &e) || e.Fault != mail.RecipientRefused || e.Recipient != m.To[0] || !errors.Is(err, mail.ErrInvalidMessage) {
			t.Errorf("%v: want the addressee's address refused", err)
		}
	})
}
