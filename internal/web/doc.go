// Package web owns relance's HTTP side: the daemon's mux with its probes
// (/healthz, /readyz), Prometheus metrics (/metrics), River UI under /jobs/,
// the letter provider's callback (POST /webhooks/letters, authenticated by
// its HMAC signature), and the JSON API under /api/v1 (docs/openapi.json, served at
// /api/v1/openapi.json). Each endpoint is a small func registered with a Go
// 1.22 pattern ("POST /api/v1/invoices"); cmd/relance only wires it.
//
// # Who may do what
//
// Authorization has one core, which the dashboard reuses:
//
//   - An Authenticator recognises one kind of credentials and returns a
//     Principal (kind token or user, name, role): Tokens for "Authorization:
//     Bearer", basicAuth for the operator's server.username/password (an
//     admin user). Wrong credentials are refused with 401, never passed on
//     as anonymous. authenticate puts the principal in the request's
//     context (WithPrincipal, PrincipalFrom).
//   - Roles map onto three levels (Role.Level): reader and viewer read;
//     writer and manager also write the ledger (clients, invoices, credit
//     notes, payments, allocations) and record the person actions
//     (disputes, promises, pauses, insolvency); admin does everything,
//     River UI's actions and token management included.
//   - Guard.Require(level, handler) lets a route through for a principal at
//     that level or above: 401 without one, 403 below it, each answered in
//     the form its clients read (apiGuard: JSON; basicGuard: a basic-auth
//     challenge).
//   - Principal.Actor names who acted in the event trail: api:<token name>
//     for a token, web:<user> for a person.
//
// # The dashboard's people
//
// Users (user.go) are people with an email, a role (viewer, manager,
// admin) and an argon2id password hash; who made, changed or disabled each
// is kept on its row. Sessions (session.go) log them in at /login
// (login.go) and recognise the relance_session cookie: a random secret
// whose SHA-256 names a web_session row, ended idle (server.session_idle),
// too old (server.session_max), at logout, or with its user. Sessions is
// the Authenticator of the dashboard ("/", Options.Dashboard) and of River
// UI beside basic auth and tokens; pageGuard sends a browser without a
// session to /login?next=… and answers a script 401/403 in JSON. Failed
// logins are counted per email and per address (throttle.go). SSO (sso.go)
// opens a session for the user a trusted reverse proxy names in a header.
// The dashboard's pages register under "/" at LevelRead and check
// LevelWrite themselves on their forms (PrincipalFrom), writing through
// the ledger with the principal's Actor (web:<email>).
//
// # CSRF
//
// A session's state-changing requests carry its synchronizer token (the
// hidden field csrf_token of every form, CSRFToken, or the X-CSRF-Token
// header), checked before the handler (checkCSRF); River UI's script cannot
// send it, so its actions rest on the checks below, the SameSite cookie and
// the admin role. The login form has no session yet: the same-origin check
// guards it.
//
// Every state-changing request passes net/http's CrossOriginProtection,
// except one carrying a bearer token (sameOrigin). A browser replays
// cookies and basic-auth credentials by itself on a request another site
// makes it send (River UI's actions are such POSTs), but it never adds an
// Authorization: Bearer header by itself: only a script can, and another
// site's script would need a CORS preflight that this server never grants.
// A bearer request therefore cannot be forged across sites, and API clients
// (an ERP, curl) need no Origin header. The letter callback bypasses the
// check too: the provider's signature is its credential, and a browser holds
// nothing that would sign it.
//
// # The API
//
// Writes run in one transaction with their Idempotency-Key (api_write.go):
// the key is claimed in api_idempotency in the same transaction as the
// write and its response stored with it, so a key has one effect or none,
// a copy sent meanwhile waits for the first and gets its response, and the
// key reused with another request is a 422 (the IETF draft's status for a
// key reused with another payload; 409 is kept for conflicts of the
// ledger). Batches of clients, invoices and payments go through the file
// importer's checks and ledger batches (importer.Records), so that a value
// is refused over HTTP with the words a file import uses. A conflicting
// update is a 409: an If-Match that names an older version of an invoice
// (its ETag, the row's xmin, read under a row lock), an invoice with
// reminders or settlements moved to another client or currency, or the
// ledger refusing a person action (a dispute already open). The body limit
// (server.api_body_limit) is a 413.
package web
