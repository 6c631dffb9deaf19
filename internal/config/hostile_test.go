package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/relance/relance/internal/yamlguard"
)

// A configuration file holding an alias bomb under a key that takes any
// string (provision.rates) kept yaml.Unmarshal expanding 9^10 strings; it is
// now refused before decoding, naming the file, line and column.
func TestHostileYAMLAliasBombInConfig(t *testing.T) {
	bomb := "provision:\n  rates:\n" + yamlguard.Bomb("    ", `"lol"`, 10)
	path := filepath.Join(t.TempDir(), "relance.yaml")
	if err := os.WriteFile(path, []byte(bomb), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path, nil)
	if err == nil || !strings.Contains(err.Error(), "config "+path+":8:") || !strings.Contains(err.Error(), "YAML aliases expand to more than") {
		t.Errorf("err = %v, want the alias bomb refused at %s:8", err, path)
	}
}
