// Package letter lays out the formal notice (mise en demeure) as an A4 PDF
// letter, ready for a registered-letter service or for printing, in French
// or English:
//
//   - the parties: the creditor top left and the debtor in the window of a
//     DL envelope, each with postal address, SIREN and VAT number
//     (templates.Message.Creditor and Debtor);
//   - the registered-letter mention, place and date, the title "Mise en
//     demeure" and the subject;
//   - the body, rendered by the formal_notice letter template: the claim, the
//     deadline, the legal basis with each half-year's rate, the next step
//     (injonction de payer), the signature;
//   - the statement of the sums due: the overdue invoices (number, date, due
//     date, outstanding, days late, interest, indemnity), the interest of
//     each invoice by half-year (period, days, rate, base, interest), the
//     totals and the deadline;
//   - the payment details: IBAN and BIC, payment links.
//
// Beside the PDF, a Manifest (manifest.go) says what the letter is and how
// to post it, for the person who prints it or the provider it is handed to:
// the service (registered with acknowledgement), the sender's and the
// recipient's addresses, structured and as printed, the invoices claimed and
// the totals, the idempotency key, the PDF's SHA-256. Upload, Receipt and
// Proof are the provider's side of the exchange (docs/letters-webhook.md).
//
// Invoices not yet due are never claimed; they are named in a closing note.
//
// RenderCaseFile lays out, in the same style, the file of a legal collection
// case (dossier de recouvrement) for a lawyer, a commissaire de justice, an
// agency or the court: the parties, the procedure and its stages with the
// opposition deadline, the invoices with what was claimed and recovered,
// the claim with the penalties computed as for the formal notice, the
// reminders and letters sent (each letter's posting, tracking number and
// receipt, refusal or failure as the letter table records them), and the
// costs.
// The PDF uses the standard Helvetica font in the cp1252 encoding, which
// covers French and English (accents, €, typographic quotes); a character
// outside cp1252 prints as '.'. The output depends only on its input: a
// replay gives the same bytes.
package letter
