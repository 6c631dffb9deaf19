package plans

import (
	"strings"
	"testing"

	"github.com/relance/relance/internal/yamlguard"
)

// aliasBomb is a "billion laughs" plan: ten profiles, each nine aliases of
// the one before, 9^10 steps once expanded.
func aliasBomb() string {
	return "version: 1\nprofiles:\n" + yamlguard.Bomb("  ", "{id: a, at: +1d, channel: email, template: level1}", 10) +
		"assign: [{profile: a0}]\n"
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
