package mail

import (
	"context"
	"errors"
	"fmt"

	gomail "github.com/wneessen/go-mail"
)

// A relay that offers PIPELINING (RFC 2920; Postfix, Exim and the large
// providers do) takes a message in two round trips instead of three and one
// per recipient: MAIL FROM, every RCPT TO and DATA go in one write and their
// replies are read in order, then the message and its final dot. The send
// worker holds one of the relay's few connections from its re-check to the
// acceptance, so each round trip saved is time a connection is not held,
// and on a busy machine one wake-up less of relance and of the relay.
//
// The replies say the same as the command-by-command dialogue: a refused
// MAIL FROM makes the relay refuse the RCPTs and the DATA after it (503,
// bad sequence), a refused recipient is named by its own reply, and a DATA
// with no accepted recipient is refused. One case differs: some recipients
// refused and others accepted, the relay answers DATA with 354 and waits
// for the message; a transaction with a refusal must not deliver, and DATA
// cannot be reset, so the connection is closed before a byte of the
// message is sent (RFC 5321 §4.1.1.4: a message without its final dot is
// not delivered).

// pipelining says whether the relay offers PIPELINING, from the EHLO reply
// read when the connection was dialed. A connection dropped by an earlier
// message of the same loan is redialed by the dialogue (smtpConn.mail).
func (c *smtpConn) pipelining() bool {
	if c.s.noPipelining || c.conn == nil {
		return false
	}
	ok, _ := c.conn.Extension("PIPELINING")
	return ok
}

// envelopeReplies are the relay's answers to one pipelined envelope.
type envelopeReplies struct {
	mail  error
	rcpts []error // one per recipient, in order
	data  error
	// dataOpen: DATA was answered 354, the relay waits for the message.
	dataOpen bool
}

// transactPipelined is transact over PIPELINING.
func (c *smtpConn) transactPipelined(ctx context.Context, m Message, msg *gomail.Msg, from string, fail func(Stage, string, error, Fault) *Error) error {
	rcpts := envelope(msg)
	r, err := c.sendEnvelope(ctx, from, rcpts)
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.MessageID, e.Recipients = m.MessageID, recipients(m)
			return e
		}
		c.drop()
		return fail(StageMail, "", err, Temporary)
	}
	if r.mail != nil {
		return c.abortEnvelope(r, fail(StageMail, "", r.mail, bySender(r.mail)))
	}
	var refused *Error
	for i, rerr := range r.rcpts {
		if rerr == nil {
			continue
		}
		f, gone := rcptFault(rcpts[i], rerr)
		if gone {
			c.drop()
			return fail(StageRcpt, rcpts[i].addr, rerr, Temporary)
		}
		if refused == nil || f > refused.Fault {
			refused = fail(StageRcpt, rcpts[i].addr, rerr, f)
		}
	}
	if refused != nil {
		return c.abortEnvelope(r, refused)
	}
	if r.data != nil {
		return c.abortEnvelope(r, fail(StageData, "", r.data, bySender(r.data)))
	}
	w := c.conn.Text.DotWriter()
	if _, err := msg.WriteTo(w); err != nil {
		_ = w.Close()
		c.drop()
		return fail(StageData, "", err, Temporary)
	}
	if err := w.Close(); err != nil {
		c.drop()
		return fail(StageData, "", err, Temporary)
	}
	if _, _, err := c.conn.Text.ReadResponse(250); err != nil {
		return c.abort(fail(StageData, "", err, bySender(err)))
	}
	return nil
}

// sendEnvelope writes MAIL FROM, the RCPTs and DATA in one go and reads
// their replies. A pooled connection the server closed while idle fails
// here without a reply or with 421 (closing): nothing of the message was
// sent, so it is dropped and the envelope sent once more on a new
// connection, as smtpConn.mail does for the dialogue. The error returned is
// the connection's (none of the replies could be read); a refusal is in
// the replies.
func (c *smtpConn) sendEnvelope(ctx context.Context, from string, rcpts []rcpt) (envelopeReplies, error) {
	if err := c.open(ctx); err != nil {
		return envelopeReplies{}, err
	}
	r, err := c.exchangeEnvelope(from, rcpts)
	closed := err != nil || replyCode(r.mail) == 421
	if !closed || !c.reused {
		c.reused = false
		return r, err
	}
	c.drop()
	if err := c.open(ctx); err != nil {
		return envelopeReplies{}, err
	}
	return c.exchangeEnvelope(from, rcpts)
}

// exchangeEnvelope is one write of the envelope and the reading of its
// replies. An error is a connection that failed before MAIL FROM's reply.
func (c *smtpConn) exchangeEnvelope(from string, rcpts []rcpt) (envelopeReplies, error) {
	var r envelopeReplies
	t := c.conn.Text
	if _, err := fmt.Fprintf(t.W, "MAIL FROM:%s%s\r\n", from, c.mailParams()); err != nil {
		return r, err
	}
	for _, rc := range rcpts {
		if _, err := fmt.Fprintf(t.W, "RCPT TO:%s\r\n", rc.addr); err != nil {
			return r, err
		}
	}
	if _, err := t.W.WriteString("DATA\r\n"); err != nil {
		return r, err
	}
	if err := t.W.Flush(); err != nil {
		return r, err
	}
	if _, _, r.mail = t.ReadResponse(250); r.mail != nil && replyCode(r.mail) == 0 {
		return r, r.mail
	}
	r.rcpts = make([]error, len(rcpts))
	for i := range rcpts {
		_, _, r.rcpts[i] = t.ReadResponse(25)
		if replyCode(r.rcpts[i]) == 0 && r.rcpts[i] != nil {
			return r, nil // the connection is gone: transactPipelined drops it
		}
	}
	var code int
	code, _, r.data = t.ReadResponse(354)
	r.dataOpen = code == 354
	return r, nil
}

// mailParams are the parameters go-mail's MAIL FROM adds for the relay's
// extensions (its DSN parameters only come with options relance does not
// set).
func (c *smtpConn) mailParams() string {
	p := ""
	if ok, _ := c.conn.Extension("8BITMIME"); ok {
		p += " BODY=8BITMIME"
	}
	if ok, _ := c.conn.Extension("SMTPUTF8"); ok {
		p += " SMTPUTF8"
	}
	return p
}

// abortEnvelope ends a transaction refused in its envelope: a relay
// waiting for the message after DATA (354) cannot be reset, so its
// connection is closed before the message; otherwise RSET, as abort.
func (c *smtpConn) abortEnvelope(r envelopeReplies, err *Error) error {
	if r.dataOpen {
		c.drop()
		return err
	}
	return c.abort(err)
}
