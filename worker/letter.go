package worker

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/letter"
	"github.com/relance/relance/internal/mail"
	"github.com/relance/relance/internal/webhook"
)

// LetterProvider hands a letter to a postal or electronic registered-letter
// provider: a signed POST of body under an idempotency key (the webhook
// channel). *webhook.Client is one; errors are told apart with
// webhook.FaultOf.
type LetterProvider interface {
	Post(ctx context.Context, key string, body []byte) (webhook.Reply, error)
}

// errNoProvider is a webhook letter with no provider configured: our
// configuration, retried until someone sets letters.webhook.url.
var errNoProvider = errors.New("the entity sends its letters by webhook, but letters.webhook.url is not set")

// sendLetter lays out, hands over, copies and records the registered letter
// of s, in named stages (see the package documentation for how the letter
// and its email copy make one decision):
//   - check: a debtor without a postal address gets no letter; the rows
//     fail with the reason, never blamed on its email;
//   - lay out: the PDF and its manifest;
//   - hand over: outbox (the PDF and the manifest written under LettersDir
//     are the handover) or webhook (the provider answers 2xx, then the same
//     files are written as the archive of what it was sent); a temporary
//     failure or a refusal of ours goes back to River, a refusal of the
//     letter itself fails the rows;
//   - copy: the formal notice emailed with the PDF attached, unless the
//     step says email_copy: false; its failure is recorded, never retried;
//   - record: the letter through the ledger, the rows sent, the job
//     completed, in one transaction.
func (w *SendWorker) sendLetter(ctx context.Context, tx pgx.Tx, s sending, conn mail.Conn, connErr error) error {
	who := s.composed.who
	if len(who.debtorUnpostable) > 0 {
		return w.fail(ctx, tx, s.job, s.keep, fmt.Errorf("letter not produced: client %s has no postal address (missing %s); record it with `relance client set %s --address … --postcode … --city …`",
			s.top.clientCode, strings.Join(who.debtorUnpostable, ", "), s.top.clientCode), s.log, s.drops.counts)
	}
	key := letterKey(who.entityCode, s.top.clientCode, s.top.stepID, s.job.Args.ReminderIDs)
	laid, err := w.layOut(s, key)
	if err != nil {
		// A letter that cannot be laid out will not be on retry either.
		return w.fail(ctx, tx, s.job, s.keep, err, s.log, s.drops.counts)
	}
	rec := ledger.Letter{Key: key, ClientID: s.job.Args.ClientID, ReminderIDs: rowIDs(s.keep), Step: s.top.stepID,
		Day: s.day, Channel: who.letterChannel, File: laid.pdfPath, Manifest: laid.manifest, Status: ledger.LetterReady}
	if rec.Channel == ledger.LetterWebhook {
		receipt, err := w.handOver(ctx, key, laid)
		if err != nil {
			return w.notHanded(ctx, tx, s, err)
		}
		rec.Status, rec.PostedOn, rec.PostedBy = ledger.LetterPosted, w.sentOn(s.day, s.job), "webhook"
		rec.ProviderRef, rec.Tracking = receipt.ID, receipt.Tracking
		s.log.Info("letter handed to the provider", "key", key, "provider_ref", receipt.ID)
	}
	if err := laid.write(); err != nil {
		return fmt.Errorf("send: %w", err) // a full or unwritable disk: retry (the provider knows the key)
	}
	if rec.Copy, err = w.emailCopy(ctx, tx, s, conn, connErr, laid.pdf); err != nil {
		return err
	}
	act := ledger.Act{Actor: "relance", Day: w.sentOn(s.day, s.job)}
	if _, _, err := ledger.New(tx, ledger.Options{}).AddLetter(ctx, act, rec); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	return w.recordSent(ctx, tx, s)
}

// letterKey names the letter of a job's reminder rows, the reminder
// ledger's key: each row is one (invoice, step), decided once ever, so every
// attempt at the same rows, on any replica, after any crash, gives the same
// key, and no other letter has it. It is the provider's Idempotency-Key.
func letterKey(entity, client, step string, reminderIDs []int64) string {
	h := sha256.New()
	fmt.Fprintf(h, "relance letter\x00%s\x00%s\x00%s", entity, client, step)
	for _, id := range slices.Sorted(slices.Values(reminderIDs)) {
		fmt.Fprintf(h, "\x00%d", id)
	}
	return "relance-" + hex.EncodeToString(h.Sum(nil))[:32]
}

// laidOut is a letter laid out: its PDF and manifest, and where they go.
type laidOut struct {
	pdf                    []byte
	dir, pdfPath, jsonPath string
	name                   string          // the PDF's file name
	manifest               json.RawMessage // as written beside it
	parsed                 letter.Manifest
}

// layOut renders the letter of s as an A4 PDF (internal/letter) and its
// manifest, for LettersDir/<day>/<client code>-<step>.pdf and .json. Both
// depend only on the message, so a retry gives the same bytes.
func (w *SendWorker) layOut(s sending, key string) (laidOut, error) {
	c := s.composed
	body := c.rendered.Letter
	if body == "" {
		body = c.rendered.Text // a template without a letter part: the email's text
	}
	l := letter.Letter{Message: c.msg, Locale: c.rendered.Locale, Subject: c.rendered.Subject, Body: body}
	pdf, err := letter.Render(l)
	if err != nil {
		return laidOut{}, fmt.Errorf("lay out letter: %w", err)
	}
	base := safeName(s.top.clientCode) + "-" + safeName(s.top.stepID)
	if cur := s.job.Args.Currency; cur != "" && cur != "EUR" {
		base += "-" + strings.ToLower(cur) // a second currency's letter of the same day
	}
	dir := filepath.Join(w.Settings.LettersDir, s.job.Args.Day)
	out := laidOut{pdf: pdf, dir: dir, name: base + ".pdf", pdfPath: filepath.Join(dir, base+".pdf"), jsonPath: filepath.Join(dir, base+".json")}
	out.parsed = letter.NewManifest(l, pdf, letter.Handling{Key: key, Entity: c.who.entityCode, File: out.name,
		Sender: c.who.creditorPostal, Recipient: c.who.debtorPostal, Reminders: rowIDs(s.keep)})
	if out.manifest, err = json.MarshalIndent(out.parsed, "", "  "); err != nil {
		return laidOut{}, fmt.Errorf("letter manifest: %w", err)
	}
	return out, nil
}

// write puts the letter into its directory: the outbox a person posts
// from, and the archive of what a provider was sent. The PDF goes first and
// the manifest last, each written atomically (temp file then rename), so a
// manifest in the outbox always has its whole PDF beside it; a retry
// rewrites the same bytes.
func (l laidOut) write() error {
	if err := os.MkdirAll(l.dir, 0o755); err != nil {
		return fmt.Errorf("letters directory: %w", err)
	}
	if err := writeAtomic(l.pdfPath, l.pdf); err != nil {
		return err
	}
	return writeAtomic(l.jsonPath, append(l.manifest, '\n'))
}

func writeAtomic(name string, data []byte) error {
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("write letter: %w", err)
	}
	if err := os.Rename(tmp, name); err != nil {
		return fmt.Errorf("write letter: %w", err)
	}
	return nil
}

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == 0 || r == os.PathSeparator {
			return '_'
		}
		return r
	}, s)
}

// handOver POSTs the letter to the provider under key and reads its
// receipt. The receipt's fields are optional: any 2xx is a letter handed.
func (w *SendWorker) handOver(ctx context.Context, key string, l laidOut) (letter.Receipt, error) {
	var r letter.Receipt
	if w.Provider == nil {
		return r, errNoProvider
	}
	body, err := json.Marshal(letter.Upload{Manifest: l.parsed,
		Document: letter.Attachment{File: l.name, ContentType: "application/pdf", Data: l.pdf}})
	if err != nil {
		return r, fmt.Errorf("letter upload: %w", err)
	}
	reply, err := w.Provider.Post(ctx, key, body)
	if err != nil {
		return r, err
	}
	if json.Unmarshal(reply.Body, &r) != nil {
		r = letter.Receipt{}
	}
	if !plainRef(r.ID) {
		r.ID = "" // not one we can keep; the callbacks name the letter by its key
	}
	if t, err := ledger.NormalizeTracking(r.Tracking); err == nil {
		r.Tracking = t
	} else {
		r.Tracking = "" // not one we can keep; the deposit's callback brings it again
	}
	return r, nil
}

// plainRef says whether a provider's id is one to keep: up to 200 printable
// ASCII characters.
func plainRef(s string) bool {
	if len(s) > 200 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// notHanded handles a letter the provider did not take: refused as it is
// (a 4xx other than ours), the rows fail with the provider's words and the
// job is cancelled; anything else (a timeout, 5xx, 429, our URL or secret
// wrong, no provider configured) goes back to River, which retries with the
// same key.
func (w *SendWorker) notHanded(ctx context.Context, tx pgx.Tx, s sending, err error) error {
	switch {
	case errors.Is(err, errNoProvider):
		s.log.Error("letter not handed over: our configuration; will retry", "err", err)
	case webhook.FaultOf(err) == webhook.Refused:
		return w.fail(ctx, tx, s.job, s.keep, fmt.Errorf("the letter provider refused the letter: %w", err), s.log, s.drops.counts)
	case webhook.FaultOf(err) == webhook.Ours:
		s.log.Error("the letter provider refuses our requests: check letters.webhook.url and letters.webhook.secret; will retry",
			"attempt", s.job.Attempt, "err", err)
	default:
		s.log.Warn("letter provider unavailable, will retry with the same key", "attempt", s.job.Attempt, "err", err)
	}
	return fmt.Errorf("send: letter not handed over: %w", err)
}

// emailCopy emails the formal notice of s with its PDF attached, unless the
// step says email_copy: false or the client has no address that works. The
// letter has gone by now and decides that the rows are sent: a copy that
// fails is recorded on the letter (and the timeline) and not retried, since
// a retry would hand the letter over again. The client's own address
// refused marks it bouncing, as for any email. Only a database error is
// returned.
func (w *SendWorker) emailCopy(ctx context.Context, tx pgx.Tx, s sending, conn mail.Conn, connErr error, pdf []byte) (ledger.LetterCopy, error) {
	switch {
	case s.top.skipCopy:
		return ledger.LetterCopy{Status: ledger.CopyOff}, nil
	case len(s.top.emails) == 0:
		return ledger.LetterCopy{Status: ledger.CopySkipped, Reason: "no email address"}, nil
	case s.top.bouncing:
		return ledger.LetterCopy{Status: ledger.CopySkipped, Reason: "email address bouncing"}, nil
	case conn == nil:
		return ledger.LetterCopy{Status: ledger.CopyFailed, MessageID: s.messageID, Reason: fmt.Sprintf("relay unreachable: %v", connErr)}, nil
	}
	m := w.outgoing(s)
	m.Attachments = []mail.Attachment{{Name: attachmentName(s), ContentType: "application/pdf", Data: pdf}}
	err := conn.Send(ctx, m)
	if err == nil {
		w.relayAccepted()
		return ledger.LetterCopy{Status: ledger.CopySent, MessageID: s.messageID}, nil
	}
	switch mail.FaultOf(err) {
	case mail.RecipientRefused:
		if err := w.markBouncing(ctx, tx, s.job, rowIDs(s.keep), err); err != nil {
			return ledger.LetterCopy{}, err
		}
	case mail.SenderRefused:
		if w.Counters != nil {
			w.Counters.Refused(stageOf(err))
		}
		s.log.Error("the relay refused the letter's email copy: our configuration or our relay; the letter went", "err", err)
	default:
		s.log.Warn("the letter's email copy did not go; the letter went", "err", err)
	}
	return ledger.LetterCopy{Status: ledger.CopyFailed, MessageID: s.messageID, Reason: err.Error()}, nil
}

// attachmentName is the PDF's name in the email: mise-en-demeure-C042.pdf,
// or formal-notice-C042.pdf in English.
func attachmentName(s sending) string {
	name := "mise-en-demeure"
	if s.composed.rendered.Locale == "en" {
		name = "formal-notice"
	}
	return name + "-" + safeName(s.top.clientCode) + ".pdf"
}
