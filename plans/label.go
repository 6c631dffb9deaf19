package plans

import "strconv"

// Label names the step for someone reading French output: "pré-relance",
// "relance 3", "mise en demeure" (a ladder step sent by registered letter),
// "proposition de provision", "appel". Other locales get the step's ID, the
// name the plan gives it.
func (s Step) Label(locale string) string {
	if locale != "fr" {
		return s.ID
	}
	switch {
	case s.Kind == PreDue:
		return "pré-relance"
	case s.Kind == Ladder && s.Channel == "registered_letter":
		return "mise en demeure"
	case s.Kind == Ladder:
		return "relance " + strconv.Itoa(s.Level)
	case s.Action == "provision":
		return "proposition de provision"
	case s.Action == "phone_call":
		return "appel"
	}
	return s.ID
}

// ChannelLabel names a channel in locale: "courriel", "lettre recommandée"
// in French, the channel's name otherwise.
func ChannelLabel(channel, locale string) string {
	if locale == "fr" {
		switch channel {
		case "email":
			return "courriel"
		case "registered_letter":
			return "lettre recommandée"
		case "phone":
			return "téléphone"
		}
	}
	return channel
}
