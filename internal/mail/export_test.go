package mail

import (
	"context"
	"net"

	gomail "github.com/wneessen/go-mail"
)

// WithoutPipelining has s keep to one command a round trip even with a
// relay that offers PIPELINING, so that tests cover both dialogues.
func WithoutPipelining(s *SMTP) { s.noPipelining = true }

// DialThrough has s dial its connections with dial (a test's counting
// connection).
func DialThrough(s *SMTP, dial func(ctx context.Context, network, addr string) (net.Conn, error)) error {
	return gomail.WithDialContextFunc(dial)(s.client)
}
