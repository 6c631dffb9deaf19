package ledger

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/cespare/xxhash/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// The staging COPY as it was before the binary encoder (stage_copy.go):
// each row's values boxed and encoded by pgx's CopyFrom, what the row says
// of its client hashed from the same values. Kept here as the reference
// the encoder is compared with, on the bytes (FuzzStageRowIsPgxEncoding)
// and in the database (TestStageByEncoderIsStageByPgx).

// pgxInvoiceColumns are invoice_stage's columns as the pgx path named them.
var pgxInvoiceColumns = []string{"line", "number", "client_code", "issue_date", "due_date", "terms", "amount",
	"amount_excl", "paid", "currency", "kind", "applies_to", "source_hash", "client_said"}

// pgxInvoiceValues are the values the pgx path COPied of r.
func pgxInvoiceValues(r *BatchInvoice, said int32) []any {
	return []any{int32(r.Line), r.Number, r.ClientCode, r.Issued, r.Due, nullable(r.Terms), int64(r.Amount),
		nullableAmount(r.AmountExcl), nullableAmount(r.Paid), r.Currency, r.Kind, nullable(r.AppliesTo),
		pgtype.UUID{Bytes: r.SourceHash(), Valid: true}, said}
}

// pgxInvoiceOIDs are the types of pgxInvoiceColumns.
var pgxInvoiceOIDs = []uint32{pgtype.Int4OID, pgtype.TextOID, pgtype.TextOID, pgtype.DateOID, pgtype.DateOID,
	pgtype.TextOID, pgtype.Int8OID, pgtype.Int8OID, pgtype.Int8OID, pgtype.TextOID, pgtype.TextOID, pgtype.TextOID,
	pgtype.UUIDOID, pgtype.Int4OID}

// pgxSaidColumns are invoice_client_said's columns.
var pgxSaidColumns = []string{"said", "client_code", "client_name", "emails", "locale", "profile", "cc_emails",
	"segment", "country", "address_line1", "address_line2", "postcode", "city", "contact_name", "phone", "siren",
	"siret", "vat_number", "credit_limit", "said_hash"}

// pgxSaidFields are the values of what a row says of its client, from
// client_name to credit_limit.
func pgxSaidFields(c *ClientPatch) []any {
	return []any{nullable(c.Name), nullable(c.Emails), nullable(c.Locale), nullable(c.Profile),
		nullable(c.CC), nullable(c.Segment), nullable(c.Country), nullable(c.Line1), nullable(c.Line2),
		nullable(c.Postcode), nullable(c.City), nullable(c.Contact), nullable(c.Phone),
		nullable(c.SIREN), nullable(c.SIRET), nullable(c.VAT), nullableAmount(c.CreditLimit)}
}

// pgxSaidOIDs are the types of pgxSaidColumns.
var pgxSaidOIDs = []uint32{pgtype.Int4OID, pgtype.TextOID, pgtype.TextOID, pgtype.TextArrayOID, pgtype.TextOID,
	pgtype.TextOID, pgtype.TextArrayOID, pgtype.TextOID, pgtype.TextOID, pgtype.TextOID, pgtype.TextOID,
	pgtype.TextOID, pgtype.TextOID, pgtype.TextOID, pgtype.TextOID, pgtype.TextOID, pgtype.TextOID,
	pgtype.TextOID, pgtype.Int8OID, pgtype.Int8OID}

// pgxSaidHash is saidHash as it was, over the values of pgxSaidFields.
func pgxSaidHash(fields []any) int64 {
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
		default:
			b = appendText(append(b, 4), fmt.Sprint(v))
		}
	}
	return int64(xxhash.Sum64(b))
}

// pgxRow is a row of values as pgx's CopyFrom writes it in COPY's binary
// format: the number of fields, then each as its length (-1 for NULL) and
// the bytes of pgx's binary encoding.
func pgxRow(m *pgtype.Map, oids []uint32, values []any) ([]byte, error) {
	b := binary.BigEndian.AppendUint16(nil, uint16(len(values)))
	for i, v := range values {
		at := len(b)
		b = binary.BigEndian.AppendUint32(b, 0)
		enc, err := m.Encode(oids[i], pgtype.BinaryFormatCode, v, b)
		if err != nil {
			return nil, err
		}
		if enc == nil {
			binary.BigEndian.PutUint32(b[at:], 0xffffffff)
			continue
		}
		b = enc
		binary.BigEndian.PutUint32(b[at:], uint32(len(b)-at-4))
	}
	return b, nil
}

// copyWithPgx stages rows as the pgx path did: the rows, numbered by the
// batch's sayings, then the sayings.
func (b *InvoiceBatch) copyWithPgx(ctx context.Context, rows []BatchInvoice) (int, error) {
	src := pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
		r := &rows[i]
		return pgxInvoiceValues(r, b.said.id(r.ClientCode, &r.Client)), nil
	})
	n, err := b.tx.CopyFrom(ctx, pgx.Identifier{"invoice_stage"}, pgxInvoiceColumns, src)
	b.rows += int(n)
	if err != nil {
		return int(n), err
	}
	said := pgx.CopyFromSlice(len(b.said.pending), func(i int) ([]any, error) {
		s := &b.said.pending[i]
		fields := pgxSaidFields(&s.client)
		return append(append([]any{s.id, s.code}, fields...), pgxSaidHash(fields)), nil
	})
	if _, err := b.tx.CopyFrom(ctx, pgx.Identifier{"invoice_client_said"}, pgxSaidColumns, said); err != nil {
		return int(n), err
	}
	b.said.pending = b.said.pending[:0]
	return int(n), nil
}
