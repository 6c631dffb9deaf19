package ledger

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ErrNotFound is wrapped by every error about an entity, client, invoice,
// dispute, pause or case that does not exist.
var ErrNotFound = errors.New("not found")

// DB is what the store needs of a pool or a transaction: *pgxpool.Pool and
// pgx.Tx are both one (inside a transaction, Begin opens a savepoint).
type DB interface {
	Begin(ctx context.Context) (pgx.Tx, error)
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Act says who records something and the business day it takes effect
// (`--as-of`). Every write takes one and leaves an event row with both.
type Act struct {
	// Actor is who did it: "cli:<OS user>", "api:<token name>",
	// "web:<user>", "demo", or "relance" for the engine itself.
	Actor string
	// Day is the day it takes effect, a clock date (00:00 UTC).
	Day time.Time
}

func (a Act) check() error {
	if strings.TrimSpace(a.Actor) == "" {
		return errors.New("no actor: say who records it")
	}
	if a.Day.IsZero() {
		return errors.New("no day: say when it takes effect")
	}
	return nil
}

// Options configure a Store.
type Options struct {
	// Entity is the code of the entity (creditor company) the store works
	// in; "" means "default", the entity every database starts with.
	Entity string
	// DisputeReasons are the reason codes OpenDispute accepts (the
	// configured disputes.reasons); none accepts any non-empty code.
	DisputeReasons []string
	// PromiseGraceDays are added to the day a client promised to pay: the
	// promise holds dunning until then (promises.grace_days).
	PromiseGraceDays int
	// NoticeDays is the time a formal notice gives to pay
	// (letters.deadline_days): a case may open the day after it ends [8].
	NoticeDays int
	// BulkMinRows is the fewest rows of an invoice batch that take the bulk
	// path when the invoice table is empty (see invoice_bulk.go): 0 means
	// DefaultBulkMinRows, a negative number never. Tests set 1 and -1 to
	// run the same batch through both paths.
	BulkMinRows int
}

// Store reads and writes the ledger of one entity. Each write runs in its
// own transaction (a savepoint when the Store sits on a transaction) and
// records an event with the actor, the day and the reason.
type Store struct {
	db   DB
	opts Options

	mu       sync.Mutex
	entityID int64 // resolved once: entities are never deleted
}

// New returns a store on db for o.Entity.
func New(db DB, o Options) *Store {
	if o.Entity == "" {
		o.Entity = "default"
	}
	return &Store{db: db, opts: o}
}

// EntityCode is the code of the entity the store works in.
func (s *Store) EntityCode() string { return s.opts.Entity }

// entity resolves the store's entity id; an unknown entity is ErrNotFound,
// with the known codes in the message.
func (s *Store) entity(ctx context.Context) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.entityID != 0 {
		return s.entityID, nil
	}
	e, err := s.Entity(ctx, s.opts.Entity)
	if err != nil {
		return 0, err
	}
	s.entityID = e.ID
	return e.ID, nil
}

// write runs fn in a transaction on the store's database and commits it.
func (s *Store) write(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := s.db.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// event is one row of the event trail, written in the transaction of the
// change it records.
type event struct {
	kind      string
	clientID  int64 // 0: none
	invoiceID int64 // 0: none
	detail    map[string]any
	reason    string
	act       Act
}

func (e event) insert(ctx context.Context, tx pgx.Tx) error {
	detail := e.detail
	if detail == nil {
		detail = map[string]any{}
	}
	_, err := tx.Exec(ctx, eventInsertSQL, e.kind, nullID(e.clientID), nullID(e.invoiceID), detail,
		e.act.Actor, nullText(e.reason), e.act.Day)
	if err != nil {
		return fmt.Errorf("record event %s: %w", e.kind, err)
	}
	return nil
}

// nullID maps 0 to SQL NULL.
func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// nullText maps "" to SQL NULL.
func nullText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// nullDate maps the zero time to SQL NULL.
func nullDate(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// dateOf reads a nullable date: the zero time for NULL.
func dateOf(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return *p
}

// textOf reads a nullable text: "" for NULL.
func textOf(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func formatDay(t time.Time) string { return t.Format(time.DateOnly) }
