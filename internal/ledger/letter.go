package ledger

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

var (
	//go:embed sql/letter_insert.sql
	letterInsertSQL string
	//go:embed sql/letters.sql
	lettersSQL string
	//go:embed sql/letter_lock.sql
	letterLockSQL string
	//go:embed sql/letter_update.sql
	letterUpdateSQL string
)

// Letter statuses, in the order a letter goes through them; delivered,
// refused and failed are final.
const (
	LetterReady     = "ready"     // in the outbox, waiting for a person to post it
	LetterPosted    = "posted"    // posted by a person (tracking number), or accepted by the provider
	LetterDeposited = "deposited" // the provider's proof of deposit at the post office
	LetterDelivered = "delivered" // proof of delivery (avis de réception signed)
	LetterRefused   = "refused"   // presented and refused by the addressee
	LetterFailed    = "failed"    // undeliverable: unknown address, not collected…
)

// What became of the email copy of a letter (Letter.Copy.Status).
const (
	CopySent    = "sent"    // emailed with the PDF attached
	CopyOff     = "off"     // the plan step says email_copy: false
	CopySkipped = "skipped" // no usable address (none, or bouncing)
	CopyFailed  = "failed"  // the relay refused or could not be reached; not retried
)

// ErrLetterConflict is wrapped by a proof that contradicts what is recorded
// (delivered after refused) and by posting a letter already posted.
var ErrLetterConflict = errors.New("contradicts what is recorded")

// Letter is one registered letter (the formal notice of a level-5 step):
// the reminder rows it carries, its PDF and manifest, how it left and what
// became of it.
type Letter struct {
	ID  int64
	Key string // from its reminder rows; the Idempotency-Key sent to the provider
	// Entity is the creditor's code; ClientID, ClientCode and ClientName
	// the debtor's.
	Entity                 string
	ClientID               int64
	ClientCode, ClientName string
	ReminderIDs            []int64
	Invoices               []string // the invoice numbers of ReminderIDs
	Step                   string
	Day                    time.Time // the letter's date
	Channel                string    // LetterOutbox or LetterWebhook
	File                   string    // the PDF; the manifest is beside it, same name in .json
	Manifest               json.RawMessage
	Status                 string
	Tracking               string // the registered letter's number
	ProviderRef            string // the provider's id of the letter
	PostedOn               time.Time
	PostedBy               string // cli:<user>, or webhook for the provider
	DepositedOn            time.Time
	DeliveredOn            time.Time
	RefusedOn              time.Time
	FailedOn               time.Time
	OutcomeReason          string // why refused or undeliverable, as the provider says
	ProofURL               string
	Copy                   LetterCopy
	CreatedAt              time.Time
}

// StatusDay is the day the letter reached its status; its date while it
// waits in the outbox.
func (l Letter) StatusDay() time.Time {
	switch l.Status {
	case LetterPosted:
		return l.PostedOn
	case LetterDeposited:
		return l.DepositedOn
	case LetterDelivered:
		return l.DeliveredOn
	case LetterRefused:
		return l.RefusedOn
	case LetterFailed:
		return l.FailedOn
	}
	return l.Day
}

// LetterCopy is what became of the email copy of a letter.
type LetterCopy struct {
	Status    string // CopySent, CopyOff, CopySkipped or CopyFailed
	MessageID string // when sent
	Reason    string // when skipped or failed
}

// LetterFilter narrows Letters.
type LetterFilter struct {
	Unposted bool   // only those waiting for a person to post them (status ready)
	Client   string // one client's, by code; "" for all
}

// LetterProof is what a provider reports about a letter it was handed.
type LetterProof struct {
	Key string // the letter's key (the Idempotency-Key it was sent with)
	// Event is LetterDeposited, LetterDelivered, LetterRefused or
	// LetterFailed.
	Event       string
	Day         time.Time // the day it happened, as the provider dates it
	Tracking    string    // optional: the registered letter's number
	ProviderRef string    // optional: the provider's id of the letter
	ProofURL    string    // optional: where the provider keeps the proof
	Reason      string    // optional: why refused or undeliverable
}

func scanLetter(row pgx.Row) (Letter, error) {
	var l Letter
	var posted, deposited, delivered, refused, failed *time.Time
	err := row.Scan(&l.ID, &l.Key, &l.Entity, &l.ClientID, &l.ClientCode, &l.ClientName, &l.ReminderIDs, &l.Step, &l.Day,
		&l.Channel, &l.File, &l.Manifest, &l.Status, &l.Tracking, &l.ProviderRef,
		&posted, &l.PostedBy, &deposited, &delivered, &refused, &failed, &l.OutcomeReason, &l.ProofURL,
		&l.Copy.Status, &l.Copy.MessageID, &l.Copy.Reason, &l.CreatedAt, &l.Invoices)
	l.PostedOn, l.DepositedOn, l.DeliveredOn, l.RefusedOn, l.FailedOn =
		dateOf(posted), dateOf(deposited), dateOf(delivered), dateOf(refused), dateOf(failed)
	return l, err
}

// letterQuery selects letters; nil narrows nothing.
type letterQuery struct {
	entity, id, client *int64
	key                *string
	unposted           bool
}

func (s *Store) letters(ctx context.Context, q DB, f letterQuery) ([]Letter, error) {
	rows, err := q.Query(ctx, lettersSQL, f.entity, f.id, f.key, f.unposted, f.client)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Letter, error) { return scanLetter(r) })
}

// Letters lists the entity's letters, by day.
func (s *Store) Letters(ctx context.Context, f LetterFilter) ([]Letter, error) {
	entity, err := s.entity(ctx)
	if err != nil {
		return nil, err
	}
	q := letterQuery{entity: &entity, unposted: f.Unposted}
	if f.Client != "" {
		id, err := s.clientID(ctx, f.Client)
		if err != nil {
			return nil, fmt.Errorf("ledger: letters: %w", err)
		}
		q.client = &id
	}
	out, err := s.letters(ctx, s.db, q)
	if err != nil {
		return nil, fmt.Errorf("ledger: letters: %w", err)
	}
	return out, nil
}

// Letter returns the entity's letter numbered id.
func (s *Store) Letter(ctx context.Context, id int64) (Letter, error) {
	entity, err := s.entity(ctx)
	if err != nil {
		return Letter{}, err
	}
	l, err := s.oneLetter(ctx, s.db, letterQuery{entity: &entity, id: &id}, fmt.Sprintf("letter %d in entity %s", id, s.opts.Entity))
	if err != nil {
		return l, fmt.Errorf("ledger: %w", err)
	}
	return l, nil
}

// oneLetter reads the letter f names; what names it in errors.
func (s *Store) oneLetter(ctx context.Context, q DB, f letterQuery, what string) (Letter, error) {
	all, err := s.letters(ctx, q, f)
	if err != nil {
		return Letter{}, fmt.Errorf("%s: %w", what, err)
	}
	if len(all) == 0 {
		return Letter{}, fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return all[0], nil
}

// check refuses a letter the send worker cannot mean.
func (l *Letter) check() error {
	var errs fieldErrors
	for _, f := range []struct{ field, v string }{{"key", l.Key}, {"step", l.Step}, {"file", l.File}} {
		if strings.TrimSpace(f.v) == "" {
			errs.add(f.field, errors.New("required"))
		}
	}
	if l.ClientID <= 0 {
		errs.add("client", errors.New("required"))
	}
	if len(l.ReminderIDs) == 0 {
		errs.add("reminder_ids", errors.New("a letter carries at least one reminder row"))
	}
	if l.Day.IsZero() {
		errs.add("day", errors.New("required"))
	}
	if l.Channel != LetterOutbox && l.Channel != LetterWebhook {
		errs.add("channel", fmt.Errorf("%s: want outbox or webhook", Quote(l.Channel)))
	}
	if !json.Valid(l.Manifest) {
		errs.add("manifest", errors.New("not JSON"))
	}
	errs.text("copy_reason", &l.Copy.Reason, true)
	errs.text("provider_ref", &l.ProviderRef, false)
	if l.Tracking != "" {
		errs.normalize("tracking", &l.Tracking, NormalizeTracking)
	}
	if l.Status != LetterReady && l.Status != LetterPosted {
		errs.add("status", fmt.Errorf("%s: a letter starts ready (outbox) or posted (webhook)", Quote(l.Status)))
	}
	switch l.Copy.Status {
	case CopySent, CopyOff, CopySkipped, CopyFailed:
	default:
		errs.add("copy", fmt.Errorf("%s: want sent, off, skipped or failed", Quote(l.Copy.Status)))
	}
	return errs.err()
}

// AddLetter records a letter handed to its channel, with a 'letter_ready'
// (outbox) or 'letter_handed' (webhook) event on the client's timeline, and
// a 'letter_copy_failed' one when its email copy could not go. The send
// worker calls it inside the transaction that marks the reminder rows sent.
// A key already recorded adds nothing: the letter it names is returned,
// with added false.
func (s *Store) AddLetter(ctx context.Context, by Act, l Letter) (out Letter, added bool, err error) {
	if err := by.check(); err != nil {
		return l, false, fmt.Errorf("ledger: add letter %s: %w", l.Key, err)
	}
	if err := l.check(); err != nil {
		return l, false, fmt.Errorf("ledger: add letter %s: %w", l.Key, err)
	}
	err = s.write(ctx, func(tx pgx.Tx) error {
		var id int64
		var invoices []string
		err := tx.QueryRow(ctx, letterInsertSQL, l.Key, l.ClientID, l.ReminderIDs, l.Step, l.Day, l.Channel, l.File,
			l.Manifest, l.Status, l.ProviderRef, nullDate(l.PostedOn), l.PostedBy,
			l.Copy.Status, l.Copy.MessageID, l.Copy.Reason, l.Tracking).Scan(&id, &invoices)
		if errors.Is(err, pgx.ErrNoRows) {
			out, err = s.oneLetter(ctx, tx, letterQuery{key: &l.Key}, "letter "+l.Key)
			return err
		}
		if err != nil {
			return err
		}
		added = true
		kind := "letter_ready"
		if l.Channel == LetterWebhook {
			kind = "letter_handed"
		}
		detail := map[string]any{"letter_id": id, "key": l.Key, "channel": l.Channel, "file": l.File, "step": l.Step,
			"day": formatDay(l.Day), "invoices": invoices, "provider_ref": l.ProviderRef, "copy": l.Copy.Status}
		if err := (event{kind: kind, clientID: l.ClientID, detail: detail, act: by}).insert(ctx, tx); err != nil {
			return err
		}
		if l.Copy.Status == CopyFailed {
			copyFailed := event{kind: "letter_copy_failed", clientID: l.ClientID, reason: l.Copy.Reason, act: by,
				detail: map[string]any{"letter_id": id, "invoices": invoices, "message_id": l.Copy.MessageID}}
			if err := copyFailed.insert(ctx, tx); err != nil {
				return err
			}
		}
		out, err = s.oneLetter(ctx, tx, letterQuery{id: &id}, fmt.Sprintf("letter %d", id))
		return err
	})
	if err != nil {
		return out, false, fmt.Errorf("ledger: add letter %s: %w", l.Key, err)
	}
	return out, added, nil
}

// trackingRe is a registered letter's number once spaces are taken out:
// La Poste's (1A 123 456 7890 1), an LRE provider's reference.
var trackingRe = regexp.MustCompile(`^[A-Z0-9-]{6,40}$`)

// NormalizeTracking puts a tracking number in its stored form: upper case,
// without spaces.
func NormalizeTracking(s string) (string, error) {
	t := strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if !trackingRe.MatchString(t) {
		return "", fmt.Errorf("tracking number %s: want 6 to 40 letters, digits or hyphens", Quote(s))
	}
	return t, nil
}

// PostLetter records that a person posted the outbox letter numbered id as
// a registered letter with acknowledgement, under tracking, on by.Day: the
// letter is 'posted' and a 'letter_posted' event goes on the client's
// timeline.
func (s *Store) PostLetter(ctx context.Context, by Act, id int64, tracking string) (Letter, error) {
	fail := func(err error) (Letter, error) { return Letter{}, fmt.Errorf("ledger: post letter %d: %w", id, err) }
	if err := by.check(); err != nil {
		return fail(err)
	}
	t, err := NormalizeTracking(tracking)
	if err != nil {
		return fail(err)
	}
	entity, err := s.entity(ctx)
	if err != nil {
		return fail(err)
	}
	var l Letter
	err = s.write(ctx, func(tx pgx.Tx) error {
		if l, err = s.lockLetter(ctx, tx, letterQuery{entity: &entity, id: &id}, fmt.Sprintf("letter %d in entity %s", id, s.opts.Entity)); err != nil {
			return err
		}
		switch {
		case l.Status != LetterReady && l.Channel == LetterWebhook:
			return fmt.Errorf("%w: it went to the letter provider (webhook), whose proofs are recorded as they come", ErrLetterConflict)
		case l.Status != LetterReady:
			return fmt.Errorf("%w: already %s on %s (tracking %s)", ErrLetterConflict, l.Status, formatDay(l.PostedOn), l.Tracking)
		case by.Day.Before(l.Day):
			return fmt.Errorf("posted on %s, before the letter's date %s", formatDay(by.Day), formatDay(l.Day))
		}
		l.Status, l.Tracking, l.PostedOn, l.PostedBy = LetterPosted, t, by.Day, by.Actor
		if err := updateLetter(ctx, tx, l); err != nil {
			return err
		}
		return event{kind: "letter_posted", clientID: l.ClientID, act: by,
			detail: map[string]any{"letter_id": l.ID, "tracking": t, "invoices": l.Invoices, "file": l.File}}.insert(ctx, tx)
	})
	if err != nil {
		return fail(err)
	}
	return l, nil
}

// RecordLetterProof records what the provider reports about the letter
// keyed p.Key, whatever its entity: the proof's day on the letter, its
// status moved forward (a deposit reported after the delivery does not move
// it back), and a 'letter_<event>' event on the client's timeline. A report
// already recorded changes nothing (changed false): providers repeat
// themselves. A final outcome that contradicts the one recorded wraps
// ErrLetterConflict.
func (s *Store) RecordLetterProof(ctx context.Context, by Act, p LetterProof) (l Letter, changed bool, err error) {
	fail := func(err error) (Letter, bool, error) {
		return l, false, fmt.Errorf("ledger: letter %s: %s: %w", Quote(p.Key), p.Event, err)
	}
	if err := by.check(); err != nil {
		return fail(err)
	}
	var errs fieldErrors
	if p.Tracking != "" {
		errs.normalize("tracking_number", &p.Tracking, NormalizeTracking)
	}
	errs.text("reason", &p.Reason, true)
	errs.text("id", &p.ProviderRef, false)
	errs.text("proof_url", &p.ProofURL, false)
	if p.ProofURL != "" && !strings.HasPrefix(p.ProofURL, "https://") {
		errs.add("proof_url", fmt.Errorf("%s: want an https:// address", Quote(p.ProofURL)))
	}
	if err := errs.err(); err != nil {
		return fail(err)
	}
	err = s.write(ctx, func(tx pgx.Tx) error {
		if l, err = s.lockLetter(ctx, tx, letterQuery{key: &p.Key}, "letter "+Quote(p.Key)); err != nil {
			return err
		}
		next, ok, err := l.withProof(p)
		if err != nil || !ok {
			return err
		}
		l, changed = next, true
		if err := updateLetter(ctx, tx, l); err != nil {
			return err
		}
		detail := map[string]any{"letter_id": l.ID, "invoices": l.Invoices, "tracking": l.Tracking,
			"provider_ref": l.ProviderRef, "proof_url": l.ProofURL}
		return event{kind: "letter_" + p.Event, clientID: l.ClientID, reason: p.Reason, act: by, detail: detail}.insert(ctx, tx)
	})
	if err != nil {
		return fail(err)
	}
	return l, changed, nil
}

// letterRank orders the statuses; the final ones share the last rank.
var letterRank = map[string]int{LetterReady: 0, LetterPosted: 1, LetterDeposited: 2,
	LetterDelivered: 3, LetterRefused: 3, LetterFailed: 3}

// withProof is l with p applied, and whether anything changed. A proof
// that cannot be meant is an *InvalidError naming its field.
func (l Letter) withProof(p LetterProof) (Letter, bool, error) {
	var errs fieldErrors
	switch {
	case p.Day.IsZero():
		errs.add("at", errors.New("required: say when it happened"))
	case p.Day.Before(l.Day):
		errs.add("at", fmt.Errorf("%s is before the letter's date %s", formatDay(p.Day), formatDay(l.Day)))
	}
	if _, ok := letterRank[p.Event]; !ok || letterRank[p.Event] < 2 {
		errs.add("event", fmt.Errorf("%s: want deposited, delivered, refused or failed", Quote(p.Event)))
	}
	if err := errs.err(); err != nil {
		return l, false, err
	}
	before := l
	if p.Event == LetterDeposited {
		if l.DepositedOn.IsZero() {
			l.DepositedOn = p.Day
		}
	} else {
		if letterRank[l.Status] == 3 && l.Status != p.Event {
			return l, false, fmt.Errorf("%w: the letter is already %s", ErrLetterConflict, l.Status)
		}
		day := map[string]*time.Time{LetterDelivered: &l.DeliveredOn, LetterRefused: &l.RefusedOn, LetterFailed: &l.FailedOn}[p.Event]
		if day.IsZero() {
			*day = p.Day
		}
		if l.OutcomeReason == "" {
			l.OutcomeReason = p.Reason
		}
	}
	if letterRank[p.Event] > letterRank[l.Status] {
		l.Status = p.Event
	}
	if l.Tracking == "" {
		l.Tracking = p.Tracking
	}
	if l.ProviderRef == "" {
		l.ProviderRef = p.ProviderRef
	}
	if p.ProofURL != "" {
		l.ProofURL = p.ProofURL
	}
	return l, !sameLetterState(before, l), nil
}

// sameLetterState compares what a proof may change.
func sameLetterState(a, b Letter) bool {
	return a.Status == b.Status && a.DepositedOn.Equal(b.DepositedOn) && a.DeliveredOn.Equal(b.DeliveredOn) &&
		a.RefusedOn.Equal(b.RefusedOn) && a.FailedOn.Equal(b.FailedOn) && a.Tracking == b.Tracking &&
		a.ProviderRef == b.ProviderRef && a.ProofURL == b.ProofURL && a.OutcomeReason == b.OutcomeReason
}

// lockLetter locks the letter f names and reads it.
func (s *Store) lockLetter(ctx context.Context, tx pgx.Tx, f letterQuery, what string) (Letter, error) {
	var id int64
	err := tx.QueryRow(ctx, letterLockSQL, f.id, f.key).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return Letter{}, fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	if err != nil {
		return Letter{}, err
	}
	f.id = &id
	return s.oneLetter(ctx, tx, f, what)
}

func updateLetter(ctx context.Context, tx pgx.Tx, l Letter) error {
	_, err := tx.Exec(ctx, letterUpdateSQL, l.ID, l.Status, l.Tracking, l.ProviderRef, nullDate(l.PostedOn), l.PostedBy,
		nullDate(l.DepositedOn), nullDate(l.DeliveredOn), nullDate(l.RefusedOn), nullDate(l.FailedOn),
		l.OutcomeReason, l.ProofURL)
	return err
}
