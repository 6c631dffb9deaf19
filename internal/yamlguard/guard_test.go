package yamlguard

import (
	"strings"
	"testing"
)

// bomb is the classic "billion laughs": each level repeats the previous
// one nine times, 9^levels strings in all.
func bomb(levels int) string {
	var b strings.Builder
	b.WriteString(`a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]` + "\n")
	for i := 1; i < levels; i++ {
		b.WriteString("a" + itoa(i) + ": &a" + itoa(i) + " [")
		for j := range 9 {
			if j > 0 {
				b.WriteString(",")
			}
			b.WriteString("*a" + itoa(i-1))
		}
		b.WriteString("]\n")
	}
	return b.String()
}

func itoa(i int) string { return string(rune('0'+i/10)) + string(rune('0'+i%10)) }

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       string
	}{
		{"plain", "version: 1\nprofiles: {a: {steps: [{id: x}]}}\n", ""},
		{"a few aliases", "base: &b {min_gap: 7d}\nx: *b\ny: *b\n", ""},
		{"merge key", "base: &b {min_gap: 7d}\nx: {<<: *b, calendar: FR}\n", ""},
		{"billion laughs", bomb(10), "7:11: YAML aliases expand to more than 100000 nodes"},
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
