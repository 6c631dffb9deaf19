package plans

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/relance/relance/internal/money"
)

func TestDefaultLoads(t *testing.T) {
	s, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Profiles) != 3 {
		t.Fatalf("profiles = %d, want 3", len(s.Profiles))
	}
	std := s.Profile("standard")
	if std.MinGap != 7 || std.MinAmount != 1000 || std.Calendar != "FR" {
		t.Errorf("standard settings = %+v", std.Settings)
	}
	var levels []string
	for _, st := range std.LadderSteps() {
		levels = append(levels, st.ID)
		if st.Level != len(levels) {
			t.Errorf("%s level = %d", st.ID, st.Level)
		}
	}
	if got := strings.Join(levels, ","); got != "level1,level2,level3,level4,level5" {
		t.Errorf("ladder = %s", got)
	}
	if std.Steps[0].Kind != PreDue || std.Steps[0].Offset != -5 || std.Steps[6].Kind != Action {
		t.Errorf("steps = %+v", std.Steps)
	}
	ka := s.Profile("key_account")
	if ka.MinGap != 14 {
		t.Errorf("key_account min_gap = %d", ka.MinGap)
	}
	call := ka.Steps[3]
	if call.ID != "call" || call.Kind != Action || call.Action != "phone_call" || call.Offset != 30 {
		t.Errorf("key_account call = %+v", call)
	}
}

// TestEmailCopy: a registered letter is also emailed unless its step says
// email_copy: false.
func TestEmailCopy(t *testing.T) {
	for _, tt := range []struct {
		key  string
		skip bool
	}{{"", false}, {", email_copy: true", false}, {", email_copy: false", true}} {
		src := "version: 1\nprofiles: {a: {steps: [{id: l5, at: +61d, channel: registered_letter, template: formal_notice" + tt.key + "}]}}\n"
		s, err := Load("p.yaml", []byte(src))
		if err != nil {
			t.Fatalf("%q: %v", tt.key, err)
		}
		if got := s.Profile("a").Steps[0].SkipEmailCopy; got != tt.skip {
			t.Errorf("%q: SkipEmailCopy %v, want %v", tt.key, got, tt.skip)
		}
	}
}

// errorsOf loads src and returns its error lines.
func errorsOf(t *testing.T, src string) []string {
	t.Helper()
	_, err := Load("p.yaml", []byte(src))
	if err == nil {
		return nil
	}
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("err %T is not an ErrorList: %v", err, err)
	}
	return strings.Split(list.Error(), "\n")
}

func TestLoadReportsEveryError(t *testing.T) {
	src := `version: 1
defaults: {min_gap: 7x, min_amount: "-3", calendar: XX}
profiles:
  standard:
    colour: blue
    steps:
      - {id: pre_due, at: -5d, channel: email, template: pre_due}
      - {id: level1, at: 31, channel: email, template: level1}
      - {id: level1, at: +15d, channel: email, template: level2}
      - {id: level3, at: +10d, channel: email, template: level3}
      - {id: level4, at: +45d, channel: fax, template: level4}
      - {id: level5, at: +61d, channel: registered_letter}
      - {id: call, at: +70d, action: phone_call, channel: email}
      - {id: prov, at: +121d, action: shred}
assign:
  - {profile: gold, score: [Z]}
  - {profile: standard, min_outstanding: abc}
`
	got := errorsOf(t, src)
	want := []string{
		`p.yaml:2:21: min_gap: want a number of days of at least 1, like 7d ("7x")`,
		`p.yaml:2:37: min_amount: want a non-negative amount, like "10.00" ("-3")`,
		`p.yaml:2:53: calendar: unknown country`,
		`p.yaml:5:5: profile standard: unknown key`,
		`p.yaml:8:26: step level1: bad offset`,
		`p.yaml:9:14: profile standard: duplicate step id ("level1")`,
		`p.yaml:10:26: profile standard: offsets out of order`,
		`p.yaml:11:41: step level4: unknown channel (want email or registered_letter) ("fax")`,
		`p.yaml:12:41: step level5: channel without a template ("registered_letter")`,
		`p.yaml:13:59: step call: an action step has no channel ("email")`,
		`p.yaml:14:39: step prov: unknown action (want provision or phone_call) ("shred")`,
		`p.yaml:16:28: assign: unknown score "Z"`,
		`p.yaml:17:42: assign: min_outstanding: want an amount`,
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			if strings.HasPrefix(g, w) {
				found = true
			}
		}
		if !found {
			t.Errorf("missing error %q", w)
		}
	}
	if t.Failed() || len(got) != len(want) {
		t.Errorf("got %d errors, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"version", "version: 2\nprofiles: {a: {steps: [{id: x, at: +1d, action: provision}]}}\n", "p.yaml:1:10: version: want 1"},
		{"no version", "profiles: {a: {steps: [{id: x, at: +1d, action: provision}]}}\n", "version: missing"},
		{"unknown top key", "version: 1\nprofile: {}\n", "p.yaml:2:1: unknown key"},
		{"unknown profile in assign", "version: 1\nprofiles: {a: {steps: [{id: x, at: +1d, action: provision}]}}\nassign: [{profile: b}]\n", "p.yaml:3:20: assign: unknown profile (\"b\")"},
		{"bad indentation", "version: 1\nprofiles:\n  standard:\n    steps:\n      - id: a\n        at: +1d\n       channel: email\n", "p.yaml:7:"},
		{"template without channel", "version: 1\nprofiles: {a: {steps: [{id: x, at: +1d, template: t}]}}\n", "template without a channel"},
		{"send window", "version: 1\ndefaults: {send_window: \"18:00-09:00\"}\nprofiles: {a: {steps: [{id: x, at: +1d, action: provision}]}}\n", "p.yaml:2:25: send_window"},
		{"duplicate key", "version: 1\nversion: 1\n", "p.yaml:2:1:"},
		{"empty", "", "want exactly one YAML document"},
		{"no steps", "version: 1\nprofiles: {a: {min_gap: 3d}}\n", "profile has no steps"},
		{"positive min_gap", "version: 1\ndefaults: {min_gap: -3d}\nprofiles: {a: {steps: [{id: x, at: +1d, action: provision}]}}\n", "min_gap"},
		{"email_copy on an email step", "version: 1\nprofiles: {a: {steps: [{id: x, at: +1d, channel: email, template: t, email_copy: false}]}}\n",
			"p.yaml:2:82: step x: email_copy is for a registered_letter step"},
		{"email_copy not a boolean", "version: 1\nprofiles: {a: {steps: [{id: x, at: +1d, channel: registered_letter, template: t, email_copy: no}]}}\n",
			"p.yaml:2:94: step x: email_copy: want true or false"},
		{"email_copy on an action", "version: 1\nprofiles: {a: {steps: [{id: x, at: +1d, action: provision, email_copy: true}]}}\n",
			"step x: email_copy is for a registered_letter step"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := strings.Join(errorsOf(t, tt.src), "\n")
			if !strings.Contains(got, tt.want) {
				t.Errorf("errors:\n%s\nwant one containing %q", got, tt.want)
			}
		})
	}
}

type fakeTemplates map[string]bool

func (f fakeTemplates) Has(name, locale string) bool { return f[name+"/"+locale] }

func TestCheckTemplates(t *testing.T) {
	s, err := Load("p.yaml", []byte("version: 1\nprofiles:\n  a:\n    steps:\n      - {id: l1, at: +1d, channel: email, template: level1}\n      - {id: p, at: +90d, action: provision}\n"))
	if err != nil {
		t.Fatal(err)
	}
	errs := s.CheckTemplates(fakeTemplates{"level1/fr": true}, []string{"fr", "en"})
	if len(errs) != 1 || errs[0].Error() != `p.yaml:5:53: profile a, step l1: no template for locale en ("level1")` {
		t.Errorf("errs = %v", errs)
	}
}

func TestLoadFilesMergesAndRejectsDuplicateProfiles(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.yaml")
	b := filepath.Join(dir, "b.yaml")
	os.WriteFile(a, []byte("version: 1\nprofiles: {x: {steps: [{id: s, at: +1d, action: provision}]}}\n"), 0o600)
	os.WriteFile(b, []byte("version: 1\nprofiles: {y: {steps: [{id: s, at: +1d, action: provision}]}}\nassign: [{profile: x, country: [DE]}, {profile: y}]\n"), 0o600)
	s, err := LoadFiles([]string{a, b})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Profiles) != 2 || len(s.Assign) != 2 {
		t.Fatalf("merged = %+v", s)
	}
	if _, err := LoadFiles([]string{a, a}); err == nil || !strings.Contains(err.Error(), "profile already defined") {
		t.Errorf("err = %v", err)
	}
}

func TestAssign(t *testing.T) {
	s, err := Load("p.yaml", []byte(`version: 1
profiles:
  standard: {steps: [{id: s, at: +1d, action: provision}]}
  risky: {steps: [{id: s, at: +1d, action: provision}]}
  key_account: {steps: [{id: s, at: +1d, action: provision}]}
  export: {steps: [{id: s, at: +1d, action: provision}]}
assign:
  - {profile: risky, score: [D, E]}
  - {profile: key_account, min_outstanding: "100000.00", segment: [grands-comptes]}
  - {profile: export, country: [DE, GB]}
`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		c    Client
		want string
	}{
		{"explicit wins over rules", Client{Profile: "export", Score: "E"}, "export"},
		{"unknown explicit falls through", Client{Profile: "gold", Score: "D"}, "risky"},
		{"score", Client{Score: "e"}, "risky"},
		{"outstanding and segment", Client{Outstanding: money.Amount(10_000_000), Segment: "Grands-Comptes"}, "key_account"},
		{"outstanding too low", Client{Outstanding: money.Amount(9_999_999), Segment: "grands-comptes"}, "standard"},
		{"country", Client{Country: "DE", Score: "A"}, "export"},
		{"first matching rule", Client{Country: "DE", Score: "D"}, "risky"},
		{"nothing matches: standard", Client{Country: "FR"}, "standard"},
	}
	for _, tt := range tests {
		if got := s.ProfileFor(tt.c).Name; got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
		}
	}
}
