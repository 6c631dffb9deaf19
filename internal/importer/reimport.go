package importer

import (
	"context"
	"encoding/binary"
	"errors"
	"math"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relance/relance/internal/ledger"
)

// A daily re-import of an entity's open items lists mostly what the ledger
// has, as it has it. The reader of a file loads, before it parses, the
// source hash of each invoice of the entity (ledger.Store.InvoiceSources:
// the hash of the row that last wrote it, cleared by any other write that
// matters, migration 00180) and leaves out of the batch every row whose
// hash is one of them: it only counts it and keeps what it says of its
// client (each distinct once). The batch is told (InvoiceBatch.Unchanged),
// with, for a snapshot, the open items no row was left out for: those the
// batch does not stage are what the snapshot closes.
//
// A snapshot leaves clients out too: one that no staged row names, and
// whose rows say what the rows of the last batch that collected it said
// (the bit_xor of the distinct hashes of what they say is its said hash,
// migration 00200, cleared by any other write of its fields), would be
// collected and compared to be written as it is. Not for another batch,
// which raises the credit-limit alerts of the clients it collects.
//
// A row's hash covers its number, so a row left out is the only row of its
// number unless the file lists that number again: an exact repeat is left
// out too (a batch drops it, with what it alone says of its client), and a
// different row of the same number is
// staged alone, which the batch's duplicate checks cannot see. The reader
// then reads the file again with every row staged (errReadAgain).

// errReadAgain says the import must read its file again without leaving
// any row out.
var errReadAgain = errors.New("importer: a number listed twice, once left out: read the file again")

// knownInvoice is what the ledger said of an invoice before the file was
// read, its hash in two halves, and whether a row was left out for it.
type knownInvoice struct {
	id                 int64
	head, tail         uint64
	hashed, open, left bool
}

// clientSaid is a distinct thing rows say of a client.
type clientSaid struct {
	code string
	hash int64
}

// lookAhead is how far past the invoice after the last one matched a row
// is looked for before the map of hashes.
const lookAhead = 8

// unchangedRows picks the rows of a file the batch can leave out.
//
// The known invoices come in the table's order, which for a ledger loaded
// from the same export is mostly the file's: each row is first compared
// with the invoices just after the last one it matched, and only when none
// is its own, looked up in a map of every hash, built once more than one
// row in 64 was not found that way (a million random probes cost more than
// the rest of the comparison). A row not found is staged, which is always
// right: leaving a row out only spares the batch its work.
type unchangedRows struct {
	// snapshot says the batch is one: it evaluates the credit limits of
	// every client, so the clients it collects are only written, and those
	// whose said hash is the ledger's can be left out too (saidHashes).
	snapshot bool
	known    []knownInvoice
	chunks   chan []knownInvoice // from the reading goroutine, closed at the end; nil once read
	done     chan error          // the reading's end
	stop     context.CancelFunc
	next     int              // the known invoice after the last one matched
	byHash   map[uint64]int32 // the first half of a hash → known; -1 for one two invoices share
	misses   int              // rows not found after the last one matched, before byHash
	clients  map[clientSaid]struct{}
	said     []ledger.ClientSaid
	last     ledger.BatchClient // the client of the last row left out
	rows     int                // rows left out
	paid     bool               // one of them says what is paid
	// staged are the client codes of the rows not left out: what the
	// others say of those clients is all staged.
	staged map[string]bool
	// saidHashes are the clients' said hashes (ledger.ClientSaidHashes),
	// read for a snapshot with the sources.
	saidHashes  map[string]int64
	leftClients int // clients left out (clientsSaid)
}

// load starts reading the entity's invoices' sources and returns produce
// with the unchanged rows left out. With a pool of more than one
// connection it reads them on another while the file is parsed and COPied
// on tx (they come in the order the rows need them); else first, on tx.
// Call wait once the rows are staged.
func (u *unchangedRows) load(ctx context.Context, db DB, store *ledger.Store, tx pgx.Tx,
	produce func(emit func(*ledger.BatchInvoice) bool) error) (func(emit func(*ledger.BatchInvoice) bool) error, error) {
	u.clients, u.staged = map[clientSaid]struct{}{}, map[string]bool{}
	filter := func(emit func(*ledger.BatchInvoice) bool) error {
		return produce(func(row *ledger.BatchInvoice) bool {
			if u.leave(row) {
				return true
			}
			if len(u.known) > 0 {
				u.staged[row.ClientCode] = true
			}
			return emit(row)
		})
	}
	if p, ok := db.(interface{ Stat() *pgxpool.Stat }); !ok || p.Stat().MaxConns() < 2 {
		u.done = make(chan error, 1)
		err := store.InvoiceSources(ctx, tx, func(src ledger.InvoiceSource) { u.known = append(u.known, known(src)) })
		if err == nil {
			err = u.loadSaidHashes(ctx, store, tx)
		}
		u.done <- err
		return filter, nil
	}
	other, err := db.Begin(ctx)
	if err != nil {
		return nil, err
	}
	ctx, u.stop = context.WithCancel(ctx)
	u.chunks, u.done = make(chan []knownInvoice, 64), make(chan error, 1)
	go func() {
		chunk := make([]knownInvoice, 0, sourceChunk)
		send := func() bool {
			select {
			case u.chunks <- chunk:
				chunk = make([]knownInvoice, 0, sourceChunk)
				return true
			case <-ctx.Done():
				return false
			}
		}
		err := store.InvoiceSources(ctx, other, func(src ledger.InvoiceSource) {
			if chunk = append(chunk, known(src)); len(chunk) == sourceChunk {
				send()
			}
		})
		if err == nil && len(chunk) > 0 {
			send()
		}
		if err == nil {
			err = u.loadSaidHashes(ctx, store, other)
		}
		// Its lock on invoice goes before the import goes on: the bulk path
		// of a first import would wait for it.
		_ = other.Rollback(context.Background())
		close(u.chunks)
		u.done <- err
	}()
	return filter, nil
}

// sourceChunk is how many sources the reading goroutine hands over at a time.
const sourceChunk = 4096

// loadSaidHashes reads the clients' said hashes, for a snapshot.
func (u *unchangedRows) loadSaidHashes(ctx context.Context, store *ledger.Store, q pgx.Tx) error {
	if !u.snapshot {
		return nil
	}
	u.saidHashes = map[string]int64{}
	return store.ClientSaidHashes(ctx, q, func(code string, hash int64) { u.saidHashes[code] = hash })
}

func known(src ledger.InvoiceSource) knownInvoice {
	head, tail := halves(src.Hash)
	return knownInvoice{id: src.ID, head: head, tail: tail, hashed: src.Hashed, open: src.Open}
}

// need takes what the reading goroutine read until u.known holds n
// invoices or all there are.
func (u *unchangedRows) need(n int) {
	for u.chunks != nil && len(u.known) < n {
		c, ok := <-u.chunks
		if !ok {
			u.chunks = nil
			return
		}
		u.known = append(u.known, c...)
	}
}

// wait returns once every source is read, with the reading's error. It
// reads nothing after close.
func (u *unchangedRows) wait() error {
	u.need(math.MaxInt)
	return <-u.done
}

// close stops the reading goroutine, if any, when the import gives up
// before wait.
func (u *unchangedRows) close() {
	if u.stop != nil {
		u.stop()
	}
}

// find returns the known invoice whose hash is head and tail, or -1.
func (u *unchangedRows) find(head, tail uint64) int {
	for i := u.next; i < len(u.known) && i < u.next+lookAhead; i++ {
		if k := &u.known[i]; k.hashed && k.head == head && k.tail == tail {
			return i
		}
	}
	if u.byHash == nil {
		// A few rows changed or new are staged without it: only a file in
		// another order than the table's needs the map.
		if u.misses++; u.misses <= len(u.known)/64 {
			return -1
		}
		u.need(math.MaxInt)
		u.byHash = make(map[uint64]int32, len(u.known))
		for i, k := range u.known {
			if !k.hashed {
				continue
			}
			if _, dup := u.byHash[k.head]; dup {
				u.byHash[k.head] = -1 // 2^-64 a pair: neither is left out
				continue
			}
			u.byHash[k.head] = int32(i)
		}
	}
	if i, ok := u.byHash[head]; ok && i >= 0 && u.known[i].tail == tail {
		return int(i)
	}
	return -1
}

// leave says whether row can be left out, and records it if so.
func (u *unchangedRows) leave(row *ledger.BatchInvoice) bool {
	if u.need(u.next + lookAhead); len(u.known) == 0 {
		return false // a first import: nothing to compare with
	}
	i := u.find(halves(row.SourceHash()))
	if i < 0 {
		return false
	}
	u.rows++
	u.paid = u.paid || row.Paid != nil
	if u.known[i].left {
		// An exact repeat of a row left out: a batch drops it, and what it
		// alone says of its client with it (batch_invoice_drop_repeats.sql).
		return true
	}
	u.known[i].left, u.next = true, i+1
	if row.Client == u.last.Client && row.ClientCode == u.last.Code {
		return true // the same client as the row before (parseClientOnce gives the same patch): kept already
	}
	u.last = ledger.BatchClient{Code: row.ClientCode, Client: row.Client}
	said := row.ClientSaid()
	key := clientSaid{code: said.Code, hash: said.Hash}
	if _, ok := u.clients[key]; !ok {
		u.clients[key] = struct{}{}
		u.said = append(u.said, said)
	}
	return true
}

// clientsSaid returns what the rows left out say of their clients, but for
// the clients no staged row names whose said hash, the bit_xor of the
// distinct hashes of what their rows say, is the one the ledger keeps: a
// batch would collect them as they are (migration 00200). Only for a
// snapshot, whose batch raises the credit-limit alerts of every client.
func (u *unchangedRows) clientsSaid() []ledger.ClientSaid {
	if !u.snapshot || len(u.saidHashes) == 0 {
		return u.said
	}
	xor := make(map[string]int64, len(u.saidHashes))
	for _, s := range u.said {
		xor[s.Code] ^= s.Hash
	}
	for code, x := range xor {
		if h, ok := u.saidHashes[code]; !ok || h != x || u.staged[code] {
			delete(xor, code)
		}
	}
	u.leftClients = len(xor) // those left out
	kept := u.said[:0]
	for _, s := range u.said {
		if _, left := xor[s.Code]; !left {
			kept = append(kept, s)
		}
	}
	return kept
}

// unchanged is what the batch is told of the rows left out, once it is
// staged: errReadAgain when it stages the number of an invoice a row was
// left out for.
func (u *unchangedRows) unchanged(ctx context.Context, batch *ledger.InvoiceBatch) (ledger.Unchanged, error) {
	if err := u.wait(); err != nil {
		return ledger.Unchanged{}, err
	}
	restaged, err := batch.Restaged(ctx)
	if err != nil {
		return ledger.Unchanged{}, err
	}
	if len(restaged) > 0 && u.rows > 0 {
		ids := make(map[int64]bool, len(restaged))
		for _, id := range restaged {
			ids[id] = true
		}
		for _, k := range u.known {
			if k.left && ids[k.id] {
				return ledger.Unchanged{}, errReadAgain
			}
		}
	}
	absent, open := []int64{}, 0
	for _, k := range u.known {
		if k.open {
			open++
			if !k.left {
				absent = append(absent, k.id)
			}
		}
	}
	return ledger.Unchanged{Rows: u.rows, Clients: u.clientsSaid(), Paid: u.paid, Absent: absent, Open: open}, nil
}

func halves(h ledger.SourceHash) (uint64, uint64) {
	return binary.BigEndian.Uint64(h[:8]), binary.BigEndian.Uint64(h[8:])
}
