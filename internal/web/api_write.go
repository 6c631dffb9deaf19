package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/ledger"
)

var (
	//go:embed sql/idempotency_claim.sql
	idempotencyClaimSQL string
	//go:embed sql/idempotency_stored.sql
	idempotencyStoredSQL string
	//go:embed sql/idempotency_store.sql
	idempotencyStoreSQL string
	//go:embed sql/idempotency_expire.sql
	idempotencyExpireSQL string
)

// call is what a write handler works with: everything happens in tx, the
// transaction that also holds the request's Idempotency-Key, so that a key
// has one effect or none.
type call struct {
	r      *http.Request
	body   []byte
	tx     pgx.Tx
	store  *ledger.Store // on tx, for the request's entity
	entity string
	act    ledger.Act // the principal (api:<token name>) and ?as_of= or today
}

// reply is what a write answers when it succeeds.
type reply struct {
	status int // 0: 200
	etag   string
	body   any
}

// writeFunc is one write endpoint.
type writeFunc func(ctx context.Context, c *call) (reply, error)

// maxKeyLen bounds an Idempotency-Key.
const maxKeyLen = 255

// write wraps a write endpoint: JSON in (415, 413), ?as_of= checked, one
// transaction for the Idempotency-Key and the write, the error mapped
// (toAPIError), and the response stored with the key.
func (api *API) write(h writeFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, ae := readBody(w, r, api.opts.BodyLimit)
		if ae != nil {
			writeError(w, ae)
			return
		}
		status, header, out, err := api.runWrite(r, body, h)
		if err != nil {
			writeError(w, toAPIError(err, listOf(r), api.opts.Logger))
			return
		}
		for k, v := range header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write(out)
	}
}

// listOf is the name of the array a batch body holds, which its errors
// name: the last segment of a batch endpoint's path.
func listOf(r *http.Request) string {
	switch r.Pattern {
	case "POST " + APIPrefix + "/clients":
		return "clients"
	case "POST " + APIPrefix + "/invoices":
		return "invoices"
	case "POST " + APIPrefix + "/payments":
		return "payments"
	}
	return ""
}

// runWrite runs h in its transaction and returns the response to send:
// the one stored for the Idempotency-Key when the key was already used
// with the same request.
func (api *API) runWrite(r *http.Request, body []byte, h writeFunc) (int, http.Header, []byte, error) {
	ctx := r.Context()
	day, err := api.day(r)
	if err != nil {
		return 0, nil, nil, err
	}
	p, _ := PrincipalFrom(ctx)
	tx, err := api.opts.DB.Begin(ctx)
	if err != nil {
		return 0, nil, nil, err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	key := r.Header.Get("Idempotency-Key")
	if key != "" {
		stored, err := api.claimKey(ctx, tx, p.Actor(), key, fingerprint(r, body))
		if err != nil {
			return 0, nil, nil, err
		}
		if stored != nil {
			return stored.status, stored.header(), stored.body, nil
		}
	}
	entity := api.entityOf(r)
	c := &call{r: r, body: body, tx: tx, store: api.store(tx, entity), entity: entity,
		act: ledger.Act{Actor: p.Actor(), Day: day}}
	if _, err := c.store.Entity(ctx, entity); err != nil {
		return 0, nil, nil, err
	}
	rep, err := h(ctx, c)
	if err != nil {
		return 0, nil, nil, err
	}
	if rep.status == 0 {
		rep.status = http.StatusOK
	}
	out, err := json.Marshal(rep.body)
	if err != nil {
		return 0, nil, nil, err
	}
	out = append(out, '\n')
	header := http.Header{}
	if rep.etag != "" {
		header.Set("ETag", rep.etag)
	}
	if key != "" {
		// The ETag goes with the body: a replay answers both.
		if _, err := tx.Exec(ctx, idempotencyStoreSQL, p.Actor(), key, rep.status, rep.etag, out); err != nil {
			return 0, nil, nil, err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, nil, nil, err
	}
	return rep.status, header, out, nil
}

// fingerprint identifies a request for its Idempotency-Key: method, path
// with query, body.
func fingerprint(r *http.Request, body []byte) []byte {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", r.Method, r.URL.RequestURI())
	h.Write(body)
	return h.Sum(nil)
}

// storedResponse is the response kept for an Idempotency-Key.
type storedResponse struct {
	status int
	etag   string
	body   []byte
}

func (s *storedResponse) header() http.Header {
	h := http.Header{"Idempotent-Replayed": {"true"}}
	if s.etag != "" {
		h.Set("ETag", s.etag)
	}
	return h
}

// claimKey claims key for owner in tx. It returns nil when the key is new
// (the write goes on), or the stored response of the earlier request with
// the same fingerprint; the key used with another request is a 422.
func (api *API) claimKey(ctx context.Context, tx pgx.Tx, owner, key string, fp []byte) (*storedResponse, error) {
	if len(key) > maxKeyLen || !printable(key) {
		return nil, fieldError("Idempotency-Key", fmt.Sprintf("want 1 to %d printable ASCII characters", maxKeyLen))
	}
	now := api.opts.Clock.Now()
	if _, err := tx.Exec(ctx, idempotencyExpireSQL, now.Add(-24*time.Hour)); err != nil {
		return nil, err
	}
	var claimed bool
	err := tx.QueryRow(ctx, idempotencyClaimSQL, owner, key, fp, now).Scan(&claimed)
	if err == nil {
		return nil, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return nil, err
	}
	var s storedResponse
	var was []byte
	var status *int
	var etag *string
	if err := tx.QueryRow(ctx, idempotencyStoredSQL, owner, key).Scan(&was, &status, &etag, &s.body); err != nil {
		return nil, err
	}
	if !bytes.Equal(was, fp) {
		return nil, &apiError{status: http.StatusUnprocessableEntity,
			msg: "Idempotency-Key " + strconv.Quote(key) + " was used with another request (method, path or body): use a new key for a new request"}
	}
	if status == nil {
		return nil, &apiError{status: http.StatusConflict, msg: "a request with this Idempotency-Key is still running"}
	}
	s.status = *status
	if etag != nil {
		s.etag = *etag
	}
	return &s, nil
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
