// Package web owns relance's HTTP side: the daemon's mux with its probes
// (/healthz, /readyz), Prometheus metrics (/metrics), River UI mounted
// under /jobs/ behind basic auth, and the letter provider's callback
// (POST /webhooks/letters), authenticated by its HMAC signature instead. It
// is the base the JSON API and the dashboard grow on: each endpoint is a
// small func or type registered with a Go 1.22 pattern ("GET /readyz"), and
// cmd/relance only wires it.
//
// Every state-changing request passes net/http's CrossOriginProtection:
// River UI's actions (cancel, retry, delete a job, pause a queue) are POSTs
// that a browser would otherwise send from any site with the basic-auth
// credentials it has cached. The letter callback alone bypasses it: a
// browser holds nothing that would sign it.
package web
