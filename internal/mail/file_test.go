package mail_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	netmail "net/mail"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/config"
	"github.com/relance/relance/internal/mail"
)

func TestFileWritesParsableEML(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "outbox")
	tr, err := mail.NewFile(dir, clock.Fixed(sendDate))
	if err != nil {
		t.Fatal(err)
	}
	m := reminder("<r1.level5/../../x@relance.example>")
	m.Attachments = []mail.Attachment{{Name: "mise-en-demeure.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4 fake")}}
	m.HTML = ""
	if err := tr.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	m2 := reminder("r2@relance.example")
	if err := tr.Send(context.Background(), m2); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if got := strings.Join(names, " "); got != "r1.level5_.._.._x@relance.example.eml r2@relance.example.eml" {
		t.Fatalf("files %q", got)
	}

	f, err := os.Open(filepath.Join(dir, "r2@relance.example.eml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	msg, err := netmail.ReadMessage(f)
	if err != nil {
		t.Fatal(err)
	}
	if got := msg.Header.Get("Message-Id"); got != "<r2@relance.example>" {
		t.Errorf("Message-Id %q", got)
	}
	if d, err := msg.Header.Date(); err != nil || !d.Equal(sendDate) {
		t.Errorf("Date %v (%v)", d, err)
	}
	p := parts(t, msg.Header, msg.Body)
	if p["text/plain"] != m2.Text || p["text/html"] != m2.HTML {
		t.Errorf("parts %q", p)
	}

	// The attachment travels in a multipart/mixed message.
	raw, err := os.ReadFile(tr.Path(m.MessageID))
	if err != nil {
		t.Fatal(err)
	}
	pm, err := netmail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	if ct := pm.Header.Get("Content-Type"); !strings.HasPrefix(ct, "multipart/mixed") {
		t.Errorf("Content-Type %q, want multipart/mixed", ct)
	}
	if !strings.Contains(string(raw), `filename="mise-en-demeure.pdf"`) || !strings.Contains(string(raw), "application/pdf") {
		t.Errorf("attachment missing:\n%s", raw)
	}
}

func TestFileSameMessageIDOverwrites(t *testing.T) {
	dir := t.TempDir()
	tr, err := mail.NewFile(dir, clock.Fixed(sendDate))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			m := reminder("same@relance.example")
			m.Subject = strings.Repeat("x", i)
			if err := tr.Send(context.Background(), m); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "same@relance.example.eml" {
		t.Fatalf("entries %v, want exactly same@relance.example.eml (no temporary file left)", entries)
	}
	f, err := os.Open(filepath.Join(dir, entries[0].Name()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := netmail.ReadMessage(f); err != nil {
		t.Errorf("the surviving file does not parse: %v", err)
	}
}

func TestFileInvalidMessageIsPermanentAndWritesNothing(t *testing.T) {
	dir := t.TempDir()
	tr, err := mail.NewFile(dir, clock.Fixed(sendDate))
	if err != nil {
		t.Fatal(err)
	}
	m := reminder("")
	if err := tr.Send(context.Background(), m); !mail.IsPermanent(err) {
		t.Errorf("no Message-ID: %v, want permanent", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("files written: %v", entries)
	}
}

func TestFromConfig(t *testing.T) {
	dir := t.TempDir()
	tr, err := mail.FromConfig(config.Mail{Transport: "file", Dir: dir}, clock.Fixed(sendDate))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tr.(*mail.File); !ok {
		t.Errorf("file transport: got %T", tr)
	}
	tr, err = mail.FromConfig(config.Mail{Transport: "smtp", SMTP: config.SMTP{Host: "127.0.0.1", Port: 2525, TLS: "none", PoolSize: 2, RatePerMinute: 600}}, clock.Fixed(sendDate))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tr.(*mail.SMTP); !ok {
		t.Errorf("smtp transport: got %T", tr)
	}
	if _, err := mail.FromConfig(config.Mail{Transport: "pigeon"}, clock.System{}); err == nil {
		t.Error("unknown transport accepted")
	}
}

// FuzzFileName checks that no Message-ID can name a file outside the
// outbox or a hidden or temporary file.
func FuzzFileName(f *testing.F) {
	for _, seed := range []string{"r1.level3@relance.example", "<a@b>", "../../etc/passwd", ".hidden@x", "a/b\\c@d", "", "é@ü", "\x00"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, id string) {
		name := mail.FileName(id)
		if !strings.HasSuffix(name, ".eml") || strings.ContainsAny(name, "/\\\x00") || strings.HasPrefix(name, ".") || filepath.Base(name) != name {
			t.Fatalf("FileName(%q) = %q", id, name)
		}
	})
}
