// Package mail sends rendered reminders. A Message is transport-neutral;
// the SMTP transport delivers it through a pool of connections to a relay,
// the File transport writes it as an .eml file (for `mail.transport: file`,
// previews and tests). Both turn it into the same RFC 5322 bytes with
// github.com/wneessen/go-mail.
//
// Errors from Send are *Error: the stage that failed (connect, MAIL FROM,
// RCPT TO and which recipient, DATA), the SMTP code, and whose fault it is
// (FaultOf): the addressee's only for a 5xx on RCPT TO of a To address;
// ours (configuration or relay) for a 5xx anywhere else, on our Bcc, or a
// failed TLS handshake; temporary for 4xx replies, timeouts, refused and
// dropped connections, which the caller retries with backoff.
package mail

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Message is one email, already rendered.
type Message struct {
	From    string   // "Compta Durand <compta@durand.fr>" or a bare address; required
	ReplyTo string   // optional
	To      []string // at least one recipient
	Bcc     []string // envelope-only recipients (the credit manager's copy); not written in the header
	Subject string
	Text    string // plain-text body; required
	HTML    string // HTML alternative; optional

	// MessageID identifies the message, without angle brackets, e.g.
	// "r123.level3.20250912@relance.durand.fr". The caller derives it from
	// what the message is (reminder row, step, day) so that a retry sends
	// the same ID: receivers can then recognise a duplicate and the File
	// transport overwrites instead of duplicating. Required.
	MessageID string

	// Headers are extra header fields, e.g. "X-Relance-Client". They must
	// not repeat the fields above.
	Headers map[string]string

	Attachments []Attachment // e.g. the formal notice as a PDF letter
}

// Attachment is a file attached to a Message.
type Attachment struct {
	Name        string // file name shown to the recipient, e.g. "mise-en-demeure.pdf"
	ContentType string // e.g. "application/pdf"; empty: application/octet-stream
	Data        []byte
}

// ErrInvalidMessage is wrapped by every error about a Message that cannot be
// sent as it is (missing sender, bad address…). Such errors are permanent.
var ErrInvalidMessage = errors.New("invalid message")

// badAddress is an address of a message that is not one.
type badAddress struct {
	field, addr string
	err         error
}

func (e *badAddress) Error() string { return fmt.Sprintf("%s %q: %v", e.field, e.addr, e.err) }

// buildFault is whose fault a message that cannot be built is: a To
// address that is not one is the addressee's (RecipientRefused, naming it);
// anything else makes the message unsendable.
func buildFault(err error) (rcpt string, f Fault) {
	var bad *badAddress
	if errors.As(err, &bad) && bad.field == "To" {
		return bad.addr, RecipientRefused
	}
	return "", Unsendable
}

// buildError is the *Error of a message build refused.
func buildError(m Message, err error) error {
	rcpt, f := buildFault(err)
	return &Error{Stage: StageBuild, MessageID: m.MessageID, Recipients: recipients(m), Recipient: rcpt, Fault: f, Err: err}
}

// build turns m into a go-mail message dated now. Errors wrap
// ErrInvalidMessage.
func build(m Message, now time.Time) (*gomail.Msg, error) {
	invalid := func(format string, args ...any) error {
		return fmt.Errorf("%w %s: %s", ErrInvalidMessage, m.MessageID, fmt.Sprintf(format, args...))
	}
	id := strings.TrimSuffix(strings.TrimPrefix(m.MessageID, "<"), ">")
	switch {
	case id == "":
		return nil, invalid("no Message-ID")
	case !strings.Contains(id, "@") || strings.ContainsAny(id, "<> \t\r\n"):
		return nil, invalid("Message-ID %q: want local@domain without spaces or angle brackets", m.MessageID)
	case len(m.To) == 0:
		return nil, invalid("no recipient")
	case m.Text == "":
		return nil, invalid("no text body")
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(m.From); err != nil {
		return nil, invalid("From %q: %v", m.From, err)
	}
	if m.ReplyTo != "" {
		if err := msg.ReplyTo(m.ReplyTo); err != nil {
			return nil, invalid("Reply-To %q: %v", m.ReplyTo, err)
		}
	}
	for _, to := range m.To {
		if err := msg.AddTo(to); err != nil {
			return nil, fmt.Errorf("%w %s: %w", ErrInvalidMessage, m.MessageID, &badAddress{field: "To", addr: to, err: err})
		}
	}
	if len(m.Bcc) > 0 {
		if err := msg.Bcc(m.Bcc...); err != nil {
			return nil, invalid("Bcc %q: %v", m.Bcc, err)
		}
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(id)
	msg.SetDateWithValue(now)
	for k, v := range m.Headers {
		if strings.ContainsAny(k, ": \t\r\n") || strings.ContainsAny(v, "\r\n") {
			return nil, invalid("header %q: invalid name or value", k)
		}
		msg.SetGenHeader(gomail.Header(k), v)
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	for _, a := range m.Attachments {
		ct := a.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		if err := msg.AttachReader(a.Name, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(ct))); err != nil {
			return nil, invalid("attachment %q: %v", a.Name, err)
		}
	}
	return msg, nil
}

// Bytes returns m as the RFC 5322 message a transport would send, dated now.
// The multipart boundaries are random, so two calls differ there.
func Bytes(m Message, now time.Time) ([]byte, error) {
	msg, err := build(m, now)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := msg.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("writing message %s: %w", m.MessageID, err)
	}
	return buf.Bytes(), nil
}
