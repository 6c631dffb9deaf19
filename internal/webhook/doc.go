// Package webhook signs and sends the HTTP requests relance exchanges with an
// outside service (the postal or electronic registered-letter provider), and
// verifies the ones it receives, the way Stripe does:
//
//	Relance-Signature: t=1757930400,v1=5257a869e7…
//
// t is the Unix time of signing and v1 the hex HMAC-SHA256, keyed by the
// shared secret, of the string "<t>.<body>" (the timestamp, a dot and the raw
// body bytes). A receiver recomputes it over the bytes it read, compares in
// constant time, and refuses a timestamp further than its tolerance from its
// own clock, so that a captured request cannot be replayed later. Several v1
// entries may be given (a secret being rotated); one match is enough.
//
// Client.Post sends a signed POST with an Idempotency-Key header and says
// whose fault a failure is (FaultOf): a timeout, a refused connection, 408,
// 409, 425, 429 or a 5xx is Temporary (retry with backoff); 401, 403, 404,
// 405 and 407 are Ours (our URL or secret is wrong: retry, alert, blame no
// one else); any other 4xx is Refused (the request itself will not be taken
// as it is). See docs/letters-webhook.md for the letter provider's contract.
package webhook
