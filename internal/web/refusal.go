package web

// Refused tells the ledger refusing a request (an invoice paid, a dispute
// already open, a constraint of the ledger) from a failure of ours (the
// database, the network, a request cancelled): the dashboard shows the
// first to the person and logs the second.
func Refused(err error) bool { return err != nil && !internal(err) }
