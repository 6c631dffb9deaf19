package ledger

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

var (
	//go:embed sql/entity.sql
	entitySQL string
	//go:embed sql/entity_insert.sql
	entityInsertSQL string
	//go:embed sql/entity_update.sql
	entityUpdateSQL string
	//go:embed sql/entity_ancestors.sql
	entityAncestorsSQL string
	//go:embed sql/event_insert.sql
	eventInsertSQL string
)

// Entity is a company that invoices: the creditor named on every email and
// registered letter. A group holds several (Parent).
type Entity struct {
	ID       int64
	Code     string // short code, e.g. "acme"; what --entity and RELANCE_ENTITY name
	Name     string // legal name, e.g. "Atelier Durand SAS"
	Parent   string // the group's entity code; "" for none
	Country  string // ISO 3166-1 alpha-2 [FR]
	Locale   string // fr or en: the language of its messages when a client has none [fr]
	Currency string // ISO 4217 [EUR]
	Address  Address
	SIREN    string // compact, 9 digits
	VAT      string // intra-community VAT number, compact
	IBAN     string // compact; printed on reminders for payment by transfer
	BIC      string
	Email    string // contact address printed on messages
	Phone    string
	// LetterChannel is how its registered letters leave: LetterOutbox (a
	// PDF and a manifest in a directory, for a person to post) or
	// LetterWebhook (POSTed to the configured provider) [outbox].
	LetterChannel string
}

// Letter channels (Entity.LetterChannel).
const (
	LetterOutbox  = "outbox"
	LetterWebhook = "webhook"
)

// normalize checks every field and puts identifiers in their stored form,
// with the checks a client's fields get; the error names each bad field.
func (e *Entity) normalize() error {
	var errs fieldErrors
	e.Code = strings.TrimSpace(e.Code)
	if e.Code == "" || strings.ContainsAny(e.Code, " \t\n,;/") || e.Code == "all" || CheckLength(e.Code) != nil {
		errs.add("code", fmt.Errorf("%s: want a word without spaces, commas or slashes (and not \"all\")", Quote(e.Code)))
	}
	errs.text("name", &e.Name, true)
	errs.text("address_line1", &e.Address.Line1, true)
	errs.text("address_line2", &e.Address.Line2, true)
	errs.text("postcode", &e.Address.Postcode, false)
	errs.text("city", &e.Address.City, true)
	if e.Name == "" {
		errs.add("name", errors.New("required"))
	}
	e.LetterChannel = strings.ToLower(strings.TrimSpace(e.LetterChannel))
	if e.LetterChannel != "" && e.LetterChannel != LetterOutbox && e.LetterChannel != LetterWebhook {
		errs.add("letter_channel", fmt.Errorf("%s: want outbox or webhook", Quote(e.LetterChannel)))
	}
	if e.Parent == e.Code && e.Code != "" {
		errs.add("parent", errors.New("an entity cannot be its own parent"))
	}
	for _, f := range []struct {
		field     string
		v         *string
		normalize func(string) (string, error)
	}{
		{"country", &e.Country, NormalizeCountry}, {"locale", &e.Locale, NormalizeLocale},
		{"currency", &e.Currency, NormalizeCurrency}, {"siren", &e.SIREN, NormalizeSIREN},
		{"vat", &e.VAT, NormalizeVAT}, {"iban", &e.IBAN, NormalizeIBAN}, {"bic", &e.BIC, NormalizeBIC},
		{"email", &e.Email, NormalizeEmail}, {"phone", &e.Phone, NormalizePhone},
	} {
		errs.normalize(f.field, f.v, f.normalize)
	}
	// What an entity is without saying.
	for _, d := range []struct {
		v         *string
		otherwise string
	}{{&e.Country, "FR"}, {&e.Locale, "fr"}, {&e.Currency, "EUR"}, {&e.LetterChannel, LetterOutbox}} {
		if *d.v == "" {
			*d.v = d.otherwise
		}
	}
	return errs.err()
}

func (e Entity) args() []any {
	return []any{e.Code, e.Name, e.Parent, e.Country, e.Locale, e.Currency,
		e.Address.Line1, e.Address.Line2, e.Address.Postcode, e.Address.City,
		e.SIREN, e.VAT, e.IBAN, e.BIC, e.Email, e.Phone, e.LetterChannel}
}

func (e Entity) detail() map[string]any {
	return map[string]any{"code": e.Code, "name": e.Name, "parent": e.Parent, "country": e.Country,
		"locale": e.Locale, "currency": e.Currency, "address_line1": e.Address.Line1, "address_line2": e.Address.Line2,
		"postcode": e.Address.Postcode, "city": e.Address.City, "siren": e.SIREN, "vat": e.VAT,
		"iban": e.IBAN, "bic": e.BIC, "email": e.Email, "phone": e.Phone, "letter_channel": e.LetterChannel}
}

func scanEntity(row pgx.Row) (Entity, error) {
	var e Entity
	err := row.Scan(&e.ID, &e.Code, &e.Name, &e.Parent, &e.Country, &e.Locale, &e.Currency,
		&e.Address.Line1, &e.Address.Line2, &e.Address.Postcode, &e.Address.City,
		&e.SIREN, &e.VAT, &e.IBAN, &e.BIC, &e.Email, &e.Phone, &e.LetterChannel)
	return e, err
}

// Entities lists every entity, by code.
func (s *Store) Entities(ctx context.Context) ([]Entity, error) {
	rows, err := s.db.Query(ctx, entitySQL, nil)
	if err != nil {
		return nil, fmt.Errorf("ledger: entities: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Entity, error) { return scanEntity(r) })
	if err != nil {
		return nil, fmt.Errorf("ledger: entities: %w", err)
	}
	return out, nil
}

// Entity returns the entity coded code. An unknown code is ErrNotFound, and
// the message lists the codes that exist, since a typo in --entity or
// RELANCE_ENTITY is the usual cause.
func (s *Store) Entity(ctx context.Context, code string) (Entity, error) {
	e, err := scanEntity(s.db.QueryRow(ctx, entitySQL, code))
	if errors.Is(err, pgx.ErrNoRows) {
		var known []string
		if all, err := s.Entities(ctx); err == nil {
			for _, k := range all {
				known = append(known, k.Code)
			}
		}
		return e, fmt.Errorf("ledger: entity %q: %w (known: %s; create one with `relance entity add`)",
			code, ErrNotFound, strings.Join(known, ", "))
	}
	if err != nil {
		return e, fmt.Errorf("ledger: entity %q: %w", code, err)
	}
	return e, nil
}

// AddEntity creates an entity. Country, locale and currency default to FR,
// fr and EUR; a parent must exist.
func (s *Store) AddEntity(ctx context.Context, by Act, e Entity) (Entity, error) {
	if err := by.check(); err != nil {
		return e, fmt.Errorf("ledger: add entity %s: %w", e.Code, err)
	}
	if err := e.normalize(); err != nil {
		return e, fmt.Errorf("ledger: add entity %s: %w", e.Code, err)
	}
	err := s.write(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, entityInsertSQL, e.args()...).Scan(&e.ID)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("parent %q: %w", e.Parent, ErrNotFound)
		}
		if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok && pgErr.Code == "23505" {
			return fmt.Errorf("entity %q already exists: change it with `relance entity set`", e.Code)
		}
		if err != nil {
			return err
		}
		return event{kind: "entity_added", detail: e.detail(), act: by}.insert(ctx, tx)
	})
	if err != nil {
		return e, fmt.Errorf("ledger: add entity %s: %w", e.Code, err)
	}
	return e, nil
}

// SetEntity changes the entity coded code: change receives its current
// fields and edits them; the result is checked and written whole.
func (s *Store) SetEntity(ctx context.Context, by Act, code string, change func(*Entity) error) (Entity, error) {
	if err := by.check(); err != nil {
		return Entity{}, fmt.Errorf("ledger: set entity %s: %w", code, err)
	}
	var e Entity
	err := s.write(ctx, func(tx pgx.Tx) error {
		st := &Store{db: tx, opts: s.opts}
		var err error
		if e, err = st.Entity(ctx, code); err != nil {
			return err
		}
		before := e.detail()
		if err := change(&e); err != nil {
			return err
		}
		e.Code = code // the code names the entity everywhere: it does not change
		if err := e.normalize(); err != nil {
			return err
		}
		if e.Parent != "" {
			if _, err := st.Entity(ctx, e.Parent); err != nil {
				return fmt.Errorf("parent: %w", err)
			}
			rows, err := tx.Query(ctx, entityAncestorsSQL, e.Parent)
			if err != nil {
				return err
			}
			ancestors, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return err
			}
			if slices.Contains(ancestors, code) {
				return fmt.Errorf("parent %q: it belongs to %s's group already (a group cannot contain itself)", e.Parent, code)
			}
		}
		if _, err := tx.Exec(ctx, entityUpdateSQL, append([]any{e.ID}, e.args()[1:]...)...); err != nil {
			return err
		}
		return event{kind: "entity_updated", detail: changes(before, e.detail()), act: by}.insert(ctx, tx)
	})
	if err != nil {
		return e, fmt.Errorf("ledger: set entity %s: %w", code, err)
	}
	return e, nil
}

// changes is the detail of an update event: each field that changed, with
// its old and new value.
func changes(before, after map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range after {
		if fmt.Sprint(before[k]) != fmt.Sprint(v) {
			out[k] = map[string]any{"from": before[k], "to": v}
		}
	}
	return out
}
