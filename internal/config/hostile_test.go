package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A configuration file holding an alias bomb under a key that takes any
// string (provision.rates) kept yaml.Unmarshal expanding 9^10 strings; it is
// now refused before decoding, naming the file, line and column.
func TestHostileYAMLAliasBombInConfig(t *testing.T) {
	var b strings.Builder
	b.WriteString("provision:\n  rates:\n    a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n")
	for i := 1; i < 10; i++ {
		name, prev := "a"+string(rune('0'+i)), "a"+string(rune('0'+i-1))
		b.WriteString("    " + name + ": &" + name + " [" + strings.TrimSuffix(strings.Repeat("*"+prev+",", 9), ",") + "]\n")
	}
	path := filepath.Join(t.TempDir(), "relance.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path, nil)
	if err == nil || !strings.Contains(err.Error(), "config "+path+":8:") || !strings.Contains(err.Error(), "YAML aliases expand to more than") {
		t.Errorf("err = %v, want the alias bomb refused at %s:8", err, path)
	}
}
