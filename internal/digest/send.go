package digest

import (
	"context"
	_ "embed"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/relance/relance/internal/mail"
	"github.com/relance/relance/internal/money"
	"github.com/relance/relance/internal/watch"
)

var (
	//go:embed sql/entities.sql
	entitiesSQL string
	//go:embed sql/figures.sql
	figuresSQL string
	//go:embed sql/digest_sent.sql
	digestSentSQL string
)

// Mailer sends one message: the reminders' transport (mail.Transport).
type Mailer interface {
	Send(ctx context.Context, m mail.Message) error
}

// Sender sends each entity's digest of a day to To, through Mail.
type Sender struct {
	DB       watch.DB
	Mail     Mailer
	From     string   // mail.from
	To       []string // digest.to; none: no digest is sent
	Location *time.Location
	Logger   *slog.Logger
}

// entity is one entity to digest, with where its previous digest stopped.
type entity struct {
	id                 int64
	code, name, locale string
	previous           *time.Time // the day of the previous digest
	lastAlert          int64
}

// Digest sends the digest of day of every entity that has clients, unless
// already sent for that day. It implements worker.Digester.
func (s *Sender) Digest(ctx context.Context, day time.Time) error {
	if len(s.To) == 0 {
		return nil
	}
	entities, err := s.entities(ctx)
	if err != nil {
		return err
	}
	for _, e := range entities {
		if e.previous != nil && !e.previous.Before(day) {
			continue // sent already (a retry), or a digest of a later day went
		}
		d, err := s.compose(ctx, e, day)
		if err != nil {
			return err
		}
		if err := s.send(ctx, e, d); err != nil {
			return err
		}
	}
	return nil
}

func (s *Sender) entities(ctx context.Context) ([]entity, error) {
	rows, err := s.DB.Query(ctx, entitiesSQL)
	if err != nil {
		return nil, fmt.Errorf("digest: entities: %w", err)
	}
	defer rows.Close()
	var out []entity
	for rows.Next() {
		var e entity
		if err := rows.Scan(&e.id, &e.code, &e.name, &e.locale, &e.previous, &e.lastAlert); err != nil {
			return nil, fmt.Errorf("digest: entities: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// compose gathers the alerts since e's previous digest and the figures of
// the days since: from its day (or yesterday, for a first digest) to the
// day before day.
func (s *Sender) compose(ctx context.Context, e entity, day time.Time) (Digest, error) {
	d := Digest{Entity: e.code, EntityName: e.name, Locale: e.locale, Day: day}
	from := day.AddDate(0, 0, -1)
	filter := watch.Filter{Entity: e.code, After: e.lastAlert}
	if e.previous != nil {
		from = *e.previous
	} else {
		y, m, dd := from.Date()
		filter.Since = time.Date(y, m, dd, 0, 0, 0, 0, s.location())
	}
	var err error
	if d.Alerts, err = watch.List(ctx, s.DB, filter); err != nil {
		return d, fmt.Errorf("digest %s: %w", e.code, err)
	}
	if d.Figures, err = s.figures(ctx, e.id, from, day.AddDate(0, 0, -1), day); err != nil {
		return d, fmt.Errorf("digest %s: %w", e.code, err)
	}
	return d, nil
}

// figures reads the entity's figures from from to to, and the sweep of day.
func (s *Sender) figures(ctx context.Context, entityID int64, from, to, day time.Time) (Figures, error) {
	f := Figures{From: from, To: to, Sent: map[int]int{}, Today: map[int]int{}}
	var sent, today []int32
	var currencies []string
	var amounts []int64
	if err := s.DB.QueryRow(ctx, figuresSQL, entityID, from, to, day).Scan(&sent, &f.Letters, &f.LettersWaiting, &f.Disputes,
		&currencies, &amounts, &today, &f.TodayLetters); err != nil {
		return f, fmt.Errorf("figures: %w", err)
	}
	for _, l := range sent {
		f.Sent[int(l)]++
	}
	for _, l := range today {
		f.Today[int(l)]++
	}
	for i, c := range currencies {
		f.Collected = append(f.Collected, Amount{Currency: c, Amount: money.Amount(amounts[i])})
	}
	return f, nil
}

// send renders d, sends it and records it.
func (s *Sender) send(ctx context.Context, e entity, d Digest) error {
	r, err := Render(d)
	if err != nil {
		return err
	}
	id := fmt.Sprintf("relance.digest.%s.%s@%s", e.code, d.Day.Format(time.DateOnly), domainOf(s.From))
	msg := mail.Message{MessageID: id, From: s.From, To: s.To, Subject: r.Subject, Text: r.Text,
		Headers: map[string]string{"X-Relance-Digest": e.code}}
	if err := s.Mail.Send(ctx, msg); err != nil {
		return fmt.Errorf("digest %s: send: %w", e.code, err)
	}
	last := e.lastAlert
	for _, a := range d.Alerts {
		last = max(last, a.ID)
	}
	if _, err := s.DB.Exec(ctx, digestSentSQL, e.code, d.Day, s.To, len(d.Alerts), last, id); err != nil {
		return fmt.Errorf("digest %s: record: %w", e.code, err)
	}
	if s.Logger != nil {
		s.Logger.Info("digest sent", "entity", e.code, "day", d.Day.Format(time.DateOnly), "alerts", len(d.Alerts), "to", strings.Join(s.To, ", "))
	}
	return nil
}

func (s *Sender) location() *time.Location {
	if s.Location == nil {
		return time.UTC
	}
	return s.Location
}

// domainOf is the domain of an address ("Compta <c@x.fr>" → "x.fr"), for a
// Message-ID; relance.invalid when it has none.
func domainOf(from string) string {
	if _, d, ok := strings.Cut(from, "@"); ok {
		if d = strings.TrimRight(strings.TrimSpace(d), ">"); d != "" {
			return d
		}
	}
	return "relance.invalid"
}
