package web

import (
	"embed"
	"html/template"
	"net/http"
	"strings"
)

//go:embed pages/*.html
var pageFiles embed.FS

var pageTemplates = template.Must(template.ParseFS(pageFiles, "pages/*.html"))

// words are the login page's texts, by language.
type words struct {
	Title, Email, Password, Submit, BadLogin, Throttled, Unavailable string
}

var loginWords = map[string]words{
	"fr": {Title: "Connexion", Email: "Adresse e-mail", Password: "Mot de passe", Submit: "Se connecter",
		BadLogin: "Adresse e-mail ou mot de passe incorrect.", Throttled: "Trop de tentatives : réessayez dans quelques minutes.",
		Unavailable: "Connexion indisponible pour le moment."},
	"en": {Title: "Log in", Email: "Email", Password: "Password", Submit: "Log in",
		BadLogin: "Wrong email or password.", Throttled: "Too many attempts: try again in a few minutes.",
		Unavailable: "Logging in is unavailable for now."},
}

// Language is the page language for r: the first of its Accept-Language
// tags that is French or English, else def (the configured locale, "fr"
// unless "en").
func Language(r *http.Request, def string) string {
	for _, tag := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag = strings.ToLower(strings.TrimSpace(strings.SplitN(tag, ";", 2)[0]))
		switch {
		case tag == "fr" || strings.HasPrefix(tag, "fr-"):
			return "fr"
		case tag == "en" || strings.HasPrefix(tag, "en-"):
			return "en"
		}
	}
	if def == "en" {
		return "en"
	}
	return "fr"
}

// render writes page with data, as HTML with status.
func render(w http.ResponseWriter, status int, page string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = pageTemplates.ExecuteTemplate(w, page, data)
}
