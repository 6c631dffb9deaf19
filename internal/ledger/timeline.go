package ledger

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/money"
)

//go:embed sql/timeline.sql
var timelineSQL string

// TimelineEntry is one thing that happened to a client: who did it (Actor)
// and why (Reason), on the day it took effect.
type TimelineEntry struct {
	Day time.Time // the day it took effect
	At  time.Time // when it was recorded
	// Kind is invoice, credit_note, payment, reminder_sent, letter_sent,
	// reminder_dropped, reminder_failed, reminder_pending, or an event kind:
	// dispute_opened, dispute_resolved, dispute_lapsed, promise_made,
	// promise_kept, promise_broken, client_paused, client_resumed,
	// client_excluded, client_included, email_bounced, bounce_cleared,
	// insolvency_recorded, client_updated, provision_proposed,
	// letter_ready, letter_handed, letter_posted, letter_deposited,
	// letter_delivered, letter_refused, letter_failed, letter_copy_failed,
	// case_opened, case_filed, case_granted, case_served, case_enforceable,
	// case_cost, case_closed (Detail["case_id"] names the case).
	Kind     string
	Invoices []string
	Amount   money.Amount // 0 when the entry has none
	Currency string
	Actor    string // cli:alice, api:erp, import:<file>, relance…
	Reason   string // the reason given, a payment's reference, why a reminder was dropped
	Step     string // a reminder's plan step
	Channel  string // a reminder's channel
	Detail   map[string]any
}

// Timeline returns everything that happened to the client, in order: by day,
// and within a day invoices, payments, what people and the engine recorded,
// then the reminders. loc dates the events recorded without a business day.
func (s *Store) Timeline(ctx context.Context, client string, loc *time.Location) ([]TimelineEntry, error) {
	id, err := s.clientID(ctx, client)
	if err != nil {
		return nil, fmt.Errorf("ledger: timeline of %s: %w", client, err)
	}
	rows, err := s.db.Query(ctx, timelineSQL, id, loc.String())
	if err != nil {
		return nil, fmt.Errorf("ledger: timeline of %s: %w", client, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (TimelineEntry, error) {
		var e TimelineEntry
		var amount *int64
		err := r.Scan(&e.Day, &e.At, &e.Kind, &e.Invoices, &amount, &e.Currency, &e.Actor, &e.Reason, &e.Step, &e.Channel, &e.Detail)
		if amount != nil {
			e.Amount = money.Amount(*amount)
		}
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: timeline of %s: %w", client, err)
	}
	return out, nil
}
