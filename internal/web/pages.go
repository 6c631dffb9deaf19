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

// words are the login and home pages' texts, by language.
type words struct {
	Title, Email, Password, Submit, BadLogin, Throttled, Unavailable string
	Logout, API, Jobs                                                string
}

var loginWords = map[string]words{
	"fr": {Title: "Connexion", Email: "Adresse e-mail", Password: "Mot de passe", Submit: "Se connecter",
		BadLogin: "Adresse e-mail ou mot de passe incorrect.", Throttled: "Trop de tentatives : réessayez dans quelques minutes.",
		Unavailable: "Connexion indisponible pour le moment."},
	"en": {Title: "Log in", Email: "Email", Password: "Password", Submit: "Log in",
		BadLogin: "Wrong email or password.", Throttled: "Too many attempts: try again in a few minutes.",
		Unavailable: "Logging in is unavailable for now."},
}

var homeWords = map[string]words{
	"fr": {Title: "Tableau de bord", Logout: "Se déconnecter", API: "API (document OpenAPI)", Jobs: "Tâches (River UI)"},
	"en": {Title: "Dashboard", Logout: "Log out", API: "API (OpenAPI document)", Jobs: "Jobs (River UI)"},
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

// Home is the dashboard's stand-in until its pages are wired: a "Tableau de
// bord" page with the signed-in user, links and the logout form. Locale is
// the default language (config locale).
func Home(locale string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		p, _ := PrincipalFrom(r.Context())
		lang := Language(r, locale)
		render(w, http.StatusOK, "home.html", map[string]any{"Lang": lang, "T": homeWords[lang], "User": p.Name,
			"Role": p.Role, "Admin": p.Role.Level() >= LevelAdmin, "CSRF": CSRFToken(r)})
	})
}
