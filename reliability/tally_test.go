package main

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/relance/relance/internal/mail/smtptest"
)

// received groups what the relay accepted by Message-ID, in order.
func received(srv *smtptest.Server) map[string][]smtptest.Message {
	out := map[string][]smtptest.Message{}
	for _, m := range srv.Messages() {
		id := m.Header.Get("Message-Id")
		out[id] = append(out[id], m)
	}
	return out
}

// tally compares the ledger with what the relay accepted: the messages due
// (one per client, day and channel, leaving out rows dropped because the
// invoice was paid, disputed…), delivered (distinct Message-IDs), refused on
// the client's own address (failed rows), lost (due but neither delivered
// nor refused: rows still pending or whose job died, and rows marked sent
// whose Message-ID the relay never saw), and every duplicate, explained by
// explain (which returns false for a duplicate no injected fault accounts
// for: the case then fails).
func tally(t *testing.T, c *Case, pool *pgxpool.Pool, srv *smtptest.Server, explain func(first, again smtptest.Message) (string, bool)) {
	t.Helper()
	ctx := context.Background()
	got := received(srv)
	var sentIDs []string
	rows, err := pool.Query(ctx, `SELECT DISTINCT message_id FROM reminder WHERE status = 'sent' AND level >= 0 AND channel = 'email'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		sentIDs = append(sentIDs, id)
	}
	rows.Close()
	var unsent, refused int
	if err := pool.QueryRow(ctx, `SELECT
			count(DISTINCT (client_id, due_on)) FILTER (WHERE status = 'pending' OR drop_reason LIKE 'job_%'),
			count(DISTINCT (client_id, due_on)) FILTER (WHERE status = 'failed')
		FROM reminder WHERE level >= 0 AND channel = 'email'`).Scan(&unsent, &refused); err != nil {
		t.Fatal(err)
	}
	neverSeen := 0
	for _, id := range sentIDs {
		if len(got["<"+id+">"]) == 0 {
			neverSeen++
			t.Errorf("the ledger says %s went out; the relay never accepted it", id)
		}
	}
	c.Due = len(sentIDs) + unsent + refused
	c.Delivered = len(got)
	c.Refused = refused
	c.Lost = unsent + neverSeen
	ids := make([]string, 0, len(got))
	for id := range got {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		copies := got[id]
		if len(copies) < 2 {
			continue
		}
		why, ok := explain(copies[0], copies[1])
		if !ok {
			t.Errorf("duplicate %s × %d, accepted at %s and %s: no injected fault explains it", id, len(copies),
				copies[0].At.Format("15:04:05.000"), copies[1].At.Format("15:04:05.000"))
		}
		c.Duplicates = append(c.Duplicates, Duplicate{MessageID: id, Copies: len(copies), Explanation: why})
	}
	if c.Lost != 0 {
		t.Errorf("%d messages lost (due %d, delivered %d, refused %d)", c.Lost, c.Due, c.Delivered, c.Refused)
	}
}

// noDuplicateExpected explains nothing: no fault of the case can duplicate.
func noDuplicateExpected(smtptest.Message, smtptest.Message) (string, bool) { return "", false }

// record appends c to the -report file, when given, and logs it.
func record(t *testing.T, c Case, started time.Time) {
	t.Helper()
	c.Elapsed = Duration(time.Since(started))
	dups := 0
	for _, d := range c.Duplicates {
		dups += d.Copies - 1
	}
	t.Logf("%s: faults %s; due %d, delivered %d, refused %d, duplicated %d, lost %d, crashes %d, in %s",
		c.Name, faults(c.Faults), c.Due, c.Delivered, c.Refused, dups, c.Lost, c.Crashes, time.Duration(c.Elapsed).Round(time.Second))
	for _, n := range c.Notes {
		t.Log("  ", n)
	}
	for _, d := range c.Duplicates {
		t.Logf("   duplicate %s × %d: %s", d.MessageID, d.Copies, d.Explanation)
	}
	if *report == "" {
		return
	}
	if err := appendCase(*report, c); err != nil {
		t.Error(err)
	}
}

// crashed counts the processes that panicked, failing the test for each.
func crashed(t *testing.T, procs ...*proc) int {
	t.Helper()
	n := 0
	for _, p := range procs {
		if p.panicked() {
			n++
			t.Errorf("relance %s crashed:\n%s", p.name, tail(p.stderr.String(), 30))
		}
	}
	return n
}

func ms(d time.Duration) string { return fmt.Sprintf("%d ms", d.Milliseconds()) }
