// Package importer loads a company's ledger into relance: open invoices and
// credit notes from CSV, XLSX or FEC files, and dated payments.
//
// The importer reads and checks; the ledger writes. A file streams through a
// reader (csv.go, xlsx.go, fec.go) that turns its records into checked rows
// (ledger.BatchInvoice, ledger.BatchPayment); the rows are COPied, while the
// file is still being parsed (copyRows in store.go), into the staging table
// of a ledger batch, whose set-based statements then check what needs the
// whole file (duplicates, unknown invoices) and upsert clients and invoices
// and record settlements, all in one transaction, with one event for the
// file. Either the whole file goes in, or nothing does and every bad row is
// reported as `file:line: column: reason`. Importing the same file twice
// changes nothing the second time. A file's rows that the ledger has as
// they were last said (their source hash, reimport.go) are not staged at
// all: the batch is told how many, and what they say of their clients.
//
// Input is hostile until read: every cell is capped at MaxCellChars and
// cleaned of control and invisible characters (ledger.CleanText), a CSV
// record is bounded before encoding/csv holds it (csv.go), a workbook is
// checked part by part before excelize opens it (xlsx_check.go). What a
// client field may hold (emails parsed with net/mail, SIREN, SIRET, VAT
// number, country…) is the ledger's check (ledger.ClientPatch), so a value
// is refused with the same words in a file as through the CLI or the API;
// the importer adds only its place. A --snapshot that would close too much
// is refused (SnapshotError).
package importer
