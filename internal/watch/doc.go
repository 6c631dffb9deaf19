// Package watch is the part of relance that watches the engine itself: how
// fresh each entity's data is and the guard that holds sends while it is
// not, and alerts.
//
// Freshness. Every batch of invoices or payments records the as-of of its
// data (internal/ledger, data_freshness). Before a send, Guard.Hold looks up
// the client's entity: when its payment data is older than the entity's
// maximum age (sweep.max_data_age, 36 h by default, per entity through
// sweep.max_data_age_by_entity), the send waits: the
// worker snoozes its job (River's JobSnooze: not an attempt, not lost) and
// looks again after Guard.Recheck, so sending resumes by itself minutes
// after fresh data arrives. An alert_stale_data alert is raised once per
// stale episode (per entity and as-of). An entity that never received
// payment data has nothing to judge by: its sends go, and an alert says
// once that its reminders rest on no payment data.
//
// Alerts are events of kind alert_* whose detail carries a key naming the
// occurrence; a unique index on (kind, key) makes raising idempotent, so
// every check can run as often as it likes, from any replica. Some are
// raised where they happen (credit limits in the ledger's batches, stale
// data in the guard); the others are drawn set-based by Scan from what the
// ledger and the engine already record: bounces, broken promises, paused
// send queue, dead or failed jobs, insolvencies found by an import,
// registered letters the provider reports refused or undeliverable, disputes
// open too long, claim deadlines near, missed sweeps. The daemon's leader
// runs Scan every few minutes and after each sweep; Collector exposes the
// counts and the data's age to Prometheus.
package watch
