package ledger

import (
	"context"
	_ "embed"
	"encoding/binary"
	"slices"

	"github.com/cespare/xxhash/v2"
)

// What the rows of an invoice batch say of their clients is staged once per
// client and set of values, not on every row: a client's seventeen fields
// repeated on each of its invoices made the staging COPY of a first import
// three times a bare copy of the file (bench/analysis.md, "first import").
//
// A row is split as it is COPied: the invoice's own fields go into
// invoice_stage with client_said, the id of what the row says of its
// client, and that, when it differs from what the last row of the same
// client said, into invoice_client_said (sql/batch_invoice_client_said.sql)
// after the rows. The clients are then
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

var (
	//go:embed sql/batch_invoice_client_said.sql
	batchInvoiceClientSaidSQL string
	//go:embed sql/batch_invoice_stage_copy.sql
	batchInvoiceStageCopySQL string
	//go:embed sql/batch_invoice_client_said_copy.sql
	batchInvoiceClientSaidCopySQL string
)

// maxSayings bounds the clients whose last saying is kept and the sayings
// held before they are staged.
const maxSayings = 4096

// clientSayings numbers what the rows of a batch say of their clients.
type clientSayings struct {
	last    map[string]saying // by client code: what its last row said
	pending []saying          // not staged yet
	n       int32
}

// saying is a distinct thing rows say of a client: its number, the
// client's code, what they say and its hash (saidHash).
type saying struct {
	id     int32
	code   string
	client ClientPatch
	hash   int64
}

// id returns the number of what a row of client code says of it, a new one
// when it differs from what the client's last row said.
func (c *clientSayings) id(code string, client *ClientPatch) int32 {
	if s, ok := c.last[code]; ok && sameClient(&s.client, client) {
		return s.id
	}
	switch {
	case c.last == nil:
		c.last = make(map[string]saying)
	case len(c.last) >= maxSayings:
		clear(c.last)
	}
	c.n++
	s := saying{id: c.n, code: code, client: *client, hash: saidHash(client)}
	c.last[code] = s
	c.pending = append(c.pending, s)
	return c.n
}

// saidHashVersion changes whenever what a batch does with what its rows
// say of a client does (batch_clients_collect.sql, batch_clients_update.sql):
// every stored said hash then differs, and the next batch collects every
// client once.
const saidHashVersion = 1

// saidHash is the hash of what a row says of its client: the batch stores
// on each client the bit_xor of the distinct hashes its rows said
// (client.said_hash, migration 00200), and a re-import compares the same
// of the rows it leaves out with it. The fields in invoice_client_said's
// order, each tagged: 0 not said, 1 a text, 2 a list, 3 an amount.
func saidHash(c *ClientPatch) int64 {
	var a [512]byte
	b := append(a[:0], saidHashVersion)
	b = appendOptText(b, c.Name)
	b = hashList(b, c.Emails)
	b = appendOptText(b, c.Locale)
	b = appendOptText(b, c.Profile)
	b = hashList(b, c.CC)
	for _, p := range [...]*string{c.Segment, c.Country, c.Line1, c.Line2, c.Postcode, c.City, c.Contact,
		c.Phone, c.SIREN, c.SIRET, c.VAT} {
		b = appendOptText(b, p)
	}
	if c.CreditLimit == nil {
		b = append(b, 0)
	} else {
		b = binary.AppendVarint(append(b, 3), int64(*c.CreditLimit))
	}
	return int64(xxhash.Sum64(b))
}

func hashList(b []byte, p *[]string) []byte {
	if p == nil {
		return append(b, 0)
	}
	b = binary.AppendUvarint(append(b, 2), uint64(len(*p)))
	for _, s := range *p {
		b = appendText(b, s)
	}
	return b
}

// sameClient says whether two rows say the same of their client: the same
// patch (parseClientOnce hands a client's rows the same pointers), or the
// same fields said with the same values.
func sameClient(a, b *ClientPatch) bool {
	if *a == *b {
		return true
	}
	for _, f := range [...][2]*string{{a.Name, b.Name}, {a.Locale, b.Locale}, {a.Profile, b.Profile},
		{a.Segment, b.Segment}, {a.Country, b.Country}, {a.Line1, b.Line1}, {a.Line2, b.Line2},
		{a.Postcode, b.Postcode}, {a.City, b.City}, {a.Contact, b.Contact}, {a.Phone, b.Phone},
		{a.SIREN, b.SIREN}, {a.SIRET, b.SIRET}, {a.VAT, b.VAT}} {
		if !samePtr(f[0], f[1]) {
			return false
		}
	}
	return sameList(a.Emails, b.Emails) && sameList(a.CC, b.CC) && samePtr(a.CreditLimit, b.CreditLimit)
}

func samePtr[T comparable](a, b *T) bool {
	return a == b || a != nil && b != nil && *a == *b
}

// sameList compares two lists said, a nil list apart from an empty one:
// the stage holds NULL for the one and '{}' for the other.
func sameList(a, b *[]string) bool {
	switch {
	case a == b:
		return true
	case a == nil || b == nil || (*a == nil) != (*b == nil):
		return false
	}
	return slices.Equal(*a, *b)
}

// invoiceRow appends r as a row of invoice_stage, in
// batch_invoice_stage_copy.sql's columns, with said, the number of what it
// says of its client.
func (b copyRow) invoiceRow(r *BatchInvoice, said int32) copyRow {
	b = b.fields(14).int4(int32(r.Line)).text(r.Number).text(r.ClientCode).date(r.Issued).date(r.Due).
		optText(r.Terms).int8(int64(r.Amount)).amount(r.AmountExcl).amount(r.Paid).text(r.Currency).text(r.Kind).
		optText(r.AppliesTo)
	return b.uuid(r.SourceHash()).int4(said)
}

// clientSaid appends, after the fields before them, the columns of what a
// row says of client code, from client_code to said_hash: those of
// invoice_client_said and client_said_unchanged.
func (b copyRow) clientSaid(code string, c *ClientPatch, hash int64) copyRow {
	b = b.text(code).optText(c.Name).textArray(c.Emails).optText(c.Locale).optText(c.Profile).textArray(c.CC)
	for _, p := range [...]*string{c.Segment, c.Country, c.Line1, c.Line2, c.Postcode, c.City, c.Contact,
		c.Phone, c.SIREN, c.SIRET, c.VAT} {
		b = b.optText(p)
	}
	return b.amount(c.CreditLimit).int8(hash)
}

// Copy stages the rows next gives (nil after the last) and returns how
// many. It may be called several times.
func (b *InvoiceBatch) Copy(ctx context.Context, next func() *BatchInvoice) (int, error) {
	// paused ends a COPY early, before the next row, for the sayings to
	// be staged (maxSayings); the next COPY goes on from that row.
	var paused bool
	row := func(buf copyRow) (copyRow, bool) {
		if len(b.said.pending) >= maxSayings {
			paused = true
			return buf, false
		}
		r := next()
		if r == nil {
			return buf, false
		}
		b.numbers.add(r.Number)
		b.lines.add(r.Line)
		return buf.invoiceRow(r, b.said.id(r.ClientCode, &r.Client)), true
	}
	total := 0
	for {
		paused = false
		n, err := b.stage.copyBinary(ctx, "invoice_stage", batchInvoiceStageCopySQL, row)
		total += n
		b.stage.rows += n
		if err != nil {
			return total, err
		}
		if err := b.copySayings(ctx); err != nil {
			return total, err
		}
		if !paused {
			return total, nil
		}
	}
}

// copySayings stages the sayings not staged yet.
func (b *InvoiceBatch) copySayings(ctx context.Context) error {
	pending := b.said.pending
	if len(pending) == 0 {
		return nil
	}
	i := 0
	_, err := b.stage.copyBinary(ctx, "invoice_client_said", batchInvoiceClientSaidCopySQL, func(buf copyRow) (copyRow, bool) {
		if i == len(pending) {
			return buf, false
		}
		s := &pending[i]
		i++
		return buf.fields(20).int4(s.id).clientSaid(s.code, &s.client, s.hash), true
	})
	clear(pending) // what the rows said, for the collector
	b.said.pending = pending[:0]
	return err
}
