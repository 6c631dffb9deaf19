package mail_test

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"testing"

	"github.com/relance/relance/internal/mail"
	"github.com/relance/relance/internal/mail/smtptest"
)

// writeCounter is a client connection that counts its writes: each is a
// flush of what the client had to say before it waits for a reply.
type writeCounter struct {
	net.Conn
	writes *atomic.Int64
}

func (c writeCounter) Write(b []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(b)
}

// countingSMTP is a transport to srv whose connections count their writes.
func countingSMTP(t *testing.T, srv *smtptest.Server, pipelining bool) (*mail.SMTP, *atomic.Int64) {
	t.Helper()
	tr := newSMTP(t, srv, 1, 0)
	if !pipelining {
		mail.WithoutPipelining(tr)
	}
	writes := &atomic.Int64{}
	var d net.Dialer
	err := mail.DialThrough(tr, func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return writeCounter{Conn: c, writes: writes}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return tr, writes
}

// With a relay that offers PIPELINING (go-smtp, as Postfix, does), a
// message takes two round trips on a pooled connection: MAIL FROM, both
// RCPT TO and DATA in one write, then the message and its final dot;
// command by command it takes five.
func TestSMTPPipelinesTheEnvelope(t *testing.T) {
	for _, c := range []struct {
		pipelining bool
		writes     int64
	}{{true, 2}, {false, 5}} {
		srv := smtptest.Start(t)
		tr, writes := countingSMTP(t, srv, c.pipelining)
		if err := tr.Send(context.Background(), reminder("warm@relance.example")); err != nil {
			t.Fatal(err)
		}
		before := writes.Load()
		if err := tr.Send(context.Background(), reminder("second@relance.example")); err != nil {
			t.Fatal(err)
		}
		if got := writes.Load() - before; got != c.writes {
			t.Errorf("pipelining %v: %d writes for a message on a pooled connection, want %d", c.pipelining, got, c.writes)
		}
		msgs := srv.Messages()
		if len(msgs) != 2 || len(msgs[1].To) != 2 || msgs[1].From != "compta@durand.example" {
			t.Fatalf("pipelining %v: stored %+v, want 2 messages, the second from compta@durand.example to ap@ and the Bcc", c.pipelining, msgs)
		}
	}
}

// A transaction with a refused recipient delivers nothing, in either
// dialogue. Pipelined, the relay has already answered DATA with 354 for
// the recipient it accepted; DATA cannot be reset, so the connection is
// closed before a byte of the message, and the next message goes over a
// new one.
func TestSMTPRefusedRecipientDeliversNothing(t *testing.T) {
	for _, pipelining := range []bool{true, false} {
		srv := smtptest.Start(t)
		tr, _ := countingSMTP(t, srv, pipelining)
		srv.RejectRecipient("credit@durand.example", 550) // our Bcc; the To is accepted
		err := tr.Send(context.Background(), reminder("refused@relance.example"))
		var e *mail.Error
		if !errors.As(err, &e) || e.Stage != mail.StageRcpt || e.Fault != mail.SenderRefused {
			t.Fatalf("pipelining %v: %v, want the Bcc refused at RCPT, our fault", pipelining, err)
		}
		if n := len(srv.Messages()); n != 0 {
			t.Fatalf("pipelining %v: %d messages stored after a refused recipient, want 0", pipelining, n)
		}
		ok := reminder("next@relance.example")
		ok.Bcc = nil
		if err := tr.Send(context.Background(), ok); err != nil {
			t.Fatalf("pipelining %v: the next message: %v", pipelining, err)
		}
		if n := len(srv.Messages()); n != 1 {
			t.Errorf("pipelining %v: %d messages stored, want the next one only", pipelining, n)
		}
	}
}
