// Package backtest is the plan comparison behind `relance plan diff`: what
// two reminder plans would have done over a past period, on the ledger as it
// was each day, and where they differ (messages and letters per month and
// level, the delay to the first reminder, the clients reminded
// differently).
//
// It decides nothing itself. Each plan runs the daily sweep
// (worker.Sweeper, worker/sweep.sql) day after day through
// preview.SimulateDay, in a transaction of its own made a sandbox by
// worker.Sandbox: the sweep reads the real ledger as of each day and writes
// only temporary twins of its tables, which start from the reminder history
// as it stood on the first morning, and the transaction is rolled back. The
// two transactions share one exported snapshot, so both plans see the same
// ledger whatever commits meanwhile, and they run side by side on two
// connections: a day's sweep cannot be shared between two plans (each reads
// its own reminder history and writes its own decisions), but the two
// simulations wait for nothing, neither each other nor the daemon.
package backtest
