package mail

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/textproto"
	"strings"

	gomail "github.com/wneessen/go-mail"
)

// Stage is the step of sending a message that failed.
type Stage string

// The stages, in the order a message goes through them.
const (
	StageBuild   Stage = "build"     // composing the message: an invalid address or header
	StageConnect Stage = "connect"   // dial, greeting, EHLO, STARTTLS, AUTH; also waiting for a connection
	StageMail    Stage = "MAIL FROM" // the relay's answer to our sender
	StageRcpt    Stage = "RCPT TO"   // the relay's answer to one recipient (Error.Recipient)
	StageData    Stage = "DATA"      // DATA, the message itself, and the relay's final answer
	StageWrite   Stage = "write"     // the File transport writing its .eml
)

// Fault says whose problem a failed send is, and so what the sender does
// about it (DESIGN.md §2, "Who is to blame for a failed send").
type Fault int

const (
	// Temporary: a 4xx reply, a dropped or refused connection, a timeout,
	// a full disk. Retry later; nobody is to blame yet.
	Temporary Fault = iota
	// RecipientRefused: the relay refused an addressee's own address for
	// good (5xx on RCPT TO for a To address), or that address is not one.
	// Error.Recipient names it. The addressee's address is at fault.
	RecipientRefused
	// SenderRefused: a 5xx on connect, AUTH, MAIL FROM or DATA, a 5xx on a
	// Bcc address, a TLS handshake the relay or its certificate fails: our
	// configuration or our relay. Retry, alert, never blame the addressee.
	SenderRefused
	// Unsendable: the message cannot be sent as it is (no Message-ID, a
	// header with a line break…), whoever it goes to.
	Unsendable
)

func (f Fault) String() string {
	switch f {
	case Temporary:
		return "temporary"
	case RecipientRefused:
		return "recipient refused"
	case SenderRefused:
		return "sender refused"
	case Unsendable:
		return "unsendable"
	}
	return fmt.Sprintf("Fault(%d)", int(f))
}

// Error is what Send returns when a message did not go. It names the message,
// its recipients, the stage that failed and, for RCPT TO, the refused
// recipient, and keeps the SMTP reply code when there was one.
type Error struct {
	Stage      Stage
	MessageID  string   // Message.MessageID; empty for a failure before a message (Acquire)
	Recipients []string // To and Bcc of the message
	Recipient  string   // at StageRcpt (or StageBuild for a bad To address): the address refused
	Code       int      // SMTP reply code (421, 550…); 0 when the failure was not an SMTP reply
	Fault      Fault
	Err        error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("mail")
	if e.MessageID != "" {
		fmt.Fprintf(&b, " %s to %s", e.MessageID, strings.Join(e.Recipients, ", "))
	}
	fmt.Fprintf(&b, ": %s", e.Stage)
	if e.Recipient != "" {
		fmt.Fprintf(&b, " %s", e.Recipient)
	}
	if e.Code != 0 {
		fmt.Fprintf(&b, ": smtp %d", e.Code)
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// FaultOf returns the Fault of an error from Send, Acquire or Conn.Send;
// Temporary for anything else (a cancelled context, say) and for nil.
func FaultOf(err error) Fault {
	var e *Error
	if errors.As(err, &e) {
		return e.Fault
	}
	if errors.Is(err, ErrInvalidMessage) {
		return Unsendable
	}
	return Temporary
}

// IsPermanent reports whether err says this message, as it is, will not be
// accepted by this relay: a 5xx reply at any stage after connecting, or an
// invalid message (ErrInvalidMessage). Who is to blame is FaultOf's answer:
// a 5xx on MAIL FROM is permanent for the message but the sender's fault.
// Failures to connect or authenticate are never permanent here (they affect
// every message, not this one). A nil err is not permanent.
func IsPermanent(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrInvalidMessage) {
		return true
	}
	var e *Error
	return errors.As(err, &e) && e.Stage != StageConnect && e.Code >= 500 && e.Code < 600
}

// replyCode is the SMTP reply code carried by err, 0 for none.
func replyCode(err error) int {
	var se *gomail.SendError
	if errors.As(err, &se) && se.ErrorCode() != 0 {
		return se.ErrorCode()
	}
	var tp *textproto.Error
	if errors.As(err, &tp) {
		return tp.Code
	}
	return 0
}

// connectFault classifies a failure to dial, greet, start TLS or
// authenticate: a 5xx reply or a failed TLS handshake is the relay's
// configuration or ours (and will not pass by itself); anything else is an
// outage to wait out.
func connectFault(err error, code int) Fault {
	if code >= 500 && code < 600 || isTLSFailure(err) {
		return SenderRefused
	}
	return Temporary
}

// isTLSFailure reports a TLS handshake refused by either side, a
// certificate that does not verify, or a relay without the STARTTLS we
// require. An alert from the other side has an unexported type in
// crypto/tls ("remote error: tls: …"), hence the look at the text.
func isTLSFailure(err error) bool {
	var alert tls.AlertError
	var rec tls.RecordHeaderError
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	return errors.As(err, &alert) || errors.As(err, &rec) || errors.As(err, &unknown) ||
		errors.As(err, &host) || errors.As(err, &invalid) || errors.As(err, &verify) ||
		strings.Contains(err.Error(), "tls: ") || strings.Contains(err.Error(), "STARTTLS")
}

func recipients(m Message) []string {
	return append(append([]string(nil), m.To...), m.Bcc...)
}
