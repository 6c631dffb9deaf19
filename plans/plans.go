// Package plans holds reminder plans: the YAML schema, the embedded default
// plans, loading and validation, profile assignment and next-step resolution.
//
// A plan file holds one or more profiles. A profile is an ordered list of
// steps at offsets from the due date. Message steps before (or at) the due
// date are pre-due notices; message steps after it form the ladder (levels
// 1..n); action steps (provision, phone_call) are outside the ladder.
package plans

import (
	_ "embed"

	"github.com/goccy/go-yaml/token"

	"github.com/relance/relance/internal/money"
)

// DefaultYAML is the embedded default plan file (plans/default.yaml).
//
//go:embed default.yaml
var DefaultYAML []byte

// DefaultFile is the name errors in DefaultYAML are reported under.
const DefaultFile = "plans/default.yaml"

// Set is a loaded, validated plan file (or several merged): profiles in file
// order and the assignment rules.
type Set struct {
	Version  int
	Defaults Settings
	Profiles []*Profile
	Assign   []Rule
}

// Settings are the knobs a profile inherits from the file's defaults and may
// override.
type Settings struct {
	MinGap     int          // days between two ladder steps of one invoice
	MinAmount  money.Amount // an invoice with less outstanding is not reminded
	Calendar   string       // country code of the business-day calendar (FR)
	SendWindow string       // local hours, "09:00-18:00"
}

// Profile is one named plan, with its effective settings (defaults merged).
type Profile struct {
	Name string
	Settings
	Steps []Step

	pos Position // where the profile's name is written
}

// StepKind tells pre-due notices, ladder steps and actions apart.
type StepKind int

const (
	PreDue StepKind = iota // a message at or before the due date
	Ladder                 // a message after the due date: levels 1..n
	Action                 // provision, phone_call: no message, not on the ladder
)

// Step is one step of a profile.
type Step struct {
	ID        string
	Offset    int    // days from the due date; negative before it
	Channel   string // email or registered_letter; empty for actions
	Template  string // template name; empty for actions
	Penalties bool   // the message states late penalties and the indemnity
	Action    string // provision or phone_call; empty for messages
	Kind      StepKind
	Level     int // 0 for pre-due and actions; 1..n on the ladder

	// SkipEmailCopy is `email_copy: false` on a registered_letter step: the
	// letter is not also emailed to the client with its PDF attached (by
	// default it is).
	SkipEmailCopy bool

	Pos         Position // where the step is written
	TemplatePos Position // where its template name is written, for CheckTemplates

	idPos  *token.Token
	atPos  *token.Token
	atText string
}

// Rule assigns a profile to clients that match every condition it sets. An
// empty rule matches everyone, so a last `{profile: standard}` is the default.
type Rule struct {
	Profile        string
	Score          []string      // payer scores A–E
	MinOutstanding *money.Amount // net outstanding at least this
	MaxOutstanding *money.Amount // net outstanding at most this
	Country        []string
	Segment        []string

	pos Position // where the rule's profile is written
}

// Profile returns the named profile, or nil.
func (s *Set) Profile(name string) *Profile {
	for _, p := range s.Profiles {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// LadderSteps returns the profile's ladder steps in order (level 1 first).
func (p *Profile) LadderSteps() []Step {
	var out []Step
	for _, st := range p.Steps {
		if st.Kind == Ladder {
			out = append(out, st)
		}
	}
	return out
}
