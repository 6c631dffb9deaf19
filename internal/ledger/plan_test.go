package ledger_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/relance/relance/internal/ledger"
	"github.com/relance/relance/internal/provision"
)

// setSubplans explains sql in tx and names each subplan of the plan that
// tests a row against a set. Run per row, it rescans the set for every row
// it filters: rows × set. Hashed, it becomes that as soon as PostgreSQL
// thinks the set outgrows work_mem, as the reconciliation's NOT IN did
// (TestReconcileIsLinearWhenManyJobsAreLive in worker): a set is joined,
// never tested in a subplan. A subplan of one row (a max over the four
// thresholds, the next bucket bound) is an expression of the row and costs
// a constant.
func setSubplans(t *testing.T, tx pgx.Tx, sql string, args ...any) []string {
	t.Helper()
	var raw []byte
	if err := tx.QueryRow(context.Background(), "EXPLAIN (FORMAT JSON) "+sql, args...).Scan(&raw); err != nil {
		t.Fatalf("explain: %v", err)
	}
	var plan []struct {
		Plan planNode `json:"Plan"`
	}
	if err := json.Unmarshal(raw, &plan); err != nil {
		t.Fatal(err)
	}
	// A hashed subplan is named so only where its result is used.
	hashed := map[string]bool{}
	for _, m := range regexp.MustCompile(`hashed (SubPlan \d+)`).FindAllStringSubmatch(string(raw), -1) {
		hashed[m[1]] = true
	}
	var out []string
	var walk func(n planNode)
	walk = func(n planNode) {
		if n.Relationship == "SubPlan" && (hashed[n.SubplanName] || n.Rows > 1) {
			out = append(out, fmt.Sprintf("%s (hashed %v): %s of %.0f rows on %s%s",
				n.SubplanName, hashed[n.SubplanName], n.Type, n.Rows, n.CTE, n.Function))
		}
		for _, c := range n.Plans {
			walk(c)
		}
	}
	walk(plan[0].Plan)
	return out
}

// arrayScans prepares sql with the parameter types given, explains the
// plan PostgreSQL builds without the parameters' values (a generic plan:
// from the sixth run of a prepared statement on one connection it may
// keep it) and returns each filter that compares a row with a parameter's
// array, `= ANY ($n)`. PostgreSQL hashes a constant array; a parameter's
// it scans item by item, for each row: rows × items. (An index condition
// looks each item up once: not a filter.)
func arrayScans(t *testing.T, tx pgx.Tx, types []string, sql string, args ...any) []string {
	t.Helper()
	ctx := context.Background()
	if _, err := tx.Exec(ctx, `SET LOCAL plan_cache_mode = force_generic_plan`); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "PREPARE generic ("+strings.Join(types, ", ")+") AS "+sql); err != nil {
		t.Fatal(err)
	}
	defer tx.Exec(ctx, `DEALLOCATE generic`) //nolint:errcheck // the transaction is rolled back
	literals := make([]string, len(args))
	for i, a := range args {
		if err := tx.QueryRow(ctx, "SELECT quote_nullable($1::"+types[i]+")", a).Scan(&literals[i]); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := tx.Query(ctx, "EXPLAIN EXECUTE generic ("+strings.Join(literals, ", ")+")")
	if err != nil {
		t.Fatal(err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	scan := regexp.MustCompile(`Filter: .*= ANY \(\$\d+\)`)
	for _, l := range lines {
		if scan.MatchString(l) {
			out = append(out, strings.TrimSpace(l))
		}
	}
	return out
}

// planNode is what setSubplans reads of a node of EXPLAIN (FORMAT JSON).
type planNode struct {
	Type         string     `json:"Node Type"`
	Relationship string     `json:"Parent Relationship"`
	SubplanName  string     `json:"Subplan Name"`
	Rows         float64    `json:"Plan Rows"`
	CTE          string     `json:"CTE Name"`
	Function     string     `json:"Function Name"`
	Plans        []planNode `json:"Plans"`
}

// tinyWorkMem begins a transaction with PostgreSQL's smallest work_mem,
// where no set of any size is thought to fit in memory.
func tinyWorkMem(t *testing.T, f fixture) pgx.Tx {
	t.Helper()
	tx, err := f.pool.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tx.Rollback(context.Background()) }) //nolint:errcheck // a plan, or a result read and undone
	if _, err := tx.Exec(context.Background(), `SET LOCAL work_mem = '64kB'`); err != nil {
		t.Fatal(err)
	}
	return tx
}

// overdueInvoices is a ledger of n invoices of one client, 120.00 each,
// due on 1 February 2025.
func overdueInvoices(t *testing.T, n int) fixture {
	t.Helper()
	f, _ := newFixture(t)
	f.exec(`INSERT INTO invoice (entity_id, client_id, number, issue_date, due_date, amount_incl_vat)
		SELECT 1, $1, 'F-' || n, '2025-01-01', '2025-02-01', 12000 FROM generate_series(1, $2::int) n`, f.client("C1"), n)
	return f
}

// TestProvisionReviewIsLinearWhenManyAreProposed: the review books the
// provision of each proposal it makes in the same statement, and found
// them as `OR d.invoice_id IN (SELECT invoice_id FROM proposed)`: a
// subplan, hashed only while PostgreSQL thinks the proposals fit in
// work_mem, past that rescanned for every due row. It guesses them at
// about one due row in 600 (default selectivities over a CTE), so the hash
// held up to some 3 million due rows at a 64 kB work_mem; joined, they
// are read once whatever the guess. With 2,000 doubtful invoices analysed
// and a 64 kB work_mem, the plan tests no row against a set in a subplan;
// the review run on that plan books the provision of every proposal it
// makes; and the generic plan of the next day's review compares no row
// with every invoice of the list of what changed (the writes taken off
// provision_review_touch were `= ANY ($8)`).
func TestProvisionReviewIsLinearWhenManyAreProposed(t *testing.T) {
	f := overdueInvoices(t, 2000)
	ctx := context.Background()
	f.exec(`INSERT INTO reminder (invoice_id, client_id, profile, step_id, level, channel, due_on, status)
		SELECT id, client_id, 'standard', 'provision', -1, 'action', '2025-06-01', 'sent' FROM invoice`)
	f.exec(`ANALYZE`)
	tx := tinyWorkMem(t, f)
	args := append(append([]any{d("2025-09-01")}, ledger.MatrixArgs(provision.Matrix{})...), []int64(nil))
	if got := setSubplans(t, tx, ledger.ProvisionReviewSQL, args...); len(got) > 0 {
		t.Errorf("the review rescans a set for each row: %v", got)
	}
	var proposed []int64
	var reclassified, adjusted int
	if err := tx.QueryRow(ctx, ledger.ProvisionReviewSQL, args...).Scan(&proposed, nil, nil, nil, nil, &reclassified, &adjusted, nil); err != nil {
		t.Fatal(err)
	}
	if len(proposed) != 2000 || reclassified != 2000 || adjusted != 2000 {
		t.Errorf("%d proposals, %d reclassified, %d provisions booked; want 2,000 of each", len(proposed), reclassified, adjusted)
	}
	// The next day's review, incremental, with the proposals analysed.
	if _, err := tx.Exec(ctx, `ANALYZE provision`); err != nil {
		t.Fatal(err)
	}
	types := []string{"date", "text[]", "text[]", "int[]", "int[]", "int", "int", "bigint[]"}
	next := append([]any{d("2025-09-02")}, append(args[1:7:7], []int64{1, 2, 3})...)
	if got := arrayScans(t, tx, types, ledger.ProvisionReviewSQL, next...); len(got) > 0 {
		t.Errorf("under a generic plan, the review compares rows with every invoice of its list: %v", got)
	}
}

// TestCreditLimitAlertsAreLinearWhenAnImportTouchesManyClients: the
// alerts look at the clients a batch touched, 100,000 for an import at 1M,
// and found them as `$2 IS NULL OR c.id IN (SELECT unnest($2))`: past
// work_mem, the list was rescanned for each client of the entity. With a
// 64 kB work_mem, the plan of 100,000 clients must rescan no set per row;
// and a client listed twice (or once) is looked at once: its balance, not
// twice its balance.
func TestCreditLimitAlertsAreLinearWhenAnImportTouchesManyClients(t *testing.T) {
	f, _ := newFixture(t)
	ctx := context.Background()
	client := f.client("C1")
	f.exec(`UPDATE client SET credit_limit = 100000 WHERE id = $1`, client)
	f.invoice(client, "F-1", "2025-08-01", "2025-08-31", 60000) // 60 %: twice would be 120 %
	tx := tinyWorkMem(t, f)
	many := make([]int64, 100000)
	for i := range many {
		many[i] = int64(i + 1)
	}
	if got := setSubplans(t, tx, ledger.CreditLimitAlertsSQL, int64(1), many, "cli:alice", d("2025-09-01"), int64(1)); len(got) > 0 {
		t.Errorf("the alerts rescan a set for each client: %v", got)
	}
	for _, listed := range [][]int64{{client, client}, nil} {
		if _, err := tx.Exec(ctx, `SAVEPOINT listed`); err != nil {
			t.Fatal(err)
		}
		var alerts int
		if err := tx.QueryRow(ctx, ledger.CreditLimitAlertsSQL, int64(1), listed, "cli:alice", d("2025-09-01"), int64(1)).Scan(&alerts); err != nil {
			t.Fatal(err)
		}
		var threshold, balance string
		if err := tx.QueryRow(ctx, `SELECT detail ->> 'threshold', detail ->> 'balance' FROM event WHERE kind = 'alert_credit_limit'`).
			Scan(&threshold, &balance); err != nil {
			t.Fatalf("clients %v: %v", listed, err)
		}
		if alerts != 1 || threshold != "50" || balance != "60000" {
			t.Errorf("clients %v: %d alerts, threshold %s, balance %s; want 1 at 50 %% of 60000", listed, alerts, threshold, balance)
		}
		if _, err := tx.Exec(ctx, `ROLLBACK TO SAVEPOINT listed`); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDisputesHoldingOnADayAreJoined: the list of the disputes holding on
// a day found them as `$2 IS NULL OR d.id IN (SELECT … FROM
// ledger_open_dispute($2))`, a subplan over the disputes, which grow with
// the invoices. With 2,000 disputes analysed and a 64 kB work_mem, the plan
// tests no row against a set in a subplan, on a day and on none; and it
// lists the disputes holding on the day, or every one.
func TestDisputesHoldingOnADayAreJoined(t *testing.T) {
	f := overdueInvoices(t, 2000)
	ctx := context.Background()
	// Every other dispute resolved before the day.
	f.exec(`INSERT INTO dispute (invoice_id, reason, opened_on, opened_by, resolved_on, resolved_by, outcome)
		SELECT id, 'price', '2025-03-01', 'cli:alice', CASE WHEN id % 2 = 0 THEN date '2025-04-01' END,
		       CASE WHEN id % 2 = 0 THEN 'cli:alice' END, CASE WHEN id % 2 = 0 THEN 'credited' END
		FROM invoice`)
	f.exec(`ANALYZE`)
	tx := tinyWorkMem(t, f)
	for _, c := range []struct {
		day  any
		want int
	}{{d("2025-09-01"), 1000}, {nil, 2000}} {
		args := []any{int64(1), c.day, nil, nil}
		if got := setSubplans(t, tx, ledger.DisputesSQL, args...); len(got) > 0 {
			t.Errorf("holding on %v: the list rescans a set for each dispute: %v", c.day, got)
		}
		rows, err := tx.Query(ctx, ledger.DisputesSQL, args...)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			n++
		}
		if rows.Close(); rows.Err() != nil {
			t.Fatal(rows.Err())
		}
		if n != c.want {
			t.Errorf("holding on %v: %d disputes, want %d", c.day, n, c.want)
		}
	}
}
