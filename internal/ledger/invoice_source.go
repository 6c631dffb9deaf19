package ledger

import (
	"context"
	_ "embed"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/cespare/xxhash/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/relance/relance/internal/money"
)

// A daily re-import lists mostly what the ledger has, as the ledger has it.
// Each invoice keeps the hash of the batch row that last wrote it
// (invoice.source_hash, migration 00180, which says what clears it); the
// reader of a file loads the hashes of its entity (InvoiceSources) before it
// parses, stages only the rows whose hash differs, and tells the batch what
// it left out (InvoiceBatch.Unchanged): how many rows, their clients,
// whether they say what is paid, and for a snapshot the open items absent
// from the file. The batch then writes what a batch of every row would.

var (
	//go:embed sql/invoice_sources.sql
	invoiceSourcesSQL string
	//go:embed sql/batch_client_said_unchanged.sql
	batchClientSaidUnchangedSQL string
	//go:embed sql/batch_client_said_unchanged_copy.sql
	batchClientSaidUnchangedCopySQL string
	//go:embed sql/batch_invoice_restaged.sql
	batchInvoiceRestagedSQL string
	//go:embed sql/client_said_hashes.sql
	clientSaidHashesSQL string
)

// sourceHashVersion changes whenever what SourceHash covers does: every
// stored hash then differs and the next import stages every row once.
const sourceHashVersion = 1

// SourceHash is a 128-bit hash of what a batch row says of its invoice
// (invoice.source_hash, a uuid column for its 16 bytes): two 64-bit xxhash
// of the same encoding under two prefixes. 128 bits, so that a file row
// matches the stored hash of another invoice with a chance of 2^-128 a pair,
// not 2^-64: a re-import compares each row with every hash of its entity.
type SourceHash [16]byte

// SourceHash is the hash of what the row says of its invoice: everything a
// batch writes or settles from it (number, client code, dates, terms,
// amounts, `paid`, currency, kind, applies_to), not its line, nor what it
// says of its client (a batch gets that from every row, staged or not).
func (r *BatchInvoice) SourceHash() SourceHash {
	var a [256]byte
	b := append(a[:0], sourceHashVersion)
	b = appendText(b, r.Number)
	b = appendText(b, r.ClientCode)
	b = appendDay(b, r.Issued)
	b = appendDay(b, r.Due)
	b = appendOptText(b, r.Terms)
	b = binary.AppendVarint(b, int64(r.Amount))
	b = appendOptAmount(b, r.AmountExcl)
	b = appendOptAmount(b, r.Paid)
	b = appendText(b, r.Currency)
	b = appendText(b, r.Kind)
	b = appendOptText(b, r.AppliesTo)
	var h SourceHash
	binary.BigEndian.PutUint64(h[:8], xxhash.Sum64(b))
	b[0] |= 0x80
	binary.BigEndian.PutUint64(h[8:], xxhash.Sum64(b))
	return h
}

func appendText(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func appendOptText(b []byte, s *string) []byte {
	if s == nil {
		return append(b, 0)
	}
	return appendText(append(b, 1), *s)
}

func appendDay(b []byte, t time.Time) []byte {
	y, m, d := t.Date()
	return binary.AppendVarint(b, int64(y)*10000+int64(m)*100+int64(d))
}

func appendOptAmount(b []byte, p *money.Amount) []byte {
	if p == nil {
		return append(b, 0)
	}
	return binary.AppendVarint(append(b, 1), int64(*p))
}

// InvoiceSource is what a re-import compares a row with: the invoice's id,
// the hash of the row that last wrote it (Hashed false when another write
// cleared it since), and whether it is open.
type InvoiceSource struct {
	ID     int64
	Hash   SourceHash
	Hashed bool
	Open   bool
}

// InvoiceSources calls fn with the source of each invoice of the store's
// entity that is open or has a source hash, read in q (the import's
// transaction). No number: a row's hash covers its number, and a million
// numbers cost more to read than the rest.
func (s *Store) InvoiceSources(ctx context.Context, q pgx.Tx, fn func(InvoiceSource)) error {
	entity, err := s.entity(ctx)
	if err != nil {
		return err
	}
	rows, err := q.Query(ctx, invoiceSourcesSQL, entity)
	if err != nil {
		return fmt.Errorf("ledger: read the invoices' sources: %w", err)
	}
	var src InvoiceSource
	var hash pgtype.UUID
	_, err = pgx.ForEachRow(rows, []any{&src.ID, &hash, &src.Open}, func() error {
		src.Hash, src.Hashed = hash.Bytes, hash.Valid
		fn(src)
		return nil
	})
	if err != nil {
		return fmt.Errorf("ledger: read the invoices' sources: %w", err)
	}
	return nil
}

// ClientSaid is what a batch row says of its client: its code, the fields
// it says and their hash (saidHash).
type ClientSaid struct {
	Code   string
	Client ClientPatch
	Hash   int64
}

// ClientSaid returns what the row says of its client, as a staged row's
// COPY stages it.
func (r *BatchInvoice) ClientSaid() ClientSaid {
	return ClientSaid{Code: r.ClientCode, Client: r.Client, Hash: saidHash(&r.Client)}
}

// ClientSaidHashes calls fn with the code and said hash of each client of
// the store's entity that has one (client.said_hash, migration 00200: the
// bit_xor of the distinct ClientSaid hashes of the rows the last batch that
// collected the client had, cleared by any other write of its fields),
// read in q.
func (s *Store) ClientSaidHashes(ctx context.Context, q pgx.Tx, fn func(code string, hash int64)) error {
	entity, err := s.entity(ctx)
	if err != nil {
		return err
	}
	rows, err := q.Query(ctx, clientSaidHashesSQL, entity)
	if err != nil {
		return fmt.Errorf("ledger: read the clients' said hashes: %w", err)
	}
	var code string
	var hash int64
	if _, err = pgx.ForEachRow(rows, []any{&code, &hash}, func() error { fn(code, hash); return nil }); err != nil {
		return fmt.Errorf("ledger: read the clients' said hashes: %w", err)
	}
	return nil
}

// Unchanged is what the reader of a batch left out: rows whose source hash
// is the ledger's (InvoiceSources).
type Unchanged struct {
	Rows int // how many
	// Clients are what those rows say of their clients, each distinct
	// (code, fields) once: a batch's clients are collected over all its
	// rows. A snapshot's reader leaves out those of a client no staged row
	// names whose said hash is the ledger's (ClientSaidHashes): collected,
	// the client would be written as it is.
	Clients []ClientSaid
	// Paid says one of them says what is paid: the batch brings payment
	// data (freshness).
	Paid bool
	// Absent are the ids of the open items InvoiceSources read for which no
	// row was left out: with a snapshot, those the batch does not stage are
	// what it closes. Open is how many open items it read.
	Absent []int64
	Open   int
}

// Unchanged tells the batch what its reader left out; call it once, after
// Copy and before Problems.
func (b *InvoiceBatch) Unchanged(ctx context.Context, u Unchanged) error {
	if len(u.Clients) > 0 {
		i := 0
		_, err := b.stage.copyBinary(ctx, "client_said_unchanged", batchClientSaidUnchangedCopySQL, func(buf copyRow) (copyRow, bool) {
			if i == len(u.Clients) {
				return buf, false
			}
			c := &u.Clients[i]
			i++
			return buf.fields(19).clientSaid(c.Code, &c.Client, c.Hash), true
		})
		if err != nil {
			return fmt.Errorf("%w (the clients of unchanged rows)", err)
		}
	}
	b.unchanged, b.unchangedPaid = u.Rows, u.Paid
	b.absent, b.open = u.Absent, int64(u.Open)
	if b.absent == nil {
		b.absent = []int64{}
	}
	return nil
}

// Restaged returns the ids of the ledger's invoices whose numbers the batch
// stages: a reader that left rows out checks that none of those was listed
// twice, once left out (the duplicate checks see only staged rows).
func (b *InvoiceBatch) Restaged(ctx context.Context) ([]int64, error) {
	var ids []int64
	if err := b.tx.QueryRow(ctx, batchInvoiceRestagedSQL, b.entityID).Scan(&ids); err != nil {
		return nil, fmt.Errorf("ledger: check invoices: %w", err)
	}
	return ids, nil
}
