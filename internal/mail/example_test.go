package mail_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/relance/relance/internal/clock"
	"github.com/relance/relance/internal/mail"
	"github.com/relance/relance/templates"
)

// The send worker's path: render a template, wrap it in a Message with a
// deterministic Message-ID, send it, and tell a retry from a rejection.
func Example() {
	set, err := templates.Load("") // once, at start; cfg.Templates.Dir overrides
	if err != nil {
		panic(err)
	}
	day := time.Date(2025, 9, 12, 0, 0, 0, 0, time.UTC)
	invoices := []templates.Invoice{{Number: "F2025-0142", IssueDate: day.AddDate(0, -3, 0), DueDate: day.AddDate(0, 0, -20),
		DaysLate: 20, Currency: "EUR", Amount: 1200000, Outstanding: 1200000}}
	data := templates.Message{
		Creditor: templates.Party{Name: "Atelier Durand SAS"},
		Debtor:   templates.Party{Name: "Boulangerie Martin"},
		Entity:   templates.Entity{Locale: "fr"},
		Client:   templates.Client{Code: "C042", Locale: "en"},
		Day:      day,
		Step:     templates.Step{ID: "level2", Level: 2, Template: "level2"},
		Invoices: invoices,
		Totals:   templates.TotalsOf(invoices),
	}
	r, err := set.Render(data.Step.Template, data)
	if err != nil {
		panic(err)
	}

	dir, _ := os.MkdirTemp("", "outbox")
	defer os.RemoveAll(dir)
	var transport mail.Transport // mail.FromConfig(cfg.Mail, clock) in the daemon
	transport, _ = mail.NewFile(dir, clock.Fixed(day.Add(9*time.Hour)))
	err = transport.Send(context.Background(), mail.Message{
		From:      "Atelier Durand <compta@durand.example>",
		To:        []string{"ap@martin.example"},
		Subject:   r.Subject,
		Text:      r.Text,
		HTML:      r.HTML,
		MessageID: "c042.level2.2025-09-12@relance.durand.example",
	})
	switch mail.FaultOf(err) {
	case mail.RecipientRefused:
		fmt.Println("record the rejection on the client, do not retry:", err)
	case mail.SenderRefused:
		fmt.Println("our configuration or our relay: retry, alert, blame no client:", err)
	case mail.Unsendable:
		fmt.Println("this message cannot go as it is:", err)
	default:
		if err != nil {
			fmt.Println("retry later:", err)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	fmt.Println(r.Locale, r.Subject)
	fmt.Println(filepath.Base(files[0]))
	// Output:
	// en Second reminder: invoice F2025-0142 overdue – Atelier Durand SAS
	// c042.level2.2025-09-12@relance.durand.example.eml
}
