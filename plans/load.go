package plans

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"

	"github.com/relance/relance/internal/calendar"
	"github.com/relance/relance/internal/config"
	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/yamlguard"
)

// Channels a message step may use.
var Channels = []string{"email", "registered_letter"}

// Actions an action step may take.
var Actions = []string{"provision", "phone_call"}

// Scores are the payer scores an assign rule may match, best first.
var Scores = []string{"A", "B", "C", "D", "E"}

// maxOffset bounds step offsets (ten years) so that date arithmetic stays sane.
const maxOffset = 3650

// Error is one problem of a plan file, at a place in it.
type Error struct {
	File         string
	Line, Column int    // 1-based; 0 when the place is unknown
	Text         string // the offending text, when there is one
	Msg          string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Column)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	if e.Text != "" {
		fmt.Fprintf(&b, " (%q)", e.Text)
	}
	return b.String()
}

// ErrorList is every problem found in one load, in file order. Load and
// LoadFiles return it as their error; its Error joins the lines.
type ErrorList []*Error

func (l ErrorList) Error() string {
	lines := make([]string, len(l))
	for i, e := range l {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap lets errors.As reach each *Error.
func (l ErrorList) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}

// Default loads the embedded default plans.
func Default() (*Set, error) { return Load(DefaultFile, DefaultYAML) }

// LoadFiles loads and merges several plan files: their profiles (a profile
// name may appear in one file only) and their assign rules, in the order
// given. Every file is checked and every problem of every file is returned.
// The merged set's Defaults are the first file's.
func LoadFiles(paths []string) (*Set, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("plans: no plan file given")
	}
	var merged *Set
	var errs ErrorList
	seen := map[string]string{} // profile → file
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			errs = append(errs, &Error{File: path, Msg: err.Error()})
			continue
		}
		s, fileErrs := load(path, data)
		errs = append(errs, fileErrs...)
		if s == nil {
			continue
		}
		for _, p := range s.Profiles {
			if f, dup := seen[p.Name]; dup {
				errs = append(errs, &Error{File: path, Line: p.pos.Line, Column: p.pos.Column, Text: p.Name,
					Msg: "profile already defined in " + f})
			}
			seen[p.Name] = path
		}
		if merged == nil {
			merged = s
			continue
		}
		merged.Profiles = append(merged.Profiles, s.Profiles...)
		merged.Assign = append(merged.Assign, s.Assign...)
	}
	if merged != nil {
		// Rules may name a profile of another file: check them on the merged set.
		errs = append(errs, merged.checkAssign()...)
	}
	if len(errs) > 0 {
		sortByFile(errs, paths)
		return nil, errs
	}
	return merged, nil
}

// sortByFile orders errors by the order of their files in paths, then by
// place, so that each file's errors come together.
func sortByFile(errs ErrorList, paths []string) {
	rank := map[string]int{}
	for i, p := range paths {
		if _, ok := rank[p]; !ok {
			rank[p] = i
		}
	}
	sort.SliceStable(errs, func(i, j int) bool {
		a, b := errs[i], errs[j]
		if rank[a.File] != rank[b.File] {
			return rank[a.File] < rank[b.File]
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
}

// checkAssign reports assign rules naming a profile the set does not have.
func (s *Set) checkAssign() ErrorList {
	var errs ErrorList
	for _, r := range s.Assign {
		if r.Profile != "" && s.Profile(r.Profile) == nil {
			errs = append(errs, &Error{File: r.pos.File, Line: r.pos.Line, Column: r.pos.Column, Text: r.Profile, Msg: "assign: unknown profile"})
		}
	}
	return errs
}

// Load parses and validates one plan file; name is used in error messages.
// It reports every problem it finds (ErrorList), each with file:line:column;
// a YAML syntax error stops it at that error. Assign rules must name profiles
// of this file.
func Load(name string, data []byte) (*Set, error) {
	s, errs := load(name, data)
	if s != nil {
		errs = append(errs, s.checkAssign()...)
	}
	if len(errs) > 0 {
		sortByFile(errs, []string{name})
		return nil, errs
	}
	return s, nil
}

// Position is where something was written in a plan file.
type Position struct {
	File         string
	Line, Column int
}

type loader struct {
	file string
	errs ErrorList
}

func (l *loader) errAt(tk *token.Token, text, format string, args ...any) {
	e := &Error{File: l.file, Text: text, Msg: fmt.Sprintf(format, args...)}
	if tk != nil && tk.Position != nil {
		e.Line, e.Column = tk.Position.Line, tk.Position.Column
	}
	l.errs = append(l.errs, e)
}

func (l *loader) errNode(n ast.Node, format string, args ...any) {
	var tk *token.Token
	if n != nil {
		tk = n.GetToken()
	}
	l.errAt(tk, scalarText(n), format, args...)
}

func (l *loader) pos(n ast.Node) Position {
	p := Position{File: l.file}
	if n != nil {
		if tk := n.GetToken(); tk != nil && tk.Position != nil {
			p.Line, p.Column = tk.Position.Line, tk.Position.Column
		}
	}
	return p
}

func load(name string, data []byte) (*Set, ErrorList) {
	l := &loader{file: name}
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		if ye, ok := err.(yaml.Error); ok {
			l.errAt(ye.GetToken(), "", "YAML: %s (check the indentation and the quoting)", ye.GetMessage())
		} else {
			l.errAt(nil, "", "%v", err)
		}
		return nil, l.errs
	}
	// The loader walks the syntax tree and never expands an alias, but a
	// bomb is refused with a clear error all the same.
	if err := yamlguard.Check(f, yamlguard.MaxNodes); err != nil {
		var ge *yamlguard.Error
		if errors.As(err, &ge) {
			l.errs = append(l.errs, &Error{File: name, Line: ge.Line, Column: ge.Column, Msg: ge.Msg})
		}
		return nil, l.errs
	}
	if len(f.Docs) != 1 || f.Docs[0] == nil || f.Docs[0].Body == nil {
		l.errAt(nil, "", "want exactly one YAML document with version, defaults, profiles and assign")
		return nil, l.errs
	}
	s := &Set{Defaults: Settings{MinGap: 7, MinAmount: 0, Calendar: calendar.Default, SendWindow: "09:00-18:00"}}
	top := l.mapping(f.Docs[0].Body, "the plan file")
	var profilesNode, defaultsNode, assignNode ast.Node
	versionSeen := false
	for _, kv := range top {
		switch key := keyName(kv); key {
		case "version":
			versionSeen = true
			if v := scalarText(kv.Value); v != "1" {
				l.errNode(kv.Value, "version: want 1")
			}
			s.Version = 1
		case "defaults":
			defaultsNode = kv.Value
		case "profiles":
			profilesNode = kv.Value
		case "assign":
			assignNode = kv.Value
		default:
			l.errAt(kv.Key.GetToken(), key, "unknown key (want version, defaults, profiles or assign)")
		}
	}
	if top != nil && !versionSeen {
		l.errNode(f.Docs[0].Body, "version: missing (want version: 1)")
	}
	if defaultsNode != nil {
		for _, kv := range l.mapping(defaultsNode, "defaults") {
			if !l.setting(&s.Defaults, kv) {
				l.errAt(kv.Key.GetToken(), keyName(kv), "defaults: unknown key (want min_gap, min_amount, calendar or send_window)")
			}
		}
	}
	if profilesNode == nil {
		if top != nil {
			l.errNode(f.Docs[0].Body, "profiles: missing (a plan file defines at least one profile)")
		}
	} else {
		for _, kv := range l.mapping(profilesNode, "profiles") {
			if p := l.profile(kv, s.Defaults); p != nil {
				if s.Profile(p.Name) != nil {
					l.errAt(kv.Key.GetToken(), p.Name, "duplicate profile")
					continue
				}
				s.Profiles = append(s.Profiles, p)
			}
		}
	}
	if assignNode != nil {
		for _, item := range l.sequence(assignNode, "assign") {
			if r, ok := l.rule(item); ok {
				s.Assign = append(s.Assign, r)
			}
		}
	}
	return s, l.errs
}

// mapping returns the entries of a mapping node, or reports what it is.
func (l *loader) mapping(n ast.Node, what string) []*ast.MappingValueNode {
	switch m := unwrap(n).(type) {
	case *ast.MappingNode:
		// goccy/go-yaml reports duplicate keys as a parse error already.
		return m.Values
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{m}
	case *ast.NullNode:
		return nil
	}
	l.errNode(n, "%s: want a mapping (key: value)", what)
	return nil
}

func (l *loader) sequence(n ast.Node, what string) []ast.Node {
	switch s := unwrap(n).(type) {
	case *ast.SequenceNode:
		return s.Values
	case *ast.NullNode:
		return nil
	}
	l.errNode(n, "%s: want a list", what)
	return nil
}

// unwrap looks through anchors and tags to the value.
func unwrap(n ast.Node) ast.Node {
	for {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.TagNode:
			n = v.Value
		default:
			return n
		}
	}
}

func keyName(kv *ast.MappingValueNode) string {
	if kv == nil || kv.Key == nil {
		return ""
	}
	return scalarText(kv.Key)
}

// scalarText is a scalar's text as written (unquoted); "" for anything else.
func scalarText(n ast.Node) string {
	if n == nil {
		return ""
	}
	switch v := unwrap(n).(type) {
	case *ast.StringNode:
		return v.Value
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		if tk := v.GetToken(); tk != nil {
			return tk.Value
		}
	case *ast.MappingKeyNode:
		return scalarText(v.Value)
	}
	return ""
}

// scalar returns a scalar's text or reports that a scalar was wanted.
func (l *loader) scalar(n ast.Node, key string) (string, bool) {
	switch unwrap(n).(type) {
	case *ast.StringNode, *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode:
		return scalarText(n), true
	}
	l.errNode(n, "%s: want a single value", key)
	return "", false
}

var daysRe = regexp.MustCompile(`^([+-]?)([0-9]{1,5})d$`)

// parseDays reads "7d", "+31d", "-5d", "0d".
func parseDays(s string) (int, bool) {
	m := daysRe.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	n, err := strconv.Atoi(m[2])
	if err != nil || n > maxOffset {
		return 0, false
	}
	if m[1] == "-" {
		n = -n
	}
	return n, true
}

// setting applies one settings key; false if key is not a setting.
func (l *loader) setting(st *Settings, kv *ast.MappingValueNode) bool {
	key := keyName(kv)
	switch key {
	case "min_gap", "min_amount", "calendar", "send_window":
	default:
		return false
	}
	v, ok := l.scalar(kv.Value, key)
	if !ok {
		return true
	}
	switch key {
	case "min_gap":
		n, ok := parseDays(v)
		if !ok || n < 1 || strings.HasPrefix(v, "-") {
			l.errNode(kv.Value, "min_gap: want a number of days of at least 1, like 7d")
			return true
		}
		st.MinGap = n
	case "min_amount":
		a, err := money.Parse(v)
		if err != nil || a < 0 {
			l.errNode(kv.Value, "min_amount: want a non-negative amount, like \"10.00\"")
			return true
		}
		st.MinAmount = a
	case "calendar":
		if !calendar.Known(v) || v == "" {
			l.errNode(kv.Value, "calendar: unknown country (known: %s)", strings.Join(calendar.Countries(), ", "))
			return true
		}
		st.Calendar = strings.ToUpper(v)
	case "send_window":
		if _, _, err := config.ParseWindow(v); err != nil {
			l.errNode(kv.Value, "send_window: want HH:MM-HH:MM with start before end")
			return true
		}
		st.SendWindow = v
	}
	return true
}

var idRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

func (l *loader) profile(kv *ast.MappingValueNode, defaults Settings) *Profile {
	name := keyName(kv)
	p := &Profile{Name: name, Settings: defaults, pos: l.pos(kv.Key)}
	if !idRe.MatchString(name) {
		l.errAt(kv.Key.GetToken(), name, "profile name: want lower-case letters, digits and _")
	}
	var stepsNode ast.Node
	for _, e := range l.mapping(kv.Value, "profile "+name) {
		if keyName(e) == "steps" {
			stepsNode = e.Value
			continue
		}
		if !l.setting(&p.Settings, e) {
			l.errAt(e.Key.GetToken(), keyName(e), "profile %s: unknown key (want steps, min_gap, min_amount, calendar or send_window)", name)
		}
	}
	items := l.sequence(stepsNode, "profile "+name+": steps")
	if stepsNode == nil || len(items) == 0 {
		l.errAt(kv.Key.GetToken(), name, "profile has no steps")
		return p
	}
	ids := map[string]bool{}
	prev := -maxOffset - 1
	prevMsg := -maxOffset - 1
	level := 0
	for _, item := range items {
		st, ok := l.step(item, name)
		if st.ID != "" && ids[st.ID] {
			l.errAt(st.idPos, st.ID, "profile %s: duplicate step id", name)
		}
		ids[st.ID] = true
		if !ok {
			continue
		}
		if st.Offset < prev || (st.Kind != Action && st.Offset <= prevMsg) {
			l.errAt(st.atPos, st.atText, "profile %s: offsets out of order: each step must come after the one before it", name)
		}
		prev = max(prev, st.Offset)
		if st.Kind != Action {
			prevMsg = max(prevMsg, st.Offset)
		}
		if st.Kind == Ladder {
			level++
			st.Level = level
		}
		p.Steps = append(p.Steps, st)
	}
	return p
}

func (l *loader) step(n ast.Node, profile string) (Step, bool) {
	var st Step
	entries := l.mapping(n, "profile "+profile+": step")
	if entries == nil {
		return st, false
	}
	start := len(l.errs)
	var channelNode, actionNode, templateNode, atNode, penaltiesNode, copyNode ast.Node
	for _, kv := range entries {
		key := keyName(kv)
		switch key {
		case "id":
			v, _ := l.scalar(kv.Value, key)
			st.ID = v
			st.idPos = kv.Value.GetToken()
			if !idRe.MatchString(v) {
				l.errNode(kv.Value, "step id: want lower-case letters, digits and _")
			}
		case "at":
			atNode = kv.Value
		case "channel":
			channelNode = kv.Value
		case "template":
			templateNode = kv.Value
		case "penalties":
			penaltiesNode = kv.Value
		case "action":
			actionNode = kv.Value
		case "email_copy":
			copyNode = kv.Value
		default:
			l.errAt(kv.Key.GetToken(), key, "step: unknown key (want id, at, channel, template, penalties, email_copy or action)")
		}
	}
	where := l.pos(n)
	if st.ID == "" {
		l.errAt(n.GetToken(), "", "step: missing id")
	}
	if atNode == nil {
		l.errAt(n.GetToken(), st.ID, "step: missing at (an offset from the due date like -5d, 0d or +31d)")
	} else {
		st.atText = scalarText(atNode)
		st.atPos = atNode.GetToken()
		off, ok := parseDays(st.atText)
		if !ok {
			l.errNode(atNode, "step %s: bad offset: want days from the due date like -5d, 0d or +31d", st.ID)
		}
		st.Offset = off
	}
	if channelNode != nil {
		st.Channel, _ = l.scalar(channelNode, "channel")
		if !contains(Channels, st.Channel) {
			l.errNode(channelNode, "step %s: unknown channel (want %s)", st.ID, strings.Join(Channels, " or "))
		}
	}
	if templateNode != nil {
		st.Template, _ = l.scalar(templateNode, "template")
		st.TemplatePos = l.pos(templateNode)
		if !idRe.MatchString(st.Template) {
			l.errNode(templateNode, "step %s: template name: want lower-case letters, digits and _", st.ID)
		}
	}
	if penaltiesNode != nil {
		switch scalarText(penaltiesNode) {
		case "true":
			st.Penalties = true
		case "false":
		default:
			l.errNode(penaltiesNode, "step %s: penalties: want true or false", st.ID)
		}
	}
	if copyNode != nil {
		switch scalarText(copyNode) {
		case "true":
		case "false":
			st.SkipEmailCopy = true
		default:
			l.errNode(copyNode, "step %s: email_copy: want true or false", st.ID)
		}
		if st.Channel != "registered_letter" {
			l.errNode(copyNode, "step %s: email_copy is for a registered_letter step (its letter is also emailed with the PDF attached unless false)", st.ID)
		}
	}
	if actionNode != nil {
		st.Action, _ = l.scalar(actionNode, "action")
		if !contains(Actions, st.Action) {
			l.errNode(actionNode, "step %s: unknown action (want %s)", st.ID, strings.Join(Actions, " or "))
		}
		if channelNode != nil {
			l.errNode(channelNode, "step %s: an action step has no channel", st.ID)
		}
		if templateNode != nil {
			l.errNode(templateNode, "step %s: an action step has no template", st.ID)
		}
		if penaltiesNode != nil {
			l.errNode(penaltiesNode, "step %s: an action step states no penalties", st.ID)
		}
		st.Kind = Action
	} else {
		switch {
		case channelNode == nil:
			l.errAt(n.GetToken(), st.ID, "step: want a channel and a template (a message) or an action")
		case templateNode == nil:
			l.errNode(channelNode, "step %s: channel without a template", st.ID)
		}
		if channelNode == nil && templateNode != nil {
			l.errNode(templateNode, "step %s: template without a channel", st.ID)
		}
		st.Kind = Ladder
		if st.Offset <= 0 {
			st.Kind = PreDue
			if st.Penalties {
				l.errNode(penaltiesNode, "step %s: a pre-due notice states no penalties", st.ID)
			}
		}
	}
	st.Pos = where
	return st, len(l.errs) == start
}

func (l *loader) rule(n ast.Node) (Rule, bool) {
	var r Rule
	start := len(l.errs)
	r.pos = l.pos(n)
	for _, kv := range l.mapping(n, "assign rule") {
		key := keyName(kv)
		switch key {
		case "profile":
			r.Profile, _ = l.scalar(kv.Value, key)
			r.pos = l.pos(kv.Value)
		case "score", "country", "segment":
			var vals []string
			if seq, ok := unwrap(kv.Value).(*ast.SequenceNode); ok {
				for _, v := range seq.Values {
					s, _ := l.scalar(v, key)
					vals = append(vals, s)
				}
			} else if s, ok := l.scalar(kv.Value, key); ok {
				vals = []string{s}
			}
			for _, v := range vals {
				switch {
				case key == "score" && !contains(Scores, v):
					l.errNode(kv.Value, "assign: unknown score %q (want %s)", v, strings.Join(Scores, ", "))
				case key == "country" && !regexp.MustCompile(`^[A-Z]{2}$`).MatchString(v):
					l.errNode(kv.Value, "assign: country %q: want an upper-case ISO code like FR", v)
				case key == "segment" && v == "":
					l.errNode(kv.Value, "assign: empty segment")
				}
			}
			switch key {
			case "score":
				r.Score = vals
			case "country":
				r.Country = vals
			case "segment":
				r.Segment = vals
			}
		case "min_outstanding", "max_outstanding":
			v, _ := l.scalar(kv.Value, key)
			a, err := money.Parse(v)
			if err != nil {
				l.errNode(kv.Value, "assign: %s: want an amount like \"10000.00\"", key)
				continue
			}
			if key == "min_outstanding" {
				r.MinOutstanding = &a
			} else {
				r.MaxOutstanding = &a
			}
		default:
			l.errAt(kv.Key.GetToken(), key, "assign: unknown key (want profile, score, min_outstanding, max_outstanding, country or segment)")
		}
	}
	if r.Profile == "" {
		l.errNode(n, "assign: rule without a profile")
	}
	if r.MinOutstanding != nil && r.MaxOutstanding != nil && *r.MinOutstanding > *r.MaxOutstanding {
		l.errNode(n, "assign: min_outstanding above max_outstanding")
	}
	return r, len(l.errs) == start
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
