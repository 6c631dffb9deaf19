// Package ledger holds the receivables themselves: clients, invoices and
// credit notes, payments and their allocation, disputes and promises to pay,
// and the rules that belong to them, such as payment terms and due dates.
package ledger
