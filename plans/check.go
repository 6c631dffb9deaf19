package plans

import (
	"slices"
	"strings"

	"github.com/relance/relance/internal/money"
)

// TemplateChecker says whether a template exists for a locale. The templates
// package's *Set satisfies it; plans does not import templates.
type TemplateChecker interface {
	Has(name, locale string) bool
}

// CheckTemplates reports, for every message step of every profile, each
// locale of locales for which tc has no template of that name. Each error is
// an *Error at the step's template name. A nil tc checks nothing.
func (s *Set) CheckTemplates(tc TemplateChecker, locales []string) []error {
	if tc == nil {
		return nil
	}
	var errs []error
	for _, p := range s.Profiles {
		for _, st := range p.Steps {
			if st.Kind == Action {
				continue
			}
			for _, loc := range locales {
				if !tc.Has(st.Template, loc) {
					errs = append(errs, &Error{File: st.TemplatePos.File, Line: st.TemplatePos.Line, Column: st.TemplatePos.Column,
						Text: st.Template, Msg: "profile " + p.Name + ", step " + st.ID + ": no template for locale " + loc})
				}
			}
		}
	}
	return errs
}

// Client is what profile assignment knows of a client.
type Client struct {
	Profile     string       // explicit profile on the client; "" for none
	Score       string       // payer score A–E; "" when unknown
	Outstanding money.Amount // net outstanding of the client
	Country     string       // ISO code
	Segment     string
}

// ProfileFor picks the client's profile: the explicit profile if the set has it,
// else the profile of the first assign rule whose every condition matches,
// else the profile named "standard", else the first profile of the set. An
// explicit profile the set does not know falls through to the rules (the
// import reports such names; a reminder should still go out).
func (s *Set) ProfileFor(c Client) *Profile {
	if c.Profile != "" {
		if p := s.Profile(c.Profile); p != nil {
			return p
		}
	}
	for _, r := range s.Assign {
		if r.Matches(c) {
			if p := s.Profile(r.Profile); p != nil {
				return p
			}
		}
	}
	if p := s.Profile("standard"); p != nil {
		return p
	}
	if len(s.Profiles) > 0 {
		return s.Profiles[0]
	}
	return nil
}

// Matches reports whether c meets every condition of r (an empty rule matches
// everyone). Country and segment compare case-insensitively.
func (r Rule) Matches(c Client) bool {
	if len(r.Score) > 0 && !slices.Contains(r.Score, strings.ToUpper(c.Score)) {
		return false
	}
	if r.MinOutstanding != nil && c.Outstanding < *r.MinOutstanding {
		return false
	}
	if r.MaxOutstanding != nil && c.Outstanding > *r.MaxOutstanding {
		return false
	}
	if len(r.Country) > 0 && !slices.ContainsFunc(r.Country, func(v string) bool { return strings.EqualFold(v, c.Country) }) {
		return false
	}
	if len(r.Segment) > 0 && !slices.ContainsFunc(r.Segment, func(v string) bool { return strings.EqualFold(v, c.Segment) }) {
		return false
	}
	return true
}
