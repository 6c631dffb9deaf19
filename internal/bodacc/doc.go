// Package bodacc reads the public BODACC export of collective procedures
// (procédures collectives) and flags the debtors it names.
//
// The BODACC (Bulletin officiel des annonces civiles et commerciales)
// publishes, among its "annonces commerciales", every judgment opening a
// safeguard (sauvegarde), a judicial reorganisation (redressement
// judiciaire) or a judicial liquidation. Its open-data dataset is
// downloaded as CSV (';'-separated, a header of field names) or JSON (an
// array of records, the API's {"results": […]} or {"records": [{"fields":
// …}]}, or one record per line). Parse reads either, as downloaded, and
// keeps the notices of collective procedures with what relance needs: the
// debtor's SIREN (registre), the judgment's nature and date (jugement, a
// JSON string inside the record), the publication date (dateparution), the
// debtor's name and town.
//
// The judgment's nature says the kind (Classify): an opening or a
// conversion names sauvegarde, redressement or liquidation; a closing, a
// plan, a list of claims opens nothing. Apply matches the openings to the
// clients by SIREN and records each through ledger.Store (actor
// import:bodacc): kind, opening (the judgment's date) and publication
// (dateparution, from which the claim must be declared within two months).
// A proceeding already recorded is not moved back: a later conversion
// changes only the kind; the same notice again changes nothing, so
// importing a file twice is harmless.
//
// The parser is written for hostile input: a record is capped (MaxRecord),
// texts are cleaned and cut, dates and SIRENs are checked; a record it
// cannot read is reported with its line and skipped, the others are used.
package bodacc
