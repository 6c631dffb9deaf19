package ledger

import (
	"strings"
	"testing"

	"github.com/relance/relance/internal/money"
)

// TestAllocatable is what an allocation may take: the amount asked, or all
// the source has left up to what the invoice owes, never more than either.
func TestAllocatable(t *testing.T) {
	for _, c := range []struct {
		asked, left, owed money.Amount
		want              money.Amount
		err               string
	}{
		{0, 10000, 25000, 10000, ""},
		{0, 30000, 25000, 25000, ""},
		{5000, 10000, 25000, 5000, ""},
		{10000, 10000, 10000, 10000, ""},
		{12000, 10000, 25000, 0, "only 100.00 left to allocate, not 120.00"},
		{12000, 30000, 10000, 0, "the invoice owes 100.00, not 120.00"},
		{0, 0, 25000, 0, "nothing left to allocate"},
		{0, 10000, 0, 0, "the invoice is settled"},
	} {
		got, err := allocatable(c.asked, c.left, c.owed)
		if got != c.want || (err == nil) != (c.err == "") || err != nil && !strings.Contains(err.Error(), c.err) {
			t.Errorf("allocatable(%d, %d, %d) = %d, %v; want %d, %q", c.asked, c.left, c.owed, got, err, c.want, c.err)
		}
	}
}

// TestCheckAllocationNamesEachField: the request's refused fields, each
// named.
func TestCheckAllocationNamesEachField(t *testing.T) {
	err := checkAllocation(AllocationRequest{PaymentReference: "VIR", CreditNote: "AV-1", Amount: -1})
	want := "invoice: required\ncredit_note: name a payment or a credit note, not both\namount: negative amount -0.01"
	if err == nil || err.Error() != want {
		t.Errorf("%v, want\n%s", err, want)
	}
}
