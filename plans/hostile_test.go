package plans

import (
	"strings"
	"testing"
)

// aliasBomb is a "billion laughs" plan: ten levels of nine aliases each,
// 9^10 nodes once expanded, placed where the loader reads values.
func aliasBomb() string {
	var b strings.Builder
	b.WriteString("version: 1\ndefaults: {min_gap: 7d}\nprofiles:\n  standard:\n    steps: &l0 [{id: a, at: +1d, channel: email, template: level1}]\n")
	prev := "l0"
	for i := 1; i <= 10; i++ {
		name := "l" + string(rune('a'+i))
		b.WriteString("  p" + name + ":\n    steps: &" + name + " [")
		for j := range 9 {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*" + prev)
		}
		b.WriteString("]\n")
		prev = name
	}
	b.WriteString("assign: [{profile: standard}]\n")
	return b.String()
}

// A plan file holding an alias bomb gets a clear error at its place, and is
// refused before anything expands it (issue 10, hostile input).
func TestHostileYAMLAliasBombInPlan(t *testing.T) {
	s, err := Load("bomb.yaml", []byte(aliasBomb()))
	if s != nil || err == nil {
		t.Fatal("an alias bomb was loaded as a plan")
	}
	if !strings.Contains(err.Error(), "bomb.yaml:") || !strings.Contains(err.Error(), "YAML aliases expand to more than 100000 nodes") {
		t.Errorf("err = %v, want the alias bomb named at its line", err)
	}
}
