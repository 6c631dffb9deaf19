package mail_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/mail"
	"github.com/relance/relance/internal/mail/smtptest"
)

// BenchmarkSend compares the SMTP transport with a bare go-mail loop over
// one connection to the same in-process server (DESIGN.md §6: the send
// pipeline must reach ≥ 50% of the bare loop).
func BenchmarkSend(b *testing.B) {
	b.Run("bare-go-mail", func(b *testing.B) {
		srv := smtptest.Start(b)
		c, err := gomail.NewClient(srv.Host, gomail.WithPort(srv.Port), gomail.WithTLSPolicy(gomail.NoTLS))
		if err != nil {
			b.Fatal(err)
		}
		if err := c.DialWithContext(context.Background()); err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			m := gomail.NewMsg()
			_ = m.From("compta@durand.example")
			_ = m.To("ap@martin.example")
			m.Subject("Rappel")
			m.SetMessageIDWithValue(fmt.Sprintf("b%d@relance.example", i))
			m.SetBodyString(gomail.TypeTextPlain, "Madame, Monsieur,")
			m.AddAlternativeString(gomail.TypeTextHTML, "<p>Madame, Monsieur,</p>")
			if err := c.Send(m); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, c := range []struct {
		pool     int
		dialogue bool
	}{{1, false}, {4, false}, {1, true}} {
		pool := c.pool
		name := fmt.Sprintf("transport-pool-%d", pool)
		if c.dialogue {
			name += "-without-pipelining"
		}
		b.Run(name, func(b *testing.B) {
			srv := smtptest.Start(b)
			tr, err := mail.NewSMTP(mail.SMTPConfig{Host: srv.Host, Port: srv.Port, TLS: "none", PoolSize: pool, Timeout: 10 * time.Second}, clock.System{})
			if err != nil {
				b.Fatal(err)
			}
			if c.dialogue {
				mail.WithoutPipelining(tr)
			}
			defer tr.Close()
			work := make(chan int)
			var wg sync.WaitGroup
			for range pool {
				wg.Go(func() {
					for i := range work {
						m := mail.Message{From: "compta@durand.example", To: []string{"ap@martin.example"}, Subject: "Rappel",
							Text: "Madame, Monsieur,", HTML: "<p>Madame, Monsieur,</p>", MessageID: fmt.Sprintf("t%d@relance.example", i)}
						if err := tr.Send(context.Background(), m); err != nil {
							b.Error(err)
						}
					}
				})
			}
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				work <- i
			}
			close(work)
			wg.Wait()
		})
	}
}
