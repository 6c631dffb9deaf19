package yamlguard

import (
	"fmt"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// MaxNodes is the most nodes a relance YAML file may hold with its aliases
// expanded: a plan or a configuration holds a few hundred.
const MaxNodes = 100_000

// MaxDepth is the deepest nesting of mappings and sequences accepted.
const MaxDepth = 200

// Error says where an oversized expansion or nesting was found.
type Error struct {
	Line, Column int
	Msg          string
}

func (e *Error) Error() string { return fmt.Sprintf("%d:%d: %s", e.Line, e.Column, e.Msg) }

// Check returns an *Error when the documents of f, with every alias
// expanded, would hold more than max nodes or nest deeper than MaxDepth.
func Check(f *ast.File, max int) error {
	c := &counter{max: max, anchors: map[string]int{}}
	total := 0
	for _, d := range f.Docs {
		total = c.add(total, c.size(d, 0))
		if c.err != nil {
			return c.err
		}
		if total > max {
			return c.fail(d, fmt.Sprintf("YAML aliases expand to more than %d nodes (an alias bomb?)", max))
		}
	}
	return nil
}

// CheckBytes parses data and checks it. A syntax error is left to the
// caller's own parse, which reports it with its context.
func CheckBytes(data []byte, max int) error {
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil
	}
	return Check(f, max)
}

type counter struct {
	max     int
	anchors map[string]int // expanded size of each anchor's value, in document order
	err     error
}

// add sums sizes, saturating just past max.
func (c *counter) add(a, b int) int {
	if a+b > c.max {
		return c.max + 1
	}
	return a + b
}

func (c *counter) fail(n ast.Node, msg string) error {
	e := &Error{Msg: msg}
	if n != nil {
		if tk := n.GetToken(); tk != nil && tk.Position != nil {
			e.Line, e.Column = tk.Position.Line, tk.Position.Column
		}
	}
	if c.err == nil {
		c.err = e
	}
	return e
}

// size is the number of nodes n stands for, aliases expanded.
func (c *counter) size(n ast.Node, depth int) int {
	if c.err != nil || n == nil {
		return 0
	}
	if depth > MaxDepth {
		c.fail(n, fmt.Sprintf("YAML nested deeper than %d levels", MaxDepth))
		return 0
	}
	switch n := n.(type) {
	case *ast.DocumentNode:
		return c.size(n.Body, depth)
	case *ast.AnchorNode:
		s := c.size(n.Value, depth)
		if n.Name != nil {
			c.anchors[n.Name.GetToken().Value] = s
		}
		return s
	case *ast.AliasNode:
		if n.Value == nil {
			return 1
		}
		if s, ok := c.anchors[n.Value.GetToken().Value]; ok {
			return s
		}
		return 1
	case *ast.TagNode:
		return c.add(1, c.size(n.Value, depth))
	case *ast.MappingNode:
		return collection(c, n, n.Values, depth)
	case *ast.MappingValueNode:
		return c.add(c.size(n.Key, depth), c.size(n.Value, depth))
	case *ast.MappingKeyNode:
		return c.add(1, c.size(n.Value, depth))
	case *ast.SequenceNode:
		return collection(c, n, n.Values, depth)
	default:
		return 1
	}
}

// collection sizes a mapping or a sequence: itself and its values, one
// level deeper.
func collection[V ast.Node](c *counter, n ast.Node, values []V, depth int) int {
	s := 1
	for _, v := range values {
		s = c.add(s, c.size(v, depth+1))
	}
	if s > c.max {
		c.fail(n, fmt.Sprintf("YAML aliases expand to more than %d nodes (an alias bomb?)", c.max))
	}
	return s
}
