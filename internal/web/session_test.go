package web

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// movingClock is a clock a test moves forward.
type movingClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *movingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *movingClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testDashboard stands for the dashboard in the session tests: a home
// page with who is signed in, River UI's link for an admin and the logout
// form, and a form that checks LevelWrite itself, as the dashboard's do.
// The route table (TestEveryRouteForEveryCaller, package web_test) mounts
// the real one.
func testDashboard() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		p, _ := PrincipalFrom(r.Context())
		jobs := ""
		if p.Role.Level() >= LevelAdmin {
			jobs = `<a href="/jobs/">Tâches</a>`
		}
		fmt.Fprintf(w, `<h1>Tableau de bord</h1><p>%s (%s)</p>%s<form method="post" action="/logout">`+
			`<input type="hidden" name="csrf_token" value="%s"><button>Se déconnecter</button></form>`,
			html.EscapeString(p.Name), p.Role, jobs, html.EscapeString(CSRFToken(r)))
	})
	mux.HandleFunc("POST /test/write", func(w http.ResponseWriter, r *http.Request) {
		p, _ := PrincipalFrom(r.Context())
		if p.Role.Level() < LevelWrite {
			http.Error(w, "your role may not do this", http.StatusForbidden)
			return
		}
		io.WriteString(w, "written by "+p.Actor())
	})
	return mux
}

// dashEnv is the daemon with the API, River UI (a stand-in), the
// dashboard's sessions and testDashboard, and one user of each role.
type dashEnv struct {
	*apiEnv
	sessions Sessions
	clk      *movingClock
}

const testPassword = "correct horse battery"

var testUsers = map[Role]string{RoleViewer: "viewer@example.fr", RoleManager: "manager@example.fr", RoleAdmin: "admin@example.fr"}

// cheapHash keeps the tests' logins fast under the race detector.
var cheapHash = HashCost{Memory: 64, Time: 1, Threads: 1}

func newDashEnv(t *testing.T, sso SSO) *dashEnv {
	t.Helper()
	return newDashEnvWith(t, sso, func(APIOptions) http.Handler { return testDashboard() })
}

// newDashEnvWith is newDashEnv with the dashboard dash builds from the
// API's options (its database, clock and time zone).
func newDashEnvWith(t *testing.T, sso SSO, dash func(APIOptions) http.Handler) *dashEnv {
	t.Helper()
	e := &dashEnv{clk: &movingClock{t: time.Date(2025, 10, 1, 9, 0, 0, 0, paris)}}
	e.apiEnv = newServerEnv(t, 0, func(o *Options) {
		api := o.API.(*API).opts
		e.sessions = Sessions{Users: Users{DB: api.DB, Clock: e.clk, Hash: cheapHash},
			Idle: 2 * time.Hour, Max: 12 * time.Hour, Throttle: Throttle{PerEmail: 3, PerIP: 5, Window: 15 * time.Minute}}
		o.Sessions, o.Dashboard, o.Locale, o.SSO = &e.sessions, dash(api), "fr", sso
	})
	for role, email := range testUsers {
		if err := e.sessions.Users.Add(context.Background(), email, role, testPassword, "cli:tester"); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// send sends req and reads the answer whole.
func (e *dashEnv) send(req *http.Request) response {
	e.t.Helper()
	resp, err := noRedirect.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: data}
}

// postLogin posts the login form.
func (e *dashEnv) postLogin(email, password string) response {
	form := url.Values{"email": {email}, "password": {password}, "next": {"/jobs/"}}
	req, _ := http.NewRequest("POST", e.url+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	return e.send(req)
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// login logs email in and returns the session cookie and the CSRF token
// of its forms, read from the home page.
func (e *dashEnv) login(email string) (*http.Cookie, string) {
	e.t.Helper()
	r := e.postLogin(email, testPassword)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/jobs/" {
		e.t.Fatalf("login %s: %d %s → %q", email, r.status, r.body, r.header.Get("Location"))
	}
	var c *http.Cookie
	for _, k := range (&http.Response{Header: r.header}).Cookies() {
		if k.Name == SessionCookie {
			c = k
		}
	}
	if c == nil || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
		e.t.Fatalf("login %s: session cookie %+v, want HttpOnly, Secure, SameSite=Lax, Path=/", email, c)
	}
	home := e.page("GET", "/", c, "", nil)
	m := csrfField.FindSubmatch(home.body)
	if home.status != http.StatusOK || m == nil {
		e.t.Fatalf("home of %s: %d %s", email, home.status, home.body)
	}
	return &http.Cookie{Name: c.Name, Value: c.Value}, string(m[1])
}

// page sends a browser's request with the session cookie c (nil: none), a
// form (nil: none) carrying csrf when set.
func (e *dashEnv) page(method, path string, c *http.Cookie, csrf string, form url.Values, headers ...string) response {
	e.t.Helper()
	var body io.Reader
	if form != nil {
		if csrf != "" {
			form.Set(CSRFField, csrf)
		}
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, e.url+path, body)
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if c != nil {
		req.AddCookie(c)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return e.send(req)
}

func TestLoginLogout(t *testing.T) {
	e := newDashEnv(t, SSO{})
	anon := e.page("GET", "/?tab=1", nil, "", nil)
	if anon.status != http.StatusSeeOther || anon.header.Get("Location") != "/login?next=%2F%3Ftab%3D1" {
		t.Fatalf("anonymous home: %d → %q", anon.status, anon.header.Get("Location"))
	}
	fr := e.page("GET", "/login", nil, "", nil, "Accept-Language", "fr-FR,fr;q=0.9")
	en := e.page("GET", "/login?next=/jobs/", nil, "", nil, "Accept-Language", "en-GB,en;q=0.8")
	if !strings.Contains(string(fr.body), "Mot de passe") || !strings.Contains(string(en.body), "Password") ||
		!strings.Contains(string(en.body), `name="next" value="/jobs/"`) {
		t.Errorf("login pages:\n%s\n%s", fr.body, en.body)
	}
	if r := e.postLogin("viewer@example.fr", "wrong password!"); r.status != http.StatusUnauthorized ||
		!strings.Contains(string(r.body), "incorrect") || len(r.header.Values("Set-Cookie")) != 0 {
		t.Errorf("wrong password: %d %s", r.status, r.body)
	}
	c, csrf := e.login("Viewer@Example.fr")
	home := e.page("GET", "/", c, "", nil)
	if !strings.Contains(string(home.body), "Tableau de bord") || !strings.Contains(string(home.body), "viewer@example.fr") ||
		strings.Contains(string(home.body), `href="/jobs/"`) {
		t.Errorf("viewer's home:\n%s", home.body)
	}
	if r := e.page("POST", "/logout", c, "", url.Values{}); r.status != http.StatusForbidden {
		t.Errorf("logout without the CSRF token: %d, want 403", r.status)
	}
	out := e.page("POST", "/logout", c, csrf, url.Values{})
	if out.status != http.StatusSeeOther || out.header.Get("Location") != "/login" ||
		!strings.Contains(out.header.Get("Set-Cookie"), "Max-Age=0") {
		t.Errorf("logout: %d → %q, %q", out.status, out.header.Get("Location"), out.header.Get("Set-Cookie"))
	}
	if r := e.page("GET", "/", c, "", nil); r.status != http.StatusSeeOther {
		t.Errorf("home after logout: %d, want a redirect to the login page", r.status)
	}
	for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example", "jobs"} {
		if got := safeNext(next); got != "/" {
			t.Errorf("safeNext(%q) = %q", next, got)
		}
	}
}

func TestSessionsExpire(t *testing.T) {
	e := newDashEnv(t, SSO{})
	c, _ := e.login("manager@example.fr")
	e.clk.add(2*time.Hour + time.Minute)
	if r := e.page("GET", "/", c, "", nil); r.status != http.StatusSeeOther || !strings.Contains(r.header.Get("Set-Cookie"), "Max-Age=0") {
		t.Errorf("idle session: %d %q, want a redirect clearing the cookie", r.status, r.header.Get("Set-Cookie"))
	}
	c, _ = e.login("manager@example.fr")
	for range 12 { // in use every hour: idle never, yet too old after 12h
		e.clk.add(time.Hour)
		r := e.page("GET", "/", c, "", nil)
		if e.clk.Now().Sub(time.Date(2025, 10, 1, 11, 1, 0, 0, paris)) < 12*time.Hour && r.status != http.StatusOK {
			t.Fatalf("%s: session in use refused: %d", e.clk.Now(), r.status)
		}
	}
	if r := e.page("GET", "/", c, "", nil); r.status != http.StatusSeeOther {
		t.Errorf("session past server.session_max: %d", r.status)
	}
	c, _ = e.login("manager@example.fr")
	if err := e.sessions.Users.Disable(context.Background(), "manager@example.fr", "cli:tester"); err != nil {
		t.Fatal(err)
	}
	if r := e.page("GET", "/", c, "", nil); r.status != http.StatusSeeOther {
		t.Errorf("session of a disabled user: %d", r.status)
	}
	if r := e.postLogin("manager@example.fr", testPassword); r.status != http.StatusUnauthorized {
		t.Errorf("login of a disabled user: %d", r.status)
	}
	us, _ := e.sessions.Users.List(context.Background())
	for _, u := range us {
		if u.Email == "manager@example.fr" && (u.DisabledBy != "cli:tester" || u.Disabled.IsZero() || u.LastLogin.IsZero()) {
			t.Errorf("disabled user: %+v", u)
		}
	}
}

func TestLoginThrottled(t *testing.T) {
	e := newDashEnv(t, SSO{})
	for i := range 3 {
		if r := e.postLogin("viewer@example.fr", "wrong password"); r.status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, r.status)
		}
	}
	r := e.postLogin("viewer@example.fr", testPassword)
	if r.status != http.StatusTooManyRequests || !strings.Contains(string(r.body), "Trop de tentatives") {
		t.Errorf("right password after 3 failures: %d, want 429", r.status)
	}
	// The address has failed 3 times: 2 more of another email reach its 5.
	e.postLogin("nobody@example.fr", "x")
	if r := e.postLogin("manager@example.fr", testPassword); r.status != http.StatusSeeOther {
		t.Errorf("another email from the address under its limit: %d", r.status)
	}
	e.postLogin("nobody@example.fr", "x")
	if r := e.postLogin("admin@example.fr", testPassword); r.status != http.StatusTooManyRequests {
		t.Errorf("the address past its limit: %d, want 429", r.status)
	}
	e.clk.add(16 * time.Minute)
	e.login("viewer@example.fr")
	e.postLogin("other@example.fr", "x")
	// Bounded: the windows past are gone, only this failure's keys are left.
	if n := e.count(`SELECT count(*) FROM web_login_failure`); n != 2 {
		t.Errorf("%d rows of failed logins, want 2 (email:other@…, ip:127.0.0.1)", n)
	}
}

func TestCSRF(t *testing.T) {
	e := newDashEnv(t, SSO{})
	c, csrf := e.login("manager@example.fr")
	for _, tc := range []struct {
		name    string
		csrf    string
		headers []string
		want    int
	}{
		{"no token", "", nil, http.StatusForbidden},
		{"another token", randomToken(), nil, http.StatusForbidden},
		{"the token", csrf, nil, http.StatusOK},
		{"the token in the header", "", []string{CSRFHeader, csrf}, http.StatusOK},
		{"the token, from another site", csrf, []string{"Origin", "http://evil.example"}, http.StatusForbidden},
		{"the token, cross-site fetch", csrf, []string{"Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
	} {
		r := e.page("POST", "/test/write", c, tc.csrf, url.Values{"x": {"1"}}, tc.headers...)
		if r.status != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.name, r.status, r.body, tc.want)
		}
		if tc.want == http.StatusOK && string(r.body) != "written by web:manager@example.fr" {
			t.Errorf("%s: %s", tc.name, r.body)
		}
	}
	other, _ := e.login("admin@example.fr")
	if r := e.page("POST", "/test/write", other, csrf, url.Values{}); r.status != http.StatusForbidden {
		t.Errorf("another session's token: %d, want 403", r.status)
	}
}

func TestSingleSignOn(t *testing.T) {
	const header = "X-Forwarded-User"
	elsewhere := newDashEnv(t, SSO{Header: header, Trusted: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
	if r := elsewhere.page("GET", "/", nil, "", nil, header, "admin@example.fr"); r.status != http.StatusSeeOther ||
		!strings.HasPrefix(r.header.Get("Location"), "/login") {
		t.Errorf("spoofed header from an untrusted address: %d %q, want the login page", r.status, r.header.Get("Location"))
	}
	if !strings.Contains(elsewhere.log.String(), "untrusted address ignored") {
		t.Errorf("the spoofed header is not logged")
	}
	e := newDashEnv(t, SSO{Header: header, Trusted: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	r := e.page("GET", "/", nil, "", nil, header, "Manager@example.fr")
	m := csrfField.FindSubmatch(r.body)
	if r.status != http.StatusOK || !strings.Contains(string(r.body), "manager@example.fr") || m == nil {
		t.Fatalf("proxy's user: %d %s", r.status, r.body)
	}
	c := (&http.Response{Header: r.header}).Cookies()[0]
	w := e.page("POST", "/test/write", &http.Cookie{Name: c.Name, Value: c.Value}, string(m[1]), url.Values{}, header, "manager@example.fr")
	if w.status != http.StatusOK || string(w.body) != "written by web:manager@example.fr" {
		t.Errorf("the proxy's user's form: %d %s", w.status, w.body)
	}
	if r := e.page("GET", "/", nil, "", nil, header, "stranger@example.fr"); r.status != http.StatusForbidden {
		t.Errorf("unknown user named by the proxy: %d, want 403", r.status)
	}
	// The API's callers keep no cookie: the header opens no session there.
	sessions := e.count(`SELECT count(*) FROM web_session`)
	for range 3 {
		if r := e.page("GET", "/api/v1/aging", nil, "", nil, header, "manager@example.fr"); r.status != http.StatusUnauthorized {
			t.Errorf("the API with the proxy's header and no token: %d, want 401", r.status)
		}
	}
	if n := e.count(`SELECT count(*) FROM web_session`); n != sessions {
		t.Errorf("API requests through the proxy opened %d sessions", n-sessions)
	}
}
