package penalty

import (
	"strings"
	"testing"

	"github.com/relance/relance/internal/yamlguard"
)

// A rates file (penalties.rates_file) holding an alias bomb is refused
// before goccy/go-yaml expands it.
func TestHostileYAMLAliasBombInRates(t *testing.T) {
	bomb := yamlguard.Bomb("", `{from: "2025-01-01", rate: "1%"}`, 10) + "ecb_mro: *a9\n"
	r, err := parseRates("rates.yaml", []byte(bomb), nil)
	if r != nil || err == nil || !strings.Contains(err.Error(), "penalty rates rates.yaml:") || !strings.Contains(err.Error(), "YAML aliases expand to more than") {
		t.Errorf("err = %v, want the alias bomb refused", err)
	}
}
