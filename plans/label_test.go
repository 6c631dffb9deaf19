package plans

import "testing"

func TestStepLabels(t *testing.T) {
	set, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"pre_due": "pré-relance", "level1": "relance 1", "level3": "relance 3", "level5": "mise en demeure",
		"provision": "proposition de provision",
	}
	p := set.Profile("standard")
	for id, label := range want {
		var st *Step
		for i := range p.Steps {
			if p.Steps[i].ID == id {
				st = &p.Steps[i]
			}
		}
		if st == nil {
			t.Fatalf("no step %s", id)
		}
		if got := st.Label("fr"); got != label {
			t.Errorf("%s: %q, want %q", id, got, label)
		}
		if got := st.Label("en"); got != id {
			t.Errorf("%s in English: %q", id, got)
		}
	}
	if got := (Step{ID: "call", Kind: Action, Action: "phone_call"}).Label("fr"); got != "appel" {
		t.Errorf("phone call: %q", got)
	}
	if ChannelLabel("email", "fr") != "courriel" || ChannelLabel("registered_letter", "fr") != "lettre recommandée" ||
		ChannelLabel("email", "en") != "email" {
		t.Error("channel labels")
	}
}
