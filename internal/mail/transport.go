package mail

import (
	"context"
	"fmt"
	"time"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/config"
)

// Transport is what FromConfig returns: SMTP or File. Consumers should
// declare the smaller interface they need (usually just Send).
type Transport interface {
	// Send delivers one message; see FaultOf for its errors.
	Send(ctx context.Context, m Message) error
	// Acquire takes a connection for messages sent in a row, so that a
	// caller can wait for the relay before it locks what it sends.
	Acquire(ctx context.Context) (Conn, error)
	// Close releases connections; Send must not be called afterwards.
	Close() error
}

var (
	_ Transport = (*SMTP)(nil)
	_ Transport = (*File)(nil)
)

// FromConfig builds the transport chosen by cfg.Transport ("smtp" or
// "file"). The other mail settings (from, reply_to, bcc, payment_link) are
// the caller's to put into each Message.
func FromConfig(cfg config.Mail, clk clock.Clock) (Transport, error) {
	switch cfg.Transport {
	case "smtp":
		return NewSMTP(SMTPConfig{
			Host:          cfg.SMTP.Host,
			Port:          cfg.SMTP.Port,
			TLS:           cfg.SMTP.TLS,
			Username:      cfg.SMTP.Username,
			Password:      cfg.SMTP.Password,
			PoolSize:      cfg.SMTP.PoolSize,
			RatePerMinute: cfg.SMTP.RatePerMinute,
			Timeout:       commandTimeout(cfg.SendTimeout),
		}, clk)
	case "file":
		return NewFile(cfg.Dir, clk)
	}
	return nil, fmt.Errorf("mail.transport %q: want smtp or file", cfg.Transport)
}

// commandTimeout bounds each SMTP command: a quarter of a send job's time
// (a dial, a transaction and room to spare), between 1 and 30 seconds.
func commandTimeout(sendTimeout time.Duration) time.Duration {
	return min(max(sendTimeout/4, time.Second), 30*time.Second)
}
