package mail

import (
	"errors"
	"fmt"
	"net/textproto"
	"strings"

	gomail "github.com/wneessen/go-mail"
)

// Error is what Send returns when a message did not go. It names the message
// and its recipients and keeps the SMTP reply code when there was one.
type Error struct {
	Op         string   // "dial", "send", "rate limit", "write"
	MessageID  string   // Message.MessageID
	Recipients []string // To and Bcc of the message
	Code       int      // SMTP reply code (421, 550…); 0 when the failure was not an SMTP reply
	Permanent  bool     // see IsPermanent
	Err        error
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "mail %s to %s: %s", e.MessageID, strings.Join(e.Recipients, ", "), e.Op)
	if e.Code != 0 {
		fmt.Fprintf(&b, ": smtp %d", e.Code)
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// IsPermanent reports whether err says the message can never be delivered
// as it is, so that retrying is pointless: a 5xx SMTP reply (550 unknown
// recipient on RCPT, 554 refused on DATA…) or an invalid message
// (ErrInvalidMessage). Everything else is temporary: 4xx replies (421, 450,
// 451), timeouts, refused and dropped connections, failures to dial or to
// authenticate, including 530/534/535/538 replies (a configuration problem
// that affects every message, not this one), a full disk for the File
// transport, a cancelled context. A nil err is not permanent.
func IsPermanent(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrInvalidMessage) {
		return true
	}
	var e *Error
	return errors.As(err, &e) && e.Permanent
}

// classifySend turns an error of go-mail's SendWithSMTPClient into the SMTP
// code and permanence.
func classifySend(err error) (code int, permanent bool) {
	var se *gomail.SendError
	if errors.As(err, &se) {
		code = se.ErrorCode()
		switch se.Reason {
		case gomail.ErrGetSender, gomail.ErrGetRcpts, gomail.ErrNoUnencoded:
			return code, true
		}
	}
	if code == 0 {
		var tp *textproto.Error
		if errors.As(err, &tp) {
			code = tp.Code
		}
	}
	switch code {
	case 530, 534, 535, 538:
		// Authentication required or refused: the relay's configuration,
		// not this message, is at fault; it will go once that is fixed.
		return code, false
	}
	return code, code >= 500 && code < 600
}

func recipients(m Message) []string {
	return append(append([]string(nil), m.To...), m.Bcc...)
}
