package mail_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/mail"
	"github.com/relance/relance/internal/mail/smtptest"
)

// BenchmarkSendOverALink sends over a link with a one-way delay of 0.5 ms
// (a relay in the same data centre; a loopback proxy delays every chunk),
// with the envelope pipelined and command by command: the time a message
// takes is then its round trips, two pipelined, five without (MAIL FROM,
// RCPT TO for the client and for our Bcc, DATA, the message).
func BenchmarkSendOverALink(b *testing.B) {
	for _, pipelining := range []bool{true, false} {
		b.Run("pipelining="+strconv.FormatBool(pipelining), func(b *testing.B) {
			srv := smtptest.Start(b)
			port := delayingProxy(b, srv.Addr, 500*time.Microsecond)
			tr, err := mail.NewSMTP(mail.SMTPConfig{Host: "127.0.0.1", Port: port, TLS: "none", PoolSize: 1, Timeout: 10 * time.Second}, clock.System{})
			if err != nil {
				b.Fatal(err)
			}
			defer tr.Close()
			if !pipelining {
				mail.WithoutPipelining(tr)
			}
			for i := 0; b.Loop(); i++ {
				if err := tr.Send(context.Background(), reminder(fmt.Sprintf("l%d@relance.example", i))); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// delayingProxy forwards connections on a loopback port to addr, each chunk
// read in either direction written delay later; it returns the port.
func delayingProxy(b *testing.B, addr string, delay time.Duration) int {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", addr)
			if err != nil {
				_ = in.Close()
				continue
			}
			go delayCopy(out, in, delay)
			go delayCopy(in, out, delay)
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}

func delayCopy(dst, src net.Conn, delay time.Duration) {
	defer dst.Close()
	buf := make([]byte, 64<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			time.Sleep(delay)
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if err != io.EOF {
				_ = src.Close()
			}
			return
		}
	}
}
