package plans

import (
	"testing"
	"time"

	"github.com/relance/relance/internal/calendar"
)

// FuzzLoad feeds arbitrary bytes to Load: it must return a set or errors,
// never panic, and a set it returns must resolve without panicking.
func FuzzLoad(f *testing.F) {
	f.Add(DefaultYAML)
	for _, s := range []string{
		"",
		"version: 1\n",
		"version: 1\nprofiles: {a: {steps: [{id: x, at: +1d, channel: email, template: t}]}}\nassign: [{profile: a}]\n",
		"version: 1\nprofiles:\n  a:\n    steps:\n      - id: x\n        at: +1d\n       channel: email\n",
		"version: 1\nprofiles: {a: {steps: [{id: x, at: +99999999d, action: provision}]}}\n",
		"version: 1\nprofiles: &a {b: *a}\n",
		"version: 1\nprofiles: !!map {a: {steps: [{id: x, at: -5d, channel: email, template: t, penalties: true}]}}\n",
		"version: 1\ndefaults: {min_gap: 0d, min_amount: 1e9, calendar: [FR]}\n",
		"- a\n- b\n",
		"version: 1\nprofiles: {a: {steps: [[1], 2, {id: x}]}}\nassign: [1, {profile: [a]}, {profile: a, score: {x: 1}}]\n",
		"---\nversion: 1\n---\nversion: 1\n",
		"version: 1\nprofiles: {a: {steps: [{id: x, at: +61d, channel: registered_letter, template: t, email_copy: [false]}]}}\n",
		aliasBomb(),
	} {
		f.Add([]byte(s))
	}
	fr, _ := calendar.For("FR")
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Load("fuzz.yaml", data)
		if err != nil {
			if s != nil {
				t.Fatal("Load returned both a set and an error")
			}
			return
		}
		for _, p := range s.Profiles {
			due := time.Date(2025, 7, 14, 0, 0, 0, 0, time.UTC)
			for i := -20; i < 200; i += 7 {
				Resolve(Input{AsOf: due.AddDate(0, 0, i), DueDate: due, Outstanding: 100000, NetBalance: 100000, Calendar: fr, Profile: p})
			}
		}
		_ = s.ProfileFor(Client{Score: "A"})
	})
}
