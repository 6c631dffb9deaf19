package penalty

import (
	"strings"
	"testing"
)

// A rates file (penalties.rates_file) holding an alias bomb is refused
// before goccy/go-yaml expands it.
func TestHostileYAMLAliasBombInRates(t *testing.T) {
	var b strings.Builder
	b.WriteString("x0: &a0 [{from: \"2025-01-01\", rate: \"1%\"}]\n")
	for i := 1; i < 10; i++ {
		name, prev := "a"+string(rune('0'+i)), "a"+string(rune('0'+i-1))
		b.WriteString("x" + string(rune('0'+i)) + ": &" + name + " [" + strings.TrimSuffix(strings.Repeat("*"+prev+",", 9), ",") + "]\n")
	}
	b.WriteString("ecb_mro: *a9\n")
	r, err := parseRates("rates.yaml", []byte(b.String()), nil)
	if r != nil || err == nil || !strings.Contains(err.Error(), "penalty rates rates.yaml:") || !strings.Contains(err.Error(), "YAML aliases expand to more than") {
		t.Errorf("err = %v, want the alias bomb refused", err)
	}
}
