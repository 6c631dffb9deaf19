package importer

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/ledger"
)

// A daily re-import of an entity's open items lists mostly what the ledger
// has, as it has it. The reader of a file loads, before it parses, the
// source hash of each invoice of the entity (ledger.Store.InvoiceSources:
// the hash of the row that last wrote it, cleared by any other write that
// matters, migration 00180) and leaves out of the batch every row whose
// hash is the invoice's: it only counts it, keeps what it says of its
// client (each distinct once) and marks its number as listed. The batch is
// told (ledger.InvoiceBatch.Unchanged), and for a snapshot it closes the
// open items the file does not list, which the reader computes from what it
// loaded. A number listed twice after one of its rows was left out cannot
// be checked for duplicates without that row: the file is read again with
// every row staged (errReadAgain).

// errReadAgain says the import must read its file again without leaving
// any row out.
var errReadAgain = errors.New("importer: a number listed twice after one of its rows was left out: read the file again")

// Where a known invoice's number stands in the file.
const (
	unseen  uint8 = iota
	leftOut       // listed, unchanged, not staged
	staged        // listed, staged
)

// knownInvoice is what the ledger said of an invoice before the file was read.
type knownInvoice struct {
	src   ledger.InvoiceSource
	state uint8
}

// clientSaid is a distinct thing rows say of a client.
type clientSaid struct {
	code string
	hash uint64
}

// unchangedRows picks the rows of a file the batch can leave out.
type unchangedRows struct {
	index   map[string]int32 // number → known
	known   []knownInvoice
	clients map[clientSaid]struct{}
	said    []ledger.BatchClient
	rows    int  // rows left out
	paid    bool // one of them says what is paid
	again   bool // see errReadAgain
}

// load reads the entity's invoices' sources in tx and returns produce with
// the unchanged rows left out.
func (u *unchangedRows) load(ctx context.Context, store *ledger.Store, tx pgx.Tx,
	produce func(emit func(*ledger.BatchInvoice) bool) error) (func(emit func(*ledger.BatchInvoice) bool) error, error) {
	u.index, u.clients = map[string]int32{}, map[clientSaid]struct{}{}
	err := store.InvoiceSources(ctx, tx, func(number string, src ledger.InvoiceSource) {
		u.index[number] = int32(len(u.known))
		u.known = append(u.known, knownInvoice{src: src})
	})
	if err != nil {
		return nil, err
	}
	return func(emit func(*ledger.BatchInvoice) bool) error {
		return produce(func(row *ledger.BatchInvoice) bool {
			if u.leave(row) {
				return true
			}
			return !u.again && emit(row)
		})
	}, nil
}

// leave says whether row can be left out, and records it if so. A number
// listed again after it was left out sets u.again.
func (u *unchangedRows) leave(row *ledger.BatchInvoice) bool {
	i, ok := u.index[row.Number]
	if !ok {
		return false
	}
	k := &u.known[i]
	switch k.state {
	case leftOut:
		u.again = true
		return false
	case staged:
		return false
	}
	if !k.src.Hashed || k.src.Hash != row.SourceHash() {
		k.state = staged
		return false
	}
	k.state = leftOut
	u.rows++
	u.paid = u.paid || row.Paid != nil
	key := clientSaid{code: row.ClientCode, hash: row.Client.Hash()}
	if _, ok := u.clients[key]; !ok {
		u.clients[key] = struct{}{}
		u.said = append(u.said, ledger.BatchClient{Line: row.Line, Code: row.ClientCode, Client: row.Client})
	}
	return true
}

// unchanged is what the batch is told of the rows left out, with the open
// items the file did not list.
func (u *unchangedRows) unchanged() ledger.Unchanged {
	absent := []string{}
	for number, i := range u.index {
		if k := u.known[i]; k.src.Open && k.state == unseen {
			absent = append(absent, number)
		}
	}
	return ledger.Unchanged{Rows: u.rows, Clients: u.said, Paid: u.paid, Absent: absent}
}
