package watch

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

var (
	//go:embed sql/alert_insert.sql
	alertInsertSQL string
	//go:embed sql/alerts.sql
	alertsSQL string
)

// The kinds of alert, as their events are named.
const (
	CreditLimit    = "alert_credit_limit"      // a client's outstanding crossed 50/70/90/100 % of its limit
	Bounce         = "alert_bounce"            // a client's address refused for good
	PromiseBroken  = "alert_promise_broken"    // a promise to pay passed unpaid
	DisputeOverdue = "alert_dispute_overdue"   // a dispute open longer than disputes.alert_after
	ClaimDeadline  = "alert_claim_deadline"    // a claim declaration due within alerts.claim_within
	JobFailed      = "alert_job_failed"        // a job discarded or cancelled, a message that could not be produced
	SweepMissed    = "alert_sweep_missed"      // a business day whose sweep did not run by the send window's end
	StaleData      = "alert_stale_data"        // an entity's payment data older than its maximum age: sends wait
	QueuePaused    = "alert_send_queue_paused" // relance paused the send queue after refusals of ours
	Insolvency     = "alert_insolvency"        // an import (BODACC) found a debtor in a collective procedure
	LetterReturned = "alert_letter_returned"   // the provider reports a registered letter refused or undeliverable
	SendStuck      = "alert_send_stuck"        // sends waiting past alerts.stuck_after with none finished meanwhile
)

// Kinds lists every alert kind, in the order `relance alerts --help` and
// the digest present them.
var Kinds = []string{CreditLimit, Insolvency, PromiseBroken, Bounce, LetterReturned, DisputeOverdue, ClaimDeadline,
	StaleData, SweepMissed, SendStuck, JobFailed, QueuePaused}

// DB is what the package needs of a pool or a transaction.
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Alert is one alert: an event of an alert kind.
type Alert struct {
	ID         int64
	At         time.Time // when it was raised
	Kind       string
	Day        time.Time // the business day it concerns
	Entity     string    // the entity's code; "" for an alert about the engine (every entity's)
	Client     string    // the client's code; "" for none
	ClientName string
	Reason     string
	Actor      string
	Detail     map[string]any
}

// Raise records an alert of kind about the occurrence key, once: a second
// Raise of the same kind and key does nothing and returns false. client is
// the client's id (0: none); detail may be nil.
func Raise(ctx context.Context, db DB, a Alert, key string, client int64) (bool, error) {
	detail := map[string]any{}
	for k, v := range a.Detail {
		detail[k] = v
	}
	detail["key"] = key
	if a.Entity != "" {
		detail["entity"] = a.Entity
	}
	var clientID *int64
	if client != 0 {
		clientID = &client
	}
	actor := a.Actor
	if actor == "" {
		actor = "relance"
	}
	var reason *string
	if a.Reason != "" {
		reason = &a.Reason
	}
	var day *time.Time
	if !a.Day.IsZero() {
		day = &a.Day
	}
	var id int64
	err := db.QueryRow(ctx, alertInsertSQL, a.Kind, detail, clientID, actor, reason, day).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("watch: raise %s %s: %w", a.Kind, key, err)
	}
	return true, nil
}

// Filter selects alerts for List.
type Filter struct {
	Since  time.Time // zero: from the first
	Kinds  []string  // none: every kind
	Entity string    // "": every entity
	After  int64     // only alerts with a higher id (the digest's cursor)
}

// List returns the alerts f selects, oldest first.
func List(ctx context.Context, db DB, f Filter) ([]Alert, error) {
	var since *time.Time
	if !f.Since.IsZero() {
		since = &f.Since
	}
	var kinds []string
	if len(f.Kinds) > 0 {
		kinds = f.Kinds
	}
	var entity *string
	if f.Entity != "" {
		entity = &f.Entity
	}
	rows, err := db.Query(ctx, alertsSQL, since, kinds, entity, f.After)
	if err != nil {
		return nil, fmt.Errorf("watch: alerts: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Alert, error) {
		var a Alert
		var detail []byte
		if err := r.Scan(&a.ID, &a.At, &a.Kind, &a.Day, &a.Entity, &a.Client, &a.ClientName, &a.Reason, &a.Actor, &detail); err != nil {
			return a, err
		}
		return a, json.Unmarshal(detail, &a.Detail)
	})
	if err != nil {
		return nil, fmt.Errorf("watch: alerts: %w", err)
	}
	return out, nil
}

// IsKind reports whether k names an alert kind, with or without its
// "alert_" prefix; it returns the full name.
func IsKind(k string) (string, bool) {
	for _, known := range Kinds {
		if k == known || "alert_"+k == known {
			return known, true
		}
	}
	return "", false
}
