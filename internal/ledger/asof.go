package ledger

// The ledger as of day D is defined once, in SQL, by migration 00020
// (migrations/00020_ledger_asof.sql). The sweep (worker/sweep.sql), the aged
// balance and the KPIs (internal/aging) and the preview (which runs the
// sweep) read balances on a day through these functions and never from
// invoice.outstanding or payment.unallocated directly.
//
// An allocation counts on D once it is applied (applied_on ≤ D) and both of
// its sides exist on D: the invoice it settles is issued, and the payment it
// draws on is received or the credit note it draws on is issued. A deposit
// received on 5 October and allocated to an invoice issued on 3 November is,
// on 31 October, unapplied cash of the client, whatever date the allocation
// carries. The rule is stated once, in ledger_count_allocations, which
// triggers run on every write of an allocation or of the dates of its sides:
// it stores in allocation.counts_from the day an allocation starts to count
// when that is later than applied_on, so that what does not count yet on D is
// one index range scan.
//
// Each function is a set-returning LANGUAGE sql function, STABLE, one SELECT,
// without SET or STRICT, so that PostgreSQL inlines it into the statement
// that calls it (TestAsOfFunctionsAreInlined checks it): the caller's filters
// reach the table scans, and the plan of the aged balance is the plan of a
// hand-written scan of the open items.
const (
	// SQLLateAllocation is ledger_late_allocation(D): the allocations that do
	// not count yet on D (invoice_id, payment_id, credit_note_id, amount),
	// with counts_on the day each counts from (migration 00310).
	SQLLateAllocation = "ledger_late_allocation"
	// SQLAllocation is ledger_allocation(D): the allocations that count on
	// D, with counted_on the day each counts from (the KPIs date payments
	// with it).
	SQLAllocation = "ledger_allocation"
	// SQLLateSettlement is ledger_late_settlement(D): per document, what
	// comes back onto it on D (document_id, amount): what was settled on it
	// and does not count yet, less what it funded, for a credit note.
	SQLLateSettlement = "ledger_late_settlement"
	// SQLOpenDocument is ledger_open_document(D): the invoices and credit
	// notes issued by D and open on D, with `open` their outstanding on D and
	// `ages_from` the due date they are aged with (NULL for a credit note
	// naming no invoice: unapplied credit).
	SQLOpenDocument = "ledger_open_document"
	// SQLBalanceEntry is ledger_balance_entry(D): the client balances on D
	// as entries that add up, per document or payment, to its open amount
	// (a payment's negative): today's outstanding, then one entry per
	// allocation that does not count yet. What reports that sum read, with
	// no join per item.
	SQLBalanceEntry = "ledger_balance_entry"
	// SQLBalanceSpan is ledger_balance_span(first, last): the entries of
	// ledger_balance_entry on every day from first to last at once, each
	// with the days it holds, [valid_from, valid_until) (valid_until NULL:
	// from then on), created by migration 00260. What reads balances on a
	// dozen days (the KPIs' month ends) reads the ledger once.
	SQLBalanceSpan = "ledger_balance_span"
	// SQLOpenPayment is ledger_open_payment(D): the payments received by D
	// with `open` their part not allocated on D.
	SQLOpenPayment = "ledger_open_payment"
	// SQLClientBalance is ledger_client_balance(D): per client, its open
	// documents, its unapplied payments and net = documents − payments, every
	// currency added together. A client whose net is ≤ 0 is never reminded.
	SQLClientBalance = "ledger_client_balance"
	// SQLClientNet is ledger_client_net(D): the same rows as
	// ledger_client_balance(D) for every client with an entry on D, from the
	// balances kept on write (client_balance, migration 00160) instead of
	// every open item; the sweep reads it.
	SQLClientNet = "ledger_client_net"
	// SQLOpenDispute is ledger_open_dispute(D): the disputes open on D
	// (opened by D, not resolved by D, and D not past their `until`).
	SQLOpenDispute = "ledger_open_dispute"
	// SQLOpenCase is ledger_open_case(D): the invoices an open legal case
	// holds on D (opened by D, not closed by D), created with the cases'
	// tables by migration 00060.
	SQLOpenCase = "ledger_open_case"
)

// AsOfFunctions lists the functions above, in the order the migrations
// create them.
var AsOfFunctions = []string{SQLLateAllocation, SQLAllocation, SQLLateSettlement, SQLOpenDocument, SQLBalanceEntry,
	SQLOpenPayment, SQLClientBalance, SQLClientNet, SQLOpenDispute, SQLOpenCase, SQLBalanceSpan}
