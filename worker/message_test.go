package worker

import (
	"testing"
	"time"

	"github.com/relance/relance/plans"
	"github.com/relance/relance/templates"
)

// A first reminder calls a delay an oversight only while the oldest overdue
// invoice is at most templates.oversight_days late; a formal notice gives
// letters.deadline_days to pay.
func TestMessageToneAndDeadline(t *testing.T) {
	day := d("2025-09-15")
	row := func(number, due string) reminderRow {
		return reminderRow{stepID: "level1", level: 1, template: "level1", profile: "standard",
			number: number, currency: "EUR", issue: d(due).AddDate(0, 0, -30), due: d(due), amount: 100_000, outstanding: 100_000,
			clientCode: "C1"}
	}
	who := messageParties{creditor: templates.Party{Name: "Durand"},
		debtor: templates.Party{Name: "Client", Address: []string{"1 rue A", "75001 Paris"}}}
	for _, tt := range []struct {
		name      string
		settings  MessageSettings
		dues      []string
		oversight bool
		deadline  string
	}{
		{"defaults, 30 days late", MessageSettings{}, []string{"2025-08-16"}, true, "2025-09-23"},
		{"defaults, 31 days late", MessageSettings{}, []string{"2025-08-15"}, false, "2025-09-23"},
		// The oldest invoice decides, whatever the others.
		{"one old among recent", MessageSettings{OversightDays: 30, DeadlineDays: 8}, []string{"2024-09-03", "2025-09-10"}, false, "2025-09-23"},
		{"age 0: never an oversight", MessageSettings{OversightDays: 0, DeadlineDays: 15}, []string{"2025-09-14"}, false, "2025-09-30"},
		{"a longer age", MessageSettings{OversightDays: 60, DeadlineDays: 8}, []string{"2025-07-20"}, true, "2025-09-23"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := &SendWorker{Plans: &plans.Set{}, Messages: tt.settings}
			var rows []reminderRow
			for i, due := range tt.dues {
				r := row("F"+string(rune('A'+i)), due)
				r.invoiceID = int64(i + 1)
				rows = append(rows, r)
			}
			msg, err := w.message(rows, top{reminderRow: rows[0]}, day, who)
			if err != nil {
				t.Fatal(err)
			}
			if msg.Oversight != tt.oversight || !msg.Deadline.Equal(d(tt.deadline)) {
				t.Errorf("oversight %v deadline %s, want %v %s", msg.Oversight, msg.Deadline.Format(time.DateOnly), tt.oversight, tt.deadline)
			}
			if msg.Debtor.Name != "Client" || len(msg.Debtor.Address) != 2 || msg.Creditor.Name != "Durand" {
				t.Errorf("parties %+v / %+v", msg.Creditor, msg.Debtor)
			}
		})
	}
}
