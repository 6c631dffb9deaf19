package ledger

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/jackc/pgx/v5"
)

var (
	//go:embed sql/batch_client_stage.sql
	batchClientStageSQL string
	//go:embed sql/batch_client_duplicates.sql
	batchClientDuplicatesSQL string
	//go:embed sql/batch_clients_events.sql
	batchClientsEventsSQL string
)

// BatchClient is one client of a batch of clients (an API body), checked by
// its reader with ClientPatch.Normalize. A nil field of Client is not said
// and leaves what the ledger has.
type BatchClient struct {
	Line   int // its index in the body
	Code   string
	Client ClientPatch
}

// clientStageColumns are the columns of batch_client
// (sql/batch_client_stage.sql) that COPY fills, in BatchClient.Values order.
var clientStageColumns = []string{"line", "client_code", "client_name", "emails", "cc_emails", "locale", "profile",
	"segment", "country", "address_line1", "address_line2", "postcode", "city", "contact_name", "phone",
	"siren", "siret", "vat_number", "credit_limit"}

// Values returns the row in staging column order for COPY, reusing buf.
func (r *BatchClient) Values(buf []any) []any {
	c := &r.Client
	return append(buf[:0], int32(r.Line), r.Code, nullable(c.Name), nullable(c.Emails), nullable(c.CC),
		nullable(c.Locale), nullable(c.Profile), nullable(c.Segment), nullable(c.Country), nullable(c.Line1),
		nullable(c.Line2), nullable(c.Postcode), nullable(c.City), nullable(c.Contact), nullable(c.Phone),
		nullable(c.SIREN), nullable(c.SIRET), nullable(c.VAT), nullableAmount(c.CreditLimit))
}

// ClientBatch is a batch of clients staged in the caller's transaction:
// Copy the rows, read Problems, then Apply. It writes clients with the same
// statements as an invoice batch writes the clients its rows describe.
type ClientBatch struct {
	stage
}

// StageClients opens a batch of clients of the store's entity in tx, the
// caller's transaction. One transaction holds one client batch at a time.
func (s *Store) StageClients(ctx context.Context, tx pgx.Tx) (*ClientBatch, error) {
	st, err := s.openStage(ctx, tx, stage{kind: "clients", table: "batch_client", columns: clientStageColumns}, batchClientStageSQL)
	if err != nil {
		return nil, err
	}
	return &ClientBatch{stage: st}, nil
}

// Problems reports the client codes listed twice.
func (b *ClientBatch) Problems(ctx context.Context) ([]RowProblem, error) {
	rows, err := b.tx.Query(ctx, batchClientDuplicatesSQL)
	if err != nil {
		return nil, fmt.Errorf("ledger: check clients: %w", err)
	}
	var problems []RowProblem
	var code string
	var lines []int32
	_, err = pgx.ForEachRow(rows, []any{&code, &lines}, func() error {
		for _, l := range lines[1:] {
			problems = append(problems, RowProblem{Line: int(l), Field: "client",
				Reason: fmt.Sprintf("client %s listed twice (first on line %d)", Quote(code), lines[0])})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: check clients: %w", err)
	}
	return problems, nil
}

// Apply creates the clients the ledger does not have and updates the
// others with what the batch says, recording one import_batch row, one
// event (clients_batch) with by's actor and the counts, and, unlike a batch
// of invoices, a client_updated event on each client it created or changed:
// a batch of clients is what someone says of those clients, and their
// timelines show it.
func (b *ClientBatch) Apply(ctx context.Context, by Act, src BatchSource) (Applied, error) {
	a := Applied{Rows: b.rows}
	err := func() error {
		if err := by.check(); err != nil {
			return err
		}
		var err error
		if a.Batch, err = b.record(ctx, by, src, false); err != nil {
			return err
		}
		if err := b.writeClients(ctx, &a); err != nil {
			return err
		}
		a.Created, a.Updated = a.ClientsCreated, a.ClientsUpdated
		if _, err := b.tx.Exec(ctx, batchClientsEventsSQL, b.entityID, a.Batch, by.Actor, by.Day); err != nil {
			return fmt.Errorf("record client events: %w", err)
		}
		// A new credit limit may put a client past a threshold.
		return b.finish(ctx, by, src, &a, batchInvoiceClientsSQL)
	}()
	if err != nil {
		return a, fmt.Errorf("ledger: apply clients of %s: %w", src.Name, err)
	}
	return a, nil
}

// writeClients updates the clients of batch_client the ledger has and
// creates the others (batch_clients_update.sql, batch_clients_insert.sql),
// counting each in a.
func (st *stage) writeClients(ctx context.Context, a *Applied) error {
	if err := st.tx.QueryRow(ctx, batchClientsUpdateSQL, st.entityID).Scan(&a.ClientsUpdated); err != nil {
		return fmt.Errorf("update clients: %w", err)
	}
	tag, err := st.tx.Exec(ctx, batchClientsInsertSQL, st.entityID)
	if err != nil {
		return fmt.Errorf("create clients: %w", err)
	}
	a.ClientsCreated = int(tag.RowsAffected())
	return nil
}
