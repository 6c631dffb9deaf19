package yamlguard

import (
	"strconv"
	"strings"
)

// Bomb returns the lines of a "billion laughs" for tests of the files that
// use Check: levels mapping entries, each indented by indent, the first
// holding nine copies of leaf and each next one nine aliases of the one
// before (9^levels nodes once expanded). Anchors are named a0, a1…
func Bomb(indent, leaf string, levels int) string {
	var b strings.Builder
	b.WriteString(indent + "a0: &a0 [" + strings.TrimSuffix(strings.Repeat(leaf+", ", 9), ", ") + "]\n")
	for i := 1; i < levels; i++ {
		name, prev := "a"+strconv.Itoa(i), "*a"+strconv.Itoa(i-1)
		b.WriteString(indent + name + ": &" + name + " [" + strings.TrimSuffix(strings.Repeat(prev+", ", 9), ", ") + "]\n")
	}
	return b.String()
}
