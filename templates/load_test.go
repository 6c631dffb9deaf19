package templates

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestClientNameIsEscapedInHTMLOnly(t *testing.T) {
	set, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	m := fixedMessage()
	m.Debtor.Name = `<script>alert("x")</script>`
	m.Creditor.Name = `Durand <script>`
	for _, locale := range set.Locales() {
		m.Client.Locale = locale
		for _, name := range set.Names() {
			r, err := set.Render(name, m)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(r.HTML, "<script>") {
				t.Errorf("%s/%s: HTML contains an unescaped <script>", locale, name)
			}
			if !strings.Contains(r.HTML, "Durand &lt;script&gt;") {
				t.Errorf("%s/%s: HTML lacks the escaped entity name", locale, name)
			}
			if !strings.Contains(r.Text, "Durand <script>") || !strings.Contains(r.Subject, "Durand <script>") {
				t.Errorf("%s/%s: text or subject altered the entity name", locale, name)
			}
		}
	}
}

func writeOverride(t *testing.T, dir, rel, body string) string {
	t.Helper()
	p := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOverrideReplacesOneFile(t *testing.T) {
	dir := t.TempDir()
	writeOverride(t, dir, "fr/level1.subject.tmpl", "Petit rappel pour {{.Debtor.Name}}")
	writeOverride(t, dir, "README.md", "not a template")
	set, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := set.Render("level1", fixedMessage())
	if err != nil {
		t.Fatal(err)
	}
	if r.Subject != "Petit rappel pour Boulangerie Martin & Fils" {
		t.Errorf("Subject = %q", r.Subject)
	}
	if !strings.Contains(r.Text, "simple oubli") {
		t.Errorf("the embedded text body should remain:\n%s", r.Text)
	}
}

func TestBrokenOverrideNamesFileAndLine(t *testing.T) {
	for _, tc := range []struct{ rel, body, want string }{
		{"fr/level1.txt.tmpl", "Bonjour\n\n{{money .Totals.Due}\n", "fr/level1.txt.tmpl:3: "},
		{"en/level2.html.tmpl", "{{define \"content\"}}\n<p>{{.Client.Nmae}}</p>\n{{end}}{{template \"layout\" .}}", "en/level2.html.tmpl:2:"},
		{"fr/level3.subject.tmpl", "{{monye .Totals.Due}}", `fr/level3.subject.tmpl:1: function "monye" not defined`},
		{"fr/level9.txt.tmpl", "orphan", "template fr/level9: missing level9.subject.tmpl, level9.html.tmpl"},
		{"fr/notes.tmpl", "x", "fr/notes.tmpl: unknown template file"},
	} {
		dir := t.TempDir()
		writeOverride(t, dir, tc.rel, tc.body)
		_, err := Load(dir)
		if err == nil {
			t.Errorf("%s: Load succeeded", tc.rel)
			continue
		}
		want := tc.want
		if strings.Contains(want, ".tmpl:") || strings.HasSuffix(tc.rel, "notes.tmpl") {
			want = filepath.Join(dir, want)
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %q does not contain %q", tc.rel, err, want)
		}
	}
}

func TestEmbeddedErrorsShowTemplatesPath(t *testing.T) {
	// An embedded file keeps its repository path in errors, so that a
	// developer editing templates/fr/level1.txt.tmpl finds the line.
	p, err := parse("fr", nil, source{shown: "templates/fr/x.subject.tmpl", body: "ok"},
		source{shown: "templates/fr/x.txt.tmpl", body: "a\n{{if}}"}, source{shown: "templates/fr/x.html.tmpl", body: "ok"}, nil)
	if err == nil || !strings.HasPrefix(err.Error(), "templates/fr/x.txt.tmpl:2: ") {
		t.Fatalf("parse = %v, %v; want an error at templates/fr/x.txt.tmpl:2", p, err)
	}
}

func TestLocaleFallback(t *testing.T) {
	dir := t.TempDir()
	// A German locale with only the pre-due notice.
	writeOverride(t, dir, "de/pre_due.subject.tmpl", "Zahlungserinnerung")
	writeOverride(t, dir, "de/pre_due.txt.tmpl", "Sehr geehrte Damen und Herren")
	writeOverride(t, dir, "de/pre_due.html.tmpl", "<p>Sehr geehrte Damen und Herren</p>")
	set, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, client, entity, want string
	}{
		{"level1", "en", "fr", "en"},
		{"level1", "en-GB", "fr", "en"},
		{"level1", "EN_us", "fr", "en"},
		{"level1", "", "en", "en"},
		{"level1", "it", "en", "en"},
		{"level1", "it", "es", "fr"},
		{"level1", "de", "en", "en"}, // de has no level1: the entity's locale
		{"pre_due", "de", "en", "de"},
		{"level1", "", "", "fr"},
	} {
		m := fixedMessage()
		m.Client.Locale, m.Entity.Locale = tc.client, tc.entity
		r, err := set.Render(tc.name, m)
		if err != nil {
			t.Fatal(err)
		}
		if r.Locale != tc.want {
			t.Errorf("%s client=%q entity=%q: rendered in %q, want %q", tc.name, tc.client, tc.entity, r.Locale, tc.want)
		}
	}
	if _, err := set.Render("level7", fixedMessage()); !errors.Is(err, ErrNotFound) {
		t.Errorf("Render(level7) = %v, want ErrNotFound", err)
	}
	if !set.Has("pre_due", "de") || set.Has("level1", "de") {
		t.Error("Has disagrees with the German override")
	}
}
