// Package lettertest reads letters back for tests: the text of a PDF as
// pdftotext (poppler-utils) extracts it, so that a test checks what a reader
// of the letter sees.
package lettertest

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var (
	blanks = regexp.MustCompile(`[ \t]+`)
	spaces = regexp.MustCompile(`\s+`)
)

// Text returns the text of pdf with its layout kept (a table row on one
// line), no-break spaces made plain and runs of spaces folded to one. The
// test fails when pdftotext is missing: make deps installs it.
func Text(t testing.TB, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext not found: install poppler-utils (make deps does)")
	}
	path := filepath.Join(t.TempDir(), "letter.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := strings.NewReplacer("\u00a0", " ", "\u202f", " ").Replace(string(out))
	return blanks.ReplaceAllString(text, " ")
}

// Flat joins the lines of a text, so that a sentence wrapped across lines
// reads as one; a table row is on one line already.
func Flat(text string) string { return spaces.ReplaceAllString(text, " ") }
