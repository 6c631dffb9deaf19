package ledger

import (
	"context"
	_ "embed"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/cespare/xxhash/v2"
	"github.com/jackc/pgx/v5"
)

// What the rows of an invoice batch say of their clients is staged once per
// client and set of values, not on every row: a client's seventeen fields
// repeated on each of its invoices made the staging COPY of a first import
// three times a bare copy of the file (bench/analysis.md, "first import").
//
// A row's values (BatchInvoice.Values) are split as they are COPied: the
// invoice's own go into invoice_stage with client_said, the id of what the
// row says of its client, and that, when it differs from what the last row
// of the same client said, into invoice_client_said
// (sql/batch_invoice_client_said.sql) after the rows. The clients are then
// collected as before — max() of each field over the rows left once exact
// repeats are dropped (batch_clients_collect.sql) — from the sayings the
// staged rows still name: max() over a set of distinct values is max() over
// the rows that carry them, and a saying only a dropped repeat carried is
// left out as its row is.
//
// Memory stays bounded whatever the file: the last saying of at most
// maxSayings clients is kept to compare the next row with (past it the
// dictionary starts over, which only stages a saying again), and the
// sayings not staged yet are COPied every maxSayings, between two COPYs of
// the rows. Keeping every client's (a first version) took the reader of a
// million rows from 44 to 380 MB for its 100,000 clients.

//go:embed sql/batch_invoice_client_said.sql
var batchInvoiceClientSaidSQL string

// clientColumn says, for each column of invoiceStageColumns, whether it is what
// the row says of its client rather than of the invoice.
var clientColumn = map[string]bool{"client_name": true, "emails": true, "locale": true, "profile": true,
	"cc_emails": true, "segment": true, "country": true, "address_line1": true, "address_line2": true,
	"postcode": true, "city": true, "contact_name": true, "phone": true, "siren": true, "siret": true,
	"vat_number": true, "credit_limit": true}

// splitColumns returns the staging columns of invoice_stage (the invoice's
// own of cols, then client_said) and of invoice_client_said (said,
// client_code, the client's of cols, then said_hash), with the index in
// cols of each.
func splitColumns(cols []string) (own []string, ownAt []int, said []string, saidAt []int) {
	for i, c := range cols {
		if clientColumn[c] {
			said, saidAt = append(said, c), append(saidAt, i)
		} else {
			own, ownAt = append(own, c), append(ownAt, i)
		}
	}
	return append(own, "client_said"), ownAt, append(append([]string{"said", "client_code"}, said...), "said_hash"), saidAt
}

var invoiceOwnColumns, invoiceOwnAt, clientSaidColumns, clientSaidAt = splitColumns(invoiceStageColumns)

// invoiceClientCodeAt is the index of client_code in invoiceStageColumns.
var invoiceClientCodeAt = slices.Index(invoiceStageColumns, "client_code")

// maxSayings bounds the clients whose last saying is kept and the sayings
// held before they are staged.
const maxSayings = 4096

// clientSayings numbers what the rows of a batch say of their clients.
type clientSayings struct {
	last    map[string]saying // by client code: what its last row said
	pending [][]any           // sayings not staged yet: said, client_code, fields, said_hash
	n       int32
}

type saying struct {
	id     int32
	fields []any
}

// id returns the number of what a row of client code says (fields, in
// clientSaidAt order), a new one when it differs from the client's last.
func (c *clientSayings) id(code string, fields []any) int32 {
	if s, ok := c.last[code]; ok && slices.EqualFunc(s.fields, fields, sameValue) {
		return s.id
	}
	switch {
	case c.last == nil:
		c.last = make(map[string]saying)
	case len(c.last) >= maxSayings:
		clear(c.last)
	}
	c.n++
	kept := slices.Clone(fields)
	c.last[code] = saying{id: c.n, fields: kept}
	c.pending = append(c.pending, append(append([]any{c.n, code}, kept...), saidHash(kept)))
	return c.n
}

// saidHashVersion changes whenever what a batch does with what its rows
// say of a client does (batch_clients_collect.sql, batch_clients_update.sql):
// every stored said hash then differs, and the next batch collects every
// client once.
const saidHashVersion = 1

// saidHash is the hash of what a row says of its client (fields, in
// clientSaidAt order): the batch stores on each client the bit_xor of the
// distinct hashes its rows said (client.said_hash, migration 00200), and a
// re-import compares the same of the rows it leaves out with it.
func saidHash(fields []any) int64 {
	var a [512]byte
	b := append(a[:0], saidHashVersion)
	for _, v := range fields {
		switch v := v.(type) {
		case nil:
			b = append(b, 0)
		case string:
			b = appendText(append(b, 1), v)
		case []string:
			b = binary.AppendUvarint(append(b, 2), uint64(len(v)))
			for _, s := range v {
				b = appendText(b, s)
			}
		case int64:
			b = binary.AppendVarint(append(b, 3), v)
		default: // Values gives none: kept apart all the same
			b = appendText(append(b, 4), fmt.Sprint(v))
		}
	}
	return int64(xxhash.Sum64(b))
}

// sameValue compares two values of Values: nil, string, int64, []string.
func sameValue(a, b any) bool {
	switch a := a.(type) {
	case nil:
		return b == nil
	case []string:
		b, ok := b.([]string)
		return ok && slices.Equal(a, b)
	case string:
		b, ok := b.(string)
		return ok && a == b
	case int64:
		b, ok := b.(int64)
		return ok && a == b
	}
	return false
}

// splitRows is a pgx.CopyFromSource of invoice_stage rows from one of
// BatchInvoice.Values rows, numbering what each says of its client.
type splitRows struct {
	pgx.CopyFromSource
	said *clientSayings
	own  []any
	hold []any
	// paused ends a COPY early, before the next row, for the sayings to be
	// staged (maxSayings); the next COPY goes on from that row.
	paused bool
}

func (s *splitRows) Next() bool {
	if len(s.said.pending) >= maxSayings {
		s.paused = true
		return false
	}
	return s.CopyFromSource.Next()
}

func (s *splitRows) Values() ([]any, error) {
	row, err := s.CopyFromSource.Values()
	if err != nil {
		return nil, err
	}
	s.own, s.hold = s.own[:0], s.hold[:0]
	for _, i := range invoiceOwnAt {
		s.own = append(s.own, row[i])
	}
	for _, i := range clientSaidAt {
		s.hold = append(s.hold, row[i])
	}
	code, _ := row[invoiceClientCodeAt].(string)
	return append(s.own, s.said.id(code, s.hold)), nil
}

// Copy COPies rows (each BatchInvoice.Values) into the staging tables and
// returns how many. It may be called several times.
func (b *InvoiceBatch) Copy(ctx context.Context, rows pgx.CopyFromSource) (int, error) {
	src := &splitRows{CopyFromSource: rows, said: &b.said}
	total := 0
	for {
		n, err := b.stage.Copy(ctx, src)
		total += n
		if err != nil {
			return total, err
		}
		if len(b.said.pending) > 0 {
			if _, err := b.tx.CopyFrom(ctx, pgx.Identifier{"invoice_client_said"}, clientSaidColumns,
				pgx.CopyFromRows(b.said.pending)); err != nil {
				return total, fmt.Errorf("ledger: stage invoices: copy into invoice_client_said: %w", err)
			}
			clear(b.said.pending) // the rows' values, for the collector
			b.said.pending = b.said.pending[:0]
		}
		if !src.paused {
			return total, nil
		}
		src.paused = false
	}
}
