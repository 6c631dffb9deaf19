package yamlguard

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       string
	}{
		{"plain", "version: 1\nprofiles: {a: {steps: [{id: x}]}}\n", ""},
		{"a few aliases", "base: &b {min_gap: 7d}\nx: *b\ny: *b\n", ""},
		{"merge key", "base: &b {min_gap: 7d}\nx: {<<: *b, calendar: FR}\n", ""},
		{"billion laughs", Bomb("", `"lol"`, 10), "6:9: YAML aliases expand to more than 100000 nodes"},
		{"deep", strings.Repeat("[", 300) + strings.Repeat("]", 300) + "\n", "YAML nested deeper than 200 levels"},
		{"self reference", "a: &a [*a, *a]\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckBytes([]byte(tc.yaml), MaxNodes)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("err = %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
