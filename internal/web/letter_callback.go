package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/letter"
	"github.com/relance/relance/internal/webhook"
)

// LetterProofs records what a letter provider reports; *ledger.Store is one.
type LetterProofs interface {
	RecordLetterProof(ctx context.Context, by ledger.Act, p ledger.LetterProof) (ledger.Letter, bool, error)
}

// LetterCallback is POST /webhooks/letters: the letter provider's proofs of
// deposit, delivery, refusal or failure (docs/letters-webhook.md). It
// carries no session or basic auth: the provider signs each request with
// the shared secret (webhook.Verify), and a signature older than Tolerance
// is refused, so a captured request cannot be replayed later. A proof
// already recorded is answered 200 again, so that the provider can retry
// until it hears us.
type LetterCallback struct {
	Proofs    LetterProofs
	Secret    []byte
	Tolerance time.Duration
	Clock     clock.Clock
	Location  *time.Location // dates the proofs' instants
	Logger    *slog.Logger
}

// letterCallbackPattern is the route.
const letterCallbackPattern = "POST /webhooks/letters"

// LetterCallbackActor records the provider's proofs on the timeline.
const LetterCallbackActor = "webhook:letters"

// maxCallbackBody caps a callback's body: a proof is a few hundred bytes.
const maxCallbackBody = 64 << 10

func (h *LetterCallback) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCallbackBody))
	if err != nil {
		callbackError(w, http.StatusRequestEntityTooLarge, "body: more than 64 KiB")
		return
	}
	if err := webhook.Verify(h.Secret, r.Header.Get(webhook.SignatureHeader), body, h.Clock.Now(), h.Tolerance); err != nil {
		h.Logger.Warn("letter callback refused", "remote", r.RemoteAddr, "err", err)
		callbackError(w, http.StatusUnauthorized, err.Error())
		return
	}
	var p letter.Proof
	if err := json.Unmarshal(body, &p); err != nil {
		callbackError(w, http.StatusBadRequest, "body: "+err.Error())
		return
	}
	if p.Key == "" {
		callbackError(w, http.StatusUnprocessableEntity, "key: required")
		return
	}
	var day time.Time
	if !p.At.IsZero() {
		day = clock.DateOf(p.At, h.Location)
	}
	l, changed, err := h.Proofs.RecordLetterProof(r.Context(), ledger.Act{Actor: LetterCallbackActor, Day: day},
		ledger.LetterProof{Key: p.Key, Event: p.Event, Day: day, Tracking: p.Tracking, ProviderRef: p.ID,
			ProofURL: p.ProofURL, Reason: p.Reason})
	var invalid *ledger.InvalidError
	switch {
	case errors.Is(err, ledger.ErrNotFound):
		callbackError(w, http.StatusNotFound, "key "+p.Key+": no such letter")
		return
	case errors.Is(err, ledger.ErrLetterConflict):
		callbackError(w, http.StatusConflict, err.Error())
		return
	case errors.As(err, &invalid):
		callbackError(w, http.StatusUnprocessableEntity, strings.ReplaceAll(invalid.Error(), "\n", "; "))
		return
	case err != nil:
		h.Logger.Error("letter callback: recording the proof failed", "key", p.Key, "event", p.Event, "err", err)
		callbackError(w, http.StatusServiceUnavailable, "not recorded, try again later")
		return
	}
	h.Logger.Info("letter proof", "letter", l.ID, "event", p.Event, "status", l.Status, "recorded", changed)
	callbackJSON(w, http.StatusOK, map[string]any{"letter_id": l.ID, "status": l.Status, "recorded": changed})
}

func callbackJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func callbackError(w http.ResponseWriter, status int, msg string) {
	callbackJSON(w, status, map[string]string{"error": msg})
}
