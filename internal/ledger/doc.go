// Package ledger holds the receivables and what people record about them:
// entities (the creditor companies), clients (the debtors), invoices, credit
// notes and payments, disputes, promises to pay, pauses and exclusions,
// insolvency proceedings, legal collection cases, the registered letters
// (formal notices) from their handover to the provider's proof of delivery,
// and the event trail that says who did what, when and why. It also holds
// the rules that belong to them, such as payment
// terms and due dates, and the checks of legal identifiers (SIREN, SIRET,
// VAT number, IBAN).
//
// Store is the one way to write them, for the CLI, the API, the importer and
// the demo. Its methods are named after the noun (Client, Clients,
// OpenDispute, ResolveDispute, RecordPromise…); its SQL lives in sql/*.sql
// beside it. Invoices and payments come in batches (batch.go): the reader
// (a file import, an API body) checks each row and COPies it into a staging
// table in its own transaction, and InvoiceBatch / PaymentBatch apply the
// whole batch in a few set-based statements, with one event for the batch.
// Each invoice keeps the hash of the row that last wrote it
// (invoice_source.go): a reader may leave out the rows whose hash is stored
// and tell the batch (InvoiceBatch.Unchanged). ClientBatch does the same for an API body of clients, with an event on
// each client it changes. Allocate settles an invoice from an unapplied
// payment or credit note, once however often it is asked; LockInvoice
// gives the API the version its If-Match compares.
//
// What a field may hold is checked here once, for every way in: texts are
// cleaned and capped (text.go), identifiers, emails, phones, countries and
// locales normalized (identity.go, contact.go), a client's fields checked
// together (ClientPatch). The reasons' words are the same everywhere; a
// refused write returns an *InvalidError naming each field.
// Every write takes an Act (who, and the business day it takes effect, the
// CLI's --as-of) and records an event row with both, in the same
// transaction. Errors name the layer, the action and the object
// ("ledger: open dispute on F-12: invoice is paid"); a missing object wraps
// ErrNotFound.
//
// Everything the sweep reads is dated so that a past day replays as it was
// decided: a dispute holds from its opening to its resolution (or through
// its `until`), a pause or exclusion from its first day to its end or
// resumption, a promise from the day it is made through pay-by + grace,
// ending early on the day it is found kept, a legal case from its opening to
// its close. Settle, run first by each sweep, closes what ends by itself.
//
// Kept on write, by the database itself (statement triggers with transition
// tables: one grouped statement per write, whoever writes — a batch, the
// API, an allocation, a write-off, a snapshot close, a hand-written UPDATE):
//   - client_balance (migration 00160): per client, Σ invoice.outstanding
//     of its invoices and credit notes (`documents`) and Σ
//     payment.unallocated of its payments (`payments`), whatever their
//     dates; ledger_horizon, the latest issue and receipt dates ever
//     written. ledger_client_net(D) (SQLClientNet) turns them into exactly
//     ledger_client_balance(D) by taking back what is dated after D and the
//     allocations that do not count yet on D; when nothing is dated after D
//     (the daily case) that is a read of client_balance alone. A bulk path
//     that loads with triggers disabled must call ledger_rebuild_balance()
//     after; TRUNCATE does it by itself.
//   - sweep_wake (migration 00161, owned by the worker's sweep): a new
//     invoice, or one whose due date, issue date, exclusion or open state
//     changes so that a step may come closer, is marked to be read by the
//     next sweep; a change of its reminder rows recomputes its wake day.
//
// TestKeptBalancesEqualTheLedgerFromScratch checks client_balance and
// ledger_client_net against the from-scratch functions after a random mix
// of writes, on past, present and future days.
package ledger
