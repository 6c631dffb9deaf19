package ledger

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/money"
)

var (
	//go:embed sql/client.sql
	clientSQL string
	//go:embed sql/clients.sql
	clientsSQL string
	//go:embed sql/client_update.sql
	clientUpdateSQL string
	//go:embed sql/client_lock.sql
	clientLockSQL string
	//go:embed sql/client_id.sql
	clientIDSQL string
	//go:embed sql/client_clear_bounce.sql
	clientClearBounceSQL string
)

// Client is a debtor: who is reminded, where, in which language, under which
// country's calendar and rules, and what stops its dunning.
type Client struct {
	ID      int64
	Entity  string // the creditor entity's code
	Code    string // the client's account in the ERP
	Name    string
	Country string // ISO 3166-1 alpha-2: holidays and the default penalty rules [FR]
	Address Address
	Contact string   // the person reminders are addressed to
	Phone   string   //
	Emails  []string // To: addresses
	CC      []string // Cc: addresses
	SIREN   string   // compact
	SIRET   string   // compact
	VAT     string   // compact
	// CreditLimit is the authorised outstanding (encours maximum) in the
	// entity's currency; nil for none.
	CreditLimit *money.Amount
	Segment     string
	Profile     string // explicit plan profile; "" lets the assign rules choose
	Locale      string // fr or en; "" is the entity's
	PayerScore  string // A–E from `relance kpi`; "" for none

	Excluded       bool   // excluded from dunning altogether
	ExcludedReason string //
	BouncingSince  time.Time
	BounceReason   string
	Insolvency     Insolvency // zero for none

	// State on the day asked for (Client's day argument).
	Paused      bool      // a pause covers the day
	PausedUntil time.Time // its last day; zero for open-ended
	Balance     money.Amount
	Overdue     money.Amount
}

// ClientSummary is one line of Clients.
type ClientSummary struct {
	Code, Name, Country, Profile, PayerScore string
	Balance                                  money.Amount // open items minus unapplied credits
	Overdue                                  money.Amount // invoices past their due date
	Paused, Excluded, Bouncing, Insolvent    bool
}

// normalize checks every field a person may set and puts identifiers in
// their stored form: the checks of ClientPatch, over every field; the error
// names each bad field.
func (c *Client) normalize() error {
	p := ClientPatch{Name: &c.Name, Country: &c.Country,
		Line1: &c.Address.Line1, Line2: &c.Address.Line2, Postcode: &c.Address.Postcode, City: &c.Address.City,
		Contact: &c.Contact, Phone: &c.Phone, Emails: &c.Emails, CC: &c.CC,
		SIREN: &c.SIREN, SIRET: &c.SIRET, VAT: &c.VAT, CreditLimit: c.CreditLimit,
		Segment: &c.Segment, Profile: &c.Profile, Locale: &c.Locale}
	err := p.Normalize()
	if c.Country == "" {
		c.Country = "FR"
	}
	return err
}

func (c Client) detail() map[string]any {
	limit := ""
	if c.CreditLimit != nil {
		limit = money.FormatPlain(*c.CreditLimit)
	}
	return map[string]any{"name": c.Name, "country": c.Country, "address_line1": c.Address.Line1,
		"address_line2": c.Address.Line2, "postcode": c.Address.Postcode, "city": c.Address.City,
		"contact": c.Contact, "phone": c.Phone, "emails": strings.Join(c.Emails, ", "), "cc": strings.Join(c.CC, ", "),
		"siren": c.SIREN, "siret": c.SIRET, "vat": c.VAT, "credit_limit": limit, "segment": c.Segment,
		"profile": c.Profile, "locale": c.Locale}
}

func scanClient(row pgx.Row) (Client, error) {
	var c Client
	var limit *int64
	var bouncing *time.Time
	var opened, published, pausedUntil *time.Time
	err := row.Scan(&c.ID, &c.Code, &c.Name, &c.Country,
		&c.Address.Line1, &c.Address.Line2, &c.Address.Postcode, &c.Address.City,
		&c.Contact, &c.Phone, &c.Emails, &c.CC, &c.SIREN, &c.SIRET, &c.VAT, &limit,
		&c.Segment, &c.Profile, &c.Locale, &c.PayerScore,
		&c.Excluded, &c.ExcludedReason, &bouncing, &c.BounceReason,
		&c.Insolvency.Kind, &opened, &published, &c.Entity,
		&pausedUntil, &c.Paused, &c.Balance, &c.Overdue)
	if limit != nil {
		l := money.Amount(*limit)
		c.CreditLimit = &l
	}
	if bouncing != nil {
		c.BouncingSince = *bouncing
	}
	c.Insolvency.Opened, c.Insolvency.Published = dateOf(opened), dateOf(published)
	c.PausedUntil = dateOf(pausedUntil)
	return c, err
}

// Client returns the client coded code with its state on day.
func (s *Store) Client(ctx context.Context, code string, day time.Time) (Client, error) {
	entity, err := s.entity(ctx)
	if err != nil {
		return Client{}, err
	}
	return s.client(ctx, s.db, entity, code, day)
}

func (s *Store) client(ctx context.Context, q DB, entity int64, code string, day time.Time) (Client, error) {
	c, err := scanClient(q.QueryRow(ctx, clientSQL, entity, code, nil, day))
	if errors.Is(err, pgx.ErrNoRows) {
		return c, fmt.Errorf("ledger: client %s in entity %s: %w", code, s.opts.Entity, ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("ledger: client %s: %w", code, err)
	}
	return c, nil
}

// Parties returns the debtor of id and its creditor, as every message and
// letter names them, whatever entity the store works in (the send worker
// knows clients by id).
func (s *Store) Parties(ctx context.Context, clientID int64, day time.Time) (Entity, Client, error) {
	c, err := scanClient(s.db.QueryRow(ctx, clientSQL, 0, "", clientID, day))
	if errors.Is(err, pgx.ErrNoRows) {
		return Entity{}, c, fmt.Errorf("ledger: client #%d: %w", clientID, ErrNotFound)
	}
	if err != nil {
		return Entity{}, c, fmt.Errorf("ledger: client #%d: %w", clientID, err)
	}
	e, err := s.Entity(ctx, c.Entity)
	return e, c, err
}

// Clients lists every client of the entity with its balance and state on
// day, by code.
func (s *Store) Clients(ctx context.Context, day time.Time) ([]ClientSummary, error) {
	entity, err := s.entity(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, clientsSQL, entity, day)
	if err != nil {
		return nil, fmt.Errorf("ledger: clients: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ClientSummary, error) {
		var c ClientSummary
		err := r.Scan(&c.Code, &c.Name, &c.Country, &c.Profile, &c.PayerScore, &c.Balance, &c.Overdue,
			&c.Paused, &c.Excluded, &c.Bouncing, &c.Insolvent)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: clients: %w", err)
	}
	return out, nil
}

// SetClient changes the client coded code: change receives its current
// fields and edits them; the result is checked and written whole, and the
// event lists each field that changed. The state fields (exclusion, bounce,
// insolvency, pauses) have their own methods and are not written here.
func (s *Store) SetClient(ctx context.Context, by Act, code string, change func(*Client) error) (Client, error) {
	var c Client
	err := s.clientWrite(ctx, by, code, func(tx pgx.Tx, cur Client) error {
		c = cur
		before := c.detail()
		if err := change(&c); err != nil {
			return err
		}
		c.ID, c.Code = cur.ID, cur.Code
		if err := c.normalize(); err != nil {
			return err
		}
		var limit *int64
		if c.CreditLimit != nil {
			l := int64(*c.CreditLimit)
			limit = &l
		}
		if _, err := tx.Exec(ctx, clientUpdateSQL, c.ID, c.Name, c.Country, c.Address.Line1, c.Address.Line2,
			c.Address.Postcode, c.Address.City, c.Contact, c.Phone, nonNil(c.Emails), nonNil(c.CC),
			c.SIREN, c.SIRET, c.VAT, limit, c.Segment, c.Profile, c.Locale); err != nil {
			return err
		}
		diff := changes(before, c.detail())
		if len(diff) == 0 {
			return nil // nothing changed, nothing to record
		}
		fields := make([]string, 0, len(diff))
		for k := range diff {
			fields = append(fields, k)
		}
		slices.Sort(fields)
		return event{kind: "client_updated", clientID: c.ID, detail: diff, reason: strings.Join(fields, ", "), act: by}.insert(ctx, tx)
	})
	if err != nil {
		return c, fmt.Errorf("ledger: set client %s: %w", code, err)
	}
	return c, nil
}

// ClearBounce lifts the bouncing mark a permanent SMTP rejection put on the
// client's address (once the address is fixed): email steps are decided
// again from the next sweep.
func (s *Store) ClearBounce(ctx context.Context, by Act, code, reason string) error {
	err := s.clientWrite(ctx, by, code, func(tx pgx.Tx, c Client) error {
		var was string
		err := tx.QueryRow(ctx, clientClearBounceSQL, c.ID).Scan(&was)
		if errors.Is(err, pgx.ErrNoRows) {
			return errors.New("the address is not marked bouncing")
		}
		if err != nil {
			return err
		}
		return event{kind: "bounce_cleared", clientID: c.ID, reason: reason,
			detail: map[string]any{"bounce_reason": was, "emails": c.Emails}, act: by}.insert(ctx, tx)
	})
	if err != nil {
		return fmt.Errorf("ledger: clear bounce of client %s: %w", code, err)
	}
	return nil
}

// clientWrite runs fn in a transaction with the client coded code locked and
// read as of by.Day.
func (s *Store) clientWrite(ctx context.Context, by Act, code string, fn func(tx pgx.Tx, c Client) error) error {
	if err := by.check(); err != nil {
		return err
	}
	entity, err := s.entity(ctx)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx pgx.Tx) error {
		var id int64
		if err := tx.QueryRow(ctx, clientLockSQL, entity, code).Scan(&id); errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("client %s in entity %s: %w", code, s.opts.Entity, ErrNotFound)
		} else if err != nil {
			return err
		}
		c, err := s.client(ctx, tx, entity, code, by.Day)
		if err != nil {
			return err
		}
		return fn(tx, c)
	})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// clientID resolves the client coded code in the store's entity.
func (s *Store) clientID(ctx context.Context, code string) (int64, error) {
	entity, err := s.entity(ctx)
	if err != nil {
		return 0, err
	}
	var id int64
	err = s.db.QueryRow(ctx, clientIDSQL, entity, code).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("client %s in entity %s: %w", code, s.opts.Entity, ErrNotFound)
	}
	return id, err
}
