package worker

import (
	"context"

	"github.com/relance/relance/internal/mail"
)

// MailTransport is the part of a mail.Transport the send worker uses.
type MailTransport interface {
	Send(ctx context.Context, m mail.Message) error
}

// MailSender delivers through internal/mail (SMTP or .eml files), with
// mail.IsPermanent telling a 5xx rejection from a temporary failure.
type MailSender struct{ Transport MailTransport }

// Send implements Sender.
func (s MailSender) Send(ctx context.Context, o Outgoing) error {
	return s.Transport.Send(ctx, mail.Message{
		From: o.From, ReplyTo: o.ReplyTo, To: o.To, Bcc: o.Bcc, Subject: o.Subject,
		Text: o.Text, HTML: o.HTML, MessageID: o.MessageID,
		Headers: o.Headers,
	})
}

// Permanent implements Sender.
func (MailSender) Permanent(err error) bool { return mail.IsPermanent(err) }
