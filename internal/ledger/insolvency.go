package ledger

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

//go:embed sql/insolvency.sql
var insolvencySQL string

// The kinds of French insolvency proceedings (procédures collectives).
const (
	Sauvegarde   = "sauvegarde"   // safeguard: the debtor is not yet insolvent
	Redressement = "redressement" // judicial reorganisation
	Liquidation  = "liquidation"  // judicial liquidation
)

// Insolvency is a client's insolvency proceeding. From Opened, dunning and
// penalty accrual stop; a claim must be declared within two months of the
// publication in the BODACC (DESIGN.md §2).
type Insolvency struct {
	Kind      string    // Sauvegarde, Redressement or Liquidation; "" for none
	Opened    time.Time // the judgment's date
	Published time.Time // the BODACC publication; zero while unknown
}

// ClaimDeadline is the last day to declare the claim: publication + 2
// months; zero while the publication is unknown.
func (in Insolvency) ClaimDeadline() time.Time {
	if in.Published.IsZero() {
		return time.Time{}
	}
	return in.Published.AddDate(0, 2, 0)
}

// RecordInsolvency records (or corrects, e.g. once the publication is known)
// the client's insolvency proceeding.
func (s *Store) RecordInsolvency(ctx context.Context, by Act, code string, in Insolvency) error {
	switch {
	case in.Kind != Sauvegarde && in.Kind != Redressement && in.Kind != Liquidation:
		return fmt.Errorf("ledger: insolvency of client %s: kind %q: want sauvegarde, redressement or liquidation", code, in.Kind)
	case in.Opened.IsZero():
		return fmt.Errorf("ledger: insolvency of client %s: the opening date is required", code)
	case !in.Published.IsZero() && in.Published.Before(in.Opened):
		return fmt.Errorf("ledger: insolvency of client %s: published %s before it opened, %s", code, formatDay(in.Published), formatDay(in.Opened))
	}
	err := s.clientWrite(ctx, by, code, func(tx pgx.Tx, c Client) error {
		if _, err := tx.Exec(ctx, insolvencySQL, c.ID, in.Kind, in.Opened, nullDate(in.Published)); err != nil {
			return err
		}
		detail := map[string]any{"kind": in.Kind, "opened": formatDay(in.Opened)}
		if !in.Published.IsZero() {
			detail["published"] = formatDay(in.Published)
			detail["claim_deadline"] = formatDay(in.ClaimDeadline())
		}
		if c.Insolvency.Kind != "" {
			detail["previous"] = map[string]any{"kind": c.Insolvency.Kind, "opened": formatDay(c.Insolvency.Opened)}
		}
		return event{kind: "insolvency_recorded", clientID: c.ID, reason: in.Kind, detail: detail, act: by}.insert(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("ledger: insolvency of client %s: %w", code, err)
	}
	return nil
}

//go:embed sql/clients_by_siren.sql
var clientsBySIRENSQL string

// Debtor is a client as an insolvency feed matches it: by SIREN, with the
// proceeding already recorded.
type Debtor struct {
	Code       string
	SIREN      string
	Insolvency Insolvency
}

// DebtorsBySIREN returns the clients of the store's entity whose SIREN
// (or SIRET) is one of sirens, in one query whatever their number.
func (s *Store) DebtorsBySIREN(ctx context.Context, sirens []string) ([]Debtor, error) {
	entity, err := s.entity(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, clientsBySIRENSQL, entity, sirens)
	if err != nil {
		return nil, fmt.Errorf("ledger: clients by SIREN: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Debtor, error) {
		var d Debtor
		var opened, published *time.Time
		err := r.Scan(&d.Code, &d.SIREN, &d.Insolvency.Kind, &opened, &published)
		d.Insolvency.Opened, d.Insolvency.Published = dateOf(opened), dateOf(published)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: clients by SIREN: %w", err)
	}
	return out, nil
}
